/*
 * tmpfs: a file system in memory. Directories live only in the dentry
 * cache (each entry is a hashed dentry, so ->lookup is not needed);
 * regular files keep their data in the page cache, which is their only
 * storage (PCACHE_STORAGE: a missing page is a hole, read as zeros), and
 * use the generic page-cache file operations; symlinks keep their target
 * string.
 *
 * Locking: inode.lock covers the size and, for directories, their
 * entries (the VFS holds it around the ops); the page cache has its own
 * lock. tmpfs_sb.lock (a spinlock) covers the usage counters.
 */
#include <fs/vfs.h>
#include <fs/tmpfs.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/pmm.h>
#include <mm/phys.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define TMPFS_MAGIC 0x01021994

struct tmpfs_sb {
	struct spinlock lock;
	uint64_t pages, inodes;         /* in use */
};

static const struct inode_ops tmpfs_dir_ops, tmpfs_file_ops, tmpfs_link_ops, tmpfs_special_ops;
static const struct file_ops tmpfs_dir_fops;
static uint64_t next_dev = 1;

static struct tmpfs_sb *TSB(struct super_block *sb) { return sb->fs_private; }

static void count(struct super_block *sb, int64_t pages, int64_t inodes)
{
	struct tmpfs_sb *t = TSB(sb);
	spin_lock(&t->lock);
	t->pages += (uint64_t)pages;
	t->inodes += (uint64_t)inodes;
	spin_unlock(&t->lock);
}

/* The page cache added or dropped pages of i's data. */
static void account_pages(struct inode *i, int pages)
{
	__atomic_fetch_add(&i->blocks, (int64_t)pages * (PAGE_SIZE / 512), __ATOMIC_RELAXED);
	count(i->sb, pages, 0);
}

/* A new inode owned by the caller's fs ids (the directory's group if it is
 * set-group-ID, which a subdirectory inherits). */
static struct inode *tmpfs_new_inode(struct super_block *sb, struct inode *dir, uint32_t mode)
{
	struct inode *i = inode_new(sb, mode);
	if (!i)
		return NULL;
	const struct cred *c = current_cred();
	i->uid = c->fsuid;
	i->gid = c->fsgid;
	if (dir && (dir->mode & S_ISGID)) {
		i->gid = dir->gid;
		if (S_ISDIR(mode))
			i->mode |= S_ISGID;
	}
	switch (mode & S_IFMT) {
	case S_IFDIR:
		i->ops = &tmpfs_dir_ops;
		i->fops = &tmpfs_dir_fops;
		i->nlink = 2;
		i->size = 4096;
		break;
	case S_IFREG:
		i->ops = &tmpfs_file_ops;
		i->fops = &generic_file_fops;
		i->cache.flags = PCACHE_STORAGE;
		i->cache.account = account_pages;
		break;
	case S_IFLNK:
		i->ops = &tmpfs_link_ops;
		break;
	default:
		i->ops = &tmpfs_special_ops;
		break;
	}
	count(sb, 0, 1);
	return i;
}

/* Link a new inode under d in dir (dir->lock held). */
static void attach(struct inode *dir, struct dentry *d, struct inode *i)
{
	d_instantiate(d, i);
	d_add(d);
	inode_touch(dir, INODE_MTIME | INODE_CTIME);
}

static int tmpfs_create(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev)
{
	struct inode *i = tmpfs_new_inode(dir->sb, dir, mode);
	if (!i)
		return -ENOMEM;
	i->rdev = rdev;
	attach(dir, d, i);
	return 0;
}

/* O_TMPFILE: a regular file with no name yet (nlink 0); the VFS gives
 * it an unhashed dentry, and linkat may name it later. */
static int tmpfs_tmpfile(struct inode *dir, uint32_t mode, struct inode **out)
{
	struct inode *i = tmpfs_new_inode(dir->sb, dir, S_IFREG | (mode & 07777));
	if (!i)
		return -ENOMEM;
	i->nlink = 0;
	*out = i;
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	struct inode *i = tmpfs_new_inode(dir->sb, dir, S_IFDIR | (mode & 07777));
	if (!i)
		return -ENOMEM;
	dir->nlink++;
	attach(dir, d, i);
	return 0;
}

static int tmpfs_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	size_t len = strlen(target);
	char *copy = kmalloc(len + 1);
	struct inode *i = copy ? tmpfs_new_inode(dir->sb, dir, S_IFLNK | 0777) : NULL;
	if (!i) {
		kfree(copy);
		return -ENOMEM;
	}
	memcpy(copy, target, len + 1);
	i->fs_private = copy;
	i->size = len;
	attach(dir, d, i);
	return 0;
}

static int tmpfs_link(struct inode *target, struct inode *dir, struct dentry *d)
{
	mutex_lock(&target->lock);
	target->nlink++;
	inode_touch(target, INODE_CTIME);
	mutex_unlock(&target->lock);
	inode_get(target);
	attach(dir, d, target);
	return 0;
}

static void drop_link(struct inode *i)
{
	mutex_lock(&i->lock);
	i->nlink -= S_ISDIR(i->mode) ? 2 : 1;
	inode_touch(i, INODE_CTIME);
	mutex_unlock(&i->lock);
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	drop_link(d->inode);
	inode_touch(dir, INODE_MTIME | INODE_CTIME);
	d_drop(d);
	return 0;
}

/* The VFS holds the victim's lock too (it checked emptiness under it). */
static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	dir->nlink--;
	d->inode->nlink = 0;
	inode_touch(d->inode, INODE_CTIME);
	inode_touch(dir, INODE_MTIME | INODE_CTIME);
	d_drop(d);
	return 0;
}

static bool tmpfs_empty(struct inode *dir, struct dentry *d)
{
	(void)dir;
	spin_lock(&dcache_lock);
	bool empty = list_empty(&d->children);
	spin_unlock(&dcache_lock);
	return empty;
}

static void touch_locked(struct inode *i)
{
	mutex_lock(&i->lock);
	inode_touch(i, INODE_CTIME);
	mutex_unlock(&i->lock);
}

static int tmpfs_exchange(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd)
{
	bool od_dir = S_ISDIR(od->inode->mode), nd_dir = S_ISDIR(nd->inode->mode);
	if (odir != ndir && od_dir != nd_dir) {
		odir->nlink += od_dir ? -1 : 1;
		ndir->nlink += od_dir ? 1 : -1;
	}
	d_exchange(od, nd);
	inode_touch(odir, INODE_MTIME | INODE_CTIME);
	inode_touch(ndir, INODE_MTIME | INODE_CTIME);
	touch_locked(od->inode);
	touch_locked(nd->inode);
	return 0;
}

static int tmpfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd,
			unsigned flags)
{
	struct inode *moved = od->inode;
	if (flags & RENAME_EXCHANGE)
		return tmpfs_exchange(odir, od, ndir, nd);
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	if (nd->inode) {
		if (S_ISDIR(nd->inode->mode))
			ndir->nlink--;
		drop_link(nd->inode);
		d_drop(nd);
	}
	if (S_ISDIR(moved->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
	}
	d_move(od, nd->parent, nd->name);
	inode_touch(odir, INODE_MTIME | INODE_CTIME);
	inode_touch(ndir, INODE_MTIME | INODE_CTIME);
	touch_locked(moved);
	return 0;
}

static long tmpfs_readlink(struct inode *i, char *buf, size_t size)
{
	size_t n = MIN(size, i->size);
	memcpy(buf, i->fs_private, n);
	return (long)n;
}

/* ---- file data: the page cache holds it; these only set the size ---- */

static int tmpfs_truncate(struct inode *i, uint64_t size)
{
	WRITE_ONCE(i->size, size);      /* the VFS then drops the pages past it */
	return 0;
}

static int tmpfs_fallocate(struct inode *i, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;

	for (uint64_t n = off / PAGE_SIZE; n < ALIGN_UP(end, PAGE_SIZE) / PAGE_SIZE; n++) {
		struct page *pg;

		if (pcache_get_page(i, n, PCG_NOREAD, &pg)) {
			/* Give back what this call added past the old size. */
			pcache_truncate(i, i->size);
			return -ENOSPC;
		}
		put_page(pg);
	}
	if (end > i->size)
		WRITE_ONCE(i->size, end);
	return 0;
}

/* Write kernel bytes (the initramfs unpacker). */
int tmpfs_write_kernel(struct inode *i, uint64_t off, const void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		size_t in = (off + done) % PAGE_SIZE, n = MIN(len - done, PAGE_SIZE - in);
		struct page *pg;

		if (pcache_get_page(i, (off + done) / PAGE_SIZE, PCG_NOREAD, &pg))
			return -ENOSPC;
		memcpy((uint8_t *)page_address(pg) + in, (const uint8_t *)buf + done, n);
		put_page(pg);
		done += n;
	}
	if (off + len > i->size)
		WRITE_ONCE(i->size, off + len);
	return 0;
}

/* ---- directories ---- */

struct dirent64_hdr {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __packed;

static uint8_t dtype(uint32_t mode)
{
	return (uint8_t)((mode & S_IFMT) >> 12);        /* DT_* are the S_IF* type bits */
}

static long emit(void *ubuf, size_t len, size_t *done, const char *name, uint64_t ino,
		 uint8_t type, int64_t next)
{
	char rec[sizeof(struct dirent64_hdr) + NAME_MAX + 1 + 8];
	size_t reclen = ALIGN_UP(sizeof(struct dirent64_hdr) + strlen(name) + 1, 8);
	if (*done + reclen > len)
		return *done ? 1 : -EINVAL;
	memset(rec, 0, reclen);
	struct dirent64_hdr h = { ino, next, (uint16_t)reclen, type };
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), name, strlen(name));
	if (copy_to_user((uint8_t *)ubuf + *done, rec, reclen))
		return -EFAULT;
	*done += reclen;
	return 0;
}

/* *pos is 0 for ".", 1 for "..", then 2 + the seq of the next child to
 * show: children are in ascending seq order, so removing entries while
 * reading (rm -rf) skips none of the others. Each name is copied out
 * without dcache_lock held (the dentry is referenced). */
static long tmpfs_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct dentry *dir = f->path.dentry, *c;
	size_t done = 0;
	long r = 0;

	mutex_lock(&dir->inode->lock);
	if (*pos == 0 && !(r = emit(ubuf, len, &done, ".", dir->inode->ino, 4, 1)))
		*pos = 1;
	if (!r && *pos == 1 && !(r = emit(ubuf, len, &done, "..", dir->parent->inode->ino, 4, 2)))
		*pos = 2;
	while (!r && *pos >= 2) {
		struct dentry *found = NULL;
		spin_lock(&dcache_lock);
		list_for_each_entry(c, &dir->children, sibling) {
			if (c->seq + 2 >= *pos) {
				found = c;
				d_get(c);
				break;
			}
		}
		spin_unlock(&dcache_lock);
		if (!found)
			break;
		uint64_t next = found->seq + 3;
		r = emit(ubuf, len, &done, found->name, found->inode->ino,
			 dtype(found->inode->mode), (int64_t)next);
		d_put(found);
		if (!r)
			*pos = next;
	}
	inode_touch(dir->inode, INODE_ATIME);
	mutex_unlock(&dir->inode->lock);
	return r < 0 ? r : (long)done;
}

/* ---- super block ---- */

/* A regular file's pages are gone already (pcache_evict). */
static void tmpfs_evict(struct inode *i)
{
	if (S_ISLNK(i->mode)) {
		kfree(i->fs_private);
	}
	count(i->sb, 0, -1);
}

static int tmpfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct tmpfs_sb *t = TSB(sb);
	uint64_t total = pmm_total_frames() / 2;        /* Linux's default size: half of RAM */
	spin_lock(&t->lock);
	uint64_t used = t->pages, inodes = t->inodes;
	spin_unlock(&t->lock);
	uint64_t free = used < total ? total - used : 0;
	free = MIN(free, pmm_free_frames());
	*st = (struct kstatfs){
		.type = TMPFS_MAGIC, .bsize = PAGE_SIZE, .blocks = total, .bfree = free,
		.bavail = free, .files = total, .ffree = total > inodes ? total - inodes : 0,
		.namelen = NAME_MAX, .frsize = PAGE_SIZE,
	};
	return 0;
}

static void tmpfs_put_super(struct super_block *sb)
{
	d_drop_below(sb->root);
	d_put(sb->root);
}

static const struct super_ops tmpfs_super_ops = {
	.evict = tmpfs_evict,
	.statfs = tmpfs_statfs,
	.put_super = tmpfs_put_super,
};

static const struct inode_ops tmpfs_dir_ops = {
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.empty = tmpfs_empty,
	.tmpfile = tmpfs_tmpfile,
};

static const struct inode_ops tmpfs_file_ops = {
	.truncate = tmpfs_truncate,
	.fallocate = tmpfs_fallocate,
};

static const struct inode_ops tmpfs_link_ops = {
	.readlink = tmpfs_readlink,
};

static const struct inode_ops tmpfs_special_ops = { 0 };

static long tmpfs_dir_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)len, (void)pos;
	return -EISDIR;
}

static const struct file_ops tmpfs_dir_fops = {
	.read = tmpfs_dir_read,
	.getdents = tmpfs_getdents,
	.size = generic_file_size,
};

static int tmpfs_mount(struct fs_type *type, const char *source, unsigned long flags,
		       const void *data, struct super_block **out)
{
	(void)source, (void)flags, (void)data;
	struct super_block *sb = kzalloc(sizeof(*sb));
	struct tmpfs_sb *t = kzalloc(sizeof(*t));
	if (!sb || !t)
		goto out_free;
	spin_lock_init(&t->lock, "tmpfs_sb");
	sb->type = type;
	sb->ops = &tmpfs_super_ops;
	sb->fs_private = t;
	sb->magic = TMPFS_MAGIC;
	sb->dev = __atomic_fetch_add(&next_dev, 1, __ATOMIC_RELAXED);
	mutex_init(&sb->rename_lock, "s_rename");
	struct inode *root = tmpfs_new_inode(sb, NULL, S_IFDIR | 01777);
	if (!root)
		goto out_free;
	sb->root = d_alloc_root(root);
	if (!sb->root) {
		inode_put(root);
		goto out_free;
	}
	*out = sb;
	return 0;
out_free:
	kfree(t);
	kfree(sb);
	return -ENOMEM;
}

/* A new unlinked regular file (memfd_create). */
struct inode *tmpfs_new_file(struct super_block *sb, uint32_t mode)
{
	struct inode *i = tmpfs_new_inode(sb, NULL, S_IFREG | (mode & 07777));
	if (i)
		i->nlink = 0;
	return i;
}

struct fs_type tmpfs_type = {
	.name = "tmpfs",
	.mount = tmpfs_mount,
};
