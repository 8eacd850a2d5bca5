/*
 * ext2 under the VFS: the "ext2" fs_type. mount(2) names a block special
 * file; the volume is reached through the ext2 library (fs/ext2/ext2.h)
 * whose ext2_io sits on the block device's buffer cache. This file has
 * mount/unmount, the table of live inodes (one struct inode per inode
 * number, so hard links share attributes) and the super block ops;
 * vfs_namei.c the directory operations, vfs_file.c the file data.
 *
 * Locking: fs/ext2/vfs_int.h (one mutex per volume, inside inode locks).
 */
#include <drivers/block/blkdev.h>
#include <fs/ext2/ext2_vfs.h>
#include <fs/ext2/vfs_int.h>
#include <mm/pagecache.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/slab.h>

static int claim(struct block_device *bdev, bool take);

/* ---- ext2_io on the buffer cache ---- */

static int io_read(void *ctx, uint64_t blockno, uint32_t bs, void *buf)
{
	struct ext2_vfs *e2 = ctx;
	struct buf *b = bread(e2->bdev, blockno, bs);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memcpy(buf, b->data, bs);
	brelse(b);
	return 0;
}

static int io_write(void *ctx, uint64_t blockno, uint32_t bs, const void *buf)
{
	struct ext2_vfs *e2 = ctx;
	struct buf *b = bget(e2->bdev, blockno, bs);
	if (IS_ERR(b))
		return (int)PTR_ERR(b);
	memcpy(b->data, buf, bs);
	bdirty(b);
	brelse(b);
	return 0;
}

/* Every dirty buffer written and the device's cache flushed, waited for. */
static int io_flush(void *ctx)
{
	struct ext2_vfs *e2 = ctx;
	return bdev_sync(e2->bdev);
}

static uint32_t io_now(void *ctx)
{
	(void)ctx;
	return (uint32_t)vfs_now().sec;
}

static struct list_head *bucket(struct ext2_vfs *e2, uint32_t ino)
{
	return &e2->inodes[ino % EXT2V_HASH];
}

/* Called inside library calls (e2->lock held): is ino live in the VFS? */
static bool io_inode_busy(void *ctx, uint32_t ino)
{
	struct ext2_vfs *e2 = ctx;
	struct ext2_vinode *v;
	list_for_each_entry(v, bucket(e2, ino), link)
		if (INO(v->inode) == ino)
			return true;
	return false;
}

/* ---- inodes ---- */

static struct vfs_time vtime(uint32_t sec)
{
	return (struct vfs_time){ sec, 0 };
}

static void fill_inode(struct inode *i, const struct ext2_stat *st)
{
	i->mode = st->mode;
	i->uid = st->uid;
	i->gid = st->gid;
	i->nlink = st->nlink;
	i->rdev = st->rdev;
	i->size = st->size;
	i->blocks = st->blocks;
	i->atime = vtime(st->atime);
	i->mtime = vtime(st->mtime);
	i->ctime = vtime(st->ctime);
}

static bool vtime_before(struct vfs_time a, struct vfs_time b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec);
}

/*
 * Reload what a library call changed. A regular file's size and
 * modification times belong to the VFS while its page cache holds
 * writes the volume has not seen (writepage brings the volume up to
 * date), so those are kept unless the volume's are newer; truncate and
 * fallocate, which write the cache back first, take the volume's size
 * with ext2v_refresh_size.
 */
int ext2v_refresh(struct inode *i)
{
	struct ext2_stat st;
	int err = ext2_getattr(E2(i->sb)->fs, INO(i), &st);
	if (err)
		return err;
	if (!S_ISREG(i->mode)) {
		fill_inode(i, &st);
		return 0;
	}
	uint64_t size = i->size;
	struct vfs_time mtime = i->mtime, ctime = i->ctime;
	fill_inode(i, &st);
	i->size = size;
	if (vtime_before(i->mtime, mtime))
		i->mtime = mtime;
	if (vtime_before(i->ctime, ctime))
		i->ctime = ctime;
	return 0;
}

int ext2v_refresh_size(struct inode *i)
{
	int err = ext2v_refresh(i);
	struct ext2_stat st;
	if (!err && !(err = ext2_getattr(E2(i->sb)->fs, INO(i), &st)))
		i->size = st.size;
	return err;
}

static void set_ops(struct inode *i)
{
	if (S_ISDIR(i->mode)) {
		i->ops = &ext2v_dir_ops;
		i->fops = &ext2v_dir_fops;
	} else if (S_ISREG(i->mode)) {
		i->ops = &ext2v_file_ops;
		i->fops = &generic_file_fops;
	} else if (S_ISLNK(i->mode)) {
		i->ops = &ext2v_link_ops;
	} else {
		i->ops = &ext2v_special_ops;
	}
}

/* A reference on a live inode unless its last one is gone (it is being
 * evicted and will leave the table). */
static bool try_get(struct inode *i)
{
	int ref = __atomic_load_n(&i->refcount, __ATOMIC_RELAXED);
	while (ref > 0)
		if (__atomic_compare_exchange_n(&i->refcount, &ref, ref + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* The live inode for ino (a new reference), made from the disk if there
 * is none. e2->lock held. */
int ext2v_iget(struct super_block *sb, uint32_t ino, struct inode **out)
{
	struct ext2_vfs *e2 = E2(sb);
	struct ext2_vinode *v;

	list_for_each_entry(v, bucket(e2, ino), link) {
		if (INO(v->inode) == ino && try_get(v->inode)) {
			*out = v->inode;
			return 0;
		}
	}
	struct ext2_stat st;
	int err = ext2_getattr(e2->fs, ino, &st);
	if (err)
		return err;
	struct inode *i = inode_new(sb, st.mode);
	v = kzalloc(sizeof(*v));
	if (!i || !v) {
		kfree(v);
		if (i)
			kfree(i);       /* not yet in the table: no evict needed */
		return -ENOMEM;
	}
	i->ino = ino;
	fill_inode(i, &st);
	set_ops(i);
	v->inode = i;
	i->fs_private = v;
	list_add(&v->link, bucket(e2, ino));
	*out = i;
	return 0;
}

/* ---- super block ---- */

/* The attributes the VFS changes itself (chmod, chown, utimensat, the
 * times it touches) go to disk; size and links are the library's. */
static int write_attrs(struct ext2_vfs *e2, struct inode *i)
{
	struct ext2_setattr a = {
		.valid = EXT2_ATTR_MODE | EXT2_ATTR_UID | EXT2_ATTR_GID | EXT2_ATTR_ATIME |
			 EXT2_ATTR_MTIME | EXT2_ATTR_CTIME,
		.mode = i->mode & 07777, .uid = i->uid, .gid = i->gid,
		.atime = (uint32_t)i->atime.sec, .mtime = (uint32_t)i->mtime.sec,
		.ctime = (uint32_t)i->ctime.sec,
	};
	return ext2_setattr(e2->fs, INO(i), &a);
}

static int ext2v_write_inode(struct inode *i)
{
	struct ext2_vfs *e2 = E2(i->sb);
	if (e2->rdonly)
		return -EROFS;
	mutex_lock(&e2->lock);
	int err = write_attrs(e2, i);
	mutex_unlock(&e2->lock);
	return err;
}

static bool no_live_inodes(struct ext2_vfs *e2)
{
	for (int b = 0; b < EXT2V_HASH; b++)
		if (!list_empty(&e2->inodes[b]))
			return false;
	return true;
}

/* The last reference is gone: an unlinked inode's blocks and number are
 * freed now (ext2_unlink left them while it was live). After the unmount
 * (e2->fs NULL) the last inode to go frees the volume's state. */
static void ext2v_evict(struct inode *i)
{
	struct ext2_vfs *e2 = E2(i->sb);
	struct ext2_vinode *v = i->fs_private;

	mutex_lock(&e2->lock);
	list_del(&v->link);
	if (e2->fs && !e2->rdonly) {
		int err = i->nlink == 0 ? ext2_evict(e2->fs, INO(i)) : write_attrs(e2, i);
		if (err)
			pr_warn("ext2: inode %u not written back at eviction: %d\n", INO(i), err);
	}
	bool gone = !e2->fs && no_live_inodes(e2);
	mutex_unlock(&e2->lock);
	kfree(v);
	if (gone)
		kfree(e2);
}

static int ext2v_statfs(struct super_block *sb, struct kstatfs *out)
{
	struct ext2_vfs *e2 = E2(sb);
	struct ext2_statfs st;

	/* Blocks are allocated when dirty pages are written back; Linux's
	 * ext2 allocates them at write(), so its free counts already show
	 * them. Write back first to give the same figures. */
	if (!e2->rdonly)
		pcache_sync_all(sb);
	mutex_lock(&e2->lock);
	ext2_statfs(e2->fs, &st);
	mutex_unlock(&e2->lock);
	*out = (struct kstatfs){
		.type = EXT2_SUPER_MAGIC, .bsize = st.block_size, .blocks = st.blocks,
		.bfree = st.free_blocks, .bavail = st.avail_blocks, .files = st.files,
		.ffree = st.free_files, .namelen = st.name_max, .frsize = st.block_size,
		.flags = e2->rdonly ? 1 /* ST_RDONLY */ : 0,
	};
	return 0;
}

/* Every live inode's attributes to disk; e2->lock held. */
static int write_all_attrs(struct ext2_vfs *e2)
{
	int err = 0;
	for (int b = 0; b < EXT2V_HASH; b++) {
		struct ext2_vinode *v;
		list_for_each_entry(v, &e2->inodes[b], link)
			if (v->inode->nlink && !err)
				err = write_attrs(e2, v->inode);
	}
	return err;
}

/* Write the live inodes' attributes, then every dirty buffer, then flush
 * the device's cache and wait (bdev_sync via io_flush). */
static int ext2v_sync(struct super_block *sb)
{
	struct ext2_vfs *e2 = E2(sb);

	if (e2->rdonly)
		return 0;
	mutex_lock(&e2->lock);
	int err = write_all_attrs(e2);
	int serr = ext2_sync(e2->fs);
	mutex_unlock(&e2->lock);
	return err ? err : serr;
}

/* The last mount is gone: drop the cached tree (its inodes are evicted
 * with their last dentry), write everything back and restore the
 * volume's clean state (ext2_unmount). umount(2) refuses a busy mount, so
 * no open file is left; the root inode still is (the unmounting caller's
 * path holds it): its eviction frees e2. */
static void ext2v_put_super(struct super_block *sb)
{
	struct ext2_vfs *e2 = E2(sb);

	d_drop_below(sb->root);
	mutex_lock(&e2->lock);
	if (!e2->rdonly)
		write_all_attrs(e2);
	int err = ext2_unmount(e2->fs);
	if (err)
		pr_warn("ext2: unmount: %d\n", err);
	e2->fs = NULL;
	mutex_unlock(&e2->lock);
	claim(e2->bdev, false);
	d_put(sb->root);
}

static const struct super_ops ext2_super_ops = {
	.put_super = ext2v_put_super,
	.evict = ext2v_evict,
	.write_inode = ext2v_write_inode,
	.statfs = ext2v_statfs,
	.sync = ext2v_sync,
};

/* ---- mount ---- */

/* The devices with a mounted volume: a second mount of one would be a
 * second, incoherent copy of its metadata (Linux shares the super block;
 * we refuse with EBUSY). Under mounted_lock. */
static struct spinlock mounted_lock = SPINLOCK_INIT("ext2_mounted");
static struct block_device *mounted[16];

static int claim(struct block_device *bdev, bool take)
{
	int err = take ? -EBUSY : 0, free_slot = -1;
	spin_lock(&mounted_lock);
	for (int n = 0; n < (int)ARRAY_SIZE(mounted); n++) {
		if (mounted[n] == bdev) {
			if (!take)
				mounted[n] = NULL;
			goto out;
		}
		if (!mounted[n] && free_slot < 0)
			free_slot = n;
	}
	if (take && free_slot < 0)
		err = -ENOSPC;          /* never with the disks we probe */
	else if (take)
		mounted[free_slot] = bdev, err = 0;
out:
	spin_unlock(&mounted_lock);
	return err;
}

int ext2_vfs_mount(struct fs_type *type, struct block_device *bdev, unsigned long flags,
		   struct super_block **out)
{
	struct ext2_vfs *e2 = kzalloc(sizeof(*e2));
	struct super_block *sb = kzalloc(sizeof(*sb));
	struct inode *root = NULL;
	int err = -ENOMEM;

	if (!e2 || !sb)
		goto fail;
	mutex_init(&e2->lock, "ext2");
	for (int b = 0; b < EXT2V_HASH; b++)
		list_init(&e2->inodes[b]);
	e2->bdev = bdev;
	e2->io = (struct ext2_io){ .read = io_read, .write = io_write, .flush = io_flush,
				   .now = io_now, .inode_busy = io_inode_busy, .ctx = e2 };
	if ((err = claim(bdev, true)))
		goto fail;
	err = ext2_mount(&e2->io, flags & MS_RDONLY ? EXT2_MOUNT_RDONLY : 0, &e2->fs);
	if (err)
		goto release;
	e2->rdonly = ext2_is_rdonly(e2->fs);
	sb->type = type;
	sb->ops = &ext2_super_ops;
	sb->fs_private = e2;
	sb->magic = EXT2_SUPER_MAGIC;
	sb->dev = bdev->devnum;
	mutex_init(&sb->rename_lock, "s_rename");
	mutex_lock(&e2->lock);
	err = ext2v_iget(sb, EXT2_ROOT_INO, &root);
	mutex_unlock(&e2->lock);
	if (err)
		goto unmount;
	sb->root = d_alloc_root(root);
	if (!sb->root) {
		inode_put(root);
		err = -ENOMEM;
		goto unmount;
	}
	*out = sb;
	return 0;
unmount:
	ext2_unmount(e2->fs);
release:
	claim(bdev, false);
fail:
	kfree(sb);
	kfree(e2);
	return err;
}

/* mount(2): source is the path of a block special file. */
static int ext2_type_mount(struct fs_type *type, const char *source, unsigned long flags,
			   const void *data, struct super_block **out)
{
	(void)data;
	struct path p;
	int err = path_lookupat(AT_FDCWD, source, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct inode *i = p.dentry->inode;
	struct block_device *bdev = S_ISBLK(i->mode) ? bdev_by_devnum(i->rdev) : NULL;
	if (!S_ISBLK(i->mode))
		err = -ENOTBLK;
	else if (!bdev)
		err = -ENXIO;
	else
		err = ext2_vfs_mount(type, bdev, flags, out);
	path_put(&p);
	return err;
}

static struct fs_type ext2_type = {
	.name = "ext2",
	.mount = ext2_type_mount,
};

void ext2_vfs_init(void)
{
	if (register_filesystem(&ext2_type))
		pr_warn("ext2: cannot register the file system type\n");
}
