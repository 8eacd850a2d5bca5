/*
 * Host tests for mm/buddy.c: block shapes after handing in ranges, split
 * and merge, misuse caught as BUGs, and random sequences against a model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mm/buddy.h>

#define NPAGES 4096

static struct page mem_map[NPAGES];
static struct zone zone;

static int setup(void **state)
{
	buddy_init(&zone, mem_map, 0, NPAGES);
	return 0;
}

static pfn_t pfn_of(struct page *p)
{
	return buddy_page_pfn(&zone, p);
}

static void assert_shape(const size_t expect[MAX_ORDER])
{
	for (unsigned k = 0; k < MAX_ORDER; k++)
		assert_int_equal(buddy_free_blocks(&zone, k), expect[k]);
}

static void test_init_all_reserved(void **state)
{
	assert_int_equal(buddy_free_count(&zone), 0);
	for (unsigned k = 0; k < MAX_ORDER; k++)
		assert_null(buddy_alloc(&zone, k));
	assert_int_equal(mem_map[17].flags, PG_RESERVED);
}

/* [3, 3+1029) splits into 3/o0, 4/o2, 8/o3, ..., 512/o9, 1024/o3. */
static void test_free_range_maximal_blocks(void **state)
{
	const size_t expect[MAX_ORDER] = { 1, 0, 1, 2, 1, 1, 1, 1, 1, 1, 0 };

	buddy_free_range(&zone, 3, 1029);
	assert_int_equal(buddy_free_count(&zone), 1029);
	assert_shape(expect);
	assert_int_equal(mem_map[3].flags, PG_FREE);
	assert_int_equal(mem_map[3].order, 0);
	assert_int_equal(mem_map[512].flags, PG_FREE);
	assert_int_equal(mem_map[512].order, 9);
	assert_int_equal(mem_map[1024].order, 3);
	assert_int_equal(mem_map[2].flags, PG_RESERVED);
	assert_int_equal(mem_map[1032].flags, PG_RESERVED);
}

/* Ranges handed in separately merge with their buddies. */
static void test_adjacent_ranges_merge(void **state)
{
	const size_t expect[MAX_ORDER] = { [10] = 1 };

	buddy_free_range(&zone, 1024, 100);
	buddy_free_range(&zone, 1124, 924);
	assert_int_equal(buddy_free_count(&zone), 1024);
	assert_shape(expect);
}

static void test_alloc_splits_and_free_merges(void **state)
{
	const size_t split[MAX_ORDER] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };
	const size_t whole[MAX_ORDER] = { [10] = 1 };
	struct page *p;

	buddy_free_range(&zone, 2048, 1024);
	p = buddy_alloc(&zone, 0);
	assert_non_null(p);
	assert_int_equal(pfn_of(p), 2048);
	assert_int_equal(p->flags, PG_HEAD);
	assert_int_equal(p->refcount, 1);
	assert_int_equal(buddy_free_count(&zone), 1023);
	assert_shape(split);
	/* The buddy of order k sits at 2048 + 2^k. */
	assert_int_equal(mem_map[2048 + 512].order, 9);
	assert_int_equal(mem_map[2048 + 1].order, 0);

	buddy_free(&zone, p, 0);
	assert_int_equal(buddy_free_count(&zone), 1024);
	assert_shape(whole);
	assert_int_equal(mem_map[2048].flags, PG_FREE);
	assert_int_equal(mem_map[2049].flags, 0);
}

static void test_alloc_alignment_and_exhaustion(void **state)
{
	static bool seen[NPAGES];
	size_t got = 0;
	struct page *p;

	buddy_free_range(&zone, 5, 3000);
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		p = buddy_alloc(&zone, k);
		assert_non_null(p);
		assert_int_equal(pfn_of(p) % (1u << k), 0);
		for (unsigned i = 0; i < (1u << k); i++) {
			assert_false(seen[pfn_of(p) + i]);
			seen[pfn_of(p) + i] = true;
		}
		got += 1u << k;
	}
	while ((p = buddy_alloc(&zone, 0))) {
		assert_false(seen[pfn_of(p)]);
		assert_true(pfn_of(p) >= 5 && pfn_of(p) < 3005);
		seen[pfn_of(p)] = true;
		got++;
	}
	assert_int_equal(got, 3000);
	assert_int_equal(buddy_free_count(&zone), 0);
	assert_null(buddy_alloc(&zone, MAX_ORDER));
}

static void test_order_too_big(void **state)
{
	buddy_free_range(&zone, 0, NPAGES);
	assert_null(buddy_alloc(&zone, MAX_ORDER));
	assert_int_equal(buddy_free_count(&zone), NPAGES);
}

static void test_double_free_is_bug(void **state)
{
	struct page *p, *q;

	buddy_free_range(&zone, 0, 64);
	p = buddy_alloc(&zone, 2);
	q = buddy_alloc(&zone, 2);
	buddy_free(&zone, p, 2);
	/* p's block is free but not merged (q is its buddy and allocated). */
	expect_assert_failure(buddy_free(&zone, p, 2));
	buddy_free(&zone, q, 2);
	/* Now merged into a bigger block: p is no block head at all. */
	expect_assert_failure(buddy_free(&zone, q, 2));
	assert_int_equal(buddy_free_count(&zone), 64);
}

static void test_bad_frees_are_bugs(void **state)
{
	struct page *p;

	buddy_free_range(&zone, 0, 64);
	p = buddy_alloc(&zone, 3);
	expect_assert_failure(buddy_free(&zone, p, 2));         /* wrong order */
	expect_assert_failure(buddy_free(&zone, p + 1, 0));     /* tail frame */
	expect_assert_failure(buddy_free(&zone, &mem_map[100], 0)); /* never handed in */
	expect_assert_failure(buddy_free(&zone, p, MAX_ORDER));
	p->flags |= PG_SLAB;                                    /* owner left a flag */
	expect_assert_failure(buddy_free(&zone, p, 3));
	p->flags &= ~PG_SLAB;
	buddy_free(&zone, p, 3);
	assert_int_equal(buddy_free_count(&zone), 64);
	expect_assert_failure(buddy_free_range(&zone, 60, 8));  /* 60..63 already free */
	expect_assert_failure(buddy_free_range(&zone, NPAGES - 4, 8)); /* beyond zone */
}

/* Model check: random alloc/free over a zone with holes. */
#define LIVE_MAX 512
struct live {
	struct page *page;
	unsigned order;
};

static void test_random_against_model(void **state)
{
	static unsigned char owner[NPAGES];  /* 0 free/absent, 1 allocated */
	static bool added[NPAGES];
	struct live live[LIVE_MAX];
	size_t nlive = 0, free_model, initial[MAX_ORDER];

	srand(12345);
	buddy_free_range(&zone, 1, 1500);
	buddy_free_range(&zone, 1700, 2396);
	for (pfn_t i = 0; i < NPAGES; i++)
		added[i] = (i >= 1 && i < 1501) || i >= 1700;
	free_model = 1500 + 2396;
	for (unsigned k = 0; k < MAX_ORDER; k++)
		initial[k] = buddy_free_blocks(&zone, k);

	for (int step = 0; step < 50000; step++) {
		bool do_alloc = nlive == 0 || (nlive < LIVE_MAX && rand() % 2);

		if (do_alloc) {
			unsigned order = rand() % 100 < 80 ? rand() % 3 : rand() % MAX_ORDER;
			struct page *p = buddy_alloc(&zone, order);
			pfn_t pfn;

			if (!p)
				continue;
			pfn = pfn_of(p);
			assert_int_equal(pfn % (1u << order), 0);
			for (pfn_t i = pfn; i < pfn + (1u << order); i++) {
				assert_true(added[i]);
				assert_int_equal(owner[i], 0);
				owner[i] = 1;
			}
			live[nlive++] = (struct live){ p, order };
			free_model -= 1u << order;
		} else {
			size_t victim = rand() % nlive;
			pfn_t pfn = pfn_of(live[victim].page);

			for (pfn_t i = pfn; i < pfn + (1u << live[victim].order); i++)
				owner[i] = 0;
			buddy_free(&zone, live[victim].page, live[victim].order);
			free_model += 1u << live[victim].order;
			live[victim] = live[--nlive];
		}
		assert_int_equal(buddy_free_count(&zone), free_model);
	}
	while (nlive) {
		nlive--;
		buddy_free(&zone, live[nlive].page, live[nlive].order);
	}
	assert_int_equal(buddy_free_count(&zone), 1500 + 2396);
	assert_shape(initial);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_all_reserved, setup),
		cmocka_unit_test_setup(test_free_range_maximal_blocks, setup),
		cmocka_unit_test_setup(test_adjacent_ranges_merge, setup),
		cmocka_unit_test_setup(test_alloc_splits_and_free_merges, setup),
		cmocka_unit_test_setup(test_alloc_alignment_and_exhaustion, setup),
		cmocka_unit_test_setup(test_order_too_big, setup),
		cmocka_unit_test_setup(test_double_free_is_bug, setup),
		cmocka_unit_test_setup(test_bad_frees_are_bugs, setup),
		cmocka_unit_test_setup(test_random_against_model, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
