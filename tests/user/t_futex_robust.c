/* Robust futexes: set_robust_list/get_robust_list and their errnos, and
 * what the kernel does with the list when its thread exits: locks the
 * thread still owns get FUTEX_OWNER_DIED (waiters bit kept) and a waiter
 * is woken; list_op_pending; locks owned by others untouched; a looping or
 * bad list does not hang or kill the exit. The lock words live in a
 * MAP_SHARED mapping and the waiters are other processes. */
#include "utest.h"
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <uapi/linux/futex.h>

#define PAGE 4096

static long futex(uint32_t *uaddr, int op, uint32_t val, const void *t, uint32_t *uaddr2,
		  uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, t, uaddr2, val3);
}

static long set_robust_list(void *head, size_t len)
{
	return syscall(SYS_set_robust_list, head, len);
}

static long get_robust_list(int pid, void *head, void *len)
{
	return syscall(SYS_get_robust_list, pid, head, len);
}

static long long ns_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int reap_code(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* Waiters on w (shared), none woken: CMP_REQUEUE onto itself. */
static long nwaiters(uint32_t *w)
{
	for (;;) {
		uint32_t v = __atomic_load_n(w, __ATOMIC_SEQ_CST);
		long r = futex(w, FUTEX_CMP_REQUEUE, 0, (void *)(long)INT_MAX, w, v);
		if (r >= 0 || errno != EAGAIN)
			return r;
	}
}

static int await_waiters(uint32_t *w, long n)
{
	long long end = ns_now() + 20000000000LL;
	while (nwaiters(w) != n) {
		if (ns_now() > end)
			return -1;
		sched_yield();
	}
	return 0;
}

/* A lock as pthread keeps it: the list link, then the lock word. */
struct rlock {
	struct robust_list link;
	uint32_t word;
};

#define WORD_OFFSET ((long)offsetof(struct rlock, word) - (long)offsetof(struct rlock, link))

/* The shared page: locks and a place for the child to report in. */
struct shared {
	struct rlock lock[6];
	uint32_t ready;
};

static struct shared *map_shared(void)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- the system calls --------------------------------------------------- */

UT_CASE(test_set_get_robust_list)
{
	struct robust_list_head head = { { &head.list }, WORD_OFFSET, NULL };
	void *got = (void *)1;
	size_t len = 0;

	UT_EXPECT_ERR(set_robust_list(&head, sizeof(head) - 1), EINVAL);
	UT_EXPECT_ERR(set_robust_list(&head, sizeof(head) + 1), EINVAL);
	UT_EXPECT_ERR(set_robust_list(&head, 0), EINVAL);
	/* The pointer is not checked until exit. */
	UT_EXPECT_EQ(set_robust_list((void *)0xffff800000000000ul, sizeof(head)), 0);
	UT_EXPECT_EQ(get_robust_list(0, &got, &len), 0);
	UT_EXPECT_EQ((uintptr_t)got, 0xffff800000000000ul);
	UT_EXPECT_EQ(len, 24);
	UT_EXPECT_EQ(set_robust_list(&head, sizeof(head)), 0);
	UT_EXPECT_EQ(get_robust_list(0, &got, &len), 0);
	UT_EXPECT(got == &head);
	got = NULL;
	UT_EXPECT_EQ(get_robust_list(getpid(), &got, &len), 0);
	UT_EXPECT(got == &head);
	UT_EXPECT_ERR(get_robust_list(0, NULL, &len), EFAULT);
	UT_EXPECT_ERR(get_robust_list(0, &got, NULL), EFAULT);
	UT_EXPECT_ERR(get_robust_list(0, &got, (void *)0xffff800000000000ul), EFAULT);
	UT_EXPECT_ERR(get_robust_list(-1, &got, &len), ESRCH);
	UT_EXPECT_ERR(get_robust_list(INT_MIN, &got, &len), ESRCH);

	/* A gone process: ESRCH. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	UT_EXPECT_EQ(reap_code(pid), 0);
	UT_EXPECT_ERR(get_robust_list(pid, &got, &len), ESRCH);

	/* A child starts with no list. */
	pid = fork();
	if (pid == 0) {
		void *h = (void *)1;
		size_t l = 0;
		_exit(get_robust_list(0, &h, &l) == 0 && h == NULL && l == 24 ? 0 : 1);
	}
	UT_EXPECT_EQ(reap_code(pid), 0);
	UT_EXPECT_EQ(set_robust_list(NULL, sizeof(head)), 0);
}

/* Another process's list: readable by root and by the same user, not by
 * other users. */
UT_CASE(test_get_robust_list_permissions)
{
	struct shared *sh = map_shared();
	UT_ASSERT(sh);
	pid_t owner = fork();
	if (owner == 0) {
		static struct robust_list_head head;
		set_robust_list(&head, sizeof(head));
		__atomic_store_n(&sh->ready, 1, __ATOMIC_SEQ_CST);
		futex(&sh->ready, FUTEX_WAKE, 1, NULL, NULL, 0);
		while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) != 2)
			futex(&sh->ready, FUTEX_WAIT, 1, NULL, NULL, 0);
		_exit(0);
	}
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) != 1)
		futex(&sh->ready, FUTEX_WAIT, 0, NULL, NULL, 0);
	void *got = NULL;
	size_t len = 0;
	UT_EXPECT_EQ(get_robust_list(owner, &got, &len), 0);    /* root */
	UT_EXPECT(got != NULL);
	UT_EXPECT_EQ(len, 24);
	pid_t other = fork();
	if (other == 0) {
		void *h;
		size_t l;
		if (setresgid(100, 100, 100) || setresuid(1000, 1000, 1000))
			_exit(2);
		_exit(get_robust_list(owner, &h, &l) == -1 && errno == EPERM ? 0 : 1);
	}
	UT_EXPECT_EQ(reap_code(other), 0);
	__atomic_store_n(&sh->ready, 2, __ATOMIC_SEQ_CST);
	futex(&sh->ready, FUTEX_WAKE, 1, NULL, NULL, 0);
	UT_EXPECT_EQ(reap_code(owner), 0);
	munmap(sh, PAGE);
}

/* ---- death of an owner -------------------------------------------------- */

/* Child: take the locks marked in `mine` (word = our tid | extra), list
 * them all (PI-flagged where `pi` says), register the list with `pending`
 * as list_op_pending, report in, and exit once `watch` has a waiter (or at
 * once if watch is NULL). */
static __attribute__((noreturn)) void owner_child(struct shared *sh, unsigned mine,
						   uint32_t extra, unsigned pi, int pending,
						   uint32_t *watch)
{
	static struct robust_list_head head;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	struct robust_list *prev = &head.list;

	for (int i = 0; i < 6; i++) {
		if (mine & (1u << i))
			sh->lock[i].word = (uint32_t)tid | extra;
		if (i == pending)
			continue;
		prev->next = (struct robust_list *)((uintptr_t)&sh->lock[i].link |
						    ((pi >> i) & 1));
		prev = &sh->lock[i].link;
	}
	prev->next = &head.list;
	head.futex_offset = WORD_OFFSET;
	head.list_op_pending = pending >= 0 ? &sh->lock[pending].link : NULL;
	if (set_robust_list(&head, sizeof(head)))
		_exit(3);
	__atomic_store_n(&sh->ready, 1, __ATOMIC_SEQ_CST);
	if (watch && await_waiters(watch, 1))
		_exit(4);
	_exit(0);
}

static void await_ready(struct shared *sh)
{
	while (!__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST))
		sched_yield();
}

UT_CASE(test_owner_death_marks_and_wakes)
{
	struct shared *sh = map_shared();
	UT_ASSERT(sh);
	sh->lock[1].word = 12345;                       /* someone else's */
	pid_t pid = fork();
	if (pid == 0)
		owner_child(sh, 0x1 | 0x4, FUTEX_WAITERS, 0, -1, &sh->lock[0].word);
	await_ready(sh);
	uint32_t held = (uint32_t)pid | FUTEX_WAITERS;
	UT_EXPECT_EQ(sh->lock[0].word, held);
	/* The owner exits only once we sleep here: its death must wake us. */
	UT_EXPECT_EQ(futex(&sh->lock[0].word, FUTEX_WAIT, held, NULL, NULL, 0), 0);
	UT_EXPECT_EQ(sh->lock[0].word, FUTEX_OWNER_DIED | FUTEX_WAITERS);
	/* Woken at lock 0, we may run before the walk reaches lock 2: the
	 * rest of the list is done once the owner is reaped. */
	UT_EXPECT_EQ(reap_code(pid), 0);
	UT_EXPECT_EQ(sh->lock[2].word, FUTEX_OWNER_DIED | FUTEX_WAITERS);
	UT_EXPECT_EQ(sh->lock[1].word, 12345);
	munmap(sh, PAGE);
}

UT_CASE(test_owner_death_without_waiters)
{
	struct shared *sh = map_shared();
	UT_ASSERT(sh);
	pid_t pid = fork();
	if (pid == 0)
		owner_child(sh, 0x3f, 0, 0, -1, NULL);
	UT_EXPECT_EQ(reap_code(pid), 0);
	for (int i = 0; i < 6; i++)
		UT_EXPECT_EQ(sh->lock[i].word, FUTEX_OWNER_DIED);
	munmap(sh, PAGE);
}

/* list_op_pending: a lock the owner was releasing (word 0) gets its
 * waiter woken; one it was taking (word = tid) is marked dead. */
UT_CASE(test_owner_death_pending)
{
	struct shared *sh = map_shared();
	UT_ASSERT(sh);
	/* Released, waiter left asleep. */
	sh->lock[3].word = 0;
	pid_t waiter = fork();
	if (waiter == 0)
		_exit(futex(&sh->lock[3].word, FUTEX_WAIT, 0, NULL, NULL, 0) == 0 ? 0 : 1);
	UT_ASSERT(await_waiters(&sh->lock[3].word, 1) == 0);
	pid_t pid = fork();
	if (pid == 0)
		owner_child(sh, 0, 0, 0, 3, NULL);
	UT_EXPECT_EQ(reap_code(pid), 0);
	UT_EXPECT_EQ(reap_code(waiter), 0);
	UT_EXPECT_EQ(sh->lock[3].word, 0);

	/* Being taken: owned, not yet on the list. */
	sh->ready = 0;
	pid = fork();
	if (pid == 0)
		owner_child(sh, 0x10, FUTEX_WAITERS, 0, 4, NULL);
	UT_EXPECT_EQ(reap_code(pid), 0);
	UT_EXPECT_EQ(sh->lock[4].word, FUTEX_OWNER_DIED | FUTEX_WAITERS);
	munmap(sh, PAGE);
}

/* A PI-flagged entry is marked, but its waiters are PI business (none
 * woken here; the waiter times out). */
UT_CASE(test_owner_death_pi_entry)
{
	struct shared *sh = map_shared();
	UT_ASSERT(sh);
	pid_t pid = fork();
	if (pid == 0)
		owner_child(sh, 0x2, FUTEX_WAITERS, 0x2, -1, &sh->lock[1].word);
	await_ready(sh);
	uint32_t held = (uint32_t)pid | FUTEX_WAITERS;
	struct timespec t = { 0, 300000000 };
	long r = futex(&sh->lock[1].word, FUTEX_WAIT, held, &t, NULL, 0);
	UT_EXPECT(r == -1 && errno == ETIMEDOUT);
	UT_EXPECT_EQ(sh->lock[1].word, FUTEX_OWNER_DIED | FUTEX_WAITERS);
	UT_EXPECT_EQ(reap_code(pid), 0);
	munmap(sh, PAGE);
}

/* Lists the kernel must survive: a loop that never returns to the head
 * (the walk stops after ROBUST_LIST_LIMIT entries), a head or entry in
 * unmapped memory, a misaligned lock word. The exit is a normal one. */
UT_CASE(test_bad_lists)
{
	struct shared *sh = map_shared();
	UT_ASSERT(sh);
	pid_t pid = fork();
	if (pid == 0) {
		static struct robust_list_head head;
		pid_t tid = (pid_t)syscall(SYS_gettid);
		sh->lock[0].word = (uint32_t)tid;
		head.list.next = &sh->lock[0].link;
		sh->lock[0].link.next = &sh->lock[0].link;     /* a loop */
		head.futex_offset = WORD_OFFSET;
		set_robust_list(&head, sizeof(head));
		_exit(7);
	}
	UT_EXPECT_EQ(reap_code(pid), 7);
	UT_EXPECT_EQ(sh->lock[0].word, FUTEX_OWNER_DIED);

	pid = fork();
	if (pid == 0) {
		set_robust_list((void *)0x1000, 24);
		_exit(8);
	}
	UT_EXPECT_EQ(reap_code(pid), 8);

	pid = fork();
	if (pid == 0) {
		static struct robust_list_head head;
		pid_t tid = (pid_t)syscall(SYS_gettid);
		sh->lock[1].word = (uint32_t)tid;
		sh->lock[2].word = (uint32_t)tid;
		/* lock 1 (misaligned offset: skipped), then into unmapped memory. */
		head.list.next = &sh->lock[1].link;
		sh->lock[1].link.next = (struct robust_list *)0x1000;
		head.futex_offset = WORD_OFFSET + 1;
		head.list_op_pending = &sh->lock[2].link;
		set_robust_list(&head, sizeof(head));
		_exit(9);
	}
	UT_EXPECT_EQ(reap_code(pid), 9);
	UT_EXPECT_EQ(sh->lock[1].word, (uint32_t)pid);
	/* The walk stopped at the fault: the pending lock was not reached. */
	UT_EXPECT_EQ(sh->lock[2].word, (uint32_t)pid);
	munmap(sh, PAGE);
}

/* What libc does with all this: a process-shared robust pthread mutex
 * (musl registers its list with set_robust_list) whose owner process
 * exits holding it is EOWNERDEAD for the next owner, also one that was
 * already asleep in the kernel waiting for it. */
UT_CASE(test_pthread_robust_mutex_across_fork)
{
	struct page {
		pthread_mutex_t m;
		volatile int taken;
	} *pg = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(pg != MAP_FAILED);
	for (int waiter_first = 0; waiter_first <= 1; waiter_first++) {
		pthread_mutexattr_t a;
		pthread_mutexattr_init(&a);
		UT_ASSERT(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) == 0);
		UT_ASSERT(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) == 0);
		UT_ASSERT(pthread_mutex_init(&pg->m, &a) == 0);
		pg->taken = 0;
		pid_t pid = fork();
		if (pid == 0) {
			if (pthread_mutex_lock(&pg->m))
				_exit(2);
			pg->taken = 1;
			/* musl keeps the lock word second in pthread_mutex_t. */
			if (waiter_first && await_waiters((uint32_t *)&pg->m + 1, 1))
				_exit(3);
			_exit(0);
		}
		if (waiter_first)
			while (!pg->taken)
				sched_yield();
		else
			UT_EXPECT_EQ(reap_code(pid), 0);
		UT_EXPECT_EQ(pthread_mutex_lock(&pg->m), EOWNERDEAD);
		UT_EXPECT_EQ(pthread_mutex_consistent(&pg->m), 0);
		UT_EXPECT_EQ(pthread_mutex_unlock(&pg->m), 0);
		UT_EXPECT_EQ(pthread_mutex_lock(&pg->m), 0);
		UT_EXPECT_EQ(pthread_mutex_unlock(&pg->m), 0);
		if (waiter_first)
			UT_EXPECT_EQ(reap_code(pid), 0);
		pthread_mutex_destroy(&pg->m);
		pthread_mutexattr_destroy(&a);
	}
	munmap(pg, PAGE);
}

/* exec drops the old image: its robust locks are marked dead first. */
UT_CASE(test_exec_releases_robust_locks)
{
	struct shared *sh = map_shared();
	int out[2];
	UT_ASSERT(sh && pipe(out) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		static struct robust_list_head head;
		pid_t tid = (pid_t)syscall(SYS_gettid);
		sh->lock[0].word = (uint32_t)tid;
		head.list.next = &sh->lock[0].link;
		sh->lock[0].link.next = &head.list;
		head.futex_offset = WORD_OFFSET;
		set_robust_list(&head, sizeof(head));
		dup2(out[1], 1);
		char *argv[] = { "echo", "x", NULL };
		execve("/bin/echo", argv, NULL);
		_exit(99);
	}
	close(out[1]);
	char buf[8] = "";
	UT_EXPECT_EQ(read(out[0], buf, sizeof(buf)), 2);
	UT_EXPECT_EQ(reap_code(pid), 0);
	UT_EXPECT_EQ(sh->lock[0].word, FUTEX_OWNER_DIED);
	close(out[0]);
	munmap(sh, PAGE);
}

UT_SUITE("futex_robust",
	 UT_C(test_set_get_robust_list), UT_C(test_get_robust_list_permissions),
	 UT_C(test_owner_death_marks_and_wakes), UT_C(test_owner_death_without_waiters),
	 UT_C(test_owner_death_pending), UT_C(test_owner_death_pi_entry), UT_C(test_bad_lists),
	 UT_C(test_pthread_robust_mutex_across_fork), UT_C(test_exec_releases_robust_locks))
