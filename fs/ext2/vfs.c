/*
 * ext2 under the VFS (work in progress, not registered yet): the glue
 * between the VFS objects and the ext2 library (fs/ext2/ext2.h).
 *
 * Done so far: the ext2_io callbacks on the buffer cache of the mounted
 * block device, mount/unmount of a block device, the table of live
 * inodes (one struct inode per inode number, so that hard links share
 * attributes), lookup, file read and readpage, getdents, readlink, statfs,
 * sync and evict (an unlinked inode is freed when its last reference
 * goes). Missing before it can be registered: the changing operations
 * (create, mkdir, symlink, link, unlink, rmdir, rename, truncate, write,
 * write_inode) and mount(2)'s source path -> bdev resolution.
 *
 * Locking: every library call runs under the per-volume mutex e2->lock;
 * the inode table is under it too. It nests inside the VFS's inode locks
 * (the VFS calls the ops with them held) and outside the buffer locks.
 */
#include <drivers/block/blkdev.h>
#include <fs/ext2/ext2.h>
#include <fs/ext2/ext2_vfs.h>
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/list.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define EXT2_SUPER_MAGIC 0xEF53

struct ext2_vfs {
	struct mutex lock;              /* the volume: library calls, inodes */
	struct ext2_fs *fs;
	struct block_device *bdev;
	struct ext2_io io;
	struct list_head inodes;        /* struct ext2_vinode.link, live ones */
};

/* What an inode of ours carries in fs_private. */
struct ext2_vinode {
	struct list_head link;          /* in ext2_vfs.inodes */
	struct inode *inode;
};

static const struct inode_ops ext2_dir_ops, ext2_file_ops, ext2_link_ops, ext2_special_ops;
static const struct file_ops ext2_reg_fops, ext2_dir_fops;

static struct ext2_vfs *E2(struct super_block *sb) { return sb->fs_private; }

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

static int io_flush(void *ctx)
{
	struct ext2_vfs *e2 = ctx;
	return bdev_sync(e2->bdev);
}

static uint32_t io_now(void *ctx)
{
	return (uint32_t)vfs_now().sec;
}

/* Called inside library calls (e2->lock held): is ino live in the VFS? */
static bool io_inode_busy(void *ctx, uint32_t ino)
{
	struct ext2_vfs *e2 = ctx;
	struct ext2_vinode *v;
	list_for_each_entry(v, &e2->inodes, link)
		if (v->inode->ino == ino)
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

static void set_ops(struct inode *i)
{
	if (S_ISDIR(i->mode)) {
		i->ops = &ext2_dir_ops;
		i->fops = &ext2_dir_fops;
	} else if (S_ISREG(i->mode)) {
		i->ops = &ext2_file_ops;
		i->fops = &ext2_reg_fops;
	} else if (S_ISLNK(i->mode)) {
		i->ops = &ext2_link_ops;
	} else {
		i->ops = &ext2_special_ops;
	}
}

/* The live inode for ino (a new reference), made from the disk if there
 * is none. e2->lock held. */
static int iget(struct super_block *sb, uint32_t ino, struct inode **out)
{
	struct ext2_vfs *e2 = E2(sb);
	struct ext2_vinode *v;

	list_for_each_entry(v, &e2->inodes, link) {
		struct inode *i = v->inode;
		/* One whose last reference is gone is being evicted: skip it. */
		int ref = __atomic_load_n(&i->refcount, __ATOMIC_RELAXED);
		while (i->ino == ino && ref > 0) {
			if (__atomic_compare_exchange_n(&i->refcount, &ref, ref + 1, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
				*out = i;
				return 0;
			}
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
	list_add(&v->link, &e2->inodes);
	*out = i;
	return 0;
}

static int ext2v_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct ext2_vfs *e2 = E2(dir->sb);
	uint32_t ino;

	mutex_lock(&e2->lock);
	int err = ext2_lookup(e2->fs, (uint32_t)dir->ino, name, strlen(name), &ino);
	if (!err)
		err = iget(dir->sb, ino, out);
	mutex_unlock(&e2->lock);
	return err;
}

static long ext2v_readlink(struct inode *i, char *buf, size_t size)
{
	struct ext2_vfs *e2 = E2(i->sb);
	mutex_lock(&e2->lock);
	int64_t n = ext2_readlink(e2->fs, (uint32_t)i->ino, buf, size);
	mutex_unlock(&e2->lock);
	return (long)n;
}

static int ext2v_readpage(struct inode *i, uint64_t index, void *buf)
{
	struct ext2_vfs *e2 = E2(i->sb);
	mutex_lock(&e2->lock);
	int64_t n = ext2_read(e2->fs, (uint32_t)i->ino, index * PAGE_SIZE, buf, PAGE_SIZE);
	mutex_unlock(&e2->lock);
	if (n < 0)
		return (int)n;
	memset((char *)buf + n, 0, PAGE_SIZE - (size_t)n);
	return 0;
}

/* ---- files ---- */

#define CHUNK 4096

static long ext2v_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct inode *i = f->inode;
	struct ext2_vfs *e2 = E2(i->sb);
	char *kbuf = kmalloc(CHUNK);
	size_t done = 0;
	long err = 0;

	if (!kbuf)
		return -ENOMEM;
	while (done < len) {
		size_t want = len - done < CHUNK ? len - done : CHUNK;
		mutex_lock(&e2->lock);
		int64_t n = ext2_read(e2->fs, (uint32_t)i->ino, *pos, kbuf, want);
		mutex_unlock(&e2->lock);
		if (n <= 0) {
			err = (long)n;
			break;
		}
		if (copy_to_user((char *)ubuf + done, kbuf, (size_t)n)) {
			err = -EFAULT;
			break;
		}
		done += (size_t)n;
		*pos += (uint64_t)n;
		if ((size_t)n < want)
			break;
	}
	kfree(kbuf);
	return done ? (long)done : err;
}

static long ext2v_size(struct file *f)
{
	return (long)f->inode->size;
}

struct dirent64_hdr {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __packed;

struct getdents_ctx {
	void *ubuf;
	size_t len, done;
	int err;
};

static int emit_dirent(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
		       uint64_t next)
{
	struct getdents_ctx *c = arg;
	char rec[sizeof(struct dirent64_hdr) + NAME_MAX + 1 + 8];
	size_t reclen = ALIGN_UP(sizeof(struct dirent64_hdr) + len + 1, 8);

	if (c->done + reclen > c->len) {
		if (!c->done)
			c->err = -EINVAL;
		return 1;
	}
	memset(rec, 0, reclen);
	struct dirent64_hdr h = { ino, (int64_t)next, (uint16_t)reclen, (uint8_t)type };
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), name, len);
	if (copy_to_user((uint8_t *)c->ubuf + c->done, rec, reclen)) {
		c->err = -EFAULT;
		return 1;
	}
	c->done += reclen;
	return 0;
}

/* Copying to user memory under e2->lock: a fault on it never reaches back
 * into this volume (no mmap of ext2 files yet). */
static long ext2v_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct ext2_vfs *e2 = E2(f->inode->sb);
	struct getdents_ctx c = { ubuf, len, 0, 0 };

	mutex_lock(&e2->lock);
	int err = ext2_readdir(e2->fs, (uint32_t)f->inode->ino, pos, emit_dirent, &c);
	mutex_unlock(&e2->lock);
	if (c.done)
		return (long)c.done;
	return c.err ? c.err : err;
}

/* ---- super block ---- */

static void ext2v_evict(struct inode *i)
{
	struct ext2_vfs *e2 = E2(i->sb);
	struct ext2_vinode *v = i->fs_private;

	mutex_lock(&e2->lock);
	list_del(&v->link);
	if (i->nlink == 0)
		ext2_evict(e2->fs, (uint32_t)i->ino);
	mutex_unlock(&e2->lock);
	kfree(v);
}

static int ext2v_statfs(struct super_block *sb, struct kstatfs *out)
{
	struct ext2_vfs *e2 = E2(sb);
	struct ext2_statfs st;

	mutex_lock(&e2->lock);
	ext2_statfs(e2->fs, &st);
	mutex_unlock(&e2->lock);
	*out = (struct kstatfs){
		.type = EXT2_SUPER_MAGIC, .bsize = st.block_size, .blocks = st.blocks,
		.bfree = st.free_blocks, .bavail = st.avail_blocks, .files = st.files,
		.ffree = st.free_files, .namelen = st.name_max, .frsize = st.block_size,
	};
	return 0;
}

static int ext2v_sync(struct super_block *sb)
{
	struct ext2_vfs *e2 = E2(sb);
	mutex_lock(&e2->lock);
	int err = ext2_sync(e2->fs);
	mutex_unlock(&e2->lock);
	return err;
}

/* The last mount is gone: drop the cached tree (its inodes are evicted
 * with their last dentry), then write everything back and restore the
 * volume's clean state (ext2_unmount). Unmounting waits for no open file:
 * umount(2) refuses a busy mount, so none is left here. */
static void ext2v_put_super(struct super_block *sb)
{
	struct ext2_vfs *e2 = E2(sb);
	struct dentry *root = sb->root;

	for (;;) {
		spin_lock(&dcache_lock);
		struct dentry *d = root;
		while (!list_empty(&d->children))
			d = list_first_entry(&d->children, struct dentry, sibling);
		spin_unlock(&dcache_lock);
		if (d == root)
			break;
		d_drop(d);
	}
	d_put(root);
	mutex_lock(&e2->lock);
	bool idle = list_empty(&e2->inodes);
	mutex_unlock(&e2->lock);
	if (!idle)
		return;         /* an inode outlived its mount: keep the volume */
	ext2_unmount(e2->fs);
	kfree(e2);
}

static const struct super_ops ext2_super_ops = {
	.put_super = ext2v_put_super,
	.evict = ext2v_evict,
	.statfs = ext2v_statfs,
	.sync = ext2v_sync,
};

static const struct inode_ops ext2_dir_ops = { .lookup = ext2v_lookup };
static const struct inode_ops ext2_file_ops = { .readpage = ext2v_readpage };
static const struct inode_ops ext2_link_ops = { .readlink = ext2v_readlink };
static const struct inode_ops ext2_special_ops = { 0 };
static const struct file_ops ext2_reg_fops = { .read = ext2v_read, .size = ext2v_size };
static const struct file_ops ext2_dir_fops = { .getdents = ext2v_getdents, .size = ext2v_size };

/*
 * Mount the ext2 volume on bdev (read-only for now: the changing
 * operations are not written yet). The caller (the future fs_type's mount,
 * which resolves the source path to an S_IFBLK node) registers nothing.
 */
int ext2_vfs_mount(struct fs_type *type, struct block_device *bdev, struct super_block **out)
{
	struct ext2_vfs *e2 = kzalloc(sizeof(*e2));
	struct super_block *sb = kzalloc(sizeof(*sb));
	struct inode *root = NULL;
	int err = -ENOMEM;

	if (!e2 || !sb)
		goto fail;
	mutex_init(&e2->lock, "ext2");
	list_init(&e2->inodes);
	e2->bdev = bdev;
	e2->io = (struct ext2_io){ .read = io_read, .write = io_write, .flush = io_flush,
				   .now = io_now, .inode_busy = io_inode_busy, .ctx = e2 };
	err = ext2_mount(&e2->io, EXT2_MOUNT_RDONLY, &e2->fs);
	if (err)
		goto fail;
	sb->type = type;
	sb->ops = &ext2_super_ops;
	sb->fs_private = e2;
	sb->magic = EXT2_SUPER_MAGIC;
	sb->dev = bdev->devnum;
	mutex_init(&sb->rename_lock, "s_rename");
	mutex_lock(&e2->lock);
	err = iget(sb, EXT2_ROOT_INO, &root);
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
fail:
	kfree(sb);
	kfree(e2);
	return err;
}
