/*
 * The vvar page: what the kernel publishes for the vDSO's clocks. Mapped
 * read-only one page below the vDSO in every process; the kernel writes it
 * through the direct map (arch/x86_64/vdso.c).
 *
 * Locking: none. tsc_base and tsc_mult are set once, before any process
 * runs; realtime_offset_ns and the time zone are single aligned words
 * rewritten by settimeofday/clock_settime (kernel/time/clock.c), so a
 * reader sees either the old or the new value, as with the syscalls.
 */
#pragma once

#ifdef VDSO_BUILD
#include <stdint.h>
#else
#include <kernel/types.h>
#endif

#define VVAR_HAVE_RDPID   (1u << 0)   /* getcpu: RDPID reads TSC_AUX */
#define VVAR_HAVE_RDTSCP  (1u << 1)   /* getcpu: RDTSCP's ECX is TSC_AUX */

struct vvar {
	uint64_t tsc_base;              /* monotonic ns = (rdtsc - base) * mult >> 32 */
	uint64_t tsc_mult;              /* 0: no calibrated TSC, use the syscalls */
	int64_t realtime_offset_ns;     /* CLOCK_REALTIME = CLOCK_MONOTONIC + offset */
	int32_t tz_minuteswest, tz_dsttime;
	uint32_t flags;                 /* VVAR_HAVE_* */
};

_Static_assert(sizeof(struct vvar) <= 4096, "the vvar data is one page");
