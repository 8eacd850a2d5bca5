/*
 * Timers: a sorted list per CPU; the hardware one-shot timer is programmed
 * for the head of the list and nothing else. With no timer armed the CPU
 * takes no timer interrupts at all (tick-less).
 *
 * Locking: timer_lock (irqsave) protects the list and every timer's
 * armed/link fields. Timer functions run with it dropped, in interrupt
 * context, and may re-arm their timer.
 */
#include <kernel/timer.h>
#include <kernel/arch.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <kernel/time.h>

#define MAX_CPUS_TIMERS 64

static struct spinlock timer_lock = SPINLOCK_INIT("timers");
static LIST_HEAD(timers);               /* sorted by deadline */
static uint64_t irq_counts[MAX_CPUS_TIMERS];

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	t->fn = fn;
	t->armed = false;
	list_init(&t->link);
}

/* Program the hardware for the earliest timer, or stop it. Lock held. */
static void reprogram(void)
{
	assert_held(&timer_lock);
	if (list_empty(&timers))
		arch_timer_stop();
	else
		arch_timer_arm(list_first_entry(&timers, struct timer, link)->deadline);
}

static void insert_sorted(struct timer *t)
{
	struct timer *pos;
	list_for_each_entry(pos, &timers, link) {
		if (pos->deadline > t->deadline) {
			list_add_tail(&t->link, &pos->link);
			return;
		}
	}
	list_add_tail(&t->link, &timers);
}

void timer_arm(struct timer *t, uint64_t deadline)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	if (t->armed)
		list_del(&t->link);
	t->deadline = deadline;
	t->armed = true;
	insert_sorted(t);
	if (list_first_entry(&timers, struct timer, link) == t)
		reprogram();
	spin_unlock_irqrestore(&timer_lock, flags);
}

bool timer_cancel(struct timer *t)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	bool was = t->armed;
	if (was) {
		bool head = list_first_entry(&timers, struct timer, link) == t;
		list_del(&t->link);
		t->armed = false;
		if (head)
			reprogram();
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	return was;
}

void timer_interrupt(void)
{
	unsigned cpu = arch_cpu_id();
	if (cpu < MAX_CPUS_TIMERS)
		irq_counts[cpu]++;

	spin_lock(&timer_lock);
	for (;;) {
		if (list_empty(&timers))
			break;
		struct timer *t = list_first_entry(&timers, struct timer, link);
		if (t->deadline > time_ns())
			break;
		list_del(&t->link);
		t->armed = false;
		spin_unlock(&timer_lock);
		t->fn(t);
		spin_lock(&timer_lock);
	}
	reprogram();
	spin_unlock(&timer_lock);
}

uint64_t timer_irq_count(unsigned cpu)
{
	return cpu < MAX_CPUS_TIMERS ? READ_ONCE(irq_counts[cpu]) : 0;
}

struct sleeper {
	struct timer timer;
	struct task *task;
	volatile bool done;
};

static void sleeper_wake(struct timer *t)
{
	struct sleeper *s = container_of(t, struct sleeper, timer);
	s->done = true;
	task_wake(s->task);
}

void sleep_until(uint64_t deadline)
{
	struct sleeper s = { .task = current_task() };

	timer_init(&s.timer, sleeper_wake);
	while (time_ns() < deadline) {
		s.done = false;
		/* SLEEPING before arming: a wake-up that comes at once is not lost. */
		WRITE_ONCE(s.task->state, TASK_SLEEPING);
		timer_arm(&s.timer, deadline);
		schedule();
		timer_cancel(&s.timer);
	}
	WRITE_ONCE(s.task->state, TASK_RUNNABLE);
}
