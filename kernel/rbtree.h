/*
 * Red-black trees (CLRS ch. 13) with parent pointers and a cached leftmost
 * node: O(log n) insert and erase, O(1) minimum. Intrusive like list.h:
 * embed a struct rb_node and get back with container_of. The caller orders
 * nodes with a "less" function; equal keys go after the ones already in the
 * tree, so equal keys come out in insertion order. No locking: the owner of
 * the tree serializes access.
 */
#pragma once

#include <kernel/types.h>

struct rb_node {
	struct rb_node *parent, *left, *right;
	bool red;
};

struct rb_tree {
	struct rb_node *root;
	struct rb_node *leftmost;       /* the minimum, NULL when empty */
};

#define RB_TREE_INIT { NULL, NULL }

typedef bool (*rb_less_fn)(const struct rb_node *a, const struct rb_node *b);

static inline void rb_tree_init(struct rb_tree *t) { t->root = t->leftmost = NULL; }
static inline bool rb_empty(const struct rb_tree *t) { return t->root == NULL; }
static inline struct rb_node *rb_first(const struct rb_tree *t) { return t->leftmost; }

/* Insert n (not in any tree) after every node that is not greater. */
void rb_insert(struct rb_tree *t, struct rb_node *n, rb_less_fn less);
/* Remove n, which is in t. */
void rb_erase(struct rb_tree *t, struct rb_node *n);
struct rb_node *rb_last(const struct rb_tree *t);
/* In-order neighbours, NULL at the ends. */
struct rb_node *rb_next(const struct rb_node *n);
struct rb_node *rb_prev(const struct rb_node *n);
