/* epoll and poll with threads: sleepers on one CPU woken by a thread on
 * another, several threads in epoll_wait on one epoll, and items whose
 * files are closed and re-added while another thread keeps waiting. */
#include "utest.h"
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void unpin(void)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	for (int i = 0; i < 64; i++)
		CPU_SET(i, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

#define ROUNDS 50

struct pingpong {
	int ep, efd, pollfd_rd, pollfd_wr;
	atomic_int woken;
};

/* On CPU 1: wait in epoll_wait, then in poll, for each round's event. */
static void *sleeper(void *arg)
{
	struct pingpong *pp = arg;
	pin(1);
	for (int i = 0; i < ROUNDS; i++) {
		struct epoll_event ev;
		if (epoll_wait(pp->ep, &ev, 1, 10000) != 1)
			return (void *)1;
		uint64_t v;
		if (read(pp->efd, &v, 8) != 8)
			return (void *)2;
		struct pollfd f = { pp->pollfd_rd, POLLIN, 0 };
		if (poll(&f, 1, 10000) != 1)
			return (void *)3;
		char c;
		if (read(pp->pollfd_rd, &c, 1) != 1)
			return (void *)4;
		atomic_fetch_add(&pp->woken, 1);
	}
	return NULL;
}

/* Each round the main thread (CPU 0) makes the sleeper's files ready and
 * waits for it to come round, so each wake-up finds it asleep or about to be. */
UT_CASE(test_wakeups_between_threads)
{
	struct pingpong pp = { .ep = epoll_create1(0), .efd = eventfd(0, 0) };
	int p[2];
	UT_ASSERT(pp.ep >= 0 && pp.efd >= 0 && pipe(p) == 0);
	pp.pollfd_rd = p[0], pp.pollfd_wr = p[1];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	UT_ASSERT(epoll_ctl(pp.ep, EPOLL_CTL_ADD, pp.efd, &ev) == 0);
	pin(0);
	pthread_t th;
	UT_ASSERT(pthread_create(&th, NULL, sleeper, &pp) == 0);
	for (int i = 0; i < ROUNDS; i++) {
		usleep(500);
		uint64_t one = 1;
		UT_ASSERT(write(pp.efd, &one, 8) == 8);
		usleep(500);
		UT_ASSERT(write(p[1], "x", 1) == 1);
		while (atomic_load(&pp.woken) <= i)
			sched_yield();
	}
	void *ret;
	pthread_join(th, &ret);
	UT_EXPECT_EQ((long)ret, 0);
	UT_EXPECT_EQ(atomic_load(&pp.woken), ROUNDS);
	unpin();
	close(pp.ep), close(pp.efd), close(p[0]), close(p[1]);
}

#define WAITERS 3
#define EVENTS 300

struct shared {
	int ep, efd;
	atomic_int taken, stop;
};

/* Several threads wait on one epoll for a semaphore-like eventfd: every
 * count written is read exactly once, by someone. */
static void *waiter(void *arg)
{
	struct shared *s = arg;
	while (!atomic_load(&s->stop)) {
		struct epoll_event ev;
		int n = epoll_wait(s->ep, &ev, 1, 20);
		if (n < 0)
			return (void *)1;
		uint64_t v;
		if (n == 1 && read(s->efd, &v, 8) == 8)
			atomic_fetch_add(&s->taken, (int)v);
	}
	return NULL;
}

UT_CASE(test_many_waiters)
{
	struct shared s = { .ep = epoll_create1(0), .efd = eventfd(0, EFD_NONBLOCK | EFD_SEMAPHORE) };
	UT_ASSERT(s.ep >= 0 && s.efd >= 0);
	struct epoll_event ev = { .events = EPOLLIN };
	UT_ASSERT(epoll_ctl(s.ep, EPOLL_CTL_ADD, s.efd, &ev) == 0);
	pthread_t th[WAITERS];
	for (int i = 0; i < WAITERS; i++)
		UT_ASSERT(pthread_create(&th[i], NULL, waiter, &s) == 0);
	for (int i = 0; i < EVENTS; i++) {
		uint64_t one = 1;
		UT_ASSERT(write(s.efd, &one, 8) == 8);
		if (i % 16 == 0)
			usleep(100);
	}
	for (int spins = 0; atomic_load(&s.taken) < EVENTS && spins < 20000; spins++)
		usleep(500);
	atomic_store(&s.stop, 1);
	for (int i = 0; i < WAITERS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		UT_EXPECT_EQ((long)ret, 0);
	}
	UT_EXPECT_EQ(atomic_load(&s.taken), EVENTS);
	close(s.ep), close(s.efd);
}

#define CHURN 200

struct churn {
	int ep;
	atomic_int stop, errors;
};

static void *churn_waiter(void *arg)
{
	struct churn *c = arg;
	while (!atomic_load(&c->stop)) {
		struct epoll_event evs[8];
		if (epoll_wait(c->ep, evs, 8, 5) < 0)
			atomic_fetch_add(&c->errors, 1);
	}
	return NULL;
}

/* Files come and go (closed with their items still in the epoll) while
 * another thread scans: no crash, no error, nothing left behind. */
UT_CASE(test_close_while_waiting)
{
	struct churn c = { .ep = epoll_create1(0) };
	UT_ASSERT(c.ep >= 0);
	pthread_t th;
	UT_ASSERT(pthread_create(&th, NULL, churn_waiter, &c) == 0);
	for (int i = 0; i < CHURN; i++) {
		int p[2];
		UT_ASSERT(pipe(p) == 0);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
		UT_EXPECT_EQ(epoll_ctl(c.ep, EPOLL_CTL_ADD, p[0], &ev), 0);
		UT_EXPECT_EQ(epoll_ctl(c.ep, EPOLL_CTL_ADD, p[1], &ev), 0);
		UT_EXPECT_EQ(write(p[1], "x", 1), 1);
		close(p[1]);
		close(p[0]);
	}
	atomic_store(&c.stop, 1);
	pthread_join(th, NULL);
	UT_EXPECT_EQ(atomic_load(&c.errors), 0);
	struct epoll_event ev;
	UT_EXPECT_EQ(epoll_wait(c.ep, &ev, 1, 0), 0);
	close(c.ep);
}

UT_SUITE("epoll_mt", UT_C(test_wakeups_between_threads), UT_C(test_many_waiters),
	 UT_C(test_close_while_waiting))
