/*
 * Descriptor control: fcntl (duplication, descriptor and status flags,
 * record locks through kernel/locks.c),
 * close_range, the ioctls every descriptor answers (FIONBIO, FIOCLEX,
 * FIONCLEX, FIONREAD on seekable files), and positioned I/O (pread64,
 * pwrite64, preadv, pwritev), which leaves the file's offset alone.
 *
 * Locking: the close-on-exec bits are changed under fd_table.lock; status
 * flags are changed with one atomic store (readers load them unlocked).
 */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/locks.h>
#include <kernel/pipe.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030
#define F_GETPIPE_SZ    1032
#define FD_CLOEXEC      1

#define O_ACCMODE  03
#define O_RDONLY   00
#define O_WRONLY   01
#define O_CREAT    0100
#define O_EXCL     0200
#define O_NOCTTY   0400
#define O_TRUNC    01000
#define O_APPEND   02000
#define O_NONBLOCK 04000
#define O_ASYNC    020000
#define O_DIRECT   040000
#define O_NOATIME  01000000
#define O_CLOEXEC  02000000
/* What F_SETFL may change (fcntl(2)); the rest of the flags stay. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)
/* Open-time flags that are not part of the open file description. */
#define OPEN_ONLY  (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)

#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

#define FIONREAD 0x541B
#define FIONBIO  0x5421
#define FIONCLEX 0x5450
#define FIOCLEX  0x5451

#define IOV_MAX      1024
#define MAX_RW_COUNT 0x7ffff000L

static struct fd_table *my_files(void)
{
	return current_proc()->files;
}

/* ---- descriptor flags --------------------------------------------------- */

static bool fd_open_locked(struct fd_table *t, int fd)
{
	return fd >= 0 && (unsigned)fd < t->size && t->fds[fd];
}

/* FD_CLOEXEC of fd, or -EBADF. */
static int fd_get_cloexec(struct fd_table *t, int fd)
{
	spin_lock(&t->lock);
	int r = !fd_open_locked(t, fd) ? -EBADF
		: (int)(t->cloexec[fd / 64] >> (fd % 64) & 1);
	spin_unlock(&t->lock);
	return r;
}

static void cloexec_set_locked(struct fd_table *t, unsigned fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

static int fd_set_cloexec(struct fd_table *t, int fd, bool on)
{
	spin_lock(&t->lock);
	int r = fd_open_locked(t, fd) ? 0 : -EBADF;
	if (!r)
		cloexec_set_locked(t, (unsigned)fd, on);
	spin_unlock(&t->lock);
	return r;
}

/* ---- status flags ------------------------------------------------------- */

static void set_status_flags(struct file *f, unsigned flags)
{
	unsigned old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED), new;
	do
		new = (old & ~SETFL_MASK) | (flags & SETFL_MASK);
	while (!__atomic_compare_exchange_n(&f->flags, &old, new, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED));
}

static long do_fcntl(struct file *f, int fd, int cmd, unsigned long arg)
{
	struct proc *p = current_proc();

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= proc_fd_limit(p))
			return -EINVAL;
		return fd_install(p->files, f, (int)arg, cmd == F_DUPFD_CLOEXEC, proc_fd_limit(p));
	case F_GETFD: {
		int on = fd_get_cloexec(p->files, fd);
		return on < 0 ? on : (on ? FD_CLOEXEC : 0);
	}
	case F_SETFD:
		return fd_set_cloexec(p->files, fd, arg & FD_CLOEXEC);
	case F_GETFL:
		return __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & ~OPEN_ONLY;
	case F_SETFL:
		set_status_flags(f, (unsigned)arg);
		return 0;
	case F_GETPIPE_SZ:
		return pipe_capacity(f);
	case LOCKS_GETLK:
	case LOCKS_SETLK:
	case LOCKS_SETLKW:
		return locks_fcntl(f, cmd, (void *)arg);
	}
	return -EINVAL;
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct file *f = fd_get(my_files(), fd);
	if (!f)
		return -EBADF;
	long r = do_fcntl(f, fd, cmd, arg);
	file_put(f);
	return r;
}

/* ---- close_range -------------------------------------------------------- */

/* CLOSE_RANGE_UNSHARE: a table shared with another process is copied
 * first, so the closing is ours alone. */
static int unshare_files(struct proc *p)
{
	struct fd_table *old = p->files;

	if (__atomic_load_n(&old->refcount, __ATOMIC_ACQUIRE) == 1)
		return 0;
	struct fd_table *copy = fd_table_dup(old);
	if (!copy)
		return -ENOMEM;
	WRITE_ONCE(p->files, copy);
	fd_table_put(old);
	return 0;
}

long sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	struct proc *p = current_proc();

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (flags & CLOSE_RANGE_UNSHARE) {
		int err = unshare_files(p);
		if (err)
			return err;
	}
	struct fd_table *t = p->files;
	if (flags & CLOSE_RANGE_CLOEXEC) {
		spin_lock(&t->lock);
		for (unsigned fd = first; fd <= last && fd < t->size; fd++)
			if (t->fds[fd])
				cloexec_set_locked(t, fd, true);
		spin_unlock(&t->lock);
		return 0;
	}
	for (unsigned fd = first; fd <= last && fd < READ_ONCE(t->size); fd++)
		fd_close(t, (int)fd);
	return 0;
}

/* ---- ioctls every descriptor answers ------------------------------------ */

long file_ioctl(struct file *f, int fd, unsigned cmd, unsigned long arg)
{
	int on;

	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		return fd_set_cloexec(my_files(), fd, cmd == FIOCLEX);
	case FIONBIO:
		if (get_user_u32((uint32_t *)&on, (void *)arg))
			return -EFAULT;
		set_status_flags(f, on ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK));
		return 0;
	case FIONREAD:
		/* A seekable file: the bytes from the offset to its end. */
		if (!f->ops->ioctl && f->ops->size) {
			long size = f->ops->size(f);
			if (size < 0)
				return size;
			uint64_t pos = READ_ONCE(f->pos);
			on = (int)((uint64_t)size > pos ? (uint64_t)size - pos : 0);
			return put_user_u32((uint32_t)on, (void *)arg) ? -EFAULT : 0;
		}
		break;
	}
	return f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
}

/* ---- positioned I/O ----------------------------------------------------- */

/* The checks shared by the four calls, in Linux's order; f gets a
 * reference on success. */
static long prw_begin(int fd, int64_t pos, bool write, struct file **fp)
{
	if (pos < 0)
		return -EINVAL;
	struct file *f = fd_get(my_files(), fd);
	if (!f)
		return -EBADF;
	long r = 0;
	if (!f->ops->size)
		r = -ESPIPE;            /* not seekable: pipes, eventfd, the console */
	else if ((f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		r = -EBADF;
	else if (write ? !f->ops->write : !f->ops->read)
		r = -EINVAL;
	if (r) {
		file_put(f);
		return r;
	}
	*fp = f;
	return 0;
}

static long prw_one(struct file *f, void *ubuf, size_t len, uint64_t *pos, bool write)
{
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	return write ? f->ops->write(f, ubuf, len, pos) : f->ops->read(f, ubuf, len, pos);
}

long sys_pread64(int fd, void *buf, size_t count, int64_t pos)
{
	struct file *f;
	long r = prw_begin(fd, pos, false, &f);
	if (r)
		return r;
	uint64_t p = (uint64_t)pos;
	r = prw_one(f, buf, count, &p, false);
	file_put(f);
	return r;
}

long sys_pwrite64(int fd, const void *buf, size_t count, int64_t pos)
{
	struct file *f;
	long r = prw_begin(fd, pos, true, &f);
	if (r)
		return r;
	uint64_t p = (uint64_t)pos;
	r = prw_one(f, (void *)buf, count, &p, true);
	file_put(f);
	return r;
}

/* Copy in an iovec array: EINVAL for a bad count or a total past
 * SSIZE_MAX, EFAULT for an unreadable array. */
static long get_iovec(const void *uiov, int cnt, struct iovec_k **out)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	struct iovec_k *iov = kmalloc(MAX(cnt, 1) * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, uiov, (size_t)cnt * sizeof(*iov))) {
		kfree(iov);
		return -EFAULT;
	}
	uint64_t total = 0;
	for (int i = 0; i < cnt; i++) {
		total += iov[i].len;
		if (iov[i].len > INT64_MAX || total > INT64_MAX) {
			kfree(iov);
			return -EINVAL;
		}
	}
	*out = iov;
	return 0;
}

static long prw_vec(int fd, const void *uiov, int cnt, int64_t pos, bool write)
{
	struct file *f;
	struct iovec_k *iov;
	long r = prw_begin(fd, pos, write, &f);
	if (r)
		return r;
	r = get_iovec(uiov, cnt, &iov);
	if (r) {
		file_put(f);
		return r;
	}
	uint64_t p = (uint64_t)pos;
	long done = 0;
	for (int i = 0; i < cnt; i++) {
		if (!iov[i].len)
			continue;
		r = prw_one(f, (void *)iov[i].base, iov[i].len, &p, write);
		if (r < 0)
			break;
		done += r;
		if ((uint64_t)r < iov[i].len)
			break;
	}
	kfree(iov);
	file_put(f);
	return done ? done : r;
}

/* x86-64 passes the whole offset in pos_l; pos_h is not used. */
long sys_preadv(int fd, const void *iov, int iovcnt, int64_t pos_l, int64_t pos_h)
{
	(void)pos_h;
	return prw_vec(fd, iov, iovcnt, pos_l, false);
}

long sys_pwritev(int fd, const void *iov, int iovcnt, int64_t pos_l, int64_t pos_h)
{
	(void)pos_h;
	return prw_vec(fd, iov, iovcnt, pos_l, true);
}
