/*
 * The buffer cache: blocks of disks kept in memory, keyed by (disk, first
 * sector, size), so that a partition and its disk share buffers. A buffer
 * is handed out locked (one holder at a time, others sleep); unreferenced
 * buffers sit on an LRU list and the oldest is reused when the cache is
 * full, written back first if dirty. Dirty buffers are written by
 * bwrite(), bdev_sync(), or before their memory is reused.
 *
 * Locking: bcache_lock (a spinlock, leaf, never held across I/O or sleep)
 * protects the hash chains, the LRU, refcnt and `locked` of every buffer.
 * A buffer's own sleeping lock (`locked`, waited for on bcache_wait; a
 * local wait-queue lock because this branch has no kernel mutex) protects
 * its data, valid and dirty. A holder may sleep for I/O with it.
 * A buffer is freed only with refcnt 0 under bcache_lock, so a holder's
 * pointer stays valid until its brelse().
 */
#include <drivers/block/blkdev.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>

#define BCACHE_HASH     128

static struct spinlock bcache_lock = SPINLOCK_INIT("bcache");
static struct wait_queue bcache_wait = WAIT_QUEUE_INIT(bcache_wait);
static struct list_head hash[BCACHE_HASH];
static LIST_HEAD(lru);                  /* refcnt 0, least recently used first */
static unsigned nr_bufs;
static bool hash_ready;

static struct list_head *bucket(struct block_device *disk, uint64_t sector)
{
	uintptr_t h = (uintptr_t)disk / 64 + sector * 0x9e3779b97f4a7c15ull;
	return &hash[(h >> 32) % BCACHE_HASH];
}

static void hash_init_once(void)
{
	if (hash_ready)
		return;
	for (unsigned i = 0; i < BCACHE_HASH; i++)
		list_init(&hash[i]);
	hash_ready = true;
}

static struct buf *lookup(struct block_device *disk, uint64_t sector, uint32_t size)
{
	struct buf *b;

	list_for_each_entry(b, bucket(disk, sector), hash_link)
		if (b->disk == disk && b->sector == sector && b->size == size)
			return b;
	return NULL;
}

static void hold(struct buf *b)
{
	assert_held(&bcache_lock);
	if (b->refcnt++ == 0)
		list_del(&b->lru_link);
}

static void free_buf(struct buf *b)
{
	kfree(b->data);
	kfree(b);
}

/* Unhash the unreferenced, clean buffer b (the caller frees it). */
static void unhash(struct buf *b)
{
	assert_held(&bcache_lock);
	list_del(&b->lru_link);
	list_del(&b->hash_link);
	nr_bufs--;
}

/* The oldest unreferenced clean buffer, unhashed; NULL if none. */
static struct buf *take_clean_victim(void)
{
	struct buf *b;

	assert_held(&bcache_lock);
	list_for_each_entry(b, &lru, lru_link) {
		if (!b->dirty) {
			unhash(b);
			return b;
		}
	}
	return NULL;
}

static bool try_lock_buf(struct buf *b)
{
	bool got = false;

	spin_lock(&bcache_lock);
	if (!b->locked)
		got = b->locked = true;
	spin_unlock(&bcache_lock);
	return got;
}

static void lock_buf(struct buf *b)
{
	wait_event(&bcache_wait, try_lock_buf(b));
}

/* Write back the dirty unreferenced buffer b to make room; called with
 * bcache_lock held, returns without it. 0 or -EIO (b stays dirty). */
static int clean_one(struct buf *b)
{
	int err = 0;

	hold(b);
	spin_unlock(&bcache_lock);
	lock_buf(b);
	if (b->dirty)
		err = bwrite(b);
	brelse(b);
	return err;
}

static struct buf *new_buf(struct block_device *disk, uint64_t sector, uint32_t size)
{
	struct buf *b = kzalloc(sizeof(*b));

	if (!b)
		return NULL;
	b->data = kmalloc(size);
	if (!b->data) {
		kfree(b);
		return NULL;
	}
	b->disk = disk;
	b->sector = sector;
	b->size = size;
	return b;
}

/* The buffer, referenced and locked for the caller; NULL: no memory. */
static struct buf *get_locked(struct block_device *disk, uint64_t sector, uint32_t size)
{
	struct buf *b, *fresh = NULL, *victim = NULL;
	bool grow = false;      /* a write-back failed: exceed the limit instead */

	for (;;) {
		spin_lock(&bcache_lock);
		hash_init_once();
		if ((b = lookup(disk, sector, size)) != NULL) {
			hold(b);
			break;
		}
		if (nr_bufs >= BCACHE_MAX_BUFS && !grow && !list_empty(&lru)) {
			/* Reuse the least recently used buffer, writing it
			 * back first if it is dirty. */
			struct buf *old = list_first_entry(&lru, struct buf, lru_link);
			if (old->dirty) {
				grow = clean_one(old) != 0;
				continue;       /* clean_one dropped the lock */
			}
			unhash(old);
			if (victim)
				free_buf(victim);       /* cannot happen: one per pass */
			victim = old;
		}
		if (!fresh) {
			spin_unlock(&bcache_lock);
			if (victim)
				free_buf(victim), victim = NULL;
			if (!(fresh = new_buf(disk, sector, size)))
				return NULL;
			continue;       /* someone may have added it meanwhile */
		}
		b = fresh, fresh = NULL;
		b->refcnt = 1;
		b->locked = true;       /* nobody else can see it yet */
		list_add(&b->hash_link, bucket(disk, sector));
		nr_bufs++;
		spin_unlock(&bcache_lock);
		goto out;
	}
	spin_unlock(&bcache_lock);
	lock_buf(b);
out:
	if (victim)
		free_buf(victim);
	if (fresh)
		free_buf(fresh);
	return b;
}

/* Key of block blockno of bdev, or -errno. */
static int block_key(struct block_device *bdev, uint64_t blockno, uint32_t size,
		     uint64_t *sector)
{
	uint64_t per = size >> SECTOR_SHIFT;

	if (size < SECTOR_SIZE || size > 4096 || size % bdev->whole->block_size)
		return -EINVAL;
	if (blockno >= bdev->nr_sectors / per)
		return -ENXIO;
	*sector = bdev->start_sect + blockno * per;
	return 0;
}

/* The buffer for a block, locked, valid or not; or an error pointer. */
static struct buf *buf_for(struct block_device *bdev, uint64_t blockno, uint32_t size)
{
	uint64_t sector;
	int err = block_key(bdev, blockno, size, &sector);
	struct buf *b;

	if (err)
		return ERR_PTR(err);
	b = get_locked(bdev->whole, sector, size);
	return b ? b : ERR_PTR(-ENOMEM);
}

struct buf *bget(struct block_device *bdev, uint64_t blockno, uint32_t size)
{
	struct buf *b = buf_for(bdev, blockno, size);

	if (!IS_ERR(b) && !b->valid) {
		memset(b->data, 0, size);
		b->valid = true;
	}
	return b;
}

struct buf *bread(struct block_device *bdev, uint64_t blockno, uint32_t size)
{
	struct buf *b = buf_for(bdev, blockno, size);

	if (!IS_ERR(b) && !b->valid) {
		int err = bdev_read(b->disk, b->sector, b->data, size);
		if (err) {
			brelse(b);
			return ERR_PTR(err);
		}
		b->valid = true;
	}
	return b;
}

int bwrite(struct buf *b)
{
	int err = bdev_write(b->disk, b->sector, b->data, b->size);

	b->dirty = err != 0;
	return err;
}

void bdirty(struct buf *b)
{
	b->dirty = true;
}

void brelse(struct buf *b)
{
	spin_lock(&bcache_lock);
	b->locked = false;
	if (--b->refcnt == 0)
		list_add_tail(&b->lru_link, &lru);
	spin_unlock(&bcache_lock);
	wait_queue_wake_all(&bcache_wait);
}

/* A dirty buffer of disk, referenced (not locked); NULL when none is left.
 * `dirty` is read without the buffer's lock: a hint, rechecked under it. */
static struct buf *find_dirty(struct block_device *disk, struct buf *skip_until)
{
	struct buf *b;

	spin_lock(&bcache_lock);
	hash_init_once();
	for (unsigned i = 0; i < BCACHE_HASH; i++) {
		list_for_each_entry(b, &hash[i], hash_link) {
			if (b->disk == disk && READ_ONCE(b->dirty) && b != skip_until) {
				hold(b);
				spin_unlock(&bcache_lock);
				return b;
			}
		}
	}
	spin_unlock(&bcache_lock);
	return NULL;
}

int bdev_sync(struct block_device *bdev)
{
	struct block_device *disk = bdev->whole;
	struct buf *b, *failed = NULL;
	int err = 0;

	/* A buffer whose write fails stays dirty: skip it on the next rounds
	 * (at most one failure is skipped; a second ends the sync). */
	while ((b = find_dirty(disk, failed)) != NULL) {
		lock_buf(b);
		if (b->dirty) {
			int e = bwrite(b);
			if (e) {
				if (err) {
					brelse(b);
					return err;
				}
				err = e;
				failed = b;
			}
		}
		brelse(b);
	}
	int e = bdev_flush(disk);
	return err ? err : e;
}

unsigned bcache_nr_bufs(void)
{
	return READ_ONCE(nr_bufs);
}

void bcache_shrink(void)
{
	struct buf *b;

	for (;;) {
		spin_lock(&bcache_lock);
		hash_init_once();
		b = take_clean_victim();
		spin_unlock(&bcache_lock);
		if (!b)
			return;
		free_buf(b);
	}
}
