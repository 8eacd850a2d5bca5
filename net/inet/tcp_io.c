/*
 * AF_INET SOCK_STREAM's byte streams (tcp(7)): sendmsg, recvmsg and the
 * queue-size ioctls, over the connection tcp.c manages. Threading in
 * inet.h.
 *
 * Receiving: lwIP's recv callback appends the segment's pbufs to the
 * socket's queue; a reader copies from them to the user with
 * copy_to_user (no lock held, see inet.h) and then, under the core lock,
 * frees what it consumed and opens the window by as much (tcp_recved).
 * Sending: the user's bytes are copied (copy_from_user) into a buffer of
 * up to TCP_CHUNK that tcp_write references without copying (lwIP's
 * segments point into it); the sent callback frees buffers as the peer
 * acknowledges them. After close, a connection still sending keeps its
 * buffers in an orphan queue that the pcb's destroy callback frees.
 */
#include <kernel/errno.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <net/inet/inet.h>
#include <lwip/tcp.h>
#include <lwip/tcpip.h>

#define TCP_CHUNK 0xf000u               /* bytes per tcp_write (its length is 16 bits) */

/* ---- sending ------------------------------------------------------------------ */

static bool send_ready(void *arg)
{
	struct inet_sock *sk = arg;
	spin_lock(&sk->lock);
	bool r = sk->err || (sk->shutdown & INET_SEND_SHUTDOWN) ||
		 (sk->state != INET_CONNECTED && sk->state != INET_SYN_SENT) ||
		 (sk->state == INET_CONNECTED && sk->snd_avail && !sk->snd_blocked);
	spin_unlock(&sk->lock);
	return r;
}

/* Wait until bytes can be queued: 0, or the error to return. */
static int wait_sendable(struct inet_sock *sk, uint64_t deadline)
{
	int r = sock_wait(&sk->wspace, send_ready, sk, deadline);
	if (r)
		return r;
	spin_lock(&sk->lock);
	if (sk->err) {
		r = -sk->err;
		sk->err = 0;
	} else if ((sk->shutdown & INET_SEND_SHUTDOWN) || sk->state != INET_CONNECTED) {
		r = -EPIPE;
	}
	spin_unlock(&sk->lock);
	return r;
}

/* Hand b (n bytes) to lwIP without a copy: bytes taken (0: its queue is
 * full; b is then freed) or -errno. */
static long tcp_queue(struct inet_sock *sk, struct inet_txbuf *b, size_t n, bool more)
{
	long r;
	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = sk->pcb.tcp;
	if (!pcb || READ_ONCE(sk->state) != INET_CONNECTED) {
		inet_core_unlock();
		kfree(b);
		return 0;                       /* wait_sendable reports why */
	}
	err_t e = n <= tcp_sndbuf(pcb) ? tcp_write(pcb, b->data, (u16_t)n, more ? TCP_WRITE_FLAG_MORE : 0)
				       : ERR_MEM;
	if (e == ERR_OK) {
		r = (long)n;
		b->len = n;
		b->next = NULL;
		if (sk->tx.tail)
			sk->tx.tail->next = b;
		else
			sk->tx.head = b;
		sk->tx.tail = b;
	} else {
		kfree(b);
		if (e == ERR_MEM)
			/* waiting for acknowledgements frees room; with nothing in
			 * flight it was an allocation that failed */
			r = pcb->unsent || pcb->unacked ? 0 : -ENOBUFS;
		else
			r = inet_err_to_errno(e);
	}
	tcp_output(pcb);
	spin_lock(&sk->lock);
	if (sk->pcb.tcp) {
		sk->snd_avail = inet_tcp_snd_room(sk, pcb);
		if (r == 0)
			sk->snd_blocked = true;
	}
	spin_unlock(&sk->lock);
	inet_core_unlock();
	return r;
}

long inet_tcp_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct inet_sock *sk = inet_sk(s);
	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	if (mutex_lock_interruptible(&sk->wlock))
		return -ERESTARTSYS;
	uint64_t dl = sock_deadline(s, flags, true);
	size_t done = 0;
	long err = 0;

	do {
		err = wait_sendable(sk, dl);
		if (err || m->len == 0)
			break;
		size_t n = MIN(m->len - done, (size_t)TCP_CHUNK);
		spin_lock(&sk->lock);
		n = MIN(n, sk->snd_avail);
		spin_unlock(&sk->lock);
		struct inet_txbuf *b = kmalloc(sizeof(*b) + n);
		if (!b) {
			err = -ENOMEM;
			break;
		}
		if ((err = kmsg_copy_from(m, done, b->data, n))) {
			kfree(b);
			break;
		}
		long q = tcp_queue(sk, b, n, done + n < m->len);
		if (q < 0) {
			err = q;
			break;
		}
		done += (size_t)q;
	} while (done < m->len);
	mutex_unlock(&sk->wlock);
	if (done)
		return (long)done;
	if (err == -EPIPE && !(flags & LINUX_MSG_NOSIGNAL))
		signal_send_self(SIGPIPE);
	return err;
}

/* ---- receiving ---------------------------------------------------------------- */

struct recv_wait {
	struct inet_sock *sk;
	size_t have;                    /* bytes already looked at (MSG_PEEK) */
};

static bool recv_ready(void *arg)
{
	struct recv_wait *w = arg;
	struct inet_sock *sk = w->sk;
	spin_lock(&sk->lock);
	bool r = sk->rq_bytes > w->have || sk->err || (sk->shutdown & INET_RCV_SHUTDOWN) ||
		 sk->state == INET_CLOSE || sk->state == INET_LISTEN;
	spin_unlock(&sk->lock);
	return r;
}

/* Copy up to len bytes at byte skip of the queue to m at moff: bytes or -EFAULT.
 * The caller holds rlock (nobody else removes pbufs). */
static long copy_queue(struct inet_sock *sk, struct kmsg *m, size_t moff, size_t skip, size_t len)
{
	spin_lock(&sk->lock);
	struct pbuf *p = sk->rq_head;
	size_t off = sk->rq_off + skip, avail = sk->rq_bytes - MIN(skip, sk->rq_bytes);
	spin_unlock(&sk->lock);
	len = MIN(len, avail);
	size_t done = 0;
	while (p && done < len) {
		if (off >= p->len) {
			off -= p->len;
			p = p->next;
			continue;
		}
		size_t c = MIN((size_t)p->len - off, len - done);
		if (kmsg_copy_to(m, moff + done, (char *)p->payload + off, c))
			return done ? (long)done : -EFAULT;
		done += c;
		off += c;
	}
	return (long)done;
}

/* Drop n read bytes from the queue; the freed pbufs are chained on *freed. */
static void consume(struct inet_sock *sk, size_t n, struct pbuf **freed)
{
	spin_lock(&sk->lock);
	sk->rq_bytes -= n;
	sk->rq_off += n;
	while (sk->rq_head && sk->rq_off >= sk->rq_head->len) {
		struct pbuf *h = sk->rq_head;
		sk->rq_off -= h->len;
		sk->rq_head = h->next;
		if (!sk->rq_head)
			sk->rq_tail = NULL;
		h->next = *freed;
		*freed = h;
	}
	spin_unlock(&sk->lock);
}

/* Free what was read and open the window by as much. */
static void recv_done(struct inet_sock *sk, struct pbuf *freed, size_t n)
{
	LOCK_TCPIP_CORE();
	while (freed) {
		struct pbuf *next = freed->next;
		freed->next = NULL;
		pbuf_free(freed);
		freed = next;
	}
	struct tcp_pcb *pcb = sk->pcb.tcp;
	while (pcb && n) {
		u16_t c = (u16_t)MIN(n, 0xffffu);
		tcp_recved(pcb, c);
		n -= c;
	}
	inet_core_unlock();
}

long inet_tcp_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct inet_sock *sk = inet_sk(s);
	bool peek = flags & LINUX_MSG_PEEK;
	if (flags & LINUX_MSG_OOB)
		return -EINVAL;
	if (READ_ONCE(sk->state) == INET_LISTEN)
		return -ENOTCONN;
	if (mutex_lock_interruptible(&sk->rlock))
		return -ERESTARTSYS;
	uint64_t dl = sock_deadline(s, flags, false);
	size_t target = flags & LINUX_MSG_WAITALL ? m->len : 1;
	size_t copied = 0, consumed = 0;
	struct pbuf *freed = NULL;
	long err = 0;

	while (copied < m->len) {
		long c = copy_queue(sk, m, copied, peek ? copied : 0, m->len - copied);
		if (c < 0) {
			err = c;
			break;
		}
		if (c > 0) {
			copied += (size_t)c;
			if (!peek) {
				consume(sk, (size_t)c, &freed);
				consumed += (size_t)c;
			}
			continue;
		}
		if (copied >= target)
			break;
		spin_lock(&sk->lock);
		if (sk->err && !copied) {
			err = -sk->err;
			sk->err = 0;
		} else if (sk->shutdown & INET_RCV_SHUTDOWN) {
			err = 1;
		} else if (sk->state == INET_CLOSE) {
			err = copied ? 1 : -ENOTCONN;
		}
		spin_unlock(&sk->lock);
		if (err)
			break;
		if (consumed) {                 /* let the peer send more while we wait */
			recv_done(sk, freed, consumed);
			freed = NULL;
			consumed = 0;
		}
		struct recv_wait w = { sk, peek ? copied : 0 };
		err = sock_wait(&sk->wait, recv_ready, &w, dl);
		if (err)
			break;
	}
	if (consumed || freed)
		recv_done(sk, freed, consumed);
	mutex_unlock(&sk->rlock);
	if (copied)
		return (long)copied;
	return err == 1 ? 0 : err;
}

long inet_tcp_ioctl(struct socket *s, unsigned cmd, unsigned long arg)
{
	struct inet_sock *sk = inet_sk(s);
	long n;
	if (cmd != 0x541B && cmd != 0x5411)     /* SIOCINQ (FIONREAD), SIOCOUTQ (TIOCOUTQ) */
		return -ENOTTY;
	if (READ_ONCE(sk->state) == INET_LISTEN)
		return -EINVAL;
	if (cmd == 0x541B) {
		spin_lock(&sk->lock);
		n = (long)sk->rq_bytes;
		spin_unlock(&sk->lock);
	} else {
		LOCK_TCPIP_CORE();
		n = sk->pcb.tcp ? (long)(TCP_SND_BUF - sk->pcb.tcp->snd_buf) : 0;
		inet_core_unlock();
	}
	return put_user_u32((uint32_t)n, (void *)arg) ? -EFAULT : 0;
}
