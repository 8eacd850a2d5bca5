/*
 * AF_INET SOCK_STREAM (tcp(7)) over lwIP's tcp_* callback API: lwIP's
 * callbacks, connect, listen and accept, shutdown, readiness, release.
 * Semantics and errnos follow Linux's tcp.c/af_inet.c; the threading
 * rules are in inet.h.
 *
 * The byte streams (send, receive) are in tcp_io.c.
 */
#include <kernel/errno.h>
#include <kernel/poll.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <net/inet/inet.h>
#include <lwip/tcp.h>
#include <lwip/tcpip.h>
#include <lwip/priv/tcp_priv.h>


static u8_t ext_id;                     /* our tcp_pcb ext_args slot */

/* ---- lwIP callbacks (core lock held, never sleep) ------------------------- */

/* n more bytes acknowledged: free the buffers wholly acknowledged. */
static void txq_ack(struct inet_txq *q, size_t n)
{
	q->acked += n;
	while (q->head && q->acked >= q->head->len) {
		struct inet_txbuf *b = q->head;
		q->acked -= b->len;
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
		kfree(b);
	}
	if (!q->head)
		q->acked = 0;
}

/* The pcb and its segments are gone: nothing points into q any more. */
static void txq_free(struct inet_txq *q)
{
	while (q->head) {
		struct inet_txbuf *b = q->head;
		q->head = b->next;
		kfree(b);
	}
	q->tail = NULL;
	q->acked = 0;
}

/* Room to queue more: lwIP's free send buffer, but no more in flight
 * than SO_SNDBUF (core lock held). */
size_t inet_tcp_snd_room(struct inet_sock *sk, struct tcp_pcb *pcb)
{
	size_t inflight = TCP_SND_BUF - pcb->snd_buf;
	size_t limit = sk->sndbuf_limit;
	return limit > inflight ? MIN(limit - inflight, (size_t)pcb->snd_buf) : 0;
}

/* lwIP frees a pcb after its segments (tcp_free). */
static void tcp_pcb_destroyed(u8_t id, void *data)
{
	struct inet_sock *sk = data;
	if (sk) {
		sk->pcb.tcp = NULL;
		txq_free(&sk->tx);
	}
}

static const struct tcp_ext_arg_callbacks ext_callbacks = {
	.destroy = tcp_pcb_destroyed,
};

/* A closed socket's connection still sending: its buffers only. */
static err_t orphan_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	if (arg)
		txq_ack(arg, len);
	return ERR_OK;
}

static void orphan_destroyed(u8_t id, void *data)
{
	if (data) {
		txq_free(data);
		kfree(data);
	}
}

static const struct tcp_ext_arg_callbacks orphan_callbacks = {
	.destroy = orphan_destroyed,
};

static void set_local(struct inet_sock *sk, struct tcp_pcb *pcb)
{
	sk->laddr = ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip));
	sk->lport = lwip_htons(pcb->local_port);
}

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct inet_sock *sk = arg;
	if (!p) {                       /* the peer's FIN */
		spin_lock(&sk->lock);
		sk->shutdown |= INET_RCV_SHUTDOWN;
		spin_unlock(&sk->lock);
		inet_wake(sk);
		return ERR_OK;
	}
	struct pbuf *last = p;
	while (last->next)
		last = last->next;
	spin_lock(&sk->lock);
	if (sk->rq_tail)
		sk->rq_tail->next = p;
	else
		sk->rq_head = p;
	sk->rq_tail = last;
	sk->rq_bytes += p->tot_len;
	spin_unlock(&sk->lock);
	wait_queue_wake_all(&sk->wait);
	return ERR_OK;
}

static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct inet_sock *sk = arg;
	txq_ack(&sk->tx, len);
	spin_lock(&sk->lock);
	sk->snd_avail = inet_tcp_snd_room(sk, pcb);
	sk->snd_blocked = false;
	spin_unlock(&sk->lock);
	wait_queue_wake_all(&sk->wspace);
	return ERR_OK;
}

/* The pcb is freed (its destroy callback ran already). */
static void tcp_err_cb(void *arg, err_t err)
{
	struct inet_sock *sk = arg;
	sk->pcb.tcp = NULL;
	spin_lock(&sk->lock);
	if (err != ERR_CLSD) {          /* ERR_CLSD: both FINs exchanged, no error */
		if (sk->state == INET_SYN_SENT)
			sk->err = err == ERR_RST ? ECONNREFUSED : ETIMEDOUT;
		else
			sk->err = err == ERR_RST ? ECONNRESET : ETIMEDOUT;
		sk->state = INET_CLOSE;
	}
	sk->shutdown = INET_SHUTDOWN_MASK;
	spin_unlock(&sk->lock);
	inet_wake(sk);
}

static err_t tcp_connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *sk = arg;
	spin_lock(&sk->lock);
	sk->state = INET_CONNECTED;
	set_local(sk, pcb);
	sk->snd_avail = inet_tcp_snd_room(sk, pcb);
	spin_unlock(&sk->lock);
	inet_wake(sk);
	return ERR_OK;
}

static void tcp_attach(struct inet_sock *sk, struct tcp_pcb *pcb)
{
	sk->pcb.tcp = pcb;
	tcp_arg(pcb, sk);
	tcp_ext_arg_set_callbacks(pcb, ext_id, &ext_callbacks);
	tcp_ext_arg_set(pcb, ext_id, sk);
	if (pcb->state != LISTEN) {
		tcp_recv(pcb, tcp_recv_cb);
		tcp_sent(pcb, tcp_sent_cb);
		tcp_err(pcb, tcp_err_cb);
	}
}

/* Cut the pcb from sk: no callback will see sk again. */
static struct tcp_pcb *tcp_detach(struct inet_sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;
	sk->pcb.tcp = NULL;
	if (!pcb)
		return NULL;
	tcp_arg(pcb, NULL);
	tcp_ext_arg_set(pcb, ext_id, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);
	} else {
		tcp_recv(pcb, NULL);
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
	}
	return pcb;
}

static err_t tcp_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct inet_sock *l = arg;
	if (err != ERR_OK || !newpcb || !l)
		return ERR_VAL;
	struct inet_sock *sk = inet_alloc(LINUX_SOCK_STREAM, LINUX_IPPROTO_TCP);
	if (!sk) {
		tcp_abort(newpcb);
		return ERR_ABRT;
	}
	sk->ttl = l->ttl;
	sk->nodelay = l->nodelay;
	newpcb->ttl = (u8_t)sk->ttl;
	if (sk->nodelay)
		tcp_nagle_disable(newpcb);
	tcp_attach(sk, newpcb);
	sk->state = INET_CONNECTED;
	sk->bound = true;
	set_local(sk, newpcb);
	sk->raddr = ip4_addr_get_u32(ip_2_ip4(&newpcb->remote_ip));
	sk->rport = lwip_htons(newpcb->remote_port);
	sk->sndbuf_limit = l->sndbuf_limit;
	sk->snd_avail = inet_tcp_snd_room(sk, newpcb);
	spin_lock(&l->lock);
	list_add_tail(&sk->accept_link, &l->acceptq);
	l->acceptq_len++;
	spin_unlock(&l->lock);
	wait_queue_wake_all(&l->wait);
	return ERR_OK;
}

/* ---- helpers ----------------------------------------------------------------- */

/* SO_REUSEADDR and SO_KEEPALIVE into the pcb (core lock held). */
static void apply_sockopts(struct inet_sock *sk, struct socket *s)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;
	if (!pcb)
		return;
	spin_lock(&s->lock);
	bool reuse = s->reuseaddr, keep = s->keepalive;
	spin_unlock(&s->lock);
	if (reuse)
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	if (keep)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
}

/* A fresh pcb for a socket whose last one lwIP freed (core lock held). */
static int tcp_ensure_pcb(struct inet_sock *sk)
{
	if (sk->pcb.tcp)
		return 0;
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!pcb)
		return -ENOMEM;
	pcb->ttl = (u8_t)sk->ttl;
	if (sk->nodelay)
		tcp_nagle_disable(pcb);
	tcp_attach(sk, pcb);
	return 0;
}

/* Linux refuses a second listener on a port even with SO_REUSEADDR. */
static bool port_has_listener(uint32_t ip, u16_t port)
{
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
		uint32_t lip = ip4_addr_get_u32(ip_2_ip4(&l->local_ip));
		if (l->local_port == port && (lip == 0 || ip == 0 || lip == ip))
			return true;
	}
	return false;
}

int inet_tcp_init(struct inet_sock *sk)
{
	static bool have_id;
	LOCK_TCPIP_CORE();
	if (!have_id) {
		ext_id = tcp_ext_arg_alloc_id();
		have_id = true;
	}
	int err = tcp_ensure_pcb(sk);
	inet_core_unlock();
	sk->sndbuf_limit = MIN((size_t)SOCK_DEFAULT_BUF, (size_t)TCP_SND_BUF);
	sk->snd_avail = sk->sndbuf_limit;
	return err;
}

/* ---- bind, listen, accept, connect ------------------------------------------ */

static int tcp_bind_op(struct socket *s, const void *addr, int len)
{
	struct inet_sock *sk = inet_sk(s);
	uint32_t ip = 0;
	uint16_t port = 0;
	int fam;
	int err = inet_addr_parse(addr, len, &ip, &port, &fam);
	if (err)
		return err;
	if (len < (int)sizeof(struct linux_sockaddr_in))
		return -EINVAL;
	if (fam != LINUX_AF_INET && !(fam == LINUX_AF_UNSPEC && ip == LINUX_INADDR_ANY))
		return -EAFNOSUPPORT;
	LOCK_TCPIP_CORE();
	if (!inet_addr_local(ip))
		err = -EADDRNOTAVAIL;
	else if (port && lwip_ntohs(port) < 1024 && !inet_capable())
		err = -EACCES;
	else if (sk->bound || sk->state != INET_CLOSE || tcp_ensure_pcb(sk))
		err = -EINVAL;
	else if (port && port_has_listener(ip, lwip_ntohs(port)))
		err = -EADDRINUSE;
	else {
		apply_sockopts(sk, s);
		ip_addr_t a = IPADDR4_INIT(ip);
		err = tcp_bind(sk->pcb.tcp, &a, lwip_ntohs(port)) == ERR_OK ? 0 : -EADDRINUSE;
	}
	if (!err) {
		spin_lock(&sk->lock);
		sk->bound = true;
		set_local(sk, sk->pcb.tcp);
		spin_unlock(&sk->lock);
	}
	inet_core_unlock();
	return err;
}

static int tcp_listen_op(struct socket *s, int backlog)
{
	struct inet_sock *sk = inet_sk(s);
	int b = backlog < 0 ? 1 : backlog >= 254 ? 255 : backlog + 1;
	int err = 0;

	LOCK_TCPIP_CORE();
	if (sk->state == INET_LISTEN) {
		if (sk->pcb.tcp)
			((struct tcp_pcb_listen *)sk->pcb.any)->backlog = (u8_t)b;
		goto out;
	}
	if (sk->state != INET_CLOSE || (sk->shutdown & INET_SHUTDOWN_MASK) || tcp_ensure_pcb(sk)) {
		err = -EINVAL;
		goto out;
	}
	apply_sockopts(sk, s);
	if (!sk->bound && tcp_bind(sk->pcb.tcp, IP4_ADDR_ANY, 0) != ERR_OK) {
		err = -EADDRINUSE;
		goto out;
	}
	if (port_has_listener(ip4_addr_get_u32(ip_2_ip4(&sk->pcb.tcp->local_ip)),
			      sk->pcb.tcp->local_port)) {
		err = -EADDRINUSE;
		goto out;
	}
	err_t e;
	struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(sk->pcb.tcp, (u8_t)b, &e);
	if (!lpcb) {
		err = inet_err_to_errno(e);
		goto out;
	}
	sk->pcb.tcp = lpcb;             /* the old pcb is freed; ext_args copied */
	tcp_arg(lpcb, sk);
	tcp_accept(lpcb, tcp_accept_cb);
	spin_lock(&sk->lock);
	sk->state = INET_LISTEN;
	sk->bound = true;
	sk->backlog = backlog;
	set_local(sk, lpcb);
	spin_unlock(&sk->lock);
out:
	inet_core_unlock();
	return err;
}

static bool accept_ready(void *arg)
{
	struct inet_sock *sk = arg;
	return !list_empty(&sk->acceptq) || READ_ONCE(sk->state) != INET_LISTEN;
}

static int tcp_accept_op(struct socket *s, struct socket *ns, bool nonblock)
{
	struct inet_sock *sk = inet_sk(s);
	if (READ_ONCE(sk->state) != INET_LISTEN)
		return -EINVAL;
	int err = sock_wait(&sk->wait, accept_ready, sk,
			    sock_deadline(s, nonblock ? LINUX_MSG_DONTWAIT : 0, false));
	if (err)
		return err;
	spin_lock(&sk->lock);
	struct inet_sock *e = NULL;
	if (!list_empty(&sk->acceptq)) {
		e = list_first_entry(&sk->acceptq, struct inet_sock, accept_link);
		list_del(&e->accept_link);
		sk->acceptq_len--;
	}
	spin_unlock(&sk->lock);
	if (!e)
		return -EINVAL;
	LOCK_TCPIP_CORE();
	if (e->pcb.tcp)
		tcp_backlog_accepted(e->pcb.tcp);
	spin_lock(&e->lock);
	e->sock = ns;
	spin_unlock(&e->lock);
	ns->priv = e;
	ns->protocol = LINUX_IPPROTO_TCP;
	inet_core_unlock();
	/* options set on the listener carry over, as Linux's */
	spin_lock(&s->lock);
	bool keep = s->keepalive;
	int sndbuf = s->sndbuf, rcvbuf = s->rcvbuf;
	spin_unlock(&s->lock);
	spin_lock(&ns->lock);
	ns->keepalive = keep;
	ns->sndbuf = sndbuf;
	ns->rcvbuf = rcvbuf;
	spin_unlock(&ns->lock);
	return 0;
}

static bool connect_done(void *arg)
{
	struct inet_sock *sk = arg;
	return READ_ONCE(sk->state) != INET_SYN_SENT;
}

/* connect(AF_UNSPEC): drop the connection (Linux's tcp_disconnect). */
static int tcp_disconnect(struct inet_sock *sk)
{
	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = tcp_detach(sk);
	if (pcb)
		tcp_abort(pcb);
	txq_free(&sk->tx);
	spin_lock(&sk->lock);
	sk->state = INET_CLOSE;
	sk->shutdown = 0;
	sk->bound = false;
	sk->laddr = sk->raddr = 0;
	sk->lport = sk->rport = 0;
	spin_unlock(&sk->lock);
	int err = tcp_ensure_pcb(sk);
	inet_core_unlock();
	inet_wake(sk);
	return err;
}

static int tcp_connect_op(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct inet_sock *sk = inet_sk(s);
	uint32_t ip = 0;
	uint16_t port = 0;
	int fam;
	int err = inet_addr_parse(addr, len, &ip, &port, &fam);
	if (err)
		return err;
	if (fam == LINUX_AF_UNSPEC)
		return tcp_disconnect(sk);
	if (len < (int)sizeof(struct linux_sockaddr_in))
		return -EINVAL;
	if (fam != LINUX_AF_INET)
		return -EAFNOSUPPORT;
	if (ip == LINUX_INADDR_ANY)
		ip = lwip_htonl(0x7f000001);    /* Linux routes 0.0.0.0 to the loopback */

	LOCK_TCPIP_CORE();
	bool unreported = sk->conn_unreported;
	sk->conn_unreported = false;
	switch (sk->state) {
	case INET_CONNECTED:
		err = unreported ? 0 : -EISCONN;        /* Linux: once 0, then EISCONN */
		inet_core_unlock();
		return err;
	case INET_LISTEN:
		err = -EISCONN;
		break;
	case INET_SYN_SENT:
		err = -EALREADY;
		break;
	case INET_CLOSE:
		if (unreported) {               /* the outcome of the last attempt */
			int e = inet_take_error(sk);
			inet_core_unlock();
			return e ? -e : -ECONNABORTED;
		}
		if ((err = tcp_ensure_pcb(sk)))
			break;
		apply_sockopts(sk, s);
		ip_addr_t a = IPADDR4_INIT(ip);
		spin_lock(&sk->lock);
		sk->err = 0;
		sk->shutdown = 0;
		sk->state = INET_SYN_SENT;
		sk->raddr = ip;
		sk->rport = port;
		spin_unlock(&sk->lock);
		err_t e = tcp_connect(sk->pcb.tcp, &a, lwip_ntohs(port), tcp_connected_cb);
		spin_lock(&sk->lock);
		if (e != ERR_OK) {
			sk->state = INET_CLOSE;
			err = e == ERR_USE ? -EADDRNOTAVAIL : inet_err_to_errno(e);
		} else if (sk->pcb.tcp) {
			sk->bound = true;
			set_local(sk, sk->pcb.tcp);
		}
		spin_unlock(&sk->lock);
		break;
	}
	inet_core_unlock();
	if (err && err != -EALREADY)
		return err;
	uint64_t dl = sock_deadline(s, nonblock ? LINUX_MSG_DONTWAIT : 0, true);
	int r = dl == 0 ? (err ? err : -EINPROGRESS) : sock_wait(&sk->wait, connect_done, sk, dl);
	if (r == -EAGAIN)
		r = -EINPROGRESS;
	if (r) {
		WRITE_ONCE(sk->conn_unreported, true);
		return r;
	}
	if (READ_ONCE(sk->state) == INET_CONNECTED)
		return 0;
	int e = inet_take_error(sk);
	return e ? -e : -ECONNABORTED;
}

/* ---- shutdown, readiness, release ------------------------------------------------ */

static int tcp_shutdown_op(struct socket *s, int how)
{
	struct inet_sock *sk = inet_sk(s);
	unsigned mask = (unsigned)how + 1;     /* SHUT_RD 0 -> RCV, SHUT_WR 1 -> SEND */
	int err = 0;

	LOCK_TCPIP_CORE();
	spin_lock(&sk->lock);
	unsigned was = sk->shutdown;
	enum inet_state st = sk->state;
	if (st == INET_CLOSE)
		err = -ENOTCONN;
	else
		sk->shutdown |= mask;
	spin_unlock(&sk->lock);
	if (!err && st == INET_CONNECTED && (mask & INET_SEND_SHUTDOWN) &&
	    !(was & INET_SEND_SHUTDOWN) && sk->pcb.tcp) {
		err_t e = tcp_shutdown(sk->pcb.tcp, 0, 1);
		if (e != ERR_OK)
			err = inet_err_to_errno(e);
		else if (sk->pcb.tcp)
			tcp_output(sk->pcb.tcp);
	}
	inet_core_unlock();
	inet_wake(sk);
	return err;
}

/* As Linux's tcp_poll. */
static unsigned inet_tcp_poll(struct socket *s, struct poll_table *pt)
{
	struct inet_sock *sk = inet_sk(s);
	unsigned mask = 0;

	poll_wait(pt, s->file, &sk->wait);
	poll_wait(pt, s->file, &sk->wspace);
	spin_lock(&sk->lock);
	if (sk->state == INET_LISTEN) {
		if (!list_empty(&sk->acceptq))
			mask |= POLLIN | POLLRDNORM;
		spin_unlock(&sk->lock);
		return mask;
	}
	if (sk->shutdown == INET_SHUTDOWN_MASK || sk->state == INET_CLOSE)
		mask |= POLLHUP;
	if (sk->shutdown & INET_RCV_SHUTDOWN)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (sk->state != INET_SYN_SENT) {
		if (sk->rq_bytes)
			mask |= POLLIN | POLLRDNORM;
		if (!(sk->shutdown & INET_SEND_SHUTDOWN)) {
			if (sk->state != INET_CONNECTED ||
			    (!sk->snd_blocked && sk->snd_avail >= sk->sndbuf_limit / 4))
				mask |= POLLOUT | POLLWRNORM;
		} else {
			mask |= POLLOUT | POLLWRNORM;
		}
	}
	if (sk->err)
		mask |= POLLERR;
	spin_unlock(&sk->lock);
	return mask;
}

static void tcp_release(struct socket *s)
{
	struct inet_sock *sk = inet_sk(s);
	if (!sk)
		return;                 /* an accept that failed before taking one */
	spin_lock(&s->lock);
	bool abort_now = s->linger.l_onoff && s->linger.l_linger == 0;
	spin_unlock(&s->lock);

	LOCK_TCPIP_CORE();
	spin_lock(&sk->lock);
	sk->sock = NULL;
	struct list_head embryos;
	list_init(&embryos);
	list_splice_init(&sk->acceptq, &embryos);
	bool unread = sk->rq_bytes != 0;
	spin_unlock(&sk->lock);
	struct tcp_pcb *pcb = tcp_detach(sk);
	while (!list_empty(&embryos)) {
		struct inet_sock *e = list_first_entry(&embryos, struct inet_sock, accept_link);
		list_del(&e->accept_link);
		struct tcp_pcb *ep = tcp_detach(e);
		if (ep)
			tcp_abort(ep);
		inet_free(e);
	}
	if (pcb && pcb->state != LISTEN && (unread || abort_now)) {
		tcp_abort(pcb);         /* unread data or SO_LINGER {1, 0}: a reset, as Linux */
		pcb = NULL;
	}
	if (pcb && sk->tx.head) {
		/* lwIP goes on sending what it has: its buffers outlive us */
		struct inet_txq *q = kmalloc(sizeof(*q));
		if (q) {
			*q = sk->tx;
			sk->tx = (struct inet_txq){ 0 };
			tcp_arg(pcb, q);
			tcp_sent(pcb, orphan_sent_cb);
			tcp_ext_arg_set_callbacks(pcb, ext_id, &orphan_callbacks);
			tcp_ext_arg_set(pcb, ext_id, q);
		} else {
			tcp_abort(pcb);
			pcb = NULL;
		}
	}
	if (pcb && tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);         /* an orphan queue goes with the pcb */
	txq_free(&sk->tx);              /* no pcb points into it any more */
	inet_free(sk);
	inet_core_unlock();
}

/* SO_KEEPALIVE and SO_REUSEADDR set after bind or connect. */
static void tcp_sockopt_changed(struct socket *s, int name)
{
	struct inet_sock *sk = inet_sk(s);
	LOCK_TCPIP_CORE();
	if (name == LINUX_SO_SNDBUF) {
		spin_lock(&s->lock);
		size_t b = (size_t)s->sndbuf;
		spin_unlock(&s->lock);
		sk->sndbuf_limit = MIN(b, (size_t)TCP_SND_BUF);
		spin_lock(&sk->lock);
		if (sk->pcb.tcp && sk->state == INET_CONNECTED)
			sk->snd_avail = inet_tcp_snd_room(sk, sk->pcb.tcp);
		spin_unlock(&sk->lock);
		inet_wake(sk);
	}
	if (sk->state != INET_LISTEN)
		apply_sockopts(sk, s);
	inet_core_unlock();
}

const struct sock_ops inet_tcp_ops = {
	.bind = tcp_bind_op,
	.connect = tcp_connect_op,
	.listen = tcp_listen_op,
	.accept = tcp_accept_op,
	.sendmsg = inet_tcp_sendmsg,
	.recvmsg = inet_tcp_recvmsg,
	.shutdown = tcp_shutdown_op,
	.getname = inet_getname,
	.poll = inet_tcp_poll,
	.getsockopt = inet_getsockopt,
	.setsockopt_proto = inet_setsockopt,
	.getsockopt_proto = inet_getsockopt_proto,
	.sockopt_changed = tcp_sockopt_changed,
	.ioctl = inet_tcp_ioctl,
	.release = tcp_release,
};
