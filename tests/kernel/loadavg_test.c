/*
 * The load average's 5-second step (kernel/sched/loadavg.c) as pure
 * arithmetic: a steady load is a fixed point, a new load is approached
 * and an old one forgotten at the rates of e^(-t / 1, 5, 15 min).
 */
#include <kernel/ktest.h>
#include <kernel/task.h>

#define ONE (1ul << LOADAVG_FSHIFT)
static const unsigned long decay[3] = { 1884, 2014, 2037 };

static void test_steady_load(struct ktest *t)
{
	for (int i = 0; i < 3; i++) {
		KT_EXPECT_EQ(t, loadavg_fold(0, decay[i], 0), 0);
		KT_EXPECT_EQ(t, loadavg_fold(3 * ONE, decay[i], 3), 3 * ONE);
	}
}

static void test_one_step(struct ktest *t)
{
	/* 2048 * (2048 - 1884) / 2048 = 164: 0.08 after 5 s of one task. */
	KT_EXPECT_EQ(t, loadavg_fold(0, decay[0], 1), 164);
	KT_EXPECT_EQ(t, loadavg_fold(ONE, decay[0], 0), 1884);
}

static void test_time_constants(struct ktest *t)
{
	/* A minute (12 steps) without load leaves e^-1 of the 1-minute
	 * average (0.368) and e^-1/5 of the 5-minute one (0.819). */
	unsigned long a1 = ONE, a5 = ONE, a15 = 0;
	for (int s = 0; s < 12; s++) {
		a1 = loadavg_fold(a1, decay[0], 0);
		a5 = loadavg_fold(a5, decay[1], 0);
	}
	KT_EXPECT(t, a1 >= ONE * 360 / 1000 && a1 <= ONE * 376 / 1000);
	KT_EXPECT(t, a5 >= ONE * 810 / 1000 && a5 <= ONE * 828 / 1000);
	/* An hour of two tasks brings the 15-minute average to ~2 (1 - e^-4). */
	for (int s = 0; s < 720; s++)
		a15 = loadavg_fold(a15, decay[2], 2);
	KT_EXPECT(t, a15 >= 2 * ONE * 97 / 100 && a15 <= 2 * ONE);
}

static const struct ktest_case loadavg_cases[] = {
	KTEST_CASE(test_steady_load),
	KTEST_CASE(test_one_step),
	KTEST_CASE(test_time_constants),
	{}
};
KTEST_SUITE(loadavg, loadavg_cases);
