/*
 * File-descriptor system calls that need no file system: read/write and
 * their vector forms, close, ioctl, dup family. The VFS issue adds open()
 * and the rest; these stay as they are.
 */
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_ACCMODE 3
#define O_RDONLY  0
#define O_WRONLY  1
#define O_CLOEXEC 02000000
#define IOV_MAX   1024
#define MAX_RW_COUNT 0x7ffff000L        /* Linux clamps one transfer to this */

static struct file *get_file(int fd)
{
	struct proc *p = current_proc();
	return p ? fd_get(p->files, fd) : NULL;
}

/* Linux checks the whole user range (access_ok) before clamping the count,
 * so a count running past user space is EFAULT before anything moves. */
static long do_read(struct file *f, void *ubuf, size_t len)
{
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (!f->ops->read)
		return -EINVAL;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	return f->ops->read(f, ubuf, MIN(len, (size_t)MAX_RW_COUNT), &f->pos);
}

static long do_write(struct file *f, const void *ubuf, size_t len)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!f->ops->write)
		return -EINVAL;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	return f->ops->write(f, ubuf, MIN(len, (size_t)MAX_RW_COUNT), &f->pos);
}

long sys_read(int fd, void *buf, size_t count)
{
	struct file *f = get_file(fd);
	if (!f)
		return -EBADF;
	long r = do_read(f, buf, count);
	file_put(f);
	return r;
}

long sys_write(int fd, const void *buf, size_t count)
{
	struct file *f = get_file(fd);
	if (!f)
		return -EBADF;
	long r = do_write(f, buf, count);
	file_put(f);
	return r;
}

/*
 * Copy and check a user iovec array as Linux's import_iovec does, before
 * anything is transferred: a negative length anywhere is EINVAL, then a
 * range outside user space EFAULT; lengths past MAX_RW_COUNT in total are
 * cut. *out is fast or a kmalloc'ed array the caller frees.
 */
int import_iovec(const void *uiov, int iovcnt, struct iovec_k *fast,
			struct iovec_k **out)
{
	struct iovec_k *iov = fast;
	uint64_t total = 0;

	if (iovcnt > IOV_FAST && !(iov = kmalloc((size_t)iovcnt * sizeof(*iov))))
		return -ENOMEM;
	*out = iov;
	if (copy_from_user(iov, uiov, (size_t)iovcnt * sizeof(*iov)))
		return -EFAULT;
	for (int i = 0; i < iovcnt; i++)
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
	for (int i = 0; i < iovcnt; i++) {
		if (!user_range_ok((const void *)iov[i].base, iov[i].len))
			return -EFAULT;
		iov[i].len = MIN(iov[i].len, (uint64_t)MAX_RW_COUNT - total);
		total += iov[i].len;
	}
	return 0;
}

/* readv/writev: one transfer per element, stopping at the first short one.
 * The count is an unsigned long, as in Linux: 1 << 40 is EINVAL, not 0. */
static long do_rw_vec(int fd, const void *uiov, unsigned long iovcnt, bool write)
{
	struct iovec_k fast[IOV_FAST], *iov = fast;
	long total = 0;

	struct file *f = get_file(fd);
	if (!f)
		return -EBADF;
	if (iovcnt > IOV_MAX) {
		total = -EINVAL;
		goto out_put;
	}
	if (iovcnt == 0) {
		/* Nothing to move, but the direction is still checked. */
		total = (f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY) ? -EBADF : 0;
		goto out_put;
	}
	total = import_iovec(uiov, (int)iovcnt, fast, &iov);
	if (total < 0)
		goto out_free;
	if (write && iovcnt > 1 && f->ops->writev) {
		total = (f->flags & O_ACCMODE) == O_RDONLY ? -EBADF :
			f->ops->writev(f, iov, (unsigned)iovcnt, &f->pos);
		goto out_free;
	}
	if (!write && iovcnt > 1 && f->ops->readv) {
		total = (f->flags & O_ACCMODE) == O_WRONLY ? -EBADF :
			f->ops->readv(f, iov, (unsigned)iovcnt, &f->pos);
		goto out_free;
	}
	for (unsigned i = 0; i < iovcnt; i++) {
		if (!iov[i].len)
			continue;
		long r = write ? do_write(f, (const void *)iov[i].base, iov[i].len)
			       : do_read(f, (void *)iov[i].base, iov[i].len);
		if (r < 0) {
			total = total ? total : r;
			break;
		}
		total += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
out_free:
	if (iov != fast)
		kfree(iov);
out_put:
	file_put(f);
	return total;
}

long sys_readv(int fd, const void *iov, unsigned long iovcnt)
{
	return do_rw_vec(fd, iov, iovcnt, false);
}

long sys_writev(int fd, const void *iov, unsigned long iovcnt)
{
	return do_rw_vec(fd, iov, iovcnt, true);
}

long sys_close(int fd)
{
	struct proc *p = current_proc();
	return p ? fd_close(p->files, fd) : -EBADF;
}

long sys_ioctl(int fd, unsigned cmd, unsigned long arg)
{
	struct file *f = get_file(fd);
	if (!f)
		return -EBADF;
	long r = file_ioctl(f, fd, cmd, arg);
	file_put(f);
	return r;
}

long sys_dup(int oldfd)
{
	struct proc *p = current_proc();
	struct file *f = get_file(oldfd);
	if (!f)
		return -EBADF;
	int fd = fd_install(p->files, f, 0, false, proc_fd_limit(p));
	file_put(f);
	return fd;
}

long sys_dup3(int oldfd, int newfd, int flags)
{
	struct proc *p = current_proc();

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (newfd < 0 || (unsigned)newfd >= proc_fd_limit(p))
		return -EBADF;
	struct file *f = get_file(oldfd);
	if (!f)
		return -EBADF;
	fd_close(p->files, newfd);
	int fd = fd_install(p->files, f, newfd, flags & O_CLOEXEC, proc_fd_limit(p));
	file_put(f);
	/* Another thread may have taken newfd in between: Linux returns EBUSY. */
	return fd == newfd ? fd : (fd >= 0 ? (fd_close(p->files, fd), -EBUSY) : fd);
}

long sys_dup2(int oldfd, int newfd)
{
	if (oldfd == newfd) {
		struct file *f = get_file(oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return sys_dup3(oldfd, newfd, 0);
}
