/* Open file descriptions and descriptor tables (see kernel/file.h). */
#include <kernel/file.h>
#include <kernel/locks.h>
#include <kernel/poll.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>

struct file *file_alloc(const struct file_ops *ops, void *private, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->ops = ops;
	f->private = private;
	f->flags = flags;
	f->refcount = 1;
	spin_lock_init(&f->pos_lock, "file_pos");
	list_init(&f->epitems);
	return f;
}

void file_get(struct file *f)
{
	__atomic_fetch_add(&f->refcount, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	const struct file_ops *ops = f->ops;
	void *held = ops->put_hold ? ops->put_hold(f) : NULL;

	if (__atomic_sub_fetch(&f->refcount, 1, __ATOMIC_ACQ_REL) != 0) {
		if (held)
			ops->put_dropped(held);
		return;
	}
	if (held)
		ops->put_dropped(held);
	/* No one can add an item now: adding takes a reference. */
	if (!list_empty(&f->epitems))
		eventpoll_release(f);
	locks_remove_flock(f);
	if (f->ops->release)
		f->ops->release(f);
	if (f->mnt_write)
		mnt_put_write_access(f->path.mnt);
	path_put(&f->path);
	inode_put(f->inode);
	kfree(f);
}

static int table_resize(struct fd_table *t, unsigned size)
{
	struct file **fds = kzalloc(size * sizeof(*fds));
	uint64_t *cloexec = kzalloc((size + 63) / 64 * 8);
	if (!fds || !cloexec) {
		kfree(fds);
		kfree(cloexec);
		return -ENOMEM;
	}
	if (t->fds) {
		memcpy(fds, t->fds, t->size * sizeof(*fds));
		memcpy(cloexec, t->cloexec, (t->size + 63) / 64 * 8);
	}
	kfree(t->fds);
	kfree(t->cloexec);
	t->fds = fds;
	t->cloexec = cloexec;
	t->size = size;
	return 0;
}

struct fd_table *fd_table_create(void)
{
	struct fd_table *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	spin_lock_init(&t->lock, "fd_table");
	t->refcount = 1;
	if (table_resize(t, 64) < 0) {
		kfree(t);
		return NULL;
	}
	return t;
}

struct fd_table *fd_table_dup(struct fd_table *src)
{
	struct fd_table *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	spin_lock_init(&t->lock, "fd_table");
	t->refcount = 1;
	spin_lock(&src->lock);
	/* kmalloc under a spinlock is fine: slab never sleeps. */
	if (table_resize(t, src->size) < 0) {
		spin_unlock(&src->lock);
		kfree(t);
		return NULL;
	}
	for (unsigned i = 0; i < src->size; i++) {
		t->fds[i] = src->fds[i];
		if (t->fds[i])
			file_get(t->fds[i]);
	}
	memcpy(t->cloexec, src->cloexec, (src->size + 63) / 64 * 8);
	spin_unlock(&src->lock);
	return t;
}

void fd_table_put(struct fd_table *t)
{
	if (__atomic_sub_fetch(&t->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (unsigned i = 0; i < t->size; i++)
		if (t->fds[i]) {
			locks_remove_posix(t, t->fds[i]);
			file_put(t->fds[i]);
		}
	kfree(t->fds);
	kfree(t->cloexec);
	kfree(t);
}

static void set_cloexec(struct fd_table *t, unsigned fd, bool on)
{
	if (on)
		t->cloexec[fd / 64] |= 1ull << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

int fd_install(struct fd_table *t, struct file *f, int min, bool cloexec, unsigned limit)
{
	if (min < 0 || (unsigned)min >= limit)
		return -EINVAL;
	spin_lock(&t->lock);
	unsigned fd = (unsigned)min;
	while (fd < t->size && t->fds[fd])
		fd++;
	if (fd >= limit) {
		spin_unlock(&t->lock);
		return -EMFILE;
	}
	if (fd >= t->size) {
		unsigned size = t->size;
		while (size <= fd)
			size *= 2;
		if (table_resize(t, MIN(size, limit + 63)) < 0) {
			spin_unlock(&t->lock);
			return -ENOMEM;
		}
	}
	file_get(f);
	t->fds[fd] = f;
	set_cloexec(t, fd, cloexec);
	spin_unlock(&t->lock);
	return (int)fd;
}

struct file *fd_get(struct fd_table *t, int fd)
{
	struct file *f = NULL;
	spin_lock(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size && (f = t->fds[fd]))
		file_get(f);
	spin_unlock(&t->lock);
	return f;
}

int fd_close(struct fd_table *t, int fd)
{
	spin_lock(&t->lock);
	if (fd < 0 || (unsigned)fd >= t->size || !t->fds[fd]) {
		spin_unlock(&t->lock);
		return -EBADF;
	}
	struct file *f = t->fds[fd];
	t->fds[fd] = NULL;
	set_cloexec(t, fd, false);
	spin_unlock(&t->lock);
	locks_remove_posix(t, f);       /* any close drops the owner's record locks */
	file_put(f);
	return 0;
}

void fd_close_on_exec(struct fd_table *t)
{
	for (unsigned fd = 0; fd < t->size; fd++)
		if (t->cloexec[fd / 64] & (1ull << (fd % 64)))
			fd_close(t, (int)fd);
}
