/*
 * copy_*_user and the fault path under them, on a real test mm: demand
 * paging inside a kernel copy, -EFAULT for every kind of bad range without
 * touching memory, the exception-table fixup, strncpy_from_user's return
 * values, and SMEP/SMAP in CR4. Each case restores the previous mm.
 */
#include <kernel/ktest.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>
#include <asm/cpu.h>
#include <asm/layout.h>

#define RW (PROT_READ | PROT_WRITE)
#define ANON_PRIV (MAP_PRIVATE | MAP_ANONYMOUS)

struct fixture {
	struct mm *mm, *prev;
	size_t frames;
};

static bool setup(struct ktest *t, struct fixture *f)
{
	f->frames = pmm_free_frames();
	f->prev = mm_current();
	f->mm = mm_create();
	if (!f->mm)
		return false;
	mm_activate(f->mm);
	return true;
}

/* Back to the previous space; every frame of the test mm must be free. */
static void teardown(struct ktest *t, struct fixture *f)
{
	mm_activate(f->prev);
	mm_put(f->mm);
	KT_EXPECT_EQ(t, pmm_free_frames(), f->frames);
}

static void test_round_trip_demand_zero(struct ktest *t)
{
	static char out[3 * 4096], in[3 * 4096];
	struct fixture f;
	long a;

	KT_ASSERT(t, setup(t, &f));
	a = vm_mmap(f.mm, 0, sizeof(out), RW, ANON_PRIV, NULL, 0);
	KT_EXPECT(t, a > 0 && (a & 0xfff) == 0);
	/* Untouched pages read as zero (demand-zero during the copy). */
	memset(in, 0x55, sizeof(in));
	KT_EXPECT_EQ(t, copy_from_user(in, (void *)a, sizeof(in)), 0);
	for (size_t i = 0; i < sizeof(in); i += 512)
		KT_EXPECT_EQ(t, in[i], 0);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + 1);
	/* Unaligned, across page boundaries. */
	KT_EXPECT_EQ(t, copy_to_user((void *)(a + 100), out, sizeof(out) - 200), 0);
	memset(in, 0, sizeof(in));
	KT_EXPECT_EQ(t, copy_from_user(in, (void *)(a + 100), sizeof(out) - 200), 0);
	KT_EXPECT(t, memcmp(in, out, sizeof(out) - 200) == 0);
	KT_EXPECT_EQ(t, clear_user((void *)(a + 4000), 200), 0);
	KT_EXPECT_EQ(t, get_user_u64((uint64_t *)in, (void *)(a + 4000)), 0);
	KT_EXPECT_EQ(t, *(uint64_t *)in, 0);
	KT_EXPECT_EQ(t, put_user_u32(0xdeadbeef, (void *)(a + 4094)), 0);
	KT_EXPECT_EQ(t, get_user_u32((uint32_t *)in, (void *)(a + 4094)), 0);
	KT_EXPECT_EQ(t, *(uint32_t *)in, 0xdeadbeef);
	teardown(t, &f);
}

static void test_bad_ranges_efault(struct ktest *t)
{
	static const uintptr_t bad[] = {
		0, 0x1000, USER_SPACE_END - 8, USER_SPACE_END, 0x8000000000000000ul,
		0xffff800000000000ul, KERNEL_VIRT_BASE, ~0ul - 3,
	};
	char buf[16] = "untouched";
	struct fixture f;
	long a;

	KT_ASSERT(t, setup(t, &f));
	a = vm_mmap(f.mm, 0, 4096, PROT_READ, ANON_PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		KT_EXPECT_EQ(t, copy_to_user((void *)bad[i], buf, 16), -EFAULT);
		KT_EXPECT_EQ(t, copy_from_user(buf, (void *)bad[i], 16), -EFAULT);
		KT_EXPECT_EQ(t, clear_user((void *)bad[i], 16), -EFAULT);
		KT_EXPECT_EQ(t, strncpy_from_user(buf, (void *)bad[i], 16), -EFAULT);
	}
	KT_EXPECT(t, strcmp(buf, "untouched") == 0);
	/* A kernel address is refused even though it is mapped. */
	KT_EXPECT_EQ(t, copy_from_user(buf, buf + 1, 1), -EFAULT);
	/* Wrapping ranges. */
	KT_EXPECT_EQ(t, copy_from_user(buf, (void *)(uintptr_t)a, ~0ul), -EFAULT);
	KT_EXPECT_EQ(t, copy_to_user((void *)(uintptr_t)a, buf, (size_t)-a), -EFAULT);
	/* Read-only area: reads work, writes fail without changing it. */
	KT_EXPECT_EQ(t, copy_from_user(buf, (void *)a, 16), 0);
	KT_EXPECT_EQ(t, buf[0], 0);
	KT_EXPECT_EQ(t, copy_to_user((void *)a, "x", 1), -EFAULT);
	KT_EXPECT_EQ(t, put_user_u8(1, (void *)(a + 4095)), -EFAULT);
	/* Straddling the end of the area. */
	KT_EXPECT_EQ(t, copy_from_user(buf, (void *)(a + 4090), 16), -EFAULT);
	/* Nothing was mapped for the failed writes. */
	KT_EXPECT_EQ(t, vm_munmap(f.mm, a, 4096), 0);
	KT_EXPECT_EQ(t, copy_from_user(buf, (void *)a, 1), -EFAULT);
	teardown(t, &f);
}

static void test_strncpy_from_user(struct ktest *t)
{
	char buf[32];
	struct fixture f;
	long a;

	KT_ASSERT(t, setup(t, &f));
	a = vm_mmap(f.mm, 0, 4096, RW, ANON_PRIV, NULL, 0);
	KT_ASSERT(t, a > 0);
	KT_EXPECT_EQ(t, copy_to_user((void *)a, "hello", 6), 0);
	memset(buf, 'z', sizeof(buf));
	KT_EXPECT_EQ(t, strncpy_from_user(buf, (void *)a, sizeof(buf)), 5);
	KT_EXPECT(t, strcmp(buf, "hello") == 0);
	/* No NUL within n: returns n. */
	memset(buf, 'z', sizeof(buf));
	KT_EXPECT_EQ(t, strncpy_from_user(buf, (void *)a, 3), 3);
	KT_EXPECT(t, buf[0] == 'h' && buf[2] == 'l' && buf[3] == 'z');
	KT_EXPECT_EQ(t, strncpy_from_user(buf, (void *)a, 0), 0);
	/* A string running into an unmapped page faults... */
	KT_EXPECT_EQ(t, copy_to_user((void *)(a + 4092), "abcd", 4), 0);
	KT_EXPECT_EQ(t, strncpy_from_user(buf, (void *)(a + 4092), sizeof(buf)), -EFAULT);
	/* ...unless n stops before the hole. */
	KT_EXPECT_EQ(t, strncpy_from_user(buf, (void *)(a + 4092), 4), 4);
	/* The empty string. */
	KT_EXPECT_EQ(t, strncpy_from_user(buf, (void *)(a + 4000), sizeof(buf)), 0);
	KT_EXPECT_EQ(t, buf[0], 0);
	teardown(t, &f);
}

static void test_no_mm_efault(struct ktest *t)
{
	struct mm *prev = mm_current();
	char c = 0;

	/* With only the kernel's tables active, every user access fails. */
	mm_activate(NULL);
	KT_EXPECT_EQ(t, copy_from_user(&c, (void *)0x400000, 1), -EFAULT);
	KT_EXPECT_EQ(t, copy_to_user((void *)0x400000, &c, 1), -EFAULT);
	mm_activate(prev);
}

static void test_smep_smap_enabled(struct ktest *t)
{
	uint64_t cr4 = read_cr4();

	if (!cpu_has(X86_FEATURE_SMEP) && !cpu_has(X86_FEATURE_SMAP)) {
		ktest_skip(t, "CPU has neither SMEP nor SMAP");
		return;
	}
	KT_EXPECT_EQ(t, !!(cr4 & CR4_SMEP), cpu_has(X86_FEATURE_SMEP));
	KT_EXPECT_EQ(t, !!(cr4 & CR4_SMAP), cpu_has(X86_FEATURE_SMAP));
	/* AC is closed again after a copy. */
	KT_EXPECT_EQ(t, read_rflags() & RFLAGS_AC, 0);
}

static struct ktest_case uaccess_cases[] = {
	KTEST_CASE(test_round_trip_demand_zero),
	KTEST_CASE(test_bad_ranges_efault),
	KTEST_CASE(test_strncpy_from_user),
	KTEST_CASE(test_no_mm_efault),
	KTEST_CASE(test_smep_smap_enabled),
	{},
};
KTEST_SUITE(uaccess, uaccess_cases);
