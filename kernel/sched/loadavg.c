/*
 * The load average (/proc/loadavg, sysinfo's loads, so uptime and top):
 * every 5 s a timer on the boot CPU counts the runnable tasks of every CPU
 * (running or queued, idle tasks not counted) and folds the count into
 * three exponentially decaying averages over 1, 5 and 15 minutes, kept in
 * fixed point with LOADAVG_FSHIFT fractional bits as Linux keeps them.
 * The decay factors are e^(-5 s / 1, 5, 15 min) in that fixed point.
 *
 * Locking: none. The averages are written only by the timer's function
 * (it re-arms itself, so it never runs twice at once) and read as single
 * words; the run-queue counts are read without their locks, a snapshot
 * that may be a task off, as any sample is.
 */
#include <kernel/sched/sched.h>
#include <kernel/timer.h>

#define LOAD_FREQ_NS (5 * NSEC_PER_SEC)

static const unsigned long load_decay[3] = { 1884, 2014, 2037 };
static unsigned long avenrun[3];
static struct timer load_timer;
static uint64_t next_sample;

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

static void load_sample(struct timer *t)
{
	unsigned long active = runnable_tasks();
	for (int i = 0; i < 3; i++)
		WRITE_ONCE(avenrun[i], loadavg_fold(avenrun[i], load_decay[i], active));
	next_sample += LOAD_FREQ_NS;
	timer_arm(t, next_sample);
}

void loadavg_init(void)
{
	timer_init(&load_timer, load_sample);
	next_sample = time_ns() + LOAD_FREQ_NS;
	timer_arm(&load_timer, next_sample);
}

void loadavg_get(unsigned long avg[3])
{
	for (int i = 0; i < 3; i++)
		avg[i] = READ_ONCE(avenrun[i]);
}
