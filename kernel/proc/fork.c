/*
 * fork, vfork and clone: a new process whose thread returns to user mode
 * with the parent's registers and 0 in rax. Address space copy-on-write
 * (mm_dup) or shared (CLONE_VM); descriptor table copied or shared
 * (CLONE_FILES). Threads (CLONE_THREAD) come with the SMP issue.
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

/* What this kernel understands; anything else is -EINVAL, not ignored. */
#define CLONE_SUPPORTED (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_VFORK | \
			 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
			 CLONE_CHILD_SETTID | CLONE_SYSVSEM | CLONE_DETACHED | CLONE_UNTRACED)

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
	return 0;
}

/* Undo a half-built child (before it ever ran). */
static void discard_child(struct proc *child, struct task *t)
{
	if (child->files)
		fd_table_put(child->files);
	if (child->mm)
		mm_put(child->mm);
	spin_lock(&proc_tree_lock);
	proc_tid_release_locked(t);
	child->zombie = true;
	proc_free_locked(child);
	spin_unlock(&proc_tree_lock);
	task_free_unstarted(t);
}

static long do_clone(unsigned long flags, uint64_t newsp, int *ptid, int *ctid, uint64_t tls)
{
	struct proc *parent = current_proc();
	struct task *self = current_task();

	if (!parent)
		return -EINVAL;
	if (flags & ~(unsigned long)CLONE_SUPPORTED)
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;

	struct task *t = task_alloc(self->name);
	if (!t)
		return -ENOMEM;
	struct proc *child = proc_alloc(parent, t);
	if (IS_ERR(child)) {
		task_free_unstarted(t);
		return PTR_ERR(child);
	}
	int err = copy_resources(child, parent, flags);
	if (!err)
		err = arch_thread_copy(&t->arch, &self->arch);
	if (!err && (flags & CLONE_SETTLS))
		err = arch_set_tls_of(&t->arch, tls);
	if (err) {
		discard_child(child, t);
		return err;
	}
	t->mm = child->mm;
	t->saved_rsp = arch_fork_stack(t->kstack_top, self->arch.user_regs);
	if (newsp)
		arch_fork_set_sp(t->kstack_top, newsp);
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = (uint64_t)ctid;
	child->exit_signal = flags & CSIGNAL;
	memcpy(child->sigactions, parent->sigactions, sizeof(child->sigactions));
	signal_clone_thread(t, self, !(flags & CLONE_VM) || (flags & CLONE_VFORK));

	int pid = child->pid;
	if (flags & CLONE_PARENT_SETTID)
		put_user_u32((uint32_t)pid, ptid);     /* a bad pointer is ignored, as Linux */
	if ((flags & CLONE_CHILD_SETTID) && (flags & CLONE_VM))
		put_user_u32((uint32_t)pid, ctid);

	if (flags & CLONE_VFORK) {
		child->vfork_parent = parent;
		parent->vfork_done = false;
	}
	task_start(t);
	if (flags & CLONE_VFORK)
		wait_event(&parent->child_exit, READ_ONCE(parent->vfork_done));
	return pid;
}

long sys_fork(void)
{
	return do_clone(SIGCHLD, 0, NULL, NULL, 0);
}

long sys_vfork(void)
{
	return do_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, NULL, NULL, 0);
}

/* x86-64 argument order: flags, newsp, parent_tid, child_tid, tls. */
long sys_clone(unsigned long flags, unsigned long newsp, int *ptid, int *ctid,
	       unsigned long tls)
{
	return do_clone(flags, newsp, ptid, ctid, tls);
}
