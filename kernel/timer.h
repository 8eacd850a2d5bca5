/*
 * One-shot kernel timers on the monotonic clock, and the tick-less rule:
 * a CPU's hardware timer is armed only for its earliest timer (or a time
 * slice when it has more than one runnable task), never periodically.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>

struct timer {
	uint64_t deadline;              /* time_ns() value */
	void (*fn)(struct timer *t);    /* runs in interrupt context */
	struct list_head link;          /* on the CPU's list while armed */
	bool armed;
	unsigned cpu;                   /* whose list it is on while armed */
};

void timer_init(struct timer *t, void (*fn)(struct timer *t));
/* Arm (or re-arm) t to fire at deadline. */
void timer_arm(struct timer *t, uint64_t deadline);
/* Disarm; true if it was armed (had not fired). Its function may still be
 * running on another CPU. */
bool timer_cancel(struct timer *t);
/* Disarm and wait until its function is not running anywhere (a function
 * that re-arms its timer must stop doing so, or this never returns). Not
 * from the timer's own function; true if it was armed. */
bool timer_cancel_sync(struct timer *t);

/* Called by the architecture's timer interrupt. */
void timer_interrupt(void);
/* Hardware timer interrupts taken by this CPU (the LOC line of /proc/interrupts). */
uint64_t timer_irq_count(unsigned cpu);

/* Sleep the calling task until deadline (monotonic ns). */
void sleep_until(uint64_t deadline);
/* The same, but a pending signal (signal_pending()) ends it early:
 * 0 at the deadline, -EINTR if a signal came first. */
int sleep_until_interruptible(uint64_t deadline);

/* Arch: program this CPU's one-shot timer (kernel/arch.h style hooks). */
void arch_timer_arm(uint64_t deadline_ns);
void arch_timer_stop(void);
