/* poll, ppoll, select and pselect6: the masks of pipes (both ends, before
 * and after the other end closes), eventfd, timerfd, the console and an
 * initramfs file; timeouts and their write-back; signal masks and EINTR;
 * every errno path; wake-ups from another CPU; and 1 GiB through a pipe. */
#include "utest.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

static short revents(int fd, short events)
{
	struct pollfd p = { fd, events, 0 };
	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int reap(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

/* Pin the caller to CPU cpu if the machine has it (cross-CPU wake-ups). */
static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

UT_CASE(test_pipe_masks)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_EQ(revents(p[0], POLLIN | POLLOUT), 0);
	UT_EXPECT_EQ(revents(p[1], POLLIN | POLLOUT), POLLOUT);
	UT_EXPECT_EQ(revents(p[1], POLLWRNORM), POLLWRNORM);
	UT_EXPECT_EQ(write(p[1], "x", 1), 1);
	UT_EXPECT_EQ(revents(p[0], POLLIN | POLLRDNORM | POLLOUT), POLLIN | POLLRDNORM);
	/* The writer goes: hang-up, data still readable. */
	close(p[1]);
	UT_EXPECT_EQ(revents(p[0], POLLIN), POLLIN | POLLHUP);
	char c;
	UT_EXPECT_EQ(read(p[0], &c, 1), 1);
	UT_EXPECT_EQ(revents(p[0], POLLIN), POLLHUP);
	/* Reported even when not asked for. */
	UT_EXPECT_EQ(revents(p[0], 0), POLLHUP);
	close(p[0]);

	UT_ASSERT(pipe(p) == 0);
	close(p[0]);
	UT_EXPECT_EQ(revents(p[1], POLLOUT), POLLOUT | POLLERR);
	UT_EXPECT_EQ(revents(p[1], 0), POLLERR);
	close(p[1]);
}

UT_CASE(test_pipe_full_not_writable)
{
	int p[2];
	char buf[4096] = { 0 };
	UT_ASSERT(pipe2(p, O_NONBLOCK) == 0);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	UT_EXPECT_EQ(errno, EAGAIN);
	UT_EXPECT_EQ(revents(p[1], POLLOUT), 0);
	UT_EXPECT_EQ(read(p[0], buf, sizeof(buf)), (long)sizeof(buf));
	UT_EXPECT_EQ(revents(p[1], POLLOUT), POLLOUT);
	close(p[0]);
	close(p[1]);
}

UT_CASE(test_other_file_kinds)
{
	int e = eventfd(0, 0);
	UT_ASSERT(e >= 0);
	UT_EXPECT_EQ(revents(e, POLLIN | POLLOUT), POLLOUT);
	uint64_t v = 3;
	UT_EXPECT_EQ(write(e, &v, 8), 8);
	UT_EXPECT_EQ(revents(e, POLLIN | POLLOUT), POLLIN | POLLOUT);
	v = 0xfffffffffffffffeull - 3;
	UT_EXPECT_EQ(write(e, &v, 8), 8);
	UT_EXPECT_EQ(revents(e, POLLIN | POLLOUT), POLLIN);
	close(e);

	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	UT_ASSERT(t >= 0);
	UT_EXPECT_EQ(revents(t, POLLIN), 0);
	struct itimerspec its = { .it_value = { 0, 20 * 1000 * 1000 } };
	UT_EXPECT_EQ(timerfd_settime(t, 0, &its, NULL), 0);
	struct pollfd pf = { t, POLLIN, 0 };
	UT_EXPECT_EQ(poll(&pf, 1, 5000), 1);
	UT_EXPECT_EQ(pf.revents, POLLIN);
	close(t);

	/* A file without a poll method (an initramfs directory): always ready. */
	int d = open("/", O_RDONLY | O_DIRECTORY);
	UT_ASSERT(d >= 0);
	UT_EXPECT_EQ(revents(d, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM),
		     POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	close(d);
}

UT_CASE(test_poll_errors)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	struct pollfd f[3] = { { p[1], POLLOUT, 77 }, { -1, POLLIN, 77 }, { 1000, POLLIN, 77 } };
	UT_EXPECT_EQ(poll(f, 3, 0), 2);
	UT_EXPECT_EQ(f[0].revents, POLLOUT);
	UT_EXPECT_EQ(f[1].revents, 0);
	UT_EXPECT_EQ(f[2].revents, POLLNVAL);
	UT_EXPECT_EQ(f[2].fd, 1000);
	UT_EXPECT_ERR(syscall(SYS_poll, 8, 1, 0), EFAULT);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	UT_EXPECT_ERR(poll(f, rl.rlim_cur + 1, 0), EINVAL);
	UT_EXPECT_EQ(poll(NULL, 0, 0), 0);
	struct timespec bad = { 0, 1000000000 };
	UT_EXPECT_ERR(ppoll(f, 1, &bad, NULL), EINVAL);
	bad.tv_sec = -1, bad.tv_nsec = 0;
	UT_EXPECT_ERR(ppoll(f, 1, &bad, NULL), EINVAL);
	sigset_t m;
	sigemptyset(&m);
	UT_EXPECT_ERR(syscall(SYS_ppoll, f, 1, NULL, &m, 4), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_ppoll, f, 1, NULL, (void *)8, 8), EFAULT);
	close(p[0]);
	close(p[1]);
}

UT_CASE(test_timeouts)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	struct pollfd f = { p[0], POLLIN, 0 };
	uint64_t t0 = now_ms();
	UT_EXPECT_EQ(poll(&f, 1, 50), 0);
	UT_EXPECT(now_ms() - t0 >= 50);

	struct timespec ts = { 0, 30 * 1000 * 1000 };
	t0 = now_ms();
	UT_EXPECT_EQ(syscall(SYS_ppoll, &f, 1, &ts, NULL, 8), 0);
	UT_EXPECT(now_ms() - t0 >= 30);
	UT_EXPECT_EQ(ts.tv_sec, 0);
	UT_EXPECT_EQ(ts.tv_nsec, 0);

	/* Ready at once: the time left is written back, close to all of it. */
	UT_EXPECT_EQ(write(p[1], "x", 1), 1);
	ts = (struct timespec){ 10, 0 };
	UT_EXPECT_EQ(syscall(SYS_ppoll, &f, 1, &ts, NULL, 8), 1);
	UT_EXPECT(ts.tv_sec >= 8 && ts.tv_sec <= 10);

	struct timeval tv = { 0, 20000 };
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[1], &r);
	/* musl's select passes a copy of tv: call the kernel directly. */
	UT_EXPECT_EQ(syscall(SYS_select, p[1] + 1, &r, NULL, NULL, &tv), 0);
	UT_EXPECT_EQ(tv.tv_sec, 0);
	UT_EXPECT_EQ(tv.tv_usec, 0);
	UT_EXPECT(!FD_ISSET(p[1], &r));
	close(p[0]);
	close(p[1]);
}

UT_CASE(test_select_sets)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	fd_set r, w, x;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&x);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[0], &x);
	struct timeval tv = { 0, 0 };
	UT_EXPECT_EQ(select(p[1] + 1, &r, &w, &x, &tv), 1);
	UT_EXPECT(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w) && !FD_ISSET(p[0], &x));
	UT_EXPECT_EQ(write(p[1], "ab", 2), 2);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	UT_EXPECT_EQ(select(p[1] + 1, &r, &w, NULL, NULL), 2);
	UT_EXPECT(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));
	/* A closed writer makes the read end readable (end of file). */
	char b[2];
	UT_EXPECT_EQ(read(p[0], b, 2), 2);
	close(p[1]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	UT_EXPECT_EQ(select(p[0] + 1, &r, NULL, NULL, NULL), 1);

	/* Errors: a set naming a closed descriptor, nfds < 0, bad timeval. */
	FD_SET(p[1], &r);
	UT_EXPECT_ERR(select(p[1] + 1, &r, NULL, NULL, &tv), EBADF);
	UT_EXPECT_ERR(select(-1, NULL, NULL, NULL, &tv), EINVAL);
	tv.tv_usec = -1;
	UT_EXPECT_ERR(select(1, NULL, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){ -1, 0 };
	UT_EXPECT_ERR(select(1, NULL, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){ 0, 0 };
	UT_EXPECT_ERR(select(1, (fd_set *)8, NULL, NULL, &tv), EFAULT);
	/* Descriptors past the first word of the sets. */
	UT_ASSERT(dup2(p[0], 130) == 130);
	FD_ZERO(&r);
	FD_SET(130, &r);
	UT_EXPECT_EQ(select(131, &r, NULL, NULL, &tv), 1);
	UT_EXPECT(FD_ISSET(130, &r));
	close(130);
	/* Bits past nfds are not looked at. */
	FD_ZERO(&r);
	FD_SET(p[1], &r);
	UT_EXPECT_EQ(select(p[1], &r, NULL, NULL, &tv), 0);
	close(p[0]);
}

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void set_handler(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* A handler interrupts poll and select with EINTR, SA_RESTART or not. */
UT_CASE(test_eintr)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	struct pollfd f = { p[0], POLLIN, 0 };
	set_handler(SIGALRM, SA_RESTART);
	struct itimerval it = { .it_value = { 0, 30000 } };
	handled = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	UT_EXPECT_ERR(poll(&f, 1, -1), EINTR);
	UT_EXPECT_EQ(handled, 1);
	setitimer(ITIMER_REAL, &it, NULL);
	UT_EXPECT_ERR(poll(&f, 1, 10000), EINTR);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	setitimer(ITIMER_REAL, &it, NULL);
	UT_EXPECT_ERR(select(p[0] + 1, &r, NULL, NULL, NULL), EINTR);
	UT_EXPECT_EQ(handled, 3);
	signal(SIGALRM, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

/* ppoll and pselect6 wait with their mask: a signal blocked outside is
 * taken inside, and the caller's mask is back afterwards. */
UT_CASE(test_sigmask_swap)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	set_handler(SIGUSR1, 0);
	sigset_t block, empty, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	handled = 0;
	kill(getpid(), SIGUSR1);
	UT_EXPECT_EQ(handled, 0);
	struct pollfd f = { p[0], POLLIN, 0 };
	UT_EXPECT_ERR(ppoll(&f, 1, NULL, &empty), EINTR);
	UT_EXPECT_EQ(handled, 1);
	sigprocmask(SIG_BLOCK, NULL, &now);
	UT_EXPECT(sigismember(&now, SIGUSR1));

	kill(getpid(), SIGUSR1);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	UT_EXPECT_ERR(pselect(p[0] + 1, &r, NULL, NULL, NULL, &empty), EINTR);
	UT_EXPECT_EQ(handled, 2);
	sigprocmask(SIG_BLOCK, NULL, &now);
	UT_EXPECT(sigismember(&now, SIGUSR1));

	/* Not interrupted: the mask is put back at once. */
	struct timespec zero = { 0, 0 };
	UT_EXPECT_EQ(ppoll(&f, 1, &zero, &empty), 0);
	sigprocmask(SIG_BLOCK, NULL, &now);
	UT_EXPECT(sigismember(&now, SIGUSR1));
	/* pselect6's sixth argument: a bad size, a bad pointer. */
	struct { const sigset_t *ss; size_t len; } six = { &empty, 4 };
	UT_EXPECT_ERR(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &zero, &six), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &zero, (void *)8), EFAULT);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

/* A sleeper on one CPU, woken by a writer on another. */
UT_CASE(test_cross_cpu_wakeup)
{
	int p[2], e = eventfd(0, 0);
	UT_ASSERT(pipe(p) == 0 && e >= 0);
	pin(0);
	pid_t pid = fork();
	if (pid == 0) {
		pin(1);
		for (int i = 0; i < 20; i++) {
			usleep(2000);
			uint64_t one = 1;
			if (write(p[1], "x", 1) != 1 || write(e, &one, 8) != 8)
				_exit(1);
		}
		_exit(0);
	}
	int got = 0, events = 0;
	while (got < 20) {
		struct pollfd f[2] = { { p[0], POLLIN, 0 }, { e, POLLIN, 0 } };
		int n = poll(f, 2, 10000);
		UT_ASSERT(n > 0);
		char c;
		if (f[0].revents & POLLIN)
			got += read(p[0], &c, 1) == 1;
		if (f[1].revents & POLLIN) {
			uint64_t v;
			events += read(e, &v, 8) == 8 ? (int)v : 0;
		}
	}
	UT_EXPECT_EQ(reap(pid), 0);
	UT_EXPECT_EQ(got, 20);
	pin(1);
	close(p[0]);
	close(p[1]);
	close(e);
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int i = 0; i < 64; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof(all), &all);
}

#define GIB (1ull << 30)
#define CHUNK (1 << 16)

/* The producer's chunks: a fixed random-looking pattern with the chunk's
 * offset in its first and last words, so a lost, repeated or swapped
 * chunk is seen; built once, as TCG makes every pass over 1 GiB count. */
static uint64_t pattern[CHUNK / 8];

static void make_pattern(void)
{
	for (size_t i = 0; i < CHUNK / 8; i++)
		pattern[i] = (i + 1) * 0x9e3779b97f4a7c15ull;
}

static void stamp(uint64_t *w, uint64_t off)
{
	w[0] = off;
	w[CHUNK / 8 - 1] = ~off;
}

static bool chunk_ok(const uint64_t *r, uint64_t off)
{
	if (r[0] != off || r[CHUNK / 8 - 1] != ~off)
		return false;
	uint64_t diff = 0;
	for (size_t i = 1; i < CHUNK / 8 - 1; i++)
		diff |= r[i] ^ pattern[i];
	return diff == 0;
}

/* Bytes test_pipe_gib moves: 1 GiB when the program is run with the
 * argument "gib" (make test does that once, as the pool test
 * pipe-1gib-checksum: scripts/run-prog --smp 2 build/user/t_poll-static
 * gib; 20-60 s under TCG), 128 MiB in the test runner's boots, whose
 * time budget a gibibyte per link mode would take most of. */
static uint64_t pipe_total = GIB / 8;

/* A producer on another CPU, each chunk checked; the reader polls
 * before each read. */
UT_CASE(test_pipe_gib)
{
	const uint64_t total = pipe_total;
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	make_pattern();
	uint64_t t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		pin(1);
		close(p[0]);
		for (uint64_t off = 0; off < total; off += CHUNK) {
			stamp(pattern, off);
			if (write(p[1], pattern, CHUNK) != CHUNK)
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	static uint64_t r[CHUNK / 8];
	uint64_t got = 0, bad = 0;
	size_t have = 0;
	for (;;) {
		struct pollfd f = { p[0], POLLIN, 0 };
		if (poll(&f, 1, -1) != 1)
			break;
		ssize_t n = read(p[0], (char *)r + have, CHUNK - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		if (have == CHUNK) {
			bad += !chunk_ok(r, got);
			got += CHUNK;
			have = 0;
		}
	}
	uint64_t ms = now_ms() - t0;
	UT_EXPECT_EQ(reap(pid), 0);
	UT_EXPECT_EQ(got, total);
	UT_EXPECT_EQ(bad, 0);
	printf("    # %llu MiB through a pipe in %llu ms (%llu MB/s)\n",
	       (unsigned long long)(total >> 20), (unsigned long long)ms,
	       (unsigned long long)(ms ? (total >> 20) * 1000 / ms : 0));
	close(p[0]);
}

int main(int argc, char **argv)
{
	static const struct ut_case cases[] = {
		UT_C(test_pipe_masks), UT_C(test_pipe_full_not_writable),
		UT_C(test_other_file_kinds), UT_C(test_poll_errors), UT_C(test_timeouts),
		UT_C(test_select_sets), UT_C(test_eintr), UT_C(test_sigmask_swap),
		UT_C(test_cross_cpu_wakeup), UT_C(test_pipe_gib),
	};
	if (argc > 1 && strcmp(argv[1], "gib") == 0)
		pipe_total = GIB;
	return ut_run("poll", cases, (int)(sizeof(cases) / sizeof(cases[0])));
}
