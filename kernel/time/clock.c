/*
 * Clocks and sleeping for user space (clock_gettime(2), nanosleep(2)...).
 * CLOCK_MONOTONIC is time_ns(), the calibrated TSC; CLOCK_REALTIME adds the
 * wall-clock offset read from the RTC at boot (changed by settimeofday).
 * Per-process and per-thread CPU clocks come from scheduler accounting.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/uaccess.h>

enum {
	CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
	CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
	CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
};
#define TIMER_ABSTIME 1

struct timespec_k {
	int64_t tv_sec, tv_nsec;
};

static int64_t realtime_offset_ns;      /* realtime = monotonic + offset */

void clock_init(void)
{
	int64_t epoch = arch_rtc_read_epoch();
	realtime_offset_ns = epoch * (int64_t)NSEC_PER_SEC - (int64_t)time_ns();
	pr_info("clock: RTC says %lld seconds since the epoch\n", (long long)epoch);
}

static uint64_t task_cpu_ns(struct task *t)
{
	return sched_runtime_ns(t);
}

/* The clock's value in ns, or -EINVAL for an unknown clock. */
static int64_t clock_read(int clk)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		return (int64_t)time_ns() + READ_ONCE(realtime_offset_ns);
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return (int64_t)time_ns();
	case CLOCK_PROCESS_CPUTIME_ID:          /* one thread per process for now */
	case CLOCK_THREAD_CPUTIME_ID:
		return (int64_t)task_cpu_ns(current_task());
	default:
		return -EINVAL;
	}
}

static int put_timespec(void *uts, int64_t ns)
{
	struct timespec_k ts = { ns / (int64_t)NSEC_PER_SEC, ns % (int64_t)NSEC_PER_SEC };
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

static int get_timespec(const void *uts, int64_t *ns)
{
	struct timespec_k ts;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	/* Saturate rather than overflow: ~292 years is forever here. */
	if (ts.tv_sec > INT64_MAX / (int64_t)NSEC_PER_SEC - 1)
		*ns = INT64_MAX;
	else
		*ns = ts.tv_sec * (int64_t)NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

long sys_clock_gettime(int clk, void *uts)
{
	int64_t ns = clock_read(clk);
	if (ns < 0)
		return ns;
	return put_timespec(uts, ns);
}

long sys_clock_getres(int clk, void *uts)
{
	if (clock_read(clk) < 0)
		return -EINVAL;
	return uts ? put_timespec(uts, 1) : 0;
}

long sys_gettimeofday(void *utv, void *utz)
{
	if (utv) {
		int64_t ns = clock_read(CLOCK_REALTIME);
		struct { int64_t sec, usec; } tv = { ns / (int64_t)NSEC_PER_SEC,
						     ns % (int64_t)NSEC_PER_SEC / 1000 };
		if (copy_to_user(utv, &tv, sizeof(tv)))
			return -EFAULT;
	}
	if (utz) {
		struct { int32_t minuteswest, dsttime; } tz = { 0, 0 };
		if (copy_to_user(utz, &tz, sizeof(tz)))
			return -EFAULT;
	}
	return 0;
}

long sys_time(int64_t *ut)
{
	int64_t sec = clock_read(CLOCK_REALTIME) / (int64_t)NSEC_PER_SEC;
	if (ut && put_user_u64((uint64_t)sec, ut))
		return -EFAULT;
	return sec;
}

long sys_clock_settime(int clk, const void *uts)
{
	int64_t ns;
	if (clk != CLOCK_REALTIME)
		return clock_read(clk) < 0 ? -EINVAL : -EINVAL;
	int err = get_timespec(uts, &ns);
	if (err)
		return err;
	if (current_proc()->cred.euid != 0)
		return -EPERM;
	WRITE_ONCE(realtime_offset_ns, ns - (int64_t)time_ns());
	return 0;
}

long sys_settimeofday(const void *utv, const void *utz)
{
	struct { int64_t sec, usec; } tv;
	if (!utv)
		return 0;
	if (copy_from_user(&tv, utv, sizeof(tv)))
		return -EFAULT;
	if (tv.sec < 0 || tv.usec < 0 || tv.usec >= 1000000)
		return -EINVAL;
	if (current_proc()->cred.euid != 0)
		return -EPERM;
	int64_t ns = tv.sec * (int64_t)NSEC_PER_SEC + tv.usec * 1000;
	WRITE_ONCE(realtime_offset_ns, ns - (int64_t)time_ns());
	return 0;
}

/* Sleep until the monotonic deadline; signals (EINTR and the remaining
 * time) arrive with the signals issue. */
static long do_sleep(int64_t deadline_mono)
{
	if (deadline_mono > (int64_t)time_ns())
		sleep_until((uint64_t)deadline_mono);
	return 0;
}

long sys_nanosleep(const void *ureq, void *urem)
{
	int64_t ns;
	int err = get_timespec(ureq, &ns);
	if (err)
		return err;
	int64_t now = (int64_t)time_ns();
	return do_sleep(ns > INT64_MAX - now ? INT64_MAX : now + ns);
}

long sys_clock_nanosleep(int clk, int flags, const void *ureq, void *urem)
{
	int64_t ns;

	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	int64_t now = clock_read(clk);
	if (now < 0)
		return -EINVAL;
	if (clk == CLOCK_PROCESS_CPUTIME_ID)
		return -EOPNOTSUPP;             /* sleeping on CPU time: not supported */
	int err = get_timespec(ureq, &ns);
	if (err)
		return err;
	int64_t mono_now = (int64_t)time_ns();
	int64_t delta = (flags & TIMER_ABSTIME) ? ns - now : ns;
	if (delta <= 0)
		return 0;
	return do_sleep(delta > INT64_MAX - mono_now ? INT64_MAX : mono_now + delta);
}

/* struct tms: clock ticks (USER_HZ = 100). */
long sys_times(void *ubuf)
{
	uint64_t ticks = task_cpu_ns(current_task()) / (NSEC_PER_SEC / 100);
	if (ubuf) {
		int64_t tms[4] = { (int64_t)ticks, 0, 0, 0 };
		if (copy_to_user(ubuf, tms, sizeof(tms)))
			return -EFAULT;
	}
	return (long)(time_ns() / (NSEC_PER_SEC / 100));
}
