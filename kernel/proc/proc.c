/*
 * The process table and process creation. See kernel/proc.h for the
 * locking and lifetime rules.
 */
#include <kernel/proc.h>
#include <kernel/time.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/pmm.h>
#include "internal.h"

struct spinlock proc_tree_lock = SPINLOCK_INIT("proc_tree");
static struct proc *pid_table[PID_MAX];         /* proc_tree_lock */
static struct task *tid_table[PID_MAX];         /* proc_tree_lock; threads by tid */
static int last_pid;                            /* proc_tree_lock */
static unsigned nr_procs;                       /* proc_tree_lock */
static unsigned nr_threads;                     /* proc_tree_lock: user threads alive */
unsigned max_procs;                             /* set from memory size at init */

struct proc *current_proc(void)
{
	return current_task()->proc;
}

struct proc *proc_find(int pid)
{
	assert_held(&proc_tree_lock);
	return pid > 0 && pid < PID_MAX ? pid_table[pid] : NULL;
}

struct task *proc_find_task(int tid)
{
	assert_held(&proc_tree_lock);
	return tid > 0 && tid < PID_MAX ? tid_table[tid] : NULL;
}

int proc_last_pid(void)
{
	return READ_ONCE(last_pid);
}

unsigned proc_count(void)
{
	return READ_ONCE(nr_procs);
}

unsigned proc_fd_limit(const struct proc *p)
{
	return (unsigned)MIN(p->rlimits[RLIMIT_NOFILE].cur, (uint64_t)NR_OPEN);
}

void proc_init(void)
{
	/* Like Linux's max_threads: processes whose kernel stacks (16 KiB and a
	 * guard page each) would take
	 * at most 1/8 of memory; each user gets half of that by default. */
	max_procs = (unsigned)MIN(pmm_total_frames() * PAGE_SIZE / 8 / KiB(20), PID_MAX - 1);
	if (max_procs < 64)
		max_procs = 64;
}

/* Next free pid, counting up and wrapping like Linux. Caller holds the lock. */
static int alloc_pid(void)
{
	for (int i = 0; i < PID_MAX; i++) {
		last_pid = last_pid + 1 >= PID_MAX ? 2 : last_pid + 1;
		if (last_pid == 1 && pid_table[1])
			continue;
		/* A pid stays taken while its process lives (even when its
		 * first thread has exited) and a tid while its thread does. */
		if (!pid_table[last_pid] && !tid_table[last_pid])
			return last_pid;
	}
	return -EAGAIN;
}

static unsigned count_user_procs(uint32_t uid)
{
	unsigned n = 0;
	for (int pid = 1; pid < PID_MAX && n < nr_procs; pid++)
		if (pid_table[pid] && pid_table[pid]->cred.uid == uid)
			n++;
	return n;
}

static const struct rlimit64 default_rlimits[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_FSIZE] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_DATA] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_STACK] = { 8 << 20, RLIM_INFINITY },
	[RLIMIT_CORE] = { 0, RLIM_INFINITY },
	[RLIMIT_RSS] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_NOFILE] = { 1024, 4096 },
	[RLIMIT_MEMLOCK] = { 8 << 20, 8 << 20 },
	[RLIMIT_AS] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_LOCKS] = { RLIM_INFINITY, RLIM_INFINITY },
	[RLIMIT_MSGQUEUE] = { 819200, 819200 },
	[RLIMIT_RTTIME] = { RLIM_INFINITY, RLIM_INFINITY },
};

/*
 * A new process for task t: a pid, a place under parent (NULL for init).
 * Its mm, files, cred and limits are the caller's to fill; cred and limits
 * start as parent's (or the defaults).
 */
struct proc *proc_alloc(struct proc *parent, struct task *t)
{
	struct proc *p = kzalloc(sizeof(*p));
	if (!p)
		return ERR_PTR(-ENOMEM);
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->threads);
	wait_queue_init(&p->child_exit);
	wait_queue_init(&p->thread_exit);
	wait_queue_init(&p->jobctl_wait);
	spin_lock_init(&p->siglock, "siglock");
	p->start_ns = time_ns();
	if (parent) {
		p->cred = parent->cred;
		p->cred.groups = cred_groups_get(&parent->cred);
		memcpy(p->rlimits, parent->rlimits, sizeof(p->rlimits));
		memcpy(p->comm, parent->comm, sizeof(p->comm));
	} else {
		memcpy(p->rlimits, default_rlimits, sizeof(p->rlimits));
		p->rlimits[RLIMIT_NPROC].cur = p->rlimits[RLIMIT_NPROC].max = max_procs / 2;
		p->rlimits[RLIMIT_SIGPENDING] = p->rlimits[RLIMIT_NPROC];
	}

	spin_lock(&proc_tree_lock);
	int err = 0;
	if (nr_procs >= max_procs || nr_threads >= max_procs)
		err = -EAGAIN;
	else if (parent && parent->cred.uid != 0 &&
		 count_user_procs(parent->cred.uid) >= parent->rlimits[RLIMIT_NPROC].cur)
		err = -EAGAIN;
	int pid = err ? err : alloc_pid();
	if (pid < 0) {
		spin_unlock(&proc_tree_lock);
		groups_put(p->cred.groups);
		kfree(p);
		return ERR_PTR(pid);
	}
	p->pid = pid;
	p->parent = parent;
	/* A child starts in its parent's group and session; init leads its own. */
	p->pgid = parent ? parent->pgid : pid;
	p->sid = parent ? parent->sid : pid;
	if (parent)
		list_add_tail(&p->sibling, &parent->children);
	pid_table[pid] = p;
	nr_procs++;
	/* Its first thread: tid == pid. */
	t->tid = pid;
	t->proc = p;
	tid_table[pid] = t;
	list_add_tail(&t->thread_link, &p->threads);
	p->nr_threads = 1;
	nr_threads++;
	spin_unlock(&proc_tree_lock);
	return p;
}

int proc_add_thread(struct proc *p, struct task *t)
{
	spin_lock(&proc_tree_lock);
	/* Like Linux's threads-max: every thread costs a kernel stack.
	 * (RLIMIT_NPROC is checked per process at fork only: counting a
	 * user's threads would need per-user counters.) */
	int tid = p->group_exiting || nr_threads >= max_procs ? -EAGAIN : alloc_pid();
	if (tid < 0) {
		spin_unlock(&proc_tree_lock);
		return tid;
	}
	t->tid = tid;
	t->proc = p;
	tid_table[tid] = t;
	signal_thread_link(p, t);
	p->nr_threads++;
	nr_threads++;
	spin_unlock(&proc_tree_lock);
	return tid;
}

void proc_tid_release_locked(struct task *t)
{
	assert_held(&proc_tree_lock);
	if (tid_table[t->tid] == t)
		tid_table[t->tid] = NULL;
}

void proc_thread_gone_locked(void)
{
	assert_held(&proc_tree_lock);
	nr_threads--;
}

void proc_tid_set_locked(struct task *t)
{
	assert_held(&proc_tree_lock);
	tid_table[t->tid] = t;
}

/* Free a reaped zombie. Caller holds proc_tree_lock. */
void proc_free_locked(struct proc *p)
{
	assert_held(&proc_tree_lock);
	BUG_ON(!p->zombie);
	list_del(&p->sibling);
	pid_table[p->pid] = NULL;
	nr_procs--;
	groups_put(p->cred.groups);
	kfree(p);
}

void proc_set_exe(struct proc *p, const struct path *path)
{
	path_get(path);
	spin_lock(&proc_tree_lock);
	struct path old = p->exe;
	p->exe = *path;
	spin_unlock(&proc_tree_lock);
	path_put(&old);
}

struct path proc_exe_get_locked(struct proc *p)
{
	assert_held(&proc_tree_lock);
	struct path e = p->exe;
	if (e.dentry)
		path_get(&e);
	return e;
}
