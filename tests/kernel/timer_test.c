/*
 * Timers and the tick-less rule: a timer fires once, not before its
 * deadline; a cancelled one never fires; an idle CPU takes no timer
 * interrupts beyond the ones its own timers ask for.
 */
#include <kernel/ktest.h>
#include <kernel/arch.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/timer.h>

static volatile int fired;
static volatile uint64_t fired_at;

static void on_fire(struct timer *t)
{
	fired++;
	fired_at = time_ns();
}

static void wait_ms(unsigned ms)
{
	uint64_t end = time_ns() + ms * NSEC_PER_MSEC;
	arch_irq_enable();
	while (time_ns() < end)
		arch_cpu_relax();
}

static void test_fires_once_not_early(struct ktest *t)
{
	struct timer tm;
	timer_init(&tm, on_fire);
	fired = 0;
	uint64_t deadline = time_ns() + 5 * NSEC_PER_MSEC;
	timer_arm(&tm, deadline);
	/* Until it fires (a busy host may deliver late), then a while more. */
	uint64_t end = time_ns() + 2 * NSEC_PER_SEC;
	arch_irq_enable();
	while (!fired && time_ns() < end)
		arch_cpu_relax();
	wait_ms(30);
	KT_EXPECT_EQ(t, fired, 1);
	KT_EXPECT(t, fired_at >= deadline);
	KT_EXPECT(t, !timer_cancel(&tm));
}

/* Far enough ahead that a busy host cannot stall us past it before the
 * cancel; then wait past the deadline. */
static void test_cancel(struct ktest *t)
{
	struct timer tm;
	timer_init(&tm, on_fire);
	fired = 0;
	timer_arm(&tm, time_ns() + 200 * NSEC_PER_MSEC);
	KT_EXPECT(t, timer_cancel(&tm));
	KT_EXPECT(t, !timer_cancel(&tm));
	wait_ms(250);
	KT_EXPECT_EQ(t, fired, 0);
}

static volatile int sync_runs;

static void on_fire_slowly(struct timer *t)
{
	uint64_t end = time_ns() + 20 * NSEC_PER_MSEC;
	while (time_ns() < end)
		arch_cpu_relax();
	sync_runs++;
}

/* timer_cancel_sync waits for a function that is running: here the
 * function runs on this CPU (interrupt), so it is over by the time the
 * interrupted code cancels; on another CPU it would wait. Either way,
 * after it returns the function has finished and will not run again. */
static void test_cancel_sync(struct ktest *t)
{
	struct timer tm;
	timer_init(&tm, on_fire_slowly);
	sync_runs = 0;
	timer_arm(&tm, time_ns() + NSEC_PER_MSEC);
	uint64_t end = time_ns() + 2 * NSEC_PER_SEC;
	arch_irq_enable();
	while (!sync_runs && time_ns() < end)
		arch_cpu_relax();
	KT_EXPECT(t, !timer_cancel_sync(&tm));
	KT_EXPECT_EQ(t, sync_runs, 1);
	timer_arm(&tm, time_ns() + 100 * NSEC_PER_MSEC);
	KT_EXPECT(t, timer_cancel_sync(&tm));
	wait_ms(150);
	KT_EXPECT_EQ(t, sync_runs, 1);
}

/* A deadline centuries away is kept (the hardware is programmed at most
 * an hour ahead) and neither fires nor storms. */
static void test_far_deadline(struct ktest *t)
{
	struct timer tm;
	unsigned cpu = arch_cpu_id();
	timer_init(&tm, on_fire);
	fired = 0;
	uint64_t before = timer_irq_count(cpu);
	timer_arm(&tm, UINT64_MAX - 1);
	wait_ms(50);
	KT_EXPECT_EQ(t, fired, 0);
	KT_EXPECT(t, timer_irq_count(cpu) - before < 10);
	KT_EXPECT(t, timer_cancel(&tm));
}

static struct timer order_a, order_b;
static struct timer *order_seen[2];
static volatile int order_n;
static uint64_t order_at[2];

static void on_fire_ordered(struct timer *t)
{
	if (order_n < 2) {
		order_at[order_n] = time_ns();
		order_seen[order_n++] = t;
	}
}

/* Arming an earlier timer reprograms the hardware: it fires first, and
 * each fires no earlier than its deadline (no timing upper bound: a loaded
 * host may deliver late). */
static void test_order(struct ktest *t)
{
	timer_init(&order_a, on_fire_ordered);
	timer_init(&order_b, on_fire_ordered);
	order_n = 0;
	uint64_t now = time_ns();
	timer_arm(&order_a, now + 100 * NSEC_PER_MSEC);
	timer_arm(&order_b, now + 20 * NSEC_PER_MSEC);
	uint64_t end = now + 5 * NSEC_PER_SEC;
	arch_irq_enable();
	while (order_n < 2 && time_ns() < end)
		arch_cpu_relax();
	KT_ASSERT(t, order_n == 2);
	KT_EXPECT(t, order_seen[0] == &order_b);
	KT_EXPECT(t, order_seen[1] == &order_a);
	KT_EXPECT(t, order_at[0] >= now + 20 * NSEC_PER_MSEC);
	KT_EXPECT(t, order_at[1] >= now + 100 * NSEC_PER_MSEC);
}

static void test_idle_cpu_takes_no_ticks(struct ktest *t)
{
	unsigned cpu = arch_cpu_id();
	uint64_t before = timer_irq_count(cpu);
	uint64_t end = time_ns() + 200 * NSEC_PER_MSEC;

	/* Halt with nothing armed: only our own wake-up may interrupt. */
	struct timer tm;
	timer_init(&tm, on_fire);
	timer_arm(&tm, end);
	while (time_ns() < end)
		arch_wait_for_interrupt();
	arch_irq_enable();
	timer_cancel(&tm);      /* the clock may pass end just before it fires */
	uint64_t taken = timer_irq_count(cpu) - before;
	KT_EXPECT(t, taken >= 1);
	KT_EXPECT(t, taken <= 2);
}

static void sleeper(void *arg)
{
	uint64_t *woke = arg;
	uint64_t deadline = time_ns() + 20 * NSEC_PER_MSEC;
	sleep_until(deadline);
	*woke = time_ns() >= deadline ? time_ns() : 1;
}

static void test_sleep_until(struct ktest *t)
{
	static uint64_t woke;
	woke = 0;
	uint64_t start = time_ns();
	KT_ASSERT(t, task_create("sleeper", sleeper, &woke) != NULL);
	for (;;) {
		schedule();
		if (READ_ONCE(woke) || time_ns() - start > NSEC_PER_SEC)
			break;
		/* Spin, not sched_idle_wait(): this is the boot CPU's idle
		 * task, and the sleeper may run (and its timer fire) on
		 * another CPU, which sends this one no interrupt; a boot
		 * hung here once that way. */
		arch_cpu_relax();
	}
	KT_EXPECT(t, woke > 1);
	KT_EXPECT(t, woke - start >= 20 * NSEC_PER_MSEC);
}

static const struct ktest_case timer_cases[] = {
	KTEST_CASE(test_fires_once_not_early),
	KTEST_CASE(test_cancel),
	KTEST_CASE(test_cancel_sync),
	KTEST_CASE(test_far_deadline),
	KTEST_CASE(test_order),
	KTEST_CASE(test_idle_cpu_takes_no_ticks),
	KTEST_CASE(test_sleep_until),
	{}
};
KTEST_SUITE(timer, timer_cases);
