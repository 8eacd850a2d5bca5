/* Clocks, sleeping and time slices. Timing figures are printed, and the
 * tests fail only on gross errors (sleeping less than asked, a clock going
 * backwards), never on speed. */
#include "utest.h"
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

static long long ns_now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

UT_CASE(test_monotonic_increases)
{
	long long prev = ns_now(CLOCK_MONOTONIC);
	for (int i = 0; i < 1000; i++) {
		long long now = ns_now(CLOCK_MONOTONIC);
		UT_ASSERT(now >= prev);
		prev = now;
	}
}

UT_CASE(test_realtime_is_plausible)
{
	struct timespec ts;
	UT_EXPECT_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0);
	UT_EXPECT(ts.tv_sec > 1700000000);              /* after 2023 */
	struct timeval tv;
	UT_EXPECT_EQ(gettimeofday(&tv, NULL), 0);
	UT_EXPECT(tv.tv_sec - ts.tv_sec <= 1 && tv.tv_sec >= ts.tv_sec);
	UT_EXPECT(time(NULL) >= ts.tv_sec);
}

UT_CASE(test_clock_errors)
{
	struct timespec ts;
	UT_EXPECT_ERR(clock_gettime(99, &ts), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)0xffff800000000000ul), EFAULT);
	UT_EXPECT_EQ(clock_getres(CLOCK_MONOTONIC, &ts), 0);
	UT_EXPECT(ts.tv_sec == 0 && ts.tv_nsec > 0);
	struct timespec bad = { 0, 1000000000 };
	UT_EXPECT_ERR(nanosleep(&bad, NULL), EINVAL);
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	UT_EXPECT_ERR(nanosleep(&bad, NULL), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_nanosleep, NULL, NULL), EFAULT);
	/* Setting the clock needs root: a child drops privilege first. */
	pid_t pid = fork();
	if (pid == 0) {
		setresuid(1000, 1000, 1000);
		_exit(!(clock_settime(CLOCK_REALTIME, &ts) == -1 && errno == EPERM));
	}
	int st;
	waitpid(pid, &st, 0);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

UT_CASE(test_nanosleep_sleeps_enough)
{
	long long worst = 0, total = 0;
	for (int i = 0; i < 50; i++) {
		struct timespec req = { 0, 1000000 };   /* 1 ms */
		long long t0 = ns_now(CLOCK_MONOTONIC);
		UT_ASSERT(nanosleep(&req, NULL) == 0);
		long long slept = ns_now(CLOCK_MONOTONIC) - t0;
		UT_EXPECT(slept >= 1000000);            /* never less than asked */
		total += slept;
		if (slept > worst)
			worst = slept;
	}
	printf("    # 50 x nanosleep(1 ms): mean %lld us, worst %lld us\n",
	       total / 50 / 1000, worst / 1000);
	long long t0 = ns_now(CLOCK_MONOTONIC);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 5000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	UT_EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), 0);
	UT_EXPECT(ns_now(CLOCK_MONOTONIC) - t0 >= 4000000);
}

/* Two CPU-bound processes share one CPU: both make progress (slices). */
UT_CASE(test_cpu_bound_processes_share)
{
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		volatile unsigned long n = 0;
		long long end = ns_now(CLOCK_MONOTONIC) + 300000000LL;
		while (ns_now(CLOCK_MONOTONIC) < end)
			n++;
		write(fds[1], "x", 1);
		_exit(0);
	}
	close(fds[1]);
	/* Spin too: without time slices one of us would never finish. */
	volatile unsigned long m = 0;
	long long end = ns_now(CLOCK_MONOTONIC) + 300000000LL;
	while (ns_now(CLOCK_MONOTONIC) < end)
		m++;
	char c;
	UT_EXPECT_EQ(read(fds[0], &c, 1), 1);
	int st;
	UT_EXPECT_EQ(waitpid(pid, &st, 0), pid);
	struct tms t;
	times(&t);
	UT_EXPECT(t.tms_utime > 0);
	close(fds[0]);
}

UT_CASE(test_cpu_clocks_advance)
{
	long long a = ns_now(CLOCK_PROCESS_CPUTIME_ID);
	volatile unsigned long n = 0;
	for (int i = 0; i < 3000000; i++)
		n++;
	long long b = ns_now(CLOCK_PROCESS_CPUTIME_ID);
	UT_EXPECT(b > a);
	UT_EXPECT(ns_now(CLOCK_THREAD_CPUTIME_ID) >= b - 1000000);
}

UT_SUITE("time", UT_C(test_monotonic_increases), UT_C(test_realtime_is_plausible),
	 UT_C(test_clock_errors), UT_C(test_nanosleep_sleeps_enough),
	 UT_C(test_cpu_bound_processes_share), UT_C(test_cpu_clocks_advance))
