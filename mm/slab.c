/*
 * Slab caches (see slab.h). A slab is one buddy block of 2^order frames cut
 * into objects; its first struct page (PG_SLAB) records the cache, the
 * number of objects in use and the index of the first free object, and
 * each free object holds the index of the next one in its first two bytes.
 * Later frames of a multi-frame slab are PG_SLAB_TAIL and point at the
 * first, so any object address leads back to its cache.
 *
 * Each cache keeps slabs with free objects on `partial` (partly used ones
 * first, empty ones last) and keeps at most one empty slab; full slabs are
 * on `full`.
 *
 * Lock order: slab_caches_lock -> kmem_cache.lock -> pmm_lock.
 */
#include <mm/slab.h>
#include <kernel/lockdep.h>     /* CONFIG_DEBUG_LOCKS: the debug kernel */
#include <mm/slab_cache.h>
#include <mm/pmm.h>
#include <kernel/panic.h>

/* Object indices are uint16_t; this one means "no free object". */
#define SLAB_NONE 0xffffu
#define SLAB_MAX_OBJS 0xfffeu
#define SLAB_MIN_ALIGN 8

/* All caches, for slab_stats(). */
static struct spinlock slab_caches_lock = SPINLOCK_INIT("slab_caches");
static LIST_HEAD(slab_caches);

/* Where struct kmem_cache objects come from. */
static struct kmem_cache cache_cache;

static void *slab_obj(struct kmem_cache *cache, struct page *slab, unsigned idx)
{
	return (char *)page_address(slab) + (size_t)idx * cache->obj_size;
}

/* Object count, order and size for objects of size bytes; false if too big. */
static bool cache_layout(struct kmem_cache *cache, size_t size, size_t align)
{
	size_t obj = ALIGN_UP(MAX(size, (size_t)SLAB_MIN_ALIGN), align);
	int fallback = -1;

	for (unsigned order = 0; order < MAX_ORDER; order++) {
		size_t bytes = PAGE_SIZE << order;
		size_t n = MIN(bytes / obj, (size_t)SLAB_MAX_OBJS);

		if (n == 0)
			continue;
		if (fallback < 0)
			fallback = order;
		/* Accept the first order that wastes at most 1/8 of the slab. */
		if ((bytes - n * obj) * 8 <= bytes) {
			fallback = order;
			break;
		}
	}
	if (fallback < 0)
		return false;
	cache->obj_size = obj;
	cache->order = fallback;
	cache->objs_per_slab = MIN((PAGE_SIZE << fallback) / obj, (size_t)SLAB_MAX_OBJS);
	return true;
}

static bool cache_setup(struct kmem_cache *cache, const char *name, size_t size,
			size_t align)
{
	unsigned long flags;

	if (align == 0)
		align = SLAB_MIN_ALIGN;
	if (align & (align - 1))
		return false;
	if (!cache_layout(cache, size, MAX(align, (size_t)SLAB_MIN_ALIGN)))
		return false;
	cache->name = name;
	spin_lock_init(&cache->lock, name);
	list_init(&cache->partial);
	list_init(&cache->full);
	cache->inuse = cache->nr_slabs = cache->nr_empty = 0;

	flags = spin_lock_irqsave(&slab_caches_lock);
	list_add_tail(&cache->link, &slab_caches);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	return true;
}

void slab_caches_init(void)
{
	if (!cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0))
		panic("slab: cannot set up kmem_cache");
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
	struct kmem_cache *cache;

	BUG_ON(!cache_cache.obj_size);
	cache = kmem_cache_alloc(&cache_cache);
	if (!cache)
		return NULL;
	if (!cache_setup(cache, name, size, align)) {
		kmem_cache_free(&cache_cache, cache);
		return NULL;
	}
	return cache;
}

/* A fresh empty slab, with every object on its free list. */
static struct page *slab_new(struct kmem_cache *cache)
{
	struct page *slab = pmm_alloc_pages(cache->order);

	if (!slab)
		return NULL;
	slab->flags |= PG_SLAB;
	slab->slab_cache = cache;
	slab->slab_inuse = 0;
	slab->slab_free = 0;
	for (size_t i = 1; i < ((size_t)1 << cache->order); i++) {
		slab[i].flags |= PG_SLAB_TAIL;
		slab[i].slab_head = slab;
	}
	for (unsigned i = 0; i < cache->objs_per_slab; i++)
		*(uint16_t *)slab_obj(cache, slab, i) =
			i + 1 < cache->objs_per_slab ? i + 1 : SLAB_NONE;
	return slab;
}

static void slab_release(struct kmem_cache *cache, struct page *slab)
{
	for (size_t i = 1; i < ((size_t)1 << cache->order); i++) {
		slab[i].flags &= ~PG_SLAB_TAIL;
		slab[i].slab_head = NULL;
	}
	slab->flags &= ~PG_SLAB;
	slab->slab_cache = NULL;
	pmm_free_pages(slab, cache->order);
}

void *kmem_cache_alloc(struct kmem_cache *cache)
{
	unsigned long flags;
	struct page *slab;
	void *obj = NULL;

	flags = spin_lock_irqsave(&cache->lock);
	if (list_empty(&cache->partial)) {
		slab = slab_new(cache);
		if (!slab)
			goto out_unlock;
		list_add_tail(&slab->list, &cache->partial);
		cache->nr_slabs++;
		cache->nr_empty++;
	}
	slab = list_first_entry(&cache->partial, struct page, list);
	if (slab->slab_inuse == 0)
		cache->nr_empty--;
	obj = slab_obj(cache, slab, slab->slab_free);
	slab->slab_free = *(uint16_t *)obj;
	slab->slab_inuse++;
	cache->inuse++;
	if (slab->slab_free == SLAB_NONE) {
		list_del(&slab->list);
		list_add(&slab->list, &cache->full);
	}
out_unlock:
	spin_unlock_irqrestore(&cache->lock, flags);
	return obj;
}

/* The slab holding obj, or NULL if obj is not slab memory. */
struct page *slab_of(const void *obj)
{
	struct page *page = virt_to_page(obj);

	if (page && (page->flags & PG_SLAB_TAIL))
		page = page->slab_head;
	return page && (page->flags & PG_SLAB) ? page : NULL;
}

/* Index of obj in slab; BUGs on addresses that are not an object start. */
static unsigned slab_index(struct kmem_cache *cache, struct page *slab,
			   const void *obj)
{
	size_t off = (const char *)obj - (const char *)page_address(slab);

	BUG_ON(off % cache->obj_size || off / cache->obj_size >= cache->objs_per_slab);
	return off / cache->obj_size;
}

/*
 * Whether object idx is on the slab's free list, the double-free check of
 * every free. The debug kernel (DEBUG_LOCKS=1, the lock checker's test
 * boots) walks the whole list, up to objs_per_slab steps; the normal one
 * checks only its head, as Linux's hardened free lists do, which catches
 * the usual double free (the same object twice in a row) at constant cost:
 * the walk was a tenth of a channel round trip's kernel time.
 */
static bool slab_obj_free(struct kmem_cache *cache, struct page *slab, unsigned idx)
{
	if (!CONFIG_DEBUG_LOCKS)
		return slab->slab_free == idx;
	for (unsigned i = slab->slab_free; i != SLAB_NONE;
	     i = *(uint16_t *)slab_obj(cache, slab, i))
		if (i == idx)
			return true;
	return false;
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	struct page *slab = slab_of(obj);
	unsigned long flags;
	unsigned idx;
	bool was_full;

	BUG_ON(!slab || slab->slab_cache != cache);
	idx = slab_index(cache, slab, obj);

	flags = spin_lock_irqsave(&cache->lock);
	if (slab_obj_free(cache, slab, idx)) {
		/* Unlocked, so that the panic path may still use this cache. */
		spin_unlock_irqrestore(&cache->lock, flags);
		panic("slab: double free of %p in %s", obj, cache->name);
	}
	was_full = slab->slab_free == SLAB_NONE;
	*(uint16_t *)obj = slab->slab_free;
	slab->slab_free = idx;
	slab->slab_inuse--;
	cache->inuse--;
	if (slab->slab_inuse == 0) {
		list_del(&slab->list);
		if (cache->nr_empty >= 1) {
			cache->nr_slabs--;
			slab_release(cache, slab);
		} else {
			list_add_tail(&slab->list, &cache->partial);
			cache->nr_empty++;
		}
	} else if (was_full) {
		list_del(&slab->list);
		list_add(&slab->list, &cache->partial);
	}
	spin_unlock_irqrestore(&cache->lock, flags);
}

size_t kmem_cache_shrink(struct kmem_cache *cache)
{
	struct page *slab, *tmp;
	unsigned long flags;
	size_t frames = 0;

	flags = spin_lock_irqsave(&cache->lock);
	list_for_each_entry_safe(slab, tmp, &cache->partial, list) {
		if (slab->slab_inuse)
			continue;
		list_del(&slab->list);
		cache->nr_slabs--;
		cache->nr_empty--;
		slab_release(cache, slab);
		frames += (size_t)1 << cache->order;
	}
	spin_unlock_irqrestore(&cache->lock, flags);
	return frames;
}

void kmem_cache_destroy(struct kmem_cache *cache)
{
	unsigned long flags;

	BUG_ON(cache == &cache_cache || cache->inuse);
	kmem_cache_shrink(cache);
	flags = spin_lock_irqsave(&slab_caches_lock);
	list_del(&cache->link);
	spin_unlock_irqrestore(&slab_caches_lock, flags);
	kmem_cache_free(&cache_cache, cache);
}

void kmem_cache_info(struct kmem_cache *cache, struct kmem_cache_info *info)
{
	unsigned long flags;

	flags = spin_lock_irqsave(&cache->lock);
	info->name = cache->name;
	info->obj_size = cache->obj_size;
	info->objs_per_slab = cache->objs_per_slab;
	info->order = cache->order;
	info->inuse = cache->inuse;
	info->slabs = cache->nr_slabs;
	spin_unlock_irqrestore(&cache->lock, flags);
}

void slab_caches_total(size_t *bytes, size_t *frames)
{
	struct kmem_cache *cache;
	unsigned long flags;

	*bytes = *frames = 0;
	flags = spin_lock_irqsave(&slab_caches_lock);
	list_for_each_entry(cache, &slab_caches, link) {
		spin_lock(&cache->lock);
		*bytes += cache->inuse * cache->obj_size;
		*frames += cache->nr_slabs << cache->order;
		spin_unlock(&cache->lock);
	}
	spin_unlock_irqrestore(&slab_caches_lock, flags);
}
