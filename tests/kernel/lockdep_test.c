/*
 * The debug lock checker (CONFIG_DEBUG_LOCKS): each kind of report is
 * provoked once on locks of its own and must be counted exactly once;
 * orders that are consistent must not be. Without the checker the cases
 * are skipped. The provoked locks are all named "ktest_lockdep_*": the
 * debug boot of `make test` fails on a report that names any other lock.
 */
#include <kernel/ktest.h>
#include <kernel/arch.h>
#include <kernel/lockdep.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/timer.h>

static bool need_checker(struct ktest *t)
{
	if (!CONFIG_DEBUG_LOCKS)
		ktest_skip(t, "needs make DEBUG_LOCKS=1");
	return CONFIG_DEBUG_LOCKS;
}

/* The kernel's own locks have been seen, and their order learnt, by the
 * time this suite runs (boot, the earlier suites). */
static void test_checker_tracks_the_kernel(struct ktest *t)
{
	unsigned classes, deps;

	if (!need_checker(t))
		return;
	lockdep_stats(&classes, &deps);
	printk("    # lockdep: %u lock classes, %u dependencies so far\n", classes, deps);
	KT_EXPECT(t, classes >= 10);
	KT_EXPECT(t, deps >= 3);
}

static struct spinlock a = SPINLOCK_INIT("ktest_lockdep_a");
static struct spinlock b = SPINLOCK_INIT("ktest_lockdep_b");

static void test_inversion_reported_once(struct ktest *t)
{
	if (!need_checker(t))
		return;
	unsigned before = lockdep_reports(LOCKDEP_INVERSION);
	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before);
	/* b -> a: the checker warns (and the lock still works). */
	spin_lock(&b);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before + 1);
	/* Known now: not again. */
	unsigned long flags = spin_lock_irqsave(&b);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock_irqrestore(&b, flags);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before + 1);
}

static struct spinlock x = SPINLOCK_INIT("ktest_lockdep_x");
static struct spinlock y = SPINLOCK_INIT("ktest_lockdep_y");
static struct spinlock z = SPINLOCK_INIT("ktest_lockdep_z");

/* x -> y and y -> z, each alone harmless; z -> x closes the circle. */
static void test_inversion_through_a_chain(struct ktest *t)
{
	if (!need_checker(t))
		return;
	unsigned before = lockdep_reports(LOCKDEP_INVERSION);
	spin_lock(&x);
	spin_lock(&y);
	spin_unlock(&y);
	spin_unlock(&x);
	spin_lock(&y);
	spin_lock(&z);
	spin_unlock(&z);
	spin_unlock(&y);
	/* x -> z is implied, and consistent. */
	spin_lock(&x);
	spin_lock(&z);
	spin_unlock(&z);
	spin_unlock(&x);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before);
	spin_lock(&z);
	spin_lock(&x);
	spin_unlock(&x);
	spin_unlock(&z);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), before + 1);
}

static struct spinlock p = SPINLOCK_INIT("ktest_lockdep_p");
static struct spinlock q = SPINLOCK_INIT("ktest_lockdep_q");
static struct spinlock same1 = SPINLOCK_INIT("ktest_lockdep_same");
static struct spinlock same2 = SPINLOCK_INIT("ktest_lockdep_same");

/* Not reported: a trylock against the order (it never waits), nesting
 * two locks of one class either way, unlocking out of order. */
static void test_quiet_cases(struct ktest *t)
{
	if (!need_checker(t))
		return;
	unsigned inv = lockdep_reports(LOCKDEP_INVERSION);
	spin_lock(&p);
	spin_lock(&q);
	spin_unlock(&p);                /* out of order */
	spin_unlock(&q);
	spin_lock(&q);
	KT_EXPECT(t, spin_trylock(&p));
	spin_unlock(&p);
	spin_unlock(&q);
	spin_lock(&same1);
	spin_lock(&same2);
	spin_unlock(&same2);
	spin_unlock(&same1);
	spin_lock(&same2);
	spin_lock(&same1);
	spin_unlock(&same1);
	spin_unlock(&same2);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_INVERSION), inv);
}

static struct spinlock held_across_sleep = SPINLOCK_INIT("ktest_lockdep_sleep");
static volatile int sleepers_done;

static void sleeper(void *arg)
{
	spin_lock(&held_across_sleep);
	sleep_until(time_ns() + 2 * NSEC_PER_MSEC);
	spin_unlock(&held_across_sleep);
	__atomic_fetch_add(&sleepers_done, 1, __ATOMIC_RELEASE);
}

static void quiet_sleeper(void *arg)
{
	sleep_until(time_ns() + 2 * NSEC_PER_MSEC);
	__atomic_fetch_add(&sleepers_done, 1, __ATOMIC_RELEASE);
}

static bool wait_for_sleepers(int n)
{
	uint64_t end = time_ns() + 5 * NSEC_PER_SEC;
	arch_irq_enable();
	while (READ_ONCE(sleepers_done) < n && time_ns() < end) {
		schedule();
		arch_cpu_relax();
	}
	return READ_ONCE(sleepers_done) >= n;
}

/* A task that sleeps holding a spinlock: reported once for that lock,
 * however many times it happens; sleeping without one is fine. */
static void test_spinlock_held_across_sleep(struct ktest *t)
{
	if (!need_checker(t))
		return;
	unsigned before = lockdep_reports(LOCKDEP_SLEEP);
	sleepers_done = 0;
	KT_ASSERT(t, task_create("quiet-sleeper", quiet_sleeper, NULL));
	KT_ASSERT(t, wait_for_sleepers(1));
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SLEEP), before);
	KT_ASSERT(t, task_create("lock-sleeper", sleeper, NULL));
	KT_ASSERT(t, wait_for_sleepers(2));
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SLEEP), before + 1);
	KT_ASSERT(t, task_create("lock-sleeper", sleeper, NULL));
	KT_ASSERT(t, wait_for_sleepers(3));
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_SLEEP), before + 1);
}

static struct spinlock irq_lock_1 = SPINLOCK_INIT("ktest_lockdep_irq1");
static struct spinlock irq_lock_2 = SPINLOCK_INIT("ktest_lockdep_irq2");
static struct spinlock irq_lock_3 = SPINLOCK_INIT("ktest_lockdep_irq3");
static struct spinlock *irq_target;
static volatile int irq_fired;

static void take_in_irq(struct timer *tm)
{
	spin_lock(irq_target);
	spin_unlock(irq_target);
	irq_fired = 1;
}

/* Take lock in a timer function (interrupt context) and wait for it. */
static bool take_in_interrupt(struct spinlock *lock)
{
	struct timer tm;
	timer_init(&tm, take_in_irq);
	irq_target = lock;
	irq_fired = 0;
	arch_irq_enable();
	timer_arm(&tm, time_ns() + NSEC_PER_MSEC);
	uint64_t end = time_ns() + 2 * NSEC_PER_SEC;
	while (!irq_fired && time_ns() < end)
		arch_cpu_relax();
	timer_cancel_sync(&tm);
	return irq_fired;
}

/* Taken with interrupts on, then in an interrupt: reported. */
static void test_irq_lock_taken_with_irqs_on(struct ktest *t)
{
	if (!need_checker(t))
		return;
	unsigned before = lockdep_reports(LOCKDEP_IRQ);
	arch_irq_enable();
	spin_lock(&irq_lock_1);
	spin_unlock(&irq_lock_1);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_IRQ), before);
	KT_ASSERT(t, take_in_interrupt(&irq_lock_1));
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_IRQ), before + 1);
}

/* In an interrupt first, then with interrupts on: reported too; with
 * them off (spin_lock_irqsave) it is the right way and quiet. */
static void test_irq_lock_then_irqs_on(struct ktest *t)
{
	if (!need_checker(t))
		return;
	unsigned before = lockdep_reports(LOCKDEP_IRQ);
	KT_ASSERT(t, take_in_interrupt(&irq_lock_2));
	KT_ASSERT(t, take_in_interrupt(&irq_lock_3));
	unsigned long flags = spin_lock_irqsave(&irq_lock_3);
	spin_unlock_irqrestore(&irq_lock_3, flags);
	flags = spin_lock_irqsave(&irq_lock_2);
	spin_unlock_irqrestore(&irq_lock_2, flags);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_IRQ), before);
	arch_irq_enable();
	spin_lock(&irq_lock_2);
	spin_unlock(&irq_lock_2);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_IRQ), before + 1);
}

static struct spinlock safe1 = SPINLOCK_INIT("ktest_lockdep_safe1");
static struct spinlock unsafe1 = SPINLOCK_INIT("ktest_lockdep_unsafe1");
static struct spinlock safe2 = SPINLOCK_INIT("ktest_lockdep_safe2");
static struct spinlock mid2 = SPINLOCK_INIT("ktest_lockdep_mid2");
static struct spinlock unsafe2 = SPINLOCK_INIT("ktest_lockdep_unsafe2");

/* A lock taken in interrupts held while taking one taken with interrupts
 * on: reported when the order is first seen, or (through a chain) when
 * the last usage is. */
static void test_irq_safe_then_irq_unsafe(struct ktest *t)
{
	if (!need_checker(t))
		return;
	unsigned before = lockdep_reports(LOCKDEP_IRQ);
	KT_ASSERT(t, take_in_interrupt(&safe1));
	arch_irq_enable();
	spin_lock(&unsafe1);
	spin_unlock(&unsafe1);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_IRQ), before);
	unsigned long flags = spin_lock_irqsave(&safe1);
	spin_lock(&unsafe1);
	spin_unlock(&unsafe1);
	spin_unlock_irqrestore(&safe1, flags);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_IRQ), before + 1);

	/* safe2 -> mid2 -> unsafe2 first, with interrupts off... */
	flags = spin_lock_irqsave(&safe2);
	spin_lock(&mid2);
	spin_lock(&unsafe2);
	spin_unlock(&unsafe2);
	spin_unlock(&mid2);
	spin_unlock_irqrestore(&safe2, flags);
	arch_irq_enable();
	spin_lock(&unsafe2);
	spin_unlock(&unsafe2);
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_IRQ), before + 1);
	/* ... then safe2 in an interrupt. */
	KT_ASSERT(t, take_in_interrupt(&safe2));
	KT_EXPECT_EQ(t, lockdep_reports(LOCKDEP_IRQ), before + 2);
}

static const struct ktest_case lockdep_cases[] = {
	KTEST_CASE(test_checker_tracks_the_kernel),
	KTEST_CASE(test_inversion_reported_once),
	KTEST_CASE(test_inversion_through_a_chain),
	KTEST_CASE(test_quiet_cases),
	KTEST_CASE(test_spinlock_held_across_sleep),
	KTEST_CASE(test_irq_lock_taken_with_irqs_on),
	KTEST_CASE(test_irq_lock_then_irqs_on),
	KTEST_CASE(test_irq_safe_then_irq_unsafe),
	{}
};
KTEST_SUITE(lockdep, lockdep_cases);
