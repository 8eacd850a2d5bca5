/*
 * Block special files: what opening /dev/vda (an S_IFBLK inode) gives. The
 * file reads and writes the device's bytes through the buffer cache, in
 * blocks of the device's logical block size, so that it sees what a file
 * system mounted from the same device has written back. Seeking is
 * allowed anywhere (SEEK_END is the device's size); writing at or past the
 * end gives ENOSPC as on Linux. fsync and the last close write the dirty
 * buffers of the disk and flush its cache.
 *
 * ioctls: BLKGETSIZE (sectors), BLKGETSIZE64 (bytes), BLKSSZGET (logical
 * block size), BLKFLSBUF (write back), BLKROGET.
 *
 * Locking: none of its own; each block is held (bread's sleeping lock)
 * only while its bytes are copied to or from the user.
 */
#include <drivers/block/blkdev.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <mm/uaccess.h>

#define O_ACCMODE 03
#define O_RDONLY  00

#define BLKROGET     0x125e
#define BLKGETSIZE   0x1260
#define BLKFLSBUF    0x1261
#define BLKSSZGET    0x1268
#define BLKGETSIZE64 0x80081272

static uint64_t dev_bytes(const struct block_device *b)
{
	return b->nr_sectors << SECTOR_SHIFT;
}

static long bfile_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct block_device *b = f->private;
	uint32_t bs = b->block_size;
	uint64_t end = dev_bytes(b);
	size_t done = 0;

	while (done < len && *pos < end) {
		uint32_t off = (uint32_t)(*pos % bs);
		size_t n = bs - off;
		if (n > len - done)
			n = len - done;
		if (n > end - *pos)
			n = (size_t)(end - *pos);
		struct buf *bb = bread(b, *pos / bs, bs);
		if (IS_ERR(bb))
			return done ? (long)done : PTR_ERR(bb);
		int err = copy_to_user((char *)ubuf + done, bb->data + off, n);
		brelse(bb);
		if (err)
			return done ? (long)done : err;
		done += n;
		*pos += n;
	}
	return (long)done;
}

static long bfile_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	struct block_device *b = f->private;
	uint32_t bs = b->block_size;
	uint64_t end = dev_bytes(b);
	size_t done = 0;

	if (b->read_only)
		return -EPERM;
	if (len && *pos >= end)
		return -ENOSPC;
	while (done < len && *pos < end) {
		uint32_t off = (uint32_t)(*pos % bs);
		size_t n = bs - off;
		if (n > len - done)
			n = len - done;
		if (n > end - *pos)
			n = (size_t)(end - *pos);
		/* A whole block is overwritten: no need to read it first. */
		struct buf *bb = n == bs ? bget(b, *pos / bs, bs) : bread(b, *pos / bs, bs);
		if (IS_ERR(bb))
			return done ? (long)done : PTR_ERR(bb);
		int err = copy_from_user(bb->data + off, (const char *)ubuf + done, n);
		if (!err)
			bdirty(bb);
		brelse(bb);
		if (err)
			return done ? (long)done : err;
		done += n;
		*pos += n;
	}
	return (long)done;
}

static long bfile_size(struct file *f)
{
	return (long)dev_bytes(f->private);
}

static long bfile_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct block_device *b = f->private;

	switch (cmd) {
	case BLKGETSIZE64:
		return put_user(dev_bytes(b), (uint64_t *)arg);
	case BLKGETSIZE:
		return put_user((unsigned long)b->nr_sectors, (unsigned long *)arg);
	case BLKSSZGET:
		return put_user((int)b->block_size, (int *)arg);
	case BLKROGET:
		return put_user((int)b->read_only, (int *)arg);
	case BLKFLSBUF:
		return bdev_sync(b);
	default:
		return -ENOTTY;
	}
}

static int bfile_fsync(struct file *f)
{
	return bdev_sync(f->private);
}

static void bfile_release(struct file *f)
{
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		bdev_sync(f->private);  /* as Linux's last close of a block device */
}

static const struct file_ops bfile_ops = {
	.read = bfile_read,
	.write = bfile_write,
	.size = bfile_size,
	.ioctl = bfile_ioctl,
	.fsync = bfile_fsync,
	.release = bfile_release,
};

long blkdev_open(uint32_t devnum, unsigned flags, struct file **out)
{
	struct block_device *b = bdev_by_devnum(devnum);

	if (!b)
		return -ENXIO;
	if (b->read_only && (flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	struct file *f = file_alloc(&bfile_ops, b, flags);
	if (!f)
		return -ENOMEM;
	*out = f;
	return 0;
}
