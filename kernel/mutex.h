/*
 * Sleeping mutexes (kernel/sched/mutex.c): for critical sections that may
 * sleep (file-system operations, allocation of pages, block I/O). A task
 * waiting for one sleeps on the mutex's wait queue instead of spinning.
 *
 * Rules: not from interrupt context; the owner unlocks; not recursive
 * (a task locking a mutex it holds deadlocks; CONFIG_DEBUG_LOCKS panics).
 * A spinlock may be taken under a mutex, never the other way round.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/task.h>

struct mutex {
	struct task *owner;             /* atomic: NULL when free */
	struct wait_queue waiters;      /* tasks sleeping in mutex_lock */
	const char *name;
};

#define MUTEX_INIT(m, n) { NULL, WAIT_QUEUE_INIT((m).waiters), n }

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
/* Like mutex_lock, but a pending signal stops the wait: 0 or -EINTR. */
int mutex_lock_interruptible(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* The calling task holds m (for assertions). */
bool mutex_held(const struct mutex *m);
