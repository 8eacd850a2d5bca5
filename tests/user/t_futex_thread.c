/* Futexes with threads (clone(CLONE_THREAD), through musl's pthreads): a
 * thread asleep in FUTEX_WAIT dies with its process when another thread
 * calls exit_group; a process-shared robust mutex held by a thread that
 * is killed comes to the next owner as EOWNERDEAD, whether it was waiting
 * already or not.
 * Without thread support every case says so and passes. */
#include "utest.h"
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <uapi/linux/futex.h>

static long futex(uint32_t *uaddr, int op, uint32_t val, const void *t, uint32_t *uaddr2,
		  uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, t, uaddr2, val3);
}

static long long ns_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Waiters on w (priv: FUTEX_PRIVATE_FLAG or 0), none woken. */
static long nwaiters(uint32_t *w, int priv)
{
	for (;;) {
		uint32_t v = __atomic_load_n(w, __ATOMIC_SEQ_CST);
		long r = futex(w, FUTEX_CMP_REQUEUE | priv, 0, (void *)(long)INT_MAX, w, v);
		if (r >= 0 || errno != EAGAIN)
			return r;
	}
}

/* Until someone waits on w, at most 20 s: true if they do. */
static bool await_waiter(uint32_t *w, int priv)
{
	long long end = ns_now() + 20000000000LL;
	while (nwaiters(w, priv) < 1) {
		if (ns_now() > end)
			return false;
		sched_yield();
	}
	return true;
}

static void *nothing(void *arg)
{
	return arg;
}

static bool have_threads(void)
{
	pthread_t th;
	if (pthread_create(&th, NULL, nothing, NULL) != 0) {
		printf("    # no thread support (clone(CLONE_THREAD)): skipped\n");
		return false;
	}
	pthread_join(th, NULL);
	return true;
}

/* ---- exit_group ends a futex sleep ---------------------------------------- */

static uint32_t forever;

static void *wait_forever(void *arg)
{
	for (;;)
		futex(&forever, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return arg;
}

UT_CASE(test_exit_group_ends_futex_sleep)
{
	if (!have_threads())
		return;
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t th[3];
		for (int i = 0; i < 3; i++)
			if (pthread_create(&th[i], NULL, wait_forever, NULL))
				_exit(2);
		/* All three asleep in the kernel, then exit_group. */
		long long end = ns_now() + 20000000000LL;
		while (nwaiters(&forever, FUTEX_PRIVATE_FLAG) != 3)
			if (ns_now() > end)
				_exit(3);
		_exit(5);
	}
	int st = -1;
	UT_EXPECT_EQ(waitpid(pid, &st, 0), pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 5);
}

/* ---- robust mutexes --------------------------------------------------------- */

/* A process-shared robust mutex (musl registers its robust list with the
 * kernel for these) taken by a second thread of a child process; the
 * child's main thread then calls exit_group, so the owner dies killed,
 * not through pthread_exit (which musl would handle in user space). */
struct robust_page {
	pthread_mutex_t m;
	volatile int taken;
};

static struct robust_page *rp;

static void *take_and_sleep(void *arg)
{
	if (pthread_mutex_lock(&rp->m) == 0)
		rp->taken = 1;
	for (;;)
		futex(&forever, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return arg;
}

UT_CASE(test_robust_mutex_owner_thread_killed)
{
	if (!have_threads())
		return;
	rp = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(rp != MAP_FAILED);
	for (int waiter_first = 0; waiter_first <= 1; waiter_first++) {
		pthread_mutexattr_t a;
		pthread_mutexattr_init(&a);
		UT_ASSERT(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) == 0);
		UT_ASSERT(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) == 0);
		UT_ASSERT(pthread_mutex_init(&rp->m, &a) == 0);
		rp->taken = 0;
		pid_t pid = fork();
		if (pid == 0) {
			pthread_t th;
			if (pthread_create(&th, NULL, take_and_sleep, NULL))
				_exit(2);
			while (!rp->taken)
				sched_yield();
			/* musl keeps the lock word second in pthread_mutex_t. */
			if (waiter_first && !await_waiter((uint32_t *)&rp->m + 1, 0))
				_exit(3);
			_exit(0);
		}
		if (waiter_first)
			while (!rp->taken)
				sched_yield();
		else
			UT_EXPECT_EQ(waitpid(pid, NULL, 0), pid);
		/* Asleep in the kernel when the owner dies (waiter_first) or
		 * not: the next owner is told. */
		UT_EXPECT_EQ(pthread_mutex_lock(&rp->m), EOWNERDEAD);
		UT_EXPECT_EQ(pthread_mutex_consistent(&rp->m), 0);
		UT_EXPECT_EQ(pthread_mutex_unlock(&rp->m), 0);
		UT_EXPECT_EQ(pthread_mutex_lock(&rp->m), 0);
		UT_EXPECT_EQ(pthread_mutex_unlock(&rp->m), 0);
		if (waiter_first) {
			int st = -1;
			UT_EXPECT_EQ(waitpid(pid, &st, 0), pid);
			UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
		pthread_mutex_destroy(&rp->m);
		pthread_mutexattr_destroy(&a);
	}
	munmap(rp, 4096);
}

UT_SUITE("futex_thread", UT_C(test_exit_group_ends_futex_sleep),
	 UT_C(test_robust_mutex_owner_thread_killed))
