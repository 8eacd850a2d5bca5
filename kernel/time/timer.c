/*
 * Timers: a sorted list per CPU; each CPU's hardware one-shot timer is
 * programmed for the head of its own list and nothing else. With no timer
 * armed a CPU takes no timer interrupts at all (tick-less).
 *
 * The hardware is reprogrammed lazily: writing the deadline (an MSR or
 * an APIC register) is the expensive part of a timer operation, above all
 * in a VM, and the scheduler moves its slice timer on every switch. So
 * arming only reprograms when the new head is due before what the
 * hardware already waits for, and cancelling never does: an interrupt that
 * comes early finds nothing due and programs the real head (or stops the
 * timer). The price is at most one spurious interrupt per cancelled or
 * postponed head.
 *
 * Locking: each base's lock (irqsave) protects its list, the armed/link
 * fields of the timers on it and which timer is running; t->cpu says which
 * base a timer is on. Timer functions run with it dropped, in interrupt
 * context, on the CPU that armed them, and may re-arm their timer; an
 * owner that frees a timer first waits for it with timer_cancel_sync().
 */
#include <kernel/timer.h>
#include <kernel/arch.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/smp.h>
#include <kernel/signal.h>
#include <kernel/errno.h>

/* The hardware is never programmed further ahead than this: the arch's
 * cycle arithmetic stays far from overflow, and a timer due in a century
 * costs one spurious interrupt an hour. */
#define MAX_HW_AHEAD_NS (3600 * NSEC_PER_SEC)


struct timer_base {
	struct spinlock lock;
	struct list_head timers;        /* sorted by deadline */
	struct timer *running;          /* whose function runs now (lock dropped) */
	uint64_t hw_deadline;           /* what the hardware is set for; 0: stopped */
	uint64_t irq_count;
};

static struct timer_base bases[NR_CPUS];

static struct timer_base *base_of(unsigned cpu)
{
	struct timer_base *b = &bases[cpu];
	/* Zero-initialised bases are set up on first use (before SMP, or by
	 * their own CPU: no two CPUs initialise the same base). */
	if (!b->timers.next) {
		spin_lock_init(&b->lock, "timers");
		list_init(&b->timers);
	}
	return b;
}

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	t->fn = fn;
	t->armed = false;
	list_init(&t->link);
}

/* Program this CPU's hardware for its earliest timer, or stop it. */
static void reprogram(struct timer_base *b)
{
	assert_held(&b->lock);
	if (list_empty(&b->timers)) {
		if (b->hw_deadline)
			arch_timer_stop();
		b->hw_deadline = 0;
		return;
	}
	uint64_t deadline = list_first_entry(&b->timers, struct timer, link)->deadline;
	b->hw_deadline = MAX(MIN(deadline, time_ns() + MAX_HW_AHEAD_NS), 1);
	arch_timer_arm(b->hw_deadline);
}

static void insert_sorted(struct timer_base *b, struct timer *t)
{
	struct timer *pos;
	list_for_each_entry(pos, &b->timers, link) {
		if (pos->deadline > t->deadline) {
			list_add_tail(&t->link, &pos->link);
			return;
		}
	}
	list_add_tail(&t->link, &b->timers);
}

bool timer_cancel(struct timer *t)
{
	struct timer_base *b = base_of(READ_ONCE(t->cpu));
	unsigned long flags = spin_lock_irqsave(&b->lock);
	bool was = t->armed;
	if (was) {
		/* The hardware is left as it is (see the top): its interrupt
		 * may now come early, find nothing due and reprogram. */
		list_del(&t->link);
		t->armed = false;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	return was;
}

bool timer_cancel_sync(struct timer *t)
{
	bool was = false;

	for (;;) {
		was |= timer_cancel(t);
		struct timer_base *b = base_of(READ_ONCE(t->cpu));
		unsigned long flags = spin_lock_irqsave(&b->lock);
		bool busy = b->running == t || t->armed;
		spin_unlock_irqrestore(&b->lock, flags);
		if (!busy)
			return was;
		arch_cpu_relax();       /* its function runs (and may re-arm it) */
	}
}

/* Arm on the calling CPU (a timer armed elsewhere is moved here). */
void timer_arm(struct timer *t, uint64_t deadline)
{
	if (t->armed && t->cpu != arch_cpu_id())
		timer_cancel(t);
	unsigned cpu = arch_cpu_id();
	struct timer_base *b = base_of(cpu);
	unsigned long flags = spin_lock_irqsave(&b->lock);
	if (t->armed)
		list_del(&t->link);
	t->cpu = cpu;
	t->deadline = deadline;
	t->armed = true;
	insert_sorted(b, t);
	/* Reprogram only for a head due before what the hardware waits for. */
	if (list_first_entry(&b->timers, struct timer, link) == t &&
	    (!b->hw_deadline || deadline < b->hw_deadline))
		reprogram(b);
	spin_unlock_irqrestore(&b->lock, flags);
}

void timer_interrupt(void)
{
	struct timer_base *b = base_of(arch_cpu_id());

	b->irq_count++;
	spin_lock(&b->lock);
	for (;;) {
		if (list_empty(&b->timers))
			break;
		struct timer *t = list_first_entry(&b->timers, struct timer, link);
		if (t->deadline > time_ns())
			break;
		list_del(&t->link);
		t->armed = false;
		b->running = t;
		spin_unlock(&b->lock);
		t->fn(t);
		spin_lock(&b->lock);
		b->running = NULL;
	}
	reprogram(b);
	spin_unlock(&b->lock);
}

uint64_t timer_irq_count(unsigned cpu)
{
	return cpu < NR_CPUS ? READ_ONCE(bases[cpu].irq_count) : 0;
}

struct sleeper {
	struct timer timer;
	struct task *task;
};

static void sleeper_wake(struct timer *t)
{
	struct sleeper *s = container_of(t, struct sleeper, timer);
	task_wake(s->task);
}

/*
 * Sleep until the deadline; any task_wake() (a signal_kick among them)
 * makes the loop look again. The timer lives on this stack frame, so it is
 * cancelled synchronously before the frame goes: the task may run on
 * another CPU than the one whose interrupt is just now waking it.
 */
static int sleep_common(uint64_t deadline, bool interruptible)
{
	struct sleeper s = { .task = current_task() };
	int r = 0;

	timer_init(&s.timer, sleeper_wake);
	while (time_ns() < deadline) {
		/* SLEEPING before the checks: a wake-up after them is not lost. */
		WRITE_ONCE(s.task->state, TASK_SLEEPING);
		if (interruptible && signal_pending()) {
			r = -EINTR;
			break;
		}
		timer_arm(&s.timer, deadline);
		schedule();
		timer_cancel_sync(&s.timer);
	}
	WRITE_ONCE(s.task->state, TASK_RUNNABLE);
	return r;
}

void sleep_until(uint64_t deadline)
{
	sleep_common(deadline, false);
}

int sleep_until_interruptible(uint64_t deadline)
{
	return sleep_common(deadline, true);
}
