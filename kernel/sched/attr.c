/*
 * A task's scheduling attributes, changed and read: nice, policy and
 * real-time priority, affinity, and the figures derived from them (CPU
 * time used, the RR interval, idle time). The syscalls in syscalls.c
 * check permissions and call these.
 *
 * Every change holds the task's sched_lock and its run-queue lock (in that
 * order, core.c): a queued task is taken out and put back under its new
 * attributes, a running one is told to reschedule.
 */
#include "sched.h"
#include <kernel/arch.h>

struct locked_task {
	struct runqueue *rq;
	unsigned long flags, rq_flags;
};

/* sched_lock, then the run queue that t->cpu names (stable with both). */
static void lock_task(struct task *t, struct locked_task *l)
{
	l->flags = spin_lock_irqsave(&t->sched_lock);
	for (;;) {
		l->rq = &rqs[READ_ONCE(t->cpu)];
		l->rq_flags = spin_lock_irqsave(&l->rq->lock);
		if (l->rq == &rqs[READ_ONCE(t->cpu)])
			return;
		spin_unlock_irqrestore(&l->rq->lock, l->rq_flags);
	}
}

static void unlock_task(struct task *t, struct locked_task *l)
{
	spin_unlock_irqrestore(&l->rq->lock, l->rq_flags);
	spin_unlock_irqrestore(&t->sched_lock, l->flags);
}

static bool is_current(const struct runqueue *rq, const struct task *t)
{
	return rq->current == t;
}

/* Queued but not running: in a class queue. */
static bool is_queued(const struct runqueue *rq, const struct task *t)
{
	return t->on_rq && !is_current(rq, t);
}

void sched_set_nice(struct task *t, int nice)
{
	struct locked_task l;

	nice = MAX(NICE_MIN, MIN(NICE_MAX, nice));
	lock_task(t, &l);
	if (is_current(l.rq, t))
		update_curr(l.rq, time_ns());   /* the time so far at the old weight */
	bool queued = is_queued(l.rq, t);
	if (queued)
		dequeue_task(l.rq, t);
	t->nice = nice;
	t->weight = fair_weight(t->policy, nice);
	if (queued)
		enqueue_task(l.rq, t, false);
	if (is_current(l.rq, t))
		resched_cpu(l.rq);              /* its slice and its rivals changed */
	unlock_task(t, &l);
}

void sched_set_policy(struct task *t, int policy, int rt_priority, bool reset_on_fork)
{
	struct locked_task l;

	lock_task(t, &l);
	if (is_current(l.rq, t))
		update_curr(l.rq, time_ns());
	bool queued = is_queued(l.rq, t);
	if (queued)
		dequeue_task(l.rq, t);
	bool was_fair = fair_policy(t->policy);
	t->policy = policy;
	t->rt_priority = rt_policy(policy) ? rt_priority : 0;
	t->reset_on_fork = reset_on_fork;
	t->weight = fair_weight(policy, t->nice);
	/* Back to fair after a while away: its vruntime is stale; place it
	 * as a woken task (on its queue's scale: it has not moved). */
	if (!was_fair && fair_policy(policy))
		fair_place(&l.rq->fair, t, false);
	if (queued)
		enqueue_task(l.rq, t, false);
	if (t->on_rq)
		resched_cpu(l.rq);
	unlock_task(t, &l);
}

int sched_set_affinity(struct task *t, uint64_t mask)
{
	struct locked_task l;

	mask &= sched_online_mask();
	if (!mask)
		return -EINVAL;
	lock_task(t, &l);
	WRITE_ONCE(t->cpus_allowed, mask);
	if (cpu_allowed(t, t->cpu)) {
		unlock_task(t, &l);
		return 0;
	}
	if (is_current(l.rq, t)) {
		/* Running: its CPU moves it at the next switch (schedule()
		 * and finish_switch). */
		resched_cpu(l.rq);
	} else if (t->on_rq) {
		/* Queued: take it off its queue and start it elsewhere, as a
		 * wake-up would (it is on no queue meanwhile, and RUNNABLE,
		 * so wake-ups leave it alone). */
		unsigned from = t->cpu;
		update_curr(l.rq, time_ns());
		uint64_t min = l.rq->fair.min_vruntime;
		dequeue_task(l.rq, t);
		spin_unlock_irqrestore(&l.rq->lock, l.rq_flags);
		activate_task(t, select_cpu(t, from, false), from, min, false);
		spin_unlock_irqrestore(&t->sched_lock, l.flags);
		return 0;
	}
	/* Asleep, or being pushed by the CPU that just switched away from
	 * it: the wake-up or the push picks an allowed CPU. */
	unlock_task(t, &l);
	return 0;
}

uint64_t sched_runtime_ns(struct task *t)
{
	struct locked_task l;

	lock_task(t, &l);
	uint64_t ns = t->runtime_ns;
	if (is_current(l.rq, t)) {
		int64_t d = (int64_t)(time_ns() - t->last_run_ns);
		ns += d > 0 ? (uint64_t)d : 0;
	}
	unlock_task(t, &l);
	return ns;
}

uint64_t sched_rr_interval_ns(struct task *t)
{
	struct locked_task l;
	uint64_t ns;

	lock_task(t, &l);
	if (t->policy == SCHED_RR) {
		ns = SCHED_RR_SLICE_NS;
	} else if (t->policy == SCHED_FIFO) {
		ns = 0;
	} else {
		/* Its fair slice among the tasks runnable there now. */
		struct fair_rq fr = l.rq->fair;
		struct task *c = l.rq->current;
		if (is_queued(l.rq, t)) {
			fr.nr--;
			fr.load -= t->weight;
		}
		if (c != t && c != l.rq->idle && c->on_rq && fair_policy(c->policy)) {
			fr.nr++;
			fr.load += c->weight;
		}
		ns = fair_slice(&fr, t);
	}
	unlock_task(t, &l);
	return ns;
}

uint64_t sched_idle_ns(unsigned cpu)
{
	if (cpu >= NR_CPUS || !READ_ONCE(rqs[cpu].online))
		return 0;
	struct runqueue *rq = &rqs[cpu];
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	uint64_t ns = rq->idle->runtime_ns;
	if (rq->current == rq->idle) {
		int64_t d = (int64_t)(time_ns() - rq->idle->last_run_ns);
		ns += d > 0 ? (uint64_t)d : 0;
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	return ns;
}
