/*
 * Scheduler core: kernel tasks run, yield in turn, sleep on wait queues and
 * are freed when they exit (task count and free frames come back).
 */
#include <kernel/ktest.h>
#include <kernel/task.h>
#include <mm/pmm.h>

/* Runs from the boot task (the idle task): schedule() there runs every
 * runnable task until none is left. */
static void run_until_idle(void)
{
	for (int i = 0; i < 1000 && sched_nr_tasks() > 1; i++)
		schedule();
}

static int order[64];
static int order_len;

static void yielder(void *arg)
{
	int id = (int)(uintptr_t)arg;
	for (int round = 0; round < 3; round++) {
		if (order_len < (int)ARRAY_SIZE(order))
			order[order_len++] = id;
		sched_yield();
	}
}

static void test_round_robin_yield(struct ktest *t)
{
	size_t frames = pmm_free_frames();
	unsigned tasks = sched_nr_tasks();

	order_len = 0;
	for (int i = 0; i < 4; i++)
		KT_ASSERT(t, task_create("yielder", yielder, (void *)(uintptr_t)i) != NULL);
	run_until_idle();
	KT_EXPECT_EQ(t, order_len, 12);
	/* Strict alternation: 0 1 2 3 0 1 2 3 0 1 2 3 */
	for (int i = 0; i < order_len; i++)
		KT_EXPECT_EQ(t, order[i], i % 4);
	KT_EXPECT_EQ(t, sched_nr_tasks(), tasks);
	KT_EXPECT_EQ(t, pmm_free_frames(), frames);
}

static struct wait_queue wq = WAIT_QUEUE_INIT(wq);
static volatile int token;
static int log_[8];
static int log_len;

static void ping(void *arg)
{
	for (int i = 0; i < 4; i++) {
		wait_event(&wq, token == 0);
		log_[log_len++] = 0;
		token = 1;
		wait_queue_wake_all(&wq);
	}
}

static void pong(void *arg)
{
	for (int i = 0; i < 4; i++) {
		wait_event(&wq, token == 1);
		log_[log_len++] = 1;
		token = 0;
		wait_queue_wake_all(&wq);
	}
}

static void test_wait_queue_ping_pong(struct ktest *t)
{
	token = 0;
	log_len = 0;
	/* pong first, so it must really sleep until ping hands over. */
	KT_ASSERT(t, task_create("pong", pong, NULL) != NULL);
	KT_ASSERT(t, task_create("ping", ping, NULL) != NULL);
	run_until_idle();
	KT_EXPECT_EQ(t, log_len, 8);
	for (int i = 0; i < log_len; i++)
		KT_EXPECT_EQ(t, log_[i], i % 2);
	KT_EXPECT_EQ(t, sched_nr_tasks(), 1);
}

static void test_many_tasks_no_leak(struct ktest *t)
{
	size_t frames = pmm_free_frames();

	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 10; i++)
			KT_ASSERT(t, task_create("short", yielder, (void *)(uintptr_t)0) != NULL);
		order_len = 0;
		run_until_idle();
	}
	KT_EXPECT_EQ(t, sched_nr_tasks(), 1);
	KT_EXPECT_EQ(t, pmm_free_frames(), frames);
}

static const struct ktest_case sched_cases[] = {
	KTEST_CASE(test_round_robin_yield),
	KTEST_CASE(test_wait_queue_ping_pong),
	KTEST_CASE(test_many_tasks_no_leak),
	{}
};
KTEST_SUITE(sched, sched_cases);
