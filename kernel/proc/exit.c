/*
 * Process exit and the waits that reap it. An exiting process releases
 * everything but its struct proc at once, hands its children to init, and
 * becomes a zombie until its parent collects the status.
 */
#include <ipc/objspace.h>
#include <ipc/chan.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/futex.h>
#include <kernel/printk.h>
#include <kernel/proc/jobctl.h>
#include <kernel/syscall.h>
#include <mm/mm.h>
#include <mm/uaccess.h>
#include "internal.h"

#define WNOHANG    0x00000001
#define WUNTRACED  0x00000002
#define WEXITED    0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT    0x01000000
#define __WNOTHREAD 0x20000000  /* accepted; means nothing without threads */
#define __WALL     0x40000000
#define __WCLONE   0x80000000
#define P_ALL  0
#define P_PID  1
#define P_PGID 2

/* Children go to init; init is woken for any that are already zombies. */
static void reparent_children(struct proc *p)
{
	struct proc *init = proc_find(1);
	struct proc *c, *tmp;
	bool zombies = false;

	list_for_each_entry_safe(c, tmp, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = init;
		list_add_tail(&c->sibling, &init->children);
		zombies |= c->zombie;
	}
	if (zombies)
		wait_queue_wake_all(&init->child_exit);
}

static void report_init_exit(int status)
{
	if (status & 0x7f)
		pr_info("init: killed by signal %d\n", status & 0x7f);
	else
		pr_info("init: exited with status %d\n", (status >> 8) & 0xff);
}

/* The last thread is gone: release what the process owns and leave a
 * zombie for the parent to reap. */
static __noreturn void process_exit(struct proc *p, int wait_status)
{
	struct task *t = current_task();

	if (p->pid == 1) {
		/* Linux panics here; this kernel powers off, so that a program
		 * run as init (scripts/run-prog, the test runner) ends the boot. */
		report_init_exit(wait_status);
		arch_poweroff();
	}
	/* Before p stops being its session's leader in anyone's eyes: the
	 * TTY layer hangs up the controlling terminal's foreground group. */
	if (p->sid == p->pid && tty_session_hangup)
		tty_session_hangup(p);
	itimer_exit(p);
	own_proc_exit(p);               /* while p->mm still maps its pages */
	chan_proc_exit(p);              /* its published names go */
	/* Cleared under proc_tree_lock: procfs takes references under it. */
	spin_lock(&proc_tree_lock);
	struct fd_table *files = p->files;
	struct fs_context *fs = p->fs;
	struct mm *mm = p->mm;
	struct path exe = p->exe;
	p->files = NULL;
	p->fs = NULL;
	p->mm = NULL;
	p->exe = (struct path){ 0 };
	spin_unlock(&proc_tree_lock);
	fd_table_put(files);
	fs_context_put(fs);
	path_put(&exe);
	t->mm = NULL;
	mm_put(mm);

	spin_lock(&proc_tree_lock);
	if (p->vfork_parent) {
		p->vfork_parent->vfork_done = true;
		p->vfork_parent = NULL;
	}
	jobctl_exit_locked(p);
	reparent_children(p);
	p->wait_status = wait_status;
	p->zombie = true;
	struct proc *parent = p->parent;
	if (signal_notify_parent(p))
		proc_free_locked(p);    /* the parent ignores SIGCHLD: nobody will wait */
	spin_unlock(&proc_tree_lock);
	/* The parent may be asleep in wait4 or in vfork. */
	wait_queue_wake_all(&parent->child_exit);
	task_exit();
}

/* What a thread leaves behind for user space: robust futexes marked dead,
 * the tid word cleared and its joiner woken (pthread_join). */
static void thread_release_user(struct task *t)
{
	futex_exit_robust(t);
	if (t->clear_child_tid) {
		uint32_t *tidp = (uint32_t *)t->clear_child_tid;
		t->clear_child_tid = 0;
		if (put_user_u32(0, tidp) == 0)
			futex_wake(tidp, false, 1, FUTEX_BITSET_MATCH_ANY);
	}
}

void thread_exit(int wait_status)
{
	struct task *t = current_task();
	struct proc *p = t->proc;

	thread_release_user(t);
	spin_lock(&proc_tree_lock);
	if (p->group_exiting)
		wait_status = p->group_exit_status;
	bool last = p->nr_threads == 1;
	if (!last) {
		/* Leave the address space before leaving the thread list: the
		 * last thread frees it and no CPU may still be walking it. */
		spin_unlock(&proc_tree_lock);
		t->mm = NULL;
		mm_activate(NULL);
		spin_lock(&proc_tree_lock);
		last = p->nr_threads == 1;
		if (last)
			t->mm = p->mm;
	}
	cputime_thread_exit_locked(t);
	signal_thread_unlink(p, t);
	p->nr_threads--;
	proc_thread_gone_locked();
	proc_tid_release_locked(t);
	/* Woken under the lock: once it is dropped an exec waiting for this
	 * (proc_dethread) may finish, its program exit and p be reaped. */
	wait_queue_wake_all(&p->thread_exit);
	spin_unlock(&proc_tree_lock);
	if (last)
		process_exit(p, wait_status);
	task_exit();
}

/* Every thread of p but self must die: mark it and make it notice (a
 * wake-up if it sleeps interruptibly, an IPI if it runs elsewhere). */
static void kill_other_threads_locked(struct proc *p, struct task *self)
{
	struct task *t;

	assert_held(&proc_tree_lock);
	list_for_each_entry(t, &p->threads, thread_link) {
		if (t == self)
			continue;
		__atomic_fetch_or(&t->flags, TASK_F_KILLED, __ATOMIC_SEQ_CST);
		signal_kick(t);
	}
}

void proc_exit(int wait_status)
{
	struct task *self = current_task();
	struct proc *p = self->proc;

	spin_lock(&proc_tree_lock);
	if (!p->group_exiting) {
		p->group_exiting = true;
		p->group_exit_status = wait_status;
		kill_other_threads_locked(p, self);
	}
	spin_unlock(&proc_tree_lock);
	thread_exit(wait_status);
}

int proc_dethread(void)
{
	struct task *self = current_task();
	struct proc *p = self->proc;

	spin_lock(&proc_tree_lock);
	if (p->nr_threads == 1 && self->tid == p->pid) {
		spin_unlock(&proc_tree_lock);
		return 0;
	}
	if (p->group_exiting || (READ_ONCE(self->flags) & TASK_F_KILLED)) {
		spin_unlock(&proc_tree_lock);
		return -EINTR;
	}
	kill_other_threads_locked(p, self);
	spin_unlock(&proc_tree_lock);
	/* A concurrent exit_group or exec in another thread may kill us
	 * meanwhile: then give up and die on the way out. */
	bool killed = false;
	wait_event(&p->thread_exit, READ_ONCE(p->nr_threads) == 1 ||
		   (killed = READ_ONCE(self->flags) & TASK_F_KILLED));
	if (killed)
		return -EINTR;
	spin_lock(&proc_tree_lock);
	proc_tid_release_locked(self);
	self->tid = p->pid;
	proc_tid_set_locked(self);
	spin_unlock(&proc_tree_lock);
	return 0;
}

__noreturn long sys_exit(int status)
{
	thread_exit(W_EXITCODE(status, 0));
}

__noreturn long sys_exit_group(int status)
{
	proc_exit(W_EXITCODE(status, 0));
}

/* Does child c match what the caller waits for? idtype and id as waitid's
 * (P_ALL, P_PID pid, P_PGID pgid); caller holds proc_tree_lock. */
static bool child_matches(const struct proc *c, int idtype, int id)
{
	switch (idtype) {
	case P_PID:  return c->pid == id;
	case P_PGID: return c->pgid == id;
	default:     return true;
	}
}

/* What a wait found: the wait4 status, and waitid's si_code and si_status. */
struct wait_found {
	int status;
	int code;
	int si_status;
	uint32_t uid;                   /* the child's real uid (si_uid) */
};

static void found_exit(struct wait_found *f, int status)
{
	f->status = status;
	/* No core is ever dumped (RLIMIT_CORE is 0), so never CLD_DUMPED. */
	f->code = (status & 0x7f) ? CLD_KILLED : CLD_EXITED;
	f->si_status = (status & 0x7f) ? (status & 0x7f) : (status >> 8) & 0xff;
}

/* A stopped (0x7f | sig << 8) or continued (0xffff) report. */
static void found_jobctl(struct wait_found *f, int status)
{
	f->status = status;
	f->code = status == 0xffff ? CLD_CONTINUED : CLD_STOPPED;
	f->si_status = status == 0xffff ? SIGCONT : (status >> 8) & 0xff;
}

/*
 * One pass over the children: 0 = some match but none ready, -ECHILD = none
 * match, >0 = the pid of a reaped (or, with WNOWAIT, observed) zombie, or of
 * a child whose stop (WUNTRACED) or continuation (WCONTINUED) is reported.
 */
static int reap_one(struct proc *self, int idtype, int id, int options, struct wait_found *f,
		    struct rusage_k *ru)
{
	struct proc *c, *tmp;
	bool any = false, consume = !(options & WNOWAIT);

	spin_lock(&proc_tree_lock);
	list_for_each_entry_safe(c, tmp, &self->children, sibling) {
		if (!child_matches(c, idtype, id))
			continue;
		any = true;
		int found = c->pid;
		f->uid = c->cred.uid;
		if (c->zombie) {
			if (!(options & WEXITED))
				continue;
			found_exit(f, c->wait_status);
			cputime_child_rusage_locked(c, ru);
			if (consume) {
				cputime_reap_locked(self, c);
				proc_free_locked(c);
			}
		} else {
			int st = signal_wait_report_locked(c, options & WUNTRACED,
							   options & WCONTINUED, consume);
			if (!st)
				continue;
			found_jobctl(f, st);
			/* Only its exited threads' time: the live ones' is
			 * theirs to read. */
			cputime_child_rusage_locked(c, ru);
		}
		spin_unlock(&proc_tree_lock);
		return found;
	}
	spin_unlock(&proc_tree_lock);
	return any ? 0 : -ECHILD;
}

/* Sleeps until a child is ready; a signal interrupts it (-ERESTARTSYS). */
static int do_wait(int idtype, int id, int options, struct wait_found *f, struct rusage_k *ru)
{
	struct proc *self = current_proc();
	int r;

	for (;;) {
		wait_prepare(&self->child_exit);
		r = reap_one(self, idtype, id, options, f, ru);
		if (r != 0 || (options & WNOHANG))
			break;
		if (signal_pending()) {
			r = -ERESTARTSYS;
			break;
		}
		schedule();
	}
	wait_finish(&self->child_exit);
	return r;
}

/* struct rusage of a reaped child (its time and its children's), if asked for. */
static int put_rusage(void *urusage, const struct rusage_k *ru)
{
	return urusage && copy_to_user(urusage, ru, sizeof(*ru)) ? -EFAULT : 0;
}

long sys_wait4(int pid, int *ustatus, int options, void *rusage)
{
	struct wait_found f = { 0 };
	struct rusage_k ru;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
		return -EINVAL;
	if (pid == -2147483647 - 1)     /* INT_MIN: -pid overflows; Linux says ESRCH */
		return -ESRCH;
	/* wait4's pid: >0 that child, -1 any, 0 the caller's group, <-1 group -pid. */
	int r;
	options |= WEXITED;
	if (pid > 0)
		r = do_wait(P_PID, pid, options, &f, &ru);
	else if (pid == -1)
		r = do_wait(P_ALL, 0, options, &f, &ru);
	else
		r = do_wait(P_PGID, pid ? -pid : proc_getpgid(current_proc()), options, &f, &ru);
	if (r > 0 && ustatus && copy_to_user(ustatus, &f.status, sizeof(f.status)))
		return -EFAULT;
	if (r > 0 && put_rusage(rusage, &ru))
		return -EFAULT;
	return r;
}

/* siginfo_t as waitid fills it (the fields a CLD_* report uses). */
struct waitid_info {
	int32_t si_signo, si_errno, si_code, pad;
	int32_t si_pid;
	uint32_t si_uid;
	int32_t si_status;
	uint8_t rest[128 - 28];
};
_Static_assert(sizeof(struct waitid_info) == 128, "siginfo_t is 128 bytes");

long sys_waitid(int idtype, int id, void *uinfo, int options, void *rusage)
{
	struct wait_found f = { 0 };
	struct rusage_k ru;

	if (options & ~(WNOHANG | WEXITED | WUNTRACED | WCONTINUED | WNOWAIT | __WNOTHREAD |
			__WALL | __WCLONE))
		return -EINVAL;
	if (!(options & (WEXITED | WUNTRACED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL: break;
	case P_PID: if (id <= 0) return -EINVAL; break;
	/* P_PGID 0: the caller's own group (Linux 5.4). */
	case P_PGID: if (id < 0) return -EINVAL; if (!id) id = proc_getpgid(current_proc()); break;
	default: return -EINVAL;
	}
	int r = do_wait(idtype, id, options, &f, &ru);
	if (r < 0)
		return r;
	/* Linux stores the rusage before the siginfo. */
	if (r > 0 && put_rusage(rusage, &ru))
		return -EFAULT;
	struct waitid_info info = { 0 };
	if (r > 0) {
		info.si_signo = SIGCHLD;
		info.si_pid = r;
		info.si_uid = f.uid;
		info.si_code = f.code;
		info.si_status = f.si_status;
	}
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}
