/*
 * Slab allocator: caches of equal-sized objects carved from buddy blocks,
 * and kmalloc on top of power-of-two caches. Needs pmm_init(); kmalloc
 * needs slab_init(). Callable from any context (irqsave locks).
 */
#pragma once

#include <kernel/types.h>

struct kmem_cache;

/* Largest kmalloc size served by a cache; bigger requests get whole pages. */
#define KMALLOC_MIN_SIZE 16
#define KMALLOC_MAX_CACHE_SIZE 4096

/* Creates the kmalloc caches. Call once, after pmm_init(). */
void slab_init(void);

/* Objects of size bytes aligned to align (0: 8; must be a power of two).
 * name must outlive the cache. NULL on failure. */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align);
/* The cache must be empty. */
void kmem_cache_destroy(struct kmem_cache *cache);
void *kmem_cache_alloc(struct kmem_cache *cache);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/* Give back empty slabs the cache keeps for reuse; returns frames freed. */
size_t kmem_cache_shrink(struct kmem_cache *cache);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(const void *ptr);
/* Like C realloc: NULL ptr allocates, size 0 frees and returns NULL. */
void *krealloc(void *ptr, size_t size);
/* Usable size of a kmalloc'ed block (at least what was asked for). */
size_t ksize(const void *ptr);

struct kmem_cache_info {
	const char *name;
	size_t obj_size;       /* bytes per object, after alignment */
	size_t objs_per_slab;
	size_t order;          /* each slab is 2^order frames */
	size_t inuse;          /* objects handed out */
	size_t slabs;          /* slabs held, including empty ones */
};
void kmem_cache_info(struct kmem_cache *cache, struct kmem_cache_info *info);

/* The cache kmalloc(size) uses, NULL for large sizes (for tests). */
struct kmem_cache *kmalloc_cache(size_t size);

struct slab_stats {
	size_t bytes_in_use;   /* objects handed out, at their object size, plus
				  large kmalloc blocks at their page-rounded size */
	size_t pages_held;     /* frames owned by all caches and large blocks */
};
void slab_stats(struct slab_stats *stats);
