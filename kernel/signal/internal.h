/* Shared between the files of kernel/signal/. */
#pragma once

#include <kernel/proc.h>
#include <kernel/signal.h>

/* One queued instance of a signal: its siginfo. */
struct sigqueue {
	struct sigqueue *next;
	bool forced;                    /* a fault: kills even the unkillable init */
	struct siginfo info;
};

/* Signals that come from the instruction the thread ran: taken first. */
#define SIG_SYNCHRONOUS (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | \
			 SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | SIGBIT(SIGSYS))

/* The default action of each signal (signal(7)). */
enum sig_default { SIG_ACT_TERM, SIG_ACT_CORE, SIG_ACT_IGN, SIG_ACT_STOP, SIG_ACT_CONT };
enum sig_default signal_default_action(int sig);

/* send.c */
/* Queue info (si_signo says which signal) for thread t (NULL: process p).
 * force: a fault, delivered even if blocked or ignored. Caller holds
 * p->siglock. 0 or -errno. */
int signal_queue_locked(struct proc *p, struct task *t, const struct siginfo *info, bool force);
/* Take the first deliverable signal among those in allowed (the thread's
 * own set first, synchronous signals first): its number and siginfo, or 0.
 * Caller holds siglock. */
int signal_dequeue_locked(struct task *t, uint64_t allowed, struct siginfo *info, bool *forced);
/* Pending for t, blocked or not: its own and its process's. */
uint64_t signal_pending_set(const struct task *t);
/* Discard every pending instance of the signals in set (sigaction to
 * SIG_IGN). Caller holds siglock. */
void signal_flush_locked(struct proc *p, uint64_t set);
/* siginfo of kill()/tgkill(): SI_USER/SI_TKILL from the calling process. */
void signal_info_from_current(struct siginfo *info, int sig, int code);

/* The signals whose default action stops the group. */
#define SIG_STOP_SET (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

/* jobctl.c */
/* What sending sig does at once, ignored or not (Linux's prepare_signal):
 * SIGCONT resumes the group and drops pending stops, a stop signal drops
 * a pending SIGCONT, SIGKILL ends a stop. Caller holds p->siglock. */
void jobctl_prepare_locked(struct proc *p, int sig);
/* t took stop signal sig with the default action (cont_seq: p->cont_seq
 * when it was dequeued): begin the group stop unless a SIGCONT came since. */
void jobctl_start_stop(struct task *t, int sig, unsigned cont_seq);
/* Park the calling thread while its group is stopped. */
void jobctl_park(struct task *t);
/* Tell p's parent what p->cld_notify holds (SIGCHLD, wake its waits). */
void jobctl_notify_parent(struct proc *p);
void jobctl_notify_parent_locked(struct proc *p);       /* proc_tree_lock held */
/* A thread left p->threads (siglock held): the stop may be complete. */
void jobctl_thread_gone_locked(struct proc *p);

/* altstack.c */
/* The altstack's state for sigaltstack's old value and uc_stack:
 * SS_DISABLE, SS_ONSTACK (sp on it) or 0, plus the SS_AUTODISARM bit. */
int signal_altstack_flags(const struct task *t, uint64_t sp);
