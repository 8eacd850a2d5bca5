/*
 * Kernel time: a monotonic nanosecond clock and busy-wait delays. On x86 the
 * clock is the TSC, calibrated at boot against the HPET or the PIT
 * (arch/x86_64/time/tsc.c); nothing here depends on which.
 */
#pragma once

#include <kernel/types.h>

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC  1000000000ull

/* Nanoseconds since time_early_init() (or since calibration if that was
 * not called); 0 until the clock is calibrated. Never goes backwards on one
 * CPU; does not wrap for centuries. Callable from any context. */
uint64_t time_ns(void);

/* Frequency of the clock source in kHz; 0 until calibrated. Written once
 * on the boot CPU before other CPUs start, read-only afterwards. */
extern uint64_t tsc_khz;

/* Busy-wait at least the given time. Before calibration they fall back to
 * the HPET or the PIT, so they are usable from the start of boot. */
void ndelay(unsigned ns);
void udelay(unsigned us);
void mdelay(unsigned ms);

/* Optional: note "boot" as early as possible so time_ns() counts from it. */
void time_early_init(void);

/* Read the wall clock (RTC) once; kernel/time/clock.c. */
void clock_init(void);
/* CLOCK_REALTIME now, in ns since the epoch (time_ns() plus the offset
 * clock_settime last set); kernel/time/clock.c. */
int64_t clock_realtime_ns(void);
