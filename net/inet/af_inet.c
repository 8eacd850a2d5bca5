/*
 * AF_INET (ip(7)): the family's create, the inet_sock shared by TCP, UDP
 * and ICMP sockets, addresses, and the options every type answers
 * (IP_TTL, SO_ERROR). Protocols are in tcp.c and dgram.c; threading and
 * lock order in inet.h.
 */
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <net/inet/inet.h>
#include <net/net.h>
#include <lwip/err.h>
#include <lwip/ip.h>
#include <lwip/netif.h>
#include <lwip/tcp.h>
#include <lwip/tcpip.h>
#include <lwip/udp.h>
#include <lwip/raw.h>

struct inet_sock *inet_alloc(int type, int protocol)
{
	struct inet_sock *sk = kzalloc(sizeof(*sk));
	if (!sk)
		return NULL;
	sk->type = type;
	sk->protocol = protocol;
	mutex_init(&sk->rlock, "inet_rlock");
	mutex_init(&sk->wlock, "inet_wlock");
	wait_queue_init(&sk->wait);
	wait_queue_init(&sk->wspace);
	spin_lock_init(&sk->lock, "inet_sock");
	sk->ttl = IP_DEFAULT_TTL;
	list_init(&sk->acceptq);
	list_init(&sk->accept_link);
	list_init(&sk->dq);
	return sk;
}

/* The pcb is gone or detached; the queues are the caller's (no lock). */
void inet_free(struct inet_sock *sk)
{
	struct pbuf *p = sk->rq_head;
	while (p) {
		struct pbuf *next = p->next;
		p->next = NULL;
		pbuf_free(p);
		p = next;
	}
	while (!list_empty(&sk->dq)) {
		struct inet_dgram *d = list_first_entry(&sk->dq, struct inet_dgram, link);
		list_del(&d->link);
		pbuf_free(d->p);
		kfree(d);
	}
	kfree(sk);
}

/*
 * Drop the core lock after delivering what this call looped back. A
 * segment to 127.0.0.1 (or to one of our own NIC addresses) waits on its
 * netif's loop queue for the tcpip task's netif_poll; running netif_poll
 * here, with the core lock that lwIP's input needs anyway, hands it to the
 * receiving socket at once, from the sender's context, as Linux's
 * loopback does, instead of after a switch to the tcpip task and back.
 * The poll the tcpip task was sent then finds the queue empty.
 */
void inet_core_unlock(void)
{
	struct netif *netif;

	NETIF_FOREACH(netif)
		if (netif->loop_first)
			netif_poll(netif);
	UNLOCK_TCPIP_CORE();
}

void inet_wake(struct inet_sock *sk)
{
	wait_queue_wake_all(&sk->wait);
	wait_queue_wake_all(&sk->wspace);
}

int inet_addr_parse(const void *addr, int len, uint32_t *ip, uint16_t *port, int *family)
{
	const struct linux_sockaddr_in *sin = addr;
	if (len < (int)sizeof(uint16_t))
		return -EINVAL;
	*family = sin->sin_family;
	if (sin->sin_family == LINUX_AF_UNSPEC && len < (int)sizeof(*sin))
		return 0;
	if (len < (int)sizeof(*sin))
		return -EINVAL;
	*ip = sin->sin_addr;
	*port = sin->sin_port;
	return 0;
}

bool inet_addr_local(uint32_t ip)
{
	struct netif *netif;

	LWIP_ASSERT_CORE_LOCKED();
	if (ip == LINUX_INADDR_ANY || (ntohl(ip) >> 24) == 127)
		return true;
	NETIF_FOREACH(netif)
		if (ip4_addr_get_u32(netif_ip4_addr(netif)) == ip)
			return true;
	return false;
}

int inet_getname(struct socket *s, void *addr, bool peer)
{
	struct inet_sock *sk = inet_sk(s);
	struct linux_sockaddr_in *sin = addr;
	int r = sizeof(*sin);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = LINUX_AF_INET;
	spin_lock(&sk->lock);
	if (peer) {
		if (sk->state != INET_CONNECTED)
			r = -ENOTCONN;
		sin->sin_addr = sk->raddr;
		sin->sin_port = sk->rport;
	} else {
		sin->sin_addr = sk->laddr;
		sin->sin_port = sk->lport;
	}
	spin_unlock(&sk->lock);
	return r;
}

int inet_err_to_errno(int e)
{
	switch (e) {
	case ERR_OK:         return 0;
	case ERR_MEM:        return -ENOMEM;
	case ERR_BUF:        return -ENOBUFS;
	case ERR_TIMEOUT:    return -ETIMEDOUT;
	case ERR_RTE:        return -ENETUNREACH;
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_VAL:        return -EINVAL;
	case ERR_WOULDBLOCK: return -EAGAIN;
	case ERR_USE:        return -EADDRINUSE;
	case ERR_ALREADY:    return -EALREADY;
	case ERR_ISCONN:     return -EISCONN;
	case ERR_CONN:       return -ENOTCONN;
	case ERR_IF:         return -ENETDOWN;
	case ERR_ABRT:       return -ECONNABORTED;
	case ERR_RST:        return -ECONNRESET;
	case ERR_CLSD:       return -ENOTCONN;
	case ERR_ARG:        return -EINVAL;
	default:             return -EIO;
	}
}

int inet_take_error(struct inet_sock *sk)
{
	spin_lock(&sk->lock);
	int e = sk->err;
	sk->err = 0;
	spin_unlock(&sk->lock);
	return e;
}

bool inet_capable(void)
{
	return current_proc()->cred.euid == 0;
}

/* ---- options ------------------------------------------------------------ */

/* Set the pcb's TTL whatever its protocol (core lock held). */
static void pcb_set_ttl(struct inet_sock *sk, int ttl)
{
	if (!sk->pcb.any)
		return;
	if (sk->type == LINUX_SOCK_STREAM)
		sk->pcb.tcp->ttl = (u8_t)ttl;
	else if (sk->protocol == LINUX_IPPROTO_ICMP)
		sk->pcb.raw->ttl = (u8_t)ttl;
	else
		sk->pcb.udp->ttl = (u8_t)ttl;
}

static int get_int(const void *uval, unsigned len, int *v)
{
	if (len < sizeof(int)) {
		/* Linux accepts a single byte for the IP level's int options. */
		if (len == 1) {
			uint8_t b;
			if (copy_from_user(&b, uval, 1))
				return -EFAULT;
			*v = b;
			return 0;
		}
		return -EINVAL;
	}
	return copy_from_user(v, uval, sizeof(int)) ? -EFAULT : 0;
}

int inet_setsockopt(struct socket *s, int level, int name, const void *uval, unsigned len)
{
	struct inet_sock *sk = inet_sk(s);
	int v, err;

	if (level == LINUX_SOL_IP && name == LINUX_IP_TTL) {
		if ((err = get_int(uval, len, &v)))
			return err;
		if (v == -1)
			v = IP_DEFAULT_TTL;
		if (v < 1 || v > 255)
			return -EINVAL;
		LOCK_TCPIP_CORE();
		sk->ttl = v;
		pcb_set_ttl(sk, v);
		UNLOCK_TCPIP_CORE();
		return 0;
	}
	if (level == LINUX_SOL_TCP && sk->type == LINUX_SOCK_STREAM) {
		if (name != LINUX_TCP_NODELAY)
			return -ENOPROTOOPT;
		if (len < sizeof(int))
			return -EINVAL;
		if (copy_from_user(&v, uval, sizeof(int)))
			return -EFAULT;
		LOCK_TCPIP_CORE();
		sk->nodelay = v != 0;
		if (sk->pcb.tcp && sk->state != INET_LISTEN) {
			if (v)
				tcp_nagle_disable(sk->pcb.tcp);
			else
				tcp_nagle_enable(sk->pcb.tcp);
		}
		UNLOCK_TCPIP_CORE();
		return 0;
	}
	if (level == LINUX_SOL_IP || level == LINUX_SOL_TCP)
		return -ENOPROTOOPT;
	return -EOPNOTSUPP;
}

int inet_getsockopt_proto(struct socket *s, int level, int name, void *val, int len)
{
	struct inet_sock *sk = inet_sk(s);
	int *iv = val;

	if (level == LINUX_SOL_IP && name == LINUX_IP_TTL) {
		*iv = READ_ONCE(sk->ttl);
		return sizeof(int);
	}
	if (level == LINUX_SOL_TCP && sk->type == LINUX_SOCK_STREAM && name == LINUX_TCP_NODELAY) {
		*iv = READ_ONCE(sk->nodelay);
		return sizeof(int);
	}
	if (level == LINUX_SOL_IP || level == LINUX_SOL_TCP)
		return -ENOPROTOOPT;
	return -EOPNOTSUPP;
}

int inet_getsockopt(struct socket *s, int name, void *val, int len)
{
	struct inet_sock *sk = inet_sk(s);
	int *iv = val;

	switch (name) {
	case LINUX_SO_ERROR:
		*iv = inet_take_error(sk);
		if (!*iv)
			*iv = sock_error(s);
		return sizeof(int);
	case LINUX_SO_ACCEPTCONN:
		*iv = READ_ONCE(sk->state) == INET_LISTEN;
		return sizeof(int);
	}
	return -ENOPROTOOPT;
}

/* ---- the family ------------------------------------------------------------ */

static int inet_create(struct socket *s, int type, int protocol)
{
	const struct sock_ops *ops;
	int (*init)(struct inet_sock *sk);

	switch (type) {
	case LINUX_SOCK_STREAM:
		if (protocol && protocol != LINUX_IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		protocol = LINUX_IPPROTO_TCP;
		ops = &inet_tcp_ops;
		init = inet_tcp_init;
		break;
	case LINUX_SOCK_DGRAM:
		if (protocol == LINUX_IPPROTO_ICMP) {
			ops = &inet_ping_ops;
			init = inet_icmp_init;
			break;
		}
		if (protocol && protocol != LINUX_IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		protocol = LINUX_IPPROTO_UDP;
		ops = &inet_udp_ops;
		init = inet_udp_init;
		break;
	case LINUX_SOCK_RAW:
		if (!inet_capable())
			return -EPERM;
		if (protocol != LINUX_IPPROTO_ICMP)
			return -EPROTONOSUPPORT;
		ops = &inet_raw_ops;
		init = inet_icmp_init;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	struct inet_sock *sk = inet_alloc(type, protocol);
	if (!sk)
		return -ENOMEM;
	sk->sock = s;
	int err = init(sk);
	if (err) {
		kfree(sk);
		return err;
	}
	s->protocol = protocol;
	s->ops = ops;
	s->priv = sk;
	return 0;
}

static const struct net_family inet_family = {
	.family = LINUX_AF_INET,
	.create = inet_create,
};

void inet_init(void)
{
	inet_icmp_errors_init();
	if (net_family_register(&inet_family))
		pr_err("inet: cannot register AF_INET\n");
}

/* ---- copying between a message's user buffers and the kernel ------------- */

/* n bytes at byte off of m's buffers from or to k: 0 or -EFAULT. */
static int kmsg_copy(struct kmsg *m, size_t off, void *k, size_t n, bool to_user)
{
	char *kp = k;
	for (unsigned i = 0; i < m->iovcnt && n; i++) {
		size_t l = m->iov[i].len;
		if (off >= l) {
			off -= l;
			continue;
		}
		size_t c = MIN(l - off, n);
		void *u = (char *)(uintptr_t)m->iov[i].base + off;
		if (to_user ? copy_to_user(u, kp, c) : copy_from_user(kp, u, c))
			return -EFAULT;
		kp += c;
		n -= c;
		off = 0;
	}
	return 0;
}

int kmsg_copy_to(struct kmsg *m, size_t off, const void *src, size_t n)
{
	return kmsg_copy(m, off, (void *)src, n, true);
}

int kmsg_copy_from(struct kmsg *m, size_t off, void *dst, size_t n)
{
	return kmsg_copy(m, off, dst, n, false);
}
