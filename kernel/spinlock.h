/*
 * Spinlocks. spin_lock() is for data never touched from interrupt context;
 * spin_lock_irqsave() for data that is. Out-of-line (kernel/spinlock.c) so
 * that pure-logic files linked into host unit tests get a shim instead.
 *
 * A lock's name is its class for the debug lock checker (make
 * DEBUG_LOCKS=1, docs/locking.md): locks that play the same part share a
 * name, and the checker learns the order classes are taken in.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/panic.h>

struct spinlock {
	volatile uint32_t locked;
	int owner_cpu;          /* -1 when free; for assert_held and debugging */
	const char *name;
};

#define SPINLOCK_INIT(n) { .locked = 0, .owner_cpu = -1, .name = (n) }

void spin_lock_init(struct spinlock *lock, const char *name);
void spin_lock(struct spinlock *lock);
void spin_unlock(struct spinlock *lock);
bool spin_trylock(struct spinlock *lock);
unsigned long spin_lock_irqsave(struct spinlock *lock);
void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags);
bool spin_is_held(const struct spinlock *lock);

#define assert_held(lock) BUG_ON(!spin_is_held(lock))
