/*
 * eventfd (eventfd(2)): a 64-bit counter behind a descriptor. write adds
 * to it (blocking while the sum would pass 0xfffffffffffffffe), read takes
 * all of it, or 1 with EFD_SEMAPHORE (blocking while it is 0).
 *
 * Readiness (efd_poll): readable while efd_readable(), writable while
 * efd_writable() (for a write of 1); every change wakes the queue of the
 * side that may now proceed.
 *
 * Locking: efd.lock protects the counter; the wait queues are woken after
 * it is dropped. Never taken in interrupt context.
 */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_RDWR        02
#define O_NONBLOCK    04000
#define O_CLOEXEC     02000000
#define EFD_SEMAPHORE 1
#define EFD_NONBLOCK  O_NONBLOCK
#define EFD_CLOEXEC   O_CLOEXEC
#define EFD_MAX       0xfffffffffffffffeull     /* the largest value it holds */

struct eventfd {
	/* Immutable after creation. */
	bool semaphore;
	struct spinlock lock;
	struct wait_queue readers, writers;

	uint64_t count;                 /* under lock */
};

static bool efd_readable(struct eventfd *e)
{
	return READ_ONCE(e->count) > 0;
}

/* Room to add n. */
static bool efd_writable(struct eventfd *e, uint64_t n)
{
	return EFD_MAX - READ_ONCE(e->count) >= n;
}

static long efd_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct eventfd *e = f->private;

	if (len < sizeof(uint64_t))
		return -EINVAL;
	spin_lock(&e->lock);
	while (!e->count) {
		spin_unlock(&e->lock);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(&e->readers, efd_readable(e));
		if (err)
			return err;
		spin_lock(&e->lock);
	}
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	spin_unlock(&e->lock);
	wait_queue_wake_all(&e->writers);
	return put_user_u64(v, ubuf) ? -EFAULT : (long)sizeof(v);
}

static long efd_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	struct eventfd *e = f->private;
	uint64_t v;

	if (len < sizeof(uint64_t))
		return -EINVAL;
	if (get_user_u64(&v, ubuf))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	spin_lock(&e->lock);
	while (EFD_MAX - e->count < v) {
		spin_unlock(&e->lock);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(&e->writers, efd_writable(e, v));
		if (err)
			return err;
		spin_lock(&e->lock);
	}
	e->count += v;
	spin_unlock(&e->lock);
	if (v)
		wait_queue_wake_all(&e->readers);
	return sizeof(v);
}

static void efd_release(struct file *f)
{
	kfree(f->private);
}

static unsigned efd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = f->private;
	unsigned mask = 0;

	poll_wait(pt, f, &e->readers);
	poll_wait(pt, f, &e->writers);
	spin_lock(&e->lock);
	if (e->count > 0)
		mask |= POLLIN | POLLRDNORM;
	if (e->count < EFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	spin_unlock(&e->lock);
	return mask;
}

static const struct file_ops eventfd_ops = {
	.poll = efd_poll,
	.read = efd_read,
	.write = efd_write,
	.release = efd_release,
	.anon_mode = 0600,                 /* an anonymous inode */
};

long sys_eventfd2(unsigned initval, int flags)
{
	struct proc *p = current_proc();

	if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
		return -EINVAL;
	struct eventfd *e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->semaphore = flags & EFD_SEMAPHORE;
	e->count = initval;
	spin_lock_init(&e->lock, "eventfd");
	wait_queue_init(&e->readers);
	wait_queue_init(&e->writers);
	struct file *f = file_alloc(&eventfd_ops, e, O_RDWR | (flags & O_NONBLOCK));
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	int fd = fd_install(p->files, f, 0, flags & EFD_CLOEXEC, proc_fd_limit(p));
	file_put(f);                    /* the descriptor's reference, or the end */
	return fd;
}

long sys_eventfd(unsigned initval)
{
	return sys_eventfd2(initval, 0);
}
