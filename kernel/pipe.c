/*
 * Pipes: a 64 KiB ring with a read end and a write end (pipe(7)).
 * Writes of at most PIPE_BUF bytes are atomic (one piece under the lock); reading with no writers left
 * returns 0 (end of file); writing with no readers left sends the writer
 * SIGPIPE and fails with EPIPE. O_NONBLOCK gives EAGAIN instead of waiting;
 * a signal interrupts a wait (-ERESTARTSYS) unless some bytes moved.
 *
 * Locking: pipe.lock protects the ring and the reader/writer counts; the
 * two wait queues are woken after it is dropped.
 *
 * A FIFO (a named pipe, fifo(7)) is the same pipe, made at the first open
 * of its inode and shared by every opener until the last end closes. Its
 * inode's lock (a mutex, fifo_lock here) serializes opens with the last
 * release, which clears the inode's pointer: fifo_lock -> pipe.lock.
 */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mutex.h>
#include <kernel/pipe.h>
#include <kernel/poll.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define PIPE_SIZE  65536
#define PIPE_BUF   4096
#define O_WRONLY   01
#define O_NONBLOCK 04000
#define O_CLOEXEC  02000000
#define O_DIRECT   040000

struct pipe {
	struct spinlock lock;
	uint8_t *buf;
	size_t head, tail;              /* bytes ever written / read */
	unsigned readers, writers;
	/* Open files on this pipe: the last one to finish its release frees
	 * it. Apart from readers/writers because a release wakes the waiters
	 * after dropping its role, and another end's release must not free
	 * the pipe under that wake-up. */
	unsigned ends;
	struct wait_queue rq, wq;       /* readers / writers wait here */
	/* FIFOs: opens ever made of each kind (a blocked opener waits for a
	 * change), and the inode's pointer with the mutex guarding it. */
	unsigned reader_opens, writer_opens;
	struct pipe **fifo_slot;
	struct mutex *fifo_lock;
};

static size_t pipe_used(struct pipe *p) { return p->head - p->tail; }

static bool readable_or_eof(struct pipe *p)
{
	return pipe_used(p) > 0 || READ_ONCE(p->writers) == 0;
}

/* Copy n bytes out of / into the ring at byte count at (it wraps). */
static void ring_out(struct pipe *p, uint8_t *dst, size_t at, size_t n)
{
	size_t off = at % PIPE_SIZE, first = MIN(n, PIPE_SIZE - off);
	memcpy(dst, p->buf + off, first);
	memcpy(dst + first, p->buf, n - first);
}

static void ring_in(struct pipe *p, const uint8_t *src, size_t at, size_t n)
{
	size_t off = at % PIPE_SIZE, first = MIN(n, PIPE_SIZE - off);
	memcpy(p->buf + off, src, first);
	memcpy(p->buf, src + first, n - first);
}

static long pipe_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct pipe *p = f->private;
	size_t done = 0;

	if (!len)
		return 0;
	uint8_t *chunk = kmalloc(PIPE_BUF);
	if (!chunk)
		return -ENOMEM;
	for (;;) {
		spin_lock(&p->lock);
		if (pipe_used(p) > 0 || p->writers == 0)
			break;
		spin_unlock(&p->lock);
		long err = -EAGAIN;
		if (!(f->flags & O_NONBLOCK))
			err = wait_event_interruptible(&p->rq, readable_or_eof(p));
		if (err) {
			kfree(chunk);
			return err;
		}
	}
	/* Copy out in chunks without holding the lock across copy_to_user. */
	while (done < len && pipe_used(p) > 0) {
		size_t n = MIN(MIN(len - done, (size_t)PIPE_BUF), pipe_used(p));
		ring_out(p, chunk, p->tail, n);
		spin_unlock(&p->lock);
		if (copy_to_user((uint8_t *)ubuf + done, chunk, n)) {
			kfree(chunk);
			wait_queue_wake_all(&p->wq);
			return done ? (long)done : -EFAULT;
		}
		spin_lock(&p->lock);
		p->tail += n;
		done += n;
	}
	spin_unlock(&p->lock);
	kfree(chunk);
	wait_queue_wake_all(&p->wq);
	return (long)done;
}

static bool writable_or_broken(struct pipe *p, size_t need)
{
	return PIPE_SIZE - pipe_used(p) >= need || READ_ONCE(p->readers) == 0;
}

/*
 * Data is copied from the user into a kernel buffer first, then put into
 * the ring in one piece under the lock, once there is room for all of it:
 * a write of at most PIPE_BUF bytes is one piece (atomic, never interleaved
 * with another writer's), a longer one goes in pieces of PIPE_BUF.
 */
/* Put n <= PIPE_BUF bytes into the ring in one piece, once there is room
 * for all of them: 0 or -errno (EPIPE with SIGPIPE, EAGAIN, a signal). */
static long pipe_insert(struct file *f, struct pipe *p, const uint8_t *piece, size_t n)
{
	for (;;) {
		spin_lock(&p->lock);
		if (p->readers == 0) {
			spin_unlock(&p->lock);
			signal_send_self(SIGPIPE);
			return -EPIPE;
		}
		if (PIPE_SIZE - pipe_used(p) >= n)
			break;
		spin_unlock(&p->lock);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(&p->wq, writable_or_broken(p, n));
		if (err)
			return err;
	}
	ring_in(p, piece, p->head, n);
	p->head += n;
	spin_unlock(&p->lock);
	wait_queue_wake_all(&p->rq);
	return 0;
}

static long pipe_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	struct pipe *p = f->private;
	size_t done = 0;
	long err = 0;
	uint8_t *piece = kmalloc(PIPE_BUF);

	if (!piece)
		return -ENOMEM;
	while (done < len) {
		size_t n = MIN(len - done, (size_t)PIPE_BUF);
		if (copy_from_user(piece, (const uint8_t *)ubuf + done, n)) {
			err = -EFAULT;
			break;
		}
		err = pipe_insert(f, p, piece, n);
		if (err)
			break;
		done += n;
	}
	kfree(piece);
	return done ? (long)done : err;
}

/* writev: at most PIPE_BUF bytes in all go in as one piece, like a single
 * write (musl's stdio flushes its buffer and the new data in one writev);
 * more go element by element. */
static long pipe_writev(struct file *f, const struct iovec_k *iov, unsigned cnt, uint64_t *pos)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < cnt; i++)
		total += iov[i].len;
	if (total > PIPE_BUF) {
		long done = 0;
		for (unsigned i = 0; i < cnt; i++) {
			if (!iov[i].len)
				continue;
			long r = pipe_write(f, (const void *)iov[i].base, iov[i].len, pos);
			if (r < 0)
				return done ? done : r;
			done += r;
			if ((uint64_t)r < iov[i].len)
				break;
		}
		return done;
	}
	uint8_t *piece = kmalloc(PIPE_BUF);
	if (!piece)
		return -ENOMEM;
	size_t n = 0;
	long err = 0;
	for (unsigned i = 0; i < cnt && !err; i++) {
		if (copy_from_user(piece + n, (const void *)iov[i].base, iov[i].len))
			err = -EFAULT;
		n += iov[i].len;
	}
	if (!err && n)
		err = pipe_insert(f, f->private, piece, n);
	kfree(piece);
	return err ? err : (long)n;
}

/* An O_RDWR end (FIFOs only) counts as both a reader and a writer. */
static void pipe_release(struct file *f)
{
	struct pipe *p = f->private;
	unsigned acc = f->flags & 3;
	struct mutex *fifo_lock = p->fifo_lock;

	if (fifo_lock)
		mutex_lock(fifo_lock);
	spin_lock(&p->lock);
	if (acc != O_WRONLY)
		p->readers--;
	if (acc != 0)
		p->writers--;
	/* A FIFO with no end open is forgotten: the next open makes a new one. */
	if (p->readers == 0 && p->writers == 0 && p->fifo_slot)
		*p->fifo_slot = NULL;
	spin_unlock(&p->lock);
	if (fifo_lock)
		mutex_unlock(fifo_lock);
	wait_queue_wake_all(&p->rq);
	wait_queue_wake_all(&p->wq);
	spin_lock(&p->lock);
	bool last = --p->ends == 0;
	spin_unlock(&p->lock);
	if (last) {
		kfree(p->buf);
		kfree(p);
	}
}

static long pipe_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pipe *p = f->private;
	if (cmd != 0x541B /* FIONREAD */)
		return -ENOTTY;
	spin_lock(&p->lock);
	int n = (int)pipe_used(p);
	spin_unlock(&p->lock);
	return put_user_u32((uint32_t)n, (void *)arg) ? -EFAULT : 0;
}

/* As Linux reports it: the read end is readable with data, hung up once no
 * writer is left; the write end is writable with room for PIPE_BUF bytes
 * (a write that size then does not block), in error once no reader is. */
static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->private;
	unsigned acc = f->flags & 3;    /* a FIFO opened O_RDWR is both ends */
	bool reads = acc != O_WRONLY, writes = acc != 0 /* O_RDONLY */;
	unsigned mask = 0;

	if (reads)
		poll_wait(pt, f, &p->rq);
	if (writes)
		poll_wait(pt, f, &p->wq);
	spin_lock(&p->lock);
	if (reads) {
		if (pipe_used(p) > 0)
			mask |= POLLIN | POLLRDNORM;
		if (p->writers == 0)
			mask |= POLLHUP;
	}
	if (writes) {
		if (PIPE_SIZE - pipe_used(p) >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			mask |= POLLERR;
	}
	spin_unlock(&p->lock);
	return mask;
}

static const struct file_ops pipe_ops = {
	.poll = pipe_poll,
	.read = pipe_read,
	.write = pipe_write,
	.writev = pipe_writev,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
	.anon_mode = 0010000 | 0600,         /* S_IFIFO, as Linux shows pipes */
};

long pipe_capacity(struct file *f)
{
	return f->ops == &pipe_ops ? PIPE_SIZE : -EBADF;
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->buf = kmalloc(PIPE_SIZE);
	if (!p->buf) {
		kfree(p);
		return NULL;
	}
	spin_lock_init(&p->lock, "pipe");
	wait_queue_init(&p->rq);
	wait_queue_init(&p->wq);
	return p;
}

static bool opens_changed(struct pipe *p, bool want_writer, unsigned seen)
{
	return want_writer ? READ_ONCE(p->writer_opens) != seen : READ_ONCE(p->reader_opens) != seen;
}

/*
 * open(2) of a FIFO (fifo(7)): a reader waits for a writer and a writer
 * for a reader, unless O_NONBLOCK (a reader goes on, a writer gets ENXIO)
 * or O_RDWR (never waits). *slot is the inode's pipe, under lock.
 */
long fifo_open(struct pipe **slot, struct mutex *lock, unsigned flags, struct file **out)
{
	unsigned acc = flags & 3;
	bool nonblock = flags & O_NONBLOCK;

	mutex_lock(lock);
	struct pipe *p = *slot;
	if (!p && !(p = pipe_alloc())) {
		mutex_unlock(lock);
		return -ENOMEM;
	}
	if (acc == O_WRONLY && nonblock && READ_ONCE(p->readers) == 0) {
		if (!*slot) {
			kfree(p->buf);
			kfree(p);
		}
		mutex_unlock(lock);
		return -ENXIO;
	}
	struct file *f = file_alloc(&pipe_ops, p, flags);
	if (!f) {
		if (!*slot) {
			kfree(p->buf);
			kfree(p);
		}
		mutex_unlock(lock);
		return -ENOMEM;
	}
	*slot = p;
	p->fifo_slot = slot;
	p->fifo_lock = lock;
	spin_lock(&p->lock);
	p->ends++;
	if (acc != O_WRONLY) {
		p->readers++;
		p->reader_opens++;
	}
	if (acc != 0) {
		p->writers++;
		p->writer_opens++;
	}
	unsigned seen_w = p->writer_opens, seen_r = p->reader_opens;
	bool wait = !nonblock && ((acc == 0 && p->writers == 0) || (acc == O_WRONLY && p->readers == 0));
	spin_unlock(&p->lock);
	mutex_unlock(lock);
	wait_queue_wake_all(&p->rq);
	wait_queue_wake_all(&p->wq);
	if (wait) {
		bool want_writer = acc == 0;
		long err = wait_event_interruptible(want_writer ? &p->rq : &p->wq,
						    opens_changed(p, want_writer,
								  want_writer ? seen_w : seen_r));
		if (err) {
			file_put(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

int pipe_create(struct file **rd, struct file **wr, unsigned flags)
{
	struct pipe *p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	p->readers = p->writers = 1;
	p->ends = 2;
	*rd = p->buf ? file_alloc(&pipe_ops, p, 0 | (flags & O_NONBLOCK)) : NULL;
	*wr = *rd ? file_alloc(&pipe_ops, p, O_WRONLY | (flags & O_NONBLOCK)) : NULL;
	if (!*wr) {
		if (*rd)
			kfree(*rd);
		kfree(p->buf);
		kfree(p);
		return -ENOMEM;
	}
	return 0;
}

long sys_pipe2(int *ufds, int flags)
{
	struct proc *proc = current_proc();
	struct file *rd, *wr;

	if (flags & ~(O_NONBLOCK | O_CLOEXEC | O_DIRECT))
		return -EINVAL;
	int err = pipe_create(&rd, &wr, (unsigned)flags);
	if (err)
		return err;
	unsigned limit = proc_fd_limit(proc);
	int fds[2] = { -1, -1 };
	fds[0] = fd_install(proc->files, rd, 0, flags & O_CLOEXEC, limit);
	if (fds[0] >= 0)
		fds[1] = fd_install(proc->files, wr, 0, flags & O_CLOEXEC, limit);
	file_put(rd);
	file_put(wr);
	if (fds[1] < 0) {
		err = fds[0] < 0 ? fds[0] : fds[1];
		if (fds[0] >= 0)
			fd_close(proc->files, fds[0]);
		return err;
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(proc->files, fds[0]);
		fd_close(proc->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(int *ufds)
{
	return sys_pipe2(ufds, 0);
}
