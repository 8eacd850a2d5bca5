/*
 * fork, vfork, clone and clone3: a new task that returns to user mode with
 * the parent's registers and 0 in rax. With CLONE_THREAD it is another
 * thread of the caller's process; otherwise a new process whose address
 * space is copied (copy-on-write, mm_dup) or shared (CLONE_VM) and whose
 * descriptor table is copied or shared (CLONE_FILES).
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/mm.h>
#include <mm/uaccess.h>
#include "internal.h"

#define CSIGNAL              0x000000ff
#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_PIDFD          0x00001000
#define CLONE_PTRACE         0x00002000
#define CLONE_VFORK          0x00004000
#define CLONE_PARENT         0x00008000
#define CLONE_THREAD         0x00010000
#define CLONE_NEWNS          0x00020000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED       0x00400000
#define CLONE_UNTRACED       0x00800000
#define CLONE_CHILD_SETTID   0x01000000

#define SIGCHLD 17

/* What this kernel understands; anything else is -EINVAL, not ignored.
 * (CLONE_FS shares root, cwd and umask; without it the child has a copy.) */
#define CLONE_SUPPORTED (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			 CLONE_THREAD | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID | \
			 CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_SYSVSEM | \
			 CLONE_DETACHED | CLONE_UNTRACED)

static int copy_resources(struct proc *child, struct proc *parent, unsigned long flags)
{
	if (flags & CLONE_VM) {
		mm_get(parent->mm);
		child->mm = parent->mm;
	} else {
		child->mm = mm_dup(parent->mm);
		if (!child->mm)
			return -ENOMEM;
	}
	if (flags & CLONE_FILES) {
		__atomic_fetch_add(&parent->files->refcount, 1, __ATOMIC_RELAXED);
		child->files = parent->files;
	} else {
		child->files = fd_table_dup(parent->files);
		if (!child->files)
			return -ENOMEM;
	}
	spin_lock(&proc_tree_lock);
	child->exe = proc_exe_get_locked(parent);
	spin_unlock(&proc_tree_lock);
	if (flags & CLONE_FS) {
		__atomic_fetch_add(&parent->fs->refcount, 1, __ATOMIC_RELAXED);
		child->fs = parent->fs;
	} else {
		child->fs = fs_context_copy(parent->fs);
		if (!child->fs)
			return -ENOMEM;
	}
	return 0;
}

/* Undo a half-built child (before it ever ran). */
static void discard_child(struct proc *child, struct task *t)
{
	if (child->files)
		fd_table_put(child->files);
	fs_context_put(child->fs);
	path_put(&child->exe);
	if (child->mm)
		mm_put(child->mm);
	spin_lock(&proc_tree_lock);
	signal_thread_unlink(child, t);
	proc_thread_gone_locked();
	proc_tid_release_locked(t);
	child->zombie = true;
	proc_free_locked(child);
	spin_unlock(&proc_tree_lock);
	task_free_unstarted(t);
}

struct clone_req {
	unsigned long flags;
	int exit_signal;
	uint64_t stack;                 /* new user stack pointer, 0 = the caller's */
	int *ptid, *ctid;
	uint64_t tls;
};

/* The flag combinations Linux refuses (clone(2): EINVAL). */
static int check_flags(unsigned long flags)
{
	if (flags & ~(unsigned long)CLONE_SUPPORTED)
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	/* Descriptor tables belong to the process here, so a thread shares
	 * its process's (every threads library asks for this anyway). */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_FILES))
		return -EINVAL;
	return 0;
}

/* A new thread t of the calling process. */
static int new_thread(struct proc *p, struct task *t)
{
	int tid = proc_add_thread(p, t);
	if (tid < 0)
		return tid;
	t->mm = p->mm;                  /* the process's reference covers its threads */
	return tid;
}

/* A new process for task t: its address space and descriptors. On error
 * t is freed. */
static struct proc *new_process(struct proc *parent, struct task *t, const struct clone_req *r)
{
	struct proc *child = proc_alloc(parent, t);
	if (IS_ERR(child)) {
		task_free_unstarted(t);
		return child;
	}
	int err = copy_resources(child, parent, r->flags);
	if (err) {
		discard_child(child, t);
		return ERR_PTR(err);
	}
	t->mm = child->mm;
	child->exit_signal = r->exit_signal;
	memcpy(child->sigactions, parent->sigactions, sizeof(child->sigactions));
	if (r->flags & CLONE_VFORK) {
		child->vfork_parent = parent;
		parent->vfork_done = false;
	}
	return child;
}

static long do_clone(const struct clone_req *r)
{
	struct proc *parent = current_proc();
	struct task *self = current_task();
	unsigned long flags = r->flags;

	if (!parent)
		return -EINVAL;
	int err = check_flags(flags);
	if (err)
		return err;

	struct task *t = task_alloc(self->name);
	if (!t)
		return -ENOMEM;
	err = arch_thread_copy(&t->arch, &self->arch);
	if (!err && (flags & CLONE_SETTLS))
		err = arch_set_tls_of(&t->arch, r->tls);
	if (err) {
		task_free_unstarted(t);
		return err;
	}
	if (flags & CLONE_THREAD) {
		err = new_thread(parent, t);
		if (err < 0) {
			task_free_unstarted(t);
			return err;
		}
	} else {
		struct proc *child = new_process(parent, t, r);
		if (IS_ERR(child))
			return PTR_ERR(child);
	}
	t->saved_rsp = arch_fork_stack(t->kstack_top, self->arch.user_regs);
	if (r->stack)
		arch_fork_set_sp(t->kstack_top, r->stack);
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = (uint64_t)r->ctid;
	signal_clone_thread(t, self, !(flags & CLONE_VM) || (flags & CLONE_VFORK));

	int tid = t->tid;
	if (flags & CLONE_PARENT_SETTID)
		put_user_u32((uint32_t)tid, r->ptid);  /* a bad pointer is ignored, as Linux */
	if ((flags & CLONE_CHILD_SETTID) && (flags & CLONE_VM))
		put_user_u32((uint32_t)tid, r->ctid);

	task_start(t);
	if (flags & CLONE_VFORK)
		wait_event(&parent->child_exit, READ_ONCE(parent->vfork_done));
	return tid;
}

long sys_fork(void)
{
	return do_clone(&(struct clone_req){ .flags = 0, .exit_signal = SIGCHLD });
}

long sys_vfork(void)
{
	return do_clone(&(struct clone_req){ .flags = CLONE_VM | CLONE_VFORK,
					     .exit_signal = SIGCHLD });
}

/* x86-64 argument order: flags, newsp, parent_tid, child_tid, tls. The low
 * byte of flags is the signal sent to the parent at exit (none for a
 * thread). */
long sys_clone(unsigned long flags, unsigned long newsp, int *ptid, int *ctid,
	       unsigned long tls)
{
	struct clone_req r = {
		.flags = flags & ~(unsigned long)CSIGNAL,
		.exit_signal = (flags & CLONE_THREAD) ? 0 : (int)(flags & CSIGNAL),
		.stack = newsp, .ptid = ptid, .ctid = ctid, .tls = tls,
	};
	return do_clone(&r);
}

/* struct clone_args (linux/sched.h): versions 0, 1 and 2 are 64, 80 and
 * 88 bytes; a larger struct from a newer libc is fine if the rest is 0. */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
	uint64_t set_tid, set_tid_size;
	uint64_t cgroup;
};
_Static_assert(sizeof(struct clone_args) == 88, "CLONE_ARGS_SIZE_VER2");
#define CLONE_ARGS_SIZE_VER0 64

long sys_clone3(const struct clone_args *uargs, size_t size)
{
	struct clone_args a = { 0 };

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	if (copy_from_user(&a, uargs, MIN(size, sizeof(a))))
		return -EFAULT;
	for (size_t off = sizeof(a); off < size; off += 8) {
		uint64_t v = 0;
		size_t n = MIN(size - off, (size_t)8);
		if (copy_from_user(&v, (const uint8_t *)uargs + off, n))
			return -EFAULT;
		if (v)
			return -E2BIG;
	}
	/* The signal is its own field here; CSIGNAL bits in flags are an
	 * error, and so is a stack without a size (or the reverse). */
	if ((a.flags & CSIGNAL) || a.exit_signal > 64 || (a.flags >> 32))
		return -EINVAL;
	if ((a.flags & CLONE_THREAD) && a.exit_signal)
		return -EINVAL;
	if (!a.stack != !a.stack_size)
		return -EINVAL;
	/* Choosing pids (set_tid) needs pid namespaces; no cgroups here. */
	if (a.set_tid || a.set_tid_size || a.cgroup)
		return -EINVAL;
	if (a.flags & CLONE_PIDFD)
		return -EINVAL;
	struct clone_req r = {
		.flags = a.flags, .exit_signal = (int)a.exit_signal,
		.stack = a.stack ? a.stack + a.stack_size : 0,
		.ptid = (int *)a.parent_tid, .ctid = (int *)a.child_tid, .tls = a.tls,
	};
	return do_clone(&r);
}
