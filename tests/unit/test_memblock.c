/*
 * Host tests for mm/memblock.c: building the usable set from a messy
 * firmware map, reservations, top-down allocation under a limit, and
 * overflow of the fixed tables never making a bad page usable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include <mm/memblock.h>

struct range {
	uint64_t base, end;
};

struct ranges {
	unsigned n;
	struct range r[2 * MEMBLOCK_MAX_REGIONS];
};

static void collect(uint64_t base, uint64_t end, void *arg)
{
	struct ranges *rs = arg;

	assert_true(rs->n < 2 * MEMBLOCK_MAX_REGIONS);
	rs->r[rs->n++] = (struct range){ base, end };
}

static struct ranges free_ranges(void)
{
	struct ranges rs = { 0 };

	memblock_for_each_free(collect, &rs);
	return rs;
}

static struct ranges usable_ranges(void)
{
	struct ranges rs = { 0 };

	memblock_for_each_usable(collect, &rs);
	return rs;
}

static int setup(void **state)
{
	memblock_reset();
	return 0;
}

/* A QEMU-like map, given out of order. */
static void add_pc_map(void)
{
	memblock_add(0x100000, 0x7fee0000, MEM_USABLE);          /* 1 MiB..2 GiB-128K */
	memblock_add(0x9fc00, 0x400, MEM_RESERVED);
	memblock_add(0, 0x9fc00, MEM_USABLE);
	memblock_add(0xf0000, 0x10000, MEM_RESERVED);
	memblock_add(0x7ffe0000, 0x20000, MEM_RESERVED);
	memblock_add(0xfffc0000, 0x40000, MEM_RESERVED);
	memblock_add(0x100000000, 0x80000000, MEM_USABLE);      /* 4..6 GiB */
}

static void test_usable_set(void **state)
{
	struct ranges u;

	add_pc_map();
	u = usable_ranges();
	assert_int_equal(u.n, 3);
	/* 0x9fc00 is not page aligned: the partial page is dropped. */
	assert_int_equal(u.r[0].base, 0);
	assert_int_equal(u.r[0].end, 0x9f000);
	assert_int_equal(u.r[1].base, 0x100000);
	assert_int_equal(u.r[1].end, 0x7ffe0000);
	assert_int_equal(u.r[2].base, 0x100000000);
	assert_int_equal(u.r[2].end, 0x180000000);
	assert_int_equal(memblock_usable_total(), 0x9f000 + 0x7fee0000 + 0x80000000);
	assert_int_equal(memblock_max_pfn(), 0x180000);
	assert_true(memblock_is_usable(0x9e000));
	assert_false(memblock_is_usable(0x9f000));
	assert_false(memblock_is_usable(0x80000000));
	/* The firmware table keeps every entry, sorted by base. */
	assert_int_equal(memblock_region_count(), 7);
	assert_int_equal(memblock_region(0)->base, 0);
	assert_int_equal(memblock_region(1)->type, MEM_RESERVED);
	assert_int_equal(memblock_region(6)->base, 0x100000000);
	assert_null(memblock_region(7));
	memblock_dump();
}

/* A page any non-usable entry touches is unusable, whichever came first. */
static void test_overlap_order_independent(void **state)
{
	struct ranges u;

	memblock_add(0x200800, 0x10, MEM_ACPI_NVS);   /* touches page 0x200000 */
	memblock_add(0x100000, 0x200000, MEM_USABLE);
	memblock_add(0x280000, 0x1000, MEM_BAD);
	u = usable_ranges();
	assert_int_equal(u.n, 3);
	assert_int_equal(u.r[0].end, 0x200000);
	assert_int_equal(u.r[1].base, 0x201000);
	assert_int_equal(u.r[1].end, 0x280000);
	assert_int_equal(u.r[2].base, 0x281000);
	assert_int_equal(u.r[2].end, 0x300000);
	/* Overlapping usable entries merge; they cannot cover the holes. */
	memblock_add(0x1ff000, 0x3000, MEM_USABLE);
	assert_int_equal(usable_ranges().n, 3);
	assert_false(memblock_is_usable(0x200000));
	assert_int_equal(memblock_usable_total(), 0x200000 - 0x2000);
}

static void test_reserve_and_free_ranges(void **state)
{
	struct ranges f;

	memblock_add(0, 0x1000000, MEM_USABLE);          /* 16 MiB */
	memblock_reserve(0, 0x100000);                   /* low 1 MiB */
	memblock_reserve(0x200123, 0x1000);              /* unaligned: 2 pages */
	memblock_reserve(0x400000, 0x100000);
	f = free_ranges();
	assert_int_equal(f.n, 3);
	assert_int_equal(f.r[0].base, 0x100000);
	assert_int_equal(f.r[0].end, 0x200000);
	assert_int_equal(f.r[1].base, 0x202000);
	assert_int_equal(f.r[1].end, 0x400000);
	assert_int_equal(f.r[2].base, 0x500000);
	assert_int_equal(f.r[2].end, 0x1000000);
	assert_int_equal(memblock_reserved_total(), 0x100000 + 0x2000 + 0x100000);
	assert_true(memblock_is_reserved(0x201fff));
	assert_false(memblock_is_reserved(0x202000));
}

static void test_alloc_top_down_with_limit(void **state)
{
	phys_addr_t a, b, c;

	memblock_add(0, 0x1000000, MEM_USABLE);
	memblock_add(0x2000000, 0x1000000, MEM_USABLE);
	memblock_reserve(0, 0x100000);
	a = memblock_alloc(0x1000, 0x1000, MEMBLOCK_ALLOC_ANYWHERE);
	assert_int_equal(a, 0x2fff000);
	b = memblock_alloc(100, 0x200000, MEMBLOCK_ALLOC_ANYWHERE);  /* rounds to a page */
	assert_int_equal(b, 0x2e00000);
	c = memblock_alloc(0x3000, 0, 0x1000000);
	assert_int_equal(c, 0xffd000);
	assert_true(memblock_is_reserved(a) && memblock_is_reserved(b) &&
		    memblock_is_reserved(c + 0x2000));
	/* The gap between a and b is still free. */
	assert_int_equal(memblock_alloc(0x1fe000, 0x1000, MEMBLOCK_ALLOC_ANYWHERE),
			 0x2e01000);
	/* Nothing fits: too big, bad alignment, below the reserved 1 MiB. */
	assert_int_equal(memblock_alloc(0x2000000, 0x1000, MEMBLOCK_ALLOC_ANYWHERE), 0);
	assert_int_equal(memblock_alloc(0x1000, 0x3000, MEMBLOCK_ALLOC_ANYWHERE), 0);
	assert_int_equal(memblock_alloc(0x1000, 0x1000, 0x100000), 0);
	assert_int_equal(memblock_alloc(0, 0x1000, MEMBLOCK_ALLOC_ANYWHERE), 0);
}

static void test_alloc_exhausts_exactly(void **state)
{
	size_t n = 0;

	memblock_add(0x100000, 0x40000, MEM_USABLE);
	memblock_reserve(0x120000, 0x1000);
	while (memblock_alloc(0x1000, 0x1000, MEMBLOCK_ALLOC_ANYWHERE))
		n++;
	assert_int_equal(n, 0x40 - 1);
	assert_int_equal(free_ranges().n, 0);
	assert_int_equal(memblock_reserved_total(), 0x40000);
}

/* Page 0 is never allocated even if usable and unreserved (0 = failure). */
static void test_alloc_never_page_zero(void **state)
{
	memblock_add(0, 0x2000, MEM_USABLE);
	assert_int_equal(memblock_alloc(0x1000, 0x1000, MEMBLOCK_ALLOC_ANYWHERE), 0x1000);
	assert_int_equal(memblock_alloc(0x1000, 0x1000, MEMBLOCK_ALLOC_ANYWHERE), 0);
}

static void test_sealed(void **state)
{
	memblock_add(0x100000, 0x100000, MEM_USABLE);
	memblock_seal();
	assert_int_equal(memblock_alloc(0x1000, 0x1000, MEMBLOCK_ALLOC_ANYWHERE), 0);
}

/* More disjoint reservations than slots: they over-cover, never vanish. */
static void test_reserved_overflow_over_covers(void **state)
{
	const unsigned n = MEMBLOCK_MAX_REGIONS + 40;
	struct ranges f;

	memblock_add(0, (uint64_t)n * 0x4000 + 0x4000, MEM_USABLE);
	for (unsigned i = 0; i < n; i++)
		memblock_reserve((uint64_t)i * 0x4000, 0x1000);
	for (unsigned i = 0; i < n; i++)
		assert_true(memblock_is_reserved((uint64_t)i * 0x4000));
	f = free_ranges();
	assert_true(f.n <= MEMBLOCK_MAX_REGIONS);
	for (unsigned i = 0; i < f.n; i++)
		for (unsigned k = 0; k < n; k++)
			assert_false((uint64_t)k * 0x4000 >= f.r[i].base &&
				     (uint64_t)k * 0x4000 < f.r[i].end);
}

/* More holes than slots: usable memory may shrink, holes never become usable. */
static void test_holes_overflow_stay_unusable(void **state)
{
	const unsigned n = MEMBLOCK_MAX_REGIONS + 40;

	for (unsigned i = 0; i < n; i++)
		memblock_add((uint64_t)i * 0x4000 + 0x2000, 0x10, MEM_RESERVED);
	memblock_add(0, (uint64_t)n * 0x4000, MEM_USABLE);
	for (unsigned i = 0; i < n; i++)
		assert_false(memblock_is_usable((uint64_t)i * 0x4000 + 0x2000));
	assert_true(usable_ranges().n <= MEMBLOCK_MAX_REGIONS);
	assert_true(memblock_is_usable(0));
	assert_int_equal(memblock_region_count(), MEMBLOCK_MAX_REGIONS);
}

/* Usable ranges split by later holes beyond capacity lose memory, safely. */
static void test_usable_overflow_drops(void **state)
{
	const unsigned n = MEMBLOCK_MAX_REGIONS + 40;

	memblock_add(0, (uint64_t)n * 0x4000, MEM_USABLE);
	for (unsigned i = 0; i < n; i++)
		memblock_add((uint64_t)i * 0x4000 + 0x2000, 0x10, MEM_RESERVED);
	for (unsigned i = 0; i < n; i++)
		assert_false(memblock_is_usable((uint64_t)i * 0x4000 + 0x2000));
	assert_true(memblock_usable_total() < (uint64_t)n * 0x3000);
	assert_true(memblock_is_usable(0));
}

static void test_huge_entries_clipped(void **state)
{
	memblock_add(0x100000, ~0ULL, MEM_USABLE);
	assert_int_equal(memblock_max_pfn(), (1ULL << 52) >> 12);
	memblock_reserve(0xfffffffffffff000ULL, 0x2000);  /* wraps: clipped */
	assert_int_equal(memblock_alloc(0x1000, 0x1000, MEMBLOCK_ALLOC_ANYWHERE),
			 (1ULL << 52) - 0x1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_usable_set, setup),
		cmocka_unit_test_setup(test_overlap_order_independent, setup),
		cmocka_unit_test_setup(test_reserve_and_free_ranges, setup),
		cmocka_unit_test_setup(test_alloc_top_down_with_limit, setup),
		cmocka_unit_test_setup(test_alloc_exhausts_exactly, setup),
		cmocka_unit_test_setup(test_alloc_never_page_zero, setup),
		cmocka_unit_test_setup(test_sealed, setup),
		cmocka_unit_test_setup(test_reserved_overflow_over_covers, setup),
		cmocka_unit_test_setup(test_holes_overflow_stay_unusable, setup),
		cmocka_unit_test_setup(test_usable_overflow_drops, setup),
		cmocka_unit_test_setup(test_huge_entries_clipped, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
