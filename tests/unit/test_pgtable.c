/*
 * Host tests for arch/x86_64/mm/pgtable.c (and mm/vmap.c on top of it):
 * page tables built in an arena that plays physical memory, checked entry
 * by entry with an independent walker.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mm/vmm.h>
#include <mm/vmap.h>
#include <mm/pmm.h>
#include <mm/memblock.h>
#include <kernel/errno.h>
#include <asm/layout.h>
#include "arch/x86_64/mm/pgtable.h"

#define ARENA_PHYS MiB(16)
#define ARENA_SIZE MiB(8)

#define RW_NX (PTE_P | PTE_RW | PTE_NX)
#define UVA   0x0000400000000000ULL   /* user-half address, 512 GiB aligned */
#define KVA   0xffffc90040000000ULL   /* vmap-area address, 1 GiB aligned */

static void *arena;
static unsigned flush_pages, flush_alls;
static uintptr_t last_flushed;

void arch_tlb_flush_page(uintptr_t va)
{
	flush_pages++;
	last_flushed = va;
}

void arch_tlb_flush_all(void)
{
	flush_alls++;
}

static phys_addr_t early_pa;

static int group_setup(void **state)
{
	arena = aligned_alloc(MiB(4), ARENA_SIZE);
	assert_non_null(arena);
	direct_map_base = (uintptr_t)arena - ARENA_PHYS;
	memblock_add(ARENA_PHYS, ARENA_SIZE, MEM_USABLE);
	/* Before pmm_init, tables come from memblock, as in paging_init. */
	assert_int_equal(vmm_space_init(&kernel_space), 0);
	assert_int_equal(vmm_map(&kernel_space, KVA, MiB(2), MiB(2),
				 VM_READ | VM_WRITE, VMM_MAP_HUGE), 0);
	early_pa = kernel_space.pml4;
	pmm_init();
	return 0;
}

/* Each test gets a fresh space, so table frames can be counted exactly. */
static struct vmm_space space;
static size_t frames;

static int setup(void **state)
{
	assert_int_equal(vmm_space_init(&space), 0);
	frames = pmm_free_frames();
	flush_pages = flush_alls = 0;
	return 0;
}

/* Independent walk: the raw leaf (or hole) entry for va and its level. */
static uint64_t raw(struct vmm_space *s, uintptr_t va, int *level)
{
	uint64_t *t = phys_to_virt(s->pml4);

	for (int l = 4;; l--) {
		uint64_t e = t[pt_index(va, l)];

		if (l == 1 || !(e & PTE_P) || (e & PTE_PS)) {
			if (level)
				*level = l;
			return e;
		}
		t = phys_to_virt(e & PTE_ADDR);
	}
}

static phys_addr_t xlate(struct vmm_space *s, uintptr_t va)
{
	phys_addr_t pa = ~0ULL;

	assert_int_equal(vmm_translate(s, va, &pa, NULL), 0);
	return pa;
}

static size_t tables_used(void)
{
	return frames - pmm_free_frames();
}

static void test_early_tables_from_memblock(void **state)
{
	int level;

	assert_true(memblock_is_reserved(early_pa));
	assert_int_equal(phys_to_page(early_pa)->flags, PG_RESERVED);
	assert_int_equal(xlate(&kernel_space, KVA + 0x1234), MiB(2) + 0x1234);
	assert_int_equal(raw(&kernel_space, KVA, &level), MiB(2) | RW_NX | PTE_PS);
	assert_int_equal(level, 2);
}

static void test_map_4k(void **state)
{
	unsigned prot;
	int level;

	assert_int_equal(vmm_map(&space, KVA, 0x12345000, 3 * PAGE_SIZE,
				 VM_READ | VM_WRITE | VM_GLOBAL, 0), 0);
	assert_int_equal(tables_used(), 3);   /* PDPT, PD, PT */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(raw(&space, KVA + i * PAGE_SIZE, &level),
				 (0x12345000 + i * PAGE_SIZE) | RW_NX | PTE_G);
		assert_int_equal(level, 1);
	}
	assert_int_equal(raw(&space, KVA + 3 * PAGE_SIZE, &level), 0);
	assert_int_equal(vmm_translate(&space, KVA + 0x1abc, NULL, &prot), 0);
	assert_int_equal(prot, VM_READ | VM_WRITE | VM_GLOBAL);
	assert_int_equal(xlate(&space, KVA + 0x1abc), 0x12346abc);
	assert_int_equal(vmm_translate(&space, KVA + 0x3000, NULL, NULL), -EFAULT);
	assert_int_equal(vmm_translate(&space, 0x0000900000000000ULL, NULL, NULL), -EFAULT);
	/* A new mapping needs no flush. */
	assert_int_equal(flush_pages + flush_alls, 0);
}

static void test_prot_bits(void **state)
{
	const struct {
		unsigned prot;
		uint64_t bits;
	} cases[] = {
		{ VM_READ, PTE_P | PTE_NX },
		{ VM_READ | VM_EXEC, PTE_P },
		{ VM_READ | VM_WRITE | VM_USER, PTE_P | PTE_RW | PTE_US | PTE_NX },
		{ VM_READ | VM_WRITE | VM_NOCACHE, RW_NX | PTE_PCD | PTE_PWT },
		{ VM_READ | VM_EXEC | VM_GLOBAL, PTE_P | PTE_G },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uintptr_t va = UVA + i * PAGE_SIZE;
		unsigned prot;

		assert_int_equal(vmm_map(&space, va, 0x5000, PAGE_SIZE, cases[i].prot, 0), 0);
		assert_int_equal(raw(&space, va, NULL), 0x5000 | cases[i].bits);
		assert_int_equal(vmm_translate(&space, va, NULL, &prot), 0);
		assert_int_equal(prot, cases[i].prot);
	}
	/* Tables above user pages allow user access; the leaf decides. */
	assert_true(((uint64_t *)phys_to_virt(space.pml4))[pt_index(UVA, 4)] & PTE_US);
	assert_false(((uint64_t *)phys_to_virt(space.pml4))[pt_index(KVA, 4)] & PTE_US);
	assert_int_equal(vmm_map(&space, UVA, 0x5000, PAGE_SIZE, VM_WRITE, 0), -EINVAL);
	assert_int_equal(vmm_map(&space, UVA, 0x5000, PAGE_SIZE, 0, 0), -EINVAL);
}

static void test_map_2m(void **state)
{
	int level;

	assert_int_equal(vmm_map(&space, KVA, MiB(64), MiB(4) + 2 * PAGE_SIZE,
				 VM_READ | VM_WRITE, VMM_MAP_HUGE), 0);
	assert_int_equal(raw(&space, KVA, &level), MiB(64) | RW_NX | PTE_PS);
	assert_int_equal(level, 2);
	assert_int_equal(raw(&space, KVA + MiB(2), &level), MiB(66) | RW_NX | PTE_PS);
	assert_int_equal(level, 2);
	assert_int_equal(raw(&space, KVA + MiB(4) + PAGE_SIZE, &level),
			 (MiB(68) + PAGE_SIZE) | RW_NX);
	assert_int_equal(level, 1);
	assert_int_equal(tables_used(), 3);
	assert_int_equal(xlate(&space, KVA + MiB(3) + 0x123), MiB(67) + 0x123);
}

static void test_no_huge_without_flag_or_alignment(void **state)
{
	int level;

	assert_int_equal(vmm_map(&space, KVA, MiB(64), MiB(2), VM_READ, 0), 0);
	raw(&space, KVA, &level);
	assert_int_equal(level, 1);
	/* pa not 2 MiB aligned: 4 KiB pages even with the flag. */
	assert_int_equal(vmm_map(&space, KVA + MiB(2), MiB(64) + PAGE_SIZE, MiB(2),
				 VM_READ, VMM_MAP_HUGE), 0);
	raw(&space, KVA + MiB(2), &level);
	assert_int_equal(level, 1);
	assert_int_equal(tables_used(), 4);
	/* A huge mapping never replaces a table: it falls back to 4 KiB. */
	assert_int_equal(vmm_map(&space, KVA, MiB(128), MiB(2), VM_READ, VMM_MAP_HUGE), 0);
	assert_int_equal(raw(&space, KVA + PAGE_SIZE, &level), (MiB(128) + PAGE_SIZE) | PTE_P | PTE_NX);
	assert_int_equal(level, 1);
	/* 512 replaced pages: the first ones one by one, then a full flush. */
	assert_int_equal(flush_pages, 32);
	assert_int_equal(flush_alls, 1);
}

static void test_map_1g(void **state)
{
	int level;

	assert_int_equal(vmm_map(&space, KVA, GiB(5), GiB(1), VM_READ | VM_WRITE,
				 VMM_MAP_HUGE), 0);
	raw(&space, KVA, &level);
	assert_int_equal(level, 2);   /* 1 GiB needs its own flag */
	assert_int_equal(vmm_map(&space, KVA + GiB(1), GiB(6), GiB(1), VM_READ | VM_WRITE,
				 VMM_MAP_HUGE_1G), 0);
	assert_int_equal(raw(&space, KVA + GiB(1), &level), GiB(6) | RW_NX | PTE_PS);
	assert_int_equal(level, 3);
	assert_int_equal(xlate(&space, KVA + GiB(1) + 0x12345678), GiB(6) + 0x12345678);
	assert_int_equal(tables_used(), 2);   /* PDPT and one PD */
}

static void test_protect_splits_2m(void **state)
{
	int level;

	assert_int_equal(vmm_map(&space, KVA, MiB(64), MiB(2), VM_READ | VM_WRITE,
				 VMM_MAP_HUGE), 0);
	assert_int_equal(tables_used(), 2);
	assert_int_equal(vmm_protect(&space, KVA + 0x5000, PAGE_SIZE, VM_READ | VM_EXEC), 0);
	assert_int_equal(tables_used(), 3);
	assert_int_equal(raw(&space, KVA + 0x5000, &level), (MiB(64) + 0x5000) | PTE_P);
	assert_int_equal(level, 1);
	for (int i = 0; i < 512; i++) {
		if (i == 5)
			continue;
		assert_int_equal(raw(&space, KVA + i * PAGE_SIZE, &level),
				 (MiB(64) + i * PAGE_SIZE) | RW_NX);
	}
	assert_true(flush_pages >= 1);
	assert_int_equal(last_flushed, KVA + 0x5000);
}

static void test_protect_whole_huge_page_keeps_it(void **state)
{
	int level;

	assert_int_equal(vmm_map(&space, KVA, MiB(64), MiB(2), VM_READ | VM_WRITE,
				 VMM_MAP_HUGE), 0);
	assert_int_equal(vmm_protect(&space, KVA, MiB(2), VM_READ), 0);
	assert_int_equal(raw(&space, KVA, &level), MiB(64) | PTE_P | PTE_NX | PTE_PS);
	assert_int_equal(level, 2);
	assert_int_equal(tables_used(), 2);
	assert_int_equal(flush_pages, 1);
	/* Holes are left alone. */
	assert_int_equal(vmm_protect(&space, KVA + MiB(2), MiB(2), VM_READ), 0);
	assert_int_equal(vmm_translate(&space, KVA + MiB(2), NULL, NULL), -EFAULT);
}

static void test_unmap_splits_2m(void **state)
{
	int level;

	assert_int_equal(vmm_map(&space, KVA, MiB(64), MiB(2), VM_READ | VM_WRITE,
				 VMM_MAP_HUGE), 0);
	assert_int_equal(vmm_unmap(&space, KVA + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(vmm_translate(&space, KVA + PAGE_SIZE, NULL, NULL), -EFAULT);
	assert_int_equal(raw(&space, KVA + PAGE_SIZE, &level), 0);
	assert_int_equal(level, 1);
	assert_int_equal(xlate(&space, KVA), MiB(64));
	assert_int_equal(xlate(&space, KVA + 2 * PAGE_SIZE), MiB(64) + 2 * PAGE_SIZE);
	assert_int_equal(xlate(&space, KVA + MiB(2) - 1), MiB(66) - 1);
	assert_int_equal(tables_used(), 3);
}

/* Cutting 2 MiB out of a 1 GiB page splits it into 2 MiB pages only. */
static void test_unmap_splits_1g_to_2m(void **state)
{
	int level;

	assert_int_equal(vmm_map(&space, KVA, GiB(2), GiB(1), VM_READ | VM_WRITE,
				 VMM_MAP_HUGE_1G), 0);
	assert_int_equal(vmm_unmap(&space, KVA + MiB(2), MiB(2)), 0);
	assert_int_equal(tables_used(), 2);   /* PDPT, and the PD from the split */
	assert_int_equal(raw(&space, KVA + MiB(2), &level), 0);
	assert_int_equal(level, 2);
	assert_int_equal(raw(&space, KVA + MiB(4), &level), (GiB(2) + MiB(4)) | RW_NX | PTE_PS);
	assert_int_equal(level, 2);
	assert_int_equal(xlate(&space, KVA + MiB(1)), GiB(2) + MiB(1));
}

static void test_unmap_holes_ok(void **state)
{
	assert_int_equal(vmm_unmap(&space, KVA, GiB(1)), 0);
	assert_int_equal(tables_used(), 0);   /* no tables made to unmap nothing */
	assert_int_equal(vmm_map(&space, KVA + MiB(1), MiB(64), 2 * PAGE_SIZE, VM_READ, 0), 0);
	assert_int_equal(vmm_unmap(&space, KVA, MiB(4)), 0);
	assert_int_equal(vmm_translate(&space, KVA + MiB(1), NULL, NULL), -EFAULT);
	assert_int_equal(vmm_translate(&space, KVA + MiB(1) + PAGE_SIZE, NULL, NULL), -EFAULT);
	assert_int_equal(flush_pages, 2);
	assert_int_equal(flush_alls, 0);
}

static void test_many_flushes_become_flush_all(void **state)
{
	assert_int_equal(vmm_map(&space, KVA, MiB(64), 100 * PAGE_SIZE, VM_READ, 0), 0);
	assert_int_equal(vmm_unmap(&space, KVA, 100 * PAGE_SIZE), 0);
	assert_int_equal(flush_pages, 32);
	assert_int_equal(flush_alls, 1);
}

static void test_bad_arguments(void **state)
{
	const unsigned rw = VM_READ | VM_WRITE;

	assert_int_equal(vmm_map(&space, KVA + 1, 0, PAGE_SIZE, rw, 0), -EINVAL);
	assert_int_equal(vmm_map(&space, KVA, 0x800, PAGE_SIZE, rw, 0), -EINVAL);
	assert_int_equal(vmm_map(&space, KVA, 0, 100, rw, 0), -EINVAL);
	assert_int_equal(vmm_map(&space, KVA, 0, 0, rw, 0), -EINVAL);
	assert_int_equal(vmm_map(&space, 0x0000800000000000ULL, 0, PAGE_SIZE, rw, 0), -EINVAL);
	assert_int_equal(vmm_map(&space, USER_SPACE_END - PAGE_SIZE, 0, 2 * PAGE_SIZE, rw, 0),
			 -EINVAL);
	assert_int_equal(vmm_map(&space, ~0xfffULL, 0, 2 * PAGE_SIZE, rw, 0), -EINVAL);
	assert_int_equal(vmm_map(&space, KVA, ~0xfffULL, 2 * PAGE_SIZE, rw, 0), -EINVAL);
	assert_int_equal(vmm_unmap(&space, KVA + 8, PAGE_SIZE), -EINVAL);
	assert_int_equal(vmm_unmap(&space, KVA, 0), -EINVAL);
	assert_int_equal(vmm_protect(&space, KVA, 10, VM_READ), -EINVAL);
	assert_int_equal(vmm_protect(&space, KVA, PAGE_SIZE, 0), -EINVAL);
	assert_int_equal(vmm_translate(&space, 0x0000900000000000ULL, NULL, NULL), -EFAULT);
	assert_int_equal(tables_used(), 0);
	/* The very last page of the address space is fine. */
	assert_int_equal(vmm_map(&space, ~0xfffULL, 0x7000, PAGE_SIZE, rw, 0), 0);
	assert_int_equal(xlate(&space, ~0ULL), 0x7fff);
}

static void test_noreplace(void **state)
{
	assert_int_equal(vmm_map(&space, KVA, MiB(64), 2 * PAGE_SIZE, VM_READ, 0), 0);
	assert_int_equal(vmm_map(&space, KVA + PAGE_SIZE, MiB(80), 2 * PAGE_SIZE, VM_READ,
				 VMM_MAP_NOREPLACE), -EEXIST);
	/* Nothing changed, not even the free page after the overlap. */
	assert_int_equal(xlate(&space, KVA + PAGE_SIZE), MiB(64) + PAGE_SIZE);
	assert_int_equal(vmm_translate(&space, KVA + 2 * PAGE_SIZE, NULL, NULL), -EFAULT);
	/* Over a huge page too. */
	assert_int_equal(vmm_map(&space, KVA + GiB(1), GiB(1), GiB(1), VM_READ,
				 VMM_MAP_HUGE_1G), 0);
	assert_int_equal(vmm_map(&space, KVA + GiB(1) + MiB(7), 0, PAGE_SIZE, VM_READ,
				 VMM_MAP_NOREPLACE), -EEXIST);
	/* Without the flag, mappings are replaced and the old one flushed. */
	assert_int_equal(vmm_map(&space, KVA + PAGE_SIZE, MiB(80), 2 * PAGE_SIZE, VM_READ, 0), 0);
	assert_int_equal(xlate(&space, KVA + PAGE_SIZE), MiB(80));
	assert_int_equal(flush_pages, 1);
	assert_int_equal(last_flushed, KVA + PAGE_SIZE);
}

static void test_enomem_noreplace_undone(void **state)
{
	phys_addr_t hog[8192];
	size_t n = 0;

	/* Leave exactly the 3 frames the first 2 MiB needs (PDPT, PD, PT). */
	while (pmm_free_frames() > 3)
		hog[n++] = pmm_alloc_frame();
	assert_int_equal(vmm_map(&space, KVA, MiB(64), MiB(4), VM_READ, VMM_MAP_NOREPLACE),
			 -ENOMEM);
	assert_int_equal(vmm_translate(&space, KVA, NULL, NULL), -EFAULT);
	assert_int_equal(vmm_translate(&space, KVA + MiB(2) - PAGE_SIZE, NULL, NULL), -EFAULT);
	/* Splitting needs a frame too. */
	assert_int_equal(vmm_map(&space, KVA + MiB(2), MiB(64), MiB(2), VM_READ, VMM_MAP_HUGE), 0);
	assert_int_equal(pmm_free_frames(), 0);
	assert_int_equal(vmm_unmap(&space, KVA + MiB(2), PAGE_SIZE), -ENOMEM);
	assert_int_equal(vmm_protect(&space, KVA + MiB(2), PAGE_SIZE, VM_READ | VM_WRITE),
			 -ENOMEM);
	assert_int_equal(xlate(&space, KVA + MiB(2)), MiB(64));
	while (n)
		pmm_free_frame(hog[--n]);
}

static void test_kstacks(void **state)
{
	size_t before_frames, before_vmap = vmap_pages_used();
	uintptr_t a, b;
	unsigned prot;

	kstack_free(kstack_alloc()); kstack_cache_drain();   /* make the vmap tables exist */
	before_frames = pmm_free_frames();
	a = (uintptr_t)kstack_alloc();
	b = (uintptr_t)kstack_alloc();
	assert_true(a && b);
	assert_int_equal(a % PAGE_SIZE, 0);
	assert_int_equal(pmm_free_frames(), before_frames - 2 * KSTACK_SIZE / PAGE_SIZE);
	assert_int_equal(vmap_pages_used(), before_vmap + 2 * (KSTACK_SIZE / PAGE_SIZE + 1));
	for (uintptr_t va = a - KSTACK_SIZE; va < a; va += PAGE_SIZE) {
		assert_int_equal(vmm_translate(&kernel_space, va, NULL, &prot), 0);
		assert_int_equal(prot, VM_READ | VM_WRITE | VM_GLOBAL);
	}
	/* Guard pages below each stack, so stacks never touch. */
	assert_int_equal(vmm_translate(&kernel_space, a - KSTACK_SIZE - PAGE_SIZE, NULL, NULL),
			 -EFAULT);
	assert_int_equal(vmm_translate(&kernel_space, b - KSTACK_SIZE - PAGE_SIZE, NULL, NULL),
			 -EFAULT);
	assert_true(b >= a + PAGE_SIZE + KSTACK_SIZE || a >= b + PAGE_SIZE + KSTACK_SIZE);
	kstack_free((void *)a); kstack_cache_drain();
	assert_int_equal(vmm_translate(&kernel_space, a - PAGE_SIZE, NULL, NULL), -EFAULT);
	kstack_free((void *)b); kstack_cache_drain();
	assert_int_equal(pmm_free_frames(), before_frames);
	assert_int_equal(vmap_pages_used(), before_vmap);
	expect_assert_failure(kstack_free((void *)a));   /* already freed */
	kstack_cache_drain();
}

/* A freed area's hole is reused only by what fits with its guard page. */
static void test_vmap_hole_reuse(void **state)
{
	const size_t stack_pages = KSTACK_SIZE / PAGE_SIZE;
	uintptr_t a = (uintptr_t)kstack_alloc();
	uintptr_t b = (uintptr_t)kstack_alloc();
	uintptr_t c = (uintptr_t)kstack_alloc();
	uintptr_t c_guard = c - KSTACK_SIZE - PAGE_SIZE;
	char *big, *fits;

	assert_int_equal(b, a + KSTACK_SIZE + PAGE_SIZE);
	assert_int_equal(c, b + KSTACK_SIZE + PAGE_SIZE);
	kstack_free((void *)b); kstack_cache_drain();
	/* One page more than the hole holds after its guard: goes elsewhere. */
	big = ioremap(MiB(256), (stack_pages + 1) * PAGE_SIZE);
	assert_non_null(big);
	assert_true((uintptr_t)big > c);
	assert_int_equal(vmm_translate(&kernel_space, c_guard, NULL, NULL), -EFAULT);
	/* Exactly the hole: reused. */
	fits = ioremap(MiB(512), stack_pages * PAGE_SIZE);
	assert_int_equal((uintptr_t)fits, b - KSTACK_SIZE);
	assert_int_equal(vmm_translate(&kernel_space, c_guard, NULL, NULL), -EFAULT);
	iounmap(big);
	iounmap(fits);
	kstack_free((void *)a); kstack_cache_drain();
	kstack_free((void *)c); kstack_cache_drain();
}

static void test_ioremap(void **state)
{
	size_t before = vmap_pages_used();
	char *p = ioremap(0xfee00020, 0x10);
	char *q = ioremap(0xfebff800, 0x1000);   /* straddles two pages */
	phys_addr_t pa;
	uint64_t e;
	int level;

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % PAGE_SIZE, 0x20);
	assert_true((uintptr_t)p >= VMAP_BASE && (uintptr_t)p < VMAP_END);
	e = raw(&kernel_space, (uintptr_t)p, &level);
	assert_int_equal(level, 1);
	assert_int_equal(e, 0xfee00000 | RW_NX | PTE_PCD | PTE_PWT | PTE_G);
	assert_int_equal(vmm_translate(&kernel_space, (uintptr_t)p, &pa, NULL), 0);
	assert_int_equal(pa, 0xfee00020);
	assert_int_equal(xlate(&kernel_space, (uintptr_t)q + 0xfff), 0xfec007ff);
	assert_int_equal(vmap_pages_used(), before + 2 + 3);
	iounmap(p);
	iounmap(q);
	assert_int_equal(vmm_translate(&kernel_space, (uintptr_t)p, NULL, NULL), -EFAULT);
	assert_int_equal(vmap_pages_used(), before);
	assert_null(ioremap(0x1000, 0));
	expect_assert_failure(iounmap(p));
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_early_tables_from_memblock),
		T(test_map_4k),
		T(test_prot_bits),
		T(test_map_2m),
		T(test_no_huge_without_flag_or_alignment),
		T(test_map_1g),
		T(test_protect_splits_2m),
		T(test_protect_whole_huge_page_keeps_it),
		T(test_unmap_splits_2m),
		T(test_unmap_splits_1g_to_2m),
		T(test_unmap_holes_ok),
		T(test_many_flushes_become_flush_all),
		T(test_bad_arguments),
		T(test_noreplace),
		T(test_enomem_noreplace_undone),
		T(test_kstacks),
		T(test_vmap_hole_reuse),
		T(test_ioremap),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
