/*
 * Clocks and sleeping for user space (clock_gettime(2), nanosleep(2)...).
 * CLOCK_MONOTONIC is time_ns(), the calibrated TSC; CLOCK_REALTIME adds the
 * wall-clock offset read from the RTC at boot (changed by settimeofday and
 * clock_settime, root only). The CPU-time clocks, of the caller or of any
 * process or thread by the id encoding Linux uses, come from
 * kernel/time/cputime.c.
 *
 * The vDSO (arch/x86_64/vdso.c) keeps a copy of both, updated here.
 *
 * Locking: the realtime offset and the time zone are single words written
 * under settime_lock and read without it.
 */
#include <kernel/arch.h>
#include <kernel/cputime.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/uaccess.h>
#include "internal.h"

/* Dynamic (CPU-time) clock ids: ~pid << 3 | per-thread bit | which. */
#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_WHICH(c) ((c) & 3)
enum { CPUCLOCK_PROF, CPUCLOCK_VIRT, CPUCLOCK_SCHED };
#define CLOCKFD 3                       /* (id & 7) == 3: a clock fd, not supported */

/* The most seconds settimeofday accepts (Linux's TIME_SETTOD_SEC_MAX:
 * ktime's range less 30 years of uptime). */
#define SETTOD_SEC_MAX (INT64_MAX / (int64_t)NSEC_PER_SEC - 30ll * 365 * 86400)

static int64_t realtime_offset_ns;      /* realtime = monotonic + offset */
static struct { int32_t minuteswest, dsttime; } sys_tz;
static struct spinlock settime_lock = SPINLOCK_INIT("settime");

/* The vDSO answers gettimeofday and CLOCK_REALTIME from its own copy. */
static void publish_locked(void)
{
	vdso_update_clock(realtime_offset_ns, sys_tz.minuteswest, sys_tz.dsttime);
}

void clock_init(void)
{
	int64_t epoch = arch_rtc_read_epoch();
	realtime_offset_ns = epoch * (int64_t)NSEC_PER_SEC - (int64_t)time_ns();
	publish_locked();
	pr_info("clock: RTC says %lld seconds since the epoch\n", (long long)epoch);
	itimer_init();
}

int64_t clock_realtime_offset(void)
{
	return READ_ONCE(realtime_offset_ns);
}

/* ---- conversions shared by kernel/time/ ---- */

bool timespec_to_ns(const struct timespec_k *ts, int64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (int64_t)NSEC_PER_SEC)
		return false;
	if (ts->tv_sec > INT64_MAX / (int64_t)NSEC_PER_SEC - 1)
		*ns = INT64_MAX;
	else
		*ns = ts->tv_sec * (int64_t)NSEC_PER_SEC + ts->tv_nsec;
	return true;
}

bool timeval_to_ns(const struct timeval_k *tv, int64_t *ns)
{
	if (tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return false;
	struct timespec_k ts = { tv->tv_sec, tv->tv_usec * 1000 };
	return timespec_to_ns(&ts, ns);
}

struct timespec_k ns_to_timespec(int64_t ns)
{
	return (struct timespec_k){ ns / (int64_t)NSEC_PER_SEC, ns % (int64_t)NSEC_PER_SEC };
}

struct timeval_k ns_to_timeval(int64_t ns)
{
	return (struct timeval_k){ ns / (int64_t)NSEC_PER_SEC,
				   ns % (int64_t)NSEC_PER_SEC / (int64_t)NSEC_PER_USEC };
}

int put_timespec(void *uts, int64_t ns)
{
	struct timespec_k ts = ns_to_timespec(ns);
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

int get_timespec(const void *uts, int64_t *ns)
{
	struct timespec_k ts;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	return timespec_to_ns(&ts, ns) ? 0 : -EINVAL;
}

/* ---- reading clocks ---- */

/* A CPU-time clock id (negative): the process's or thread's user+system
 * (PROF, SCHED) or user (VIRT) time; -EINVAL for a bad id or no such
 * process, or a thread of another process. */
static int64_t cpu_clock_read(int clk)
{
	int pid = ~(clk >> 3);
	uint64_t u, s;

	if ((clk & 7) == CLOCKFD || CPUCLOCK_WHICH(clk) > CPUCLOCK_SCHED)
		return -EINVAL;
	struct proc *self = current_proc();
	spin_lock(&proc_tree_lock);
	if (clk & CPUCLOCK_PERTHREAD) {
		struct task *t = pid ? proc_find_task(pid) : current_task();
		if (!t || t->proc != self) {
			spin_unlock(&proc_tree_lock);
			return -EINVAL;
		}
		cputime_task_read(t, &u, &s);
	} else {
		struct proc *p = pid ? proc_find(pid) : self;
		if (!p || p->zombie) {
			spin_unlock(&proc_tree_lock);
			return -EINVAL;
		}
		cputime_proc_read_locked(p, &u, &s);
	}
	spin_unlock(&proc_tree_lock);
	return (int64_t)(CPUCLOCK_WHICH(clk) == CPUCLOCK_VIRT ? u : u + s);
}

int64_t clock_now(int clk)
{
	uint64_t u, s;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
		return (int64_t)time_ns() + READ_ONCE(realtime_offset_ns);
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:            /* no suspend: boot time is monotonic time */
	case CLOCK_BOOTTIME_ALARM:
		return (int64_t)time_ns();
	case CLOCK_PROCESS_CPUTIME_ID:
		cputime_proc_read(current_proc(), &u, &s);
		return (int64_t)(u + s);
	case CLOCK_THREAD_CPUTIME_ID:
		cputime_task_read(current_task(), &u, &s);
		return (int64_t)(u + s);
	default:
		return clk < 0 ? cpu_clock_read(clk) : -EINVAL;
	}
}

long sys_clock_gettime(int clk, void *uts)
{
	int64_t ns = clock_now(clk);
	if (ns < 0)
		return ns;
	return put_timespec(uts, ns);
}

long sys_clock_getres(int clk, void *uts)
{
	if (clock_now(clk) < 0)
		return -EINVAL;
	return uts ? put_timespec(uts, 1) : 0;
}

long sys_gettimeofday(void *utv, void *utz)
{
	if (utv) {
		struct timeval_k tv = ns_to_timeval(clock_now(CLOCK_REALTIME));
		if (copy_to_user(utv, &tv, sizeof(tv)))
			return -EFAULT;
	}
	if (utz && copy_to_user(utz, &sys_tz, sizeof(sys_tz)))
		return -EFAULT;
	return 0;
}

long sys_time(int64_t *ut)
{
	int64_t sec = clock_now(CLOCK_REALTIME) / (int64_t)NSEC_PER_SEC;
	if (ut && put_user_u64((uint64_t)sec, ut))
		return -EFAULT;
	return sec;
}

/* ---- setting the wall clock ---- */

static bool may_set_time(void)
{
	return current_proc()->cred.euid == 0;  /* CAP_SYS_TIME: root only */
}

static void set_realtime(int64_t ns)
{
	spin_lock(&settime_lock);
	WRITE_ONCE(realtime_offset_ns, ns - (int64_t)time_ns());
	publish_locked();
	spin_unlock(&settime_lock);
	timerfd_clock_was_set();
}

/* Linux's order: an unsettable clock, then the copy, then the value, then
 * the privilege. The CPU-time clocks exist but may not be set (EPERM). */
long sys_clock_settime(int clk, const void *uts)
{
	struct timespec_k ts;
	int64_t ns;

	bool cpu_clock = clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID ||
			 (clk < 0 && (clk & 7) != CLOCKFD);
	if (clk != CLOCK_REALTIME && !cpu_clock)
		return -EINVAL;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (cpu_clock)
		return clock_now(clk) < 0 ? -EINVAL : -EPERM;
	if (!timespec_to_ns(&ts, &ns) || ts.tv_sec >= SETTOD_SEC_MAX)
		return -EINVAL;
	if (!may_set_time())
		return -EPERM;
	set_realtime(ns);
	return 0;
}

long sys_settimeofday(const void *utv, const void *utz)
{
	struct timeval_k tv;
	struct { int32_t minuteswest, dsttime; } tz;
	int64_t ns = 0;

	if (utv && copy_from_user(&tv, utv, sizeof(tv)))
		return -EFAULT;
	if (utv && (tv.tv_usec < 0 || tv.tv_usec >= 1000000))
		return -EINVAL;
	if (utz && copy_from_user(&tz, utz, sizeof(tz)))
		return -EFAULT;
	if (utv && (!timeval_to_ns(&tv, &ns) || tv.tv_sec >= SETTOD_SEC_MAX))
		return -EINVAL;
	if (!may_set_time())
		return -EPERM;          /* even with nothing to set, as Linux */
	if (utz) {
		if (tz.minuteswest > 15 * 60 || tz.minuteswest < -15 * 60)
			return -EINVAL;
		spin_lock(&settime_lock);
		sys_tz.minuteswest = tz.minuteswest;
		sys_tz.dsttime = tz.dsttime;
		publish_locked();
		spin_unlock(&settime_lock);
	}
	if (utv)
		set_realtime(ns);
	return 0;
}

/* ---- sleeping ---- */

/*
 * Sleep until the monotonic deadline. A signal ends the sleep early:
 * relative sleeps report the time left in *urem and fail with EINTR (the
 * time left is not kept for a restart, so a stop/continue also gives
 * EINTR); absolute ones return ERESTARTNOHAND, which becomes EINTR when
 * a handler runs, and the same call can simply be made again otherwise.
 */
static long do_sleep(int64_t deadline, bool absolute, void *urem)
{
	if (deadline <= (int64_t)time_ns())
		return 0;
	if (sleep_until_interruptible((uint64_t)deadline) == 0)
		return 0;
	if (absolute)
		return -ERESTARTNOHAND;
	int64_t left = deadline - (int64_t)time_ns();
	if (urem && put_timespec(urem, left > 0 ? left : 0))
		return -EFAULT;
	return -EINTR;
}

long sys_nanosleep(const void *ureq, void *urem)
{
	int64_t ns;
	int err = get_timespec(ureq, &ns);
	if (err)
		return err;
	return do_sleep(ns_add_sat((int64_t)time_ns(), ns), false, urem);
}

long sys_clock_nanosleep(int clk, int flags, const void *ureq, void *urem)
{
	int64_t ns;

	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	int64_t now = clock_now(clk);
	if (now < 0)
		return -EINVAL;
	if (clk == CLOCK_PROCESS_CPUTIME_ID || clk < 0)
		return -EOPNOTSUPP;             /* sleeping on CPU time: not supported */
	int err = get_timespec(ureq, &ns);
	if (err)
		return err;
	int64_t mono_now = (int64_t)time_ns();
	bool absolute = flags & TIMER_ABSTIME;
	int64_t delta = absolute ? ns - now : ns;
	if (delta <= 0)
		return 0;
	/* An absolute realtime sleep keeps its monotonic deadline if the
	 * clock is set meanwhile (Linux would follow the new time). */
	return do_sleep(ns_add_sat(mono_now, delta), absolute, urem);
}

int64_t clock_realtime_ns(void)
{
	return (int64_t)time_ns() + READ_ONCE(realtime_offset_ns);
}
