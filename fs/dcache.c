/*
 * The dentry cache: the tree of names the path walk follows.
 *
 * A dentry in the tree (hashed) stays while it is there; unlink, rmdir
 * and rename-over take it out (d_drop) and it goes with its last
 * reference. Each dentry holds a reference on its parent and its inode,
 * so an open file or cwd keeps its whole chain alive even once removed.
 *
 * Eviction: a hashed dentry whose only reference is the tree's is unused.
 * If its directory's entries live in the file system (the directory has
 * ->lookup: ext2, procfs), the name can be looked up again, so it is put
 * on an LRU; past DCACHE_MAX_UNUSED of them the shrinker thread (dcached)
 * takes the oldest out of the tree and frees them, with their inodes,
 * and so their parents in turn once they are unused. tmpfs directories
 * exist only as dentries and are never evicted; negative dentries are
 * never kept (lookup_child drops them), so they cannot pile up.
 *
 * Lookup: a hashed dentry is on its parent's children list (readdir,
 * in order of entry) and in a hash table keyed by (parent, name), so a
 * directory of many entries is searched in constant time.
 *
 * Locking: dcache_lock (a spinlock, leaf) protects children lists, the
 * hash table, parent pointers, names, the hashed flag and the LRU. Reference counts
 * are atomic, but a count goes down to 1 or 0 only under dcache_lock, so
 * "refcount is 1 and hashed" seen under the lock means nobody but the
 * tree holds the dentry, and a new reference can only come from the tree
 * (d_find_child, a child's parent pointer), under the lock too. Changes
 * to a directory's entries also hold its inode.lock; the shrinker does
 * not take it (it removes only entries nobody holds, which the file
 * system can give again). d_put must not be called with dcache_lock held.
 */
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/task.h>
#include <kernel/string.h>
#include <mm/slab.h>

struct spinlock dcache_lock = SPINLOCK_INIT("dcache");
static uint64_t next_seq = 1;           /* under dcache_lock */

/* At most this many unused dentries are kept (the shrinker trims to 3/4
 * of it). Small: each costs about a KiB with its inode, and the test
 * runner counts what a program leaves behind. */
#define DCACHE_MAX_UNUSED 128

#define D_HASH_BITS 12
static struct list_head d_hash[1u << D_HASH_BITS];     /* under dcache_lock; {0} is empty */

static uint32_t name_hash(const struct dentry *parent, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (uintptr_t)parent;       /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 32));
}

static struct list_head *bucket(uint32_t hash)
{
	struct list_head *b = &d_hash[hash & ((1u << D_HASH_BITS) - 1)];
	if (!b->next)
		list_init(b);
	return b;
}

/* Enter d (name and parent set) into its parent's entries. */
static void hash_locked(struct dentry *d)
{
	d->hash = name_hash(d->parent, d->name, strlen(d->name));
	list_add_tail(&d->hash_link, bucket(d->hash));
	list_add_tail(&d->sibling, &d->parent->children);
	d->seq = next_seq++;
	d->hashed = true;
}

static void unhash_locked(struct dentry *d)
{
	list_del(&d->hash_link);
	list_init(&d->hash_link);
	list_del(&d->sibling);
	list_init(&d->sibling);
	d->hashed = false;
}

static LIST_HEAD(lru);                  /* oldest first, under dcache_lock */
static unsigned nr_unused;              /* on the LRU, under dcache_lock */
static struct wait_queue shrink_wq = WAIT_QUEUE_INIT(shrink_wq);

static struct dentry *alloc_dentry(const char *name, size_t len)
{
	struct dentry *d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	list_init(&d->children);
	list_init(&d->sibling);
	list_init(&d->hash_link);
	list_init(&d->lru);
	d->refcount = 1;
	return d;
}

struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = alloc_dentry(name, len);
	if (!d)
		return NULL;
	d_get(parent);
	d->parent = parent;
	return d;
}

struct dentry *d_alloc_root(struct inode *root)
{
	struct dentry *d = alloc_dentry("/", 1);
	if (!d)
		return NULL;
	d->parent = d;
	d->inode = root;
	d->hashed = true;
	return d;
}

void d_get(struct dentry *d)
{
	__atomic_fetch_add(&d->refcount, 1, __ATOMIC_RELAXED);
}

/* May d be dropped from the cache and found again later? (dcache_lock) */
static bool evictable_locked(struct dentry *d)
{
	struct dentry *p = d->parent;
	return p != d && d->hashed && d->inode && p->inode && p->inode->ops->lookup;
}

static void lru_del_locked(struct dentry *d)
{
	if (d->on_lru) {
		list_del(&d->lru);
		list_init(&d->lru);
		d->on_lru = false;
		nr_unused--;
	}
}

/* Drop one reference unless that would leave 2 or fewer: true if done. */
static bool put_fast(struct dentry *d)
{
	int old = __atomic_load_n(&d->refcount, __ATOMIC_RELAXED);
	while (old > 2)
		if (__atomic_compare_exchange_n(&d->refcount, &old, old - 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* The tree holds one reference on each hashed dentry (d_add, d_drop),
 * so the last put frees a dentry already out of the tree, and then puts
 * its parent. A put that leaves only the tree's reference puts an
 * evictable dentry on the LRU. */
void d_put(struct dentry *d)
{
	while (d) {
		if (put_fast(d))
			return;
		bool wake = false;
		spin_lock(&dcache_lock);
		int left = __atomic_sub_fetch(&d->refcount, 1, __ATOMIC_ACQ_REL);
		if (left == 1 && !d->on_lru && evictable_locked(d)) {
			list_add_tail(&d->lru, &lru);
			d->on_lru = true;
			wake = ++nr_unused > DCACHE_MAX_UNUSED;
		}
		if (left == 0)
			lru_del_locked(d);
		spin_unlock(&dcache_lock);
		if (wake)
			wait_queue_wake_all(&shrink_wq);
		if (left != 0)
			return;
		struct dentry *parent = d->parent == d ? NULL : d->parent;
		inode_put(d->inode);
		kfree(d);
		d = parent;
	}
}

/* Evict up to n unused dentries, oldest first: the number freed. */
static unsigned d_shrink(unsigned n)
{
	struct list_head dispose;
	struct dentry *d;
	unsigned freed = 0;

	list_init(&dispose);
	spin_lock(&dcache_lock);
	while (n-- && !list_empty(&lru)) {
		d = list_first_entry(&lru, struct dentry, lru);
		lru_del_locked(d);
		/* Used again since it went on the LRU: it comes back when
		 * unused again. */
		if (__atomic_load_n(&d->refcount, __ATOMIC_ACQUIRE) != 1 || !evictable_locked(d))
			continue;
		unhash_locked(d);
		list_add_tail(&d->lru, &dispose);
	}
	spin_unlock(&dcache_lock);
	while (!list_empty(&dispose)) {
		d = list_first_entry(&dispose, struct dentry, lru);
		list_del(&d->lru);
		list_init(&d->lru);
		d_put(d);               /* the tree's reference: frees it */
		freed++;
	}
	return freed;
}

static unsigned unused_count(void)
{
	return READ_ONCE(nr_unused);
}

static void dcached(void *arg)
{
	(void)arg;
	for (;;) {
		wait_event(&shrink_wq, unused_count() > DCACHE_MAX_UNUSED);
		unsigned n = unused_count();
		if (n > DCACHE_MAX_UNUSED * 3 / 4)
			d_shrink(n - DCACHE_MAX_UNUSED * 3 / 4);
	}
}

void dcache_init(void)
{
	if (!task_create("dcached", dcached, NULL))
		panic("dcache: cannot start the shrinker");
}

void d_instantiate(struct dentry *d, struct inode *i)
{
	d->inode = i;
}

void d_add(struct dentry *d)
{
	d_get(d);       /* the tree's own, dropped by d_drop; taken before the
			 * dentry can be found, so no one sees it hashed with a
			 * count that does not include it */
	spin_lock(&dcache_lock);
	hash_locked(d);
	spin_unlock(&dcache_lock);
}

void d_drop(struct dentry *d)
{
	spin_lock(&dcache_lock);
	bool was = d->hashed;
	if (was)
		unhash_locked(d);
	spin_unlock(&dcache_lock);
	if (was)
		d_put(d);
}

void d_drop_below(struct dentry *root)
{
	for (;;) {
		spin_lock(&dcache_lock);
		struct dentry *d = root;
		while (!list_empty(&d->children))   /* down to a leaf */
			d = list_first_entry(&d->children, struct dentry, sibling);
		spin_unlock(&dcache_lock);
		if (d == root)
			break;
		d_drop(d);
	}
}

struct dentry *d_find_child(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *c, *found = NULL;
	uint32_t h = name_hash(dir, name, len);

	spin_lock(&dcache_lock);
	list_for_each_entry(c, bucket(h), hash_link) {
		if (c->hash == h && c->parent == dir && !memcmp(c->name, name, len) &&
		    c->name[len] == '\0') {
			found = c;
			d_get(c);
			break;
		}
	}
	spin_unlock(&dcache_lock);
	return found;
}

void d_move(struct dentry *d, struct dentry *newparent, const char *name)
{
	spin_lock(&dcache_lock);
	struct dentry *old = d->parent;
	unhash_locked(d);
	strlcpy(d->name, name, sizeof(d->name));
	d->parent = newparent;
	hash_locked(d);
	spin_unlock(&dcache_lock);
	if (old != newparent) {
		d_get(newparent);
		d_put(old);
	}
}

void d_exchange(struct dentry *a, struct dentry *b)
{
	char name[NAME_MAX + 1];
	spin_lock(&dcache_lock);
	struct dentry *pa = a->parent, *pb = b->parent;
	unhash_locked(a);
	unhash_locked(b);
	strlcpy(name, a->name, sizeof(name));
	strlcpy(a->name, b->name, sizeof(a->name));
	strlcpy(b->name, name, sizeof(b->name));
	a->parent = pb;
	b->parent = pa;
	hash_locked(a);
	hash_locked(b);
	spin_unlock(&dcache_lock);
	/* Each holds a reference on its parent: they swapped parents too. */
}

int d_path_in_fs(struct dentry *d, char *buf, size_t size)
{
	size_t pos = size - 1;
	int err = 0;
	buf[pos] = '\0';
	spin_lock(&dcache_lock);
	for (; d->parent != d; d = d->parent) {
		size_t l = strlen(d->name);
		if (l + 1 > pos) {
			err = -ENAMETOOLONG;
			break;
		}
		pos -= l;
		memcpy(buf + pos, d->name, l);
		buf[--pos] = '/';
	}
	spin_unlock(&dcache_lock);
	if (err)
		return err;
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	return 0;
}
