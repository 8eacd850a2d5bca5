/*
 * Spinlocks: a test-and-test-and-set lock that records its owner CPU so
 * assert_held() and deadlock reports can name it. With CONFIG_DEBUG_LOCKS
 * every acquisition and release also goes through the lock checker
 * (kernel/lockdep.c, docs/locking.md); without it that code is compiled
 * but never reached, and the lock is just the atomic exchange.
 */
#include <kernel/spinlock.h>
#include <kernel/arch.h>
#include <kernel/lockdep.h>

#define CALLER_IP ((uintptr_t)__builtin_return_address(0))

void spin_lock_init(struct spinlock *lock, const char *name)
{
	lock->locked = 0;
	lock->owner_cpu = -1;
	lock->name = name;
}

static inline bool raw_trylock(struct spinlock *lock)
{
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	lock->owner_cpu = (int)arch_cpu_id();
	return true;
}

/* Take the lock, without the checker. */
static inline void lock_loop(struct spinlock *lock)
{
	if (lock->locked && lock->owner_cpu == (int)arch_cpu_id())
		panic("spinlock %s: recursive lock on cpu %d", lock->name, lock->owner_cpu);
	while (!raw_trylock(lock))
		while (READ_ONCE(lock->locked))
			arch_cpu_relax();
}

/* The same out of line, for spin_lock_irqsave in the debug build (which
 * must name its own caller to the checker). Without the checker
 * spin_lock_irqsave calls spin_lock, as it always did: inlining the loop
 * there made the whole kernel several times slower under QEMU's TCG. */
static __attribute__((noinline)) void lock_spin(struct spinlock *lock)
{
	lock_loop(lock);
}

bool spin_trylock(struct spinlock *lock)
{
	if (!raw_trylock(lock))
		return false;
	if (CONFIG_DEBUG_LOCKS)
		lockdep_acquire(lock, CALLER_IP, true);
	return true;
}

__attribute__((noinline)) void spin_lock(struct spinlock *lock)
{
	if (CONFIG_DEBUG_LOCKS)
		lockdep_acquire(lock, CALLER_IP, false);
	lock_loop(lock);
}

void spin_unlock(struct spinlock *lock)
{
	BUG_ON(!lock->locked);
	lock->owner_cpu = -1;
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	/* After the release: a report printed from here waits for no lock
	 * this CPU holds. */
	if (CONFIG_DEBUG_LOCKS)
		lockdep_release(lock);
}

unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	unsigned long flags = arch_irq_save();
	if (CONFIG_DEBUG_LOCKS) {
		lockdep_acquire(lock, CALLER_IP, false);
		lock_spin(lock);
	} else {
		spin_lock(lock);
	}
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
