/*
 * Reading and writing regular files through the page cache
 * (mm/pagecache.h), and the ways back to storage: fsync, sync, truncate.
 * A file system opts in by giving its regular files generic_file_fops and
 * either ->readpage (+ ->writepage) or, for tmpfs, PCACHE_STORAGE.
 *
 * read and write hold inode.lock (the size and times); the user copy runs
 * with only that mutex held and a reference on the page, never a
 * spinlock, so a fault in it (even on a mapping of this very file, which
 * does not take inode.lock) is served.
 */
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/pagecache.h>
#include <mm/pmm.h>
#include <mm/uaccess.h>

#define O_APPEND 02000
/* What the page cache can hold (Linux's limit, MAX_LFS_FILESIZE, is 8 EiB). */
#define FILE_SIZE_MAX PCACHE_MAX_BYTES

long generic_file_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct inode *i = f->inode;
	size_t done = 0;
	long err = 0;

	mutex_lock(&i->lock);
	while (done < len && *pos < i->size) {
		uint64_t in = *pos % PAGE_SIZE;
		size_t n = MIN(MIN(len - done, PAGE_SIZE - in), i->size - *pos);
		struct page *pg;

		err = pcache_get_page(i, *pos / PAGE_SIZE, 0, &pg);
		if (err)
			break;
		err = copy_to_user((uint8_t *)ubuf + done, (uint8_t *)page_address(pg) + in, n) ?
			-EFAULT : 0;
		put_page(pg);
		if (err)
			break;
		done += n;
		*pos += n;
	}
	inode_touch(i, INODE_ATIME);
	mutex_unlock(&i->lock);
	return done ? (long)done : err;
}

/* A write by anyone but root clears set-user-ID, and set-group-ID when
 * the group may execute (Linux's file_remove_privs). i->lock held. */
static void drop_privileges(struct inode *i)
{
	if (current_cred()->fsuid == 0)
		return;
	uint32_t kill = S_ISUID | ((i->mode & 0010) ? S_ISGID : 0);
	if (i->mode & kill) {
		i->mode &= ~kill;
		inode_touch(i, INODE_CTIME);
	}
}

/* Copy one piece of a write into the page at *pos. i->lock held. */
static long write_piece(struct inode *i, const void *ubuf, size_t n, uint64_t pos)
{
	uint64_t in = pos % PAGE_SIZE;
	/* A page written whole, or past the end, need not be read first. */
	bool whole = (in == 0 && n == PAGE_SIZE) || ALIGN_DOWN(pos, PAGE_SIZE) >= i->size;
	struct page *pg;
	long err = pcache_get_page(i, pos / PAGE_SIZE, whole ? PCG_NOREAD : 0, &pg);

	if (err)
		return err == -EFBIG ? -EFBIG : err == -ENOMEM ? -ENOSPC : err;
	err = copy_from_user((uint8_t *)page_address(pg) + in, ubuf, n) ? -EFAULT : 0;
	if (!err)
		pcache_mark_dirty(i, pg);
	put_page(pg);
	return err;
}

long generic_file_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	struct inode *i = f->inode;
	size_t done = 0;
	long err = 0;

	mutex_lock(&i->lock);
	if (f->flags & O_APPEND)
		*pos = i->size;
	if (*pos >= FILE_SIZE_MAX && len) {
		mutex_unlock(&i->lock);
		return -EFBIG;
	}
	len = MIN(len, FILE_SIZE_MAX - *pos);
	while (done < len) {
		size_t n = MIN(len - done, PAGE_SIZE - *pos % PAGE_SIZE);

		err = write_piece(i, (const uint8_t *)ubuf + done, n, *pos);
		if (err)
			break;
		done += n;
		*pos += n;
		if (*pos > i->size)
			WRITE_ONCE(i->size, *pos);
	}
	if (done) {
		inode_touch(i, INODE_MTIME | INODE_CTIME);
		drop_privileges(i);
	}
	mutex_unlock(&i->lock);
	return done ? (long)done : err;
}

long generic_file_size(struct file *f)
{
	return (long)READ_ONCE(f->inode->size);
}

const struct file_ops generic_file_fops = {
	.read = generic_file_read,
	.write = generic_file_write,
	.size = generic_file_size,
};

long kernel_read(struct inode *i, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (!inode_cached(i))
		return -EINVAL;
	mutex_lock(&i->lock);
	while (done < len && off < i->size) {
		size_t in = off % PAGE_SIZE;
		size_t n = MIN(MIN(len - done, PAGE_SIZE - in), i->size - off);
		struct page *pg;
		int err = pcache_get_page(i, off / PAGE_SIZE, 0, &pg);

		if (err) {
			mutex_unlock(&i->lock);
			return done ? (long)done : err;
		}
		memcpy((uint8_t *)buf + done, (uint8_t *)page_address(pg) + in, n);
		put_page(pg);
		done += n;
		off += n;
	}
	mutex_unlock(&i->lock);
	return (long)done;
}

int vfs_truncate_locked(struct inode *i, uint64_t size)
{
	int err = i->ops->truncate(i, size);

	if (!err && inode_cached(i))
		pcache_truncate(i, size);
	return err;
}

int vfs_fsync(struct inode *i)
{
	int err = 0;

	if (S_ISREG(i->mode)) {
		mutex_lock(&i->lock);
		err = pcache_writeback(i);
		mutex_unlock(&i->lock);
	}
	if (!err && i->sb && i->sb->ops->write_inode)
		err = i->sb->ops->write_inode(i);
	if (!err && i->sb && i->sb->ops->sync)
		err = i->sb->ops->sync(i->sb);
	return err;
}

int vfs_sync(struct super_block *sb)
{
	int err = pcache_sync_all(sb);

	if (sb && sb->ops->sync) {
		int e = sb->ops->sync(sb);
		err = err ? err : e;
	}
	return err;
}
