/*
 * Spinlocks: a test-and-test-and-set lock that records its owner CPU so
 * assert_held() and deadlock reports can name it. Lock-rank checking comes
 * with SMP (docs/scheduler.md).
 */
#include <kernel/spinlock.h>
#include <kernel/arch.h>

void spin_lock_init(struct spinlock *lock, const char *name)
{
	lock->locked = 0;
	lock->owner_cpu = -1;
	lock->name = name;
}

bool spin_trylock(struct spinlock *lock)
{
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	lock->owner_cpu = (int)arch_cpu_id();
	return true;
}

void spin_lock(struct spinlock *lock)
{
	if (lock->locked && lock->owner_cpu == (int)arch_cpu_id())
		panic("spinlock %s: recursive lock on cpu %d", lock->name, lock->owner_cpu);
	while (!spin_trylock(lock))
		while (READ_ONCE(lock->locked))
			arch_cpu_relax();
}

void spin_unlock(struct spinlock *lock)
{
	BUG_ON(!lock->locked);
	lock->owner_cpu = -1;
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	unsigned long flags = arch_irq_save();
	spin_lock(lock);
	return flags;
}

void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags)
{
	spin_unlock(lock);
	arch_irq_restore(flags);
}

bool spin_is_held(const struct spinlock *lock)
{
	return lock->locked && lock->owner_cpu == (int)arch_cpu_id();
}
