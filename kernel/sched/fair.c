/*
 * The fair policy (SCHED_NORMAL, SCHED_BATCH, SCHED_IDLE): a task's virtual
 * runtime advances by its real running time scaled by 1024/weight, and a
 * CPU runs the queued task with the smallest. A task's weight comes from
 * its nice value (1024 at nice 0, about 1.25x per step), so over time each
 * runnable task gets CPU time in proportion to its weight.
 *
 * Pure bookkeeping on a struct fair_rq (see sched.h): the caller holds the
 * run-queue lock. vruntimes are compared by signed difference, so they may
 * wrap.
 */
#include "sched.h"

/* Linux's weights for nice -20..19: each step is ~1.25x, so one nice level
 * moves about 10% of the CPU between two competing tasks. */
static const uint32_t nice_weights[40] = {
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */  9548,  7620,  6100,  4904,  3906,
	/*  -5 */  3121,  2501,  1991,  1586,  1277,
	/*   0 */  1024,   820,   655,   526,   423,
	/*   5 */   335,   272,   215,   172,   137,
	/*  10 */   110,    87,    70,    56,    45,
	/*  15 */    36,    29,    23,    18,    15,
};
#define SCHED_IDLE_WEIGHT 3     /* below nice 19: runs when nothing else wants to */

static bool vbefore(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

static struct task *node_task(const struct rb_node *n)
{
	return n ? container_of(n, struct task, fair_node) : NULL;
}

static bool fair_less(const struct rb_node *a, const struct rb_node *b)
{
	return vbefore(node_task(a)->vruntime, node_task(b)->vruntime);
}

void fair_rq_init(struct fair_rq *fr)
{
	rb_tree_init(&fr->tree);
	fr->nr = 0;
	fr->load = 0;
	fr->min_vruntime = 0;
}

bool fair_policy(int policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_BATCH || policy == SCHED_IDLE;
}

uint32_t fair_weight(int policy, int nice)
{
	if (policy == SCHED_IDLE)
		return SCHED_IDLE_WEIGHT;
	if (nice < NICE_MIN)
		nice = NICE_MIN;
	if (nice > NICE_MAX)
		nice = NICE_MAX;
	return nice_weights[nice - NICE_MIN];
}

uint64_t fair_vdelta(uint64_t delta_ns, uint32_t weight)
{
	if (weight == NICE_0_WEIGHT)
		return delta_ns;
	/* Exact below 2^53 ns (104 days), which any real delta is. */
	if (delta_ns < (1ull << 53))
		return delta_ns * NICE_0_WEIGHT / weight;
	return delta_ns / weight * NICE_0_WEIGHT;
}

void fair_account(struct task *t, uint64_t delta_ns)
{
	t->vruntime += fair_vdelta(delta_ns, t->weight);
}

struct task *fair_first(const struct fair_rq *fr)
{
	return node_task(rb_first(&fr->tree));
}

struct task *fair_last(const struct fair_rq *fr)
{
	return node_task(rb_last(&fr->tree));
}

void fair_update_min(struct fair_rq *fr, const struct task *curr)
{
	struct task *first = fair_first(fr);
	uint64_t v;

	if (curr && first)
		v = vbefore(curr->vruntime, first->vruntime) ? curr->vruntime : first->vruntime;
	else if (curr)
		v = curr->vruntime;
	else if (first)
		v = first->vruntime;
	else
		return;
	if (vbefore(fr->min_vruntime, v))
		fr->min_vruntime = v;
}

void fair_place(struct fair_rq *fr, struct task *t, bool new_task)
{
	uint64_t floor = fr->min_vruntime - (new_task ? 0 : FAIR_SLEEPER_BOUND_NS);

	if (new_task || vbefore(t->vruntime, floor))
		t->vruntime = floor;
}

void fair_enqueue(struct fair_rq *fr, struct task *t)
{
	rb_insert(&fr->tree, &t->fair_node, fair_less);
	fr->nr++;
	fr->load += t->weight;
}

void fair_dequeue(struct fair_rq *fr, struct task *t)
{
	rb_erase(&fr->tree, &t->fair_node);
	fr->nr--;
	fr->load -= t->weight;
}

void fair_yield(const struct fair_rq *fr, struct task *t)
{
	struct task *last = fair_last(fr);

	if (last && vbefore(t->vruntime, last->vruntime))
		t->vruntime = last->vruntime;   /* equal keys queue behind: t goes last */
}

uint64_t fair_slice(const struct fair_rq *fr, const struct task *curr)
{
	uint64_t nr = fr->nr + 1, load = fr->load + curr->weight;
	uint64_t period = MAX(FAIR_LATENCY_NS, nr * FAIR_MIN_GRAN_NS);
	/* period < 2^40 (500 s) and weight < 2^17: no overflow. */
	uint64_t slice = period * curr->weight / load;

	return MAX(slice, FAIR_MIN_GRAN_NS);
}

bool fair_wakeup_preempts(const struct task *curr, const struct task *woken)
{
	/* SCHED_IDLE yields to anything; batch and idle tasks never preempt. */
	if (curr->policy == SCHED_IDLE && woken->policy != SCHED_IDLE)
		return true;
	if (woken->policy != SCHED_NORMAL)
		return false;
	return (int64_t)(curr->vruntime - woken->vruntime) > (int64_t)FAIR_WAKEUP_GRAN_NS;
}
