/*
 * Job control on the signal side: a stop signal's default action stops the
 * whole thread group, SIGCONT resumes it, and the parent hears of both
 * (SIGCHLD with CLD_STOPPED/CLD_CONTINUED, and wait's WUNTRACED/WCONTINUED
 * reports). The process-group side (orphaned groups, kill_pgrp) is
 * kernel/proc/jobctl.c; the design is in docs/signals.md.
 *
 * States of a process (fields of struct proc, under its siglock):
 *   running:   !group_stop
 *   stopping:  group_stop, !stop_reported: each thread parks on its way
 *              back to user mode (signal_pending() is true for it, so a
 *              sleeping system call returns to restart later)
 *   stopped:   group_stop, stop_reported: every thread is parked
 * SIGCONT (or SIGKILL) clears group_stop and kicks every thread out of
 * jobctl_park. What the parent must be told is left in cld_notify and sent
 * by one of the process's own threads (jobctl_notify_parent), because a
 * sender may hold proc_tree_lock already or run in an interrupt.
 *
 * Lock order: proc_tree_lock -> proc->siglock -> parent's siglock is never
 * nested with the child's: the parent is signalled after the child's
 * siglock is dropped, under proc_tree_lock (which keeps p->parent).
 */
#include <kernel/arch.h>
#include <kernel/string.h>
#include <kernel/proc/jobctl.h>
#include "internal.h"

static unsigned thread_count_locked(struct proc *p)
{
	struct task *th;
	unsigned n = 0;

	list_for_each_entry(th, &p->threads, thread_link)
		n++;
	return n;
}

static void kick_all_locked(struct proc *p)
{
	struct task *th;

	list_for_each_entry(th, &p->threads, thread_link)
		signal_kick(th);
}

/* The last thread has parked (or left): the stop is complete. */
static void check_stop_complete_locked(struct proc *p)
{
	assert_held(&p->siglock);
	if (!p->group_stop || p->stop_reported)
		return;
	unsigned n = thread_count_locked(p);
	if (!n || p->nr_parked < n)
		return;
	p->stop_reported = true;
	p->wait_report = 0x7f | p->stop_sig << 8;
	WRITE_ONCE(p->cld_notify, CLD_STOPPED);
}

void jobctl_prepare_locked(struct proc *p, int sig)
{
	assert_held(&p->siglock);
	if (sig == SIGCONT) {
		/* Resumes even when SIGCONT is blocked or ignored; pending
		 * stops are void. */
		signal_flush_locked(p, SIG_STOP_SET);
		p->cont_seq++;
		if (p->group_stop) {
			/* As Linux: a stop not yet complete is still reported as
			 * one, then the continuation is reportable. */
			WRITE_ONCE(p->cld_notify, p->stop_reported ? CLD_CONTINUED : CLD_STOPPED);
			p->wait_report = 0xffff;
			WRITE_ONCE(p->group_stop, false);
			p->stop_reported = false;
			kick_all_locked(p);
		}
	} else if (SIGBIT(sig) & SIG_STOP_SET) {
		signal_flush_locked(p, SIGBIT(SIGCONT));
	} else if (sig == SIGKILL) {
		/* Parked threads wake and take SIGKILL before anything else. */
		WRITE_ONCE(p->group_stop, false);
		p->stop_reported = false;
		p->wait_report = 0;
		kick_all_locked(p);
	}
}

void jobctl_start_stop(struct task *t, int sig, unsigned cont_seq)
{
	struct proc *p = t->proc;
	struct task *th;

	unsigned long flags = spin_lock_irqsave(&p->siglock);
	/* A SIGCONT since the stop signal was taken cancels it; a group
	 * already stopping only needs this thread to park. */
	if (p->cont_seq == cont_seq && !p->group_stop && !READ_ONCE(p->group_exiting)) {
		WRITE_ONCE(p->group_stop, true);
		p->stop_reported = false;
		p->stop_sig = sig;
		list_for_each_entry(th, &p->threads, thread_link)
			if (th != t)
				signal_kick(th);
	}
	spin_unlock_irqrestore(&p->siglock, flags);
}

static bool may_leave_park(struct task *t)
{
	return !READ_ONCE(t->proc->group_stop) || (READ_ONCE(t->flags) & TASK_F_KILLED);
}

void jobctl_park(struct task *t)
{
	struct proc *p = t->proc;

	unsigned long flags = spin_lock_irqsave(&p->siglock);
	if (!p->group_stop) {
		spin_unlock_irqrestore(&p->siglock, flags);
		return;
	}
	p->nr_parked++;
	__atomic_fetch_or(&t->flags, TASK_F_STOPPED, __ATOMIC_SEQ_CST);
	check_stop_complete_locked(p);
	spin_unlock_irqrestore(&p->siglock, flags);
	if (READ_ONCE(p->cld_notify))
		jobctl_notify_parent(p);

	/* Asleep, not on a run queue; only SIGCONT or SIGKILL (both kick
	 * every thread after clearing group_stop) or a kill end it. Other
	 * signals stay pending. */
	for (;;) {
		wait_prepare(&p->jobctl_wait);
		/* The sleeping state before the test; pairs with the locked
		 * task_wake after the sender's store. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (may_leave_park(t))
			break;
		schedule();
	}
	wait_finish(&p->jobctl_wait);

	flags = spin_lock_irqsave(&p->siglock);
	p->nr_parked--;
	__atomic_fetch_and(&t->flags, ~TASK_F_STOPPED, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&p->siglock, flags);
}

void jobctl_thread_gone_locked(struct proc *p)
{
	check_stop_complete_locked(p);
}

void jobctl_notify_parent_locked(struct proc *p)
{
	struct siginfo info;

	assert_held(&proc_tree_lock);
	unsigned long flags = spin_lock_irqsave(&p->siglock);
	int why = p->cld_notify, sig = p->stop_sig;
	WRITE_ONCE(p->cld_notify, 0);
	spin_unlock_irqrestore(&p->siglock, flags);
	struct proc *parent = p->parent;
	if (!why || !parent || p->zombie)
		return;

	memset(&info, 0, sizeof(info));
	info.si_signo = SIGCHLD;
	info.si_code = why;
	info.chld.pid = p->pid;
	info.chld.uid = p->cred.uid;
	info.chld.status = why == CLD_CONTINUED ? SIGCONT : sig;
	flags = spin_lock_irqsave(&parent->siglock);
	const struct k_sigaction *ka = &parent->sigactions[SIGCHLD - 1];
	/* Always SIGCHLD (not exit_signal), and never under SA_NOCLDSTOP;
	 * a parent ignoring SIGCHLD can still wait for the stop. */
	if (ka->handler != SIG_IGN && !(ka->flags & SA_NOCLDSTOP))
		signal_queue_locked(parent, NULL, &info, false);
	spin_unlock_irqrestore(&parent->siglock, flags);
	wait_queue_wake_all(&parent->child_exit);
}

void jobctl_notify_parent(struct proc *p)
{
	spin_lock(&proc_tree_lock);
	jobctl_notify_parent_locked(p);
	spin_unlock(&proc_tree_lock);
}

int signal_wait_report_locked(struct proc *c, bool stopped, bool continued, bool consume)
{
	int status = 0;

	assert_held(&proc_tree_lock);
	unsigned long flags = spin_lock_irqsave(&c->siglock);
	int r = c->wait_report;
	if ((stopped && r && r != 0xffff && c->stop_reported) || (continued && r == 0xffff)) {
		status = r;
		if (consume)
			c->wait_report = 0;
	}
	spin_unlock_irqrestore(&c->siglock, flags);
	return status;
}

bool signal_proc_stopped(struct proc *p)
{
	return READ_ONCE(p->group_stop);
}

bool current_sig_ignored_or_blocked(int sig)
{
	struct task *t = current_task();

	if (!t->proc || sig < 1 || sig > NSIG)
		return false;
	return (READ_ONCE(t->sigmask) & SIGBIT(sig)) ||
	       READ_ONCE(t->proc->sigactions[sig - 1].handler) == SIG_IGN;
}
