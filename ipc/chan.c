/*
 * Channels: the kernel object behind a channel descriptor, its messages,
 * Go's close, and readiness for poll/epoll. chan_select.c moves messages,
 * chan_name.c publishes channels, chan_sys.c is the system-call layer.
 *
 * Lock order (outer first):
 *   chan_names_lock  ->  chan.lock (several: by address)  ->  wait_queue locks, run queues
 * chan.lock is never held while taking an fd table lock, copying user
 * memory, dropping a file reference or waking chan.pollq (epoll's wake
 * callback takes its own locks): those happen after it is dropped.
 *
 * Reference counts: chan.refcount counts handles (struct chan_handle, one
 * per struct file), published names and kernel users; the last chan_put
 * frees the channel and the messages still buffered in it (their
 * descriptors are released, their owned ranges dropped: own_xfer_drop).
 */
#include <ipc/chan.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <mm/slab.h>

#define O_ACCMODE 3

struct chan *chan_alloc(uint32_t max_msg, uint32_t cap)
{
	struct chan *c = kzalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->max_msg = max_msg;
	c->cap = cap;
	c->refcount = 1;
	wait_queue_init(&c->pollq);
	spin_lock_init(&c->lock, "chan");
	list_init(&c->msgs);
	list_init(&c->recvq);
	list_init(&c->sendq);
	list_init(&c->handles);
	return c;
}

void chan_get(struct chan *c)
{
	__atomic_fetch_add(&c->refcount, 1, __ATOMIC_RELAXED);
}

void chan_msg_free(struct chan_msg *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nfds; i++)
		if (m->files[i])
			file_put(m->files[i]);
	if (m->xfer)
		own_xfer_drop(m->xfer);
	kfree(m);
}

void chan_put(struct chan *c)
{
	if (__atomic_sub_fetch(&c->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* Nobody can reach c: no handle, no name, no waiter (a waiter's
	 * call holds a file, hence a handle). */
	while (!list_empty(&c->msgs)) {
		struct chan_msg *m = list_first_entry(&c->msgs, struct chan_msg, link);
		list_del(&m->link);
		chan_msg_free(m);
	}
	kfree(c);
}

void chan_wake_pollers(struct chan *c)
{
	wait_queue_wake_all(&c->pollq);
}

/* Only waiters whose own references are now all there is: a drop that
 * leaves others holding c wakes no one (each call's own final file_put
 * would otherwise wake its blocked peer for nothing). */
static void kick_queue(struct list_head *q, unsigned total)
{
	struct chan_case *k;
	list_for_each_entry(k, q, link) {
		if (total > k->mine)
			continue;
		__atomic_store_n(&k->w->kicked, true, __ATOMIC_SEQ_CST);
		__atomic_store_n(&k->w->pw.triggered, true, __ATOMIC_SEQ_CST);
		task_wake(k->w->pw.task);
	}
}

/* Blocked receivers and senders re-check whether they are now alone on c (their
 * chan_select loop rescans); a waker holds c->lock, so the waiter, which
 * takes c->lock before it returns, is still there. Pollers are not woken:
 * readiness does not depend on holders, and poll itself drops file
 * references on every scan (a wake-up here would make it spin). */
void chan_kick(struct chan *c)
{
	spin_lock(&c->lock);
	unsigned total = chan_all_refs(c);
	kick_queue(&c->recvq, total);
	kick_queue(&c->sendq, total);
	spin_unlock(&c->lock);
}

struct chan *chan_of_file(struct file *f)
{
	if (!f || f->ops != &chan_fops)
		return NULL;
	return ((struct chan_handle *)f->private)->chan;
}

/*
 * Holders (docs/channels.md): others hold c when all its references (every
 * file's reference count: descriptors in any table, in messages in
 * flight, in calls in progress; plus its names) outnumber the caller's
 * own (its descriptors and its call's references). No others: no one can
 * ever send on c (or receive from it) again. Takes the fd table's lock, so
 * it may be called with channel locks held (they come first).
 */
unsigned chan_my_refs(struct chan *c, unsigned transient)
{
	struct proc *p = current_proc();
	unsigned mine = transient;

	if (p && p->files) {
		struct fd_table *t = p->files;
		spin_lock(&t->lock);
		for (unsigned fd = 0; fd < t->size; fd++) {
			struct file *f = t->fds[fd];
			if (f && f->ops == &chan_fops &&
			    ((struct chan_handle *)f->private)->chan == c)
				mine++;
		}
		spin_unlock(&t->lock);
	}
	return mine;
}

unsigned chan_all_refs(struct chan *c)
{
	unsigned total = c->published;
	struct chan_handle *h;

	list_for_each_entry(h, &c->handles, link)
		total += (unsigned)__atomic_load_n(&h->file->refcount, __ATOMIC_ACQUIRE);
	return total;
}

/* The first waiter on q still waiting, claimed (CAS WAITING -> DONE) and
 * unqueued; stale entries met on the way are unqueued too. The caller
 * holds q's channel lock. */
struct chan_case *chan_claim_peer(struct list_head *q)
{
	while (!list_empty(q)) {
		struct chan_case *k = list_first_entry(q, struct chan_case, link);
		list_del(&k->link);
		int expect = W_WAITING;
		if (__atomic_compare_exchange_n(&k->w->state, &expect, W_DONE, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return k;
	}
	return NULL;
}

/* The claimed peer's case is complete: record which, and wake it. */
void chan_finish_peer(struct chan_case *k)
{
	k->w->fired = k->index;
	__atomic_store_n(&k->w->pw.triggered, true, __ATOMIC_SEQ_CST);
	task_wake(k->w->pw.task);
}

/* Go's close: later sends fail (EPIPE), receivers drain then see the end.
 * Blocked senders fail with EPIPE, blocked receivers get the end. */
int chan_do_close(struct chan *c)
{
	spin_lock(&c->lock);
	if (c->closed) {
		spin_unlock(&c->lock);
		return -EPIPE;
	}
	c->closed = true;
	struct chan_case *k;
	while ((k = chan_claim_peer(&c->recvq))) {
		k->result = 0;          /* the end */
		chan_finish_peer(k);
	}
	while ((k = chan_claim_peer(&c->sendq))) {
		k->result = -EPIPE;     /* its message stays with its call, unsent */
		chan_finish_peer(k);
	}
	spin_unlock(&c->lock);
	chan_wake_pollers(c);
	return 0;
}

/* ---- the file side ------------------------------------------------------ */

struct file *chan_file_new(struct chan *c, unsigned flags)
{
	struct chan_handle *h = kzalloc(sizeof(*h));
	if (!h)
		return NULL;
	struct file *f = file_alloc(&chan_fops, h, flags);
	if (!f) {
		kfree(h);
		return NULL;
	}
	chan_get(c);
	h->chan = c;
	h->file = f;
	spin_lock(&c->lock);
	list_add_tail(&h->link, &c->handles);
	c->nhandles++;
	spin_unlock(&c->lock);
	return f;
}

static void chan_release(struct file *f)
{
	struct chan_handle *h = f->private;
	struct chan *c = h->chan;

	spin_lock(&c->lock);
	list_del(&h->link);
	c->nhandles--;
	spin_unlock(&c->lock);
	kfree(h);
	chan_kick(c);
	chan_put(c);
}

/* file_put's hooks: keep c alive across the drop, then tell receivers. */
static void *chan_put_hold(struct file *f)
{
	struct chan *c = ((struct chan_handle *)f->private)->chan;
	chan_get(c);
	return c;
}

static void chan_put_dropped(void *held)
{
	chan_kick(held);
	chan_put(held);
}

/* Readable: a message, a blocked sender (unbuffered) or the closed state.
 * Writable: a send would not block (room, a blocked receiver, or closed,
 * where it fails at once with EPIPE). */
static unsigned chan_poll(struct file *f, struct poll_table *pt)
{
	struct chan *c = chan_of_file(f);
	unsigned mask = 0;

	poll_wait(pt, f, &c->pollq);
	spin_lock(&c->lock);
	if ((f->flags & O_ACCMODE) != 1 &&
	    (c->nmsgs || !list_empty(&c->sendq) || c->closed))
		mask |= POLLIN | POLLRDNORM;
	if ((f->flags & O_ACCMODE) != 0 &&
	    (c->nmsgs < c->cap || !list_empty(&c->recvq) || c->closed))
		mask |= POLLOUT | POLLWRNORM;
	if (c->closed)
		mask |= POLLHUP;
	spin_unlock(&c->lock);
	return mask;
}

/* Messages move with chan_send/chan_recv, not read/write. */
static long chan_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	return -EINVAL;
}

static long chan_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	return -EINVAL;
}

const struct file_ops chan_fops = {
	.poll = chan_poll,
	.read = chan_read,
	.write = chan_write,
	.release = chan_release,
	.put_hold = chan_put_hold,
	.put_dropped = chan_put_dropped,
	.anon_mode = 0600,
};
