/* Clocks, sleeping (and its interruption by signals), time slices, alarm
 * and the interval timers, CPU-time accounting (times, getrusage, wait4's
 * rusage, the CPU clocks), setting the clock. Timing figures are printed,
 * and the tests fail only on gross errors (sleeping less than asked, a
 * clock going backwards), never on speed. */
#include "utest.h"
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/resource.h>
#include <sys/auxv.h>
#include <fcntl.h>
#include <signal.h>
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

/* 1000 sleeps of 1 ms against CLOCK_MONOTONIC: the overshoot is reported
 * as a figure; only a sleep shorter than asked fails. */
UT_CASE(test_nanosleep_accuracy)
{
	enum { N = 1000 };
	long long min = -1, max = 0, total = 0;
	int short_sleeps = 0;
	for (int i = 0; i < N; i++) {
		struct timespec req = { 0, 1000000 };   /* 1 ms */
		long long t0 = ns_now(CLOCK_MONOTONIC);
		UT_ASSERT(syscall(SYS_nanosleep, &req, NULL) == 0);
		long long over = ns_now(CLOCK_MONOTONIC) - t0 - 1000000;
		short_sleeps += over < 0;
		total += over;
		if (min < 0 || over < min)
			min = over;
		if (over > max)
			max = over;
	}
	printf("    # %d x nanosleep(1 ms): overshoot min %lld us, avg %lld us, max %lld us\n",
	       N, min / 1000, total / N / 1000, max / 1000);
	UT_EXPECT_EQ(short_sleeps, 0);
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
	/* Absolute times in the past and zero-length sleeps return at once. */
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_sec -= 10;
	UT_EXPECT_EQ(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL), 0);
	struct timespec zero = { 0, 0 };
	UT_EXPECT_EQ(nanosleep(&zero, NULL), 0);
}

UT_CASE(test_clock_nanosleep_errors)
{
	struct timespec req = { 0, 1000 }, bad = { 0, 1000000000 };
	/* musl returns the error number itself, as the call does. */
	UT_EXPECT_EQ(clock_nanosleep(99, 0, &req, NULL), EINVAL);
	UT_EXPECT_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EINVAL);
	UT_EXPECT_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &req, NULL), ENOTSUP);
	UT_EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
	UT_EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &bad, NULL), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, NULL, NULL), EFAULT);
	UT_EXPECT_EQ(clock_nanosleep(CLOCK_BOOTTIME, 0, &req, NULL), 0);
	UT_EXPECT_EQ(clock_nanosleep(CLOCK_REALTIME, 0, &req, NULL), 0);
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* In a child: SIGALRM, caught (no SA_RESTART), after ms. */
static void alarm_in_ms(int ms)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { ms / 1000, ms % 1000 * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

enum sleep_kind { NANOSLEEP, NANOSLEEP_BAD_REM, CLOCK_REL, CLOCK_ABS };

/* Child: a 2 s sleep that SIGALRM interrupts after 100 ms. Exit 0 if it
 * ended as it should: EINTR (or EFAULT for an unwritable rem), the time
 * left in rem for relative sleeps, rem untouched for absolute ones. */
static int interrupted_sleep(enum sleep_kind kind)
{
	struct timespec req = { 2, 0 }, rem = { -7, -7 };
	alarm_in_ms(100);
	long long t0 = ns_now(CLOCK_MONOTONIC);       /* after arming: a delay there is not sleep */
	switch (kind) {
	case NANOSLEEP:
		if (syscall(SYS_nanosleep, &req, &rem) != -1 || errno != EINTR)
			return 1;
		break;
	case NANOSLEEP_BAD_REM:
		return syscall(SYS_nanosleep, &req, (void *)8) == -1 && errno == EFAULT ? 0 : 2;
	case CLOCK_REL:
		if (clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem) != EINTR)
			return 3;
		break;
	case CLOCK_ABS:
		clock_gettime(CLOCK_MONOTONIC, &req);
		req.tv_sec += 2;
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, &rem) != EINTR)
			return 4;
		return rem.tv_sec == -7 && rem.tv_nsec == -7 ? 0 : 5;
	}
	long long slept = ns_now(CLOCK_MONOTONIC) - t0;
	long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
	/* rem is what was left when it woke: asked - slept, give or take.
	 * (How long it slept depends on when the process got to the call
	 * after arming the alarm, which a loaded host can delay by ~100 ms.) */
	if (left <= 0 || left >= 2000000000LL)
		return 6;
	if (left + slept < 1990000000LL || left + slept > 3000000000LL)
		return 7;
	return 0;
}

UT_CASE(test_sleeps_interrupted_by_signal)
{
	for (int kind = NANOSLEEP; kind <= CLOCK_ABS; kind++) {
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0)
			_exit(interrupted_sleep((enum sleep_kind)kind));
		int st;
		UT_ASSERT(waitpid(pid, &st, 0) == pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			UT_FAIL("sleep kind %d: status %#x", kind, st);
	}
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

/* ---- alarm and interval timers -------------------------------------- */

static int reap(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

static long long tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
}

/* Spin in user mode until the process has used ns of CPU time. */
static void burn_cpu(long long ns)
{
	long long end = ns_now(CLOCK_PROCESS_CPUTIME_ID) + ns;
	volatile unsigned long n = 0;
	while (ns_now(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 200000; i++)
			n++;
}

/* alarm's default action kills, asleep or running user code. */
UT_CASE(test_alarm_kills_child)
{
	for (int spin = 0; spin < 2; spin++) {
		long long t0 = ns_now(CLOCK_MONOTONIC);
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0) {
			alarm(1);
			if (spin)
				for (volatile unsigned long n = 0;; n++)
					;
			struct timespec req = { 10, 0 };
			nanosleep(&req, NULL);
			_exit(0);
		}
		int st = reap(pid);
		UT_EXPECT(WIFSIGNALED(st));
		UT_EXPECT_EQ(WTERMSIG(st), SIGALRM);
		long long took = ns_now(CLOCK_MONOTONIC) - t0;
		UT_EXPECT(took >= 1000000000LL && took < 9000000000LL);
	}
}

/* The alarm call returns the seconds left of the previous alarm, rounded
 * to the nearest and never 0 for one still pending. (musl's alarm() is
 * setitimer and rounds up: the raw call is tested.) */
static long sys_alarm(unsigned sec)
{
	return syscall(SYS_alarm, sec);
}

UT_CASE(test_alarm_return_value)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		int bad = 0;
		bad |= (sys_alarm(5) != 0) << 0;
		bad |= (sys_alarm(3) != 5) << 1;        /* 4.99.. rounds to 5 */
		struct itimerval it = { { 0, 0 }, { 2, 400000 } }, cur;
		setitimer(ITIMER_REAL, &it, NULL);
		bad |= (sys_alarm(100) != 2) << 2;      /* 2.39.. rounds to 2 */
		getitimer(ITIMER_REAL, &cur);
		bad |= (cur.it_value.tv_sec != 99 || cur.it_interval.tv_sec != 0) << 3;
		it.it_value = (struct timeval){ 0, 300000 };
		setitimer(ITIMER_REAL, &it, NULL);      /* 0.3 s left ... */
		bad |= (sys_alarm(0) != 1) << 4;        /* ... is still 1, not 0 */
		bad |= (sys_alarm(0) != 0) << 5;
		getitimer(ITIMER_REAL, &cur);
		bad |= (cur.it_value.tv_sec || cur.it_value.tv_usec) << 6;
		bad |= (alarm(10) != 0) << 7;           /* musl's, for good measure */
		bad |= (sys_alarm(0) != 10) << 8;
		_exit(bad);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
}

UT_CASE(test_itimer_errors)
{
	struct itimerval it = { { 0, 0 }, { 10, 0 } }, old;
	UT_EXPECT_ERR(setitimer(3, &it, NULL), EINVAL);
	UT_EXPECT_ERR(setitimer(-1, &it, NULL), EINVAL);
	UT_EXPECT_ERR(getitimer(3, &old), EINVAL);
	UT_EXPECT_ERR(getitimer(-1, &old), EINVAL);
	it.it_value.tv_usec = 1000000;
	UT_EXPECT_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	it.it_value.tv_usec = -1;
	UT_EXPECT_ERR(setitimer(ITIMER_VIRTUAL, &it, NULL), EINVAL);
	it.it_value = (struct timeval){ -1, 0 };
	UT_EXPECT_ERR(setitimer(ITIMER_PROF, &it, NULL), EINVAL);
	it.it_value = (struct timeval){ 10, 0 };
	it.it_interval.tv_usec = 1000000;
	UT_EXPECT_ERR(setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	/* The value is checked before which. */
	UT_EXPECT_ERR(setitimer(5, &it, NULL), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_setitimer, 5, (void *)8, NULL), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_setitimer, ITIMER_REAL, (void *)8, NULL), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_getitimer, ITIMER_REAL, NULL), EFAULT);
	/* Nothing was armed by the failures; a NULL value disarms. */
	for (int w = ITIMER_REAL; w <= ITIMER_PROF; w++) {
		UT_EXPECT_EQ(getitimer(w, &old), 0);
		UT_EXPECT(old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
	}
	it.it_interval.tv_usec = 0;
	UT_ASSERT(setitimer(ITIMER_REAL, &it, NULL) == 0);
	UT_EXPECT_EQ(syscall(SYS_setitimer, ITIMER_REAL, NULL, &old), 0);
	UT_EXPECT(old.it_value.tv_sec >= 9);
	UT_EXPECT_EQ(getitimer(ITIMER_REAL, &old), 0);
	UT_EXPECT(old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
	/* A bad old pointer fails after the timer was set. */
	UT_EXPECT_ERR(setitimer(ITIMER_REAL, &it, (void *)8), EFAULT);
	UT_EXPECT_EQ(getitimer(ITIMER_REAL, &old), 0);
	UT_EXPECT(old.it_value.tv_sec >= 9);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	UT_EXPECT_EQ(setitimer(ITIMER_REAL, &off, NULL), 0);
}

/* getitimer shows the time left going down; the interval is kept; the old
 * value comes back from setitimer. */
UT_CASE(test_itimer_real_counts_down)
{
	struct itimerval it = { { 3, 500000 }, { 10, 0 } }, a, b, old;
	UT_ASSERT(setitimer(ITIMER_REAL, &it, NULL) == 0);
	UT_EXPECT_EQ(getitimer(ITIMER_REAL, &a), 0);
	usleep(50000);
	UT_EXPECT_EQ(getitimer(ITIMER_REAL, &b), 0);
	printf("    # ITIMER_REAL left: %lld us, then %lld us after 50 ms\n",
	       tv_ns(a.it_value) / 1000, tv_ns(b.it_value) / 1000);
	UT_EXPECT(tv_ns(a.it_value) <= 10000000000LL && tv_ns(a.it_value) > 9000000000LL);
	UT_EXPECT(tv_ns(b.it_value) <= tv_ns(a.it_value) - 50000000LL);
	UT_EXPECT_EQ(tv_ns(b.it_interval), 3500000000LL);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	UT_EXPECT_EQ(setitimer(ITIMER_REAL, &off, &old), 0);
	UT_EXPECT(tv_ns(old.it_value) <= tv_ns(b.it_value) && tv_ns(old.it_value) > 0);
	UT_EXPECT_EQ(tv_ns(old.it_interval), 3500000000LL);
	UT_EXPECT_EQ(getitimer(ITIMER_REAL, &old), 0);
	UT_EXPECT(tv_ns(old.it_value) == 0 && tv_ns(old.it_interval) == 0);
}

/* A periodic ITIMER_REAL goes on after each expiry (SIGALRM blocked, so
 * it stays pending instead of killing). */
UT_CASE(test_itimer_real_periodic)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		struct itimerval it = { { 0, 30000 }, { 0, 10000 } }, cur;
		setitimer(ITIMER_REAL, &it, NULL);
		usleep(100000);
		getitimer(ITIMER_REAL, &cur);
		long long left = tv_ns(cur.it_value);
		_exit(left > 0 && left <= 30000000LL && tv_ns(cur.it_interval) == 30000000LL ? 0 : 1);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ITIMER_VIRTUAL and ITIMER_PROF count CPU time: a child spinning in user
 * mode is killed by SIGVTALRM / SIGPROF once it has used the time. */
UT_CASE(test_itimer_virtual_and_prof_kill)
{
	int which[] = { ITIMER_VIRTUAL, ITIMER_PROF }, sig[] = { SIGVTALRM, SIGPROF };
	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0) {
			struct itimerval it = { { 0, 0 }, { 0, 200000 } };
			setitimer(which[i], &it, NULL);
			for (volatile unsigned long n = 0;; n++)
				;
		}
		int st;
		struct rusage ru;
		UT_ASSERT(wait4(pid, &st, 0, &ru) == pid);
		UT_EXPECT(WIFSIGNALED(st));
		UT_EXPECT_EQ(WTERMSIG(st), sig[i]);
		long long cpu = tv_ns(ru.ru_utime) + (i ? tv_ns(ru.ru_stime) : 0);
		printf("    # %s: killed after %lld ms of CPU time (200 ms asked)\n",
		       i ? "ITIMER_PROF" : "ITIMER_VIRTUAL", cpu / 1000000);
		UT_EXPECT(cpu >= 200000000LL);
	}
}

/* getitimer(ITIMER_VIRTUAL) goes down only as user time is used. */
UT_CASE(test_itimer_virtual_counts_cpu)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct itimerval it = { { 0, 0 }, { 100, 0 } }, a, b, c;
		setitimer(ITIMER_VIRTUAL, &it, NULL);
		getitimer(ITIMER_VIRTUAL, &a);
		usleep(100000);                         /* asleep: no user time */
		getitimer(ITIMER_VIRTUAL, &b);
		burn_cpu(100000000LL);
		getitimer(ITIMER_VIRTUAL, &c);
		int bad = 0;
		bad |= (tv_ns(a.it_value) > 100000000000LL || tv_ns(a.it_value) < 99000000000LL) << 0;
		bad |= (tv_ns(a.it_value) - tv_ns(b.it_value) > 20000000LL) << 1;
		bad |= (tv_ns(b.it_value) - tv_ns(c.it_value) < 50000000LL) << 2;
		_exit(bad);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
}

/* fork does not inherit the timers; exec keeps them. */
#define ITIMER_EXEC_ENV "T_TIME_ITIMER_AFTER_EXEC"

__attribute__((constructor)) static void itimer_after_exec(void)
{
	if (!getenv(ITIMER_EXEC_ENV))
		return;
	struct itimerval cur;
	getitimer(ITIMER_REAL, &cur);
	long long left = tv_ns(cur.it_value);
	_exit(left > 5000000000LL && left <= 10000000000LL ? 0 : 1);
}

UT_CASE(test_itimer_fork_and_exec)
{
	struct itimerval it = { { 0, 0 }, { 10, 0 } }, cur;
	UT_ASSERT(setitimer(ITIMER_REAL, &it, NULL) == 0);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		getitimer(ITIMER_REAL, &cur);
		_exit(tv_ns(cur.it_value) == 0 ? 0 : 1);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		setitimer(ITIMER_REAL, &it, NULL);
		char *argv[] = { "itimer-exec", NULL };
		char *envp[] = { ITIMER_EXEC_ENV "=1", NULL };
		execve((const char *)getauxval(AT_EXECFN), argv, envp);
		_exit(127);
	}
	st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
}

/* ---- times and getrusage --------------------------------------------- */

UT_CASE(test_rusage_of_cpu_bound_child)
{
	long long burn = 300000000LL;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		burn_cpu(burn);
		_exit(0);
	}
	int st;
	struct rusage ru, self, children;
	UT_ASSERT(wait4(pid, &st, 0, &ru) == pid);
	UT_EXPECT(WIFEXITED(st));
	long long u = tv_ns(ru.ru_utime), s = tv_ns(ru.ru_stime);
	printf("    # child burning %lld ms: utime %lld ms, stime %lld ms, %ld/%ld switches\n",
	       burn / 1000000, u / 1000000, s / 1000000, ru.ru_nvcsw, ru.ru_nivcsw);
	UT_EXPECT(u + s >= burn);
	UT_EXPECT(u > s);                               /* it spun in user mode */
	UT_EXPECT(u >= burn * 2 / 3);
	UT_EXPECT(ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	/* The parent's children's time includes it. */
	UT_EXPECT_EQ(getrusage(RUSAGE_CHILDREN, &children), 0);
	UT_EXPECT(tv_ns(children.ru_utime) >= u);
	struct tms t;
	clock_t now = times(&t);
	UT_EXPECT(now != (clock_t)-1);
	UT_EXPECT(t.tms_cutime * 10000000LL >= u - 10000000LL);
	UT_EXPECT(t.tms_cutime >= burn * 2 / 3 / 10000000LL);
	UT_EXPECT_EQ(getrusage(RUSAGE_SELF, &self), 0);
}

/* Grandchildren reaped by a child count in the child's children's time,
 * and so in wait4's rusage of that child. */
UT_CASE(test_rusage_includes_grandchildren)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0) {
			burn_cpu(150000000LL);
			_exit(0);
		}
		int st;
		waitpid(g, &st, 0);
		_exit(0);
	}
	int st;
	struct rusage ru;
	UT_ASSERT(wait4(pid, &st, 0, &ru) == pid);
	UT_EXPECT(tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime) >= 150000000LL);
}

UT_CASE(test_getrusage_self_and_clocks_agree)
{
	struct rusage a, b, th;
	UT_EXPECT_EQ(getrusage(RUSAGE_SELF, &a), 0);
	burn_cpu(50000000LL);
	long long clk = ns_now(CLOCK_PROCESS_CPUTIME_ID);
	UT_EXPECT_EQ(getrusage(RUSAGE_SELF, &b), 0);
	UT_EXPECT_EQ(getrusage(RUSAGE_THREAD, &th), 0);
	long long ra = tv_ns(a.ru_utime) + tv_ns(a.ru_stime);
	long long rb = tv_ns(b.ru_utime) + tv_ns(b.ru_stime);
	UT_EXPECT(rb - ra >= 50000000LL);
	/* The burn was in user mode. */
	UT_EXPECT(tv_ns(b.ru_utime) - tv_ns(a.ru_utime) > tv_ns(b.ru_stime) - tv_ns(a.ru_stime));
	/* One accounting behind the clock and getrusage (usec truncation;
	 * a busy host stalling us in between counts as our time). */
	UT_EXPECT(rb <= clk + 100000000LL && rb >= clk - 2000);
	UT_EXPECT(tv_ns(th.ru_utime) + tv_ns(th.ru_stime) <= rb + 100000000LL);
	UT_EXPECT_ERR(getrusage(2, &a), EINVAL);
	UT_EXPECT_ERR(getrusage(-2, &a), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_getrusage, RUSAGE_SELF, NULL), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_getrusage, RUSAGE_SELF, (void *)0xffff800000000000ul), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_times, (void *)8), EFAULT);
	UT_EXPECT(syscall(SYS_times, NULL) > 0);
	struct tms t;
	times(&t);
	UT_EXPECT(t.tms_utime >= 5);                    /* 50 ms = 5 ticks at least */
}

/* Another process's CPU clock (clock_getcpuclockid), and the errors. */
UT_CASE(test_cpu_clock_of_other_process)
{
	int go[2];
	UT_ASSERT(pipe2(go, O_NONBLOCK) == 0);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		char c;
		close(go[1]);
		while (read(go[0], &c, 1) != 1)         /* until the parent has looked */
			burn_cpu(1000000LL);
		_exit(0);
	}
	close(go[0]);
	clockid_t cid;
	UT_ASSERT(clock_getcpuclockid(pid, &cid) == 0);
	long long a = ns_now(cid);
	usleep(200000);
	long long b = ns_now(cid);
	struct timespec ts;
	UT_EXPECT(b > a);
	/* Its thread's clock is not ours to read. */
	UT_EXPECT_ERR(clock_gettime((clockid_t)((~(unsigned)pid << 3) | 6), &ts), EINVAL);
	write(go[1], "x", 1);
	close(go[1]);
	reap(pid);
	UT_EXPECT_ERR(clock_gettime(cid, &ts), EINVAL);        /* gone */
	UT_EXPECT_ERR(clock_gettime((clockid_t)((~99999u << 3) | 2), &ts), EINVAL);
	UT_EXPECT_ERR(clock_gettime((clockid_t)((~0u << 3) | 3), &ts), EINVAL);
	UT_EXPECT_EQ(clock_gettime((clockid_t)((~0u << 3) | 2), &ts), 0);  /* pid 0: self */
	UT_EXPECT_EQ(clock_gettime((clockid_t)((~0u << 3) | 6), &ts), 0);  /* thread 0: self */
	clockid_t self_thread = (clockid_t)((~(unsigned)getpid() << 3) | 6);
	UT_EXPECT_EQ(clock_gettime(self_thread, &ts), 0);
}

/* ---- setting the clock ----------------------------------------------- */

UT_CASE(test_settime_errors_and_privilege)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	UT_EXPECT_ERR(clock_settime(CLOCK_MONOTONIC, &ts), EINVAL);
	UT_EXPECT_ERR(clock_settime(CLOCK_BOOTTIME, &ts), EINVAL);
	UT_EXPECT_ERR(clock_settime(CLOCK_REALTIME_COARSE, &ts), EINVAL);
	UT_EXPECT_ERR(clock_settime(99, &ts), EINVAL);
	UT_EXPECT_ERR(clock_settime(CLOCK_PROCESS_CPUTIME_ID, &ts), EPERM);
	UT_EXPECT_ERR(clock_settime(CLOCK_THREAD_CPUTIME_ID, &ts), EPERM);
	UT_EXPECT_ERR(clock_settime(CLOCK_REALTIME, NULL), EFAULT);
	UT_EXPECT_ERR(clock_settime(CLOCK_MONOTONIC, NULL), EINVAL);
	struct timespec bad = { ts.tv_sec, 1000000000 };
	UT_EXPECT_ERR(clock_settime(CLOCK_REALTIME, &bad), EINVAL);
	bad = (struct timespec){ -1, 0 };
	UT_EXPECT_ERR(clock_settime(CLOCK_REALTIME, &bad), EINVAL);
	bad = (struct timespec){ 0x7fffffffffffffffLL, 0 };
	UT_EXPECT_ERR(clock_settime(CLOCK_REALTIME, &bad), EINVAL);
	/* The raw call: musl's settimeofday is clock_settime and drops tz. */
	struct timeval tv = { ts.tv_sec, 1000000 };
	UT_EXPECT_ERR(syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	tv.tv_usec = -1;
	UT_EXPECT_ERR(syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	tv = (struct timeval){ -1, 0 };
	UT_EXPECT_ERR(syscall(SYS_settimeofday, &tv, NULL), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_settimeofday, (void *)8, NULL), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_settimeofday, NULL, (void *)8), EFAULT);
	struct timezone tz = { 16 * 60, 0 };
	UT_EXPECT_ERR(syscall(SYS_settimeofday, NULL, &tz), EINVAL);
	tz.tz_minuteswest = -16 * 60;
	UT_EXPECT_ERR(syscall(SYS_settimeofday, NULL, &tz), EINVAL);
	/* Without root: EPERM, even with nothing to set; values first. */
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		setresuid(1000, 1000, 1000);
		int bad_ = 0;
		struct timeval now;
		gettimeofday(&now, NULL);
		errno = 0;
		bad_ |= !(syscall(SYS_settimeofday, &now, NULL) == -1 && errno == EPERM) << 0;
		errno = 0;
		bad_ |= !(syscall(SYS_settimeofday, NULL, NULL) == -1 && errno == EPERM) << 1;
		errno = 0;
		bad_ |= !(clock_settime(CLOCK_REALTIME, &ts) == -1 && errno == EPERM) << 2;
		errno = 0;
		bad_ |= !(clock_settime(CLOCK_REALTIME, &bad) == -1 && errno == EINVAL) << 3;
		errno = 0;
		bad_ |= !(clock_settime(CLOCK_MONOTONIC, &ts) == -1 && errno == EINVAL) << 4;
		_exit(bad_);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
}

/* As root: the wall clock moves, the monotonic one does not; the time
 * zone is kept. Everything is put back. */
UT_CASE(test_settime_as_root)
{
	long long r0 = ns_now(CLOCK_REALTIME), m0 = ns_now(CLOCK_MONOTONIC);
	struct timespec ts = { r0 / 1000000000LL + 100000, 0 };
	UT_ASSERT(clock_settime(CLOCK_REALTIME, &ts) == 0);
	long long r1 = ns_now(CLOCK_REALTIME), m1 = ns_now(CLOCK_MONOTONIC);
	UT_EXPECT(r1 - r0 > 99990 * 1000000000LL && r1 - r0 < 100010 * 1000000000LL);
	UT_EXPECT(m1 - m0 < 1000000000LL);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	UT_EXPECT(tv.tv_sec >= ts.tv_sec);
	tv.tv_sec -= 100000;
	UT_EXPECT_EQ(syscall(SYS_settimeofday, &tv, NULL), 0);
	long long r2 = ns_now(CLOCK_REALTIME);
	UT_EXPECT(r2 - r0 > -1000000000LL && r2 - r0 < 2000000000LL);
	struct timezone tz = { -120, 1 }, got = { 7, 7 };
	UT_EXPECT_EQ(syscall(SYS_settimeofday, NULL, &tz), 0);
	UT_EXPECT_EQ(syscall(SYS_gettimeofday, &tv, &got), 0);
	UT_EXPECT_EQ(got.tz_minuteswest, -120);
	UT_EXPECT_EQ(got.tz_dsttime, 1);
	tz = (struct timezone){ 0, 0 };
	UT_EXPECT_EQ(syscall(SYS_settimeofday, NULL, &tz), 0);
	UT_EXPECT_EQ(syscall(SYS_settimeofday, NULL, NULL), 0);
}

UT_SUITE("time", UT_C(test_monotonic_increases), UT_C(test_realtime_is_plausible),
	 UT_C(test_clock_errors), UT_C(test_nanosleep_accuracy), UT_C(test_clock_nanosleep_errors),
	 UT_C(test_sleeps_interrupted_by_signal), UT_C(test_cpu_bound_processes_share),
	 UT_C(test_cpu_clocks_advance), UT_C(test_alarm_kills_child),
	 UT_C(test_alarm_return_value), UT_C(test_itimer_errors),
	 UT_C(test_itimer_real_counts_down), UT_C(test_itimer_real_periodic),
	 UT_C(test_itimer_virtual_and_prof_kill), UT_C(test_itimer_virtual_counts_cpu),
	 UT_C(test_itimer_fork_and_exec), UT_C(test_rusage_of_cpu_bound_child),
	 UT_C(test_rusage_includes_grandchildren), UT_C(test_getrusage_self_and_clocks_agree),
	 UT_C(test_cpu_clock_of_other_process), UT_C(test_settime_errors_and_privilege),
	 UT_C(test_settime_as_root))
