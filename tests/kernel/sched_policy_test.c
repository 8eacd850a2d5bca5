/*
 * The scheduling policies as pure logic (kernel/sched/fair.c, rt.c), on
 * queues of their own: the nice-to-weight table, virtual runtime, queue
 * order, placement of new and woken tasks, slice lengths, wake-up
 * preemption, and CPU shares in a simulated run.
 */
#include <kernel/ktest.h>
#include <kernel/sched/sched.h>
#include <kernel/string.h>
#include <mm/slab.h>

#define MS NSEC_PER_MSEC

static struct task *fake_task(int policy, int nice, uint64_t vruntime)
{
	struct task *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->policy = policy;
	t->nice = nice;
	t->weight = fair_weight(policy, nice);
	t->vruntime = vruntime;
	list_init(&t->run_link);
	return t;
}

static void test_nice_weights(struct ktest *t)
{
	KT_EXPECT_EQ(t, fair_weight(SCHED_NORMAL, 0), 1024);
	KT_EXPECT_EQ(t, fair_weight(SCHED_NORMAL, -20), 88761);
	KT_EXPECT_EQ(t, fair_weight(SCHED_NORMAL, 19), 15);
	KT_EXPECT_EQ(t, fair_weight(SCHED_BATCH, 5), fair_weight(SCHED_NORMAL, 5));
	/* Out of range clamps; SCHED_IDLE is below nice 19. */
	KT_EXPECT_EQ(t, fair_weight(SCHED_NORMAL, -40), 88761);
	KT_EXPECT_EQ(t, fair_weight(SCHED_NORMAL, 40), 15);
	KT_EXPECT(t, fair_weight(SCHED_IDLE, 0) < fair_weight(SCHED_NORMAL, 19));
	/* Each step is ~1.25x (between 1.2x and 1.3x). */
	for (int n = NICE_MIN; n < NICE_MAX; n++) {
		uint64_t a = fair_weight(SCHED_NORMAL, n), b = fair_weight(SCHED_NORMAL, n + 1);
		KT_EXPECT(t, a * 100 >= b * 120 && a * 100 <= b * 130);
	}
}

static void test_vruntime_math(struct ktest *t)
{
	KT_EXPECT_EQ(t, fair_vdelta(MS, 1024), MS);
	KT_EXPECT_EQ(t, fair_vdelta(MS, 335), 3056716);        /* 1 ms * 1024 / 335 */
	KT_EXPECT_EQ(t, fair_vdelta(MS, 88761), 11536);
	KT_EXPECT_EQ(t, fair_vdelta(0, 15), 0);
	/* Large deltas do not overflow. */
	KT_EXPECT_EQ(t, fair_vdelta(1ull << 60, 1024), 1ull << 60);
	KT_EXPECT(t, fair_vdelta(1ull << 60, 2048) == 1ull << 59);
	struct task *a = fake_task(SCHED_NORMAL, 5, 100);
	KT_ASSERT(t, a);
	fair_account(a, 2 * MS);
	KT_EXPECT_EQ(t, a->vruntime, 100 + 6113432);      /* 2 ms * 1024 / 335 */
	kfree(a);
}

static void test_queue_order(struct ktest *t)
{
	struct fair_rq fr;
	static const uint64_t v[] = { 50, 10, 40, 10, 30, 20 };
	struct task *ts[ARRAY_SIZE(v)];

	fair_rq_init(&fr);
	for (unsigned i = 0; i < ARRAY_SIZE(v); i++) {
		ts[i] = fake_task(SCHED_NORMAL, (int)i - 2, v[i]);
		KT_ASSERT(t, ts[i]);
		fair_enqueue(&fr, ts[i]);
	}
	KT_EXPECT_EQ(t, fr.nr, ARRAY_SIZE(v));
	uint64_t load = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(v); i++)
		load += ts[i]->weight;
	KT_EXPECT_EQ(t, fr.load, load);
	KT_EXPECT(t, fair_last(&fr) == ts[0]);
	/* Smallest vruntime first; the two 10s in the order they came. */
	static const int want[] = { 1, 3, 5, 4, 2, 0 };
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		struct task *first = fair_first(&fr);
		KT_EXPECT(t, first == ts[want[i]]);
		if (first)
			fair_dequeue(&fr, first);
	}
	KT_EXPECT_EQ(t, fr.nr, 0);
	KT_EXPECT_EQ(t, fr.load, 0);
	KT_EXPECT(t, fair_first(&fr) == NULL);
	for (unsigned i = 0; i < ARRAY_SIZE(v); i++)
		kfree(ts[i]);
}

static void test_placement(struct ktest *t)
{
	struct fair_rq fr;
	struct task *q = fake_task(SCHED_NORMAL, 0, 1000 * MS);
	struct task *sleeper = fake_task(SCHED_NORMAL, 0, 5 * MS);
	struct task *recent = fake_task(SCHED_NORMAL, 0, 1003 * MS);
	struct task *fresh = fake_task(SCHED_NORMAL, 0, 0);
	KT_ASSERT(t, q && sleeper && recent && fresh);

	fair_rq_init(&fr);
	fair_enqueue(&fr, q);
	fair_update_min(&fr, NULL);
	KT_EXPECT_EQ(t, fr.min_vruntime, 1000 * MS);
	/* min_vruntime never goes back, even for a smaller running task. */
	struct task *behind = fake_task(SCHED_NORMAL, 0, 900 * MS);
	KT_ASSERT(t, behind);
	fair_update_min(&fr, behind);
	KT_EXPECT_EQ(t, fr.min_vruntime, 1000 * MS);
	kfree(behind);
	/* A long sleeper gets at most the bound of credit... */
	fair_place(&fr, sleeper, false);
	KT_EXPECT_EQ(t, sleeper->vruntime, 1000 * MS - FAIR_SLEEPER_BOUND_NS);
	/* ...a task ahead keeps its place, a new one starts at the minimum. */
	fair_place(&fr, recent, false);
	KT_EXPECT_EQ(t, recent->vruntime, 1003 * MS);
	fair_place(&fr, fresh, true);
	KT_EXPECT_EQ(t, fresh->vruntime, 1000 * MS);
	/* Placement works across the wrap of the 64-bit clock. */
	fr.min_vruntime = 2 * MS;
	sleeper->vruntime = (uint64_t)-5 * MS;
	fair_place(&fr, sleeper, false);
	KT_EXPECT_EQ(t, sleeper->vruntime, 2 * MS - FAIR_SLEEPER_BOUND_NS);
	kfree(q);
	kfree(sleeper);
	kfree(recent);
	kfree(fresh);
}

static void test_slices_and_yield(struct ktest *t)
{
	struct fair_rq fr;
	struct task *ts[12];

	fair_rq_init(&fr);
	for (unsigned i = 0; i < ARRAY_SIZE(ts); i++) {
		ts[i] = fake_task(SCHED_NORMAL, 0, i * MS);
		KT_ASSERT(t, ts[i]);
	}
	/* Two equal tasks split the latency period. */
	fair_enqueue(&fr, ts[1]);
	KT_EXPECT_EQ(t, fair_slice(&fr, ts[0]), FAIR_LATENCY_NS / 2);
	/* Crowded: the period stretches, each gets the minimum. */
	for (unsigned i = 2; i < ARRAY_SIZE(ts); i++)
		fair_enqueue(&fr, ts[i]);
	KT_EXPECT_EQ(t, fair_slice(&fr, ts[0]), FAIR_MIN_GRAN_NS);
	/* Yield: behind everyone queued now. */
	fair_yield(&fr, ts[0]);
	KT_EXPECT_EQ(t, ts[0]->vruntime, ts[11]->vruntime);
	fair_enqueue(&fr, ts[0]);
	KT_EXPECT(t, fair_last(&fr) == ts[0]);
	for (unsigned i = 0; i < ARRAY_SIZE(ts); i++)
		kfree(ts[i]);
	/* A light task against a heavy one: never below the minimum. */
	struct task *heavy = fake_task(SCHED_NORMAL, -10, 0), *light = fake_task(SCHED_NORMAL, 19, 0);
	KT_ASSERT(t, heavy && light);
	fair_rq_init(&fr);
	fair_enqueue(&fr, heavy);
	KT_EXPECT_EQ(t, fair_slice(&fr, light), FAIR_MIN_GRAN_NS);
	fair_dequeue(&fr, heavy);
	fair_enqueue(&fr, light);
	KT_EXPECT(t, fair_slice(&fr, heavy) > FAIR_LATENCY_NS * 99 / 100);
	kfree(heavy);
	kfree(light);
}

static void test_wakeup_preemption(struct ktest *t)
{
	struct task *curr = fake_task(SCHED_NORMAL, 0, 100 * MS);
	struct task *w = fake_task(SCHED_NORMAL, 0, 100 * MS - FAIR_WAKEUP_GRAN_NS - 1);
	KT_ASSERT(t, curr && w);
	KT_EXPECT(t, fair_wakeup_preempts(curr, w));
	w->vruntime = 100 * MS - FAIR_WAKEUP_GRAN_NS;
	KT_EXPECT(t, !fair_wakeup_preempts(curr, w));
	w->vruntime = 0;
	w->policy = SCHED_BATCH;                /* batch tasks never preempt */
	KT_EXPECT(t, !fair_wakeup_preempts(curr, w));
	curr->policy = SCHED_IDLE;              /* anything but idle preempts idle */
	KT_EXPECT(t, fair_wakeup_preempts(curr, w));
	w->policy = SCHED_IDLE;
	KT_EXPECT(t, !fair_wakeup_preempts(curr, w));
	kfree(curr);
	kfree(w);
}

/*
 * One simulated CPU: run the leftmost task for its slice, charge it,
 * requeue it. Over a simulated 10 s each task's share of the CPU is its
 * share of the total weight.
 */
static void simulate(struct ktest *t, const int *nices, unsigned n)
{
	struct fair_rq fr;
	struct task *ts[8];
	uint64_t ran[8] = { 0 }, total = 0, wsum = 0;

	fair_rq_init(&fr);
	for (unsigned i = 0; i < n; i++) {
		ts[i] = fake_task(SCHED_NORMAL, nices[i], 0);
		KT_ASSERT(t, ts[i]);
		wsum += ts[i]->weight;
		fair_enqueue(&fr, ts[i]);
	}
	while (total < 10 * NSEC_PER_SEC) {
		struct task *c = fair_first(&fr);
		fair_dequeue(&fr, c);
		uint64_t slice = fair_slice(&fr, c);
		fair_account(c, slice);
		fair_update_min(&fr, c);
		for (unsigned i = 0; i < n; i++)
			if (ts[i] == c)
				ran[i] += slice;
		total += slice;
		fair_enqueue(&fr, c);
	}
	for (unsigned i = 0; i < n; i++) {
		/* Permille of the CPU, against the weight's permille: +-1%. */
		uint64_t got = ran[i] * 1000 / total, want = ts[i]->weight * 1000 / wsum;
		if (got + 10 < want || got > want + 10)
			ktest_fail(t, __FILE__, __LINE__, "nice %d: %llu permille, want %llu",
				   nices[i], (unsigned long long)got, (unsigned long long)want);
		kfree(ts[i]);
	}
}

static void test_simulated_shares(struct ktest *t)
{
	static const int pair[] = { 0, 5 };             /* 75.3% / 24.7% */
	static const int three[] = { 0, 0, -5 };
	static const int wide[] = { -20, 0, 10, 19 };
	simulate(t, pair, ARRAY_SIZE(pair));
	simulate(t, three, ARRAY_SIZE(three));
	simulate(t, wide, ARRAY_SIZE(wide));
}

static void test_rt_queue(struct ktest *t)
{
	struct rt_rq rr;
	struct task *a = fake_task(SCHED_FIFO, 0, 0), *b = fake_task(SCHED_FIFO, 0, 0);
	struct task *c = fake_task(SCHED_RR, 0, 0), *d = fake_task(SCHED_RR, 0, 0);
	KT_ASSERT(t, a && b && c && d);
	a->rt_priority = 10;
	b->rt_priority = 70;
	c->rt_priority = 70;
	d->rt_priority = 99;

	rt_rq_init(&rr);
	KT_EXPECT(t, rt_first(&rr) == NULL);
	rt_enqueue(&rr, a, false);
	rt_enqueue(&rr, b, false);
	rt_enqueue(&rr, c, false);
	KT_EXPECT(t, rt_first(&rr) == b);       /* highest priority, first come */
	KT_EXPECT(t, rt_has_peer(&rr, 70));
	KT_EXPECT(t, !rt_has_peer(&rr, 50));
	rt_dequeue(&rr, b);
	rt_enqueue(&rr, b, true);               /* preempted: back at the head */
	KT_EXPECT(t, rt_first(&rr) == b);
	rt_dequeue(&rr, b);
	rt_enqueue(&rr, b, false);              /* yielded: behind its peer */
	KT_EXPECT(t, rt_first(&rr) == c);
	rt_enqueue(&rr, d, false);
	KT_EXPECT(t, rt_first(&rr) == d);       /* priority 99 lives in the second word */
	rt_dequeue(&rr, d);
	rt_dequeue(&rr, c);
	rt_dequeue(&rr, b);
	KT_EXPECT(t, rt_first(&rr) == a);
	KT_EXPECT(t, !rt_has_peer(&rr, 70));
	rt_dequeue(&rr, a);
	KT_EXPECT_EQ(t, rr.nr, 0);
	KT_EXPECT(t, rt_first(&rr) == NULL);
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
}

static const struct ktest_case sched_policy_cases[] = {
	KTEST_CASE(test_nice_weights),
	KTEST_CASE(test_vruntime_math),
	KTEST_CASE(test_queue_order),
	KTEST_CASE(test_placement),
	KTEST_CASE(test_slices_and_yield),
	KTEST_CASE(test_wakeup_preemption),
	KTEST_CASE(test_simulated_shares),
	KTEST_CASE(test_rt_queue),
	{}
};
KTEST_SUITE(sched_policy, sched_policy_cases);
