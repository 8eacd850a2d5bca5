/*
 * The mmap family and fork's copy-on-write on real page tables, observed
 * the way a process would: through copy_*_user in the activated mm, with
 * Linux's return values, and the free-frame count restored after mm_put.
 */
#include <kernel/ktest.h>
#include <kernel/file.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <asm/layout.h>

#define RW (PROT_READ | PROT_WRITE)
#define PRIV (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHARED (MAP_SHARED | MAP_ANONYMOUS)
#define PG 4096ul

static size_t frames_before;
static struct mm *prev_mm;

static struct mm *begin(void)
{
	struct mm *mm;

	frames_before = pmm_free_frames();
	prev_mm = mm_current();
	mm = mm_create();
	if (mm)
		mm_activate(mm);
	return mm;
}

static void end(struct ktest *t, struct mm *mm)
{
	mm_activate(prev_mm);
	mm_put(mm);
	KT_EXPECT_EQ(t, pmm_free_frames(), frames_before);
}

static int poke(uintptr_t a, uint8_t v) { return put_user_u8(v, (void *)a); }

/* The byte at a, or -EFAULT. */
static int peek(uintptr_t a)
{
	uint8_t v;

	return get_user_u8(&v, (void *)a) ? -EFAULT : v;
}

static void test_mmap_arguments(struct ktest *t)
{
	static const struct file_ops no_ops = { 0 };
	/* Open files that are not cached regular files (like a pipe's). */
	struct file *rd = file_alloc(&no_ops, NULL, 0 /* O_RDONLY */);
	struct file *wr = file_alloc(&no_ops, NULL, 1 /* O_WRONLY */);
	struct mm *mm = begin();
	long a, b;

	KT_ASSERT(t, mm && rd && wr);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, 0, RW, PRIV, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, PG, RW, MAP_ANONYMOUS, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0x400001, PG, RW, PRIV | MAP_FIXED, NULL, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, PG, RW, PRIV, NULL, 123), -EINVAL);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, PG, RW, MAP_PRIVATE, rd, 0), -ENODEV);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, PG, PROT_READ, MAP_PRIVATE, wr, 0), -EACCES);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, PG, RW, MAP_SHARED, rd, 0), -EACCES);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, PG, RW, MAP_PRIVATE, NULL, 0), -EBADF);
	/* MAP_SHARED_VALIDATE: an unknown type for anonymous memory (as in
	 * Linux); for a file, unknown flags are EOPNOTSUPP. */
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, NULL, 0),
		     -EINVAL);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, PG, RW, MAP_SHARED_VALIDATE | 0x800000, rd, 0),
		     -EOPNOTSUPP);
	file_put(rd);
	file_put(wr);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0, USER_SPACE_END, RW, PRIV, NULL, 0), -ENOMEM);
	KT_EXPECT_EQ(t, vm_mmap(mm, USER_SPACE_END - PG, 2 * PG, RW, PRIV | MAP_FIXED, NULL, 0),
		     -ENOMEM);
	/* Searched areas come top-down below mmap_base, a guard page apart. */
	a = vm_mmap(mm, 0, 3 * PG, RW, PRIV, NULL, 0);
	b = vm_mmap(mm, 0, PG, RW, PRIV, NULL, 0);
	KT_EXPECT_EQ(t, a, (long)(MM_MMAP_BASE - 3 * PG));
	KT_EXPECT_EQ(t, b, a - 2 * (long)PG);
	/* A free hint is taken; a used one is not. */
	KT_EXPECT_EQ(t, vm_mmap(mm, 0x40000000, PG, RW, PRIV, NULL, 0), 0x40000000);
	KT_EXPECT_NE(t, vm_mmap(mm, 0x40000000, PG, RW, PRIV, NULL, 0), 0x40000000);
	KT_EXPECT_EQ(t, vm_mmap(mm, a + PG, PG, RW, PRIV | MAP_FIXED_NOREPLACE, NULL, 0), -EEXIST);
	KT_EXPECT_EQ(t, vm_mmap(mm, a + 3 * PG, PG, RW, PRIV | MAP_FIXED_NOREPLACE, NULL, 0),
		     a + 3 * (long)PG);
	/* MAP_FIXED replaces: the new page reads as zero. */
	KT_EXPECT_EQ(t, poke(a + PG, 9), 0);
	KT_EXPECT_EQ(t, vm_mmap(mm, a + PG, PG, RW, PRIV | MAP_FIXED, NULL, 0), a + (long)PG);
	KT_EXPECT_EQ(t, peek(a + PG), 0);
	KT_EXPECT_EQ(t, vm_mmap(mm, 0x1000, PG, RW, PRIV | MAP_FIXED, NULL, 0), -EPERM);
	end(t, mm);
}

static void test_munmap_mprotect(struct ktest *t)
{
	struct mm *mm = begin();
	long a;

	KT_ASSERT(t, mm);
	a = vm_mmap(mm, 0, 4 * PG, RW, PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	for (int i = 0; i < 4; i++)
		KT_EXPECT_EQ(t, poke(a + i * PG, 10 + i), 0);
	KT_EXPECT_EQ(t, vm_munmap(mm, a + 1, PG), -EINVAL);
	KT_EXPECT_EQ(t, vm_munmap(mm, a, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_munmap(mm, a + PG, PG), 0);
	KT_EXPECT_EQ(t, peek(a + PG), -EFAULT);
	KT_EXPECT_EQ(t, peek(a + 2 * PG), 12);
	/* Unmapping nothing is fine. */
	KT_EXPECT_EQ(t, vm_munmap(mm, a + PG, PG), 0);

	KT_EXPECT_EQ(t, vm_mprotect(mm, a, 3 * PG, PROT_READ), -ENOMEM);   /* hole */
	KT_EXPECT_EQ(t, vm_mprotect(mm, a + 1, PG, PROT_READ), -EINVAL);
	KT_EXPECT_EQ(t, vm_mprotect(mm, a, PG, 0x80), -EINVAL);
	KT_EXPECT_EQ(t, vm_mprotect(mm, a + 2 * PG, 2 * PG, PROT_READ), 0);
	KT_EXPECT_EQ(t, poke(a + 3 * PG, 1), -EFAULT);
	KT_EXPECT_EQ(t, peek(a + 3 * PG), 13);
	KT_EXPECT_EQ(t, vm_mprotect(mm, a + 2 * PG, PG, PROT_NONE), 0);
	KT_EXPECT_EQ(t, peek(a + 2 * PG), -EFAULT);
	/* Access comes back with the data. */
	KT_EXPECT_EQ(t, vm_mprotect(mm, a + 2 * PG, 2 * PG, RW), 0);
	KT_EXPECT_EQ(t, peek(a + 2 * PG), 12);
	KT_EXPECT_EQ(t, poke(a + 3 * PG, 99), 0);
	KT_EXPECT_EQ(t, peek(a + 3 * PG), 99);
	/* A never-touched PROT_NONE page faults too. */
	KT_EXPECT_EQ(t, vm_mmap(mm, a + PG, PG, PROT_NONE, PRIV | MAP_FIXED, NULL, 0), a + (long)PG);
	KT_EXPECT_EQ(t, peek(a + PG), -EFAULT);
	end(t, mm);
}

static void test_fork_copy_on_write(struct ktest *t)
{
	struct mm *parent = begin(), *child;
	long a, s;

	KT_ASSERT(t, parent);
	a = vm_mmap(parent, 0, 2 * PG, RW, PRIV, NULL, 0);
	s = vm_mmap(parent, 0, PG, RW, SHARED, NULL, 0);
	KT_ASSERT(t, a > 0 && s > 0);
	KT_EXPECT_EQ(t, poke(a, 1), 0);
	KT_EXPECT_EQ(t, poke(a + PG, 2), 0);
	KT_EXPECT_EQ(t, poke(s, 3), 0);
	child = mm_dup(parent);
	KT_ASSERT(t, child);

	mm_activate(child);
	KT_EXPECT_EQ(t, peek(a), 1);
	KT_EXPECT_EQ(t, poke(a, 50), 0);           /* copies */
	KT_EXPECT_EQ(t, peek(a), 50);
	KT_EXPECT_EQ(t, poke(s, 60), 0);           /* shared: the parent sees it */
	mm_activate(parent);
	KT_EXPECT_EQ(t, peek(a), 1);
	KT_EXPECT_EQ(t, peek(s), 60);
	KT_EXPECT_EQ(t, poke(a + PG, 70), 0);      /* parent copies its own */
	mm_activate(child);
	KT_EXPECT_EQ(t, peek(a + PG), 2);
	/* The parent copied a + PG, so the child is the original frame's only
	 * user: its write fault just makes it writable, copying nothing. */
	{
		size_t f = pmm_free_frames();

		KT_EXPECT_EQ(t, poke(a + PG + 1, 51), 0);
		KT_EXPECT_EQ(t, pmm_free_frames(), f);
	}
	/* A page first touched in the child is not in the parent. */
	KT_EXPECT_EQ(t, vm_mmap(child, a + 2 * PG, PG, RW, PRIV | MAP_FIXED, NULL, 0),
		     a + 2 * (long)PG);
	KT_EXPECT_EQ(t, poke(a + 2 * PG, 5), 0);
	mm_activate(parent);
	KT_EXPECT_EQ(t, peek(a + 2 * PG), -EFAULT);
	mm_put(child);
	/* The parent's pages survive the child. */
	KT_EXPECT_EQ(t, peek(a), 1);
	KT_EXPECT_EQ(t, peek(a + PG), 70);
	KT_EXPECT_EQ(t, peek(s), 60);
	end(t, parent);
}

static void test_brk(struct ktest *t)
{
	struct mm *mm = begin();
	uintptr_t base = 0x600000 + 123;

	KT_ASSERT(t, mm);
	KT_EXPECT_EQ(t, vm_brk(mm, 0x700000), 0);        /* exec has not set it up */
	mm->brk_start = mm->brk = base;
	KT_EXPECT_EQ(t, vm_brk(mm, 0), (long)base);
	KT_EXPECT_EQ(t, vm_brk(mm, base - 200), (long)base);
	KT_EXPECT_EQ(t, vm_brk(mm, base + 3 * PG), (long)(base + 3 * PG));
	KT_EXPECT_EQ(t, poke(base + 3 * PG - 1, 4), 0);
	KT_EXPECT_EQ(t, peek(ALIGN_UP(base + 3 * PG, PG)), -EFAULT);
	/* Shrinking unmaps; growing again gives zeroed pages. */
	KT_EXPECT_EQ(t, vm_brk(mm, base + 10), (long)(base + 10));
	KT_EXPECT_EQ(t, peek(base + 3 * PG - 1), -EFAULT);
	KT_EXPECT_EQ(t, vm_brk(mm, base + 3 * PG), (long)(base + 3 * PG));
	KT_EXPECT_EQ(t, peek(base + 3 * PG - 1), 0);
	/* Blocked by a mapping: the old break stays. */
	KT_EXPECT_EQ(t, vm_mmap(mm, 0x800000, PG, RW, PRIV | MAP_FIXED, NULL, 0), 0x800000);
	KT_EXPECT_EQ(t, vm_brk(mm, 0x900000), (long)(base + 3 * PG));
	end(t, mm);
}

static void test_mremap(struct ktest *t)
{
	struct mm *mm = begin();
	long a, b, c;

	KT_ASSERT(t, mm);
	a = vm_mmap(mm, 0, 2 * PG, RW, PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	KT_EXPECT_EQ(t, poke(a, 7), 0);
	KT_EXPECT_EQ(t, poke(a + PG, 8), 0);
	KT_EXPECT_EQ(t, vm_mremap(mm, a + 1, PG, 2 * PG, 0, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_mremap(mm, a, PG, 0, 0, 0), -EINVAL);
	KT_EXPECT_EQ(t, vm_mremap(mm, a, PG, PG, MREMAP_FIXED, 0x500000), -EINVAL);
	KT_EXPECT_EQ(t, vm_mremap(mm, 0x500000, PG, 2 * PG, MREMAP_MAYMOVE, 0), -EFAULT);
	/* A neighbour right above a (merged with it) blocks growth in place. */
	b = vm_mmap(mm, a + 2 * PG, PG, RW, PRIV | MAP_FIXED, NULL, 0);
	KT_EXPECT_EQ(t, b, a + 2 * (long)PG);
	KT_EXPECT_EQ(t, vm_mremap(mm, a, 2 * PG, 4 * PG, 0, 0), -ENOMEM);
	c = vm_mremap(mm, a, 2 * PG, 4 * PG, MREMAP_MAYMOVE, 0);
	KT_EXPECT(t, c > 0 && c != a);
	KT_EXPECT_EQ(t, peek(c), 7);
	KT_EXPECT_EQ(t, peek(c + PG), 8);
	KT_EXPECT_EQ(t, peek(c + 3 * PG), 0);
	KT_EXPECT_EQ(t, peek(a), -EFAULT);
	/* Shrink in place, then grow in place into the freed room. */
	KT_EXPECT_EQ(t, vm_mremap(mm, c, 4 * PG, PG, 0, 0), c);
	KT_EXPECT_EQ(t, peek(c + PG), -EFAULT);
	KT_EXPECT_EQ(t, vm_mremap(mm, c, PG, 3 * PG, 0, 0), c);
	KT_EXPECT_EQ(t, peek(c + PG), 0);
	KT_EXPECT_EQ(t, peek(c), 7);
	/* MREMAP_FIXED replaces what is at the target. */
	KT_EXPECT_EQ(t, poke(b, 33), 0);
	KT_EXPECT_EQ(t, vm_mremap(mm, c, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, b), b);
	KT_EXPECT_EQ(t, peek(b), 7);
	KT_EXPECT_EQ(t, peek(c), -EFAULT);
	end(t, mm);
}

static void test_madvise(struct ktest *t)
{
	struct mm *mm = begin(), *child;
	long a, s;

	KT_ASSERT(t, mm);
	a = vm_mmap(mm, 0, 2 * PG, RW, PRIV, NULL, 0);
	s = vm_mmap(mm, 0, PG, RW, SHARED, NULL, 0);
	KT_ASSERT(t, a > 0 && s > 0);
	KT_EXPECT_EQ(t, poke(a, 1), 0);
	KT_EXPECT_EQ(t, poke(a + PG, 2), 0);
	KT_EXPECT_EQ(t, poke(s, 3), 0);
	KT_EXPECT_EQ(t, vm_madvise(mm, a + 1, PG, MADV_DONTNEED), -EINVAL);
	KT_EXPECT_EQ(t, vm_madvise(mm, a, PG, 1000), -EINVAL);
	KT_EXPECT_EQ(t, vm_madvise(mm, a, PG, MADV_WILLNEED), 0);
	KT_EXPECT_EQ(t, vm_madvise(mm, a, PG, MADV_DONTNEED), 0);
	KT_EXPECT_EQ(t, peek(a), 0);
	KT_EXPECT_EQ(t, peek(a + PG), 2);
	/* Shared memory keeps its data, in every mm that maps it. */
	child = mm_dup(mm);
	KT_ASSERT(t, child);
	KT_EXPECT_EQ(t, vm_madvise(mm, s, PG, MADV_DONTNEED), 0);
	KT_EXPECT_EQ(t, peek(s), 3);
	KT_EXPECT_EQ(t, vm_madvise(mm, a, 3 * PG, MADV_DONTNEED), -ENOMEM);  /* hole */
	mm_put(child);
	end(t, mm);
}

static void test_user_fault_codes(struct ktest *t)
{
	struct mm *mm = begin();
	long a, r;

	KT_ASSERT(t, mm);
	a = vm_mmap(mm, 0, PG, PROT_READ, PRIV, NULL, 0);
	r = vm_mmap(mm, 0, PG, RW, PRIV, NULL, 0);
	KT_ASSERT(t, a > 0 && r > 0);
	KT_EXPECT_EQ(t, handle_user_fault(mm, 0x1234, FAULT_USER), -EFAULT);
	KT_EXPECT_EQ(t, handle_user_fault(mm, a, FAULT_USER | FAULT_WRITE), -EACCES);
	KT_EXPECT_EQ(t, handle_user_fault(mm, a, FAULT_USER | FAULT_EXEC), -EACCES);
	KT_EXPECT_EQ(t, handle_user_fault(mm, a + 8, FAULT_USER), 0);
	KT_EXPECT_EQ(t, handle_user_fault(mm, r, FAULT_USER | FAULT_WRITE), 0);
	KT_EXPECT_EQ(t, vm_mprotect(mm, r, PG, PROT_NONE), 0);
	KT_EXPECT_EQ(t, handle_user_fault(mm, r, FAULT_USER | FAULT_PRESENT), -EACCES);
	end(t, mm);
}

static struct ktest_case vma_cases[] = {
	KTEST_CASE(test_mmap_arguments),
	KTEST_CASE(test_munmap_mprotect),
	KTEST_CASE(test_fork_copy_on_write),
	KTEST_CASE(test_brk),
	KTEST_CASE(test_mremap),
	KTEST_CASE(test_madvise),
	KTEST_CASE(test_user_fault_codes),
	{},
};
KTEST_SUITE(vma, vma_cases);
