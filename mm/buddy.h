/*
 * Binary buddy allocator over a contiguous array of struct page. Pure logic:
 * the caller (mm/pmm.c) provides the frames' descriptors and the lock.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <mm/page.h>

/* Orders 0..MAX_ORDER-1: blocks of 4 KiB up to 4 MiB. */
#define MAX_ORDER 11

struct zone {
	/* Immutable after buddy_init(). */
	struct page *mem_map;   /* mem_map[i] describes frame base_pfn + i */
	pfn_t base_pfn;
	pfn_t npages;

	/* Protected by the caller's lock (pmm_lock for the kernel's zone). */
	struct list_head free_list[MAX_ORDER];
	size_t nr_free[MAX_ORDER];   /* blocks on each list */
	size_t free_pages;           /* frames in all free blocks */
};

/* All npages frames start PG_RESERVED: nothing is free until handed in. */
void buddy_init(struct zone *zone, struct page *mem_map, pfn_t base_pfn,
		pfn_t npages);

/* Hand frames [pfn, pfn+count) to the allocator; each must be reserved. */
void buddy_free_range(struct zone *zone, pfn_t pfn, pfn_t count);

/* A block of 2^order frames, its head PG_HEAD with refcount 1; NULL if none. */
struct page *buddy_alloc(struct zone *zone, unsigned order);

/* Give back a block from buddy_alloc() of the same order. The head's flags
 * must be exactly PG_HEAD. Double frees and foreign pages are BUGs. */
void buddy_free(struct zone *zone, struct page *page, unsigned order);

size_t buddy_free_count(const struct zone *zone);
size_t buddy_free_blocks(const struct zone *zone, unsigned order);

static inline pfn_t buddy_page_pfn(const struct zone *zone, const struct page *page)
{
	return zone->base_pfn + (pfn_t)(page - zone->mem_map);
}
