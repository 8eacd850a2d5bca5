/*
 * Tasks: the unit the scheduler runs (a kernel thread, or a user thread
 * that enters the kernel). Processes, threads and their shared state build
 * on this in kernel/proc.
 *
 * Task state machine (docs/scheduler.md):
 *   TASK_RUNNABLE <-> running (rq->current) -> TASK_SLEEPING -> TASK_RUNNABLE
 *   running -> TASK_DEAD (task_exit; freed by the next task that runs)
 * Scheduling classes and policies: kernel/sched/sched.h.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/rbtree.h>
#include <kernel/spinlock.h>
#include <asm/thread.h>
#include <asm/current.h>
#include <kernel/signal.h>
#include <kernel/errno.h>
#include <kernel/cputime.h>

enum task_state {
	TASK_RUNNABLE,          /* on a run queue, or running */
	TASK_SLEEPING,          /* on a wait queue */
	TASK_DEAD,              /* exited; its stack is freed after the switch away */
};

struct fpu_state;
struct mm;
struct proc;

struct task {
	/* Immutable after task_create(). */
	int tid;
	void *kstack_top;
	char name[16];

	/* Saved kernel stack pointer while not running (arch_context_switch). */
	uint64_t saved_rsp;

	/*
	 * Scheduling (kernel/sched/; the rules in full: docs/scheduler.md).
	 * sched_lock serializes wake-ups of the task and changes of its
	 * attributes; it is taken before any run-queue lock.
	 */
	struct spinlock sched_lock;
	/* Attributes: written under sched_lock and the run-queue lock of
	 * cpu; either lock is enough to read them. */
	uint64_t cpus_allowed;          /* affinity: bit n = may run on CPU n */
	int policy;                     /* SCHED_NORMAL, SCHED_FIFO, ... */
	int nice;                       /* -20..19: the weight under the fair policies */
	int rt_priority;                /* 1..99 under SCHED_FIFO/SCHED_RR, else 0 */
	bool reset_on_fork;             /* SCHED_RESET_ON_FORK */
	uint32_t weight;                /* from policy and nice (kernel/sched/fair.c) */
	/* Protected by the run-queue lock of cpu. cpu changes only while the
	 * task is queued but not running (under both run-queue locks) or off
	 * every queue (under sched_lock). */
	unsigned cpu;                   /* the run queue it belongs to */
	enum task_state state;          /* the task also writes it itself while it runs */
	bool on_rq;                     /* runnable: queued, or running as its queue's current */
	bool on_cpu;                    /* a CPU is on its stack: set at switch-in, cleared
					 * by that CPU once it has switched away (finish_switch) */
	bool yielded;                   /* sched_yield: go behind the tasks queued with it */
	uint64_t vruntime;              /* fair policies: weighted ns run (fair.c) */
	struct rb_node fair_node;       /* fair queue, while queued and not running */
	struct list_head run_link;      /* real-time queue, while queued and not running */
	uint64_t runtime_ns;            /* time spent running */
	uint64_t last_run_ns;           /* when its running stint was last accounted */
	uint64_t slice_start_ns;        /* when it was last picked to run */

	/* User/system time (kernel/cputime.h has its rules). */
	struct task_cputime cputime;

	/* Owned by the task itself. */
	struct arch_thread arch;        /* FPU, TLS bases; switched with the task */
	struct mm *mm;                  /* user address space, NULL for kernel threads */
	struct proc *proc;              /* of a user task (kernel/proc), NULL for kernel tasks */
	struct list_head wait_link;     /* on a wait queue, under that queue's lock */
	/* A kernel buffer copy_*_user accept as if it were user memory,
	 * while fs/kernel_rw.c runs a file's read or write on it; empty
	 * (start == end) otherwise. */
	uintptr_t kernel_uaccess_start, kernel_uaccess_end;

	/* A user thread's own state (kernel/proc, kernel/signal/). */
	struct list_head thread_link;   /* in proc->threads, under proc_tree_lock (+ siglock to change) */
	unsigned long flags;            /* TASK_F_*, atomic bit operations */
	uint64_t clear_child_tid;       /* set_tid_address: zeroed and futex-woken at exit */
	uint64_t robust_list;           /* set_robust_list head (user address) */
	uint64_t robust_list_len;

	/* Signals (kernel/signal/). sigmask and sigpending are written under
	 * proc->siglock (senders read them there to pick a thread); the
	 * thread itself reads its mask without it. The rest is the thread's. */
	uint64_t sigmask;               /* blocked signals (bit sig-1) */
	struct sigpending sigpending;   /* thread-directed: tgkill, faults */
	uint64_t saved_sigmask;         /* rt_sigsuspend's caller's mask (TASK_F_RESTORE_SIGMASK) */
	uint64_t real_blocked;          /* rt_sigtimedwait's caller's mask while it waits */
	struct sig_altstack altstack;   /* sigaltstack(2) */
	struct restart_block restart;   /* restart_syscall(2) */
};

/* task->flags bits. */
#define TASK_F_KILLED (1ul << 0)       /* must exit (SIGKILL, exit_group, exec): no more user mode */
#define TASK_F_RESTORE_SIGMASK (1ul << 1) /* put saved_sigmask back once a signal is handled */
#define TASK_F_STOPPED (1ul << 2)      /* parked by a group stop (/proc shows 'T') */


/* The task running on this CPU. */
/* The running task (CPU 0's idle task before the scheduler runs). */
extern struct task idle_tasks[];
static inline struct task *current_task(void)
{
	struct task *t = arch_current();
	return t ? t : &idle_tasks[0];
}

/* Create a kernel task that runs fn(arg) and make it runnable. NULL on ENOMEM. */
struct task *task_create(const char *name, void (*fn)(void *), void *arg);
/* The pieces of task_create, for tasks whose first stack frame is not a
 * plain function call (fork): allocate (not runnable), prepare saved_rsp,
 * then start, or free if setting up failed. */
struct task *task_alloc(const char *name);   /* allowed on every CPU */
void task_start(struct task *t);
void task_free_unstarted(struct task *t);
/* End the calling task. */
__noreturn void task_exit(void);

/* Scheduler (kernel/sched/core.c). */
void sched_init(void);                  /* turns the boot flow into CPU 0's idle task */
void sched_init_cpu(unsigned cpu);      /* each CPU: its run queue and idle task */
__noreturn void sched_idle_loop(void);  /* an idle task's body */
unsigned sched_nr_cpus(void);           /* CPUs with a run queue */
void sched_reschedule_ipi(void);        /* the arch's reschedule IPI handler calls this */
void schedule(void);                    /* give up the CPU (state already set) */
void sched_yield(void);                 /* stay runnable, let others run */
void sched_idle_wait(void);             /* idle task: halt unless work is pending */
void sched_preempt_point(void);         /* on return to user: switch if the slice ran out */
/* SLEEPING -> RUNNABLE, on a CPU its affinity allows. The caller makes
 * sure t cannot exit meanwhile (it holds the wait-queue lock t sleeps on,
 * or proc_tree_lock for a user task). */
void task_wake(struct task *t);
unsigned sched_nr_tasks(void);          /* tasks alive, for leak tests */

/* Scheduling policies and their parameters (Linux's numbers, sched(7)). */
#define SCHED_NORMAL   0
#define SCHED_FIFO     1
#define SCHED_RR       2
#define SCHED_BATCH    3
#define SCHED_IDLE     5
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000
#define NICE_MIN (-20)
#define NICE_MAX 19
#define RT_PRIO_MIN 1
#define RT_PRIO_MAX 99
#define SCHED_RR_SLICE_NS (100 * 1000 * 1000ull)

/* Attribute changes (kernel/sched/core.c). They take effect at once: a
 * queued task is requeued, a running one is rescheduled (on its CPU's
 * next scheduling point, at the latest on its return to user mode; at
 * once when t is the caller). Permission checks are the caller's. */
void sched_set_nice(struct task *t, int nice);                 /* clamped to -20..19 */
void sched_set_policy(struct task *t, int policy, int rt_priority, bool reset_on_fork);
/* Limit t to the CPUs in mask (bits of offline CPUs are dropped);
 * -EINVAL if none is online. A task on a CPU no longer allowed moves. */
int sched_set_affinity(struct task *t, uint64_t mask);
uint64_t sched_online_mask(void);       /* bit n: CPU n runs tasks */
uint64_t sched_runtime_ns(struct task *t);      /* CPU time t has used, up to now */
uint64_t sched_rr_interval_ns(struct task *t);  /* sched_rr_get_interval(2) */
uint64_t sched_idle_ns(unsigned cpu);   /* time CPU cpu spent idle */

/* Wait queues: sleep until a condition, woken by wait_queue_wake_all().
 * Besides sleeping tasks a queue holds wait entries: callbacks run by
 * each wake-up (poll, select and epoll watch files this way). */
struct wait_queue {
	struct spinlock lock;
	struct list_head waiters;       /* tasks, through task.wait_link */
	struct list_head entries;       /* struct wait_entry.link */
};
#define WAIT_QUEUE_INIT(wq) \
	{ SPINLOCK_INIT(#wq), LIST_HEAD_INIT((wq).waiters), LIST_HEAD_INIT((wq).entries) }
void wait_queue_init(struct wait_queue *wq);
void wait_queue_wake_all(struct wait_queue *wq);

/* A callback on a wait queue. wake runs under the queue's lock (irqsave),
 * possibly in interrupt context, on any CPU: it may take only locks that
 * are always taken with interrupts off, and must not sleep or remove its
 * own entry. The owner removes the entry before freeing it; once
 * wait_entry_remove returns, wake is not running and will not run. */
struct wait_entry {
	struct list_head link;          /* on wq->entries, under wq->lock */
	struct wait_queue *wq;          /* NULL while not queued */
	void (*wake)(struct wait_entry *e);
};
void wait_entry_add(struct wait_queue *wq, struct wait_entry *e, void (*wake)(struct wait_entry *e));
void wait_entry_remove(struct wait_entry *e);
/* Sleep once on wq (the caller rechecks its condition in a loop). The
 * check-then-sleep race is closed by prepare/finish: */
void wait_prepare(struct wait_queue *wq);       /* enqueue, state = SLEEPING */
void wait_finish(struct wait_queue *wq);        /* dequeue, state = RUNNABLE */

/* Interruptible: also stops when a signal is pending for the task (or it
 * is being killed); 0 once cond holds, else -ERESTARTSYS (kernel/signal.h). */
#define wait_event_interruptible(wq, cond)                      \
	({                                                      \
		long __r = 0;                                   \
		for (;;) {                                      \
			wait_prepare(wq);                       \
			if (cond)                               \
				break;                          \
			if (signal_pending()) {                 \
				__r = -ERESTARTSYS;             \
				break;                          \
			}                                       \
			schedule();                             \
		}                                               \
		wait_finish(wq);                                \
		__r;                                            \
	})

#define wait_event(wq, cond)                                    \
	do {                                                    \
		for (;;) {                                      \
			wait_prepare(wq);                       \
			if (cond)                               \
				break;                          \
			schedule();                             \
		}                                               \
		wait_finish(wq);                                \
	} while (0)
