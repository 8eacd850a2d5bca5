/*
 * Host stand-ins for the few kernel services that pure-logic files call:
 * locking (single-threaded here), printk (to stdout) and panic (fails the
 * running cmocka test).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <kernel/spinlock.h>
#include <kernel/printk.h>
#include <kernel/panic.h>

void spin_lock_init(struct spinlock *lock, const char *name)
{
	lock->locked = 0;
	lock->owner_cpu = -1;
	lock->name = name;
}

void spin_lock(struct spinlock *lock)
{
	assert_int_equal(lock->locked, 0);
	lock->locked = 1;
	lock->owner_cpu = 0;
}

void spin_unlock(struct spinlock *lock)
{
	assert_int_equal(lock->locked, 1);
	lock->locked = 0;
	lock->owner_cpu = -1;
}

bool spin_trylock(struct spinlock *lock)
{
	if (lock->locked)
		return false;
	spin_lock(lock);
	return true;
}

unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	spin_lock(lock);
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags)
{
	(void)flags;
	spin_unlock(lock);
}

bool spin_is_held(const struct spinlock *lock)
{
	return lock->locked;
}

int vprintk(const char *fmt, va_list ap)
{
	if (fmt[0] == '\001' && fmt[1])
		fmt += 2;
	if (getenv("UNIT_VERBOSE"))
		return vprintf(fmt, ap);
	return 0;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

/* A kernel panic in code under test is a test failure, never an abort. */
void panic(const char *fmt, ...)
{
	static char msg[512];   /* cmocka keeps the pointer after we return */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort();
}
