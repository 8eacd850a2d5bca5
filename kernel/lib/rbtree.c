/*
 * Red-black trees (kernel/rbtree.h): the textbook algorithms (Cormen et
 * al., "Introduction to Algorithms", ch. 13) with NULL leaves instead of a
 * sentinel, so erase tracks the parent of the node that moved up.
 *
 * Invariants (checked by tests/unit/test_rbtree.c): the root is black; a
 * red node has no red child; every path from a node to a leaf has the same
 * number of black nodes. Hence depth <= 2 log2(n + 1).
 */
#include <kernel/rbtree.h>

static bool is_red(const struct rb_node *n)
{
	return n && n->red;
}

/* Replace child old of its parent (or the root) by new. */
static void replace_child(struct rb_tree *t, struct rb_node *old, struct rb_node *new)
{
	struct rb_node *p = old->parent;

	if (!p)
		t->root = new;
	else if (p->left == old)
		p->left = new;
	else
		p->right = new;
	if (new)
		new->parent = p;
}

static void rotate_left(struct rb_tree *t, struct rb_node *x)
{
	struct rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(t, x, y);
	y->left = x;
	x->parent = y;
}

static void rotate_right(struct rb_tree *t, struct rb_node *x)
{
	struct rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(t, x, y);
	y->right = x;
	x->parent = y;
}

/* z is red: restore "no red node has a red child" up the tree. */
static void insert_fixup(struct rb_tree *t, struct rb_node *z)
{
	while (is_red(z->parent)) {
		struct rb_node *p = z->parent, *g = p->parent;   /* p red: not the root */

		if (p == g->left) {
			struct rb_node *u = g->right;
			if (is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				z = g;
				continue;
			}
			if (z == p->right) {
				rotate_left(t, p);
				z = p;
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			rotate_right(t, g);
		} else {
			struct rb_node *u = g->left;
			if (is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				z = g;
				continue;
			}
			if (z == p->left) {
				rotate_right(t, p);
				z = p;
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			rotate_left(t, g);
		}
	}
	t->root->red = false;
}

void rb_insert(struct rb_tree *t, struct rb_node *n, rb_less_fn less)
{
	struct rb_node **link = &t->root, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (less(n, parent)) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	n->parent = parent;
	n->left = n->right = NULL;
	n->red = true;
	*link = n;
	if (leftmost)
		t->leftmost = n;
	insert_fixup(t, n);
}

static struct rb_node *subtree_min(struct rb_node *n)
{
	while (n->left)
		n = n->left;
	return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	if (n->right)
		return subtree_min(n->right);
	while (n->parent && n == n->parent->right)
		n = n->parent;
	return n->parent;
}

struct rb_node *rb_prev(const struct rb_node *n)
{
	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (struct rb_node *)n;
	}
	while (n->parent && n == n->parent->left)
		n = n->parent;
	return n->parent;
}

struct rb_node *rb_last(const struct rb_tree *t)
{
	struct rb_node *n = t->root;
	while (n && n->right)
		n = n->right;
	return n;
}

/*
 * A black node was removed from above x (which may be NULL: a leaf), whose
 * parent is xp: x's side is one black short. Push the deficit up or fix it
 * with rotations.
 */
static void erase_fixup(struct rb_tree *t, struct rb_node *x, struct rb_node *xp)
{
	while (x != t->root && !is_red(x)) {
		if (x == xp->left) {
			struct rb_node *w = xp->right;  /* not NULL: it has a black to spare */
			if (w->red) {
				w->red = false;
				xp->red = true;
				rotate_left(t, xp);
				w = xp->right;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = xp;
				xp = x->parent;
				continue;
			}
			if (!is_red(w->right)) {
				w->left->red = false;
				w->red = true;
				rotate_right(t, w);
				w = xp->right;
			}
			w->red = xp->red;
			xp->red = false;
			w->right->red = false;
			rotate_left(t, xp);
		} else {
			struct rb_node *w = xp->left;
			if (w->red) {
				w->red = false;
				xp->red = true;
				rotate_right(t, xp);
				w = xp->left;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = xp;
				xp = x->parent;
				continue;
			}
			if (!is_red(w->left)) {
				w->right->red = false;
				w->red = true;
				rotate_left(t, w);
				w = xp->left;
			}
			w->red = xp->red;
			xp->red = false;
			w->left->red = false;
			rotate_right(t, xp);
		}
		x = t->root;
		break;
	}
	if (x)
		x->red = false;
}

void rb_erase(struct rb_tree *t, struct rb_node *z)
{
	struct rb_node *x, *xp;
	bool removed_red;

	if (t->leftmost == z)
		t->leftmost = rb_next(z);
	if (!z->left || !z->right) {
		/* At most one child: it takes z's place. */
		x = z->left ? z->left : z->right;
		xp = z->parent;
		removed_red = z->red;
		replace_child(t, z, x);
	} else {
		/* Two children: z's successor y (no left child) takes z's place
		 * and colour; what is removed is y's old position. */
		struct rb_node *y = subtree_min(z->right);
		removed_red = y->red;
		x = y->right;
		if (y->parent == z) {
			xp = y;
		} else {
			xp = y->parent;
			replace_child(t, y, x);
			y->right = z->right;
			y->right->parent = y;
		}
		replace_child(t, z, y);
		y->left = z->left;
		y->left->parent = y;
		y->red = z->red;
	}
	z->parent = z->left = z->right = NULL;
	if (!removed_red)
		erase_fixup(t, x, xp);
}
