/*
 * AF_UNIX data transfer: messages (unix_skb) go straight onto the
 * receiver's queue. A stream send is cut into messages that a read joins
 * again (never across a change of sender credentials when SO_PASSCRED is
 * on, never past one carrying descriptors); a datagram or seqpacket
 * message is read whole or truncated (MSG_TRUNC). Flow control as Linux:
 * a sender waits while its bytes queued at receivers reach SO_SNDBUF, a
 * datagram sender also while an unconnected-back receiver holds more than
 * net.unix.max_dgram_qlen messages. Locking in af_unix.h.
 */
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <net/unix/af_unix.h>

#define STREAM_CHUNK_MAX 65536

/* Copy n bytes between the message's user buffers, from byte off, and buf. */
static int iov_copy(struct kmsg *m, size_t off, void *buf, size_t n, bool to_user)
{
	uint8_t *k = buf;
	for (unsigned i = 0; i < m->iovcnt && n; i++) {
		size_t len = m->iov[i].len;
		if (off >= len) {
			off -= len;
			continue;
		}
		size_t c = MIN(len - off, n);
		void *u = (uint8_t *)(uintptr_t)m->iov[i].base + off;
		if (to_user ? copy_to_user(u, k, c) : copy_from_user(k, u, c))
			return -EFAULT;
		k += c;
		n -= c;
		off = 0;
	}
	return 0;
}

static struct unix_skb *skb_alloc(struct unix_sock *sender, size_t len, const struct scm *scm)
{
	struct unix_skb *skb = kmalloc(sizeof(*skb) + len);
	if (!skb)
		return NULL;
	list_init(&skb->link);
	unix_get(sender);
	skb->sender = sender;
	skb->creds = scm && scm->has_creds ? scm->creds : scm_current_creds();
	skb->scm = NULL;
	skb->len = len;
	skb->off = 0;
	__atomic_fetch_add(&sender->wmem, len, __ATOMIC_RELAXED);
	return skb;
}

void unix_skb_free(struct unix_skb *skb)
{
	struct unix_sock *sender = skb->sender;
	__atomic_fetch_sub(&sender->wmem, skb->len, __ATOMIC_RELAXED);
	wait_queue_wake_all(&sender->wspace);
	scm_free(skb->scm);
	unix_put(sender);
	kfree(skb);
}

static long pipe_error(int flags)
{
	if (!(flags & LINUX_MSG_NOSIGNAL))
		signal_send_self(SIGPIPE);
	return -EPIPE;
}

/* Queue skb on a connected peer: -EPIPE if it is gone or shut for reading. */
static int queue_to_peer(struct unix_sock *peer, struct unix_skb *skb)
{
	spin_lock(&peer->lock);
	if (peer->dead || (peer->shutdown & UNIX_RCV_SHUTDOWN)) {
		spin_unlock(&peer->lock);
		return -EPIPE;
	}
	list_add_tail(&skb->link, &peer->rcvq);
	peer->rcvq_len++;
	peer->rcv_bytes += skb->len;
	spin_unlock(&peer->lock);
	wait_queue_wake_all(&peer->wait);
	return 0;
}

struct send_ctx {
	struct unix_sock *u, *peer;
	struct socket *s;
};

/* Our bytes in flight are below SO_SNDBUF, or waiting is pointless. */
static bool send_room(void *arg)
{
	struct send_ctx *c = arg;
	if (READ_ONCE(c->u->wmem) < (size_t)READ_ONCE(c->s->sndbuf))
		return true;
	return (READ_ONCE(c->u->shutdown) & UNIX_SEND_SHUTDOWN) ||
	       (c->peer && (READ_ONCE(c->peer->dead) ||
			    (READ_ONCE(c->peer->shutdown) & UNIX_RCV_SHUTDOWN)));
}

static struct unix_sock *peer_get(struct unix_sock *u, unsigned *shutdown)
{
	spin_lock(&u->lock);
	struct unix_sock *p = u->peer;
	if (p)
		unix_get(p);
	if (shutdown)
		*shutdown = u->shutdown;
	spin_unlock(&u->lock);
	return p;
}

long unix_stream_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct unix_sock *u = s->priv;
	unsigned shut;

	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen)
		return READ_ONCE(u->state) == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	struct unix_sock *peer = peer_get(u, &shut);
	if (!peer)
		return -ENOTCONN;
	struct send_ctx ctx = { u, peer, s };
	uint64_t deadline = sock_deadline(s, flags, true);
	size_t sent = 0;
	long err = (shut & UNIX_SEND_SHUTDOWN) ? -EPIPE : 0;

	while (!err && sent < m->len) {
		err = sock_wait(&u->wspace, send_room, &ctx, deadline);
		if (err)
			break;
		size_t n = MIN(m->len - sent, (size_t)(READ_ONCE(s->sndbuf) / 2 - 64));
		n = MIN(n, (size_t)STREAM_CHUNK_MAX);
		struct unix_skb *skb = skb_alloc(u, n, m->scm);
		if (!skb) {
			err = -ENOMEM;
			break;
		}
		if (iov_copy(m, sent, skb->data, n, false)) {
			unix_skb_free(skb);
			err = -EFAULT;
			break;
		}
		if (m->scm && m->scm->nfiles) {         /* the descriptors ride on the first */
			skb->scm = m->scm;
			m->scm = NULL;
		}
		err = queue_to_peer(peer, skb);
		if (err)
			unix_skb_free(skb);
		else
			sent += n;
	}
	unix_put(peer);
	if (err == -EPIPE && !sent)
		return pipe_error(flags);
	return sent ? (long)sent : err;
}

/* ---- datagrams and seqpackets ----------------------------------------- */

static bool dgram_queue_room(void *arg)
{
	struct unix_sock *o = arg;
	return READ_ONCE(o->rcvq_len) <= UNIX_MAX_DGRAM_QLEN || READ_ONCE(o->dead) ||
	       (READ_ONCE(o->shutdown) & UNIX_RCV_SHUTDOWN);
}

/* other died under a datagram socket: forget it if it was our peer. */
static long dgram_peer_dead(struct unix_sock *u, struct unix_sock *other)
{
	spin_lock(&u->lock);
	bool was_peer = u->peer == other;
	if (was_peer) {
		u->peer = NULL;
		u->state = UNIX_CLOSE;
	}
	spin_unlock(&u->lock);
	if (was_peer)
		unix_put(other);
	return -ECONNREFUSED;
}

/* Put a message on other's queue, waiting for room: 0 or -errno. */
static long dgram_queue(struct socket *s, struct unix_sock *other, struct unix_skb *skb,
			uint64_t deadline)
{
	struct unix_sock *u = s->priv;
	for (;;) {
		spin_lock(&other->lock);
		long err = 0;
		if (other->dead)
			err = -ECONNRESET;      /* sorted out below */
		else if (u->type == LINUX_SOCK_DGRAM && other->peer && other->peer != u)
			err = -EPERM;
		else if (other->shutdown & UNIX_RCV_SHUTDOWN)
			err = -EPIPE;
		else if (other->peer != u && other->rcvq_len > UNIX_MAX_DGRAM_QLEN)
			err = -EAGAIN;
		else {
			list_add_tail(&skb->link, &other->rcvq);
			other->rcvq_len++;
			other->rcv_bytes += skb->len;
		}
		spin_unlock(&other->lock);
		if (err == -ECONNRESET)
			return u->type == LINUX_SOCK_SEQPACKET ? -EPIPE : dgram_peer_dead(u, other);
		if (err != -EAGAIN) {
			if (!err)
				wait_queue_wake_all(&other->wait);
			return err;
		}
		err = sock_wait(&other->peer_wait, dgram_queue_room, other, deadline);
		if (err)
			return err;
	}
}

/* Send one message to other (referenced; dropped here). */
static long dgram_send(struct socket *s, struct kmsg *m, int flags, struct unix_sock *other)
{
	struct unix_sock *u = s->priv;
	struct send_ctx ctx = { u, NULL, s };
	uint64_t deadline = sock_deadline(s, flags, true);

	long err = sock_wait(&u->wspace, send_room, &ctx, deadline);
	struct unix_skb *skb = NULL;
	if (!err) {
		skb = skb_alloc(u, m->len, m->scm);
		err = skb ? 0 : -ENOMEM;
	}
	if (!err && iov_copy(m, 0, skb->data, m->len, false))
		err = -EFAULT;
	if (!err) {
		skb->scm = m->scm;
		m->scm = NULL;
		err = dgram_queue(s, other, skb, deadline);
	}
	if (err && skb)
		unix_skb_free(skb);
	unix_put(other);
	return err ? err : (long)m->len;
}

static int dgram_check(struct socket *s, struct kmsg *m, int flags)
{
	struct unix_sock *u = s->priv;
	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	if (READ_ONCE(s->passcred) && !READ_ONCE(u->bound)) {
		int err = unix_autobind(u);
		if (err)
			return err;
	}
	if (m->len > (size_t)READ_ONCE(s->sndbuf) - 32)
		return -EMSGSIZE;
	return 0;
}

long unix_dgram_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct unix_sock *u = s->priv, *other;
	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen) {
		if (m->namelen <= 2 || m->namelen > (int)sizeof(struct linux_sockaddr_un) ||
		    m->name.ss_family != LINUX_AF_UNIX)
			return -EINVAL;
	} else if (!READ_ONCE(u->peer)) {
		return -ENOTCONN;
	}
	int err = dgram_check(s, m, flags);
	if (err)
		return err;
	if (m->namelen)
		err = unix_find(&m->name, m->namelen, u->type, &other);
	else if (!(other = peer_get(u, NULL)))
		err = -ENOTCONN;
	return err ? err : dgram_send(s, m, flags, other);
}

long unix_seqpacket_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct unix_sock *u = s->priv;
	spin_lock(&u->lock);
	int err = u->err;
	u->err = 0;
	struct unix_sock *other = u->state == UNIX_CONNECTED ? u->peer : NULL;
	if (other)
		unix_get(other);
	spin_unlock(&u->lock);
	if (!err && !other)
		err = ENOTCONN;
	if (!err)
		err = -dgram_check(s, m, flags);
	if (err) {
		if (other)
			unix_put(other);
		return -err;
	}
	return dgram_send(s, m, flags, other);
}

/* ---- receiving ---------------------------------------------------------- */

struct rcv_ctx {
	struct unix_sock *u;
	size_t skip;                    /* streams peeking: bytes already seen */
};

static bool rcv_ready(void *arg)
{
	struct rcv_ctx *c = arg;
	struct unix_sock *u = c->u;
	bool data = c->skip ? READ_ONCE(u->rcv_bytes) > c->skip : READ_ONCE(u->rcvq_len) > 0;
	return data || READ_ONCE(u->err) || (READ_ONCE(u->shutdown) & UNIX_RCV_SHUTDOWN);
}

/* Wait (iolock dropped meanwhile) for data, an error or shutdown. */
static int rcv_wait(struct unix_sock *u, size_t skip, uint64_t deadline)
{
	struct rcv_ctx c = { u, skip };
	mutex_unlock(&u->iolock);
	int err = sock_wait(&u->wait, rcv_ready, &c, deadline);
	mutex_lock(&u->iolock);
	return err;
}

/* The source's name for recvfrom: the sender's, if it has one. */
static void set_source(struct kmsg *m, struct unix_sock *sender)
{
	if (!m->want_name || !READ_ONCE(sender->bound)) {
		m->namelen = 0;
		return;
	}
	memcpy(&m->name, &sender->addr.sun, (size_t)sender->addr.len);
	m->namelen = sender->addr.len;
}

/* MSG_PEEK leaves the files on the message: the reader gets new references. */
static struct scm *scm_dup(const struct scm *scm)
{
	struct scm *d = kmalloc(sizeof(*d));
	if (!d)
		return NULL;
	*d = *scm;
	for (int i = 0; i < d->nfiles; i++)
		file_get(d->files[i]);
	return d;
}

/* The message at the head of the queue (taken off unless peeking); with
 * -errno or 0 (end of file) instead when there is none. */
static struct unix_skb *dgram_next(struct unix_sock *u, int flags, uint64_t deadline, long *err)
{
	for (;;) {
		spin_lock(&u->lock);
		if (!list_empty(&u->rcvq)) {
			struct unix_skb *skb = list_first_entry(&u->rcvq, struct unix_skb, link);
			if (!(flags & LINUX_MSG_PEEK)) {
				list_del(&skb->link);
				u->rcvq_len--;
				u->rcv_bytes -= skb->len;
			}
			spin_unlock(&u->lock);
			return skb;
		}
		*err = -u->err;
		u->err = 0;
		bool shut = u->shutdown & UNIX_RCV_SHUTDOWN;
		spin_unlock(&u->lock);
		if (*err || shut)
			return NULL;
		*err = rcv_wait(u, 0, deadline);
		if (*err)
			return NULL;
	}
}

long unix_dgram_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct unix_sock *u = s->priv;
	long err = 0;

	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == LINUX_SOCK_SEQPACKET && READ_ONCE(u->state) != UNIX_CONNECTED)
		return -ENOTCONN;
	uint64_t deadline = sock_deadline(s, flags, false);
	mutex_lock(&u->iolock);
	struct unix_skb *skb = dgram_next(u, flags, deadline, &err);
	if (!skb)
		goto out;
	bool peek = flags & LINUX_MSG_PEEK;
	if (!peek)
		wait_queue_wake_all(&u->peer_wait);
	size_t n = MIN(m->len, skb->len);
	if (iov_copy(m, 0, skb->data, n, true)) {
		err = -EFAULT;
	} else {
		err = (flags & LINUX_MSG_TRUNC) ? (long)skb->len : (long)n;
		if (skb->len > m->len)
			m->flags_out |= LINUX_MSG_TRUNC;
		set_source(m, skb->sender);
		m->has_creds = READ_ONCE(s->passcred);
		m->creds = skb->creds;
		if (skb->scm)
			m->scm = peek ? scm_dup(skb->scm) : skb->scm;
		if (!peek)
			skb->scm = NULL;
	}
	if (!peek)
		unix_skb_free(skb);
out:
	mutex_unlock(&u->iolock);
	return err;
}

/* The stream message holding byte skip of the queue (skb->off counted),
 * and where in it; NULL if the queue holds no more. u->lock held. */
static struct unix_skb *stream_at(struct unix_sock *u, size_t skip, size_t *at)
{
	struct unix_skb *skb;
	list_for_each_entry(skb, &u->rcvq, link) {
		size_t avail = skb->len - skb->off;
		if (skip < avail) {
			*at = skb->off + skip;
			return skb;
		}
		skip -= avail;
	}
	return NULL;
}

static bool creds_eq(const struct linux_ucred *a, const struct linux_ucred *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

/* Account n bytes read from the head message; true when it was used up
 * (then it is off the queue and the caller frees it). u->lock held. */
static bool stream_consume(struct unix_sock *u, struct unix_skb *skb, size_t n)
{
	skb->off += n;
	u->rcv_bytes -= n;
	if (skb->off < skb->len)
		return false;
	list_del(&skb->link);
	u->rcvq_len--;
	return true;
}

struct stream_rd {
	size_t copied, skip, target;
	bool have_creds;
	long err;
};

/* One step of a stream read: copy from the next message. false: stop. */
static bool stream_step(struct socket *s, struct kmsg *m, int flags, struct stream_rd *r,
			uint64_t deadline)
{
	struct unix_sock *u = s->priv;
	bool peek = flags & LINUX_MSG_PEEK;
	size_t at;

	spin_lock(&u->lock);
	struct unix_skb *skb = stream_at(u, r->skip, &at);
	if (!skb) {
		bool stop = r->copied >= r->target || u->err || (u->shutdown & UNIX_RCV_SHUTDOWN);
		if (r->copied < r->target && u->err) {
			r->err = -u->err;
			u->err = 0;
		}
		spin_unlock(&u->lock);
		if (stop)
			return false;
		r->err = rcv_wait(u, r->skip, deadline);
		return r->err == 0;
	}
	if (r->have_creds && !creds_eq(&skb->creds, &m->creds)) {
		spin_unlock(&u->lock);          /* never join different writers' data */
		return false;
	}
	if (!r->have_creds && READ_ONCE(s->passcred)) {
		m->creds = skb->creds;
		m->has_creds = r->have_creds = true;
	}
	if (!r->copied)
		set_source(m, skb->sender);
	size_t n = MIN(skb->len - at, m->len - r->copied);
	spin_unlock(&u->lock);
	if (iov_copy(m, r->copied, skb->data + at, n, true)) {
		r->err = -EFAULT;
		return false;
	}
	r->copied += n;
	bool fds = skb->scm != NULL;
	if (peek) {
		if (fds)
			m->scm = scm_dup(skb->scm);
		r->skip += n;
	} else {
		spin_lock(&u->lock);
		if (fds) {
			m->scm = skb->scm;
			skb->scm = NULL;
		}
		bool used = stream_consume(u, skb, n);
		spin_unlock(&u->lock);
		if (used)
			unix_skb_free(skb);
	}
	return !fds && r->copied < m->len;
}

long unix_stream_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct unix_sock *u = s->priv;

	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	if (READ_ONCE(u->state) != UNIX_CONNECTED)
		return -EINVAL;
	struct stream_rd r = { .target = (flags & LINUX_MSG_WAITALL) ? m->len : MIN(m->len, 1) };
	if (!r.target)
		r.target = 1;
	uint64_t deadline = sock_deadline(s, flags, false);
	mutex_lock(&u->iolock);
	while (stream_step(s, m, flags, &r, deadline))
		;
	mutex_unlock(&u->iolock);
	return r.copied ? (long)r.copied : r.err;
}
