/*
 * Binary buddy allocator (see buddy.h).
 *
 * A free block of 2^k frames starts at a frame number that is a multiple of
 * 2^k (absolute, not relative to the zone, so blocks are physically aligned
 * and 2 MiB blocks can back huge pages). Only its head page is on a list,
 * with PG_FREE and order k. Its buddy is the block whose number differs in
 * bit k; when both are free they merge into one block of order k+1.
 *
 * Locking: none here; every call must hold the lock that protects the zone
 * (pmm_lock for the kernel zone).
 */
#include <mm/buddy.h>
#include <kernel/panic.h>

void buddy_init(struct zone *zone, struct page *mem_map, pfn_t base_pfn,
		pfn_t npages)
{
	zone->mem_map = mem_map;
	zone->base_pfn = base_pfn;
	zone->npages = npages;
	zone->free_pages = 0;
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		list_init(&zone->free_list[k]);
		zone->nr_free[k] = 0;
	}
	for (pfn_t i = 0; i < npages; i++) {
		struct page *p = &mem_map[i];

		list_init(&p->list);
		p->flags = PG_RESERVED;
		p->order = 0;
		p->_unused = 0;
		p->refcount = 0;
		p->private = NULL;
	}
}

static bool pfn_in_zone(const struct zone *zone, pfn_t pfn)
{
	return pfn >= zone->base_pfn && pfn - zone->base_pfn < zone->npages;
}

static struct page *pfn_page(struct zone *zone, pfn_t pfn)
{
	return &zone->mem_map[pfn - zone->base_pfn];
}

static void push_free(struct zone *zone, struct page *page, unsigned order)
{
	page->flags = PG_FREE;
	page->order = order;
	list_add(&page->list, &zone->free_list[order]);
	zone->nr_free[order]++;
}

static void pop_free(struct zone *zone, struct page *page, unsigned order)
{
	list_del(&page->list);
	page->flags = 0;
	zone->nr_free[order]--;
}

/* Put a block on the free lists, merging with free buddies as far as it goes. */
static void free_block(struct zone *zone, pfn_t pfn, unsigned order)
{
	zone->free_pages += (size_t)1 << order;
	while (order < MAX_ORDER - 1) {
		pfn_t buddy_pfn = pfn ^ ((pfn_t)1 << order);
		struct page *buddy;

		if (!pfn_in_zone(zone, buddy_pfn))
			break;
		buddy = pfn_page(zone, buddy_pfn);
		if (buddy->flags != PG_FREE || buddy->order != order)
			break;
		pop_free(zone, buddy, order);
		pfn &= ~((pfn_t)1 << order);
		order++;
	}
	push_free(zone, pfn_page(zone, pfn), order);
}

void buddy_free_range(struct zone *zone, pfn_t pfn, pfn_t count)
{
	if (count == 0)
		return;
	BUG_ON(!pfn_in_zone(zone, pfn) || count > zone->npages - (pfn - zone->base_pfn));
	for (pfn_t i = 0; i < count; i++)
		BUG_ON(!(pfn_page(zone, pfn + i)->flags & PG_RESERVED));

	while (count) {
		unsigned order = 0;

		/* The largest block that is aligned at pfn and fits. */
		while (order + 1 < MAX_ORDER && !(pfn & (((pfn_t)2 << order) - 1)) &&
		       ((pfn_t)2 << order) <= count)
			order++;
		for (pfn_t i = 0; i < ((pfn_t)1 << order); i++)
			pfn_page(zone, pfn + i)->flags = 0;
		free_block(zone, pfn, order);
		pfn += (pfn_t)1 << order;
		count -= (pfn_t)1 << order;
	}
}

struct page *buddy_alloc(struct zone *zone, unsigned order)
{
	struct page *page;
	unsigned k = order;

	if (order >= MAX_ORDER)
		return NULL;
	while (k < MAX_ORDER && list_empty(&zone->free_list[k]))
		k++;
	if (k == MAX_ORDER)
		return NULL;

	page = list_first_entry(&zone->free_list[k], struct page, list);
	pop_free(zone, page, k);
	/* Split: keep the lower half, free the upper half, until it fits. */
	while (k > order) {
		k--;
		push_free(zone, page + ((size_t)1 << k), k);
	}
	zone->free_pages -= (size_t)1 << order;
	page->flags = PG_HEAD;
	page->order = order;
	page->refcount = 1;
	page->private = NULL;
	return page;
}

void buddy_free(struct zone *zone, struct page *page, unsigned order)
{
	pfn_t pfn;

	BUG_ON(page < zone->mem_map || page >= zone->mem_map + zone->npages);
	pfn = buddy_page_pfn(zone, page);
	BUG_ON(order >= MAX_ORDER || (pfn & (((pfn_t)1 << order) - 1)));
	/* Catches double frees, frees of tail or never-allocated frames, a wrong
	 * order, and owners that forgot to clear their flags. */
	BUG_ON(page->flags != PG_HEAD || page->order != order);

	page->flags = 0;
	page->refcount = 0;
	page->private = NULL;
	free_block(zone, pfn, order);
}

size_t buddy_free_count(const struct zone *zone)
{
	return zone->free_pages;
}

size_t buddy_free_blocks(const struct zone *zone, unsigned order)
{
	return order < MAX_ORDER ? zone->nr_free[order] : 0;
}
