/*
 * Host tests of mm/vma.c: fixed cases for split and merge, then long random
 * sequences of insert/remove/protect checked page by page against a plain
 * array model, with the set's invariants (sorted, disjoint, fully merged)
 * and the top-down free-range search checked by brute force.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mm/vma.h>
#include <mm/slab.h>
#include <kernel/errno.h>

void *kmalloc(size_t size) { return malloc(size); }
void kfree(const void *p) { free((void *)p); }

#define BASE   0x100000ul
#define NPAGES 192
#define PG(i)  (BASE + (uintptr_t)(i) * PAGE_SIZE)

/* A shared object that counts the references areas hold. */
static int obj_refs;
static void obj_get(void *o) { (void)o; obj_refs++; }
static void obj_put(void *o) { (void)o; assert_true(obj_refs > 0); obj_refs--; }
static const struct vm_object_ops obj_ops = { .get = obj_get, .put = obj_put };
static char the_obj;

struct model_page {
	bool mapped;
	unsigned prot, flags;
};
static struct model_page model[NPAGES];

static struct vma tmpl(uintptr_t start, uintptr_t end, unsigned prot, bool shared)
{
	struct vma v = { .start = start, .end = end, .prot = prot };

	if (shared) {
		v.flags = MAP_SHARED | MAP_ANONYMOUS;
		v.ops = &obj_ops;
		v.obj = &the_obj;
		v.off = start - BASE;
	} else {
		v.flags = MAP_PRIVATE | MAP_ANONYMOUS;
		v.off = start;
	}
	return v;
}

static void check_invariants(struct vma_set *set)
{
	struct vma *v, *prev = NULL;
	size_t n = 0, shared = 0;

	vma_for_each(v, set) {
		assert_true(v->start < v->end);
		assert_true(IS_ALIGNED(v->start, PAGE_SIZE) && IS_ALIGNED(v->end, PAGE_SIZE));
		if (prev) {
			assert_true(prev->end <= v->start);
			/* Fully merged: touching neighbours must differ. */
			if (prev->end == v->start)
				assert_false(prev->prot == v->prot && prev->flags == v->flags &&
					     prev->obj == v->obj &&
					     prev->off + (prev->end - prev->start) == v->off);
		}
		if (v->ops)
			shared++;
		prev = v;
		n++;
	}
	assert_int_equal(n, set->count);
	assert_int_equal(shared, obj_refs);
}

static void check_model(struct vma_set *set)
{
	check_invariants(set);
	for (int i = 0; i < NPAGES; i++) {
		struct vma *v = vma_find(set, PG(i) + 123);

		if (!model[i].mapped) {
			assert_null(v);
			continue;
		}
		assert_non_null(v);
		assert_int_equal(v->prot, model[i].prot);
		assert_int_equal(v->flags, model[i].flags);
		if (v->ops)
			assert_int_equal(v->off, v->start - BASE);
		else
			assert_int_equal(v->off, v->start);
	}
}

static bool model_free(int a, int b)
{
	for (int i = a; i < b; i++)
		if (model[i].mapped)
			return false;
	return true;
}

static bool model_covered(int a, int b)
{
	for (int i = a; i < b; i++)
		if (!model[i].mapped)
			return false;
	return true;
}

static void test_insert_merges_neighbours(void **state)
{
	struct vma_set set;
	struct vma t;

	vma_set_init(&set);
	t = tmpl(PG(0), PG(2), PROT_READ, false);
	assert_int_equal(vma_insert(&set, &t), 0);
	t = tmpl(PG(4), PG(6), PROT_READ, false);
	assert_int_equal(vma_insert(&set, &t), 0);
	assert_int_equal(set.count, 2);
	t = tmpl(PG(2), PG(4), PROT_READ, false);
	assert_int_equal(vma_insert(&set, &t), 0);
	assert_int_equal(set.count, 1);
	assert_int_equal(vma_find(&set, PG(3))->start, PG(0));
	assert_int_equal(vma_find(&set, PG(3))->end, PG(6));
	t = tmpl(PG(5), PG(7), PROT_READ, false);
	assert_int_equal(vma_insert(&set, &t), -EEXIST);
	t = tmpl(PG(6), PG(7), PROT_READ | PROT_WRITE, false);
	assert_int_equal(vma_insert(&set, &t), 0);
	assert_int_equal(set.count, 2);
	vma_set_clear(&set);
	assert_int_equal(set.count, 0);
}

static void test_remove_and_protect_split(void **state)
{
	struct vma_set set;
	struct vma t = tmpl(PG(0), PG(10), PROT_READ | PROT_WRITE, true);

	vma_set_init(&set);
	obj_refs = 0;
	assert_int_equal(vma_insert(&set, &t), 0);
	assert_int_equal(obj_refs, 1);
	assert_int_equal(vma_remove(&set, PG(3), PG(5)), 0);
	assert_int_equal(set.count, 2);
	assert_int_equal(obj_refs, 2);
	assert_int_equal(vma_find(&set, PG(5))->off, PG(5) - BASE);
	assert_null(vma_find(&set, PG(4)));
	assert_int_equal(vma_protect(&set, PG(2), PG(6), PROT_READ), -ENOMEM);
	assert_int_equal(vma_protect(&set, PG(6), PG(7), PROT_READ), 0);
	assert_int_equal(set.count, 4);
	assert_int_equal(vma_protect(&set, PG(6), PG(7), PROT_READ | PROT_WRITE), 0);
	assert_int_equal(set.count, 2);
	assert_true(vma_range_covered(&set, PG(5), PG(10)));
	assert_false(vma_range_covered(&set, PG(2), PG(6)));
	assert_true(vma_range_free(&set, PG(3), PG(5)));
	vma_set_clear(&set);
	assert_int_equal(obj_refs, 0);
}

/* The highest guarded fit, computed page by page from the model. */
static uintptr_t brute_find_free(int npages, int lo, int hi)
{
	for (int a = hi - npages; a >= lo; a--) {
		bool ok = true;

		for (int i = a - 1; i <= a + npages && ok; i++) {
			if (i < 0 || i >= NPAGES)
				continue;
			/* The guard pages a-1 and a+npages may lie outside [lo, hi). */
			if (model[i].mapped)
				ok = false;
		}
		if (ok)
			return PG(a);
	}
	return 0;
}

static void test_random_against_model(void **state)
{
	struct vma_set set, copy;

	srand(12345);
	for (int round = 0; round < 40; round++) {
		memset(model, 0, sizeof(model));
		obj_refs = 0;
		vma_set_init(&set);
		for (int step = 0; step < 400; step++) {
			int a = rand() % NPAGES, b = a + 1 + rand() % 24;
			unsigned prot = (unsigned)(rand() % 8);
			bool shared = rand() % 3 == 0;
			int op = rand() % 4;

			if (b > NPAGES)
				b = NPAGES;
			if (op == 0) {
				struct vma t = tmpl(PG(a), PG(b), prot, shared);
				int want = model_free(a, b) ? 0 : -EEXIST;

				assert_int_equal(vma_insert(&set, &t), want);
				for (int i = a; i < b && want == 0; i++)
					model[i] = (struct model_page){ true, prot, t.flags };
			} else if (op == 1) {
				assert_int_equal(vma_remove(&set, PG(a), PG(b)), 0);
				for (int i = a; i < b; i++)
					model[i].mapped = false;
			} else if (op == 2) {
				int want = model_covered(a, b) ? 0 : -ENOMEM;

				assert_int_equal(vma_protect(&set, PG(a), PG(b), prot), want);
				for (int i = a; i < b && want == 0; i++)
					model[i].prot = prot;
			} else {
				int n = b - a, lo = rand() % (NPAGES / 2), hi = lo + rand() % (NPAGES / 2 + 1);
				uintptr_t got = vma_find_free(&set, n * PAGE_SIZE, PG(lo), PG(hi));

				assert_int_equal(got, brute_find_free(n, lo, hi));
			}
			check_model(&set);
			assert_int_equal(vma_range_free(&set, PG(a), PG(b)), model_free(a, b));
			assert_int_equal(vma_range_covered(&set, PG(a), PG(b)), model_covered(a, b));
		}
		vma_set_init(&copy);
		assert_int_equal(vma_set_dup(&copy, &set), 0);
		assert_int_equal(copy.count, set.count);
		vma_set_clear(&set);
		check_model(&copy);
		vma_set_clear(&copy);
		assert_int_equal(obj_refs, 0);
	}
}

static void test_find_free_edges(void **state)
{
	struct vma_set set;
	struct vma t = tmpl(PG(10), PG(20), PROT_READ, false);

	vma_set_init(&set);
	assert_int_equal(vma_find_free(&set, PAGE_SIZE, PG(0), PG(30)), PG(29));
	assert_int_equal(vma_insert(&set, &t), 0);
	/* Just below the area, one guard page away. */
	assert_int_equal(vma_find_free(&set, 2 * PAGE_SIZE, PG(0), PG(20)), PG(7));
	/* Gap above: [21, 30) fits 9 pages but not 10. */
	assert_int_equal(vma_find_free(&set, 9 * PAGE_SIZE, PG(0), PG(30)), PG(21));
	assert_int_equal(vma_find_free(&set, 10 * PAGE_SIZE, PG(0), PG(30)), 0);
	assert_int_equal(vma_find_free(&set, 10 * PAGE_SIZE, PG(0), PG(31)), PG(21));
	assert_int_equal(vma_find_free(&set, 0, PG(0), PG(31)), 0);
	assert_int_equal(vma_find_free(&set, 40 * PAGE_SIZE, PG(0), PG(31)), 0);
	vma_set_clear(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_merges_neighbours),
		cmocka_unit_test(test_remove_and_protect_split),
		cmocka_unit_test(test_find_free_edges),
		cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
