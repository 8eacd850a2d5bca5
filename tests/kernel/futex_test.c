/*
 * Futex internals on real test mms: keys (private, shared in private
 * memory, shared through a MAP_SHARED object across a fork), the hash's
 * spread, the _nofault accessors the bucket locks need, and a sleeping
 * kernel task woken by a wake, a timeout and a kill. Each case gives back
 * every frame it took.
 */
#include <kernel/ktest.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/futex/internal.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <uapi/linux/mman.h>

#define RW (PROT_READ | PROT_WRITE)
#define PRIV (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED (MAP_SHARED | MAP_ANONYMOUS)
#define PG 4096

struct fixture {
	struct mm *mm, *prev;
	size_t frames;
};

static void nop_task(void *arg)
{
	(void)arg;
}

/* The first vma split and the first task leave slab and stack-area pages
 * behind that later ones reuse: take those before counting, once. */
static void warm_up(void)
{
	static bool warm;
	struct mm *prev = mm_current(), *mm = mm_create();

	if (warm || !mm)
		return;
	warm = true;
	mm_activate(mm);
	long a = vm_mmap(mm, 0, 2 * PG, RW, PRIV, NULL, 0);
	if (a > 0) {
		vm_mprotect(mm, a, PG, PROT_READ);
		put_user_u32(1, (void *)(a + PG));
	}
	unsigned tasks = sched_nr_tasks();
	if (task_create("futex_warm", nop_task, NULL)) {
		uint64_t end = time_ns() + NSEC_PER_SEC;
		arch_irq_enable();
		while (sched_nr_tasks() > tasks && time_ns() < end) {
			schedule();
			arch_cpu_relax();
		}
	}
	mm_activate(prev);
	mm_put(mm);
}

static bool setup(struct fixture *f)
{
	warm_up();
	f->frames = pmm_free_frames();
	f->prev = mm_current();
	f->mm = mm_create();
	if (!f->mm)
		return false;
	mm_activate(f->mm);
	return true;
}

static void teardown(struct ktest *t, struct fixture *f)
{
	mm_activate(f->prev);
	mm_put(f->mm);
	KT_EXPECT_EQ(t, pmm_free_frames(), f->frames);
}

static void test_private_keys(struct ktest *t)
{
	struct futex_key k, k2;
	struct fixture f;

	KT_ASSERT(t, setup(&f));
	long a = vm_mmap(f.mm, 0, 2 * PG, RW, PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	uint32_t *w = (uint32_t *)(a + 12);

	KT_EXPECT_EQ(t, futex_key_get(w, true, FUTEX_READ, &k), 0);
	KT_EXPECT(t, k.base == f.mm && k.offset == (uint64_t)(uintptr_t)w && !k.ops);
	/* Shared flag, private memory: same mm and address, another futex. */
	KT_EXPECT_EQ(t, futex_key_get(w, false, FUTEX_WRITE, &k2), 0);
	KT_EXPECT(t, k2.base == f.mm && !k2.ops);
	KT_EXPECT(t, !futex_key_eq(&k, &k2));
	KT_EXPECT_EQ(t, futex_hash(&k), futex_hash(&k2));
	futex_key_put(&k2);

	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(a + 13), true, FUTEX_READ, &k), -EINVAL);
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(a + 14), false, FUTEX_READ, &k), -EINVAL);
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)0xffff800000000000ul, true, FUTEX_READ, &k),
		     -EFAULT);
	/* Unmapped: a private key needs no mapping, a shared one does. */
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(a + 2 * PG), true, FUTEX_READ, &k), 0);
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(a + 2 * PG), false, FUTEX_READ, &k),
		     -EFAULT);
	/* Read-only: fine to read, not to write; PROT_NONE: neither. */
	KT_EXPECT_EQ(t, vm_mprotect(f.mm, a, PG, PROT_READ), 0);
	KT_EXPECT_EQ(t, futex_key_get(w, false, FUTEX_READ, &k), 0);
	KT_EXPECT_EQ(t, futex_key_get(w, false, FUTEX_WRITE, &k), -EFAULT);
	KT_EXPECT_EQ(t, vm_mprotect(f.mm, a, PG, PROT_NONE), 0);
	KT_EXPECT_EQ(t, futex_key_get(w, false, FUTEX_READ, &k), -EFAULT);
	KT_EXPECT_EQ(t, futex_key_get(w, true, FUTEX_READ, &k), 0);
	teardown(t, &f);
}

/* A MAP_SHARED object: the same key in a forked copy of the mm, whatever
 * the address; a reference on the object while the key is held. */
static void test_shared_keys_across_mms(struct ktest *t)
{
	struct futex_key k1, k2, k3;
	struct fixture f;

	KT_ASSERT(t, setup(&f));
	long a = vm_mmap(f.mm, 0, 4 * PG, RW, SHARED, NULL, 0);
	KT_ASSERT(t, a > 0);
	KT_EXPECT_EQ(t, put_user_u32(7, (void *)(a + PG + 40)), 0);    /* a frame to free */
	struct mm *child = mm_dup(f.mm);
	KT_ASSERT(t, child);

	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(a + PG + 40), false, FUTEX_READ, &k1), 0);
	KT_EXPECT(t, k1.base != f.mm && k1.ops != NULL);
	KT_EXPECT_EQ(t, k1.offset, PG + 40);
	/* The private key of the same word is something else. */
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(a + PG + 40), true, FUTEX_READ, &k3), 0);
	KT_EXPECT(t, !futex_key_eq(&k1, &k3));

	mm_activate(child);
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(a + PG + 40), false, FUTEX_WRITE, &k2), 0);
	KT_EXPECT(t, futex_key_eq(&k1, &k2));
	KT_EXPECT_EQ(t, futex_hash(&k1), futex_hash(&k2));
	futex_key_put(&k2);
	/* Moved elsewhere in the child: still the same futex. */
	long c = vm_mmap(child, 0, 8 * PG, PROT_NONE, PRIV, NULL, 0);
	KT_ASSERT(t, c > 0);
	long b = vm_mremap(child, a, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, c + 2 * PG);
	KT_EXPECT_EQ(t, b, c + 2 * PG);
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(b + PG + 40), false, FUTEX_READ, &k2), 0);
	KT_EXPECT(t, futex_key_eq(&k1, &k2));
	futex_key_put(&k2);
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(b + PG + 44), false, FUTEX_READ, &k2), 0);
	KT_EXPECT(t, !futex_key_eq(&k1, &k2));
	futex_key_put(&k2);
	/* Gone from the child: the key keeps the object until it is put. */
	KT_EXPECT_EQ(t, vm_munmap(child, b, 4 * PG), 0);
	KT_EXPECT_EQ(t, futex_key_get((uint32_t *)(b + PG + 40), false, FUTEX_READ, &k2), -EFAULT);
	mm_activate(f.mm);
	futex_key_put(&k1);
	/* The keys held no extra references: the object goes with the mms. */
	mm_activate(f.prev);
	mm_put(child);
	teardown(t, &f);
}

static void test_hash_spreads(struct ktest *t)
{
	static uint8_t hit[FUTEX_HASH_SIZE];
	unsigned distinct = 0;

	/* 1024 neighbouring words of one mm: a random function would hit
	 * about 647 buckets; a poor one (address bits only) far fewer. */
	memset(hit, 0, sizeof(hit));
	for (unsigned i = 0; i < FUTEX_HASH_SIZE; i++) {
		struct futex_key k = { .base = (void *)0xffff800012345000ul,
				       .offset = 0x7f0000001000ul + 4 * i };
		distinct += !hit[futex_hash(&k)]++;
	}
	KT_EXPECT(t, distinct > 560);
	/* The same word in 1024 objects 64 bytes apart (a slab). */
	memset(hit, 0, sizeof(hit));
	distinct = 0;
	for (unsigned i = 0; i < FUTEX_HASH_SIZE; i++) {
		struct futex_key k = { .base = (void *)(0xffff800020000000ul + 64 * i),
				       .offset = 128 };
		distinct += !hit[futex_hash(&k)]++;
	}
	KT_EXPECT(t, distinct > 560);
	/* Deterministic, and within the table. */
	struct futex_key k = { .base = (void *)0xffff800012345000ul, .offset = 0x1234 };
	KT_EXPECT_EQ(t, futex_hash(&k), futex_hash(&k));
	KT_EXPECT(t, futex_bucket_of(&k) == futex_bucket_of(&k));
}

/* Under a spinlock the word is read and changed without paging. */
static void test_nofault_accessors(struct ktest *t)
{
	struct fixture f;
	uint32_t v = 0, exp;

	KT_ASSERT(t, setup(&f));
	long a = vm_mmap(f.mm, 0, 2 * PG, RW, PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	uint32_t *w = (uint32_t *)(a + 8);
	/* Not present: refused, and still not present afterwards. */
	KT_EXPECT_EQ(t, copy_from_user_nofault(&v, w, 4), -EFAULT);
	exp = 0;
	KT_EXPECT_EQ(t, cmpxchg_user_u32_nofault(w, &exp, 5), -EFAULT);
	KT_EXPECT_EQ(t, copy_from_user_nofault(&v, w, 4), -EFAULT);
	/* Paged in by an ordinary read (a writable demand-zero frame). */
	KT_EXPECT_EQ(t, get_user_u32(&v, w), 0);
	KT_EXPECT_EQ(t, copy_from_user_nofault(&v, w, 4), 0);
	KT_EXPECT_EQ(t, v, 0);
	exp = 1;
	KT_EXPECT_EQ(t, cmpxchg_user_u32_nofault(w, &exp, 5), 0);     /* no match */
	KT_EXPECT_EQ(t, exp, 0);
	exp = 0;
	KT_EXPECT_EQ(t, cmpxchg_user_u32_nofault(w, &exp, 5), 0);
	KT_EXPECT_EQ(t, get_user_u32(&v, w), 0);
	KT_EXPECT_EQ(t, v, 5);
	KT_EXPECT_EQ(t, cmpxchg_user_u32_nofault((uint32_t *)(a + 9), &exp, 5), -EFAULT);
	/* Read-only area: the write is refused, and cannot be faulted in. */
	KT_EXPECT_EQ(t, vm_mprotect(f.mm, a, PG, PROT_READ), 0);
	exp = 5;
	KT_EXPECT_EQ(t, cmpxchg_user_u32_nofault(w, &exp, 6), -EFAULT);
	KT_EXPECT_EQ(t, cmpxchg_user_u32(w, &exp, 6), -EFAULT);
	KT_EXPECT_EQ(t, fault_in_user_writeable(f.mm, (uintptr_t)w), -EFAULT);
	KT_EXPECT_EQ(t, get_user_u32(&v, w), 0);
	KT_EXPECT_EQ(t, v, 5);
	/* Writable again: fault_in makes the nofault write work. */
	KT_EXPECT_EQ(t, vm_mprotect(f.mm, a, PG, RW), 0);
	KT_EXPECT_EQ(t, fault_in_user_writeable(f.mm, (uintptr_t)w), 0);
	exp = 5;
	KT_EXPECT_EQ(t, cmpxchg_user_u32_nofault(w, &exp, 6), 0);
	KT_EXPECT_EQ(t, exp, 5);
	/* The second page, never touched: fault_in pages it in. */
	KT_EXPECT_EQ(t, fault_in_user_writeable(f.mm, (uintptr_t)(a + PG)), 0);
	exp = 0;
	KT_EXPECT_EQ(t, cmpxchg_user_u32_nofault((uint32_t *)(a + PG), &exp, 9), 0);
	KT_EXPECT_EQ(t, exp, 0);
	KT_EXPECT_EQ(t, fault_in_user_writeable(f.mm, (uintptr_t)(a + 2 * PG)), -EFAULT);
	teardown(t, &f);
}

/* ---- a sleeping waiter ---------------------------------------------------- */

struct waiter {
	uint32_t *w;
	bool timed;
	uint64_t timeout;
	volatile int result;
	volatile bool done;
};

static void waiter_fn(void *arg)
{
	struct waiter *wt = arg;
	int64_t dl = (int64_t)(time_ns() + wt->timeout);

	wt->result = futex_wait(wt->w, true, 0, wt->timed ? &dl : NULL, FUTEX_BITSET_MATCH_ANY);
	__atomic_store_n(&wt->done, true, __ATOMIC_RELEASE);
}

/* A kernel task in the test mm (its user accesses go there). */
static struct task *start_waiter(struct mm *mm, struct waiter *wt)
{
	struct task *task = task_alloc("futex_waiter");
	if (!task)
		return NULL;
	task->mm = mm;
	task->saved_rsp = arch_task_init_stack(task->kstack_top, waiter_fn, wt);
	task_start(task);
	return task;
}

/* Let other tasks run until cond, or 10 s. This runs in the boot CPU's
 * idle task, which a switch back to leaves without an mm: activate mm
 * again each time (cond may look at the futexes in it). */
#define RUN_UNTIL(mm, cond)                                                    \
	({                                                                     \
		uint64_t __end = time_ns() + 10 * NSEC_PER_SEC;                \
		arch_irq_enable();                                             \
		for (;;) {                                                     \
			mm_activate(mm);                                       \
			if ((cond) || time_ns() > __end)                       \
				break;                                         \
			schedule();                                            \
			arch_cpu_relax();                                      \
		}                                                              \
		(cond);                                                        \
	})

static int queued(uint32_t *w)
{
	return futex_requeue(w, true, w, 0, 0x7fffffff, NULL);
}

/* After the waiter is done, until its task is freed (before mm_put). */
static void reap_waiter(struct mm *mm, unsigned tasks_before)
{
	RUN_UNTIL(mm, sched_nr_tasks() <= tasks_before);
}

static void test_waiter_woken(struct ktest *t)
{
	struct fixture f;
	unsigned tasks = sched_nr_tasks();

	KT_ASSERT(t, setup(&f));
	long a = vm_mmap(f.mm, 0, PG, RW, PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	struct waiter wt = { .w = (uint32_t *)a, .timed = true, .timeout = 10 * NSEC_PER_SEC };
	KT_ASSERT(t, start_waiter(f.mm, &wt));
	KT_EXPECT(t, RUN_UNTIL(f.mm, queued(wt.w) == 1));
	KT_EXPECT_EQ(t, futex_wake(wt.w, false, 1, FUTEX_BITSET_MATCH_ANY), 0); /* other key */
	KT_EXPECT_EQ(t, futex_wake(wt.w, true, 1, 2), 1);
	KT_EXPECT(t, RUN_UNTIL(f.mm, wt.done));
	KT_EXPECT_EQ(t, wt.result, 0);
	reap_waiter(f.mm, tasks);
	teardown(t, &f);
}

static void test_waiter_times_out(struct ktest *t)
{
	struct fixture f;
	unsigned tasks = sched_nr_tasks();

	KT_ASSERT(t, setup(&f));
	long a = vm_mmap(f.mm, 0, PG, RW, PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	struct waiter wt = { .w = (uint32_t *)a, .timed = true, .timeout = 20 * NSEC_PER_MSEC };
	uint64_t t0 = time_ns();
	KT_ASSERT(t, start_waiter(f.mm, &wt));
	KT_EXPECT(t, RUN_UNTIL(f.mm, wt.done));
	KT_EXPECT_EQ(t, wt.result, -ETIMEDOUT);
	KT_EXPECT(t, time_ns() - t0 >= 20 * NSEC_PER_MSEC);
	KT_EXPECT_EQ(t, queued(wt.w), 0);
	reap_waiter(f.mm, tasks);
	teardown(t, &f);
}

/* exit_group from another thread: TASK_F_KILLED and a kick end the wait
 * (restartable when untimed, EINTR when timed). */
static void test_waiter_killed(struct ktest *t)
{
	struct fixture f;
	unsigned tasks = sched_nr_tasks();

	KT_ASSERT(t, setup(&f));
	long a = vm_mmap(f.mm, 0, PG, RW, PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	for (int timed = 0; timed <= 1; timed++) {
		struct waiter wt = { .w = (uint32_t *)(a + 4 * timed), .timed = timed,
				     .timeout = 10 * NSEC_PER_SEC };
		struct task *task = start_waiter(f.mm, &wt);
		KT_ASSERT(t, task);
		KT_EXPECT(t, RUN_UNTIL(f.mm, queued(wt.w) == 1));
		uint64_t t0 = time_ns();
		__atomic_fetch_or(&task->flags, TASK_F_KILLED, __ATOMIC_SEQ_CST);
		signal_kick(task);
		KT_EXPECT(t, RUN_UNTIL(f.mm, wt.done));
		KT_EXPECT(t, time_ns() - t0 < 5 * NSEC_PER_SEC);
		KT_EXPECT_EQ(t, wt.result, timed ? -EINTR : -ERESTARTSYS);
		KT_EXPECT_EQ(t, queued(wt.w), 0);
		reap_waiter(f.mm, tasks);
	}
	teardown(t, &f);
}

static struct ktest_case futex_cases[] = {
	KTEST_CASE(test_private_keys),
	KTEST_CASE(test_shared_keys_across_mms),
	KTEST_CASE(test_hash_spreads),
	KTEST_CASE(test_nofault_accessors),
	KTEST_CASE(test_waiter_woken),
	KTEST_CASE(test_waiter_times_out),
	KTEST_CASE(test_waiter_killed),
	{},
};
KTEST_SUITE(futex, futex_cases);
