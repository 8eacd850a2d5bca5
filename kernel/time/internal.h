/* Shared by the files of kernel/time/: clock ids, the user-visible time
 * structures and their conversions. */
#pragma once

#include <kernel/types.h>
#include <kernel/time.h>

enum {
	CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
	CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
	CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8,
	CLOCK_BOOTTIME_ALARM = 9,
};
#define TIMER_ABSTIME 1

/* struct timespec / struct timeval of x86-64. */
struct timespec_k {
	int64_t tv_sec, tv_nsec;
};
struct timeval_k {
	int64_t tv_sec, tv_usec;
};

/* The clock's value in ns, or -EINVAL for an unknown clock (clock.c). */
int64_t clock_now(int clk);
/* realtime = monotonic + this offset (changed by clock_settime). */
int64_t clock_realtime_offset(void);

/* A timespec as ns, saturating at INT64_MAX (292 years is forever here);
 * false if it is not valid (negative, or nsec out of range). */
bool timespec_to_ns(const struct timespec_k *ts, int64_t *ns);
bool timeval_to_ns(const struct timeval_k *tv, int64_t *ns);
struct timespec_k ns_to_timespec(int64_t ns);
struct timeval_k ns_to_timeval(int64_t ns);
/* copy_from_user + validation: 0, -EFAULT or -EINVAL. */
int get_timespec(const void *uts, int64_t *ns);
int put_timespec(void *uts, int64_t ns);

/* a + b for non-negative values, saturating at INT64_MAX. */
static inline int64_t ns_add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* kernel/time/timerfd.c: the realtime clock was set. */
void timerfd_clock_was_set(void);
