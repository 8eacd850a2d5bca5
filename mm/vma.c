/*
 * The VMA set (see vma.h): a sorted list of areas with split and merge.
 * No locking here: the owner (struct mm) holds mm->lock around every call.
 * Splits allocate before changing anything, so every operation either
 * completes or leaves the set as it was.
 */
#include <mm/vma.h>
#include <mm/slab.h>
#include <kernel/errno.h>
#include <kernel/panic.h>

static struct vma *vma_of(struct list_head *n)
{
	return list_entry(n, struct vma, node);
}

void vma_set_init(struct vma_set *set)
{
	list_init(&set->list);
	set->count = 0;
}

static struct vma *vma_alloc(const struct vma *tmpl)
{
	struct vma *v = kmalloc(sizeof(*v));

	if (!v)
		return NULL;
	*v = *tmpl;
	list_init(&v->node);
	if (v->ops)
		v->ops->get(v->obj);
	return v;
}

static void vma_unlink_free(struct vma_set *set, struct vma *v)
{
	list_del(&v->node);
	set->count--;
	if (v->ops)
		v->ops->put(v->obj);
	kfree(v);
}

void vma_set_clear(struct vma_set *set)
{
	while (!list_empty(&set->list))
		vma_unlink_free(set, vma_of(set->list.next));
}

int vma_set_dup(struct vma_set *dst, const struct vma_set *src)
{
	struct vma *v;

	list_for_each_entry(v, &src->list, node) {
		struct vma *copy = vma_alloc(v);

		if (!copy) {
			vma_set_clear(dst);
			return -ENOMEM;
		}
		list_add_tail(&copy->node, &dst->list);
		dst->count++;
	}
	return 0;
}

struct vma *vma_next(struct vma_set *set, struct vma *v)
{
	return v->node.next == &set->list ? NULL : vma_of(v->node.next);
}

struct vma *vma_first_in(struct vma_set *set, uintptr_t start, uintptr_t end)
{
	struct vma *v;

	vma_for_each(v, set) {
		if (v->start >= end)
			return NULL;
		if (v->end > start)
			return v;
	}
	return NULL;
}

struct vma *vma_find(struct vma_set *set, uintptr_t addr)
{
	return vma_first_in(set, addr, addr + 1);
}

bool vma_range_free(struct vma_set *set, uintptr_t start, uintptr_t end)
{
	return vma_first_in(set, start, end) == NULL;
}

bool vma_range_covered(struct vma_set *set, uintptr_t start, uintptr_t end)
{
	struct vma *v = vma_first_in(set, start, end);
	uintptr_t pos = start;

	for (; v && pos < end; v = vma_next(set, v)) {
		if (v->start > pos)
			return false;
		pos = v->end;
	}
	return pos >= end;
}

/* a directly below b, and one area could describe both. */
static bool mergeable(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->flags == b->flags &&
	       a->ops == b->ops && a->obj == b->obj &&
	       a->off + (a->end - a->start) == b->off;
}

/* Merge v with the next area if they are compatible; returns v. */
static struct vma *merge_next(struct vma_set *set, struct vma *v)
{
	struct vma *n = vma_next(set, v);

	if (n && mergeable(v, n)) {
		v->end = n->end;
		vma_unlink_free(set, n);
	}
	return v;
}

/* Merge every compatible pair among the areas from 'from' up to end. */
static void merge_range(struct vma_set *set, struct vma *from, uintptr_t end)
{
	struct vma *v = from;

	while (v && v->start <= end) {
		struct vma *n = vma_next(set, v);

		if (n && mergeable(v, n))
			merge_next(set, v);
		else
			v = n;
	}
}

int vma_insert(struct vma_set *set, const struct vma *tmpl)
{
	struct list_head *pos;
	struct vma *v, *prev;

	BUG_ON(tmpl->start >= tmpl->end);
	if (!vma_range_free(set, tmpl->start, tmpl->end))
		return -EEXIST;
	v = vma_alloc(tmpl);
	if (!v)
		return -ENOMEM;
	/* Insert before the first area above it. */
	list_for_each(pos, &set->list) {
		if (vma_of(pos)->start > v->start)
			break;
	}
	list_add_tail(&v->node, pos);
	set->count++;
	prev = v->node.prev == &set->list ? NULL : vma_of(v->node.prev);
	merge_range(set, prev ? prev : v, v->end);
	return 0;
}

/*
 * If addr lies strictly inside an area, cut it there, the upper part going
 * to *spare (which is then consumed: set to NULL).
 */
static void split_at(struct vma_set *set, uintptr_t addr, struct vma **spare)
{
	struct vma *v = vma_find(set, addr), *upper;

	if (!v || v->start == addr)
		return;
	upper = *spare;
	*spare = NULL;
	*upper = *v;
	if (v->ops)
		v->ops->get(v->obj);
	upper->start = addr;
	upper->off = v->off + (addr - v->start);
	v->end = addr;
	list_add(&upper->node, &v->node);
	set->count++;
}

/* Two spare areas: enough to cut a range out of the middle of one area. */
static int spares_alloc(struct vma *spare[2])
{
	spare[0] = kmalloc(sizeof(struct vma));
	spare[1] = kmalloc(sizeof(struct vma));
	if (spare[0] && spare[1])
		return 0;
	kfree(spare[0]);
	kfree(spare[1]);
	return -ENOMEM;
}

static void spares_free(struct vma *spare[2])
{
	kfree(spare[0]);
	kfree(spare[1]);
}

int vma_remove(struct vma_set *set, uintptr_t start, uintptr_t end)
{
	struct vma *spare[2], *v;

	if (vma_range_free(set, start, end))
		return 0;
	if (spares_alloc(spare))
		return -ENOMEM;
	split_at(set, start, &spare[0]);
	split_at(set, end, spare[0] ? &spare[0] : &spare[1]);
	while ((v = vma_first_in(set, start, end)))
		vma_unlink_free(set, v);
	spares_free(spare);
	return 0;
}

int vma_protect(struct vma_set *set, uintptr_t start, uintptr_t end, unsigned prot)
{
	struct vma *spare[2], *v, *prev;

	if (!vma_range_covered(set, start, end))
		return -ENOMEM;
	if (spares_alloc(spare))
		return -ENOMEM;
	split_at(set, start, &spare[0]);
	split_at(set, end, spare[0] ? &spare[0] : &spare[1]);
	spares_free(spare);
	for (v = vma_first_in(set, start, end); v && v->start < end; v = vma_next(set, v))
		v->prot = prot;
	v = vma_first_in(set, start, end);
	prev = v->node.prev == &set->list ? v : vma_of(v->node.prev);
	merge_range(set, prev, end);
	return 0;
}

uintptr_t vma_find_free(struct vma_set *set, size_t len, uintptr_t low, uintptr_t high)
{
	/* Walk the gaps from the top; gap_hi is the top of the current gap
	 * with the guard page below the area above it taken off. */
	uintptr_t gap_hi = high;
	struct list_head *pos;

	if (len == 0 || high < low || len > high - low)
		return 0;
	for (pos = set->list.prev;; pos = pos->prev) {
		bool bottom = pos == &set->list;
		uintptr_t gap_lo = bottom ? low : vma_of(pos)->end + PAGE_SIZE;

		gap_lo = MAX(gap_lo, low);
		gap_hi = MIN(gap_hi, high);
		if (gap_hi > gap_lo && gap_hi - gap_lo >= len)
			return ALIGN_DOWN(gap_hi - len, PAGE_SIZE);
		if (bottom)
			return 0;
		gap_hi = vma_of(pos)->start >= PAGE_SIZE ? vma_of(pos)->start - PAGE_SIZE : 0;
	}
}
