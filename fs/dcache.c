/*
 * The dentry cache: the tree of names the path walk follows.
 *
 * A dentry in the tree (hashed) stays while it is there; unlink, rmdir
 * and rename-over take it out (d_drop) and it goes with its last
 * reference. Each dentry holds a reference on its parent and its inode,
 * so an open file or cwd keeps its whole chain alive even once removed.
 *
 * Locking: dcache_lock (a spinlock, leaf) protects children lists,
 * parent pointers, names and the hashed flag. Reference counts are
 * atomic. Changes to a directory's entries also hold its inode.lock.
 */
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>

struct spinlock dcache_lock = SPINLOCK_INIT("dcache");
static uint64_t next_seq = 1;           /* under dcache_lock */

static struct dentry *alloc_dentry(const char *name, size_t len)
{
	struct dentry *d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	list_init(&d->children);
	list_init(&d->sibling);
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

/* The tree holds one reference on each hashed dentry (d_add, d_drop),
 * so the last put frees a dentry already out of the tree, and then puts
 * its parent. */
void d_put(struct dentry *d)
{
	while (d) {
		if (__atomic_sub_fetch(&d->refcount, 1, __ATOMIC_ACQ_REL) != 0)
			return;
		struct dentry *parent = d->parent == d ? NULL : d->parent;
		inode_put(d->inode);
		kfree(d);
		d = parent;
	}
}

void d_instantiate(struct dentry *d, struct inode *i)
{
	d->inode = i;
}

void d_add(struct dentry *d)
{
	spin_lock(&dcache_lock);
	list_add_tail(&d->sibling, &d->parent->children);
	d->seq = next_seq++;
	d->hashed = true;
	spin_unlock(&dcache_lock);
	d_get(d);       /* the tree's own, dropped by d_drop */
}

void d_drop(struct dentry *d)
{
	spin_lock(&dcache_lock);
	bool was = d->hashed;
	if (was) {
		list_del(&d->sibling);
		list_init(&d->sibling);
		d->hashed = false;
	}
	spin_unlock(&dcache_lock);
	if (was)
		d_put(d);
}

struct dentry *d_find_child(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *c, *found = NULL;

	spin_lock(&dcache_lock);
	list_for_each_entry(c, &dir->children, sibling) {
		if (strlen(c->name) == len && !memcmp(c->name, name, len)) {
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
	list_del(&d->sibling);
	strlcpy(d->name, name, sizeof(d->name));
	d->parent = newparent;
	list_add_tail(&d->sibling, &newparent->children);
	d->seq = next_seq++;
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
	strlcpy(name, a->name, sizeof(name));
	strlcpy(a->name, b->name, sizeof(a->name));
	strlcpy(b->name, name, sizeof(b->name));
	list_del(&a->sibling);
	list_del(&b->sibling);
	a->parent = pb;
	b->parent = pa;
	list_add_tail(&a->sibling, &pb->children);
	list_add_tail(&b->sibling, &pa->children);
	a->seq = next_seq++;
	b->seq = next_seq++;
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
