/*
 * Spreading tasks over CPUs, without a periodic tick:
 *   - placement: a new task goes to the least loaded allowed CPU, a woken
 *     one to its previous CPU if that is idle, else to an idle allowed
 *     CPU, else back to its previous CPU;
 *   - pull: a CPU about to go idle steals a waiting task from the busiest;
 *   - push: a CPU whose slice timer fired (so it has tasks waiting) hands
 *     one to a CPU with at least two fewer runnable tasks.
 * Only CPUs that already take slice interrupts push, so idle and
 * single-task CPUs stay tick-less. Loads are read without locks (a
 * heuristic); moves are made under both run-queue locks, lower address
 * first.
 */
#include "sched.h"
#include <kernel/arch.h>

static unsigned load_of(unsigned cpu)
{
	return READ_ONCE(rqs[cpu].nr_running);
}

static bool usable(unsigned cpu, uint64_t allowed)
{
	return ((allowed >> cpu) & 1) && READ_ONCE(rqs[cpu].online);
}

/* The CPU of allowed (online CPUs only) with the fewest runnable tasks,
 * prefer on a tie. Visits the set bits only: wake-ups are frequent and
 * NR_CPUS is 64. */
static unsigned least_loaded(uint64_t allowed, unsigned prefer)
{
	unsigned best = prefer, best_load = usable(prefer, allowed) ? load_of(prefer) : ~0u;

	for (uint64_t m = allowed; m; m &= m - 1) {
		unsigned c = (unsigned)__builtin_ctzll(m);
		if (load_of(c) < best_load) {
			best = c;
			best_load = load_of(c);
		}
	}
	return best;
}

/* The first idle CPU of mask, NR_CPUS if none. */
static unsigned first_idle(uint64_t mask)
{
	for (; mask; mask &= mask - 1) {
		unsigned c = (unsigned)__builtin_ctzll(mask);
		if (load_of(c) == 0)
			return c;
	}
	return NR_CPUS;
}

unsigned select_cpu(struct task *t, unsigned prev, bool new_task)
{
	uint64_t allowed = READ_ONCE(t->cpus_allowed) & sched_online_mask();

	if (!allowed)
		allowed = sched_online_mask();  /* cannot happen: masks keep an online CPU */
	if (new_task)
		return least_loaded(allowed, prev);
	if (usable(prev, allowed) && load_of(prev) == 0)
		return prev;
	/* An idle allowed CPU, searching on from prev (the CPUs above it,
	 * then those below) so wake-ups spread. */
	uint64_t above = prev + 1 < NR_CPUS ? allowed & (~0ull << (prev + 1)) : 0;
	uint64_t below = allowed & ((1ull << prev) - 1);
	unsigned c = first_idle(above);
	if (c == NR_CPUS)
		c = first_idle(below);
	if (c != NR_CPUS)
		return c;
	if (usable(prev, allowed))
		return prev;
	return least_loaded(allowed, prev);
}

static void lock_pair(struct runqueue *a, struct runqueue *b)
{
	spin_lock(&(a < b ? a : b)->lock);
	spin_lock(&(a < b ? b : a)->lock);
}

static void unlock_pair(struct runqueue *a, struct runqueue *b)
{
	spin_unlock(&a->lock);
	spin_unlock(&b->lock);
}

void migrate_queued(struct runqueue *src, struct runqueue *dst, struct task *t)
{
	uint64_t now = time_ns();

	assert_held(&src->lock);
	assert_held(&dst->lock);
	update_curr(src, now);
	update_curr(dst, now);
	dequeue_task(src, t);
	if (fair_policy(t->policy))
		t->vruntime = t->vruntime - src->fair.min_vruntime + dst->fair.min_vruntime;
	t->cpu = (unsigned)(dst - rqs);
	enqueue_task(dst, t, false);
}

/* A queued task of src that may run on cpu: the most urgent real-time
 * one, else the fair one that would wait longest. */
static struct task *pick_movable(struct runqueue *src, unsigned cpu)
{
	for (int p = RT_PRIO_MAX; p >= RT_PRIO_MIN && src->rt.nr; p--) {
		struct task *t;
		list_for_each_entry(t, &src->rt.queue[p], run_link)
			if (cpu_allowed(t, cpu))
				return t;
	}
	for (struct rb_node *n = rb_last(&src->fair.tree); n; n = rb_prev(n)) {
		struct task *t = container_of(n, struct task, fair_node);
		if (cpu_allowed(t, cpu))
			return t;
	}
	return NULL;
}

static unsigned queued_of(unsigned cpu)
{
	return READ_ONCE(rqs[cpu].rt.nr) + READ_ONCE(rqs[cpu].fair.nr);
}

bool steal_work(void)
{
	unsigned me = arch_cpu_id(), busiest = me, most = 0;

	for (unsigned c = 0; c < NR_CPUS; c++) {
		unsigned n = queued_of(c);
		if (c != me && READ_ONCE(rqs[c].online) && n > most) {
			most = n;
			busiest = c;
		}
	}
	if (busiest == me)
		return false;
	struct runqueue *self = &rqs[me], *src = &rqs[busiest];
	unsigned long flags = arch_irq_save();
	lock_pair(self, src);
	struct task *t = pick_movable(src, me);
	if (t)
		migrate_queued(src, self, t);
	unlock_pair(self, src);
	arch_irq_restore(flags);
	return t != NULL;
}

void push_balance(void)
{
	unsigned me = arch_cpu_id(), n = load_of(me), target = me, least = n;

	if (n < 2)
		return;
	for (unsigned c = 0; c < NR_CPUS; c++) {
		if (c != me && READ_ONCE(rqs[c].online) && load_of(c) + 2 <= n && load_of(c) < least) {
			least = load_of(c);
			target = c;
		}
	}
	if (target == me)
		return;
	struct runqueue *self = &rqs[me], *dst = &rqs[target];
	unsigned long flags = arch_irq_save();
	lock_pair(self, dst);
	bool kick = false;
	struct task *t = NULL;
	if (dst->nr_running + 2 <= self->nr_running)
		t = pick_movable(self, target);
	if (t) {
		migrate_queued(self, dst, t);
		kick = true;
		WRITE_ONCE(dst->need_resched, dst->need_resched || dst->current == dst->idle);
	}
	unlock_pair(self, dst);
	arch_irq_restore(flags);
	if (kick)
		arch_send_reschedule(target);   /* to preempt, or to arm its slice */
}
