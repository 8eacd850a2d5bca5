/*
 * Sleeping mutexes (kernel/mutex.h). The owner word is the lock: taking
 * it is one compare-and-swap from NULL to the caller. A task that loses
 * the race sleeps on the wait queue with wait_event, whose condition is
 * the same compare-and-swap, so a wake-up between the failed attempt and
 * the sleep is never lost (kernel/sched/wait.c explains the ordering).
 * Unlock clears the owner and wakes every waiter; one wins, the others
 * sleep again. Fair enough for short file-system critical sections.
 */
#include <kernel/mutex.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/signal.h>
#include <kernel/lockdep.h>

void mutex_init(struct mutex *m, const char *name)
{
	m->owner = NULL;
	wait_queue_init(&m->waiters);
	m->name = name;
}

bool mutex_trylock(struct mutex *m)
{
	struct task *none = NULL;
	return __atomic_compare_exchange_n(&m->owner, &none, current_task(), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void check_not_owner(struct mutex *m)
{
	if (CONFIG_DEBUG_LOCKS && mutex_held(m))
		panic("mutex %s: recursive lock", m->name);
}

void mutex_lock(struct mutex *m)
{
	if (mutex_trylock(m))
		return;
	check_not_owner(m);
	wait_event(&m->waiters, mutex_trylock(m));
}

int mutex_lock_interruptible(struct mutex *m)
{
	if (mutex_trylock(m))
		return 0;
	check_not_owner(m);
	return wait_event_interruptible(&m->waiters, mutex_trylock(m)) ? -EINTR : 0;
}

void mutex_unlock(struct mutex *m)
{
	if (CONFIG_DEBUG_LOCKS && !mutex_held(m))
		panic("mutex %s: unlocked by a task that does not hold it", m->name);
	__atomic_store_n(&m->owner, NULL, __ATOMIC_RELEASE);
	wait_queue_wake_all(&m->waiters);
}

bool mutex_held(const struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == current_task();
}
