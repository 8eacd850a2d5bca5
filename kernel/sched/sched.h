/*
 * Inside the scheduler: the per-CPU run queue and the two scheduling
 * classes it holds. Real-time tasks (SCHED_FIFO, SCHED_RR; rt.c) always
 * run before fair ones (SCHED_NORMAL, SCHED_BATCH, SCHED_IDLE; fair.c);
 * the idle task runs when both are empty. core.c owns the locking; fair.c
 * and rt.c are pure bookkeeping on their queues (no locks, no clock: the
 * caller holds the run-queue lock and passes the time), so tests can
 * drive them directly.
 */
#pragma once

#include <kernel/task.h>
#include <kernel/rbtree.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/timer.h>

/* ---- the fair class (fair.c) ---------------------------------------- */

/* Tunables, in ns of real time. The period in which every runnable fair
 * task runs once is LATENCY, stretched to nr * MIN_GRAN when crowded; a
 * slice is the task's weighted share of it, at least MIN_GRAN. */
#define FAIR_LATENCY_NS     (12 * NSEC_PER_MSEC)
#define FAIR_MIN_GRAN_NS    (2 * NSEC_PER_MSEC)
/* A woken task preempts the running one if it is this far behind (in
 * virtual ns). */
#define FAIR_WAKEUP_GRAN_NS (2 * NSEC_PER_MSEC)
/* A woken sleeper is placed at most this far before min_vruntime: enough
 * to run soon, not enough to starve the others. */
#define FAIR_SLEEPER_BOUND_NS (FAIR_LATENCY_NS / 2)
#define NICE_0_WEIGHT 1024

struct fair_rq {
	struct rb_tree tree;            /* queued tasks (not the running one) by vruntime */
	unsigned nr;                    /* tasks in tree */
	uint64_t load;                  /* sum of their weights */
	uint64_t min_vruntime;          /* never decreases; see fair_update_min */
};

void fair_rq_init(struct fair_rq *fr);
bool fair_policy(int policy);
uint32_t fair_weight(int policy, int nice);
uint64_t fair_vdelta(uint64_t delta_ns, uint32_t weight);  /* delta * 1024 / weight */
/* The running task t ran delta_ns more. */
void fair_account(struct task *t, uint64_t delta_ns);
/* Advance min_vruntime to the smallest vruntime among curr (the running
 * fair task, or NULL) and the queued ones; it never goes back. */
void fair_update_min(struct fair_rq *fr, const struct task *curr);
/* Give a task joining fr its starting vruntime: a new task starts at
 * min_vruntime; a woken one at max(its own, min_vruntime - SLEEPER_BOUND). */
void fair_place(struct fair_rq *fr, struct task *t, bool new_task);
void fair_enqueue(struct fair_rq *fr, struct task *t);
void fair_dequeue(struct fair_rq *fr, struct task *t);
struct task *fair_first(const struct fair_rq *fr);
struct task *fair_last(const struct fair_rq *fr);
/* sched_yield: t (running) goes behind every task queued now. */
void fair_yield(const struct fair_rq *fr, struct task *t);
/* How long the running fair task curr may run before the next one's turn. */
uint64_t fair_slice(const struct fair_rq *fr, const struct task *curr);
/* Should a woken fair task preempt the running fair task curr? */
bool fair_wakeup_preempts(const struct task *curr, const struct task *woken);

/* ---- the real-time class (rt.c) ------------------------------------- */

struct rt_rq {
	struct list_head queue[RT_PRIO_MAX + 1];        /* FIFO per priority, [1..99] */
	uint64_t bitmap[2];                             /* bit p: queue[p] not empty */
	unsigned nr;
};

void rt_rq_init(struct rt_rq *rr);
bool rt_policy(int policy);
/* head: a preempted task keeps its place at the front of its priority
 * (POSIX); woken, yielding and RR-expired tasks go to the back. */
void rt_enqueue(struct rt_rq *rr, struct task *t, bool head);
void rt_dequeue(struct rt_rq *rr, struct task *t);
struct task *rt_first(const struct rt_rq *rr);         /* highest priority, oldest */
bool rt_has_peer(const struct rt_rq *rr, int prio);     /* another task queued at prio */

/* ---- run queues (core.c) -------------------------------------------- */

struct runqueue {
	struct spinlock lock;   /* irqsave; held across a switch, released by the next task */

	/* Protected by lock. */
	struct task *current;
	struct task *idle;              /* runs when nothing else can */
	struct task *prev;              /* switched away from, for finish_switch */
	struct task *push;              /* must leave this CPU once switched away from */
	struct rt_rq rt;
	struct fair_rq fair;
	unsigned nr_running;            /* runnable tasks on this CPU, current included (not idle) */
	uint64_t nr_switches;

	/* Written with WRITE_ONCE by other CPUs and interrupts; read by the CPU. */
	bool need_resched;              /* switch at the next chance */
	bool balance_due;               /* a slice ended with others waiting: try to push one away */
	bool online;
	struct timer slice;             /* armed only while another task waits for this CPU */
};

extern struct runqueue rqs[NR_CPUS];

static inline bool cpu_allowed(const struct task *t, unsigned cpu)
{
	return (t->cpus_allowed >> cpu) & 1;
}

/* core.c, used by balance.c: queue and unqueue a task on rq (lock held),
 * and tell a CPU to look at its queue. */
void enqueue_task(struct runqueue *rq, struct task *t, bool head);
void dequeue_task(struct runqueue *rq, struct task *t);
void resched_cpu(struct runqueue *rq);
/* Charge rq's running task for its time so far (lock held). */
void update_curr(struct runqueue *rq, uint64_t now);
/* Make t, which is on no run queue and no CPU, runnable on cpu; its
 * vruntime moves from from_cpu's scale (whose min_vruntime was from_min)
 * to cpu's. Caller holds t->sched_lock. */
void activate_task(struct task *t, unsigned cpu, unsigned from_cpu, uint64_t from_min,
		   bool new_task);

/* balance.c */
/* The CPU for a task that starts (prev_cpu: the creator's) or wakes up
 * (prev_cpu: where it last ran): an allowed online one. */
unsigned select_cpu(struct task *t, unsigned prev_cpu, bool new_task);
/* Move queued task t from src to dst; both locks held. */
void migrate_queued(struct runqueue *src, struct runqueue *dst, struct task *t);
/* Idle CPU: pull a task from the busiest queue. True if one came. */
bool steal_work(void);
/* Busy CPU whose slice ended: push a waiting task to a CPU with at least
 * two fewer runnable tasks. */
void push_balance(void);
