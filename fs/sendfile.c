/*
 * sendfile and copy_file_range: the kernel moves bytes from one open file
 * to another through a bounce buffer, with the files' own read and write
 * methods (fs/kernel_rw.c), as Linux 6.1 does them (do_sendfile,
 * vfs_copy_file_range):
 *
 * - sendfile reads a regular file (from *offset, or from its file offset)
 *   and writes anything writable at its file offset, pipes included;
 * - copy_file_range copies between regular files of one file system
 *   (EXDEV across file systems, as 6.1), each at *off or its file offset,
 *   never between overlapping ranges of one file.
 *
 * No lock is held across the copy: each read and write takes what its
 * method takes, as Linux's splice does.
 */
#include <fs/kernel_rw.h>
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_ACCMODE    3
#define O_RDONLY     0
#define O_WRONLY     1
#define O_APPEND     02000
#define MAX_RW_COUNT 0x7ffff000L        /* Linux's cap on one transfer */
#define BOUNCE_SIZE  (64 * 1024)

static bool readable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool writable(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

static bool is_reg(const struct file *f)
{
	return f->inode && S_ISREG(f->inode->mode);
}

/* Linux's rw_verify_area for files with signed offsets. */
static int verify_area(int64_t pos, size_t count)
{
	if ((int64_t)count < 0 || pos < 0 || (int64_t)((uint64_t)pos + count) < 0)
		return -EINVAL;
	return 0;
}

/*
 * Move up to count bytes: read in at *in_pos, write out at *out_pos.
 * Stops at the end of in or at a short write; the bytes moved, or the
 * first error if none moved. The positions advance by what was written.
 */
static long copy_between(struct file *in, uint64_t *in_pos, struct file *out, uint64_t *out_pos,
			 size_t count)
{
	size_t size = MIN(count, (size_t)BOUNCE_SIZE);
	void *buf = size ? kmalloc(size) : NULL;
	long done = 0;

	if (size && !buf)
		return -ENOMEM;
	while ((size_t)done < count) {
		uint64_t rpos = *in_pos;
		long got = kernel_file_read(in, buf, MIN(count - (size_t)done, size), &rpos);
		if (got <= 0) {
			if (got < 0 && !done)
				done = got;
			break;
		}
		long put = kernel_file_write(out, buf, (size_t)got, out_pos);
		if (put <= 0) {
			if (put < 0 && !done)
				done = put;
			break;
		}
		*in_pos += (uint64_t)put;
		done += put;
		if (put < got)
			break;
	}
	kfree(buf);
	return done;
}

/* do_sendfile's checks, in its order, then the copy. */
static long do_sendfile(struct file *in, struct file *out, int64_t *ppos, size_t count)
{
	if (!readable(in))
		return -EBADF;
	if (ppos && !in->ops->size)
		return -ESPIPE;         /* an offset needs a seekable input */
	int64_t pos = ppos ? *ppos : (int64_t)in->pos;
	int err = verify_area(pos, count);
	if (err)
		return err;
	count = MIN(count, (size_t)MAX_RW_COUNT);
	if (!out)
		return -EBADF;
	if (!writable(out))
		return -EBADF;
	if (!is_reg(in))
		return -EINVAL;         /* Linux: the input must splice (a file, not a pipe) */
	bool to_pipe = out->inode ? S_ISFIFO(out->inode->mode) : S_ISFIFO(out->ops->anon_mode);
	if (!to_pipe) {
		if ((err = verify_area((int64_t)out->pos, count)))
			return err;
		if (out->flags & O_APPEND)
			return -EINVAL;
	}
	if (!count)
		return 0;
	uint64_t upos = (uint64_t)pos;
	long r = copy_between(in, &upos, out, &out->pos, count);
	if (r > 0) {
		if (ppos)
			*ppos = (int64_t)upos;
		else
			in->pos = upos;
	}
	return r;
}

long sys_sendfile(int out_fd, int in_fd, int64_t *uoffset, size_t count)
{
	struct fd_table *t = current_proc()->files;
	int64_t pos;
	if (uoffset && copy_from_user(&pos, uoffset, sizeof(pos)))
		return -EFAULT;
	struct file *in = fd_get(t, in_fd);
	if (!in)
		return -EBADF;
	struct file *out = fd_get(t, out_fd);
	long r = do_sendfile(in, out, uoffset ? &pos : NULL, count);
	if (out)
		file_put(out);
	file_put(in);
	if (uoffset && put_user(pos, uoffset))
		return -EFAULT;
	return r;
}

/* generic_copy_file_checks of Linux 6.1: may shorten *count to the end
 * of the input. */
static int copy_checks(struct file *in, int64_t pos_in, struct file *out, int64_t pos_out,
		       size_t *count)
{
	struct inode *ii = in->inode, *oi = out->inode;
	if ((ii && S_ISDIR(ii->mode)) || (oi && S_ISDIR(oi->mode)))
		return -EISDIR;
	if (!is_reg(in) || !is_reg(out))
		return -EINVAL;
	if (!readable(in) || !writable(out) || (out->flags & O_APPEND))
		return -EBADF;
	if (ii->sb != oi->sb)
		return -EXDEV;
	if ((uint64_t)pos_in + *count < (uint64_t)pos_in || (uint64_t)pos_out + *count < (uint64_t)pos_out)
		return -EOVERFLOW;
	int64_t size_in = (int64_t)READ_ONCE(ii->size);
	*count = pos_in >= size_in ? 0 : MIN(*count, (size_t)(size_in - pos_in));
	if (ii == oi && pos_out + (int64_t)*count > pos_in && pos_out < pos_in + (int64_t)*count)
		return -EINVAL;         /* overlapping ranges of one file */
	return 0;
}

static long do_copy_file_range(struct file *in, int64_t *pos_in, struct file *out,
			       int64_t *pos_out, size_t len)
{
	int err = copy_checks(in, *pos_in, out, *pos_out, &len);
	if (!err)
		err = verify_area(*pos_in, len);
	if (!err)
		err = verify_area(*pos_out, len);
	if (err)
		return err;
	if (!len)
		return 0;
	uint64_t ip = (uint64_t)*pos_in, op = (uint64_t)*pos_out;
	long r = copy_between(in, &ip, out, &op, MIN(len, (size_t)MAX_RW_COUNT));
	if (r > 0) {
		*pos_in = (int64_t)ip;
		*pos_out = (int64_t)op;
	}
	return r;
}

long sys_copy_file_range(int fd_in, int64_t *uoff_in, int fd_out, int64_t *uoff_out,
			 size_t len, unsigned flags)
{
	struct fd_table *t = current_proc()->files;
	struct file *in = fd_get(t, fd_in), *out = NULL;
	int64_t pos_in, pos_out;
	long r = -EBADF;

	if (!in)
		return -EBADF;
	if (!(out = fd_get(t, fd_out)))
		goto out;
	r = -EFAULT;
	if (uoff_in ? copy_from_user(&pos_in, uoff_in, sizeof(pos_in)) : (pos_in = (int64_t)in->pos, 0))
		goto out;
	if (uoff_out ? copy_from_user(&pos_out, uoff_out, sizeof(pos_out)) : (pos_out = (int64_t)out->pos, 0))
		goto out;
	r = flags ? -EINVAL : do_copy_file_range(in, &pos_in, out, &pos_out, len);
	if (r > 0) {
		if (!uoff_in)
			in->pos = (uint64_t)pos_in;
		else if (put_user(pos_in, uoff_in))
			r = -EFAULT;
		if (!uoff_out)
			out->pos = (uint64_t)pos_out;
		else if (put_user(pos_out, uoff_out))
			r = -EFAULT;
	}
out:
	if (out)
		file_put(out);
	file_put(in);
	return r;
}
