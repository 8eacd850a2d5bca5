/*
 * ext2 under the VFS: regular file data. readpage/writepage/truncate/
 * fallocate are the inode ops a page cache builds on; the read/write file
 * ops below are a thin bounce-buffer layer over the library, meant to be
 * replaced by the page cache's generic file ops (then only the inode ops
 * stay). Writes hold the inode's lock (O_APPEND, size), library calls
 * e2->lock for one chunk at a time.
 */
#include <fs/ext2/vfs_int.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define CHUNK 65536     /* bytes per library call: bounded time under e2->lock */
#define O_ACCMODE 3
#define O_APPEND  02000

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
	ext2v_refresh(i);
	mutex_unlock(&e2->lock);
	return n < 0 ? (int)n : 0;
}

static int ext2v_truncate(struct inode *i, uint64_t size)
{
	struct ext2_vfs *e2 = E2(i->sb);
	if (e2->rdonly)
		return -EROFS;
	mutex_lock(&e2->lock);
	int err = ext2_truncate(e2->fs, INO(i), size);
	ext2v_refresh(i);
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
		ext2v_refresh(i);
		mutex_unlock(&e2->lock);
	}
	kfree(blk);
	return err;
}

/* ---- the bounce-buffer file ops ---- */

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
		size_t want = MIN(len - done, (size_t)CHUNK);
		mutex_lock(&e2->lock);
		int64_t n = ext2_read(e2->fs, INO(i), *pos, kbuf, want);
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

static long ext2v_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	struct inode *i = f->inode;
	struct ext2_vfs *e2 = E2(i->sb);
	char *kbuf = kmalloc(CHUNK);
	size_t done = 0;
	long err = 0;

	if (!kbuf)
		return -ENOMEM;
	mutex_lock(&i->lock);
	if (f->flags & O_APPEND)
		*pos = i->size;
	while (done < len) {
		size_t want = MIN(len - done, (size_t)CHUNK);
		if (copy_from_user(kbuf, (const char *)ubuf + done, want)) {
			err = -EFAULT;
			break;
		}
		mutex_lock(&e2->lock);
		int64_t n = ext2_write(e2->fs, INO(i), *pos, kbuf, want);
		ext2v_refresh(i);
		mutex_unlock(&e2->lock);
		if (n <= 0) {
			err = n ? (long)n : -ENOSPC;
			break;
		}
		done += (size_t)n;
		*pos += (uint64_t)n;
		if ((size_t)n < want)
			break;
	}
	mutex_unlock(&i->lock);
	kfree(kbuf);
	return done ? (long)done : err;
}

static long ext2v_size(struct file *f)
{
	return (long)READ_ONCE(f->inode->size);
}

/* A read-only volume refuses opening a file for writing (EROFS). */
static struct file *ext2v_open(struct inode *i, unsigned flags)
{
	if (E2(i->sb)->rdonly && (flags & O_ACCMODE) != 0)
		return ERR_PTR(-EROFS);
	return file_alloc(&ext2v_reg_fops, NULL, flags);
}

const struct inode_ops ext2v_file_ops = {
	.readpage = ext2v_readpage,
	.writepage = ext2v_writepage,
	.truncate = ext2v_truncate,
	.fallocate = ext2v_fallocate,
	.open = ext2v_open,
};

const struct file_ops ext2v_reg_fops = {
	.read = ext2v_read,
	.write = ext2v_write,
	.size = ext2v_size,
};
