/* futex(2): every operation and error path with Linux's errnos, timeouts
 * on both clocks, wake/requeue counts, FUTEX_WAKE_OP's encodings, private
 * keys within one address space (clone(CLONE_VM)) and shared keys across
 * processes, ping-pong, and CLONE_CHILD_CLEARTID's wake. Robust lists are
 * in t_futex_robust.c.
 *
 * "Is someone waiting?" is asked without timing: FUTEX_CMP_REQUEUE of a
 * futex onto itself moves no one and returns how many wait there. */
#include "utest.h"
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <uapi/linux/futex.h>

#define PAGE 4096

static long futex(uint32_t *uaddr, int op, uint32_t val, const void *timeout_or_val2,
		  uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

static const void *val2(long v)
{
	return (const void *)v;
}

static long long ns_now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec ts_of(long long ns)
{
	return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL };
}

static uint32_t *map_words(int shared, int prot)
{
	void *p = mmap(NULL, 4 * PAGE, prot, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS,
		       -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int reap(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

/* Exit code of a reaped child, -1 if it did not exit normally. */
static int reap_code(pid_t pid)
{
	int st = reap(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* How many wait on w (priv: FUTEX_PRIVATE_FLAG or 0), none woken. */
static long nwaiters(uint32_t *w, int priv)
{
	for (;;) {
		uint32_t v = __atomic_load_n(w, __ATOMIC_SEQ_CST);
		long r = futex(w, FUTEX_CMP_REQUEUE | priv, 0, val2(INT_MAX), w, v);
		if (r >= 0 || errno != EAGAIN)
			return r;
	}
}

/* Until n wait on w: 0, or -1 after 20 s (a hang, not a speed test). */
static int await_waiters(uint32_t *w, int priv, long n)
{
	long long end = ns_now(CLOCK_MONOTONIC) + 20000000000LL;
	while (nwaiters(w, priv) != n) {
		if (ns_now(CLOCK_MONOTONIC) > end)
			return -1;
		sched_yield();
	}
	return 0;
}

/* A forked waiter: FUTEX_WAIT(_BITSET) on w for val; exits 0 when woken,
 * 1 on EAGAIN, 2 on ETIMEDOUT, 3 otherwise. */
static pid_t fork_waiter(uint32_t *w, int op, uint32_t val, uint32_t bitset)
{
	pid_t pid = fork();
	if (pid == 0) {
		long r = futex(w, op, val, NULL, NULL, bitset);
		_exit(r == 0 ? 0 : errno == EAGAIN ? 1 : errno == ETIMEDOUT ? 2 : 3);
	}
	return pid;
}

/* ---- raw system calls for clone(CLONE_VM) children ----------------------
 * They share the parent's TLS, so they must not touch errno. */

static long raw6(long n, long a, long b, long c, long d, long e, long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

static long raw_futex(uint32_t *uaddr, int op, uint32_t val, const void *t, uint32_t *uaddr2,
		      uint32_t val3)
{
	return raw6(SYS_futex, (long)uaddr, op, val, (long)t, (long)uaddr2, val3);
}

#define VM_STACK (64 * 1024)
static char vm_stacks[4][VM_STACK] __attribute__((aligned(16)));

/* A process sharing our address space running fn(arg) (musl's clone). */
static pid_t clone_vm(int (*fn)(void *), void *arg, int slot)
{
	return clone(fn, vm_stacks[slot] + VM_STACK, CLONE_VM | SIGCHLD, arg);
}

struct vm_waiter {
	uint32_t *w;
	int op;
	uint32_t val, bitset;
};

static int vm_waiter_fn(void *arg)
{
	struct vm_waiter *a = arg;
	long r = raw_futex(a->w, a->op, a->val, NULL, NULL, a->bitset);
	return r == 0 ? 0 : r == -EAGAIN ? 1 : r == -ETIMEDOUT ? 2 : 3;
}

/* ---- values, timeouts, errors --------------------------------------------- */

UT_CASE(test_wait_value_mismatch)
{
	uint32_t *w = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(w);
	w[0] = 1;
	uint32_t local = 5;
	UT_EXPECT_ERR(futex(w, FUTEX_WAIT, 2, NULL, NULL, 0), EAGAIN);
	UT_EXPECT_ERR(futex(w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
	UT_EXPECT_ERR(futex(w, FUTEX_WAIT_BITSET, 2, NULL, NULL, 1), EAGAIN);
	UT_EXPECT_ERR(futex(&local, FUTEX_WAIT, 4, NULL, NULL, 0), EAGAIN);
	UT_EXPECT_ERR(futex(&local, FUTEX_WAIT_BITSET_PRIVATE, 6, NULL, NULL, 3), EAGAIN);
	munmap(w, 4 * PAGE);
}

UT_CASE(test_wait_relative_timeout)
{
	uint32_t *w = map_words(1, PROT_READ | PROT_WRITE);
	uint32_t local = 7;
	UT_ASSERT(w);
	struct timespec zero = { 0, 0 }, t20 = { 0, 20000000 };
	UT_EXPECT_ERR(futex(w, FUTEX_WAIT, 0, &zero, NULL, 0), ETIMEDOUT);
	UT_EXPECT_ERR(futex(&local, FUTEX_WAIT_PRIVATE, 7, &zero, NULL, 0), ETIMEDOUT);
	/* The value is compared first. */
	UT_EXPECT_ERR(futex(w, FUTEX_WAIT, 1, &zero, NULL, 0), EAGAIN);
	long long t0 = ns_now(CLOCK_MONOTONIC);
	UT_EXPECT_ERR(futex(w, FUTEX_WAIT, 0, &t20, NULL, 0), ETIMEDOUT);
	long long t1 = ns_now(CLOCK_MONOTONIC);
	UT_EXPECT_ERR(futex(&local, FUTEX_WAIT_PRIVATE, 7, &t20, NULL, 0), ETIMEDOUT);
	long long t2 = ns_now(CLOCK_MONOTONIC);
	UT_EXPECT(t1 - t0 >= 20000000);
	UT_EXPECT(t2 - t1 >= 20000000);
	printf("    # 20 ms timeouts took %lld and %lld us\n", (t1 - t0) / 1000, (t2 - t1) / 1000);
	munmap(w, 4 * PAGE);
}

UT_CASE(test_wait_bitset_absolute_timeouts)
{
	uint32_t word = 3;
	/* CLOCK_MONOTONIC deadline. */
	long long dl = ns_now(CLOCK_MONOTONIC) + 20000000;
	struct timespec ts = ts_of(dl);
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 3, &ts, NULL, ~0u), ETIMEDOUT);
	UT_EXPECT(ns_now(CLOCK_MONOTONIC) >= dl);
	/* In the past: at once. */
	ts = ts_of(ns_now(CLOCK_MONOTONIC) - 1000000);
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET, 3, &ts, NULL, ~0u), ETIMEDOUT);
	struct timespec zero = { 0, 0 };
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET, 3, &zero, NULL, ~0u), ETIMEDOUT);

	/* CLOCK_REALTIME deadline. */
	dl = ns_now(CLOCK_REALTIME) + 20000000;
	ts = ts_of(dl);
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 3, &ts, NULL,
			    1),
		      ETIMEDOUT);
	UT_EXPECT(ns_now(CLOCK_REALTIME) >= dl);
	/* A monotonic value read as realtime is decades ago: no 10 s wait. */
	long long t0 = ns_now(CLOCK_MONOTONIC);
	ts = ts_of(t0 + 10000000000LL);
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 3, &ts, NULL, 1),
		      ETIMEDOUT);
	UT_EXPECT(ns_now(CLOCK_MONOTONIC) - t0 < 5000000000LL);
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 3, &zero, NULL, 1),
		      ETIMEDOUT);
}

UT_CASE(test_bad_timespecs)
{
	uint32_t word = 0;
	struct timespec bad[] = { { 0, 1000000000 }, { 0, -1 }, { -1, 0 }, { 1, 1500000000 } };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		UT_EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, &bad[i], NULL, 0), EINVAL);
		UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET, 0, &bad[i], NULL, 1), EINVAL);
		/* Checked before the value, the clock flag and the address. */
		UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 1, &bad[i], NULL, 0), EINVAL);
		UT_EXPECT_ERR(futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, &bad[i], NULL, 0),
			      EINVAL);
		UT_EXPECT_ERR(futex(NULL, FUTEX_WAIT, 0, &bad[i], NULL, 0), EINVAL);
	}
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, (void *)8, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET, 0, (void *)0xffff800000000000ul, NULL, 1),
		      EFAULT);
	/* FUTEX_WAKE's fourth argument is not a timespec: never read. */
	UT_EXPECT_EQ(futex(&word, FUTEX_WAKE, 1, (void *)8, NULL, 0), 0);
}

UT_CASE(test_einval)
{
	uint32_t words[2] = { 0, 0 };
	uint32_t *odd = (uint32_t *)((char *)words + 1);
	UT_EXPECT_ERR(futex(words, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0), EINVAL);
	UT_EXPECT_ERR(futex(words, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);
	UT_EXPECT_ERR(futex(words, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
	UT_EXPECT_ERR(futex(odd, FUTEX_WAIT, 0, NULL, NULL, 0), EINVAL);
	UT_EXPECT_ERR(futex(odd, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINVAL);
	UT_EXPECT_ERR(futex(odd, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
	UT_EXPECT_ERR(futex(odd, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
	UT_EXPECT_ERR(futex(words, FUTEX_REQUEUE, 1, val2(1), odd, 0), EINVAL);
	UT_EXPECT_ERR(futex(odd, FUTEX_CMP_REQUEUE, 1, val2(1), words, 0), EINVAL);
	UT_EXPECT_ERR(futex(words, FUTEX_WAKE_OP, 1, val2(1), odd, 0), EINVAL);
	UT_EXPECT_ERR(futex((uint32_t *)((char *)words + 2), FUTEX_WAKE_OP_PRIVATE, 1, val2(1),
			    words, 0),
		      EINVAL);
	/* Negative requeue counts. */
	UT_EXPECT_ERR(futex(words, FUTEX_REQUEUE, -1, val2(1), words + 1, 0), EINVAL);
	UT_EXPECT_ERR(futex(words, FUTEX_CMP_REQUEUE, 1, val2(-1), words + 1, 0), EINVAL);
	UT_EXPECT_ERR(futex(words, FUTEX_CMP_REQUEUE_PRIVATE, INT_MIN, val2(0), words + 1, 0),
		      EINVAL);
}

UT_CASE(test_efault)
{
	uint32_t *kernel = (uint32_t *)0xffff800000000000ul;
	uint32_t *noncanon = (uint32_t *)0x8000000000000000ul;
	uint32_t local = 0;
	uint32_t *gone = map_words(0, PROT_READ | PROT_WRITE);
	uint32_t *none = map_words(1, PROT_NONE);
	UT_ASSERT(gone && none);
	munmap(gone, 4 * PAGE);
	struct timespec zero = { 0, 0 };

	UT_EXPECT_ERR(futex(NULL, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(kernel, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(noncanon, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(gone, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(gone, FUTEX_WAIT_BITSET, 0, &zero, NULL, 1), EFAULT);
	UT_EXPECT_ERR(futex(none, FUTEX_WAIT, 0, &zero, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(none, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0), EFAULT);

	/* A private wake never reads the word: only the range is checked. A
	 * shared one must find the mapping. */
	UT_EXPECT_EQ(futex(gone, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
	UT_EXPECT_EQ(futex(none, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
	UT_EXPECT_ERR(futex(kernel, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(gone, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(none, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
	UT_EXPECT_ERR(futex(NULL, FUTEX_WAKE_BITSET, 1, NULL, NULL, 1), EFAULT);

	/* Requeue: the compared word must be readable; the target is not read. */
	UT_EXPECT_ERR(futex(gone, FUTEX_CMP_REQUEUE_PRIVATE, 1, val2(1), &local, 0), EFAULT);
	UT_EXPECT_EQ(futex(&local, FUTEX_CMP_REQUEUE_PRIVATE, 1, val2(1), gone, 0), 0);
	UT_EXPECT_EQ(futex(gone, FUTEX_REQUEUE_PRIVATE, 1, val2(1), &local, 0), 0);
	UT_EXPECT_ERR(futex(&local, FUTEX_CMP_REQUEUE, 1, val2(1), gone, 0), EFAULT);
	UT_EXPECT_ERR(futex(&local, FUTEX_CMP_REQUEUE, 1, val2(1), kernel, 0), EFAULT);
	munmap(none, 4 * PAGE);
}

UT_CASE(test_enosys)
{
	uint32_t word = 0;
	UT_EXPECT_ERR(futex(&word, FUTEX_FD, 0, NULL, NULL, 0), ENOSYS);
	UT_EXPECT_ERR(futex(&word, 14, 0, NULL, NULL, 0), ENOSYS);
	UT_EXPECT_ERR(futex(&word, 127, 0, NULL, NULL, 0), ENOSYS);
	UT_EXPECT_ERR(futex(&word, 127 | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0), ENOSYS);
	/* FUTEX_CLOCK_REALTIME goes with FUTEX_WAIT_BITSET only. */
	UT_EXPECT_ERR(futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0), ENOSYS);
	UT_EXPECT_ERR(futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
	UT_EXPECT_ERR(futex(&word, FUTEX_WAKE_BITSET | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 1),
		      ENOSYS);
	UT_EXPECT_ERR(futex(&word, FUTEX_CMP_REQUEUE | FUTEX_CLOCK_REALTIME, 1, val2(0), &word, 0),
		      ENOSYS);
	/* ... and is checked before the address. */
	UT_EXPECT_ERR(futex(NULL, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
}

/* An untouched page is paged in (not EFAULT) though the word is read
 * under a spinlock. */
UT_CASE(test_wait_pages_in)
{
	struct timespec zero = { 0, 0 };
	uint32_t *p = map_words(0, PROT_READ | PROT_WRITE);
	uint32_t *s = map_words(1, PROT_READ | PROT_WRITE);
	uint32_t *ro = map_words(1, PROT_READ);
	UT_ASSERT(p && s && ro);
	UT_EXPECT_ERR(futex(p + 1024, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0), ETIMEDOUT);
	UT_EXPECT_ERR(futex(p + 2048, FUTEX_WAIT, 1, &zero, NULL, 0), EAGAIN);
	UT_EXPECT_ERR(futex(s + 1024, FUTEX_WAIT, 0, &zero, NULL, 0), ETIMEDOUT);
	UT_EXPECT_ERR(futex(s + 3072, FUTEX_WAIT_BITSET, 5, &zero, NULL, 1), EAGAIN);
	/* Waiting only reads: a read-only mapping will do. */
	UT_EXPECT_ERR(futex(ro, FUTEX_WAIT, 0, &zero, NULL, 0), ETIMEDOUT);
	UT_EXPECT_EQ(futex(ro, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
	munmap(p, 4 * PAGE);
	munmap(s, 4 * PAGE);
	munmap(ro, 4 * PAGE);
}

/* ---- wake counts and bitsets ---------------------------------------------- */

UT_CASE(test_wake_counts_shared)
{
	uint32_t *w = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(w);
	pid_t kids[3];
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
	for (int i = 0; i < 3; i++)
		kids[i] = fork_waiter(w, FUTEX_WAIT, 0, 0);
	UT_ASSERT(await_waiters(w, 0, 3) == 0);
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE, 2, NULL, NULL, 0), 2);
	UT_EXPECT_EQ(nwaiters(w, 0), 1);
	/* A private wake in this mm does not reach other processes. */
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);
	/* A count of 0 (or less) still wakes one, as Linux does. */
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE, 0, NULL, NULL, 0), 1);
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
	for (int i = 0; i < 3; i++)
		UT_EXPECT_EQ(reap_code(kids[i]), 0);
	munmap(w, 4 * PAGE);
}

/* A shared futex is the same futex wherever each process maps it. */
UT_CASE(test_shared_key_is_the_object)
{
	char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(m != MAP_FAILED);
	uint32_t *w = (uint32_t *)(m + 2 * PAGE + 100);
	int go[2];
	UT_ASSERT(pipe(go) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* Move our view elsewhere, then wait through it. */
		char *to = mmap(NULL, 8 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *n = to == MAP_FAILED ? MAP_FAILED :
			  mremap(m, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
				 to + 3 * PAGE);
		if (n == MAP_FAILED || n == m)
			_exit(10);
		if (write(go[1], "x", 1) != 1)
			_exit(11);
		long r = futex((uint32_t *)(n + 2 * PAGE + 100), FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(r == 0 ? 0 : 12);
	}
	char c;
	UT_ASSERT(read(go[0], &c, 1) == 1);
	UT_ASSERT(await_waiters(w, 0, 1) == 0);
	UT_EXPECT_EQ(nwaiters(w - 1, 0), 0);
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
	UT_EXPECT_EQ(reap_code(pid), 0);
	close(go[0]);
	close(go[1]);
	munmap(m, 4 * PAGE);
}

UT_CASE(test_private_waiter_elsewhere_not_woken)
{
	uint32_t *w = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(w);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec t = { 0, 300000000 };
		long r = futex(w, FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
		_exit(r == -1 && errno == ETIMEDOUT ? 0 : 1);
	}
	struct timespec pause = { 0, 100000000 };
	nanosleep(&pause, NULL);
	/* Its key is (its mm, address): neither of ours matches. */
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 0);
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
	UT_EXPECT_EQ(reap_code(pid), 0);
	munmap(w, 4 * PAGE);
}

/* Private keys within one address space: clone(CLONE_VM) waiters. */
UT_CASE(test_wake_private_clone_vm)
{
	static uint32_t word;
	struct vm_waiter a = { &word, FUTEX_WAIT_PRIVATE, 0, 0 };
	struct vm_waiter b = { &word, FUTEX_WAIT, 0, 0 };     /* shared flag, private memory */
	word = 0;
	pid_t k1 = clone_vm(vm_waiter_fn, &a, 0);
	pid_t k2 = clone_vm(vm_waiter_fn, &b, 1);
	UT_ASSERT(k1 > 0 && k2 > 0);
	/* Same word, two futexes (as Linux): a private one, and a "shared"
	 * one that only this address space can reach. */
	UT_ASSERT(await_waiters(&word, FUTEX_PRIVATE_FLAG, 1) == 0);
	UT_ASSERT(await_waiters(&word, 0, 1) == 0);
	UT_EXPECT_EQ(futex(&word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 1);
	UT_EXPECT_EQ(reap_code(k2), 0);
	UT_EXPECT_EQ(nwaiters(&word, FUTEX_PRIVATE_FLAG), 1);
	UT_EXPECT_EQ(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
	UT_EXPECT_EQ(reap_code(k1), 0);
}

UT_CASE(test_bitsets)
{
	uint32_t *w = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(w);
	pid_t k1 = fork_waiter(w, FUTEX_WAIT_BITSET, 0, 0x1);
	pid_t k2 = fork_waiter(w, FUTEX_WAIT_BITSET, 0, 0x6);
	UT_ASSERT(await_waiters(w, 0, 2) == 0);
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE_BITSET, INT_MAX, NULL, NULL, 0x8), 0);
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE_BITSET, INT_MAX, NULL, NULL, 0x4), 1);
	UT_EXPECT_EQ(reap_code(k2), 0);
	UT_EXPECT_EQ(nwaiters(w, 0), 1);
	/* FUTEX_WAKE matches any bitset. */
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 1);
	UT_EXPECT_EQ(reap_code(k1), 0);
	/* A plain FUTEX_WAIT is woken by any bitset. */
	pid_t k3 = fork_waiter(w, FUTEX_WAIT, 0, 0);
	UT_ASSERT(await_waiters(w, 0, 1) == 0);
	UT_EXPECT_EQ(futex(w, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0x80000000u), 1);
	UT_EXPECT_EQ(reap_code(k3), 0);
	munmap(w, 4 * PAGE);
}

/* ---- requeue ---------------------------------------------------------------- */

UT_CASE(test_cmp_requeue)
{
	uint32_t *m = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(m);
	uint32_t *a = m, *b = m + 1024 + 7;
	*a = 5;
	pid_t kids[4];
	for (int i = 0; i < 4; i++)
		kids[i] = fork_waiter(a, FUTEX_WAIT, 5, 0);
	UT_ASSERT(await_waiters(a, 0, 4) == 0);
	UT_EXPECT_ERR(futex(a, FUTEX_CMP_REQUEUE, 1, val2(1), b, 6), EAGAIN);
	UT_EXPECT_EQ(nwaiters(a, 0), 4);
	/* One woken, one moved: 2. */
	UT_EXPECT_EQ(futex(a, FUTEX_CMP_REQUEUE, 1, val2(1), b, 5), 2);
	UT_EXPECT_EQ(nwaiters(a, 0), 2);
	UT_EXPECT_EQ(nwaiters(b, 0), 1);
	/* Nothing to do: 0. */
	UT_EXPECT_EQ(futex(a, FUTEX_CMP_REQUEUE, 0, val2(0), b, 5), 0);
	/* Plain requeue of the rest, none woken. */
	UT_EXPECT_EQ(futex(a, FUTEX_REQUEUE, 0, val2(INT_MAX), b, 0), 2);
	UT_EXPECT_EQ(nwaiters(a, 0), 0);
	UT_EXPECT_EQ(nwaiters(b, 0), 3);
	/* The moved ones are woken through b and return 0. */
	UT_EXPECT_EQ(futex(b, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 3);
	UT_EXPECT_EQ(futex(a, FUTEX_WAKE, INT_MAX, NULL, NULL, 0), 0);
	for (int i = 0; i < 4; i++)
		UT_EXPECT_EQ(reap_code(kids[i]), 0);
	munmap(m, 4 * PAGE);
}

UT_CASE(test_requeue_private_clone_vm)
{
	static uint32_t a, b;
	struct vm_waiter wa = { &a, FUTEX_WAIT_PRIVATE, 0, 0 };
	a = b = 0;
	pid_t k[3];
	for (int i = 0; i < 3; i++)
		k[i] = clone_vm(vm_waiter_fn, &wa, i);
	UT_ASSERT(k[0] > 0 && k[1] > 0 && k[2] > 0);
	UT_ASSERT(await_waiters(&a, FUTEX_PRIVATE_FLAG, 3) == 0);
	UT_EXPECT_EQ(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, val2(2), &b, 0), 2);
	UT_EXPECT_EQ(nwaiters(&b, FUTEX_PRIVATE_FLAG), 2);
	UT_EXPECT_EQ(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 2);
	UT_EXPECT_EQ(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1);
	for (int i = 0; i < 3; i++)
		UT_EXPECT_EQ(reap_code(k[i]), 0);
}

/* ---- wake-op ---------------------------------------------------------------- */

UT_CASE(test_wake_op_values)
{
	static const struct {
		unsigned op;
		int oparg;
		uint32_t before, after;
	} cases[] = {
		{ FUTEX_OP_SET, 7, 1, 7 },
		{ FUTEX_OP_SET, -1, 1, 0xffffffffu },           /* 12-bit signed */
		{ FUTEX_OP_ADD, 5, 10, 15 },
		{ FUTEX_OP_ADD, -1, 10, 9 },
		{ FUTEX_OP_ADD, 2047, 0xffffffffu, 2046 },      /* wraps */
		{ FUTEX_OP_OR, 0x0f0, 0x00f, 0x0ff },
		{ FUTEX_OP_ANDN, 0x00f, 0x0ff, 0x0f0 },
		{ FUTEX_OP_XOR, 0x0ff, 0x0f0, 0x00f },
		{ FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, 0, 16 },
		{ FUTEX_OP_ADD | FUTEX_OP_OPARG_SHIFT, 31, 1, 0x80000001u },
		{ FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 8, 1, 0x101 },
		{ FUTEX_OP_ANDN | FUTEX_OP_OPARG_SHIFT, 0, 3, 2 },
		{ FUTEX_OP_XOR | FUTEX_OP_OPARG_SHIFT, 2, 5, 1 },
	};
	uint32_t *s = map_words(1, PROT_READ | PROT_WRITE);
	uint32_t w1 = 0, priv[2] = { 0, 0 };
	UT_ASSERT(s);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t enc = FUTEX_OP(cases[i].op, cases[i].oparg, FUTEX_OP_CMP_EQ, 0);
		priv[1] = cases[i].before;
		UT_EXPECT_EQ(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(1), &priv[1], enc), 0);
		UT_EXPECT_EQ(priv[1], cases[i].after);
		s[9] = cases[i].before;
		UT_EXPECT_EQ(futex(s, FUTEX_WAKE_OP, 1, val2(1), &s[9], enc), 0);
		UT_EXPECT_EQ(s[9], cases[i].after);
	}
	/* An unknown op: ENOSYS, nothing written. */
	priv[1] = 42;
	UT_EXPECT_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(1), &priv[1],
			    FUTEX_OP(5, 1, FUTEX_OP_CMP_EQ, 0)),
		      ENOSYS);
	UT_EXPECT_EQ(priv[1], 42);
	/* An unknown comparison: ENOSYS, after the op was applied (Linux). */
	UT_EXPECT_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(1), &priv[1],
			    FUTEX_OP(FUTEX_OP_ADD, 1, 6, 0)),
		      ENOSYS);
	UT_EXPECT_EQ(priv[1], 43);
	munmap(s, 4 * PAGE);
}

struct op_looper {
	uint32_t *w;
	volatile int woken, stop;
};

/* Waits on w over and over (whatever it holds), counting wake-ups. */
static int op_looper_fn(void *arg)
{
	struct op_looper *l = arg;
	while (!l->stop) {
		uint32_t v = __atomic_load_n(l->w, __ATOMIC_SEQ_CST);
		if (raw_futex(l->w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0) == 0)
			__atomic_add_fetch(&l->woken, 1, __ATOMIC_SEQ_CST);
	}
	return 0;
}

UT_CASE(test_wake_op_conditions)
{
	static const struct {
		unsigned cmp;
		uint32_t old;
		int cmparg;
		int wakes;
	} cases[] = {
		{ FUTEX_OP_CMP_EQ, 5, 5, 1 },   { FUTEX_OP_CMP_EQ, 5, 4, 0 },
		{ FUTEX_OP_CMP_NE, 5, 4, 1 },   { FUTEX_OP_CMP_NE, 5, 5, 0 },
		{ FUTEX_OP_CMP_LT, 3, 4, 1 },   { FUTEX_OP_CMP_LT, 4, 4, 0 },
		{ FUTEX_OP_CMP_LE, 4, 4, 1 },   { FUTEX_OP_CMP_LE, 5, 4, 0 },
		{ FUTEX_OP_CMP_GT, 5, 4, 1 },   { FUTEX_OP_CMP_GT, 4, 4, 0 },
		{ FUTEX_OP_CMP_GE, 4, 4, 1 },   { FUTEX_OP_CMP_GE, 3, 4, 0 },
		/* Signed: -1 < 1; cmparg 0xfff is -1. */
		{ FUTEX_OP_CMP_LT, 0xffffffffu, 1, 1 }, { FUTEX_OP_CMP_EQ, 0xffffffffu, -1, 1 },
		{ FUTEX_OP_CMP_GT, 0x80000000u, 0, 0 },
	};
	static uint32_t w1, w2;
	static struct op_looper l;
	l.w = &w2;
	l.woken = l.stop = 0;
	pid_t pid = clone_vm(op_looper_fn, &l, 0);
	UT_ASSERT(pid > 0);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		UT_ASSERT(await_waiters(&w2, FUTEX_PRIVATE_FLAG, 1) == 0);
		int before = l.woken;
		w2 = cases[i].old;
		long r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(1), &w2,
			       FUTEX_OP(FUTEX_OP_ADD, 0, cases[i].cmp, cases[i].cmparg));
		if (r != cases[i].wakes)
			UT_FAIL("case %u: woke %ld, expected %d", i, r, cases[i].wakes);
		if (cases[i].wakes)
			while (l.woken == before)
				sched_yield();
		else
			UT_EXPECT_EQ(nwaiters(&w2, FUTEX_PRIVATE_FLAG), 1);
	}
	/* nr_wake2 = 0 still wakes one on the second futex (Linux). */
	UT_ASSERT(await_waiters(&w2, FUTEX_PRIVATE_FLAG, 1) == 0);
	w2 = 0;
	UT_EXPECT_EQ(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(0), &w2,
			   FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)),
		     1);
	/* Stop it: change the word and wake until it is gone. */
	l.stop = 1;
	int st;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		__atomic_add_fetch(&w2, 1, __ATOMIC_SEQ_CST);
		futex(&w2, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
		sched_yield();
	}
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Wakes on the first futex count too; then the second's, if the
 * comparison holds. */
UT_CASE(test_wake_op_both)
{
	uint32_t *m = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(m);
	uint32_t *w1 = m, *w2 = m + 1;
	pid_t a[2], b[2];
	for (int i = 0; i < 2; i++) {
		a[i] = fork_waiter(w1, FUTEX_WAIT, 0, 0);
		b[i] = fork_waiter(w2, FUTEX_WAIT, 0, 0);
	}
	UT_ASSERT(await_waiters(w1, 0, 2) == 0 && await_waiters(w2, 0, 2) == 0);
	/* Condition false: one of w1's only. */
	UT_EXPECT_EQ(futex(w1, FUTEX_WAKE_OP, 1, val2(2), w2,
			   FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_NE, 0)),
		     1);
	UT_EXPECT_EQ(*w2, 1);
	UT_EXPECT_EQ(nwaiters(w2, 0), 2);
	/* Condition true: w1's last and both of w2's. */
	UT_EXPECT_EQ(futex(w1, FUTEX_WAKE_OP, INT_MAX, val2(INT_MAX), w2,
			   FUTEX_OP(FUTEX_OP_SET, 2, FUTEX_OP_CMP_EQ, 1)),
		     3);
	UT_EXPECT_EQ(*w2, 2);
	for (int i = 0; i < 2; i++) {
		UT_EXPECT_EQ(reap_code(a[i]), 0);
		UT_EXPECT_EQ(reap_code(b[i]), 0);
	}
	munmap(m, 4 * PAGE);
}

UT_CASE(test_wake_op_faults)
{
	uint32_t w1 = 0;
	uint32_t *ro = map_words(0, PROT_READ);
	uint32_t *sro = map_words(1, PROT_READ);
	uint32_t *fresh = map_words(0, PROT_READ | PROT_WRITE);
	uint32_t *cow = map_words(0, PROT_READ | PROT_WRITE);
	UT_ASSERT(ro && sro && fresh && cow);
	uint32_t set9 = FUTEX_OP(FUTEX_OP_SET, 9, FUTEX_OP_CMP_EQ, 0);
	UT_EXPECT_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(1), ro, set9), EFAULT);
	UT_EXPECT_ERR(futex(&w1, FUTEX_WAKE_OP, 1, val2(1), ro, set9), EFAULT);
	UT_EXPECT_ERR(futex(&w1, FUTEX_WAKE_OP, 1, val2(1), sro, set9), EFAULT);
	UT_EXPECT_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(1), NULL, set9), EFAULT);
	UT_EXPECT_EQ(*ro, 0);
	/* Not yet present: paged in for writing and done. */
	UT_EXPECT_EQ(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(1), fresh + 2048, set9), 0);
	UT_EXPECT_EQ(fresh[2048], 9);
	/* Copy-on-write after fork: our copy changes, the child's does not. */
	cow[0] = 1;
	int go[2];
	UT_ASSERT(pipe(go) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(cow[0] == 1 ? 0 : 1);
	}
	UT_EXPECT_EQ(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, val2(1), cow, set9), 0);
	UT_EXPECT_EQ(cow[0], 9);
	UT_EXPECT_EQ(write(go[1], "g", 1), 1);
	UT_EXPECT_EQ(reap_code(pid), 0);
	close(go[0]);
	close(go[1]);
	munmap(ro, 4 * PAGE);
	munmap(sro, 4 * PAGE);
	munmap(fresh, 4 * PAGE);
	munmap(cow, 4 * PAGE);
}

/* ---- ping-pong -------------------------------------------------------------- */

/* 10,000 round trips in the static build; the code under test does not
 * depend on the link mode, so the other two do fewer (slow under
 * nested virtualization, where each cross-CPU wake-up is an IPI exit). */
static int rounds(void)
{
	return strcmp(LINK_MODE, "static") == 0 ? 10000 : 2000;
}

/* Turn-taking on *w: side 1 waits while it is 0, side 0 while it is 1. */
static void pingpong_side(uint32_t *w, int side, int priv, bool raw)
{
	for (int i = 0, n = rounds(); i < n; i++) {
		uint32_t mine = (uint32_t)side;
		while (__atomic_load_n(w, __ATOMIC_SEQ_CST) != mine) {
			if (raw)
				raw_futex(w, FUTEX_WAIT | priv, !mine, NULL, NULL, 0);
			else
				futex(w, FUTEX_WAIT | priv, !mine, NULL, NULL, 0);
		}
		__atomic_store_n(w, !mine, __ATOMIC_SEQ_CST);
		if (raw)
			raw_futex(w, FUTEX_WAKE | priv, 1, NULL, NULL, 0);
		else
			futex(w, FUTEX_WAKE | priv, 1, NULL, NULL, 0);
	}
}

UT_CASE(test_pingpong_shared_processes)
{
	uint32_t *w = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(w);
	*w = 1;
	long long t0 = ns_now(CLOCK_MONOTONIC);
	pid_t pid = fork();
	if (pid == 0) {
		pingpong_side(w, 0, 0, false);
		_exit(0);
	}
	pingpong_side(w, 1, 0, false);
	UT_EXPECT_EQ(reap_code(pid), 0);
	long long t1 = ns_now(CLOCK_MONOTONIC);
	UT_EXPECT_EQ(*w, 1);
	printf("    # %d shared round trips between processes: %lld ms (%lld ns each)\n", rounds(),
	       (t1 - t0) / 1000000, (t1 - t0) / rounds());
	munmap(w, 4 * PAGE);
}

static uint32_t pp_word;

static int pingpong_vm_fn(void *arg)
{
	(void)arg;
	pingpong_side(&pp_word, 0, FUTEX_PRIVATE_FLAG, true);
	return 0;
}

UT_CASE(test_pingpong_private_clone_vm)
{
	pp_word = 1;
	long long t0 = ns_now(CLOCK_MONOTONIC);
	pid_t pid = clone_vm(pingpong_vm_fn, NULL, 0);
	UT_ASSERT(pid > 0);
	pingpong_side(&pp_word, 1, FUTEX_PRIVATE_FLAG, false);
	UT_EXPECT_EQ(reap_code(pid), 0);
	long long t1 = ns_now(CLOCK_MONOTONIC);
	UT_EXPECT_EQ(pp_word, 1);
	printf("    # %d private round trips in one address space: %lld ms (%lld ns each)\n",
	       rounds(), (t1 - t0) / 1000000, (t1 - t0) / rounds());
}

/* A futex mutex (0 free, 1 taken, 2 taken with waiters) shared by four
 * processes: a lost wake-up hangs, a broken exclusion loses increments. */
struct mutex_page {
	uint32_t lock;
	uint32_t counter;
};

static void mutex_lock(uint32_t *m)
{
	uint32_t c = 0;
	if (__atomic_compare_exchange_n(m, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		futex(m, FUTEX_WAIT, 2, NULL, NULL, 0);
		c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
	}
}

static void mutex_unlock(uint32_t *m)
{
	if (__atomic_fetch_sub(m, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(m, 0, __ATOMIC_RELEASE);
		futex(m, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
}

UT_CASE(test_mutex_contention)
{
	struct mutex_page *mp = (struct mutex_page *)map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(mp);
	int n = rounds() / 5;
	pid_t kids[4];
	for (int k = 0; k < 4; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			for (int i = 0; i < n; i++) {
				mutex_lock(&mp->lock);
				uint32_t v = mp->counter;
				if ((i & 15) == 0)
					sched_yield();  /* hold it a while: others queue */
				mp->counter = v + 1;
				mutex_unlock(&mp->lock);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < 4; k++)
		UT_EXPECT_EQ(reap_code(kids[k]), 0);
	UT_EXPECT_EQ(mp->counter, (uint32_t)(4 * n));
	UT_EXPECT_EQ(mp->lock, 0);
	munmap(mp, 4 * PAGE);
}

/* ---- exit wakes ------------------------------------------------------------- */

static uint32_t ctid_word;

/* Exits once the parent waits on our tid word. */
static int exit_when_watched(void *arg)
{
	int priv = (int)(long)arg;
	for (;;) {
		uint32_t v = __atomic_load_n(&ctid_word, __ATOMIC_SEQ_CST);
		long n = raw_futex(&ctid_word, FUTEX_CMP_REQUEUE | priv, 0, val2(INT_MAX),
				   &ctid_word, v);
		if (n == 1)
			return 0;
		raw6(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
	}
}

/* CLONE_CHILD_CLEARTID: the tid word is zeroed and a waiter woken at exit
 * (pthread_join's wait), with a shared wake as Linux: a private waiter is
 * on another futex and sleeps on. */
UT_CASE(test_clear_child_tid_wakes)
{
	for (int priv = 0; priv <= FUTEX_PRIVATE_FLAG; priv += FUTEX_PRIVATE_FLAG) {
		ctid_word = 0;
		/* CLONE_PARENT_SETTID: the word holds the tid when clone returns. */
		pid_t pid = clone(exit_when_watched, vm_stacks[0] + VM_STACK,
				  CLONE_VM | SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
				  (void *)(long)priv, &ctid_word, NULL, &ctid_word);
		UT_ASSERT(pid > 0);
		UT_EXPECT_EQ(ctid_word, (uint32_t)pid);
		struct timespec t = { 0, 200000000 };
		long r = futex(&ctid_word, FUTEX_WAIT | priv, (uint32_t)pid, priv ? &t : NULL, NULL,
			       0);
		if (priv)
			UT_EXPECT(r == -1 && errno == ETIMEDOUT);
		else
			UT_EXPECT_EQ(r, 0);
		UT_EXPECT_EQ(ctid_word, 0);
		UT_EXPECT_EQ(reap_code(pid), 0);
	}
}

static bool have_kill(void)
{
	if (kill(getpid(), 0) != 0 && errno == ENOSYS) {
		printf("    # kill(2) not implemented yet: skipped\n");
		return false;
	}
	return true;
}

/* A waiter that is killed goes away. */
UT_CASE(test_kill_ends_wait)
{
	if (!have_kill())
		return;
	uint32_t *w = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(w);
	pid_t pid = fork_waiter(w, FUTEX_WAIT, 0, 0);
	UT_ASSERT(await_waiters(w, 0, 1) == 0);
	UT_EXPECT_EQ(kill(pid, SIGKILL), 0);
	int st = reap(pid);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	UT_EXPECT_EQ(nwaiters(w, 0), 0);
	munmap(w, 4 * PAGE);
}

static volatile uint32_t *handled;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_add_fetch(handled, 1, __ATOMIC_SEQ_CST);
}

/* In the child: catch SIGUSR1 (flags: SA_RESTART or 0) and wait on w.
 * Exits 0 if woken, 1 EAGAIN, 2 ETIMEDOUT, 4 EINTR, 3 otherwise. */
static pid_t fork_catching_waiter(uint32_t *w, int sa_flags, bool timed, bool block)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = sa_flags };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		if (block) {
			sigset_t set;
			sigemptyset(&set);
			sigaddset(&set, SIGUSR1);
			sigprocmask(SIG_BLOCK, &set, NULL);
		}
		struct timespec t = { 30, 0 };
		long r = futex(w, FUTEX_WAIT, 0, timed ? &t : NULL, NULL, 0);
		_exit(r == 0 ? 0 : errno == EAGAIN ? 1 : errno == ETIMEDOUT ? 2 :
		      errno == EINTR ? 4 : 3);
	}
	return pid;
}

/* A caught signal ends a wait with EINTR after its handler; with
 * SA_RESTART an untimed wait is restarted instead (Linux returns
 * ERESTARTSYS there), a timed one still says EINTR. A blocked signal
 * does not disturb the wait. */
UT_CASE(test_signal_interrupts_wait)
{
	if (!have_kill())
		return;
	uint32_t *w = map_words(1, PROT_READ | PROT_WRITE);
	UT_ASSERT(w);
	handled = w + 1;
	static const struct {
		int sa_flags;
		bool timed, block;
		int code;               /* the child's exit code */
	} cases[] = {
		{ 0, false, false, 4 },
		{ 0, true, false, 4 },
		{ SA_RESTART, true, false, 4 },
		{ SA_RESTART, false, false, 0 },
		{ 0, false, true, 0 },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		*handled = 0;
		pid_t pid = fork_catching_waiter(w, cases[i].sa_flags, cases[i].timed,
						 cases[i].block);
		UT_ASSERT(await_waiters(w, 0, 1) == 0);
		UT_EXPECT_EQ(kill(pid, SIGUSR1), 0);
		if (cases[i].code == 0) {
			/* Restarted (handler ran), or never disturbed: still
			 * waiting, until woken. */
			if (!cases[i].block)
				while (!*handled)
					sched_yield();
			struct timespec pause = { 0, 50000000 };
			nanosleep(&pause, NULL);
			UT_ASSERT(await_waiters(w, 0, 1) == 0);
			UT_EXPECT_EQ(futex(w, FUTEX_WAKE, 1, NULL, NULL, 0), 1);
		}
		int code = reap_code(pid);
		if (code != cases[i].code)
			UT_FAIL("case %u: child exited %d, expected %d", i, code, cases[i].code);
		UT_EXPECT_EQ(*handled, cases[i].block ? 0 : 1);
	}
	munmap(w, 4 * PAGE);
}

UT_SUITE("futex",
	 UT_C(test_wait_value_mismatch), UT_C(test_wait_relative_timeout),
	 UT_C(test_wait_bitset_absolute_timeouts), UT_C(test_bad_timespecs), UT_C(test_einval),
	 UT_C(test_efault), UT_C(test_enosys), UT_C(test_wait_pages_in),
	 UT_C(test_wake_counts_shared), UT_C(test_shared_key_is_the_object),
	 UT_C(test_private_waiter_elsewhere_not_woken), UT_C(test_wake_private_clone_vm),
	 UT_C(test_bitsets), UT_C(test_cmp_requeue), UT_C(test_requeue_private_clone_vm),
	 UT_C(test_wake_op_values), UT_C(test_wake_op_conditions), UT_C(test_wake_op_both),
	 UT_C(test_wake_op_faults), UT_C(test_pingpong_shared_processes),
	 UT_C(test_pingpong_private_clone_vm), UT_C(test_mutex_contention),
	 UT_C(test_clear_child_tid_wakes),
	 UT_C(test_kill_ends_wait), UT_C(test_signal_interrupts_wait))
