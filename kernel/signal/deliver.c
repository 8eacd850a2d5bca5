/*
 * The way back to user mode: act on pending signals (ignore them, end the
 * process, or have the arch build a handler frame), and finish a system
 * call that a signal interrupted: restart it, or fail it with EINTR.
 *
 * A call that a signal should interrupt returns one of the ERESTART*
 * codes (kernel/errno.h); which way it goes depends on what happens here:
 *   -ERESTARTSYS            restart if no handler runs or it has SA_RESTART
 *   -ERESTARTNOINTR         always restart
 *   -ERESTARTNOHAND         restart only if no handler runs (sigsuspend)
 *   -ERESTART_RESTARTBLOCK  like NOHAND, but through restart_syscall(2)
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/proc/jobctl.h>
#include "internal.h"

static bool is_restart_code(long r)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK;
}

/* A handler is about to run for the signal that interrupted the call. */
static void restart_for_handler(struct trap_frame *tf, const struct k_sigaction *ka)
{
	long r = arch_syscall_result(tf);

	if (r == -ERESTARTNOINTR || (r == -ERESTARTSYS && (ka->flags & SA_RESTART)))
		arch_syscall_rewind(tf, false);
	else
		arch_syscall_set_result(tf, -EINTR);
}

/* No handler ran: the call starts again. */
static void restart_without_handler(struct trap_frame *tf)
{
	arch_syscall_rewind(tf, arch_syscall_result(tf) == -ERESTART_RESTARTBLOCK);
}

/*
 * Take pending signals until one has a handler: its number, siginfo and
 * action (SA_RESETHAND applied), or 0 when none is left. Default actions
 * happen here, and may end the process.
 */
static int get_signal(struct task *t, struct siginfo *info, struct k_sigaction *ka)
{
	struct proc *p = t->proc;

	for (;;) {
		bool forced = false;

		if (READ_ONCE(t->flags) & TASK_F_KILLED)
			thread_exit(0);         /* the group's status applies */
		if (READ_ONCE(p->cld_notify))
			jobctl_notify_parent(p);
		if (READ_ONCE(p->group_stop)) {
			jobctl_park(t);
			continue;
		}
		unsigned long flags = spin_lock_irqsave(&p->siglock);
		int sig = signal_dequeue_locked(t, ~t->sigmask, info, &forced);
		unsigned cont_seq = p->cont_seq;
		if (sig) {
			*ka = p->sigactions[sig - 1];
			if (ka->handler > SIG_IGN && (ka->flags & SA_RESETHAND))
				p->sigactions[sig - 1].handler = SIG_DFL;
		}
		spin_unlock_irqrestore(&p->siglock, flags);
		if (!sig)
			return 0;
		if (ka->handler == SIG_IGN)
			continue;
		if (ka->handler != SIG_DFL)
			return sig;
		switch (signal_default_action(sig)) {
		case SIG_ACT_IGN:
		case SIG_ACT_CONT:
			continue;
		case SIG_ACT_STOP:
			/* POSIX: the terminal's stops do nothing to an orphaned
			 * group (nobody would continue it); SIGSTOP always stops. */
			if (sig != SIGSTOP && proc_in_orphaned_pgrp(p))
				continue;
			jobctl_start_stop(t, sig, cont_seq);
			continue;       /* parks at the top of the loop */
		case SIG_ACT_TERM:
		case SIG_ACT_CORE:
			/* PID 1 is only killed by its own faults (it blocked
			 * this one when it was sent). */
			if (p->pid == 1 && !forced)
				continue;
			/* Core: no dump is written (RLIMIT_CORE is 0), and then
			 * Linux reports no core bit (0x80) in the status either. */
			proc_exit(W_EXITCODE(0, sig));
		}
	}
}

/* Linux's force_sigsegv: the handler frame for sig could not be built.
 * If that was SIGSEGV's own, the next one kills. */
static void force_sigsegv(struct proc *p, int sig)
{
	if (sig == SIGSEGV) {
		unsigned long flags = spin_lock_irqsave(&p->siglock);
		p->sigactions[SIGSEGV - 1].handler = SIG_DFL;
		spin_unlock_irqrestore(&p->siglock, flags);
	}
	signal_force_fault(SIGSEGV, SI_KERNEL, 0);
}

static void handle_signal(struct task *t, struct trap_frame *tf, int sig,
			  const struct siginfo *info, const struct k_sigaction *ka)
{
	/* The mask the handler's sigreturn puts back: the caller's own after
	 * rt_sigsuspend, else the current one. */
	uint64_t old = (READ_ONCE(t->flags) & TASK_F_RESTORE_SIGMASK) ? t->saved_sigmask
								     : t->sigmask;

	if (arch_signal_setup(tf, sig, info, ka, old) != 0) {
		force_sigsegv(t->proc, sig);
		return;
	}
	__atomic_fetch_and(&t->flags, ~TASK_F_RESTORE_SIGMASK, __ATOMIC_SEQ_CST);
	uint64_t blocked = t->sigmask | ka->mask;
	if (!(ka->flags & SA_NODEFER))
		blocked |= SIGBIT(sig);
	signal_set_blocked(blocked);
}

static void do_signal(struct task *t, struct trap_frame *tf)
{
	bool interrupted = arch_syscall_nr(tf) >= 0 && is_restart_code(arch_syscall_result(tf));
	bool handled = false;
	struct siginfo info;
	struct k_sigaction ka;
	int sig;

	/* Registers the CPU would refuse to return to (rt_sigreturn took
	 * them from user memory): as Linux, a SIGSEGV at that point. */
	if (!arch_user_regs_ok(tf))
		signal_force_fault(SIGSEGV, SI_KERNEL, 0);
	while ((sig = get_signal(t, &info, &ka)) != 0) {
		if (interrupted) {
			restart_for_handler(tf, &ka);
			interrupted = false;
		}
		handle_signal(t, tf, sig, &info, &ka);
		handled = true;
	}
	if (interrupted)
		restart_without_handler(tf);
	if (!handled && (READ_ONCE(t->flags) & TASK_F_RESTORE_SIGMASK)) {
		__atomic_fetch_and(&t->flags, ~TASK_F_RESTORE_SIGMASK, __ATOMIC_SEQ_CST);
		signal_set_blocked(t->saved_sigmask);
	}
}

static bool work_pending(struct task *t, const struct trap_frame *tf)
{
	if (READ_ONCE(t->flags) & (TASK_F_KILLED | TASK_F_RESTORE_SIGMASK))
		return true;
	if (READ_ONCE(t->proc->group_stop) || READ_ONCE(t->proc->cld_notify))
		return true;            /* park, or tell the parent */
	if (signal_pending_set(t) & ~t->sigmask)
		return true;
	if (arch_syscall_nr(tf) >= 0 && is_restart_code(arch_syscall_result(tf)))
		return true;
	return !arch_user_regs_ok(tf);
}

void user_return_work(struct trap_frame *tf)
{
	struct task *t = current_task();

	for (;;) {
		sched_preempt_point();
		/* Checked with interrupts off: a signal sent after this point
		 * interrupts user mode (signal_kick), not this kernel path. */
		arch_irq_disable();
		if (!t->proc || !work_pending(t, tf))
			return;
		arch_irq_enable();
		do_signal(t, tf);
	}
}
