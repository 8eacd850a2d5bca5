/*
 * CPU-time accounting (kernel/time/cputime.c) and the per-process timers
 * built on it (kernel/time/itimer.c): user and system time per thread,
 * per process (exited threads included) and of reaped children; times(2),
 * getrusage(2), wait4's rusage, the CPU-time clocks and setitimer(2).
 *
 * A running task is in one of two modes, user or system; the time since
 * the last mode change (the stamp) is charged to the mode when it changes:
 * on kernel entry from user mode, on the way back to user mode, and when
 * the CPU switches tasks (always in system mode). A task that runs user
 * code without entering the kernel is still seen by readers, which add
 * the running interval themselves: nothing depends on a periodic tick.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/timer.h>

struct task;
struct proc;

enum cputime_mode {
	CPUTIME_OFF,            /* not running */
	CPUTIME_SYS,            /* running kernel code */
	CPUTIME_USER,           /* running user code */
};

struct task_cputime {
	/* Written only on the CPU running the task, with interrupts off,
	 * between two increments of seq (odd while an update is under way);
	 * read anywhere with the seq retry loop (cputime_task_read). */
	uint32_t seq;
	uint8_t mode;                   /* enum cputime_mode */
	uint64_t utime_ns, stime_ns;    /* charged so far */
	uint64_t stamp_ns;              /* when the current mode began */
	uint64_t nvcsw, nivcsw;         /* voluntary / involuntary switches away */
	/* The task's own. */
	uint64_t itimer_slack_ns;       /* ITIMER_VIRTUAL/PROF: time to the next check, 0 = none */
};

/* ITIMER_REAL: a monotonic timer whose expiry a kernel task turns into
 * SIGALRM (timer functions run in interrupt context, signal_send may not). */
struct itimer_real {
	struct timer timer;
	struct list_head pending;       /* on the signalling task's list while queued */
	bool queued;
	uint64_t deadline;              /* monotonic ns; 0 = disarmed */
	uint64_t interval;              /* ns; 0 = one-shot */
};

struct proc_times {
	/* Under proc_tree_lock. */
	uint64_t dead_utime, dead_stime;        /* threads that have exited */
	uint64_t dead_nvcsw, dead_nivcsw;
	uint64_t child_utime, child_stime;      /* reaped children, theirs included */
	uint64_t child_nvcsw, child_nivcsw;

	/* Under itimer_lock (kernel/time/itimer.c). */
	struct itimer_real real;
	uint64_t cpu_expiry[2];         /* ITIMER_VIRTUAL, ITIMER_PROF: process CPU ns; 0 = off */
	uint64_t cpu_interval[2];
	bool cpu_armed;                 /* either set; read without the lock on kernel entry */
};

/* struct rusage as Linux x86-64 lays it out (144 bytes). */
struct rusage_k {
	int64_t utime_sec, utime_usec;
	int64_t stime_sec, stime_usec;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap;
	int64_t inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

/* Mode changes. The arch entry code calls these with interrupts off. */
void cputime_kernel_entry(void);        /* entered the kernel from user mode */
void cputime_kernel_exit(void);         /* about to return to user mode */
/* schedule(): prev stops running, next starts (run-queue lock held). */
void cputime_switch(struct task *prev, struct task *next, uint64_t now);

/* What CPU cpu has run for tasks other than its idle task, user code and
 * kernel code, as charged so far (the interval under way is not in it):
 * both only grow, for /proc/stat. */
void cputime_cpu_read(unsigned cpu, uint64_t *user, uint64_t *sys);

/* A task's user and system time up to now. */
void cputime_task_read(struct task *t, uint64_t *utime, uint64_t *stime);
/* p's threads, live and exited (the second with proc_tree_lock held). */
void cputime_proc_read(struct proc *p, uint64_t *utime, uint64_t *stime);
void cputime_proc_read_locked(struct proc *p, uint64_t *utime, uint64_t *stime);

/* Exit and wait (kernel/proc/exit.c), under proc_tree_lock: a thread
 * leaving its process hands its time over; a reaped child's time (and its
 * children's) goes to the parent. */
void cputime_thread_exit_locked(struct task *t);
void cputime_child_rusage_locked(struct proc *child, struct rusage_k *ru);
void cputime_reap_locked(struct proc *parent, struct proc *child);

/* kernel/time/itimer.c */
void itimer_init(void);                 /* start the SIGALRM task (boot) */
/* Kernel entry: ITIMER_VIRTUAL/PROF expiries of the current process. */
void itimer_cpu_check(void);
/* Process exit: stop every timer before the process goes away. */
void itimer_exit(struct proc *p);
