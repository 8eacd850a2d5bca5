/*
 * AF_INET datagram sockets over lwIP's udp_* and raw_* callback APIs:
 * SOCK_DGRAM UDP (udp(7)), SOCK_RAW IPPROTO_ICMP (raw(7): the user
 * writes the ICMP message, reads whole IP packets; busybox ping uses
 * it) and SOCK_DGRAM IPPROTO_ICMP "ping sockets" (icmp(7): echo
 * requests whose identifier and checksum the kernel sets, echo replies
 * to that identifier only, without the IP header).
 *
 * Received datagrams wait on inet_sock.dq (bounded by SO_RCVBUF, the
 * rest dropped as Linux does); a send copies the user's bytes straight
 * into a new pbuf and hands it to lwIP. Threading in inet.h.
 */
#include <kernel/errno.h>
#include <kernel/poll.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <net/inet/inet.h>
#include <lwip/inet_chksum.h>
#include <lwip/ip4.h>
#include <lwip/netif.h>
#include <lwip/raw.h>
#include <lwip/tcpip.h>
#include <lwip/udp.h>

#define UDP_MAX_PAYLOAD (0xffff - 20 - 8)
#define RAW_MAX_PAYLOAD (0xffff - 20)
#define ICMP_ECHO       8
#define ICMP_ECHOREPLY  0

static bool is_raw(const struct inet_sock *sk)
{
	return sk->protocol == LINUX_IPPROTO_ICMP;
}

/* ---- receiving (callbacks: core lock held) ------------------------------- */

static void dgram_queue(struct inet_sock *sk, struct pbuf *p, uint32_t addr, uint16_t port)
{
	struct inet_dgram *d = kmalloc(sizeof(*d));
	if (!d) {
		pbuf_free(p);
		return;
	}
	d->p = p;
	d->addr = addr;
	d->port = port;
	d->len = p->tot_len;
	spin_lock(&sk->lock);
	struct socket *s = sk->sock;
	size_t limit = s ? (size_t)READ_ONCE(s->rcvbuf) : 0;
	bool keep = s && !(sk->shutdown & INET_RCV_SHUTDOWN) &&
		    (list_empty(&sk->dq) || sk->dq_bytes + d->len <= limit);
	if (keep) {
		list_add_tail(&d->link, &sk->dq);
		sk->dq_bytes += d->len;
	}
	spin_unlock(&sk->lock);
	if (!keep) {
		pbuf_free(p);
		kfree(d);
		return;
	}
	wait_queue_wake_all(&sk->wait);
}

static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	struct inet_sock *sk = arg;
	if (!sk) {
		pbuf_free(p);
		return;
	}
	dgram_queue(sk, p, ip4_addr_get_u32(ip_2_ip4(addr)), lwip_htons(port));
}

/* Every ICMP packet for a raw socket; echo replies with our identifier for
 * a ping socket. Never eats the packet: lwIP's ICMP still sees it. */
static u8_t raw_recv_cb(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct inet_sock *sk = arg;
	if (!sk || p->len < 1)
		return 0;
	unsigned hl = (((const uint8_t *)p->payload)[0] & 0xf) * 4u;
	if (sk->type == LINUX_SOCK_DGRAM) {
		uint8_t h[8];
		if (p->tot_len < hl + 8 || pbuf_copy_partial(p, h, 8, (u16_t)hl) != 8)
			return 0;
		uint16_t id;
		memcpy(&id, h + 4, 2);
		if (h[0] != ICMP_ECHOREPLY || id != sk->ping_id)
			return 0;
	}
	struct pbuf *c = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	if (!c)
		return 0;
	if (sk->type == LINUX_SOCK_DGRAM)
		pbuf_remove_header(c, hl);
	dgram_queue(sk, c, ip4_addr_get_u32(ip_2_ip4(addr)), 0);
	return 0;
}

/*
 * ICMP port unreachable for one of our UDP datagrams: ECONNREFUSED on the
 * connected UDP socket it came from (Linux reports it on connected sockets
 * only). The message carries the original IP header and the first 8 bytes
 * of the datagram: the UDP ports. A raw pcb sees every ICMP packet before
 * lwIP's ICMP does and leaves it there.
 */
#define ICMP_DEST_UNREACH 3
#define ICMP_PORT_UNREACH 3

static u8_t icmp_error_cb(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	uint8_t b[8 + 60 + 8];
	unsigned hl = (((const uint8_t *)p->payload)[0] & 0xf) * 4u;
	u16_t n = pbuf_copy_partial(p, b, sizeof(b), (u16_t)hl);
	if (n < 8 + 20 + 8 || b[0] != ICMP_DEST_UNREACH || b[1] != ICMP_PORT_UNREACH)
		return 0;
	unsigned ohl = (b[8] & 0xf) * 4u;
	if (b[8 + 9] != LINUX_IPPROTO_UDP || n < 8 + ohl + 8)
		return 0;
	uint32_t dst;
	uint16_t sport, dport;
	memcpy(&dst, b + 8 + 16, 4);
	memcpy(&sport, b + 8 + ohl, 2);
	memcpy(&dport, b + 8 + ohl + 2, 2);
	for (struct udp_pcb *u = udp_pcbs; u; u = u->next) {
		struct inet_sock *sk = u->recv_arg;
		if (u->recv != udp_recv_cb || !sk || u->local_port != lwip_ntohs(sport))
			continue;
		spin_lock(&sk->lock);
		bool hit = sk->state == INET_CONNECTED && sk->raddr == dst && sk->rport == dport;
		if (hit)
			sk->err = ECONNREFUSED;
		spin_unlock(&sk->lock);
		if (hit)
			inet_wake(sk);
	}
	return 0;
}

void inet_icmp_errors_init(void)
{
	LOCK_TCPIP_CORE();
	struct raw_pcb *pcb = raw_new_ip_type(IPADDR_TYPE_V4, IP_PROTO_ICMP);
	if (pcb)
		raw_recv(pcb, icmp_error_cb, NULL);
	UNLOCK_TCPIP_CORE();
}

static int alloc_ping_id(struct inet_sock *sk)
{
	static uint16_t next = 0x4000;
	if (!sk->ping_id) {
		if (++next == 0)
			next = 1;
		sk->ping_id = lwip_htons(next);
		spin_lock(&sk->lock);
		sk->lport = sk->ping_id;
		spin_unlock(&sk->lock);
	}
	return 0;
}

int inet_udp_init(struct inet_sock *sk)
{
	LOCK_TCPIP_CORE();
	struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_V4);
	if (pcb)
		udp_recv(pcb, udp_recv_cb, sk);
	sk->pcb.udp = pcb;
	inet_core_unlock();
	return pcb ? 0 : -ENOMEM;
}

int inet_icmp_init(struct inet_sock *sk)
{
	LOCK_TCPIP_CORE();
	struct raw_pcb *pcb = raw_new_ip_type(IPADDR_TYPE_V4, IP_PROTO_ICMP);
	if (pcb)
		raw_recv(pcb, raw_recv_cb, sk);
	sk->pcb.raw = pcb;
	inet_core_unlock();
	return pcb ? 0 : -ENOMEM;
}

/* ---- bind and connect ------------------------------------------------------ */

static int dgram_bind(struct socket *s, const void *addr, int len)
{
	struct inet_sock *sk = inet_sk(s);
	uint32_t ip = 0;
	uint16_t port = 0;
	int fam, err = inet_addr_parse(addr, len, &ip, &port, &fam);
	if (err)
		return err;
	if (len < (int)sizeof(struct linux_sockaddr_in))
		return -EINVAL;
	if (fam != LINUX_AF_INET && !(fam == LINUX_AF_UNSPEC && ip == LINUX_INADDR_ANY))
		return -EAFNOSUPPORT;
	LOCK_TCPIP_CORE();
	ip_addr_t a = IPADDR4_INIT(ip);
	if (!inet_addr_local(ip) && ip != LINUX_INADDR_BROADCAST)
		err = -EADDRNOTAVAIL;
	else if (!is_raw(sk) && port && lwip_ntohs(port) < 1024 && !inet_capable())
		err = -EACCES;
	else if (sk->bound)
		err = -EINVAL;
	else if (is_raw(sk)) {
		raw_bind(sk->pcb.raw, &a);
		if (sk->type == LINUX_SOCK_DGRAM) {
			if (port)
				sk->ping_id = port;
			alloc_ping_id(sk);
		}
	} else {
		spin_lock(&s->lock);
		bool reuse = s->reuseaddr;
		spin_unlock(&s->lock);
		if (reuse)
			ip_set_option(sk->pcb.udp, SOF_REUSEADDR);
		err = udp_bind(sk->pcb.udp, &a, lwip_ntohs(port)) == ERR_OK ? 0 : -EADDRINUSE;
	}
	if (!err) {
		spin_lock(&sk->lock);
		sk->bound = true;
		sk->laddr = ip;
		if (!is_raw(sk))
			sk->lport = lwip_htons(sk->pcb.udp->local_port);
		spin_unlock(&sk->lock);
	}
	inet_core_unlock();
	return err;
}

/* The source address Linux would choose for dst (core lock held): 0 if no route. */
static uint32_t source_for(uint32_t dst)
{
	ip4_addr_t d;
	ip4_addr_set_u32(&d, dst);
	struct netif *n = ip4_route(&d);
	return n ? ip4_addr_get_u32(netif_ip4_addr(n)) : 0;
}

/* Bind a UDP pcb to an ephemeral port if it has none (core lock held). */
static int autobind(struct inet_sock *sk)
{
	if (is_raw(sk)) {
		if (sk->type == LINUX_SOCK_DGRAM)
			alloc_ping_id(sk);
		return 0;
	}
	if (sk->pcb.udp->local_port)
		return 0;
	if (udp_bind(sk->pcb.udp, IP4_ADDR_ANY, 0) != ERR_OK)
		return -EAGAIN;
	spin_lock(&sk->lock);
	sk->lport = lwip_htons(sk->pcb.udp->local_port);
	spin_unlock(&sk->lock);
	return 0;
}

static int dgram_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct inet_sock *sk = inet_sk(s);
	uint32_t ip = 0;
	uint16_t port = 0;
	int fam, err = inet_addr_parse(addr, len, &ip, &port, &fam);
	if (err)
		return err;
	LOCK_TCPIP_CORE();
	if (fam == LINUX_AF_UNSPEC) {           /* dissolve the association */
		if (!is_raw(sk))
			udp_disconnect(sk->pcb.udp);
		spin_lock(&sk->lock);
		sk->state = INET_CLOSE;
		sk->raddr = 0;
		sk->rport = 0;
		if (!sk->bound)
			sk->laddr = 0;
		spin_unlock(&sk->lock);
		goto out;
	}
	if (len < (int)sizeof(struct linux_sockaddr_in)) {
		err = -EINVAL;
		goto out;
	}
	if (fam != LINUX_AF_INET) {
		err = -EAFNOSUPPORT;
		goto out;
	}
	if (ip == LINUX_INADDR_ANY)
		ip = lwip_htonl(0x7f000001);    /* Linux routes 0.0.0.0 to the loopback */
	uint32_t src = source_for(ip);
	if (!src && ip != LINUX_INADDR_BROADCAST) {
		err = -ENETUNREACH;
		goto out;
	}
	if ((err = autobind(sk)))
		goto out;
	ip_addr_t a = IPADDR4_INIT(ip);
	if (is_raw(sk))
		raw_connect(sk->pcb.raw, &a);
	else if (udp_connect(sk->pcb.udp, &a, lwip_ntohs(port)) != ERR_OK) {
		err = -EADDRINUSE;
		goto out;
	}
	spin_lock(&sk->lock);
	sk->state = INET_CONNECTED;
	sk->raddr = ip;
	sk->rport = is_raw(sk) ? 0 : port;
	if (!sk->bound || !sk->laddr)
		sk->laddr = src;
	spin_unlock(&sk->lock);
out:
	inet_core_unlock();
	return err;
}

/* ---- sending ------------------------------------------------------------------- */

/* A ping socket's request: the kernel's identifier and checksum. */
static int ping_fill(struct inet_sock *sk, struct pbuf *p)
{
	uint8_t *h = p->payload;
	if (p->len < 8 || h[0] != ICMP_ECHO || h[1] != 0)
		return -EINVAL;
	memcpy(h + 4, &sk->ping_id, 2);
	h[2] = h[3] = 0;
	uint16_t sum = inet_chksum(h, p->len);
	memcpy(h + 2, &sum, 2);
	return 0;
}

static long dgram_sendmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct inet_sock *sk = inet_sk(s);
	uint32_t ip = 0;
	uint16_t port = 0;
	int fam;
	long err;

	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen) {
		if ((err = inet_addr_parse(&m->name, m->namelen, &ip, &port, &fam)))
			return err;
		if (m->namelen < (int)sizeof(struct linux_sockaddr_in))
			return -EINVAL;
		if (fam != LINUX_AF_INET && fam != LINUX_AF_UNSPEC)
			return -EAFNOSUPPORT;
		if (ip == LINUX_INADDR_ANY)
			ip = lwip_htonl(0x7f000001);
	} else {
		spin_lock(&sk->lock);
		bool conn = sk->state == INET_CONNECTED;
		ip = sk->raddr;
		port = sk->rport;
		spin_unlock(&sk->lock);
		if (!conn)
			return -EDESTADDRREQ;
	}
	int pending = inet_take_error(sk);
	if (pending)
		return -pending;
	if (READ_ONCE(sk->shutdown) & INET_SEND_SHUTDOWN) {
		if (!(flags & LINUX_MSG_NOSIGNAL))
			signal_send_self(SIGPIPE);
		return -EPIPE;
	}
	if (m->len > (is_raw(sk) ? RAW_MAX_PAYLOAD : UDP_MAX_PAYLOAD))
		return -EMSGSIZE;
	if (!is_raw(sk) && !port)
		return -EINVAL;
	spin_lock(&s->lock);
	bool bcast_ok = s->broadcast;
	spin_unlock(&s->lock);
	if (ip == LINUX_INADDR_BROADCAST && !bcast_ok)
		return -EACCES;

	struct pbuf *p = pbuf_alloc(is_raw(sk) ? PBUF_IP : PBUF_TRANSPORT, (u16_t)m->len, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	if (kmsg_copy_from(m, 0, p->payload, m->len)) {
		err = -EFAULT;
		goto out_free;
	}
	if (sk->type == LINUX_SOCK_DGRAM && is_raw(sk) && (err = ping_fill(sk, p)))
		goto out_free;
	ip_addr_t a = IPADDR4_INIT(ip);
	LOCK_TCPIP_CORE();
	err = autobind(sk);
	if (!err && sk->type == LINUX_SOCK_DGRAM && is_raw(sk))
		ping_fill(sk, p);               /* the identifier may be new */
	if (!err) {
		err_t e = is_raw(sk) ? raw_sendto(sk->pcb.raw, p, &a)
				     : udp_sendto(sk->pcb.udp, p, &a, lwip_ntohs(port));
		err = e == ERR_MEM || e == ERR_BUF ? -ENOBUFS : inet_err_to_errno(e);
	}
	pbuf_free(p);
	inet_core_unlock();
	return err ? err : (long)m->len;
out_free:
	pbuf_free(p);
	return err;
}

/* ---- receiving ------------------------------------------------------------------ */

static bool dgram_ready(void *arg)
{
	struct inet_sock *sk = arg;
	spin_lock(&sk->lock);
	bool r = !list_empty(&sk->dq) || sk->err || (sk->shutdown & INET_RCV_SHUTDOWN);
	spin_unlock(&sk->lock);
	return r;
}

static long copy_pbuf(struct kmsg *m, struct pbuf *p, size_t len)
{
	size_t done = 0;
	for (; p && done < len; p = p->next) {
		size_t c = MIN((size_t)p->len, len - done);
		if (kmsg_copy_to(m, done, p->payload, c))
			return -EFAULT;
		done += c;
	}
	return (long)done;
}

static long dgram_recvmsg(struct socket *s, struct kmsg *m, int flags)
{
	struct inet_sock *sk = inet_sk(s);
	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	if (mutex_lock_interruptible(&sk->rlock))
		return -ERESTARTSYS;
	long err = sock_wait(&sk->wait, dgram_ready, sk, sock_deadline(s, flags, false));
	struct inet_dgram *d = NULL;
	if (!err) {
		spin_lock(&sk->lock);
		if (!list_empty(&sk->dq))
			d = list_first_entry(&sk->dq, struct inet_dgram, link);
		else if (sk->err) {
			err = -sk->err;
			sk->err = 0;
		}
		spin_unlock(&sk->lock);
	}
	if (d) {
		size_t n = MIN(d->len, m->len);
		err = copy_pbuf(m, d->p, n);
		if (err >= 0) {
			if (d->len > m->len)
				m->flags_out |= LINUX_MSG_TRUNC;
			if (flags & LINUX_MSG_TRUNC)
				err = (long)d->len;
			if (m->want_name) {
				struct linux_sockaddr_in *sin = (void *)&m->name;
				memset(sin, 0, sizeof(*sin));
				sin->sin_family = LINUX_AF_INET;
				sin->sin_addr = d->addr;
				sin->sin_port = d->port;
				m->namelen = sizeof(*sin);
			}
			if (!(flags & LINUX_MSG_PEEK)) {
				spin_lock(&sk->lock);
				list_del(&d->link);
				sk->dq_bytes -= d->len;
				spin_unlock(&sk->lock);
				LOCK_TCPIP_CORE();
				pbuf_free(d->p);
				inet_core_unlock();
				kfree(d);
			}
		}
	}
	mutex_unlock(&sk->rlock);
	return err;
}

/* ---- shutdown, readiness, release ------------------------------------------------- */

static int dgram_shutdown(struct socket *s, int how)
{
	struct inet_sock *sk = inet_sk(s);
	spin_lock(&sk->lock);
	int err = sk->state == INET_CONNECTED ? 0 : -ENOTCONN;
	if (!err)
		sk->shutdown |= (unsigned)how + 1;
	spin_unlock(&sk->lock);
	inet_wake(sk);
	return err;
}

/* As Linux's datagram_poll. */
static unsigned dgram_poll(struct socket *s, struct poll_table *pt)
{
	struct inet_sock *sk = inet_sk(s);
	unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;

	poll_wait(pt, s->file, &sk->wait);
	spin_lock(&sk->lock);
	if (sk->err)
		mask |= POLLERR;
	if (sk->shutdown & INET_RCV_SHUTDOWN)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (sk->shutdown == INET_SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (!list_empty(&sk->dq))
		mask |= POLLIN | POLLRDNORM;
	spin_unlock(&sk->lock);
	return mask;
}

static long dgram_ioctl(struct socket *s, unsigned cmd, unsigned long arg)
{
	struct inet_sock *sk = inet_sk(s);
	size_t n = 0;
	if (cmd == 0x5411)              /* SIOCOUTQ: sends leave at once */
		return put_user_u32(0, (void *)arg) ? -EFAULT : 0;
	if (cmd != 0x541B)              /* SIOCINQ: the next datagram's size */
		return -ENOTTY;
	spin_lock(&sk->lock);
	if (!list_empty(&sk->dq))
		n = list_first_entry(&sk->dq, struct inet_dgram, link)->len;
	spin_unlock(&sk->lock);
	return put_user_u32((uint32_t)n, (void *)arg) ? -EFAULT : 0;
}

static void dgram_release(struct socket *s)
{
	struct inet_sock *sk = inet_sk(s);
	if (!sk)
		return;
	LOCK_TCPIP_CORE();
	if (sk->pcb.any) {
		if (is_raw(sk))
			raw_remove(sk->pcb.raw);
		else
			udp_remove(sk->pcb.udp);
	}
	sk->pcb.any = NULL;
	spin_lock(&sk->lock);
	sk->sock = NULL;
	spin_unlock(&sk->lock);
	inet_free(sk);
	inet_core_unlock();
}

#define DGRAM_OPS                                       \
	.bind = dgram_bind,                             \
	.connect = dgram_connect,                       \
	.sendmsg = dgram_sendmsg,                       \
	.recvmsg = dgram_recvmsg,                       \
	.shutdown = dgram_shutdown,                     \
	.getname = inet_getname,                        \
	.poll = dgram_poll,                             \
	.getsockopt = inet_getsockopt,                  \
	.setsockopt_proto = inet_setsockopt,            \
	.getsockopt_proto = inet_getsockopt_proto,      \
	.ioctl = dgram_ioctl,                           \
	.release = dgram_release

static int dgram_no_listen(struct socket *s, int backlog)
{
	return -EOPNOTSUPP;
}

static int dgram_no_accept(struct socket *s, struct socket *ns, bool nonblock)
{
	return -EOPNOTSUPP;
}

const struct sock_ops inet_udp_ops = { DGRAM_OPS, .listen = dgram_no_listen, .accept = dgram_no_accept };
const struct sock_ops inet_raw_ops = { DGRAM_OPS, .listen = dgram_no_listen, .accept = dgram_no_accept };
const struct sock_ops inet_ping_ops = { DGRAM_OPS, .listen = dgram_no_listen, .accept = dgram_no_accept };
