/* timerfd: one-shot, periodic (expirations counted exactly against the
 * clock), absolute and relative timers on each clock, gettime, setting the
 * wall clock under realtime timers (TFD_TIMER_CANCEL_ON_SET), every errno
 * path, close-on-exec, and a blocked read interrupted by a signal. Counts
 * are checked against bounds computed from clock readings taken around
 * each call, so a slow host makes them wider, never wrong. */
#include "utest.h"
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

#define MS 1000000LL

extern char **environ;

/* Exec'd with UT_FD_CHECK=<fd>: exit 0 if that descriptor is closed. */
__attribute__((constructor)) static void fd_check_helper(void)
{
	const char *fd = getenv("UT_FD_CHECK");
	if (!fd)
		return;
	char b[8];
	_exit(read(atoi(fd), b, 0) == -1 && errno == EBADF ? 0 : 1);
}

static long long now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec ts_of(long long ns)
{
	return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL };
}

static long long ns_of(struct timespec ts)
{
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int set(int fd, int flags, long long value, long long interval)
{
	struct itimerspec its = { ts_of(interval), ts_of(value) };
	return timerfd_settime(fd, flags, &its, NULL);
}

/* Read the expiration count; -1 on error (errno set). */
static long long rd(int fd)
{
	uint64_t v;
	return read(fd, &v, sizeof(v)) == 8 ? (long long)v : -1;
}

/* Non-blocking fd: read, retrying for up to ms while nothing is due (an
 * expiry "now" still takes an interrupt to arrive). */
static long long rd_within(int fd, int ms)
{
	long long n;
	for (int i = 0; (n = rd(fd)) < 0 && errno == EAGAIN && i < ms; i++)
		usleep(1000);
	return n;
}

static int reap(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

UT_CASE(test_create_errors)
{
	UT_EXPECT_ERR(timerfd_create(99, 0), EINVAL);
	UT_EXPECT_ERR(timerfd_create(-1, 0), EINVAL);
	UT_EXPECT_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	UT_EXPECT_ERR(timerfd_create(CLOCK_THREAD_CPUTIME_ID, 0), EINVAL);
	UT_EXPECT_ERR(timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL);
	UT_EXPECT_ERR(timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	UT_EXPECT_ERR(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | 0x100), EINVAL);
	clockid_t ok[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME,
			   CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM };
	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int fd = timerfd_create(ok[i], TFD_NONBLOCK | TFD_CLOEXEC);
		UT_EXPECT(fd >= 0);
		if (fd >= 0)
			close(fd);
	}
	/* The alarm clocks need privilege (CAP_WAKE_ALARM). */
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		setresuid(1000, 1000, 1000);
		int bad = 0;
		errno = 0;
		bad |= !(timerfd_create(CLOCK_REALTIME_ALARM, 0) == -1 && errno == EPERM);
		errno = 0;
		bad |= !(timerfd_create(CLOCK_BOOTTIME_ALARM, 0) == -1 && errno == EPERM);
		bad |= timerfd_create(CLOCK_MONOTONIC, 0) < 0;
		_exit(bad);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

UT_CASE(test_settime_gettime_errors)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	int p[2];
	UT_ASSERT(fd >= 0 && pipe(p) == 0);
	struct itimerspec its = { { 0, 0 }, { 1, 0 } }, cur;

	UT_EXPECT_ERR(timerfd_settime(fd, 4, &its, NULL), EINVAL);
	UT_EXPECT_ERR(timerfd_settime(fd, -1, &its, NULL), EINVAL);
	its.it_value.tv_nsec = 1000000000;
	UT_EXPECT_ERR(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its.it_value.tv_nsec = -1;
	UT_EXPECT_ERR(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its.it_value = (struct timespec){ -1, 0 };
	UT_EXPECT_ERR(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its.it_value = (struct timespec){ 1, 0 };
	its.it_interval.tv_nsec = 1000000000;
	UT_EXPECT_ERR(timerfd_settime(fd, 0, &its, NULL), EINVAL);
	its.it_interval.tv_nsec = 0;
	UT_EXPECT_ERR(timerfd_settime(fd, 0, NULL, NULL), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_timerfd_settime, fd, 0, (void *)0xffff800000000000ul, NULL),
		      EFAULT);
	/* The values are checked before the descriptor. */
	UT_EXPECT_ERR(timerfd_settime(-1, 4, &its, NULL), EINVAL);
	UT_EXPECT_ERR(timerfd_settime(-1, 0, &its, NULL), EBADF);
	UT_EXPECT_ERR(timerfd_settime(1000, 0, &its, NULL), EBADF);
	UT_EXPECT_ERR(timerfd_settime(p[0], 0, &its, NULL), EINVAL);
	UT_EXPECT_ERR(timerfd_gettime(-1, &cur), EBADF);
	UT_EXPECT_ERR(timerfd_gettime(p[1], &cur), EINVAL);
	UT_EXPECT_ERR(timerfd_gettime(fd, NULL), EFAULT);
	/* A bad old-value pointer fails after the timer is set. */
	UT_EXPECT_ERR(timerfd_settime(fd, 0, &its, (void *)1), EFAULT);
	UT_EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
	UT_EXPECT(cur.it_value.tv_sec == 0 || (cur.it_value.tv_sec == 1 && cur.it_value.tv_nsec == 0));
	UT_EXPECT(ns_of(cur.it_value) > 500 * MS);

	/* read: 8 bytes at least, nothing yet, no write at all. */
	char small[4];
	uint64_t v = 1;
	UT_EXPECT_ERR(read(fd, small, sizeof(small)), EINVAL);
	UT_EXPECT_ERR(read(fd, &v, 8), EAGAIN);
	UT_EXPECT_ERR(write(fd, &v, 8), EINVAL);
	UT_EXPECT_ERR(read(fd, (void *)0xffff800000000000ul, 8), EFAULT);
	close(fd);
	close(p[0]);
	close(p[1]);
	UT_EXPECT_ERR(timerfd_gettime(fd, &cur), EBADF);
}

UT_CASE(test_one_shot)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	UT_ASSERT(fd >= 0);
	struct itimerspec cur;
	/* Disarmed: zero values. */
	UT_EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
	UT_EXPECT(ns_of(cur.it_value) == 0 && ns_of(cur.it_interval) == 0);

	long long t0 = now_ns(CLOCK_MONOTONIC);
	UT_ASSERT(set(fd, 0, 200 * MS, 0) == 0);
	UT_EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
	UT_EXPECT(ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 200 * MS);
	UT_EXPECT_EQ(rd(fd), 1);                        /* blocks until it fires */
	UT_EXPECT(now_ns(CLOCK_MONOTONIC) - t0 >= 200 * MS);
	/* Fired and read: disarmed, nothing more to read. */
	UT_EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
	UT_EXPECT_EQ(ns_of(cur.it_value), 0);
	struct itimerspec off = { { 0, 0 }, { 0, 0 } }, old;
	UT_EXPECT_EQ(timerfd_settime(fd, 0, &off, &old), 0);
	UT_EXPECT_EQ(ns_of(old.it_value), 0);

	/* Disarming before it fires: never readable. */
	UT_ASSERT(set(fd, 0, 200 * MS, 0) == 0);
	UT_EXPECT_EQ(timerfd_settime(fd, 0, &off, &old), 0);
	UT_EXPECT(ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 200 * MS);
	usleep(250000);
	int nb = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	UT_ASSERT(nb >= 0);
	UT_EXPECT_ERR(read(nb, &(uint64_t){ 0 }, 8), EAGAIN);
	close(nb);
	/* Re-setting resets the count. */
	UT_ASSERT(set(fd, 0, 1 * MS, 0) == 0);
	usleep(20000);
	UT_ASSERT(set(fd, 0, 10000 * MS, 0) == 0);
	UT_EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
	UT_EXPECT(cur.it_value.tv_sec >= 9);
	close(fd);
}

/* Expirations of a 10 ms periodic timer, counted exactly: every count read
 * must lie between the periods that had certainly passed before the read
 * and those that could have passed by its end. */
UT_CASE(test_periodic_count)
{
	const long long period = 10 * MS;
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	UT_ASSERT(fd >= 0);
	long long s0 = now_ns(CLOCK_MONOTONIC);
	UT_ASSERT(set(fd, 0, period, period) == 0);
	long long s1 = now_ns(CLOCK_MONOTONIC);
	long long total = 0;
	int sleeps_ms[] = { 105, 0, 33, 1, 57 };
	for (unsigned i = 0; i < sizeof(sleeps_ms) / sizeof(sleeps_ms[0]); i++) {
		usleep(sleeps_ms[i] * 1000);
		long long before = now_ns(CLOCK_MONOTONIC);
		long long n = rd(fd);                   /* blocks if none yet */
		long long after = now_ns(CLOCK_MONOTONIC);
		UT_ASSERT(n >= 1);
		total += n;
		long long lo = (before - s1) / period, hi = (after - s0) / period;
		if (total < lo || total > hi)
			UT_FAIL("after read %u: %lld expirations, expected %lld..%lld", i, total, lo, hi);
	}
	struct itimerspec cur;
	UT_EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
	UT_EXPECT_EQ(ns_of(cur.it_interval), period);
	UT_EXPECT(ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= period);
	printf("    # periodic 10 ms: %lld expirations in %lld ms\n", total,
	       (now_ns(CLOCK_MONOTONIC) - s0) / MS);
	close(fd);
}

/* Absolute expiries on each clock: a future one waits for the clock to
 * get there; one in the past is due at once, with the periods since. */
UT_CASE(test_absolute)
{
	clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };
	for (unsigned i = 0; i < 3; i++) {
		clockid_t c = clocks[i];
		int fd = timerfd_create(c, 0);
		UT_ASSERT(fd >= 0);
		long long target = now_ns(c) + 25 * MS;
		UT_ASSERT(set(fd, TFD_TIMER_ABSTIME, target, 0) == 0);
		UT_EXPECT_EQ(rd(fd), 1);
		UT_EXPECT(now_ns(c) >= target);

		/* Up to a second ago, every 100 ms: the periods since are due. */
		long long s0 = now_ns(c);
		long long past = s0 > 1000 * MS ? s0 - 1000 * MS : 1;
		UT_ASSERT(set(fd, TFD_TIMER_ABSTIME, past, 100 * MS) == 0);
		long long n = rd(fd);
		long long s1 = now_ns(c);
		long long lo = (s0 - past) / (100 * MS) + 1, hi = (s1 - past) / (100 * MS) + 1;
		if (n < lo || n > hi)
			UT_FAIL("clock %d: %lld expirations, expected %lld..%lld", c, n, lo, hi);
		struct itimerspec cur;
		UT_EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
		UT_EXPECT(ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 100 * MS);
		close(fd);
	}
	/* Relative on CLOCK_REALTIME and CLOCK_BOOTTIME (long enough that a
	 * busy host does not let it expire before the first read). */
	for (unsigned i = 1; i < 3; i++) {
		int fd = timerfd_create(clocks[i], TFD_NONBLOCK);
		UT_ASSERT(fd >= 0);
		UT_ASSERT(set(fd, 0, 200 * MS, 0) == 0);
		uint64_t v;
		UT_EXPECT_ERR(read(fd, &v, 8), EAGAIN);
		usleep(300000);
		UT_EXPECT_EQ(rd_within(fd, 1000), 1);
		close(fd);
	}
}

/* The interval is kept for gettime even when the value disarms. */
UT_CASE(test_gettime_interval)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	UT_ASSERT(fd >= 0);
	UT_ASSERT(set(fd, 0, 0, 250 * MS) == 0);
	struct itimerspec cur, old;
	UT_EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
	UT_EXPECT_EQ(ns_of(cur.it_value), 0);
	UT_EXPECT_EQ(ns_of(cur.it_interval), 250 * MS);
	struct itimerspec its = { ts_of(7 * MS), ts_of(5000 * MS) };
	UT_EXPECT_EQ(timerfd_settime(fd, 0, &its, &old), 0);
	UT_EXPECT_EQ(ns_of(old.it_value), 0);
	UT_EXPECT_EQ(ns_of(old.it_interval), 250 * MS);
	its = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
	UT_EXPECT_EQ(timerfd_settime(fd, 0, &its, &old), 0);
	UT_EXPECT(ns_of(old.it_value) > 4000 * MS && ns_of(old.it_value) <= 5000 * MS);
	UT_EXPECT_EQ(ns_of(old.it_interval), 7 * MS);
	close(fd);
}

/* Setting the wall clock: a realtime absolute timer follows it; with
 * TFD_TIMER_CANCEL_ON_SET the read fails with ECANCELED (until re-set);
 * monotonic timers do not notice. Runs as root; the clock is put back. */
UT_CASE(test_clock_set)
{
	int rt = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	int cancel = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	int mono = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	UT_ASSERT(rt >= 0 && cancel >= 0 && mono >= 0);
	long long real = now_ns(CLOCK_REALTIME);
	UT_ASSERT(set(rt, TFD_TIMER_ABSTIME, real + 3600 * 1000 * MS, 0) == 0);
	UT_ASSERT(set(cancel, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
		      real + 3600 * 1000 * MS, 0) == 0);
	UT_ASSERT(set(mono, 0, 3600 * 1000 * MS, 0) == 0);
	uint64_t v;
	UT_EXPECT_ERR(read(rt, &v, 8), EAGAIN);
	UT_EXPECT_ERR(read(cancel, &v, 8), EAGAIN);

	/* Two hours forward, then back. */
	long long m0 = now_ns(CLOCK_MONOTONIC);
	struct timespec ts = ts_of(now_ns(CLOCK_REALTIME) + 7200 * 1000 * MS);
	UT_ASSERT(clock_settime(CLOCK_REALTIME, &ts) == 0);
	UT_EXPECT_EQ(rd_within(rt, 1000), 1);           /* its time has come */
	UT_EXPECT_ERR(read(cancel, &v, 8), ECANCELED);
	UT_EXPECT_ERR(read(cancel, &v, 8), ECANCELED);  /* until set again */
	UT_EXPECT_ERR(read(mono, &v, 8), EAGAIN);
	ts = ts_of(now_ns(CLOCK_REALTIME) - 7200 * 1000 * MS);
	UT_ASSERT(clock_settime(CLOCK_REALTIME, &ts) == 0);
	long long drift = now_ns(CLOCK_REALTIME) - (real + now_ns(CLOCK_MONOTONIC) - m0);
	UT_EXPECT(drift > -1000 * MS && drift < 1000 * MS);

	/* Re-set, the cancel timer works again; a relative realtime timer
	 * is not cancelled (the flag needs TFD_TIMER_ABSTIME). */
	UT_ASSERT(set(cancel, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
		      now_ns(CLOCK_REALTIME) + 3600 * 1000 * MS, 0) == 0);
	UT_EXPECT_ERR(read(cancel, &v, 8), EAGAIN);
	UT_ASSERT(set(rt, TFD_TIMER_CANCEL_ON_SET, 3600 * 1000 * MS, 0) == 0);
	ts = ts_of(now_ns(CLOCK_REALTIME));
	UT_ASSERT(clock_settime(CLOCK_REALTIME, &ts) == 0);
	UT_EXPECT_ERR(read(rt, &v, 8), EAGAIN);
	UT_EXPECT_ERR(read(cancel, &v, 8), ECANCELED);
	close(rt);
	close(cancel);
	close(mono);
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* A blocked read ends with EINTR when a caught signal comes (no
 * SA_RESTART); the timer itself ends the wait after 2 s otherwise. */
UT_CASE(test_blocked_read_interrupted)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		int fd = timerfd_create(CLOCK_MONOTONIC, 0);
		set(fd, 0, 2000 * MS, 0);
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = noop_handler;
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = { { 0, 0 }, { 0, 50000 } };
		setitimer(ITIMER_REAL, &it, NULL);
		uint64_t v;
		long r = read(fd, &v, 8);
		_exit(r == -1 && errno == EINTR ? 0 : 1);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Many timers, all firing: the count stays exact per descriptor and
 * closing armed timers leaves nothing behind (leak check of the runner). */
UT_CASE(test_many_timers)
{
	enum { N = 64 };
	int fds[N];
	for (int i = 0; i < N; i++) {
		fds[i] = timerfd_create(i & 1 ? CLOCK_REALTIME : CLOCK_MONOTONIC, TFD_NONBLOCK);
		UT_ASSERT(fds[i] >= 0);
		UT_ASSERT(set(fds[i], 0, (1 + i % 7) * MS, i % 3 ? 0 : 2 * MS) == 0);
	}
	usleep(30000);
	for (int i = 0; i < N; i++) {
		long long n = rd(fds[i]);
		if (i % 3)
			UT_EXPECT_EQ(n, 1);
		else
			UT_EXPECT(n >= 10);
	}
	for (int i = 0; i < N; i++)
		close(fds[i]);
}

static int exec_fd_check(int fd)
{
	char env[32];
	snprintf(env, sizeof(env), "UT_FD_CHECK=%d", fd);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "fd-check", NULL };
		char *envp[] = { env, NULL };
		execve((const char *)getauxval(AT_EXECFN), argv, envp);
		_exit(127);
	}
	int st = reap(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Out of descriptors: EMFILE, and nothing left behind. */
UT_CASE(test_emfile)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 8, 8 };
		setrlimit(RLIMIT_NOFILE, &rl);
		int n = 0;
		while (timerfd_create(n & 1 ? CLOCK_REALTIME : CLOCK_MONOTONIC, 0) >= 0 && n < 100)
			n++;
		_exit(errno == EMFILE && n >= 1 && n <= 5 ? 0 : 1);  /* 0-2 are taken */
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

UT_CASE(test_cloexec)
{
	int keep = timerfd_create(CLOCK_MONOTONIC, 0);
	int gone = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	UT_ASSERT(keep >= 0 && gone >= 0);
	UT_EXPECT_EQ(exec_fd_check(gone), 0);
	UT_EXPECT_EQ(exec_fd_check(keep), 1);
	close(keep);
	close(gone);
}

UT_SUITE("timerfd", UT_C(test_create_errors), UT_C(test_settime_gettime_errors),
	 UT_C(test_one_shot), UT_C(test_periodic_count), UT_C(test_absolute),
	 UT_C(test_gettime_interval), UT_C(test_clock_set), UT_C(test_blocked_read_interrupted),
	 UT_C(test_many_timers), UT_C(test_emfile), UT_C(test_cloexec))
