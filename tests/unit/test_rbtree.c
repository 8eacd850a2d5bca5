/*
 * Host tests of kernel/lib/rbtree.c: fixed shapes, then long random
 * sequences of inserts and erases (with many equal keys) checked against a
 * sorted array model, with every red-black invariant verified each step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/rbtree.h>

struct item {
	struct rb_node node;
	int key;
	int seq;                /* insertion order, to check equal keys stay FIFO */
	bool in_tree;
};

#define ITEM(n) ((struct item *)((char *)(n) - offsetof(struct item, node)))

static bool less(const struct rb_node *a, const struct rb_node *b)
{
	return ITEM(a)->key < ITEM(b)->key;
}

/* Black height of the subtree, checking colours and parent links. */
static int check_node(const struct rb_node *n, const struct rb_node *parent)
{
	if (!n)
		return 1;
	assert_ptr_equal(n->parent, parent);
	if (n->red) {
		assert_false(n->left && n->left->red);
		assert_false(n->right && n->right->red);
	}
	if (n->left)
		assert_true(ITEM(n->left)->key <= ITEM(n)->key);
	if (n->right)
		assert_true(ITEM(n->right)->key >= ITEM(n)->key);
	int l = check_node(n->left, n), r = check_node(n->right, n);
	assert_int_equal(l, r);
	return l + !n->red;
}

/* Invariants, and an in-order walk equal to the model (keys, then FIFO). */
static void check_tree(const struct rb_tree *t, struct item **model, int n)
{
	assert_false(t->root && t->root->red);
	check_node(t->root, NULL);
	const struct rb_node *it = rb_first(t);
	for (int i = 0; i < n; i++) {
		assert_non_null(it);
		assert_ptr_equal(ITEM(it), model[i]);
		it = rb_next(it);
	}
	assert_null(it);
	it = rb_last(t);
	for (int i = n - 1; i >= 0; i--) {
		assert_ptr_equal(ITEM(it), model[i]);
		it = rb_prev(it);
	}
	assert_null(it);
	assert_int_equal(rb_empty(t), n == 0);
}

static int model_cmp(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;
	return x->key != y->key ? (x->key > y->key) - (x->key < y->key) : x->seq - y->seq;
}

static void test_ascending_descending(void **state)
{
	enum { N = 200 };
	static struct item items[N];
	struct item *model[N];
	struct rb_tree t = RB_TREE_INIT;

	for (int i = 0; i < N; i++) {
		items[i].key = i % 2 ? i : N - i;       /* interleave up and down */
		items[i].seq = i;
		rb_insert(&t, &items[i].node, less);
		model[i] = &items[i];
		qsort(model, (size_t)i + 1, sizeof(model[0]), model_cmp);
		check_tree(&t, model, i + 1);
	}
	/* Erase the minimum until empty: the cached leftmost follows. */
	for (int i = 0; i < N; i++) {
		assert_ptr_equal(rb_first(&t), &model[i]->node);
		rb_erase(&t, rb_first(&t));
		check_tree(&t, model + i + 1, N - i - 1);
	}
	assert_null(rb_first(&t));
}

static void test_equal_keys_fifo(void **state)
{
	static struct item items[50];
	struct rb_tree t = RB_TREE_INIT;

	for (int i = 0; i < 50; i++) {
		items[i].key = 7;
		items[i].seq = i;
		rb_insert(&t, &items[i].node, less);
	}
	int seq = 0;
	for (struct rb_node *n = rb_first(&t); n; n = rb_next(n))
		assert_int_equal(ITEM(n)->seq, seq++);
	assert_int_equal(seq, 50);
}

static void test_random_against_model(void **state)
{
	enum { N = 512, STEPS = 20000 };
	static struct item items[N];
	struct item *model[N];
	int n = 0, seq = 0;
	struct rb_tree t = RB_TREE_INIT;

	srand(12345);
	memset(items, 0, sizeof(items));
	for (int step = 0; step < STEPS; step++) {
		struct item *it = &items[rand() % N];
		if (it->in_tree) {
			rb_erase(&t, &it->node);
			it->in_tree = false;
			int i = 0;
			while (model[i] != it)
				i++;
			memmove(&model[i], &model[i + 1], (size_t)(n - i - 1) * sizeof(model[0]));
			n--;
		} else {
			it->key = rand() % 64;          /* many duplicates */
			it->seq = seq++;
			rb_insert(&t, &it->node, less);
			it->in_tree = true;
			model[n++] = it;
			qsort(model, (size_t)n, sizeof(model[0]), model_cmp);
		}
		if (step % 7 == 0 || n < 8)
			check_tree(&t, model, n);
	}
	check_tree(&t, model, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascending_descending),
		cmocka_unit_test(test_equal_keys_fifo),
		cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
