/*
 * The channel engine: every send and receive is a chan_select of one or
 * more cases, with Go's rules (runtime/select.go's design, written anew):
 *
 *  1. Lock the channels of all cases, each once, in address order (a
 *     fixed order: two selects over the same channels cannot deadlock).
 *  2. Visit the cases in a random order; the first that can proceed does,
 *     and the call returns it: uniform among the ready cases, exactly one.
 *  3. None ready: queue one struct chan_case per case on its channel's
 *     recvq/sendq, all pointing at one struct chan_waiter, unlock, sleep.
 *  4. A peer (holding only its own channel's lock) completes one case by
 *     claiming the waiter with CAS WAITING -> DONE; a waiter already DONE
 *     or CANCELLED is stale and skipped. On timeout or a signal the owner
 *     claims itself with CAS WAITING -> CANCELLED; losing that race means
 *     a peer completed a case, which then counts.
 *  5. Afterwards the owner locks all its channels again and unqueues its
 *     cases: a peer that claimed it finished under its channel's lock,
 *     so the waiter (on the owner's stack) outlives every peer's access.
 *
 * Data moves as kernel pointers only (struct chan_msg), under the locks;
 * user memory is copied before (building a send) and after (delivering a
 * receive), by the calling process (chan_sys.c).
 */
#include <ipc/chan.h>
#include <kernel/errno.h>
#include <kernel/random.h>
#include <kernel/file.h>
#include <kernel/time.h>
#include <mm/slab.h>

static void buffer_msg(struct chan *c, struct chan_msg *m)
{
	list_add_tail(&m->link, &c->msgs);
	c->nmsgs++;
}

/* ---- one case, its channel locked ---------------------------------------- */

static bool try_send(struct chan_case *k)
{
	struct chan *c = k->chan;

	if (c->closed) {
		k->result = -EPIPE;
		return true;
	}
	struct chan_case *peer = chan_claim_peer(&c->recvq);
	if (peer) {                     /* a receiver waits: hand it over */
		peer->msg = k->msg;
		peer->result = 1;
		chan_finish_peer(peer);
	} else if (c->nmsgs < c->cap) {
		buffer_msg(c, k->msg);
	} else if (k->alone && !c->published) {
		k->result = -EPIPE;     /* no one else could ever receive it */
		return true;
	} else {
		return false;
	}
	k->msg = NULL;
	k->result = 0;
	return true;
}

static bool try_recv(struct chan_case *k)
{
	struct chan *c = k->chan;

	if (c->nmsgs) {
		k->msg = list_first_entry(&c->msgs, struct chan_msg, link);
		list_del(&k->msg->link);
		c->nmsgs--;
		struct chan_case *peer = chan_claim_peer(&c->sendq);
		if (peer) {             /* room now: a blocked sender's turn */
			buffer_msg(c, peer->msg);
			peer->msg = NULL;
			peer->result = 0;
			chan_finish_peer(peer);
		}
		k->result = 1;
		return true;
	}
	struct chan_case *peer = chan_claim_peer(&c->sendq);
	if (peer) {                     /* unbuffered: rendezvous */
		k->msg = peer->msg;
		peer->msg = NULL;
		peer->result = 0;
		chan_finish_peer(peer);
		k->result = 1;
		return true;
	}
	if (c->closed || (k->alone && !c->published)) {
		k->result = 0;          /* end of channel */
		return true;
	}
	return false;
}

/* ---- locking all the channels of a call ---------------------------------- */

/* order[] lists case indices by channel address; lock each channel once. */
static void sort_by_chan(struct chan_case *cases, unsigned n, uint8_t *order)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		for (; j > 0 && cases[order[j - 1]].chan > cases[i].chan; j--)
			order[j] = order[j - 1];
		order[j] = (uint8_t)i;
	}
}

static void lock_all(struct chan_case *cases, unsigned n, const uint8_t *order)
{
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || cases[order[i]].chan != cases[order[i - 1]].chan)
			spin_lock(&cases[order[i]].chan->lock);
}

static void unlock_all(struct chan_case *cases, unsigned n, const uint8_t *order)
{
	for (unsigned i = n; i-- > 0;)
		if (i == 0 || cases[order[i]].chan != cases[order[i - 1]].chan)
			spin_unlock(&cases[order[i]].chan->lock);
}

static void wake_all_pollers(struct chan_case *cases, unsigned n, const uint8_t *order)
{
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || cases[order[i]].chan != cases[order[i - 1]].chan)
			chan_wake_pollers(cases[order[i]].chan);
}

/* A random permutation of 0..n-1 (Fisher-Yates). */
static void shuffle(uint8_t *perm, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		perm[i] = (uint8_t)i;
	if (n < 2)
		return;                 /* a plain send or receive: no generator */
	uint64_t r = random_u64();
	for (unsigned i = n; i > 1; i--) {
		if (r < i)
			r = random_u64();
		unsigned j = (unsigned)(r % i);
		r /= i;
		uint8_t t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
}

/* Is the caller the only one left holding each case's channel? Only
 * asked when no case could proceed otherwise, with every case's channel
 * locked (the fd table's lock nests inside): it scans the fd table. True
 * if any case's channel has no other holder. */
static bool note_alone(struct chan_case *cases, unsigned n)
{
	bool any = false;

	for (unsigned i = 0; i < n; i++) {
		unsigned transient = 0;
		for (unsigned j = 0; j < n; j++)
			transient += cases[j].chan == cases[i].chan;
		struct chan_case *k = &cases[i];
		k->mine = chan_my_refs(k->chan, transient);
		k->alone = chan_all_refs(k->chan) <= k->mine;
		any |= k->alone;
	}
	return any;
}

static void forget_alone(struct chan_case *cases, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		cases[i].alone = false;
}

/* Steps 1-2: one pass; the ready case's index or -1 (all still locked
 * on -1, unlocked otherwise). */
static int scan(struct chan_case *cases, unsigned n, const uint8_t *order)
{
	uint8_t perm[GOOS_SELECT_MAX];

	shuffle(perm, n);
	lock_all(cases, n, order);
	for (unsigned i = 0; i < n; i++) {
		struct chan_case *k = &cases[perm[i]];
		if (k->op == GOOS_SELECT_SEND ? try_send(k) : try_recv(k)) {
			unlock_all(cases, n, order);
			wake_all_pollers(cases, n, order);
			return perm[i];
		}
	}
	return -1;
}

/* Steps 3-5: sleep queued on every channel; the fired case, -1 to rescan,
 * or -ETIMEDOUT / -EINTR. Called with all locked; returns unlocked. */
static int block(struct chan_case *cases, unsigned n, const uint8_t *order,
		 uint64_t deadline)
{
	struct chan_waiter w = { .state = W_WAITING };

	poll_waiter_init(&w.pw);
	for (unsigned i = 0; i < n; i++) {
		cases[i].w = &w;
		list_add_tail(&cases[i].link, cases[i].op == GOOS_SELECT_SEND ?
			      &cases[i].chan->sendq : &cases[i].chan->recvq);
	}
	unlock_all(cases, n, order);
	wake_all_pollers(cases, n, order);      /* a waiting peer changes readiness */

	int r = 0;
	while (__atomic_load_n(&w.state, __ATOMIC_SEQ_CST) == W_WAITING &&
	       !__atomic_load_n(&w.kicked, __ATOMIC_SEQ_CST) && !r)
		r = poll_waiter_sleep(&w.pw, deadline);
	int expect = W_WAITING;
	bool cancelled = __atomic_compare_exchange_n(&w.state, &expect, W_CANCELLED, false,
						     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	lock_all(cases, n, order);
	for (unsigned i = 0; i < n; i++)
		list_del(&cases[i].link);  /* self-linked if a peer took it */
	unlock_all(cases, n, order);
	poll_waiter_destroy(&w.pw);
	if (!cancelled)
		return w.fired;
	return r ? r : -1;
}

int chan_select_run(struct chan_case *cases, unsigned n, bool nonblock, uint64_t deadline)
{
	uint8_t order[GOOS_SELECT_MAX];

	for (unsigned i = 0; i < n; i++) {
		cases[i].index = (int)i;
		list_init(&cases[i].link);
	}
	sort_by_chan(cases, n, order);
	bool alone_known = false;
	for (;;) {
		int r = scan(cases, n, order);
		if (r >= 0)
			return r;
		if (!alone_known) {     /* nothing ready: the slow path asks */
			alone_known = true;
			if (note_alone(cases, n)) {
				unlock_all(cases, n, order);
				continue;       /* a case may end now: scan again */
			}
		}
		if (nonblock) {
			unlock_all(cases, n, order);
			return -EAGAIN;
		}
		r = block(cases, n, order, deadline);
		if (r != -1)
			return r;
		forget_alone(cases, n); /* kicked: holders changed */
		alone_known = false;
	}
}

/* ---- the kernel's own senders and receivers (never block) ---------------- */

int chan_send_kernel(struct chan *c, struct chan_msg *m)
{
	struct chan_case k = { .chan = c, .op = GOOS_SELECT_SEND, .msg = m };
	uint8_t order[1] = { 0 };

	list_init(&k.link);
	if (scan(&k, 1, order) < 0) {
		unlock_all(&k, 1, order);
		return -EAGAIN;
	}
	return k.result;
}

struct chan_msg *chan_recv_kernel(struct chan *c)
{
	struct chan_case k = { .chan = c, .op = GOOS_SELECT_RECV };
	uint8_t order[1] = { 0 };

	list_init(&k.link);
	if (scan(&k, 1, order) < 0) {
		unlock_all(&k, 1, order);
		return NULL;
	}
	return k.msg;
}
