/*
 * The real-time policies (SCHED_FIFO, SCHED_RR): fixed priorities 1..99,
 * the highest runs; within a priority, first come first served. FIFO tasks
 * run until they block, yield or a higher priority arrives; RR tasks also
 * give way to their peers after SCHED_RR_SLICE_NS (core.c arms that).
 *
 * One list per priority and a bitmap of the non-empty ones: O(1) enqueue,
 * dequeue and pick. Pure bookkeeping: the caller holds the run-queue lock.
 */
#include "sched.h"

void rt_rq_init(struct rt_rq *rr)
{
	for (unsigned p = 0; p <= RT_PRIO_MAX; p++)
		list_init(&rr->queue[p]);
	rr->bitmap[0] = rr->bitmap[1] = 0;
	rr->nr = 0;
}

bool rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

void rt_enqueue(struct rt_rq *rr, struct task *t, bool head)
{
	int p = t->rt_priority;

	BUG_ON(p < RT_PRIO_MIN || p > RT_PRIO_MAX);
	if (head)
		list_add(&t->run_link, &rr->queue[p]);
	else
		list_add_tail(&t->run_link, &rr->queue[p]);
	rr->bitmap[p / 64] |= 1ull << (p % 64);
	rr->nr++;
}

void rt_dequeue(struct rt_rq *rr, struct task *t)
{
	int p = t->rt_priority;

	list_del(&t->run_link);
	list_init(&t->run_link);
	if (list_empty(&rr->queue[p]))
		rr->bitmap[p / 64] &= ~(1ull << (p % 64));
	rr->nr--;
}

struct task *rt_first(const struct rt_rq *rr)
{
	int p;

	if (rr->bitmap[1])
		p = 64 + 63 - __builtin_clzll(rr->bitmap[1]);
	else if (rr->bitmap[0])
		p = 63 - __builtin_clzll(rr->bitmap[0]);
	else
		return NULL;
	return list_first_entry(&rr->queue[p], struct task, run_link);
}

bool rt_has_peer(const struct rt_rq *rr, int prio)
{
	return prio >= RT_PRIO_MIN && prio <= RT_PRIO_MAX && !list_empty(&rr->queue[prio]);
}
