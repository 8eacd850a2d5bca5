/*
 * Sending signals: the pending sets and their queued siginfo, the thread
 * that takes a process-directed signal, and keeping both right as threads
 * come and go, block signals, or exit.
 *
 * Lock order: proc_tree_lock -> proc->siglock -> run-queue locks (the
 * kick). siglock is taken irqsave, since interrupt handlers send signals;
 * it protects the dispositions, every pending set of the process, the
 * threads' masks as senders see them, and (for changes) the thread list.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include "internal.h"

enum sig_default signal_default_action(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return SIG_ACT_CORE;
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return SIG_ACT_IGN;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SIG_ACT_STOP;
	case SIGCONT:
		return SIG_ACT_CONT;
	default:
		return SIG_ACT_TERM;    /* the rest, real-time signals included */
	}
}

uint64_t signal_pending_set(const struct task *t)
{
	return READ_ONCE(t->sigpending.set) | READ_ONCE(t->proc->shared_pending.set);
}

bool signal_pending(void)
{
	struct task *t = current_task();

	/* Pairs with the sender's update before signal_kick: the sleeper's
	 * state change and this read are not reordered. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (READ_ONCE(t->flags) & TASK_F_KILLED)
		return true;
	if (!t->proc)
		return false;
	/* A group stop: leave the system call to park (it restarts after
	 * SIGCONT). */
	if (READ_ONCE(t->proc->group_stop) && !(READ_ONCE(t->flags) & TASK_F_STOPPED))
		return true;
	return signal_pending_set(t) & ~READ_ONCE(t->sigmask);
}

void signal_kick(struct task *t)
{
	task_wake(t);
	if (READ_ONCE(t->cpu) != arch_cpu_id())
		arch_send_reschedule(READ_ONCE(t->cpu));
}

/*
 * Would sig do nothing at all for t (for p's threads when t is NULL)?
 * Blocked signals are never ignored: the action may change before they
 * are unblocked (a thread in rt_sigtimedwait counts its real mask).
 */
static bool ignored_locked(struct proc *p, struct task *t, int sig, bool force)
{
	const struct k_sigaction *ka = &p->sigactions[sig - 1];
	uint64_t bit = SIGBIT(sig);

	if (t) {
		if ((t->sigmask | t->real_blocked) & bit)
			return false;
	} else {
		struct task *th;
		list_for_each_entry(th, &p->threads, thread_link)
			if ((th->sigmask | th->real_blocked) & bit)
				return false;
	}
	if (ka->handler == SIG_IGN)
		return true;
	if (ka->handler != SIG_DFL)
		return false;
	enum sig_default act = signal_default_action(sig);
	if (act == SIG_ACT_IGN || act == SIG_ACT_CONT)
		return true;
	/* PID 1, like Linux's init, gets no signal it has no handler for
	 * (SIGKILL included), except the faults it causes itself. */
	return p->pid == 1 && !force;
}

/* Hand a process-directed signal to a thread that does not block it:
 * the caller if it belongs to p (it will see it on its way out), else
 * the first such thread. Kicked even if it is the caller: it may be
 * between its last signal_pending() check and going to sleep. */
static void complete_signal(struct proc *p, struct task *t, int sig)
{
	struct task *self = current_task(), *pick = NULL;
	uint64_t bit = SIGBIT(sig);

	if (t) {
		if (!(t->sigmask & bit))
			signal_kick(t);
		return;
	}
	if (self->proc == p && !(self->sigmask & bit)) {
		pick = self;
	} else {
		struct task *th;
		list_for_each_entry(th, &p->threads, thread_link) {
			if (!(th->sigmask & bit)) {
				pick = th;
				break;
			}
		}
	}
	if (pick)
		signal_kick(pick);
}

int signal_queue_locked(struct proc *p, struct task *t, const struct siginfo *info, bool force)
{
	int sig = info->si_signo;
	struct sigpending *pend = t ? &t->sigpending : &p->shared_pending;
	bool rt = sig >= SIGRTMIN;

	assert_held(&p->siglock);
	if (list_empty(&p->threads) || (t && list_empty(&t->thread_link)))
		return 0;               /* exited: nobody to take it */
	jobctl_prepare_locked(p, sig);
	if (!force && ignored_locked(p, t, sig, force))
		return 0;
	if (!rt && (pend->set & SIGBIT(sig)))
		return 0;               /* a standard signal is pending only once */

	struct sigqueue *q = NULL;
	if (!rt || p->sigqueue_count < READ_ONCE(p->rlimits[RLIMIT_SIGPENDING].cur))
		q = kmalloc(sizeof(*q));
	if (!q && rt && info->si_code != SI_USER && info->si_code != SI_KERNEL)
		return -EAGAIN;         /* sigqueue/tgkill of a real-time signal: no room */
	if (q) {
		/* Otherwise the signal still goes, without its siginfo (Linux's
		 * "silent loss of information"). */
		q->next = NULL;
		q->forced = force;
		q->info = *info;
		struct sigqueue **pp = &pend->head;
		while (*pp)
			pp = &(*pp)->next;
		*pp = q;
		p->sigqueue_count++;
	}
	WRITE_ONCE(pend->set, pend->set | SIGBIT(sig));
	complete_signal(p, t, sig);
	return 0;
}

static void kernel_info(struct siginfo *info, int sig)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = SI_KERNEL;
}

void signal_info_from_current(struct siginfo *info, int sig, int code)
{
	struct proc *self = current_proc();

	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->kill.pid = self->pid;
	info->kill.uid = self->cred.uid;
}

int signal_send_info(struct proc *p, const struct siginfo *info)
{
	if (info->si_signo < 1 || info->si_signo > NSIG)
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&p->siglock);
	int r = signal_queue_locked(p, NULL, info, false);
	spin_unlock_irqrestore(&p->siglock, flags);
	return r;
}

int signal_send_task_info(struct task *t, const struct siginfo *info)
{
	struct proc *p = t->proc;

	if (info->si_signo < 1 || info->si_signo > NSIG)
		return -EINVAL;
	if (!p)
		return 0;
	unsigned long flags = spin_lock_irqsave(&p->siglock);
	int r = signal_queue_locked(p, t, info, false);
	spin_unlock_irqrestore(&p->siglock, flags);
	return r;
}

int signal_send(struct proc *p, int sig)
{
	struct siginfo info;

	kernel_info(&info, sig);
	return signal_send_info(p, &info);
}

int signal_send_task(struct task *t, int sig)
{
	struct siginfo info;

	kernel_info(&info, sig);
	return signal_send_task_info(t, &info);
}

void signal_send_self(int sig)
{
	struct siginfo info;

	signal_info_from_current(&info, sig, SI_USER);
	signal_send_task_info(current_task(), &info);
}

void signal_force_fault(int sig, int code, uint64_t addr)
{
	struct task *t = current_task();
	struct proc *p = t->proc;
	struct siginfo info;

	/* memset, not an initializer: C zeroes only a union's first member,
	 * and all 128 bytes go to user space. */
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.fault.addr = addr;
	unsigned long flags = spin_lock_irqsave(&p->siglock);
	struct k_sigaction *ka = &p->sigactions[sig - 1];
	bool blocked = t->sigmask & SIGBIT(sig);
	if (blocked || ka->handler == SIG_IGN) {
		ka->handler = SIG_DFL;
		WRITE_ONCE(t->sigmask, t->sigmask & ~SIGBIT(sig));
	}
	signal_queue_locked(p, t, &info, true);
	spin_unlock_irqrestore(&p->siglock, flags);
}

/* Remove the first queued instance of sig from pend into *info (a
 * generic SI_USER one if its siginfo was lost); the bit stays while
 * another instance is queued. */
static void take(struct proc *p, struct sigpending *pend, int sig, struct siginfo *info,
		 bool *forced)
{
	struct sigqueue *found = NULL, **pp = &pend->head;
	bool more = false;

	while (*pp) {
		if ((*pp)->info.si_signo != sig) {
			pp = &(*pp)->next;
		} else if (!found) {
			found = *pp;
			*pp = found->next;
		} else {
			more = true;
			break;
		}
	}
	if (!more)
		WRITE_ONCE(pend->set, pend->set & ~SIGBIT(sig));
	if (found) {
		*info = found->info;
		*forced = found->forced;
		p->sigqueue_count--;
		kfree(found);
	} else {
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = SI_USER;
		*forced = false;
	}
}

static int next_signal(uint64_t set)
{
	uint64_t sync = set & SIG_SYNCHRONOUS;

	/* SIGKILL first: a stopped group must not run a handler on its way
	 * to dying. */
	if (set & SIGBIT(SIGKILL))
		return SIGKILL;
	return __builtin_ctzll(sync ? sync : set) + 1;
}

int signal_dequeue_locked(struct task *t, uint64_t allowed, struct siginfo *info, bool *forced)
{
	struct proc *p = t->proc;
	uint64_t mine = t->sigpending.set & allowed;
	uint64_t shared = p->shared_pending.set & allowed;

	assert_held(&p->siglock);
	if (mine) {
		int sig = next_signal(mine);
		take(p, &t->sigpending, sig, info, forced);
		return sig;
	}
	if (shared) {
		int sig = next_signal(shared);
		take(p, &p->shared_pending, sig, info, forced);
		return sig;
	}
	return 0;
}

static void flush_pending(struct proc *p, struct sigpending *pend, uint64_t set)
{
	struct sigqueue **pp = &pend->head;

	while (*pp) {
		struct sigqueue *q = *pp;
		if (set & SIGBIT(q->info.si_signo)) {
			*pp = q->next;
			p->sigqueue_count--;
			kfree(q);
		} else {
			pp = &q->next;
		}
	}
	WRITE_ONCE(pend->set, pend->set & ~set);
}

void signal_flush_locked(struct proc *p, uint64_t set)
{
	struct task *th;

	assert_held(&p->siglock);
	flush_pending(p, &p->shared_pending, set);
	list_for_each_entry(th, &p->threads, thread_link)
		flush_pending(p, &th->sigpending, set);
}

/* Shared signals in set that t will not take (it blocks them or is
 * leaving): kick the threads that can. */
static void retarget_locked(struct proc *p, struct task *t, uint64_t set)
{
	struct task *th;

	list_for_each_entry(th, &p->threads, thread_link) {
		if (!set)
			break;
		uint64_t can = set & ~th->sigmask;
		if (th == t || !can)
			continue;
		set &= ~can;
		signal_kick(th);
	}
}

void signal_set_blocked(uint64_t mask)
{
	struct task *t = current_task();
	struct proc *p = t->proc;

	mask &= ~SIGSET_UNBLOCKABLE;
	unsigned long flags = spin_lock_irqsave(&p->siglock);
	uint64_t newly = mask & ~t->sigmask;
	WRITE_ONCE(t->sigmask, mask);
	retarget_locked(p, t, newly & p->shared_pending.set);
	spin_unlock_irqrestore(&p->siglock, flags);
}

void signal_clone_thread(struct task *child, const struct task *parent, bool keep_altstack)
{
	child->sigmask = parent->sigmask;
	if (keep_altstack)
		child->altstack = parent->altstack;
	else
		memset(&child->altstack, 0, sizeof(child->altstack));
}

void signal_thread_link(struct proc *p, struct task *t)
{
	assert_held(&proc_tree_lock);
	unsigned long flags = spin_lock_irqsave(&p->siglock);
	list_add_tail(&t->thread_link, &p->threads);
	spin_unlock_irqrestore(&p->siglock, flags);
}

void signal_thread_unlink(struct proc *p, struct task *t)
{
	assert_held(&proc_tree_lock);
	unsigned long flags = spin_lock_irqsave(&p->siglock);
	list_del(&t->thread_link);
	flush_pending(p, &t->sigpending, ~0ull);
	if (list_empty(&p->threads))
		flush_pending(p, &p->shared_pending, ~0ull);
	else
		retarget_locked(p, t, p->shared_pending.set);
	jobctl_thread_gone_locked(p);
	spin_unlock_irqrestore(&p->siglock, flags);
	if (READ_ONCE(p->cld_notify))
		jobctl_notify_parent_locked(p);
}

bool signal_notify_parent(struct proc *p)
{
	struct proc *parent = p->parent;
	int status = p->wait_status, sig = p->exit_signal;
	struct siginfo info;
	bool autoreap = false;

	assert_held(&proc_tree_lock);
	if (!parent)
		return false;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	/* No core is ever dumped (RLIMIT_CORE is 0), so never CLD_DUMPED. */
	info.si_code = (status & 0x7f) ? CLD_KILLED : CLD_EXITED;
	info.chld.status = (status & 0x7f) ? (status & 0x7f) : (status >> 8) & 0xff;
	info.chld.pid = p->pid;
	info.chld.uid = p->cred.uid;

	unsigned long flags = spin_lock_irqsave(&parent->siglock);
	const struct k_sigaction *ka = &parent->sigactions[SIGCHLD - 1];
	if (sig == SIGCHLD && (ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT))) {
		autoreap = true;
		if (ka->handler == SIG_IGN)
			sig = 0;
	}
	if (sig > 0 && sig <= NSIG)
		signal_queue_locked(parent, NULL, &info, false);
	spin_unlock_irqrestore(&parent->siglock, flags);
	return autoreap;
}

void signal_exec_reset(struct proc *p)
{
	struct task *t = current_task();

	unsigned long flags = spin_lock_irqsave(&p->siglock);
	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *ka = &p->sigactions[i];
		if (ka->handler != SIG_IGN)
			ka->handler = SIG_DFL;
		ka->flags = ka->restorer = ka->mask = 0;
	}
	spin_unlock_irqrestore(&p->siglock, flags);
	memset(&t->altstack, 0, sizeof(t->altstack));
	t->restart.fn = NULL;
}

bool signal_is_caught(int sig)
{
	struct task *t = current_task();
	uint64_t handler = READ_ONCE(t->proc->sigactions[sig - 1].handler);

	return handler > SIG_IGN && !(t->sigmask & SIGBIT(sig));
}
