/* Job control: stop signals stop every thread of a process, SIGCONT
 * resumes it, and the parent sees both (SIGCHLD CLD_STOPPED/CLD_CONTINUED,
 * wait4/waitid WUNTRACED/WCONTINUED/WNOWAIT); SIGCONT and stops cancel
 * each other's pending instances; SIGKILL ends a stopped process; a
 * stopped process's other signals wait; orphaned groups: terminal stops
 * are discarded, and orphaning a group with a stopped member sends it
 * SIGHUP and SIGCONT; /proc/[pid]/stat and status show T. No timing: pipes
 * and bounded polling of /proc. */
#include "utest.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* The state letter of /proc/PID/stat (or /proc/PID/task/TID/stat), '?'
 * if it cannot be read. */
static char stat_state(const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	char *e = strrchr(buf, ')');
	return e && e[1] == ' ' ? e[2] : '?';
}

static char proc_state(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	return stat_state(path);
}

/* Poll until pid's state is (want) or is not (!want) st; up to ~20 s of
 * 1 ms naps, only so a broken kernel ends the test. */
static bool wait_state(pid_t pid, char st, bool want)
{
	for (int i = 0; i < 20000; i++) {
		if ((proc_state(pid) == st) == want)
			return true;
		usleep(1000);
	}
	return false;
}

/* The "State:" line of /proc/PID/status contains s. */
static bool status_says(pid_t pid, const char *s)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *l = strstr(buf, "State:");
	char *end = l ? strchr(l, '\n') : NULL;
	if (end)
		*end = '\0';
	return l && strstr(l, s);
}

/* A child that says it is ready (one byte on rd[1]) and then sleeps in
 * pause() until killed. pgrp: put it in a group of its own (so that its
 * group is not orphaned: we, its parent, are in another group of the
 * session), else it stays in ours. */
static pid_t sleeper(bool pgrp)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t c = fork();
	if (c == 0) {
		if (pgrp)
			setpgid(0, 0);
		close(p[0]);
		char b = 'r';
		if (write(p[1], &b, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	if (pgrp && c > 0)
		setpgid(c, c);  /* both sides: no race with our kill */
	close(p[1]);
	char b;
	if (c > 0 && read(p[0], &b, 1) != 1)
		c = -1;
	close(p[0]);
	return c;
}

static void kill_and_reap(pid_t c)
{
	int st;
	kill(c, SIGKILL);
	UT_EXPECT_EQ(waitpid(c, &st, 0), c);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

UT_CASE(test_stop_cont_wait4)
{
	pid_t c = sleeper(false);
	UT_ASSERT(c > 0);
	int st = 0;
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	UT_EXPECT(WIFSTOPPED(st));
	UT_EXPECT_EQ(WSTOPSIG(st), SIGSTOP);
	UT_EXPECT_EQ(st, 0x137f);
	/* Once stopped, every thread is parked: T in stat and status. */
	UT_EXPECT_EQ(proc_state(c), 'T');
	UT_EXPECT(status_says(c, "T (stopped)"));
	/* Reported once; a plain wait does not see a stop. */
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WNOHANG), 0);
	/* Stopping again a stopped process reports nothing new. */
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);

	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WCONTINUED), c);
	UT_EXPECT(WIFCONTINUED(st));
	UT_EXPECT_EQ(st, 0xffff);
	UT_EXPECT_EQ(waitpid(c, &st, WCONTINUED | WUNTRACED | WNOHANG), 0);
	UT_EXPECT(wait_state(c, 'T', false));
	UT_EXPECT(status_says(c, "S (sleeping)") || status_says(c, "R (running)"));
	/* SIGCONT to a running process: nothing to report. */
	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WCONTINUED | WNOHANG), 0);
	kill_and_reap(c);
}

UT_CASE(test_waitid_reports)
{
	pid_t c = sleeper(true);
	UT_ASSERT(c > 0);
	siginfo_t si;
	/* SIGTSTP stops a process whose group is not orphaned. */
	UT_EXPECT_EQ(kill(c, SIGTSTP), 0);
	for (int i = 0; i < 2; i++) {   /* WNOWAIT leaves it reportable */
		memset(&si, 0, sizeof(si));
		UT_EXPECT_EQ(waitid(P_PID, c, &si, WSTOPPED | WNOWAIT), 0);
		UT_EXPECT_EQ(si.si_signo, SIGCHLD);
		UT_EXPECT_EQ(si.si_code, CLD_STOPPED);
		UT_EXPECT_EQ(si.si_status, SIGTSTP);
		UT_EXPECT_EQ(si.si_pid, c);
		UT_EXPECT_EQ(si.si_uid, getuid());
	}
	int st = 0;
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), c);
	UT_EXPECT_EQ(st, (SIGTSTP << 8) | 0x7f);
	memset(&si, 0, sizeof(si));
	UT_EXPECT_EQ(waitid(P_PID, c, &si, WSTOPPED | WNOHANG), 0);
	UT_EXPECT_EQ(si.si_pid, 0);     /* consumed by wait4 */
	/* A stopped child is not exited. */
	UT_EXPECT_EQ(waitid(P_PID, c, &si, WEXITED | WNOHANG), 0);
	UT_EXPECT_EQ(si.si_pid, 0);

	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	memset(&si, 0, sizeof(si));
	UT_EXPECT_EQ(waitid(P_PGID, c, &si, WCONTINUED | WNOWAIT), 0);
	UT_EXPECT_EQ(si.si_code, CLD_CONTINUED);
	UT_EXPECT_EQ(si.si_status, SIGCONT);
	UT_EXPECT_EQ(si.si_pid, c);
	memset(&si, 0, sizeof(si));
	UT_EXPECT_EQ(waitid(P_ALL, 0, &si, WCONTINUED | WNOHANG), 0);
	UT_EXPECT_EQ(si.si_code, CLD_CONTINUED);
	UT_EXPECT_EQ(si.si_pid, c);
	memset(&si, 0, sizeof(si));
	UT_EXPECT_EQ(waitid(P_PID, c, &si, WCONTINUED | WNOHANG), 0);
	UT_EXPECT_EQ(si.si_pid, 0);
	/* The stop and the continuation are not what WEXITED reports. */
	UT_EXPECT_ERR(waitid(P_PID, c, &si, WNOHANG), EINVAL);
	kill_and_reap(c);
}

/* SIGCHLD's siginfo for a stop and a continuation, taken synchronously
 * (sigwaitinfo), and SA_NOCLDSTOP turning both off. */
UT_CASE(test_sigchld_info)
{
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid_t c = sleeper(false);
	UT_ASSERT(c > 0);
	siginfo_t si;
	int st;
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(sigwaitinfo(&chld, &si), SIGCHLD);
	UT_EXPECT_EQ(si.si_code, CLD_STOPPED);
	UT_EXPECT_EQ(si.si_status, SIGSTOP);
	UT_EXPECT_EQ(si.si_pid, c);
	UT_EXPECT_EQ(si.si_uid, getuid());
	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	UT_EXPECT_EQ(sigwaitinfo(&chld, &si), SIGCHLD);
	UT_EXPECT_EQ(si.si_code, CLD_CONTINUED);
	UT_EXPECT_EQ(si.si_status, SIGCONT);
	UT_EXPECT_EQ(si.si_pid, c);

	/* SA_NOCLDSTOP: neither is signalled, wait still reports both; the
	 * first SIGCHLD is the kill's (standard signals do not queue, so an
	 * earlier CLD_STOPPED would still be the one pending). */
	struct sigaction sa = { .sa_handler = SIG_DFL, .sa_flags = SA_NOCLDSTOP }, osa;
	UT_EXPECT_EQ(sigaction(SIGCHLD, &sa, &osa), 0);
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	UT_EXPECT(WIFSTOPPED(st));
	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WCONTINUED), c);
	UT_EXPECT(WIFCONTINUED(st));
	kill_and_reap(c);
	UT_EXPECT_EQ(sigwaitinfo(&chld, &si), SIGCHLD);
	UT_EXPECT_EQ(si.si_code, CLD_KILLED);
	UT_EXPECT_EQ(si.si_pid, c);
	sigset_t pend;
	sigpending(&pend);
	UT_EXPECT(!sigismember(&pend, SIGCHLD));
	sigaction(SIGCHLD, &osa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* SIGCHLD ignored: no signal, the stop is still waitable, the exit is
 * reaped by itself. */
UT_CASE(test_sigchld_ignored)
{
	struct sigaction sa = { .sa_handler = SIG_IGN }, osa;
	UT_EXPECT_EQ(sigaction(SIGCHLD, &sa, &osa), 0);
	pid_t c = sleeper(false);
	UT_ASSERT(c > 0);
	int st;
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	UT_EXPECT(WIFSTOPPED(st));
	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WCONTINUED), c);
	UT_EXPECT(WIFCONTINUED(st));
	UT_EXPECT_EQ(kill(c, SIGKILL), 0);
	UT_EXPECT_ERR(waitpid(c, &st, 0), ECHILD);

	/* SA_NOCLDWAIT: the stop is signalled (no SA_NOCLDSTOP) and
	 * waitable, the exit reaped by itself. */
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;
	UT_EXPECT_EQ(sigaction(SIGCHLD, &sa, NULL), 0);
	c = sleeper(false);
	UT_ASSERT(c > 0);
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	siginfo_t si;
	UT_EXPECT_EQ(sigwaitinfo(&chld, &si), SIGCHLD);
	UT_EXPECT_EQ(si.si_code, CLD_STOPPED);
	UT_EXPECT_EQ(si.si_pid, c);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	UT_EXPECT(WIFSTOPPED(st));
	UT_EXPECT_EQ(kill(c, SIGKILL), 0);
	UT_EXPECT_ERR(waitpid(c, &st, 0), ECHILD);
	UT_EXPECT_EQ(sigwaitinfo(&chld, &si), SIGCHLD);
	UT_EXPECT_EQ(si.si_code, CLD_KILLED);
	sigaction(SIGCHLD, &osa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* A child's pending sets after what the parent sends: the child blocks
 * SIGCONT and SIGTSTP, and reports sigpending() on each byte it reads. */
UT_CASE(test_cont_and_stop_cancel)
{
	int down[2], up[2];
	UT_ASSERT(pipe(down) == 0 && pipe(up) == 0);
	pid_t c = fork();
	if (c == 0) {
		close(down[1]);
		close(up[0]);
		setpgid(0, 0);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGCONT);
		sigaddset(&s, SIGTSTP);
		sigprocmask(SIG_BLOCK, &s, NULL);
		char b = 'r';
		if (write(up[1], &b, 1) != 1)
			_exit(2);
		while (read(down[0], &b, 1) == 1) {
			sigset_t p;
			sigpending(&p);
			b = (sigismember(&p, SIGCONT) ? 1 : 0) | (sigismember(&p, SIGTSTP) ? 2 : 0);
			if (write(up[1], &b, 1) != 1)
				_exit(2);
		}
		_exit(0);
	}
	UT_ASSERT(c > 0);
	setpgid(c, c);
	char b;
	UT_ASSERT(read(up[0], &b, 1) == 1);
#define PENDING(expect) do { b = 0; UT_EXPECT_EQ(write(down[1], &b, 1), 1); \
	UT_EXPECT_EQ(read(up[0], &b, 1), 1); UT_EXPECT_EQ(b, expect); } while (0)
	kill(c, SIGCONT);
	PENDING(1);             /* blocked SIGCONT pends */
	kill(c, SIGTSTP);
	PENDING(2);             /* the stop discarded it */
	kill(c, SIGCONT);
	PENDING(1);             /* and SIGCONT the stop */
	/* SIGTSTP pends (blocked); SIGTTOU is not blocked and stops the
	 * child; SIGCONT ends the stop and discards the pending SIGTSTP. */
	kill(c, SIGTSTP);
	kill(c, SIGTTOU);
	int st;
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	UT_EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTOU);
	kill(c, SIGCONT);
	PENDING(1);
#undef PENDING
	close(down[1]);
	UT_EXPECT_EQ(waitpid(c, &st, 0), c);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(down[0]);
	close(up[0]);
	close(up[1]);
}

/* A stop interrupts a blocking call without a handler: it restarts after
 * SIGCONT, and returns what it would have (not EINTR). */
UT_CASE(test_blocked_call_restarts)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	pid_t c = fork();
	if (c == 0) {
		close(p[1]);
		char b = 0;
		errno = 0;
		ssize_t n = read(p[0], &b, 1);
		_exit(n == 1 && b == 'x' ? 0 : n < 0 ? 100 + errno : 99);
	}
	UT_ASSERT(c > 0);
	close(p[0]);
	UT_EXPECT(wait_state(c, 'S', true));    /* asleep in read */
	int st;
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	UT_EXPECT_EQ(proc_state(c), 'T');
	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WCONTINUED), c);
	UT_EXPECT(wait_state(c, 'S', true));    /* back in read */
	char b = 'x';
	UT_EXPECT_EQ(write(p[1], &b, 1), 1);
	UT_EXPECT_EQ(waitpid(c, &st, 0), c);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	close(p[1]);
}

static int hup_pipe = -1;

static void note_signal(int sig)
{
	char b = sig == SIGHUP ? 'H' : sig == SIGUSR1 ? 'u' : '?';
	if (write(hup_pipe, &b, 1) != 1)
		_exit(3);
}

/* While stopped, other signals wait (a handler does not run) until
 * SIGCONT; SIGKILL does not wait. */
UT_CASE(test_stopped_signals_wait)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	pid_t c = fork();
	if (c == 0) {
		hup_pipe = p[1];
		struct sigaction sa = { .sa_handler = note_signal };
		sigaction(SIGUSR1, &sa, NULL);
		char b = 'r';
		if (write(p[1], &b, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	UT_ASSERT(c > 0);
	char b;
	UT_ASSERT(read(p[0], &b, 1) == 1 && b == 'r');
	int st;
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	UT_EXPECT_EQ(kill(c, SIGUSR1), 0);
	UT_EXPECT_EQ(proc_state(c), 'T');
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	UT_EXPECT_ERR(read(p[0], &b, 1), EAGAIN);      /* no handler ran */
	fcntl(p[0], F_SETFL, 0);
	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	UT_EXPECT_EQ(read(p[0], &b, 1), 1);
	UT_EXPECT_EQ(b, 'u');
	/* SIGKILL of a stopped process. */
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	kill_and_reap(c);
	close(p[0]);
	close(p[1]);
}

/* Threads of the stopped child: two spin, counting in shared memory. */
static atomic_long *counters;

static void *spin(void *arg)
{
	atomic_long *n = arg;
	for (;;)
		atomic_fetch_add(n, 1);
	return NULL;
}

/* For a failure report: every thread's /proc/PID/task/TID/stat line. */
static void dump_threads(pid_t pid)
{
	char path[300], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, e->d_name);
		int fd = open(path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			printf("    # thread %s: %s", e->d_name, buf);
		}
	}
	closedir(d);
}

static bool counter_moves(int i)
{
	long v = atomic_load(&counters[i]);
	for (int k = 0; k < 20000; k++) {
		if (atomic_load(&counters[i]) != v)
			return true;
		usleep(1000);
	}
	return false;
}

/* Both counters of child c move; says which threads did not if not. */
static bool threads_count(pid_t c)
{
	bool ok0 = counter_moves(0), ok1 = counter_moves(1);
	if (!ok0 || !ok1) {
		printf("    # counters %ld %ld stuck: %d %d\n", atomic_load(&counters[0]),
		       atomic_load(&counters[1]), !ok0, !ok1);
		dump_threads(c);
	}
	return ok0 && ok1;
}

/* waitpid(c, options) for a stop or continuation, polled for up to ~20 s
 * so a stop that never completes is a failure with a report, not a hang. */
static pid_t wait_jobctl(pid_t c, int *st, int options)
{
	for (int k = 0; k < 20000; k++) {
		pid_t r = waitpid(c, st, options | WNOHANG);
		if (r != 0)
			return r;
		usleep(1000);
	}
	printf("    # no report from %d\n", c);
	dump_threads(c);
	return 0;
}

/* Every thread of /proc/PID/task shows st; the number of threads seen. */
static int threads_in_state(pid_t pid, char st)
{
	char path[300];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, e->d_name);
		if (stat_state(path) != st) {
			n = -1;
			break;
		}
		n++;
	}
	closedir(d);
	return n;
}

/* A thread of pid other than its first, from /proc/PID/task; -1 if none. */
static pid_t other_thread(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	pid_t tid = -1;
	while ((e = readdir(d)) != NULL) {
		int t = atoi(e->d_name);
		if (t > 0 && t != pid) {
			tid = t;
			break;
		}
	}
	closedir(d);
	return tid;
}

/* A child whose two threads spin, each counting in counters[i] (shared
 * with this process); its pid, or -1. The child writes the page before
 * starting the threads. */
static pid_t fork_spinners(void)
{
	counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counters == MAP_FAILED)
		return -1;
	pid_t c = fork();
	if (c == 0) {
		pthread_t th[2];
		atomic_store(&counters[0], 0);
		atomic_store(&counters[1], 0);
		for (int i = 0; i < 2; i++)
			if (pthread_create(&th[i], NULL, spin, (void *)&counters[i]))
				_exit(2);
		for (;;)
			pause();
	}
	return c;
}

/* 50 ms later the counters still read v0 and v1: no thread runs. */
static void expect_counters_still(long v0, long v1)
{
	for (int k = 0; k < 50; k++)
		usleep(1000);
	UT_EXPECT_EQ(atomic_load(&counters[0]), v0);
	UT_EXPECT_EQ(atomic_load(&counters[1]), v1);
}

UT_CASE(test_threads_stop)
{
	pid_t c = fork_spinners();
	UT_ASSERT(c > 0);
	UT_EXPECT(threads_count(c));
	int st;
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(wait_jobctl(c, &st, WUNTRACED), c);
	UT_EXPECT(WIFSTOPPED(st));
	/* The stop is reported once every thread is parked: nothing counts
	 * any more, and all three threads show T. */
	long v0 = atomic_load(&counters[0]), v1 = atomic_load(&counters[1]);
	expect_counters_still(v0, v1);
	UT_EXPECT_EQ(threads_in_state(c, 'T'), 3);
	UT_EXPECT_EQ(proc_state(c), 'T');
	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	UT_EXPECT_EQ(wait_jobctl(c, &st, WCONTINUED), c);
	UT_EXPECT(threads_count(c));
	/* A stop sent to one thread (tgkill) stops them all. */
	pid_t tid = other_thread(c);
	UT_ASSERT(tid > 0);
	UT_EXPECT_EQ(syscall(SYS_tgkill, c, tid, SIGSTOP), 0);
	UT_EXPECT_EQ(wait_jobctl(c, &st, WUNTRACED), c);
	UT_EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	UT_EXPECT_EQ(threads_in_state(c, 'T'), 3);
	v0 = atomic_load(&counters[0]);
	v1 = atomic_load(&counters[1]);
	expect_counters_still(v0, v1);
	kill_and_reap(c);
	munmap(counters, 4096);
}

/* Stops and continuations racing with each other and with the threads
 * parking: whatever the interleaving, after the last SIGCONT the child
 * runs again, and each full stop is reported and undone. */
UT_CASE(test_stop_cont_storm)
{
	pid_t c = fork_spinners();
	UT_ASSERT(c > 0);
	UT_EXPECT(threads_count(c));
	int st, bad = 0;
	for (int i = 0; i < 300; i++) {
		kill(c, SIGSTOP);
		if (i % 3 == 0)
			sched_yield();
		kill(c, SIGCONT);
	}
	/* Whatever reports the race left, they are stops or continuations. */
	while (waitpid(c, &st, WUNTRACED | WCONTINUED | WNOHANG) == c)
		bad += !WIFSTOPPED(st) && !WIFCONTINUED(st);
	UT_EXPECT_EQ(bad, 0);
	UT_EXPECT(threads_count(c));
	for (int i = 0; i < 50; i++) {
		kill(c, SIGSTOP);
		UT_EXPECT_EQ(wait_jobctl(c, &st, WUNTRACED), c);
		UT_EXPECT(WIFSTOPPED(st));
		kill(c, SIGCONT);
		UT_EXPECT_EQ(wait_jobctl(c, &st, WCONTINUED), c);
		UT_EXPECT(WIFCONTINUED(st));
	}
	UT_EXPECT(threads_count(c));
	kill_and_reap(c);
	munmap(counters, 4096);
}

/* A child that made its own session is an orphaned group (its parent is
 * in another session): SIGTSTP is discarded, SIGSTOP still stops. */
UT_CASE(test_orphaned_tstp_discarded)
{
	int down[2], up[2];
	UT_ASSERT(pipe(down) == 0 && pipe(up) == 0);
	pid_t c = fork();
	if (c == 0) {
		close(down[1]);
		close(up[0]);
		char b = setsid() > 0 ? 'r' : 'x';
		do {
			if (write(up[1], &b, 1) != 1)
				_exit(2);
		} while (read(down[0], &b, 1) == 1);
		_exit(0);
	}
	UT_ASSERT(c > 0);
	char b;
	UT_ASSERT(read(up[0], &b, 1) == 1);
	UT_EXPECT_EQ(b, 'r');
	int st;
	UT_EXPECT_EQ(kill(c, SIGTSTP), 0);
	UT_EXPECT_EQ(kill(c, SIGTTIN), 0);
	UT_EXPECT_EQ(kill(c, SIGTTOU), 0);
	/* It answers after taking them (they were sent first), so they did
	 * not stop it. */
	b = 'p';
	UT_EXPECT_EQ(write(down[1], &b, 1), 1);
	struct pollfd pf = { .fd = up[0], .events = POLLIN };
	UT_EXPECT_EQ(poll(&pf, 1, 20000), 1);
	UT_EXPECT_EQ(read(up[0], &b, 1), 1);
	UT_EXPECT_EQ(b, 'p');
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED | WNOHANG), 0);
	UT_EXPECT_EQ(kill(c, SIGSTOP), 0);
	UT_EXPECT_EQ(waitpid(c, &st, WUNTRACED), c);
	UT_EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	UT_EXPECT_EQ(kill(c, SIGCONT), 0);
	close(down[1]);
	UT_EXPECT_EQ(waitpid(c, &st, 0), c);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(down[0]);
	close(up[0]);
	close(up[1]);
}

/*
 * A (in a group of its own) has a child B in that group; B stops itself.
 * The group is not orphaned while A lives (A's parent, us, is in another
 * group of the session). When A exits it is: B gets SIGHUP then SIGCONT,
 * runs its SIGHUP handler and goes on.
 */
UT_CASE(test_orphaned_stopped_group_hup)
{
	int p[2], go[2];
	UT_ASSERT(pipe(p) == 0 && pipe(go) == 0);
	pid_t a = fork();
	if (a == 0) {
		close(go[1]);
		setpgid(0, 0);
		pid_t b = fork();
		if (b == 0) {
			hup_pipe = p[1];
			struct sigaction sa = { .sa_handler = note_signal };
			sigaction(SIGHUP, &sa, NULL);
			char r = 'r';
			if (write(p[1], &r, 1) != 1)
				_exit(2);
			kill(getpid(), SIGSTOP);
			r = 'C';
			_exit(write(p[1], &r, 1) != 1);
		}
		if (write(p[1], &b, sizeof(b)) != sizeof(b))
			_exit(2);
		char x;
		_exit(read(go[0], &x, 1) != 0);   /* until the test closes go */
	}
	UT_ASSERT(a > 0);
	setpgid(a, a);
	close(go[0]);
	pid_t b;
	char r;
	/* A writes B's pid, B writes 'r': in either order. */
	char buf[sizeof(pid_t) + 1];
	size_t got = 0;
	while (got < sizeof(buf)) {
		ssize_t n = read(p[0], buf + got, sizeof(buf) - got);
		UT_ASSERT(n > 0);
		got += n;
	}
	if (buf[0] == 'r') {
		memcpy(&b, buf + 1, sizeof(b));
	} else {
		memcpy(&b, buf, sizeof(b));
		UT_EXPECT_EQ(buf[sizeof(pid_t)], 'r');
	}
	UT_ASSERT(b > 0);
	UT_EXPECT(wait_state(b, 'T', true));
	UT_EXPECT_EQ(getpgid(b), a);
	close(go[1]);           /* A exits */
	int st;
	UT_EXPECT_EQ(waitpid(a, &st, 0), a);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	UT_EXPECT_EQ(read(p[0], &r, 1), 1);
	UT_EXPECT_EQ(r, 'H');
	UT_EXPECT_EQ(read(p[0], &r, 1), 1);
	UT_EXPECT_EQ(r, 'C');
	close(p[0]);
	close(p[1]);
}

/* kill(-pgid) stops and continues every member; killpg's errors. */
UT_CASE(test_kill_group)
{
	pid_t c1 = sleeper(true);
	UT_ASSERT(c1 > 0);
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	pid_t c2 = fork();
	if (c2 == 0) {
		setpgid(0, c1);
		char b = 'r';
		if (write(p[1], &b, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	UT_ASSERT(c2 > 0);
	setpgid(c2, c1);
	char b;
	UT_ASSERT(read(p[0], &b, 1) == 1);
	int st;
	UT_EXPECT_EQ(kill(-c1, SIGTSTP), 0);
	UT_EXPECT_EQ(waitpid(c1, &st, WUNTRACED), c1);
	UT_EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	UT_EXPECT_EQ(waitpid(-c1, &st, WUNTRACED), c2);
	UT_EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	UT_EXPECT_EQ(killpg(c1, SIGCONT), 0);
	pid_t seen = 0;
	for (int i = 0; i < 2; i++) {
		pid_t r = waitpid(-c1, &st, WCONTINUED);
		UT_EXPECT(r == c1 || r == c2);
		UT_EXPECT(WIFCONTINUED(st));
		UT_EXPECT(r != seen);
		seen = r;
	}
	UT_EXPECT_EQ(killpg(c1, 0), 0);
	UT_EXPECT_ERR(killpg(32767, SIGCONT), ESRCH);
	UT_EXPECT_ERR(kill(-c1, 65), EINVAL);
	kill_and_reap(c1);
	kill_and_reap(c2);
	close(p[0]);
	close(p[1]);
}

/* kill(2)'s rules for stops: another user's process may not be stopped,
 * but SIGCONT goes to any process of the caller's session; kill(-1). */
UT_CASE(test_permissions)
{
	if (geteuid() != 0)
		return;         /* needs root to become another user */
	pid_t a = sleeper(true);
	UT_ASSERT(a > 0);
	pid_t b = fork();
	if (b == 0) {
		if (setuid(1000) != 0)
			_exit(10);
		int r = 0;
		errno = 0;
		r |= (kill(a, SIGSTOP) != -1 || errno != EPERM) << 0;
		errno = 0;
		r |= (killpg(a, SIGTSTP) != -1 || errno != EPERM) << 1;
		r |= (kill(a, SIGCONT) != 0) << 2;
		r |= (killpg(a, SIGCONT) != 0) << 3;
		errno = 0;
		r |= (kill(a, 0) != -1 || errno != EPERM) << 4;
		_exit(r);
	}
	UT_ASSERT(b > 0);
	int st;
	UT_EXPECT_EQ(waitpid(b, &st, 0), b);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	UT_EXPECT_EQ(waitpid(a, &st, WUNTRACED | WNOHANG), 0);  /* never stopped */
	/* kill(-1): everyone but init and the caller; a bad signal is
	 * EINVAL when there is someone to send it to. */
	UT_EXPECT_EQ(kill(-1, 0), 0);
	UT_EXPECT_ERR(kill(-1, 65), EINVAL);
	kill_and_reap(a);
}

UT_SUITE("jobctl", UT_C(test_stop_cont_wait4), UT_C(test_waitid_reports),
	 UT_C(test_sigchld_info), UT_C(test_sigchld_ignored), UT_C(test_cont_and_stop_cancel),
	 UT_C(test_blocked_call_restarts), UT_C(test_stopped_signals_wait), UT_C(test_threads_stop), UT_C(test_stop_cont_storm),
	 UT_C(test_orphaned_tstp_discarded), UT_C(test_orphaned_stopped_group_hup),
	 UT_C(test_kill_group), UT_C(test_permissions))
