/*
 * ext2 under the VFS: regular file data goes through the page cache
 * (generic_file_fops, mm/pagecache.h): readpage fills a cache page from
 * the volume, writepage stores a dirty one back. The cache owns the file's
 * size while pages are dirty (a write only grows i->size); the volume's
 * own size catches up as writepage stores the bytes below i->size. So
 * truncate and fallocate, which work on the volume directly, first write
 * the dirty pages back, and writepage never reloads the size from disk.
 * Library calls hold e2->lock; truncate, fallocate and writepage are
 * called with i->lock held.
 */
#include <fs/ext2/vfs_int.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/string.h>
#include <mm/pagecache.h>
#include <mm/slab.h>

#define O_ACCMODE 3

static int ext2v_readpage(struct inode *i, uint64_t index, void *buf)
{
	struct ext2_vfs *e2 = E2(i->sb);
	mutex_lock(&e2->lock);
	int64_t n = ext2_read(e2->fs, INO(i), index * PAGE_SIZE, buf, PAGE_SIZE);
	mutex_unlock(&e2->lock);
	if (n < 0)
		return (int)n;
	memset((char *)buf + n, 0, PAGE_SIZE - (size_t)n);
	return 0;
}

/* Only the bytes below i_size are stored: writing back a page never
 * grows the file. */
static int ext2v_writepage(struct inode *i, uint64_t index, const void *buf)
{
	struct ext2_vfs *e2 = E2(i->sb);
	uint64_t off = index * PAGE_SIZE;

	if (e2->rdonly)
		return -EROFS;
	mutex_lock(&e2->lock);
	uint64_t size = i->size;
	int64_t n = 0;
	if (off < size)
		n = ext2_write(e2->fs, INO(i), off, buf, (size_t)MIN((uint64_t)PAGE_SIZE, size - off));
	/* Only the block count: the size and times are the VFS's now. */
	struct ext2_stat st;
	if (ext2_getattr(e2->fs, INO(i), &st) == 0)
		i->blocks = st.blocks;
	mutex_unlock(&e2->lock);
	if (n >= 0 && (uint64_t)n < MIN((uint64_t)PAGE_SIZE, off < size ? size - off : 0))
		return -ENOSPC;
	return n < 0 ? (int)n : 0;
}

static int ext2v_truncate(struct inode *i, uint64_t size)
{
	struct ext2_vfs *e2 = E2(i->sb);
	if (e2->rdonly)
		return -EROFS;
	int err = pcache_writeback(i);          /* the volume's size is i->size now */
	if (err)
		return err;
	mutex_lock(&e2->lock);
	err = ext2_truncate(e2->fs, INO(i), size);
	ext2v_refresh_size(i);
	mutex_unlock(&e2->lock);
	return err;
}

/* Mode 0: every block of [off, off + len) allocated, the size grown to
 * cover it, existing bytes kept. Each block is read (holes read as zeros)
 * and written back, which makes the library allocate it. i->lock held. */
static int ext2v_fallocate(struct inode *i, uint64_t off, uint64_t len)
{
	struct ext2_vfs *e2 = E2(i->sb);
	uint32_t bs = ext2_block_size(e2->fs);
	char *blk;
	int err = 0;

	if (e2->rdonly)
		return -EROFS;
	if ((err = pcache_writeback(i)))        /* read below what the cache holds */
		return err;
	if (!(blk = kmalloc(bs)))
		return -ENOMEM;
	for (uint64_t pos = off - off % bs; pos < off + len && !err; pos += bs) {
		mutex_lock(&e2->lock);
		size_t n = (size_t)MIN((uint64_t)bs, off + len - pos);
		int64_t r = ext2_read(e2->fs, INO(i), pos, blk, n);
		if (r >= 0) {
			memset(blk + r, 0, n - (size_t)r);
			/* Bytes past the old end are not the file's yet: a
			 * write of them would grow it only as far as off+len. */
			r = ext2_write(e2->fs, INO(i), pos, blk, n);
		}
		err = r < 0 ? (int)r : 0;
		ext2v_refresh_size(i);
		mutex_unlock(&e2->lock);
	}
	kfree(blk);
	return err;
}

/* A read-only volume refuses opening a file for writing (EROFS). */
static struct file *ext2v_open(struct inode *i, unsigned flags)
{
	if (E2(i->sb)->rdonly && (flags & O_ACCMODE) != 0)
		return ERR_PTR(-EROFS);
	return file_alloc(&generic_file_fops, NULL, flags);
}

const struct inode_ops ext2v_file_ops = {
	.readpage = ext2v_readpage,
	.writepage = ext2v_writepage,
	.truncate = ext2v_truncate,
	.fallocate = ext2v_fallocate,
	.open = ext2v_open,
};
