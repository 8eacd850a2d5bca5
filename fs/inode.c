/*
 * Inodes: allocation, reference counts, times, stat, permission.
 *
 * Reference rule: whoever holds a pointer to an inode holds a reference
 * (dentries naming it, open files, a walker between steps). The last
 * inode_put writes back and drops the page cache (mm/pagecache.h), calls
 * the super block's evict (which frees the data of an unlinked file) and
 * frees the inode. Attributes are under inode.lock.
 */
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/time.h>
#include <mm/slab.h>

static uint64_t next_ino = 1;

struct inode *inode_new(struct super_block *sb, uint32_t mode)
{
	struct inode *i = kzalloc(sizeof(*i));
	if (!i)
		return NULL;
	i->sb = sb;
	i->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	i->refcount = 1;
	mutex_init(&i->lock, "inode");
	pcache_init(&i->cache);
	i->mode = mode;
	i->nlink = 1;
	i->atime = i->mtime = i->ctime = vfs_now();
	return i;
}

void inode_get(struct inode *i)
{
	__atomic_fetch_add(&i->refcount, 1, __ATOMIC_RELAXED);
}

void inode_put(struct inode *i)
{
	if (!i || __atomic_sub_fetch(&i->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* Dirty pages go back before the file system lets go of the inode. */
	pcache_evict(i);
	if (i->sb && i->sb->ops->evict)
		i->sb->ops->evict(i);
	kfree(i);
}

struct vfs_time vfs_now(void)
{
	int64_t ns = clock_realtime_ns();
	return (struct vfs_time){ ns / 1000000000, ns % 1000000000 };
}

/* The caller holds i->lock. */
void inode_touch(struct inode *i, unsigned which)
{
	struct vfs_time now = vfs_now();
	if (which & INODE_ATIME)
		i->atime = now;
	if (which & INODE_MTIME)
		i->mtime = now;
	if (which & INODE_CTIME)
		i->ctime = now;
}

void inode_fill_stat(struct inode *i, struct kstat *st)
{
	mutex_lock(&i->lock);
	*st = (struct kstat){
		.dev = i->sb ? i->sb->dev : 0, .ino = i->ino, .nlink = i->nlink,
		.rdev = i->rdev, .size = i->size, .blocks = i->blocks,
		.mode = i->mode, .uid = i->uid, .gid = i->gid, .blksize = 4096,
		.atime = i->atime, .mtime = i->mtime, .ctime = i->ctime,
	};
	mutex_unlock(&i->lock);
}

/* The caller's credentials; root's for the kernel itself (boot). */
const struct cred *current_cred(void)
{
	static const struct cred kernel_cred;
	struct proc *p = current_proc();
	return p ? &p->cred : &kernel_cred;
}

int inode_permission(struct inode *i, int mask)
{
	return cred_permission(current_cred(), i, mask);
}

int cred_permission(const struct cred *c, struct inode *i, int mask)
{
	struct group_info *g = cred_groups_get(c);
	int err = vfs_permission_check(c->fsuid, c->fsgid, g ? g->gid : NULL, g ? g->ngroups : 0,
				       READ_ONCE(i->mode), READ_ONCE(i->uid), READ_ONCE(i->gid), mask);
	groups_put(g);
	return err;
}

bool in_group(uint32_t gid)
{
	const struct cred *c = current_cred();
	if (c->fsgid == gid)
		return true;
	struct group_info *g = cred_groups_get(c);
	bool found = groups_search(g, gid);
	groups_put(g);
	return found;
}

/* The caller may change i's attributes as its owner (or is root). */
bool capable_fowner(const struct inode *i)
{
	const struct cred *c = current_cred();
	return c->fsuid == 0 || c->fsuid == READ_ONCE(i->uid);
}
