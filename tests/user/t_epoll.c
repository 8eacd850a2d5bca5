/* epoll: creation and every epoll_ctl/epoll_wait error; level- and
 * edge-triggered reports, one-shot items re-armed with MOD; hang-ups;
 * an epoll inside poll and inside another epoll; items that live as long
 * as the open file (not the descriptor); 1000 pipes; signal masks; and
 * a sleeper woken from another CPU. */
#include "utest.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* One epoll_wait with timeout 0: the count; the first event in *ev. */
static int wait0(int ep, struct epoll_event *ev)
{
	struct epoll_event evs[8];
	int n = epoll_wait(ep, evs, 8, 0);
	if (n > 0 && ev)
		*ev = evs[0];
	return n;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

UT_CASE(test_create)
{
	int ep = epoll_create1(0);
	UT_ASSERT(ep >= 0);
	UT_EXPECT_EQ(fcntl(ep, F_GETFD), 0);
	close(ep);
	ep = epoll_create1(EPOLL_CLOEXEC);
	UT_ASSERT(ep >= 0);
	UT_EXPECT_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
	close(ep);
	ep = epoll_create(1);
	UT_EXPECT(ep >= 0);
	close(ep);
	UT_EXPECT_ERR(syscall(SYS_epoll_create, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_epoll_create, -1), EINVAL);
	UT_EXPECT_ERR(epoll_create1(1), EINVAL);
}

UT_CASE(test_ctl_errors)
{
	int ep = epoll_create1(0), ep2 = epoll_create1(0), p[2];
	UT_ASSERT(ep >= 0 && ep2 >= 0 && pipe(p) == 0);
	struct epoll_event ev = { .events = EPOLLIN };
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
	UT_EXPECT_ERR(epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
	UT_EXPECT_ERR(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	UT_EXPECT_ERR(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)8), EFAULT);
	int d = open("/", O_RDONLY | O_DIRECTORY);
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev), EPERM);
	close(d);
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	/* The same file under another descriptor is another item. */
	int dup0 = dup(p[0]);
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, dup0, &ev), 0);
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, dup0, NULL), 0);
	close(dup0);
	/* EPOLLEXCLUSIVE: not with MOD, not on an epoll, not with ONESHOT. */
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	UT_EXPECT_ERR(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	UT_EXPECT_ERR(epoll_ctl(ep2, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE;
	UT_EXPECT_EQ(epoll_ctl(ep2, EPOLL_CTL_ADD, p[1], &ev), 0);
	UT_EXPECT_ERR(epoll_ctl(ep2, EPOLL_CTL_MOD, p[1], &ev), EINVAL);
	/* Cycles. */
	ev.events = EPOLLIN;
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev), 0);
	UT_EXPECT_ERR(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev), ELOOP);
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0);
	UT_EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	close(ep), close(ep2), close(p[0]), close(p[1]);
}

UT_CASE(test_wait_errors)
{
	int ep = epoll_create1(0), p[2];
	UT_ASSERT(ep >= 0 && pipe(p) == 0);
	struct epoll_event evs[2];
	UT_EXPECT_ERR(epoll_wait(ep, evs, 0, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_epoll_wait, ep, evs, -1, 0), EINVAL);
	UT_EXPECT_ERR(epoll_wait(999, evs, 2, 0), EBADF);
	UT_EXPECT_ERR(epoll_wait(p[0], evs, 2, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_epoll_wait, ep, (void *)0xffff800000000000ull, 2, 0), EFAULT);
	UT_EXPECT_EQ(syscall(SYS_epoll_pwait, ep, evs, 2, 0, NULL, 4), 0);
	sigset_t m;
	sigemptyset(&m);
	UT_EXPECT_ERR(syscall(SYS_epoll_pwait, ep, evs, 2, 0, &m, 4), EINVAL);
	uint64_t t0 = now_ms();
	UT_EXPECT_EQ(epoll_wait(ep, evs, 2, 40), 0);
	UT_EXPECT(now_ms() - t0 >= 40);
	/* epoll_pwait2: a timespec timeout. */
	struct timespec ts = { 0, 30 * 1000 * 1000 };
	t0 = now_ms();
	UT_EXPECT_EQ(syscall(441, ep, evs, 2, &ts, NULL, 8), 0);
	UT_EXPECT(now_ms() - t0 >= 30);
	ts.tv_nsec = 1000000000;
	UT_EXPECT_ERR(syscall(441, ep, evs, 2, &ts, NULL, 8), EINVAL);
	UT_EXPECT_ERR(syscall(441, ep, evs, 2, (void *)8, NULL, 8), EFAULT);
	UT_EXPECT_EQ(write(p[1], "x", 1), 1);
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &(struct epoll_event){ .events = EPOLLIN }), 0);
	UT_EXPECT_EQ(syscall(441, ep, evs, 2, NULL, NULL, 8), 1);
	close(ep), close(p[0]), close(p[1]);
}

UT_CASE(test_level_and_edge)
{
	int ep = epoll_create1(0), a[2], b[2];
	UT_ASSERT(ep >= 0 && pipe(a) == 0 && pipe(b) == 0);
	UT_EXPECT_EQ(add(ep, a[0], EPOLLIN, 1), 0);
	UT_EXPECT_EQ(add(ep, b[0], EPOLLIN | EPOLLET, 2), 0);
	UT_EXPECT_EQ(wait0(ep, NULL), 0);
	UT_EXPECT_EQ(write(a[1], "x", 1), 1);
	UT_EXPECT_EQ(write(b[1], "y", 1), 1);
	struct epoll_event evs[4];
	UT_EXPECT_EQ(epoll_wait(ep, evs, 4, 0), 2);
	/* Level-triggered: again while data remains; edge: not until more comes. */
	struct epoll_event ev = { 0 };
	UT_EXPECT_EQ(wait0(ep, &ev), 1);
	UT_EXPECT_EQ(ev.data.u64, 1);
	UT_EXPECT_EQ(ev.events, EPOLLIN);
	UT_EXPECT_EQ(write(b[1], "z", 1), 1);
	UT_EXPECT_EQ(epoll_wait(ep, evs, 4, 0), 2);
	UT_EXPECT_EQ(wait0(ep, &ev), 1);
	char buf[4];
	UT_EXPECT_EQ(read(a[0], buf, 4), 1);
	UT_EXPECT_EQ(wait0(ep, NULL), 0);
	/* The write end: hang-up and error are reported without asking. */
	UT_EXPECT_EQ(add(ep, a[1], EPOLLOUT, 3), 0);
	UT_EXPECT_EQ(wait0(ep, &ev), 1);
	UT_EXPECT_EQ(ev.events, EPOLLOUT);
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, a[1], NULL), 0);
	close(a[1]);
	UT_EXPECT_EQ(wait0(ep, &ev), 1);
	UT_EXPECT_EQ(ev.data.u64, 1);
	UT_EXPECT_EQ(ev.events, EPOLLHUP);
	/* maxevents 1: one at a time, both in turn. */
	UT_EXPECT_EQ(mod(ep, b[0], EPOLLIN, 2), 0);
	UT_EXPECT_EQ(epoll_wait(ep, evs, 1, 0), 1);
	uint64_t first = evs[0].data.u64;
	UT_EXPECT_EQ(epoll_wait(ep, evs, 1, 0), 1);
	UT_EXPECT(evs[0].data.u64 != first);
	close(ep), close(a[0]), close(b[0]), close(b[1]);
}

UT_CASE(test_oneshot)
{
	int ep = epoll_create1(0), p[2];
	UT_ASSERT(ep >= 0 && pipe(p) == 0);
	UT_EXPECT_EQ(add(ep, p[0], EPOLLIN | EPOLLONESHOT, 7), 0);
	UT_EXPECT_EQ(write(p[1], "x", 1), 1);
	struct epoll_event ev = { 0 };
	UT_EXPECT_EQ(wait0(ep, &ev), 1);
	UT_EXPECT_EQ(ev.data.u64, 7);
	UT_EXPECT_EQ(wait0(ep, NULL), 0);
	UT_EXPECT_EQ(write(p[1], "x", 1), 1);
	UT_EXPECT_EQ(wait0(ep, NULL), 0);
	/* Re-armed by MOD, with new data; data is waiting, so at once. */
	UT_EXPECT_EQ(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 8), 0);
	UT_EXPECT_EQ(wait0(ep, &ev), 1);
	UT_EXPECT_EQ(ev.data.u64, 8);
	UT_EXPECT_EQ(wait0(ep, NULL), 0);
	close(ep), close(p[0]), close(p[1]);
}

/* An item lives as long as the open file: closing one of two
 * descriptors keeps it; closing the last removes it. */
UT_CASE(test_item_lifetime)
{
	int ep = epoll_create1(0), p[2];
	UT_ASSERT(ep >= 0 && pipe(p) == 0);
	int d = dup(p[0]);
	UT_EXPECT_EQ(add(ep, p[0], EPOLLIN, 5), 0);
	close(p[0]);
	UT_EXPECT_EQ(write(p[1], "x", 1), 1);
	struct epoll_event ev = { 0 };
	UT_EXPECT_EQ(wait0(ep, &ev), 1);
	UT_EXPECT_EQ(ev.data.u64, 5);
	close(d);
	UT_EXPECT_EQ(wait0(ep, NULL), 0);
	/* The descriptor number is free again: a new file there is new. */
	UT_EXPECT_EQ(add(ep, p[1], EPOLLOUT, 6), 0);
	close(ep);
	close(p[1]);
}

/* An epoll is pollable, and can sit in another epoll. */
UT_CASE(test_nested)
{
	int in = epoll_create1(0), out = epoll_create1(0), p[2];
	UT_ASSERT(in >= 0 && out >= 0 && pipe(p) == 0);
	UT_EXPECT_EQ(add(in, p[0], EPOLLIN, 1), 0);
	UT_EXPECT_EQ(add(out, in, EPOLLIN, 2), 0);
	struct pollfd f = { in, POLLIN, 0 };
	UT_EXPECT_EQ(poll(&f, 1, 0), 0);
	UT_EXPECT_EQ(wait0(out, NULL), 0);
	UT_EXPECT_EQ(write(p[1], "x", 1), 1);
	UT_EXPECT_EQ(poll(&f, 1, 0), 1);
	UT_EXPECT_EQ(f.revents, POLLIN);
	struct epoll_event ev = { 0 };
	UT_EXPECT_EQ(wait0(out, &ev), 1);
	UT_EXPECT_EQ(ev.data.u64, 2);
	char c;
	UT_EXPECT_EQ(read(p[0], &c, 1), 1);
	UT_EXPECT_EQ(poll(&f, 1, 0), 0);
	UT_EXPECT_EQ(wait0(out, NULL), 0);
	close(in), close(out), close(p[0]), close(p[1]);
}

UT_CASE(test_eventfd_timerfd)
{
	int ep = epoll_create1(0), e = eventfd(0, EFD_NONBLOCK);
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	UT_ASSERT(ep >= 0 && e >= 0 && t >= 0);
	UT_EXPECT_EQ(add(ep, e, EPOLLIN | EPOLLET, 1), 0);
	UT_EXPECT_EQ(add(ep, t, EPOLLIN, 2), 0);
	struct itimerspec its = { .it_value = { 0, 20 * 1000 * 1000 } };
	UT_EXPECT_EQ(timerfd_settime(t, 0, &its, NULL), 0);
	struct epoll_event ev = { 0 };
	UT_EXPECT_EQ(epoll_wait(ep, &ev, 1, 5000), 1);
	UT_EXPECT_EQ(ev.data.u64, 2);
	uint64_t v = 1;
	UT_EXPECT_EQ(read(t, &v, 8), 8);
	UT_EXPECT_EQ(write(e, &v, 8), 8);
	UT_EXPECT_EQ(wait0(ep, &ev), 1);
	UT_EXPECT_EQ(ev.data.u64, 1);
	UT_EXPECT_EQ(wait0(ep, NULL), 0);
	close(ep), close(e), close(t);
}

#define NPIPES 1000

/* 1000 pipes in one epoll: exactly the ones written to are reported. */
UT_CASE(test_thousand_pipes)
{
	struct rlimit rl = { 2 * NPIPES + 64, 2 * NPIPES + 64 };
	UT_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	static int fds[NPIPES][2];
	int ep = epoll_create1(0);
	UT_ASSERT(ep >= 0);
	for (int i = 0; i < NPIPES; i++) {
		UT_ASSERT(pipe(fds[i]) == 0);
		UT_ASSERT(add(ep, fds[i][0], EPOLLIN, (uint64_t)i) == 0);
	}
	for (int i = 0; i < NPIPES; i += 7)
		UT_EXPECT_EQ(write(fds[i][1], "x", 1), 1);
	static struct epoll_event evs[NPIPES];
	int n = epoll_wait(ep, evs, NPIPES, 1000);
	UT_EXPECT_EQ(n, (NPIPES + 6) / 7);
	static char seen[NPIPES];
	for (int i = 0; i < n; i++)
		if (evs[i].data.u64 < NPIPES && evs[i].data.u64 % 7 == 0)
			seen[evs[i].data.u64]++;
	int distinct = 0;
	for (int i = 0; i < NPIPES; i++)
		distinct += seen[i] == 1;
	UT_EXPECT_EQ(distinct, n);
	for (int i = 0; i < NPIPES; i++)
		close(fds[i][0]), close(fds[i][1]);
	UT_EXPECT_EQ(wait0(ep, NULL), 0);
	close(ep);
}

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

/* A sleeper on CPU 0 woken by writes from CPU 1, edge-triggered. */
UT_CASE(test_cross_cpu)
{
	int ep = epoll_create1(0), p[2];
	UT_ASSERT(ep >= 0 && pipe(p) == 0);
	UT_EXPECT_EQ(add(ep, p[0], EPOLLIN | EPOLLET, 1), 0);
	pin(0);
	pid_t pid = fork();
	if (pid == 0) {
		pin(1);
		for (int i = 0; i < 50; i++) {
			usleep(1000);
			if (write(p[1], "x", 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	int got = 0;
	while (got < 50) {
		struct epoll_event ev = { 0 };
		int n = epoll_wait(ep, &ev, 1, 10000);
		UT_ASSERT(n == 1);
		char buf[64];
		ssize_t r;
		while ((r = read(p[0], buf, sizeof(buf))) > 0 && (got += (int)r) < 50) {
			struct pollfd f = { p[0], POLLIN, 0 };
			if (poll(&f, 1, 0) == 0)
				break;
		}
	}
	int st;
	UT_EXPECT_EQ(waitpid(pid, &st, 0), pid);
	UT_EXPECT_EQ(st, 0);
	UT_EXPECT_EQ(got, 50);
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int i = 0; i < 64; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof(all), &all);
	close(ep), close(p[0]), close(p[1]);
}

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

/* A handler interrupts epoll_wait (EINTR); epoll_pwait waits with its mask. */
UT_CASE(test_signals)
{
	int ep = epoll_create1(0);
	UT_ASSERT(ep >= 0);
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_value = { 0, 30000 } };
	handled = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	struct epoll_event ev = { 0 };
	UT_EXPECT_ERR(epoll_wait(ep, &ev, 1, -1), EINTR);
	UT_EXPECT_EQ(handled, 1);
	sigset_t block, empty, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGUSR1);
	UT_EXPECT_ERR(epoll_pwait(ep, &ev, 1, -1, &empty), EINTR);
	UT_EXPECT_EQ(handled, 2);
	sigprocmask(SIG_BLOCK, NULL, &now);
	UT_EXPECT(sigismember(&now, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	close(ep);
}

UT_SUITE("epoll", UT_C(test_create), UT_C(test_ctl_errors), UT_C(test_wait_errors),
	 UT_C(test_level_and_edge), UT_C(test_oneshot), UT_C(test_item_lifetime),
	 UT_C(test_nested), UT_C(test_eventfd_timerfd), UT_C(test_thousand_pipes),
	 UT_C(test_cross_cpu), UT_C(test_signals))
