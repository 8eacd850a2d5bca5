/*
 * The vDSO: clock_gettime, gettimeofday, time and getcpu without entering
 * the kernel, as Linux's x86-64 vDSO provides them (version LINUX_2.6).
 * musl finds them through AT_SYSINFO_EHDR and calls them in place of the
 * syscalls.
 *
 * This is user-mode code linked into its own small shared object
 * (vdso.lds) and mapped into every process; it must be position
 * independent with no relocations. It reads the vvar page, mapped just
 * below it (vvar.h), and falls back to the real syscall for everything it
 * does not answer itself (CPU-time clocks, bad clock ids, an uncalibrated
 * TSC), so callers see exactly the syscall's result.
 */
#define VDSO_BUILD
#include <stddef.h>
#include <stdint.h>
#include "vvar.h"

/* Placed by vdso.lds one page below the vDSO's first byte. */
extern const volatile struct vvar vvar_page __attribute__((visibility("hidden")));

#define NSEC_PER_SEC 1000000000ll

/* Linux's clock ids. */
#define CLOCK_REALTIME          0
#define CLOCK_MONOTONIC         1
#define CLOCK_MONOTONIC_RAW     4
#define CLOCK_REALTIME_COARSE   5
#define CLOCK_MONOTONIC_COARSE  6
#define CLOCK_BOOTTIME          7

#define SYS_gettimeofday  96
#define SYS_time          201
#define SYS_clock_gettime 228
#define SYS_getcpu        309

struct timespec_v { int64_t tv_sec; int64_t tv_nsec; };
struct timeval_v { int64_t tv_sec; int64_t tv_usec; };
struct timezone_v { int32_t tz_minuteswest, tz_dsttime; };

static long syscall3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	/* LFENCE keeps the read from moving before earlier loads, as the
	 * kernel's own clock reads do not need but a user's timing code does. */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Monotonic nanoseconds, or -1 when the syscall must answer. */
static int64_t mono_ns(void)
{
	uint64_t mult = vvar_page.tsc_mult;
	if (!mult)
		return -1;
	return (int64_t)(((unsigned __int128)(rdtsc_ordered() - vvar_page.tsc_base) * mult) >> 32);
}

/* ns (may be negative before the epoch) as seconds and [0, 1e9) ns. */
static void split(int64_t ns, int64_t *sec, int64_t *rem)
{
	int64_t s = ns / NSEC_PER_SEC, r = ns % NSEC_PER_SEC;
	if (r < 0) {
		r += NSEC_PER_SEC;
		s--;
	}
	*sec = s;
	*rem = r;
}

int __vdso_clock_gettime(int clk, struct timespec_v *ts);
int __vdso_clock_gettime(int clk, struct timespec_v *ts)
{
	int64_t ns = mono_ns();

	if (ns < 0)
		return (int)syscall3(SYS_clock_gettime, clk, (long)ts, 0);
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		ns += vvar_page.realtime_offset_ns;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		break;
	default:
		return (int)syscall3(SYS_clock_gettime, clk, (long)ts, 0);
	}
	/* A bad pointer faults here, in user mode, as it would in any libc
	 * function: Linux's vDSO does the same. */
	split(ns, &ts->tv_sec, &ts->tv_nsec);
	return 0;
}

int __vdso_gettimeofday(struct timeval_v *tv, struct timezone_v *tz);
int __vdso_gettimeofday(struct timeval_v *tv, struct timezone_v *tz)
{
	int64_t ns = mono_ns();

	if (ns < 0)
		return (int)syscall3(SYS_gettimeofday, (long)tv, (long)tz, 0);
	if (tv) {
		int64_t sec, rem;
		split(ns + vvar_page.realtime_offset_ns, &sec, &rem);
		tv->tv_sec = sec;
		tv->tv_usec = rem / 1000;
	}
	if (tz) {
		tz->tz_minuteswest = vvar_page.tz_minuteswest;
		tz->tz_dsttime = vvar_page.tz_dsttime;
	}
	return 0;
}

int64_t __vdso_time(int64_t *t);
int64_t __vdso_time(int64_t *t)
{
	int64_t ns = mono_ns(), sec, rem;

	if (ns < 0)
		return syscall3(SYS_time, (long)t, 0, 0);
	split(ns + vvar_page.realtime_offset_ns, &sec, &rem);
	if (t)
		*t = sec;
	return sec;
}

/* TSC_AUX holds the CPU number (the kernel writes it on each CPU). */
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused);
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
	uint32_t flags = vvar_page.flags;
	uint64_t aux;

	if (flags & VVAR_HAVE_RDPID) {
		__asm__ volatile("rdpid %0" : "=r"(aux));
	} else if (flags & VVAR_HAVE_RDTSCP) {
		uint32_t lo, hi, c;
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
		aux = c;
	} else {
		return syscall3(SYS_getcpu, (long)cpu, (long)node, (long)unused);
	}
	if (cpu)
		*cpu = (unsigned)aux & 0xfff;
	if (node)
		*node = (unsigned)aux >> 12;
	return 0;
}

/* The plain names Linux's vDSO exports too, as aliases. */
int clock_gettime(int, struct timespec_v *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval_v *, struct timezone_v *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
