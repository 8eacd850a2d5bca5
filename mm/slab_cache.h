/*
 * struct kmem_cache and the slab internals shared by mm/slab.c and
 * mm/kmalloc.c. Not for other subsystems: use mm/slab.h.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <mm/page.h>

struct kmem_cache {
	/* Immutable after kmem_cache_create(). */
	const char *name;
	size_t obj_size;        /* stride between objects, a multiple of align */
	unsigned order;         /* slabs are 2^order frames */
	unsigned objs_per_slab;
	struct list_head link;  /* on slab_caches, under slab_caches_lock */

	/* Protected by lock, together with the slab fields of its pages. */
	struct spinlock lock;
	struct list_head partial;   /* slabs with a free object; empty ones last */
	struct list_head full;
	size_t inuse;               /* objects handed out */
	size_t nr_slabs;            /* slabs held, empty ones included */
	size_t nr_empty;            /* at most 1 outside kmem_cache_free() */
};

/* Sets up the cache that struct kmem_cache objects come from. */
void slab_caches_init(void);

/* The PG_SLAB first frame of the slab holding obj; NULL if not slab memory. */
struct page *slab_of(const void *obj);

/* Sums over all caches for slab_stats(). */
void slab_caches_total(size_t *bytes, size_t *frames);
