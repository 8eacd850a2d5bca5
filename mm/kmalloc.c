/*
 * kmalloc: power-of-two slab caches from KMALLOC_MIN_SIZE to
 * KMALLOC_MAX_CACHE_SIZE; larger requests get a whole buddy block marked
 * PG_KMALLOC, whose order the buddy allocator keeps in the head page.
 *
 * Lock order: large_lock is a leaf (only the large-block counters).
 */
#include <mm/slab.h>
#include <mm/slab_cache.h>
#include <mm/pmm.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#define KMALLOC_MIN_SHIFT 4
#define KMALLOC_MAX_SHIFT 12
#define KMALLOC_CLASSES (KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)

_Static_assert(KMALLOC_MIN_SIZE == 1 << KMALLOC_MIN_SHIFT, "kmalloc min size");
_Static_assert(KMALLOC_MAX_CACHE_SIZE == 1 << KMALLOC_MAX_SHIFT, "kmalloc max size");

static struct kmem_cache *kmalloc_caches[KMALLOC_CLASSES];
static const char *const kmalloc_names[KMALLOC_CLASSES] = {
	"kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-128", "kmalloc-256",
	"kmalloc-512", "kmalloc-1024", "kmalloc-2048", "kmalloc-4096",
};

/* Large blocks currently handed out. */
static struct spinlock large_lock = SPINLOCK_INIT("kmalloc_large");
static size_t large_frames;

void slab_init(void)
{
	slab_caches_init();
	for (unsigned i = 0; i < KMALLOC_CLASSES; i++) {
		kmalloc_caches[i] = kmem_cache_create(kmalloc_names[i],
						      (size_t)1 << (i + KMALLOC_MIN_SHIFT), 0);
		if (!kmalloc_caches[i])
			panic("slab: cannot create %s", kmalloc_names[i]);
	}
}

/* Smallest order with 2^order units >= n units. */
static unsigned order_for(size_t n)
{
	unsigned order = 0;

	while (((size_t)1 << order) < n)
		order++;
	return order;
}

struct kmem_cache *kmalloc_cache(size_t size)
{
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	if (size < KMALLOC_MIN_SIZE)
		size = KMALLOC_MIN_SIZE;
	return kmalloc_caches[order_for(size) - KMALLOC_MIN_SHIFT];
}

static void *kmalloc_large(size_t size)
{
	unsigned order = order_for(ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT);
	unsigned long flags;
	struct page *page;

	if (order >= MAX_ORDER)
		return NULL;
	page = pmm_alloc_pages(order);
	if (!page)
		return NULL;
	page->flags |= PG_KMALLOC;
	flags = spin_lock_irqsave(&large_lock);
	large_frames += (size_t)1 << order;
	spin_unlock_irqrestore(&large_lock, flags);
	return page_address(page);
}

void *kmalloc(size_t size)
{
	if (size == 0)
		return NULL;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(size);
	BUG_ON(!kmalloc_caches[0]);
	return kmem_cache_alloc(kmalloc_cache(size));
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* The head page of a large block starting at ptr; BUGs otherwise. */
static struct page *large_head(const void *ptr)
{
	struct page *page = virt_to_page(ptr);

	BUG_ON(!page || !(page->flags & PG_KMALLOC) || ptr != page_address(page));
	return page;
}

void kfree(const void *ptr)
{
	struct page *page;
	unsigned long flags;

	if (!ptr)
		return;
	page = slab_of(ptr);
	if (page) {
		kmem_cache_free(page->slab_cache, (void *)ptr);
		return;
	}
	page = large_head(ptr);
	page->flags &= ~PG_KMALLOC;
	flags = spin_lock_irqsave(&large_lock);
	large_frames -= (size_t)1 << page->order;
	spin_unlock_irqrestore(&large_lock, flags);
	pmm_free_pages(page, page->order);
}

size_t ksize(const void *ptr)
{
	struct page *page;

	if (!ptr)
		return 0;
	page = slab_of(ptr);
	if (page)
		return page->slab_cache->obj_size;
	return PAGE_SIZE << large_head(ptr)->order;
}

void *krealloc(void *ptr, size_t size)
{
	size_t old;
	void *p;

	if (!ptr)
		return kmalloc(size);
	if (size == 0) {
		kfree(ptr);
		return NULL;
	}
	old = ksize(ptr);
	if (size <= old)
		return ptr;
	p = kmalloc(size);
	if (p) {
		memcpy(p, ptr, old);
		kfree(ptr);
	}
	return p;
}

void slab_stats(struct slab_stats *stats)
{
	unsigned long flags;
	size_t large;

	slab_caches_total(&stats->bytes_in_use, &stats->pages_held);
	flags = spin_lock_irqsave(&large_lock);
	large = large_frames;
	spin_unlock_irqrestore(&large_lock, flags);
	stats->bytes_in_use += large << PAGE_SHIFT;
	stats->pages_held += large;
}
