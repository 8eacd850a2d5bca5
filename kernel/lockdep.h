/*
 * The debug lock checker (kernel/lockdep.c, docs/locking.md). Built in
 * with `make DEBUG_LOCKS=1` (CONFIG_DEBUG_LOCKS=1); otherwise every hook
 * below is an empty inline and the spinlock code is what it always was.
 *
 * It reports, once each, with the lock names and where they were taken:
 *   - an inversion: lock B taken while holding A after A was once taken
 *     while holding B (through any chain of locks);
 *   - a task calling schedule() (sleeping, yielding) with a spinlock held;
 *   - a lock taken in interrupt context that is also taken somewhere with
 *     interrupts enabled, or that is held (through any chain) while one
 *     taken with interrupts enabled is taken.
 * Reports are warnings: the kernel goes on. Each one starts with a line
 * "lockdep: WARNING: ..." or "lockdep: BUG: ..." naming the locks.
 */
#pragma once

#include <kernel/types.h>

#ifndef CONFIG_DEBUG_LOCKS
#define CONFIG_DEBUG_LOCKS 0
#endif

struct spinlock;

enum lockdep_kind {
	LOCKDEP_INVERSION,      /* possible circular locking dependency */
	LOCKDEP_SLEEP,          /* schedule() with a spinlock held */
	LOCKDEP_IRQ,            /* interrupt context vs interrupts on, directly or by order */
	LOCKDEP_KINDS,
};

/* The checker proper; only called when CONFIG_DEBUG_LOCKS. */
void lockdep_acquire(struct spinlock *lock, uintptr_t ip, bool trylock);
void lockdep_release(struct spinlock *lock);
void __lockdep_irq_enter(void);
void __lockdep_irq_exit(void);
void __lockdep_check_sleep(uintptr_t ip);
/* Reports of a kind made since boot (tests read them). */
unsigned lockdep_reports(enum lockdep_kind kind);
/* Lock classes and distinct dependencies (A held while taking B) seen. */
void lockdep_stats(unsigned *classes, unsigned *dependencies);

/* The arch's interrupt entry brackets device/timer/IPI handlers. */
static inline void lockdep_irq_enter(void)
{
	if (CONFIG_DEBUG_LOCKS)
		__lockdep_irq_enter();
}

static inline void lockdep_irq_exit(void)
{
	if (CONFIG_DEBUG_LOCKS)
		__lockdep_irq_exit();
}

/* schedule(): the task giving up the CPU must hold no spinlock. (Inlined
 * so that the report names schedule()'s caller.) */
static inline __attribute__((always_inline)) void lockdep_check_sleep(void)
{
	if (CONFIG_DEBUG_LOCKS)
		__lockdep_check_sleep((uintptr_t)__builtin_return_address(0));
}
