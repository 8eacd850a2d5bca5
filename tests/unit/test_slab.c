/*
 * Host tests for mm/slab.c and mm/kmalloc.c on the real pmm (mm/pmm.c,
 * buddy, memblock) over an arena that plays physical memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mm/slab.h>
#include <mm/pmm.h>
#include <mm/memblock.h>

#define ARENA_PHYS MiB(16)
#define ARENA_SIZE MiB(16)

static void *arena;

static int group_setup(void **state)
{
	arena = aligned_alloc(MiB(4), ARENA_SIZE);
	assert_non_null(arena);
	direct_map_base = (uintptr_t)arena - ARENA_PHYS;
	memblock_add(ARENA_PHYS, ARENA_SIZE, MEM_USABLE);
	pmm_init();
	slab_init();
	return 0;
}

static const size_t class_sizes[] = { 16, 32, 64, 128, 256, 512, 1024, 2048, 4096 };

static void shrink_all(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(class_sizes); i++)
		kmem_cache_shrink(kmalloc_cache(class_sizes[i]));
}

static struct kmem_cache_info info_of(struct kmem_cache *c)
{
	struct kmem_cache_info info;

	kmem_cache_info(c, &info);
	return info;
}

static size_t frames_before;

static int setup(void **state)
{
	shrink_all();
	frames_before = pmm_free_frames();
	return 0;
}

/* Every test must give back every frame it took. */
static int teardown(void **state)
{
	shrink_all();
	assert_int_equal(pmm_free_frames(), frames_before);
	return 0;
}

static void test_pmm_came_up(void **state)
{
	/* All arena frames minus mem_map (8192 frames * 32 bytes = 64 frames)
	 * and the slabs of the kmem_cache cache and those just shrunk. */
	assert_int_equal(pmm_total_frames(), ARENA_SIZE / PAGE_SIZE - 64);
	assert_int_equal(pmm_max_pfn, (ARENA_PHYS + ARENA_SIZE) / PAGE_SIZE);
}

static void test_class_mapping(void **state)
{
	assert_null(kmalloc(0));
	assert_ptr_equal(kmalloc_cache(1), kmalloc_cache(16));
	assert_ptr_equal(kmalloc_cache(17), kmalloc_cache(32));
	assert_ptr_equal(kmalloc_cache(4095), kmalloc_cache(4096));
	assert_null(kmalloc_cache(4097));
	for (size_t i = 0; i < ARRAY_SIZE(class_sizes); i++) {
		struct kmem_cache_info info = info_of(kmalloc_cache(class_sizes[i]));

		assert_int_equal(info.obj_size, class_sizes[i]);
		assert_int_equal(info.order, 0);
		assert_int_equal(info.objs_per_slab, PAGE_SIZE / class_sizes[i]);
	}
}

#define NOBJ 300

/* Fill whole objects of every class over several slabs, check, free. */
static void test_every_class(void **state)
{
	static unsigned char *objs[NOBJ];

	for (size_t c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		size_t size = class_sizes[c];
		struct kmem_cache *cache = kmalloc_cache(size);
		struct kmem_cache_info info = info_of(cache);
		size_t per = info.objs_per_slab;
		struct slab_stats before, during, after;

		slab_stats(&before);
		assert_int_equal(info.inuse, 0);
		for (int i = 0; i < NOBJ; i++) {
			objs[i] = kmalloc(size - (i % 3));
			assert_non_null(objs[i]);
			assert_int_equal((uintptr_t)objs[i] % size, 0);
			memset(objs[i], i & 0xff, size);
		}
		for (int i = 0; i < NOBJ; i++)
			for (size_t b = 0; b < size; b++)
				assert_int_equal(objs[i][b], i & 0xff);
		info = info_of(cache);
		assert_int_equal(info.inuse, NOBJ);
		assert_int_equal(info.slabs, (NOBJ + per - 1) / per);
		slab_stats(&during);
		assert_int_equal(during.bytes_in_use - before.bytes_in_use, NOBJ * size);
		assert_int_equal(during.pages_held - before.pages_held, info.slabs);
		assert_int_equal(pmm_free_frames(), frames_before - info.slabs);

		for (int i = 0; i < NOBJ; i++)
			kfree(objs[i]);
		info = info_of(cache);
		assert_int_equal(info.inuse, 0);
		assert_int_equal(info.slabs, 1);   /* one empty slab is kept */
		assert_int_equal(kmem_cache_shrink(cache), 1);
		slab_stats(&after);
		assert_int_equal(after.bytes_in_use, before.bytes_in_use);
		assert_int_equal(after.pages_held, before.pages_held);
		assert_int_equal(pmm_free_frames(), frames_before);
	}
}

static void test_large_blocks(void **state)
{
	struct slab_stats before, during;
	void *p, *q;

	slab_stats(&before);
	p = kmalloc(4097);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
	memset(p, 0x5a, 8192);
	assert_int_equal(ksize(p), 8192);
	assert_int_equal(pmm_free_frames(), frames_before - 2);
	slab_stats(&during);
	assert_int_equal(during.bytes_in_use - before.bytes_in_use, 8192);
	assert_int_equal(during.pages_held - before.pages_held, 2);

	q = kmalloc(MiB(4));
	assert_non_null(q);
	assert_int_equal(pmm_free_frames(), frames_before - 2 - 1024);
	assert_null(kmalloc(MiB(4) + 1));
	kfree(q);
	kfree(p);
	slab_stats(&during);
	assert_int_equal(during.bytes_in_use, before.bytes_in_use);
	assert_int_equal(during.pages_held, before.pages_held);
	kfree(NULL);
}

static void test_kzalloc_and_reuse(void **state)
{
	unsigned char *p = kmalloc(200), *q;

	memset(p, 0xff, 200);
	kfree(p);
	q = kzalloc(200);
	assert_ptr_equal(q, p);   /* LIFO reuse: the zeroing is what we see */
	for (int i = 0; i < 200; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
}

static void test_krealloc(void **state)
{
	char *p = krealloc(NULL, 20), *q;

	assert_non_null(p);
	assert_int_equal(ksize(p), 32);
	strcpy(p, "hello, slab");
	assert_ptr_equal(krealloc(p, 30), p);
	q = krealloc(p, 5000);
	assert_non_null(q);
	assert_string_equal(q, "hello, slab");
	assert_int_equal(ksize(q), 8192);
	assert_null(krealloc(q, 0));
}

static void test_custom_caches(void **state)
{
	struct kmem_cache *c24 = kmem_cache_create("test-24", 24, 0);
	struct kmem_cache *a64 = kmem_cache_create("test-a64", 40, 64);
	struct kmem_cache *big = kmem_cache_create("test-big", 5000, 0);
	struct kmem_cache_info info;
	void *objs[171], *b[4];

	assert_null(kmem_cache_create("bad-align", 24, 48));
	info = info_of(c24);
	assert_int_equal(info.obj_size, 24);
	assert_int_equal(info.objs_per_slab, 170);
	for (int i = 0; i < 171; i++)
		objs[i] = kmem_cache_alloc(c24);
	assert_int_equal(info_of(c24).slabs, 2);
	for (int i = 0; i < 171; i++)
		kmem_cache_free(c24, objs[i]);
	assert_int_equal(info_of(c24).inuse, 0);

	info = info_of(a64);
	assert_int_equal(info.obj_size, 64);
	objs[0] = kmem_cache_alloc(a64);
	objs[1] = kmem_cache_alloc(a64);
	assert_int_equal((uintptr_t)objs[0] % 64, 0);
	assert_int_equal((uintptr_t)objs[1] % 64, 0);
	kmem_cache_free(a64, objs[0]);
	kmem_cache_free(a64, objs[1]);

	/* 5000-byte objects: order 2 wastes 1384 of 16384 bytes (< 1/8). */
	info = info_of(big);
	assert_int_equal(info.order, 2);
	assert_int_equal(info.objs_per_slab, 3);
	for (int i = 0; i < 4; i++) {
		b[i] = kmem_cache_alloc(big);
		memset(b[i], i, 5000);
	}
	assert_int_equal(info_of(big).slabs, 2);
	/* test-24 and test-a64 each keep one empty slab; big holds two slabs. */
	assert_int_equal(pmm_free_frames(), frames_before - 1 - 1 - 8);
	/* Objects on later frames of a slab find their cache through kfree. */
	kfree(b[1]);
	kfree(b[2]);
	kmem_cache_free(big, b[0]);
	kmem_cache_free(big, b[3]);

	kmem_cache_destroy(c24);
	kmem_cache_destroy(a64);
	kmem_cache_destroy(big);
}

static void test_misuse_is_bug(void **state)
{
	struct kmem_cache *other = kmem_cache_create("test-other", 64, 0);
	char *p = kmalloc(64), *q = kmalloc(64);
	struct page *page = pmm_alloc_pages(0);

	kfree(p);
	expect_assert_failure(kfree(p));                        /* double free */
	expect_assert_failure(kfree(q + 8));                    /* not an object start */
	expect_assert_failure(kmem_cache_free(other, q));       /* wrong cache */
	expect_assert_failure(kfree(page_address(page)));       /* not kmalloc memory */
	kfree(q);
	pmm_free_pages(page, 0);
	kmem_cache_destroy(other);
}

static void test_out_of_memory(void **state)
{
	static void *big[64];
	int n = 0;

	/* Take every frame, in big blocks then single frames. */
	while (n < 64 && (big[n] = kmalloc(MiB(1))))
		n++;
	while (pmm_alloc_frame())
		;
	assert_int_equal(pmm_free_frames(), 0);
	assert_null(kmalloc(16));
	assert_null(kmalloc(8192));
	/* Frames taken one by one are given back through their addresses. */
	for (pfn_t pfn = 0; pfn < pmm_max_pfn; pfn++)
		if (mem_map[pfn].flags == PG_HEAD && mem_map[pfn].order == 0)
			pmm_free_frame((phys_addr_t)pfn << PAGE_SHIFT);
	while (n)
		kfree(big[--n]);
}

/* Random sizes, each object filled with its id and checked at free. */
static void test_random(void **state)
{
	enum { LIVE = 400 };
	static struct { unsigned char *p; size_t size; unsigned char id; } live[LIVE];
	struct slab_stats before, after;
	size_t n = 0;

	slab_stats(&before);
	srand(777);
	for (int step = 0; step < 20000; step++) {
		if (n < LIVE && (n == 0 || rand() % 2)) {
			size_t size = rand() % 10 ? 1 + rand() % 4096 : 4097 + rand() % 20000;

			live[n].p = kmalloc(size);
			assert_non_null(live[n].p);
			live[n].size = size;
			live[n].id = step & 0xff;
			memset(live[n].p, live[n].id, size);
			n++;
		} else {
			size_t v = rand() % n;

			for (size_t b = 0; b < live[v].size; b++)
				assert_int_equal(live[v].p[b], live[v].id);
			kfree(live[v].p);
			live[v] = live[--n];
		}
	}
	while (n)
		kfree(live[--n].p);
	slab_stats(&after);
	assert_int_equal(after.bytes_in_use, before.bytes_in_use);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pmm_came_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_class_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_class, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kzalloc_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_krealloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_custom_caches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misuse_is_bug, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
