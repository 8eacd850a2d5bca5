/*
 * struct page: one per physical frame, in mem_map (see pmm.h). Which fields
 * mean what depends on the frame's owner, named by its flags.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>

/* Buddy allocator states (mm/buddy.c), exactly one or none is set: */
#define PG_RESERVED   (1u << 0)  /* never handed to the allocator */
#define PG_FREE       (1u << 1)  /* head of a free block, on a free list */
#define PG_HEAD       (1u << 2)  /* head of an allocated block; order valid */
/* Owner states of allocated frames, cleared by the owner before freeing: */
#define PG_SLAB       (1u << 8)  /* first frame of a slab (mm/slab.c) */
#define PG_SLAB_TAIL  (1u << 9)  /* later frame of a slab; private = head */
#define PG_KMALLOC    (1u << 10) /* head of a large kmalloc block */
/* A file's page in a page cache (mm/pagecache.h); private = the cache: */
#define PG_CACHE      (1u << 11)
#define PG_LOCKED     (1u << 12) /* being read in */
#define PG_DIRTY      (1u << 13) /* newer than the storage */
#define PG_MAPWR      (1u << 14) /* mapped writable by a MAP_SHARED area */

struct kmem_cache;

struct page {
	/* Free block: on the zone's free list. Slab: on its cache's lists. */
	struct list_head list;
	uint16_t flags;
	uint8_t order;       /* PG_FREE / PG_HEAD: block is 2^order frames */
	uint8_t _unused;
	union {
		/* Users of an allocated frame; 1 after allocation. */
		int32_t refcount;
		/* PG_SLAB: objects handed out, index of the first free one. */
		struct {
			uint16_t slab_inuse;
			uint16_t slab_free;
		};
	};
	/* The owner's word. */
	union {
		void *private;
		struct kmem_cache *slab_cache;  /* PG_SLAB */
		struct page *slab_head;         /* PG_SLAB_TAIL */
	};
};

/* mem_map is a large array: keep it at half a cache line per frame. */
_Static_assert(sizeof(struct page) == 32, "struct page must be 32 bytes");

/*
 * Reference counts of user frames (mm/mm.c, mm/fault.c): every page-table
 * leaf that maps the frame holds one reference, and so does a shared
 * object (mm/shared_anon.c) that keeps it. Whoever drops the last reference
 * frees the frame: put_page() (mm/pmm.c) does that.
 */
static inline void get_page(struct page *page)
{
	__atomic_fetch_add(&page->refcount, 1, __ATOMIC_RELAXED);
}

static inline int page_count(const struct page *page)
{
	return __atomic_load_n(&page->refcount, __ATOMIC_ACQUIRE);
}

/* Drops a reference; frees the frame (order 0) when it was the last. */
void put_page(struct page *page);
