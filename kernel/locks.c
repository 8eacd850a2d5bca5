/*
 * Advisory file locks: flock(2) locks, owned by an open file description
 * and dropped when it is released; and POSIX record locks (fcntl
 * F_GETLK/F_SETLK/F_SETLKW), byte ranges owned by a descriptor table (a
 * process, as Linux's fl_owner), dropped when the owner closes any
 * descriptor of the file or goes away. F_SETLKW fails with EDEADLK when
 * waiting would close a cycle of owners waiting for each other.
 *
 * A lock is on the object lock_key() names: the file's inode, so that
 * every open of one file shares its locks; a file with no inode (pipe,
 * eventfd...) locks its own object.
 *
 * Locking: locks_lock (global) protects both lists and the waiter list;
 * blocked callers sleep on locks_wq, woken at every unlock. Never taken
 * in interrupt context; nothing is taken under it.
 */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/locks.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define O_ACCMODE 3
#define O_RDONLY  0
#define O_WRONLY  1
#define OFF_MAX   INT64_MAX

/* The object a lock is on. */
static void *lock_key(struct file *f)
{
	return f->inode ? (void *)f->inode : f->private;
}

struct flock_lock {
	struct list_head link;
	void *key;
	struct file *owner;             /* not counted: removed at its release */
	bool exclusive;
};

struct posix_lock {
	struct list_head link;
	void *key;
	struct fd_table *owner;
	int pid;                        /* the owner's process, for F_GETLK */
	int type;                       /* F_RDLCK or F_WRLCK */
	int64_t start, end;             /* inclusive; end OFF_MAX: to the end of file */
};

/* An owner blocked in F_SETLKW, and the owner it waits for. */
struct lock_waiter {
	struct list_head link;
	struct fd_table *owner, *blocker;
};

static struct spinlock locks_lock = SPINLOCK_INIT("file_locks");
static struct wait_queue locks_wq = WAIT_QUEUE_INIT(locks_wq);
static LIST_HEAD(flocks);
static LIST_HEAD(posix_locks);
static LIST_HEAD(waiters);
static int nr_locks;                    /* atomic: both kinds, for the cheap exit */

static void lock_free(struct list_head *link, void *lock)
{
	list_del(link);
	kfree(lock);
	__atomic_sub_fetch(&nr_locks, 1, __ATOMIC_RELAXED);
}

/* ---- flock -------------------------------------------------------------- */

/* Under locks_lock: the lock f holds on key, and whether another holds
 * one that conflicts with the asked kind. */
static struct flock_lock *flock_scan(void *key, struct file *f, bool exclusive, bool *conflict)
{
	struct flock_lock *l, *mine = NULL;

	*conflict = false;
	list_for_each_entry(l, &flocks, link) {
		if (l->key != key)
			continue;
		if (l->owner == f)
			mine = l;
		else if (exclusive || l->exclusive)
			*conflict = true;
	}
	return mine;
}

static void flock_unlock_locked(void *key, struct file *f)
{
	bool conflict;
	struct flock_lock *mine = flock_scan(key, f, false, &conflict);
	if (mine)
		lock_free(&mine->link, mine);
}

static bool flock_try(void *key, struct file *f, bool exclusive, long *err)
{
	bool conflict;

	spin_lock(&locks_lock);
	struct flock_lock *mine = flock_scan(key, f, exclusive, &conflict);
	if (!conflict) {
		if (mine) {
			mine->exclusive = exclusive;
		} else if ((mine = kzalloc(sizeof(*mine)))) {
			mine->key = key, mine->owner = f, mine->exclusive = exclusive;
			list_add_tail(&mine->link, &flocks);
			__atomic_add_fetch(&nr_locks, 1, __ATOMIC_RELAXED);
		} else {
			*err = -ENOMEM;
		}
	} else if (mine) {
		/* A conversion that must wait gives up the old lock first, as
		 * Linux does (the conversion is not atomic). */
		lock_free(&mine->link, mine);
		spin_unlock(&locks_lock);
		wait_queue_wake_all(&locks_wq);
		return false;
	}
	spin_unlock(&locks_lock);
	return !conflict;
}

long sys_flock(int fd, unsigned op)
{
	struct file *f = fd_get(current_proc()->files, fd);
	long err = 0;

	if (!f)
		return -EBADF;
	bool nb = op & LOCK_NB;
	op &= ~LOCK_NB;
	if (op == LOCK_UN) {
		spin_lock(&locks_lock);
		flock_unlock_locked(lock_key(f), f);
		spin_unlock(&locks_lock);
		wait_queue_wake_all(&locks_wq);
	} else if (op == LOCK_SH || op == LOCK_EX) {
		bool ex = op == LOCK_EX;
		while (!flock_try(lock_key(f), f, ex, &err) && !err) {
			if (nb) {
				err = -EAGAIN;
				break;
			}
			bool conflict;
			err = wait_event_interruptible(&locks_wq, ({
				spin_lock(&locks_lock);
				flock_scan(lock_key(f), f, ex, &conflict);
				spin_unlock(&locks_lock);
				!conflict;
			}));
			if (err)
				break;
		}
	} else {
		err = -EINVAL;
	}
	file_put(f);
	return err;
}

/* ---- POSIX record locks ------------------------------------------------- */

struct flock_k {
	int16_t type, whence;
	int64_t start, len;
	int32_t pid;
};

/* The byte range a struct flock names, or -EINVAL / -EOVERFLOW. */
static int lock_range(struct file *f, const struct flock_k *fl, int64_t *start, int64_t *end)
{
	int64_t base;

	switch (fl->whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)READ_ONCE(f->pos); break;
	case SEEK_END:
		base = f->ops->size ? f->ops->size(f) : 0;
		if (base < 0)
			return (int)base;
		break;
	default: return -EINVAL;
	}
	int64_t s;
	if (__builtin_add_overflow(base, fl->start, &s))
		return -EOVERFLOW;
	if (fl->len > 0) {
		if (__builtin_add_overflow(s, fl->len - 1, end))
			return -EOVERFLOW;
	} else if (fl->len == 0) {
		*end = OFF_MAX;
	} else {
		*end = s - 1;
		s += fl->len;
	}
	if (s < 0)
		return -EINVAL;
	*start = s;
	return 0;
}

static bool overlaps(const struct posix_lock *l, int64_t start, int64_t end)
{
	return l->start <= end && start <= l->end;
}

/* Under locks_lock: the first lock of another owner in the way. */
static struct posix_lock *posix_conflict(void *key, struct fd_table *owner, int type,
					 int64_t start, int64_t end)
{
	struct posix_lock *l;
	list_for_each_entry(l, &posix_locks, link)
		if (l->key == key && l->owner != owner && overlaps(l, start, end) &&
		    (type == F_WRLCK || l->type == F_WRLCK))
			return l;
	return NULL;
}

static struct posix_lock *posix_new(void *key, struct fd_table *owner, int type,
				    int64_t start, int64_t end)
{
	struct posix_lock *l = kzalloc(sizeof(*l));
	if (!l)
		return NULL;
	l->key = key, l->owner = owner, l->type = type, l->start = start, l->end = end;
	l->pid = current_proc()->pid;
	__atomic_add_fetch(&nr_locks, 1, __ATOMIC_RELAXED);
	return l;
}

/*
 * Under locks_lock: make owner's locks on key over [start, end] be of type
 * (F_UNLCK: none). Its locks there are cut away (one spanning the range is
 * split in two), then the new one, merged with its neighbours of the same
 * type, goes in. Allocation first, so a failure changes nothing.
 */
static int posix_apply(void *key, struct fd_table *owner, int type, int64_t start, int64_t end)
{
	struct posix_lock *l, *tmp, *fresh = NULL, *split = NULL;

	if (type != F_UNLCK && !(fresh = posix_new(key, owner, type, start, end)))
		return -ENOMEM;
	if (!(split = posix_new(key, owner, 0, 0, 0))) {
		if (fresh) {
			kfree(fresh);
			__atomic_sub_fetch(&nr_locks, 1, __ATOMIC_RELAXED);
		}
		return -ENOMEM;
	}
	list_for_each_entry_safe(l, tmp, &posix_locks, link) {
		if (l->key != key || l->owner != owner)
			continue;
		bool adjacent = (l->end != OFF_MAX && l->end + 1 == start) ||
				(end != OFF_MAX && end + 1 == l->start);
		if (fresh && l->type == type && (overlaps(l, start, end) || adjacent)) {
			fresh->start = MIN(fresh->start, l->start);
			fresh->end = MAX(fresh->end, l->end);
			lock_free(&l->link, l);
		} else if (!overlaps(l, start, end)) {
			continue;
		} else if (l->start < start && l->end > end) {
			*split = *l;
			split->start = end + 1;
			list_add_tail(&split->link, &posix_locks);
			split = NULL;
			l->end = start - 1;
		} else if (l->start < start) {
			l->end = start - 1;
		} else if (l->end > end) {
			l->start = end + 1;
		} else {
			lock_free(&l->link, l);
		}
	}
	if (split) {
		kfree(split);
		__atomic_sub_fetch(&nr_locks, 1, __ATOMIC_RELAXED);
	}
	if (fresh)
		list_add_tail(&fresh->link, &posix_locks);
	return 0;
}

/* Under locks_lock: would owner waiting for blocker close a cycle? */
static bool would_deadlock(struct fd_table *owner, struct fd_table *blocker)
{
	for (int depth = 0; depth < 64 && blocker; depth++) {
		if (blocker == owner)
			return true;
		struct lock_waiter *w, *next = NULL;
		list_for_each_entry(w, &waiters, link)
			if (w->owner == blocker)
				next = w;
		blocker = next ? next->blocker : NULL;
	}
	return false;
}

static long posix_setlk(struct file *f, int type, int64_t start, int64_t end, bool wait)
{
	struct fd_table *owner = current_proc()->files;
	void *key = lock_key(f);
	struct lock_waiter me = { .owner = owner };
	long err;

	spin_lock(&locks_lock);
	for (;;) {
		struct posix_lock *c = type == F_UNLCK ? NULL
				       : posix_conflict(key, owner, type, start, end);
		if (!c) {
			err = posix_apply(key, owner, type, start, end);
			break;
		}
		if (!wait) {
			err = -EAGAIN;
			break;
		}
		if (would_deadlock(owner, c->owner)) {
			err = -EDEADLK;
			break;
		}
		me.blocker = c->owner;
		list_add_tail(&me.link, &waiters);
		spin_unlock(&locks_lock);
		err = wait_event_interruptible(&locks_wq, ({
			spin_lock(&locks_lock);
			bool free = !posix_conflict(key, owner, type, start, end);
			spin_unlock(&locks_lock);
			free;
		}));
		spin_lock(&locks_lock);
		list_del(&me.link);
		if (err)
			break;
	}
	spin_unlock(&locks_lock);
	wait_queue_wake_all(&locks_wq);
	return err;
}

static long posix_getlk(struct file *f, struct flock_k *fl, int64_t start, int64_t end)
{
	spin_lock(&locks_lock);
	struct posix_lock *c = posix_conflict(lock_key(f), current_proc()->files, fl->type,
					      start, end);
	if (c) {
		fl->type = (int16_t)c->type;
		fl->whence = SEEK_SET;
		fl->start = c->start;
		fl->len = c->end == OFF_MAX ? 0 : c->end - c->start + 1;
		fl->pid = c->pid;
	} else {
		fl->type = F_UNLCK;
	}
	spin_unlock(&locks_lock);
	return 0;
}

long locks_fcntl(struct file *f, int cmd, void *ufl)
{
	struct flock_k fl;
	int64_t start = 0, end = 0;

	if (copy_from_user(&fl, ufl, sizeof(fl)))
		return -EFAULT;
	if (fl.type != F_RDLCK && fl.type != F_WRLCK && fl.type != F_UNLCK)
		return -EINVAL;
	int err = lock_range(f, &fl, &start, &end);
	if (err)
		return err;
	if (cmd == LOCKS_GETLK) {
		if (fl.type == F_UNLCK)
			return -EINVAL;
		posix_getlk(f, &fl, start, end);
		return copy_to_user(ufl, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	unsigned acc = f->flags & O_ACCMODE;
	if ((fl.type == F_RDLCK && acc == O_WRONLY) || (fl.type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	return posix_setlk(f, fl.type, start, end, cmd == LOCKS_SETLKW);
}

/* ---- releases ----------------------------------------------------------- */

void locks_remove_posix(struct fd_table *owner, struct file *f)
{
	struct posix_lock *l, *tmp;
	bool any = false;

	if (!__atomic_load_n(&nr_locks, __ATOMIC_RELAXED))
		return;
	void *key = lock_key(f);
	spin_lock(&locks_lock);
	list_for_each_entry_safe(l, tmp, &posix_locks, link)
		if (l->key == key && l->owner == owner) {
			lock_free(&l->link, l);
			any = true;
		}
	spin_unlock(&locks_lock);
	if (any)
		wait_queue_wake_all(&locks_wq);
}

void locks_remove_flock(struct file *f)
{
	if (!__atomic_load_n(&nr_locks, __ATOMIC_RELAXED))
		return;
	spin_lock(&locks_lock);
	flock_unlock_locked(lock_key(f), f);
	spin_unlock(&locks_lock);
	wait_queue_wake_all(&locks_wq);
}
