/*
 * Waiting for signals: rt_sigsuspend, pause and rt_sigtimedwait.
 */
#include <kernel/errno.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/uaccess.h>
#include "internal.h"

struct signal_sleeper {
	struct timer timer;
	struct task *task;
};

static void sleeper_timeout(struct timer *tm)
{
	task_wake(container_of(tm, struct signal_sleeper, timer)->task);
}

/*
 * Sleep until a signal the thread does not block is pending (or it is
 * killed): 0. With a deadline (monotonic ns, 0: none), -EAGAIN once it
 * has passed. The sender's signal_kick wakes us; the state is set before
 * signal_pending() looks, so a signal in between is not slept through.
 */
static int sleep_for_signal(uint64_t deadline)
{
	struct signal_sleeper s = { .task = current_task() };
	int r = 0;

	timer_init(&s.timer, sleeper_timeout);
	for (;;) {
		WRITE_ONCE(s.task->state, TASK_SLEEPING);
		if (signal_pending())
			break;
		if (deadline && time_ns() >= deadline) {
			r = -EAGAIN;
			break;
		}
		if (deadline)
			timer_arm(&s.timer, deadline);
		schedule();
		if (deadline)
			timer_cancel(&s.timer);
	}
	WRITE_ONCE(s.task->state, TASK_RUNNABLE);
	return r;
}

/* Wait with mask as the blocked set; the caller's mask comes back once a
 * handler has run (its frame holds it) or the call restarts. */
long sys_rt_sigsuspend(const uint64_t *umask, size_t sigsetsize)
{
	struct task *t = current_task();
	uint64_t mask;

	if (sigsetsize != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	signal_set_blocked(mask);
	sleep_for_signal(0);
	__atomic_fetch_or(&t->flags, TASK_F_RESTORE_SIGMASK, __ATOMIC_SEQ_CST);
	return -ERESTARTNOHAND;
}

long sys_pause(void)
{
	sleep_for_signal(0);
	return -ERESTARTNOHAND;
}

static int get_timeout(const void *uts, uint64_t *ns)
{
	struct { int64_t sec, nsec; } ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	*ns = ts.sec > (int64_t)(UINT64_MAX / 2 / NSEC_PER_SEC) ? UINT64_MAX / 2
		: (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
	return 0;
}

/* Take one of the signals in set (blocked or not) without running its
 * handler: its number, its siginfo in *uinfo. Waits at most the timeout
 * (none: forever); EAGAIN when it passes, EINTR if another signal comes. */
long sys_rt_sigtimedwait(const uint64_t *uset, void *uinfo, const void *uts, size_t sigsetsize)
{
	struct task *t = current_task();
	struct proc *p = t->proc;
	struct siginfo info;
	uint64_t set, timeout = 0;
	bool forced;
	int r = -EAGAIN;

	if (sigsetsize != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	if (uts) {
		int err = get_timeout(uts, &timeout);
		if (err)
			return err;
	}
	set &= ~SIGSET_UNBLOCKABLE;

	unsigned long flags = spin_lock_irqsave(&p->siglock);
	int sig = signal_dequeue_locked(t, set, &info, &forced);
	if (!sig && (!uts || timeout)) {
		/* Unblock the awaited signals while asleep so that they wake
		 * us; real_blocked keeps them from counting as ignored. */
		t->real_blocked = t->sigmask;
		WRITE_ONCE(t->sigmask, t->sigmask & ~set);
		spin_unlock_irqrestore(&p->siglock, flags);
		r = sleep_for_signal(uts ? time_ns() + timeout : 0);
		flags = spin_lock_irqsave(&p->siglock);
		WRITE_ONCE(t->sigmask, t->real_blocked);
		t->real_blocked = 0;
		sig = signal_dequeue_locked(t, set, &info, &forced);
	}
	spin_unlock_irqrestore(&p->siglock, flags);
	if (!sig)
		return r == -EAGAIN ? -EAGAIN : -EINTR;
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}
