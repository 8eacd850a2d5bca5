/*
 * The page cache (mm/pagecache.h): a file's pages by index, filled with
 * ->readpage, written back with ->writepage. Lock order:
 *   inode.lock (mutex) -> page_cache.lock -> dirty_lock, pmm_lock
 *   mm_list_lock -> mm->lock -> page_cache.lock (faults, zapping)
 * Nothing sleeps under page_cache.lock; readpage runs with the page
 * PG_LOCKED and no spinlock held.
 */
#include <mm/pagecache.h>
#include <mm/filemap.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/string.h>

/* Inodes with dirty pages, for sync(2): linked by page_cache.dirty_link. */
static struct spinlock dirty_lock = SPINLOCK_INIT("pcache_dirty");
static LIST_HEAD(dirty_inodes);

void pcache_init(struct page_cache *pc)
{
	spin_lock_init(&pc->lock, "pcache");
	wait_queue_init(&pc->wait);
	list_init(&pc->dirty_link);
}

bool inode_cached(const struct inode *i)
{
	return S_ISREG(i->mode) && (i->ops->readpage || (i->cache.flags & PCACHE_STORAGE));
}

static struct page *slot(struct page_cache *pc, uint64_t index)
{
	return index < pc->cap ? pc->slots[index] : NULL;
}

/* Make slots reach index. pc->lock held (kzalloc does not sleep). */
static int grow(struct page_cache *pc, uint64_t index)
{
	if (index < pc->cap)
		return 0;
	if (index >= PCACHE_MAX_BYTES / PAGE_SIZE)
		return -EFBIG;
	uint64_t cap = MAX(MAX(pc->cap * 2, index + 1), (uint64_t)16);
	struct page **slots = kzalloc(cap * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	if (pc->slots)
		memcpy(slots, pc->slots, pc->cap * sizeof(*slots));
	kfree(pc->slots);
	pc->slots = slots;
	pc->cap = cap;
	return 0;
}

/* Set PG_DIRTY or PG_MAPWR; the first such page puts the inode on the
 * dirty list. pc->lock held. */
static void set_dirty_locked(struct inode *i, struct page *pg, unsigned flag)
{
	struct page_cache *pc = &i->cache;

	if (!(pg->flags & (PG_DIRTY | PG_MAPWR)) && pc->nr_dirty++ == 0) {
		spin_lock(&dirty_lock);
		list_add_tail(&pc->dirty_link, &dirty_inodes);
		spin_unlock(&dirty_lock);
	}
	pg->flags |= flag;
}

/* Clear flags; the last dirty page takes the inode off the list. */
static void clear_dirty_locked(struct page_cache *pc, struct page *pg, unsigned flags)
{
	bool was = pg->flags & (PG_DIRTY | PG_MAPWR);

	pg->flags &= ~flags;
	if (was && !(pg->flags & (PG_DIRTY | PG_MAPWR)) && --pc->nr_dirty == 0) {
		spin_lock(&dirty_lock);
		list_del(&pc->dirty_link);
		list_init(&pc->dirty_link);
		spin_unlock(&dirty_lock);
	}
}

/* Take pg out of the cache (its slot is index). pc->lock held. The
 * cache's reference goes; leaves that still map it keep theirs. */
/* Pages in every cache, for /proc/meminfo's Cached. */
static uint64_t cached_pages;

uint64_t pcache_total_pages(void)
{
	return __atomic_load_n(&cached_pages, __ATOMIC_RELAXED);
}

static void remove_locked(struct page_cache *pc, uint64_t index, struct page *pg)
{
	clear_dirty_locked(pc, pg, PG_DIRTY | PG_MAPWR);
	pc->slots[index] = NULL;
	pc->nr_pages--;
	__atomic_fetch_sub(&cached_pages, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&pg->private, NULL, __ATOMIC_RELEASE);
	pg->flags &= ~(PG_CACHE | PG_LOCKED);
	put_page(pg);
}

static void wait_unlocked(struct page_cache *pc, struct page *pg)
{
	wait_event(&pc->wait, !(__atomic_load_n(&pg->flags, __ATOMIC_ACQUIRE) & PG_LOCKED));
}

/* A new frame for index: zeroed unless readpage will fill it. */
static struct page *alloc_page_for(bool zero)
{
	phys_addr_t pa = zero ? pmm_alloc_zeroed_frame() : pmm_alloc_frame();
	return pa ? phys_to_page(pa) : NULL;
}

/* Fill a PG_LOCKED page just inserted at index; on failure it leaves. */
static int fill_page(struct inode *i, uint64_t index, struct page *pg)
{
	struct page_cache *pc = &i->cache;
	int err = i->ops->readpage(i, index, page_address(pg));

	spin_lock(&pc->lock);
	pg->flags &= ~PG_LOCKED;
	if (err)
		remove_locked(pc, index, pg);
	spin_unlock(&pc->lock);
	wait_queue_wake_all(&pc->wait);
	if (err && pc->account)
		pc->account(i, -1);
	return err;
}

int pcache_get_page(struct inode *i, uint64_t index, unsigned flags, struct page **out)
{
	struct page_cache *pc = &i->cache;
	bool read = i->ops->readpage && !(flags & PCG_NOREAD);
	struct page *pg, *fresh = NULL;
	int err;

	for (;;) {
		spin_lock(&pc->lock);
		pg = slot(pc, index);
		if (pg) {
			get_page(pg);
			bool locked = pg->flags & PG_LOCKED;
			spin_unlock(&pc->lock);
			if (!locked)
				break;
			wait_unlocked(pc, pg);
			put_page(pg);
			continue;
		}
		if (!fresh) {
			spin_unlock(&pc->lock);
			fresh = alloc_page_for(!read);
			if (!fresh)
				return -ENOMEM;
			continue;
		}
		err = grow(pc, index);
		if (err) {
			spin_unlock(&pc->lock);
			put_page(fresh);
			return err;
		}
		pg = fresh;
		fresh = NULL;
		pg->flags |= PG_CACHE | (read ? PG_LOCKED : 0);
		pg->private = pc;
		pc->slots[index] = pg;
		pc->nr_pages++;
		__atomic_fetch_add(&cached_pages, 1, __ATOMIC_RELAXED);
		get_page(pg);                   /* the caller's; the cache keeps the first */
		spin_unlock(&pc->lock);
		if (pc->account)
			pc->account(i, 1);
		if (read && (err = fill_page(i, index, pg))) {
			put_page(pg);
			return err;
		}
		break;
	}
	if (fresh)
		put_page(fresh);
	*out = pg;
	return 0;
}

static void mark(struct inode *i, struct page *pg, unsigned flag)
{
	struct page_cache *pc = &i->cache;

	if (pc->flags & PCACHE_STORAGE)
		return;                         /* nothing to write back to */
	spin_lock(&pc->lock);
	if (pg->private == pc)
		set_dirty_locked(i, pg, flag);
	spin_unlock(&pc->lock);
}

void pcache_mark_dirty(struct inode *i, struct page *pg)
{
	mark(i, pg, PG_DIRTY);
}

void pcache_mark_mapped_writable(struct inode *i, struct page *pg)
{
	mark(i, pg, PG_MAPWR);
}

bool pcache_page_attached(struct inode *i, struct page *pg)
{
	return __atomic_load_n(&pg->private, __ATOMIC_ACQUIRE) == &i->cache;
}

/* The first page at or after *index that needs writing, with a reference
 * and its dirty state cleared (PG_MAPWR stays while a leaf maps it). */
static struct page *next_dirty(struct page_cache *pc, uint64_t *index)
{
	struct page *pg = NULL;

	spin_lock(&pc->lock);
	for (; *index < pc->cap; (*index)++) {
		pg = pc->slots[*index];
		if (pg && (pg->flags & (PG_DIRTY | PG_MAPWR)))
			break;
		pg = NULL;
	}
	if (pg) {
		get_page(pg);
		/* cache + us: no leaf maps it any more. */
		clear_dirty_locked(pc, pg, PG_DIRTY | (page_count(pg) <= 2 ? PG_MAPWR : 0));
	}
	spin_unlock(&pc->lock);
	return pg;
}

int pcache_writeback(struct inode *i)
{
	struct page_cache *pc = &i->cache;
	uint64_t index = 0;
	struct page *pg;
	int err = 0;

	if ((pc->flags & PCACHE_STORAGE) || !i->ops->writepage)
		return 0;
	while ((pg = next_dirty(pc, &index))) {
		int e = i->ops->writepage(i, index, page_address(pg));
		if (e) {
			mark(i, pg, PG_DIRTY);  /* try again next time */
			err = err ? err : e;
		}
		put_page(pg);
		index++;
	}
	return err;
}

/* Drop every page from index first on; returns how many went. */
static int drop_from(struct page_cache *pc, uint64_t first)
{
	int dropped = 0;

	spin_lock(&pc->lock);
	for (uint64_t n = first; n < pc->cap; n++) {
		struct page *pg = pc->slots[n];

		if (!pg)
			continue;
		if (pg->flags & PG_LOCKED) {    /* a read in flight: let it finish */
			get_page(pg);
			spin_unlock(&pc->lock);
			wait_unlocked(pc, pg);
			put_page(pg);
			spin_lock(&pc->lock);
			n--;
			continue;
		}
		remove_locked(pc, n, pg);
		dropped++;
	}
	spin_unlock(&pc->lock);
	return dropped;
}

void pcache_truncate(struct inode *i, uint64_t size)
{
	struct page_cache *pc = &i->cache;
	uint64_t first = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	int dropped = drop_from(pc, first);

	if (dropped && pc->account)
		pc->account(i, -dropped);
	if (size % PAGE_SIZE) {
		spin_lock(&pc->lock);
		struct page *pg = slot(pc, size / PAGE_SIZE);
		if (pg && !(pg->flags & PG_LOCKED))
			memset((uint8_t *)page_address(pg) + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
		spin_unlock(&pc->lock);
	}
	if (__atomic_load_n(&pc->nr_mmaps, __ATOMIC_ACQUIRE))
		filemap_zap(i, first * PAGE_SIZE);
}

void pcache_evict(struct inode *i)
{
	struct page_cache *pc = &i->cache;

	if (!S_ISREG(i->mode))
		return;
	if (i->nlink) {
		mutex_lock(&i->lock);   /* nobody else has i: for writepage's rule */
		pcache_writeback(i);
		mutex_unlock(&i->lock);
	}
	int dropped = drop_from(pc, 0);
	if (dropped && pc->account)
		pc->account(i, -dropped);
	kfree(pc->slots);
	pc->slots = NULL;
	pc->cap = 0;
}

/* A reference on i unless it is already being evicted (refcount 0). */
static bool inode_get_live(struct inode *i)
{
	int r = __atomic_load_n(&i->refcount, __ATOMIC_RELAXED);

	while (r > 0)
		if (__atomic_compare_exchange_n(&i->refcount, &r, r + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	return false;
}

int pcache_sync_all(struct super_block *sb)
{
	LIST_HEAD(todo);
	int err = 0;

	/* Work from a snapshot: an inode that stays dirty goes back on the
	 * global list, not on todo, so the loop ends. */
	spin_lock(&dirty_lock);
	if (!list_empty(&dirty_inodes)) {
		todo = dirty_inodes;
		todo.next->prev = &todo;
		todo.prev->next = &todo;
		list_init(&dirty_inodes);
	}
	for (;;) {
		if (list_empty(&todo))
			break;
		struct page_cache *pc = list_entry(todo.next, struct page_cache, dirty_link);
		struct inode *i = container_of(pc, struct inode, cache);
		list_del(&pc->dirty_link);
		list_add_tail(&pc->dirty_link, &dirty_inodes);
		if ((sb && i->sb != sb) || !inode_get_live(i))
			continue;
		spin_unlock(&dirty_lock);
		mutex_lock(&i->lock);
		int e = pcache_writeback(i);
		mutex_unlock(&i->lock);
		inode_put(i);
		err = err ? err : e;
		spin_lock(&dirty_lock);
	}
	spin_unlock(&dirty_lock);
	return err;
}
