/*
 * Sleeping mutexes (kernel/mutex.h): exclusion between tasks on several
 * CPUs that yield and sleep inside the critical section, trylock, and
 * ownership.
 */
#include <kernel/ktest.h>
#include <kernel/mutex.h>
#include <kernel/task.h>
#include <kernel/arch.h>
#include <kernel/time.h>

#define WORKERS 4
#define ROUNDS  300

static struct mutex lock = MUTEX_INIT(lock, "ktest_mutex");
static volatile unsigned counter, inside, overlaps, done;

static void worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		mutex_lock(&lock);
		if (__atomic_add_fetch(&inside, 1, __ATOMIC_RELAXED) != 1)
			__atomic_add_fetch(&overlaps, 1, __ATOMIC_RELAXED);
		unsigned c = counter;
		if (i % 7 == 0)
			sched_yield();          /* others run, find it taken, sleep */
		counter = c + 1;
		__atomic_sub_fetch(&inside, 1, __ATOMIC_RELAXED);
		mutex_unlock(&lock);
	}
	__atomic_add_fetch(&done, 1, __ATOMIC_RELEASE);
}

static void test_exclusion(struct ktest *t)
{
	counter = inside = overlaps = done = 0;
	for (int i = 0; i < WORKERS; i++) {
		struct task *k = task_alloc("mutex_worker");
		KT_ASSERT(t, k != NULL);
		k->saved_rsp = arch_task_init_stack(k->kstack_top, worker, NULL);
		task_start(k);
	}
	uint64_t end = time_ns() + 20 * NSEC_PER_SEC;
	arch_irq_enable();
	while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) < WORKERS && time_ns() < end) {
		schedule();
		arch_cpu_relax();
	}
	KT_EXPECT_EQ(t, done, WORKERS);
	KT_EXPECT_EQ(t, counter, WORKERS * ROUNDS);
	KT_EXPECT_EQ(t, overlaps, 0);
}

static void test_trylock_and_owner(struct ktest *t)
{
	struct mutex m;
	mutex_init(&m, "ktest_mutex_local");
	KT_EXPECT(t, !mutex_held(&m));
	KT_EXPECT(t, mutex_trylock(&m));
	KT_EXPECT(t, mutex_held(&m));
	KT_EXPECT(t, !mutex_trylock(&m));       /* not recursive */
	mutex_unlock(&m);
	KT_EXPECT(t, !mutex_held(&m));
	mutex_lock(&m);                         /* uncontended: no sleep */
	KT_EXPECT(t, mutex_held(&m));
	mutex_unlock(&m);
}

static const struct ktest_case mutex_cases[] = {
	KTEST_CASE(test_trylock_and_owner),
	KTEST_CASE(test_exclusion),
	{}
};

KTEST_SUITE(mutex, mutex_cases);
