/*
 * The load average (/proc/loadavg, sysinfo's loads, so uptime and top):
 * every 5 s a timer counts the runnable tasks of every CPU (running or
 * queued, idle tasks not counted) and folds the count into three
 * exponentially decaying averages over 1, 5 and 15 minutes, kept in fixed
 * point with LOADAVG_FSHIFT fractional bits as Linux keeps them. The decay
 * factors are e^(-5 s / 1, 5, 15 min) in that fixed point.
 *
 * Tick-less: a sample that finds nothing runnable does not re-arm the
 * timer, so an idle machine takes no interrupts for it. The samples it
 * missed would all have folded in zero, which needs no timer: the first
 * CPU to leave its idle loop applies them (loadavg_wake) and re-arms, and
 * a reader in between sees them applied to a copy.
 *
 * Locking: load_lock (irqsave: the timer function runs in interrupt
 * context) covers the averages, next_sample and stopped; the timer's lock
 * nests inside it. The run-queue counts are read without their locks, a
 * snapshot that may be a task off, as any sample is.
 */
#include <kernel/sched/sched.h>
#include <kernel/timer.h>

#define LOAD_FREQ_NS (5 * NSEC_PER_SEC)

static const unsigned long load_decay[3] = { 1884, 2014, 2037 };
static struct spinlock load_lock = SPINLOCK_INIT("loadavg");
static unsigned long avenrun[3];
static struct timer load_timer;
static uint64_t next_sample;            /* when the next sample is due */
static bool stopped;                    /* no timer armed: idle at the last sample */
unsigned long loadavg_fold(unsigned long avg, unsigned long decay, unsigned long active)
{
	/* avg * decay + active * (1 - decay), rounded to nearest. */
	unsigned long one = 1ul << LOADAVG_FSHIFT;
	unsigned long sum = avg * decay + (active << LOADAVG_FSHIFT) * (one - decay);
	return (sum + one / 2) >> LOADAVG_FSHIFT;
}

static unsigned long runnable_tasks(void)
{
	unsigned long n = 0;
	for (unsigned c = 0; c < NR_CPUS; c++)
		if (READ_ONCE(rqs[c].online))
			n += READ_ONCE(rqs[c].nr_running);
	return n;
}

/* Fold in n samples of no load (stops early once nothing is left to
 * decay: the rounding keeps tiny averages at their value). */
static void decay_idle(unsigned long avg[3], uint64_t n)
{
	for (uint64_t k = 0; k < n && k < 2000; k++) {
		bool changed = false;
		for (int i = 0; i < 3; i++) {
			unsigned long v = loadavg_fold(avg[i], load_decay[i], 0);
			changed |= v != avg[i];
			avg[i] = v;
		}
		if (!changed)
			break;
	}
}

/* Samples due by now since the timer stopped. load_lock held. */
static uint64_t missed(uint64_t now)
{
	return now >= next_sample ? (now - next_sample) / LOAD_FREQ_NS + 1 : 0;
}

static void load_sample(struct timer *t)
{
	unsigned long flags = spin_lock_irqsave(&load_lock);
	unsigned long active = runnable_tasks();
	for (int i = 0; i < 3; i++)
		WRITE_ONCE(avenrun[i], loadavg_fold(avenrun[i], load_decay[i], active));
	next_sample += LOAD_FREQ_NS;
	if (active)
		timer_arm(t, next_sample);
	else
		stopped = true;
	spin_unlock_irqrestore(&load_lock, flags);
}

void loadavg_init(void)
{
	timer_init(&load_timer, load_sample);
	next_sample = time_ns() + LOAD_FREQ_NS;
	timer_arm(&load_timer, next_sample);
}

void loadavg_wake(void)
{
	if (!READ_ONCE(stopped))
		return;
	unsigned long flags = spin_lock_irqsave(&load_lock);
	if (stopped) {
		uint64_t n = missed(time_ns());
		decay_idle(avenrun, n);
		next_sample += n * LOAD_FREQ_NS;
		stopped = false;
		timer_arm(&load_timer, next_sample);
	}
	spin_unlock_irqrestore(&load_lock, flags);
}

void loadavg_get(unsigned long avg[3])
{
	unsigned long flags = spin_lock_irqsave(&load_lock);
	for (int i = 0; i < 3; i++)
		avg[i] = avenrun[i];
	if (stopped)
		decay_idle(avg, missed(time_ns()));
	spin_unlock_irqrestore(&load_lock, flags);
}
