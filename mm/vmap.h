/*
 * The vmap area (VMAP_BASE..): kernel virtual ranges backed by arbitrary
 * frames or device memory, each with an unmapped guard page below it.
 * Needs paging_init() and pmm_init(); not callable from interrupts.
 */
#pragma once

#include <kernel/types.h>

/* Uncached, non-executable mapping of device memory [pa, pa+len); pa need
 * not be page aligned. NULL on failure. */
void *ioremap(phys_addr_t pa, size_t len);
/* Takes exactly what ioremap() returned. */
void iounmap(void *addr);

/* A KSTACK_SIZE kernel stack (not zeroed); returns its top (initial rsp).
 * Overflowing it faults on the guard page. NULL on failure. */
void *kstack_alloc(void);
void kstack_free(void *top);
/* Free the few stacks kept for reuse (tests that count frames call it). */
void kstack_cache_drain(void);

/* Pages of the vmap area in use, guard pages included (for tests). */
size_t vmap_pages_used(void);
