/*
 * epoll (epoll(7)): an eventpoll object behind a descriptor holds one item
 * per watched (file, fd) pair. Each item has wait entries on its file's
 * queues; their callback puts the item on the ready list and wakes the
 * epoll's waiters. epoll_wait takes items off the ready list, asks each
 * file's poll method what it is ready for now, reports what was asked
 * for, and puts level-triggered items back (edge-triggered ones wait for
 * the next wake-up; one-shot ones are disarmed until EPOLL_CTL_MOD).
 *
 * Objects and lifetimes: an item does not count on its file; it dies when
 * the file is released (file_put -> eventpoll_release), on EPOLL_CTL_DEL,
 * or with its epoll. Items are counted (refs): one for being watched, one
 * per scanner using it with ep->lock dropped.
 *
 * Locking (docs/poll.md):
 *   epoll_lock (global) serializes epoll_ctl, releases and cycle checks;
 *   it protects ep->items and file->epitems. Taken with interrupts on,
 *   never inside a wake-up.
 *   ep->lock (irqsave) protects the ready list, items' events/data and
 *   their ready/dead flags. The callback takes it under a wait queue's
 *   lock, possibly in an interrupt; nothing else is taken under it.
 *   Order: epoll_lock -> a file's locks -> wait_queue.lock -> ep->lock.
 *   Files' poll methods run with no ep->lock held.
 */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define EPOLL_CLOEXEC   02000000
#define EPOLL_CTL_ADD   1
#define EPOLL_CTL_DEL   2
#define EPOLL_CTL_MOD   3
#define EPOLLEXCLUSIVE  (1u << 28)
#define EPOLLWAKEUP     (1u << 29)
#define EPOLLONESHOT    (1u << 30)
#define EPOLLET         (1u << 31)
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EP_EXCLUSIVE_OK (POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | \
			 EPOLLEXCLUSIVE)
#define EP_MAX_NESTS    4               /* epolls inside epolls, as Linux */
#define EP_MAX_WAITS    2               /* queues one file registers on */
#define EP_MAX_BATCH    4096            /* events one epoll_wait returns at most */
#define O_RDWR          02

/* struct epoll_event is packed on x86-64. */
struct epoll_event_k {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

struct eventpoll {
	struct spinlock lock;
	struct list_head ready;         /* epitem.ready_link, under lock */
	struct list_head items;         /* epitem.ep_link, under epoll_lock */
	struct wait_queue wq;           /* epoll_wait callers */
	struct wait_queue poll_wq;      /* poll/select/epoll watching this epoll */
	struct file *file;              /* not counted: the epoll's own file */
};

struct ep_wait {
	struct wait_entry wait;
	struct epitem *item;
};

struct epitem {
	/* Immutable while the item lives. */
	struct eventpoll *ep;
	struct file *file;
	int fd;

	/* Under epoll_lock. */
	struct list_head ep_link;
	struct list_head file_link;
	unsigned nwaits;
	struct ep_wait waits[EP_MAX_WAITS];

	/* Under ep->lock. */
	struct list_head ready_link;
	uint32_t events;                /* asked for, with EPOLLERR|EPOLLHUP */
	uint64_t data;
	bool ready;                     /* on ep->ready (or a scanner's put-back list) */
	bool dead;                      /* no longer watched */

	int refs;                       /* atomic */
};

static struct spinlock epoll_lock = SPINLOCK_INIT("epoll");
static const struct file_ops eventpoll_ops;

static bool is_epoll(struct file *f)
{
	return f->ops == &eventpoll_ops;
}

/* A reference on f unless it is already being released. */
static bool file_tryget(struct file *f)
{
	int n = __atomic_load_n(&f->refcount, __ATOMIC_RELAXED);
	while (n > 0)
		if (__atomic_compare_exchange_n(&f->refcount, &n, n + 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

static void item_put(struct epitem *it)
{
	if (__atomic_sub_fetch(&it->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(it);
}

/* ---- wake-ups ----------------------------------------------------------- */

static void ep_wake_waiters(struct eventpoll *ep)
{
	wait_queue_wake_all(&ep->wq);
	wait_queue_wake_all(&ep->poll_wq);
}

/* Under the woken queue's lock, maybe in an interrupt. A disarmed one-shot
 * item stays off the list. */
static void ep_item_wake(struct wait_entry *e)
{
	struct epitem *it = container_of(e, struct ep_wait, wait)->item;
	struct eventpoll *ep = it->ep;

	unsigned long flags = spin_lock_irqsave(&ep->lock);
	bool queue = !it->dead && !it->ready && (it->events & ~EP_PRIVATE_BITS);
	if (queue) {
		list_add_tail(&it->ready_link, &ep->ready);
		it->ready = true;
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	if (queue)
		ep_wake_waiters(ep);
}

/* Put it on the ready list unless it is there (it has just become ready
 * through ctl, not through a wake-up). */
static void ep_make_ready(struct eventpoll *ep, struct epitem *it)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	bool queue = !it->ready && !it->dead;
	if (queue) {
		list_add_tail(&it->ready_link, &ep->ready);
		it->ready = true;
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	if (queue)
		ep_wake_waiters(ep);
}

/* ---- scanning the ready list -------------------------------------------- */

/*
 * Report up to max ready items into out (NULL: only count them, leaving
 * every item as it was: a poll of the epoll itself). Each item is taken
 * off the list, its file polled with ep->lock dropped (the item and the
 * file pinned), and, if still watched and ready, reported; level-triggered
 * items go back on the list afterwards.
 */
static int ep_scan(struct eventpoll *ep, struct epoll_event_k *out, int max)
{
	struct list_head scan, back;
	int count = 0;

	list_init(&scan);
	list_init(&back);
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	/* The scan works on its own copy of the list: a wake-up while a file
	 * is polled (ep->lock dropped) queues the item on ep->ready again,
	 * where this scan must not find it, or one epoll_wait would report
	 * the same descriptor twice (seen on 4 CPUs: the second report came
	 * after the caller had closed it). */
	list_splice_init(&ep->ready, &scan);
	while (count < max && !list_empty(&scan)) {
		struct epitem *it = list_first_entry(&scan, struct epitem, ready_link);
		list_del(&it->ready_link);
		it->ready = false;
		/* Not dead under ep->lock: the file is not freed yet. */
		if (!file_tryget(it->file))
			continue;
		__atomic_add_fetch(&it->refs, 1, __ATOMIC_RELAXED);
		uint32_t events = it->events;
		spin_unlock_irqrestore(&ep->lock, flags);

		uint32_t mask = file_poll(it->file, NULL) & events;
		file_put(it->file);

		flags = spin_lock_irqsave(&ep->lock);
		bool keep = false;
		if (!it->dead && mask) {
			if (!out) {
				keep = true;
			} else {
				out[count] = (struct epoll_event_k){ mask, it->data };
				if (it->events & EPOLLONESHOT)
					it->events &= EP_PRIVATE_BITS;
				else if (!(it->events & EPOLLET))
					keep = true;
			}
			count++;
		}
		/* A wake-up meanwhile may have queued it again already. */
		if (keep && !it->ready) {
			list_add_tail(&it->ready_link, &back);
			it->ready = true;
		}
		if (__atomic_sub_fetch(&it->refs, 1, __ATOMIC_ACQ_REL) == 0)
			kfree(it);      /* removed meanwhile: we were its last user */
	}
	/* What was not looked at goes back in front, in order; what stays
	 * ready (level-triggered) behind whatever was queued meanwhile. */
	list_splice_tail_init(&ep->ready, &scan);
	list_splice_init(&scan, &ep->ready);
	list_splice_tail_init(&back, &ep->ready);
	bool more = !list_empty(&ep->ready);
	spin_unlock_irqrestore(&ep->lock, flags);
	/* Another waiter may have found the list empty while this scan held
	 * its items, and gone to sleep: as Linux does, wake it. */
	if (more && out)
		ep_wake_waiters(ep);
	return count;
}

/* ---- the epoll file ----------------------------------------------------- */

static void ep_ctl_queue(struct poll_table *pt, struct file *file, struct wait_queue *wq);

/* The table epoll_ctl(MOD) polls with: registers nothing, but says
 * "epoll_lock is held" as ep_ctl_queue does. */
static void ep_ctl_noqueue(struct poll_table *pt, struct file *file, struct wait_queue *wq)
{
	(void)pt, (void)file, (void)wq;
}

/* Readable while some item is ready. Under epoll_ctl (pt from ep_ctl_queue
 * or ep_ctl_noqueue: epoll_lock held) the ready list only is looked at:
 * polling the items could drop a last file reference, whose release takes
 * epoll_lock; the caller's scan polls this file again before reporting. */
static unsigned ep_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->private;

	poll_wait(pt, f, &ep->poll_wq);
	if (pt && (pt->queue == ep_ctl_queue || pt->queue == ep_ctl_noqueue))
		return list_empty(&ep->ready) ? 0 : POLLIN | POLLRDNORM;
	return ep_scan(ep, NULL, 1) ? POLLIN | POLLRDNORM : 0;
}

static void ep_remove(struct epitem *it);

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->private;

	spin_lock(&epoll_lock);
	while (!list_empty(&ep->items))
		ep_remove(list_first_entry(&ep->items, struct epitem, ep_link));
	spin_unlock(&epoll_lock);
	kfree(ep);
}

static const struct file_ops eventpoll_ops = {
	.poll = ep_poll,
	.release = ep_release,
};

static long ep_create(int flags)
{
	struct proc *p = current_proc();

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	spin_lock_init(&ep->lock, "eventpoll");
	list_init(&ep->ready);
	list_init(&ep->items);
	wait_queue_init(&ep->wq);
	wait_queue_init(&ep->poll_wq);
	struct file *f = file_alloc(&eventpoll_ops, ep, O_RDWR);
	if (!f) {
		kfree(ep);
		return -ENOMEM;
	}
	ep->file = f;
	int fd = fd_install(p->files, f, 0, flags & EPOLL_CLOEXEC, proc_fd_limit(p));
	file_put(f);
	return fd;
}

long sys_epoll_create1(int flags)
{
	return ep_create(flags);
}

long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : ep_create(0);
}

/* ---- epoll_ctl ---------------------------------------------------------- */

/* Under epoll_lock. */
static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *it;
	list_for_each_entry(it, &ep->items, ep_link)
		if (it->file == f && it->fd == fd)
			return it;
	return NULL;
}

/* Under epoll_lock: unhook from the queues (no callback runs after), mark
 * dead, unlink, drop the watch reference. */
static void ep_remove(struct epitem *it)
{
	struct eventpoll *ep = it->ep;

	for (unsigned i = 0; i < it->nwaits; i++)
		wait_entry_remove(&it->waits[i].wait);
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	it->dead = true;
	if (it->ready) {
		list_del(&it->ready_link);
		it->ready = false;
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	list_del(&it->ep_link);
	list_del(&it->file_link);
	item_put(it);
}

void eventpoll_release(struct file *f)
{
	spin_lock(&epoll_lock);
	while (!list_empty(&f->epitems))
		ep_remove(list_first_entry(&f->epitems, struct epitem, file_link));
	spin_unlock(&epoll_lock);
}

/* The item being added, while its file's poll method registers it. */
struct ep_ctl_table {
	struct poll_table pt;
	struct epitem *item;
	bool overflow;
};

static void ep_ctl_queue(struct poll_table *pt, struct file *file, struct wait_queue *wq)
{
	struct ep_ctl_table *t = container_of(pt, struct ep_ctl_table, pt);
	struct epitem *it = t->item;

	if (it->nwaits == EP_MAX_WAITS) {
		t->overflow = true;
		return;
	}
	struct ep_wait *w = &it->waits[it->nwaits++];
	w->item = it;
	wait_entry_add(wq, &w->wait, ep_item_wake);
}

/* Would watching target from ep make a cycle, or nest epolls deeper than
 * Linux allows? Under epoll_lock. */
static bool ep_loops(struct eventpoll *ep, struct eventpoll *target, int depth)
{
	struct epitem *it;

	if (target == ep || depth > EP_MAX_NESTS)
		return true;
	list_for_each_entry(it, &target->items, ep_link)
		if (is_epoll(it->file) && ep_loops(ep, it->file->private, depth + 1))
			return true;
	return false;
}

static int ep_insert(struct eventpoll *ep, struct file *f, int fd, const struct epoll_event_k *ev)
{
	if (is_epoll(f) && ep_loops(ep, f->private, 1))
		return -ELOOP;
	struct epitem *it = kzalloc(sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = f;
	it->fd = fd;
	it->events = ev->events | POLLERR | POLLHUP;
	it->data = ev->data;
	it->refs = 1;
	list_add_tail(&it->ep_link, &ep->items);
	list_add_tail(&it->file_link, &f->epitems);

	struct ep_ctl_table t = { .pt.queue = ep_ctl_queue, .item = it };
	uint32_t mask = file_poll(f, &t.pt);
	if (t.overflow) {
		ep_remove(it);
		return -ENOMEM;
	}
	if (mask & it->events)
		ep_make_ready(ep, it);
	return 0;
}

static int ep_modify(struct eventpoll *ep, struct epitem *it, const struct epoll_event_k *ev)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);
	it->events = ev->events | POLLERR | POLLHUP;
	it->data = ev->data;
	spin_unlock_irqrestore(&ep->lock, flags);
	struct poll_table noqueue = { .queue = ep_ctl_noqueue };
	if (file_poll(it->file, &noqueue) & it->events)
		ep_make_ready(ep, it);
	return 0;
}

static int ep_ctl_locked(struct eventpoll *ep, int op, struct file *f, int fd,
			 const struct epoll_event_k *ev)
{
	struct epitem *it = ep_find(ep, f, fd);

	switch (op) {
	case EPOLL_CTL_ADD:
		return it ? -EEXIST : ep_insert(ep, f, fd, ev);
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		ep_remove(it);
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (it->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		return ep_modify(ep, it, ev);
	}
	return -EINVAL;
}

/* The checks in Linux's order: the event, both descriptors, the target's
 * poll support, what the epoll can be asked, then the operation. */
static int ep_ctl_check(struct file *epf, struct file *f, int op, const struct epoll_event_k *ev)
{
	if (!f->ops->poll)
		return -EPERM;
	if (f == epf || !is_epoll(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (is_epoll(f) || (ev->events & ~EP_EXCLUSIVE_OK))
			return -EINVAL;
	}
	return 0;
}

long sys_epoll_ctl(int epfd, int op, int fd, void *uevent)
{
	struct fd_table *files = current_proc()->files;
	struct epoll_event_k ev = { 0, 0 };
	long r = -EBADF;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	struct file *epf = fd_get(files, epfd);
	if (!epf)
		return -EBADF;
	struct file *f = fd_get(files, fd);
	if (!f)
		goto out_epf;
	r = ep_ctl_check(epf, f, op, &ev);
	if (!r) {
		spin_lock(&epoll_lock);
		r = ep_ctl_locked(epf->private, op, f, fd, &ev);
		spin_unlock(&epoll_lock);
	}
	file_put(f);
out_epf:
	file_put(epf);
	return r;
}

/* ---- epoll_wait --------------------------------------------------------- */

/* Scan until something is ready, the deadline passes or a signal comes.
 * The waiter goes on ep->wq before the second scan, so a wake-up after
 * a scan found nothing is never missed. */
static long ep_wait(struct file *epf, struct epoll_event_k *out, int max, uint64_t deadline)
{
	struct eventpoll *ep = epf->private;
	struct poll_waiter pw;
	bool queued = false;
	long r;

	poll_waiter_init(&pw);
	for (;;) {
		r = ep_scan(ep, out, max);
		if (r || (r = pw.error))
			break;
		if (!queued) {
			pw.pt.queue(&pw.pt, epf, &ep->wq);
			queued = true;
			continue;
		}
		r = poll_waiter_sleep(&pw, deadline);
		if (r) {
			if (r == -ETIMEDOUT)
				r = 0;
			break;
		}
	}
	poll_waiter_destroy(&pw);
	return r;
}

static long ep_wait_common(int epfd, void *uevents, int maxevents, uint64_t deadline)
{
	if (maxevents <= 0 || (size_t)maxevents > 0x7fffffff / sizeof(struct epoll_event_k))
		return -EINVAL;
	if (!user_range_ok(uevents, (size_t)maxevents * sizeof(struct epoll_event_k)))
		return -EFAULT;
	struct file *epf = fd_get(current_proc()->files, epfd);
	if (!epf)
		return -EBADF;
	long r = -EINVAL;
	if (!is_epoll(epf))
		goto out_put;
	int max = MIN(maxevents, EP_MAX_BATCH);
	struct epoll_event_k *out = kmalloc((size_t)max * sizeof(*out));
	r = -ENOMEM;
	if (!out)
		goto out_put;
	r = ep_wait(epf, out, max, deadline);
	if (r > 0 && copy_to_user(uevents, out, (size_t)r * sizeof(*out)))
		r = -EFAULT;
	kfree(out);
out_put:
	file_put(epf);
	return r;
}

static uint64_t ms_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? UINT64_MAX : time_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
}

long sys_epoll_wait(int epfd, void *uevents, int maxevents, int timeout_ms)
{
	return ep_wait_common(epfd, uevents, maxevents, ms_deadline(timeout_ms));
}

long sys_epoll_pwait(int epfd, void *uevents, int maxevents, int timeout_ms,
		     const uint64_t *usigmask, size_t sigsetsize)
{
	uint64_t saved = 0;
	uint64_t deadline = ms_deadline(timeout_ms);
	int set = poll_sigmask_set(usigmask, sigsetsize, &saved);
	if (set < 0)
		return set;
	long r = ep_wait_common(epfd, uevents, maxevents, deadline);
	poll_sigmask_restore(set, saved, r);
	return r;
}

long sys_epoll_pwait2(int epfd, void *uevents, int maxevents, const void *utimeout,
		      const uint64_t *usigmask, size_t sigsetsize)
{
	struct { int64_t sec, nsec; } ts;
	uint64_t deadline = UINT64_MAX, saved = 0;

	if (utimeout) {
		if (copy_from_user(&ts, utimeout, sizeof(ts)))
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		if ((uint64_t)ts.sec < UINT64_MAX / 4 / NSEC_PER_SEC)
			deadline = time_ns() + (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
	}
	int set = poll_sigmask_set(usigmask, sigsetsize, &saved);
	if (set < 0)
		return set;
	long r = ep_wait_common(epfd, uevents, maxevents, deadline);
	poll_sigmask_restore(set, saved, r);
	return r;
}
