/*
 * Physical memory manager: the kernel's frame allocator, a buddy zone over
 * all RAM below memblock_max_pfn(), and the struct page <-> address helpers.
 * Callable from any context (irqsave lock) once pmm_init() has run.
 */
#pragma once

#include <kernel/types.h>
#include <mm/page.h>
#include <mm/phys.h>
#include <mm/buddy.h>

/* One struct page per frame 0..pmm_max_pfn-1; set by pmm_init(). */
extern struct page *mem_map;
extern pfn_t pmm_max_pfn;

/* After paging_init(): builds mem_map from memblock, frees all free RAM. */
void pmm_init(void);
bool pmm_ready(void);

/* 2^order physically contiguous frames, not zeroed; NULL if none. */
struct page *pmm_alloc_pages(unsigned order);
void pmm_free_pages(struct page *page, unsigned order);

/* One frame, not zeroed / zeroed; 0 on failure (frame 0 is never used). */
phys_addr_t pmm_alloc_frame(void);
phys_addr_t pmm_alloc_zeroed_frame(void);
void pmm_free_frame(phys_addr_t pa);

size_t pmm_free_frames(void);
size_t pmm_total_frames(void);   /* frames the allocator was given at init */

static inline phys_addr_t page_to_phys(const struct page *page)
{
	return (phys_addr_t)(page - mem_map) << PAGE_SHIFT;
}

/* NULL for frames without a struct page (beyond RAM, e.g. MMIO). */
static inline struct page *phys_to_page(phys_addr_t pa)
{
	pfn_t pfn = pa >> PAGE_SHIFT;

	return pfn < pmm_max_pfn ? &mem_map[pfn] : NULL;
}

/* The frame's direct-map address. */
static inline void *page_address(const struct page *page)
{
	return phys_to_virt(page_to_phys(page));
}

static inline struct page *virt_to_page(const void *va)
{
	return phys_to_page(virt_to_phys(va));
}
