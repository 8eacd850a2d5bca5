/*
 * AF_INET sockets over lwIP's raw (callback) API: the inet_sock behind
 * each socket and what tcp.c and dgram.c share (docs/networking.md,
 * "AF_INET").
 *
 * Threading: every call into lwIP (tcp_*, udp_*, raw_*, pbuf chains
 * that lwIP still owns) holds the lwIP core lock (LOCK_TCPIP_CORE, a
 * sleeping mutex). lwIP's callbacks (recv, sent, err, accept,
 * connected) run with that lock held, in the tcpip task (frames from
 * NICs and the loopback netif) or in a socket call that took it.
 * Callbacks never sleep: they queue data and flip state under
 * inet_sock.lock and wake the wait queues.
 *
 * Locks, in order:
 *   inet_sock.rlock, inet_sock.wlock (mutexes: one reader, one writer)
 *   -> lwIP core lock -> inet_sock.lock (spinlock) -> wait queue locks.
 * poll takes only inet_sock.lock. A reader copies out of the receive
 * queue with no lock held: only a reader (holding rlock) removes from it,
 * callbacks only append.
 *
 * Lifetime: the socket owns its inet_sock. lwIP's pcb points back at it
 * (callback_arg) until release, which, under the core lock, detaches the
 * pcb (arg and callbacks NULL) and closes or aborts it; after that no
 * callback can see the inet_sock, which is freed. An accepted connection
 * not yet taken by accept(2) has an inet_sock with sock == NULL on its
 * listener's queue.
 */
#pragma once

#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <net/socket.h>
#include <uapi/linux/in.h>
#include <lwip/ip_addr.h>

struct pbuf;
struct tcp_pcb;
struct udp_pcb;
struct raw_pcb;

enum inet_state {
	INET_CLOSE,                     /* new, refused, reset or unconnected dgram */
	INET_LISTEN,
	INET_SYN_SENT,
	INET_CONNECTED,                 /* TCP: established or closing; dgram: has a peer */
};

#define INET_RCV_SHUTDOWN  1
#define INET_SEND_SHUTDOWN 2
#define INET_SHUTDOWN_MASK 3

/* A datagram waiting to be read (UDP, ICMP). */
struct inet_dgram {
	struct list_head link;
	struct pbuf *p;                 /* the payload (raw: from the IP header) */
	uint32_t addr;                  /* source, network order */
	uint16_t port;                  /* source, network order (0 for ICMP) */
	size_t len;
};

/* TCP bytes handed to tcp_write without a copy: lwIP's segments point
 * into them until the peer acknowledges them (core lock). */
struct inet_txbuf {
	struct inet_txbuf *next;
	size_t len;
	char data[];
};

struct inet_txq {
	struct inet_txbuf *head, *tail;
	size_t acked;                   /* bytes of head acknowledged */
};

struct inet_sock {
	/* Immutable after creation. */
	int type, protocol;

	struct mutex rlock, wlock;
	struct wait_queue wait;         /* readers, accept, connect done, errors */
	struct wait_queue wspace;       /* writers: room to send */

	/* Under the core lock; also under lock where poll reads it. */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
		struct raw_pcb *raw;
		void *any;
	} pcb;                          /* NULL once lwIP freed it */
	int ttl;                        /* IP_TTL (kept for a pcb made later) */
	struct inet_txq tx;             /* TCP: sent, not yet acknowledged */
	size_t sndbuf_limit;            /* TCP: SO_SNDBUF, at most TCP_SND_BUF */
	bool nodelay;                   /* TCP_NODELAY */
	bool conn_unreported;           /* connect returned EINPROGRESS/EINTR: the
					 * next connect reports the outcome */

	/* Under lock. */
	struct spinlock lock;
	struct socket *sock;            /* NULL: an embryo, or released */
	enum inet_state state;
	unsigned shutdown;              /* INET_*_SHUTDOWN */
	int err;                        /* SO_ERROR, positive */
	bool bound;
	uint32_t laddr, raddr;          /* network order */
	uint16_t lport, rport;          /* network order */
	/* TCP receive queue: single pbufs linked by ->next, bytes not read */
	struct pbuf *rq_head, *rq_tail;
	size_t rq_off;                  /* consumed bytes of rq_head */
	size_t rq_bytes;
	size_t snd_avail;               /* tcp_sndbuf() at the last look */
	bool snd_blocked;               /* tcp_write said ERR_MEM: wait for an ack */
	int backlog;
	struct list_head acceptq;       /* embryos, through accept_link */
	unsigned acceptq_len;
	struct list_head accept_link;
	/* datagram receive queue */
	struct list_head dq;            /* struct inet_dgram */
	size_t dq_bytes;
	uint16_t ping_id;               /* ICMP dgram: our echo identifier */
};

static inline struct inet_sock *inet_sk(struct socket *s)
{
	return s->priv;
}

/* af_inet.c */
struct inet_sock *inet_alloc(int type, int protocol);
void inet_free(struct inet_sock *sk);
/* A sockaddr_in from the user (kernel copy of len bytes): 0 or -errno.
 * unspec_ok: AF_UNSPEC is accepted (as *family). */
int inet_addr_parse(const void *addr, int len, uint32_t *ip, uint16_t *port, int *family);
/* Is ip (network order) ours (a netif's, loopback, any)? Core lock held. */
bool inet_addr_local(uint32_t ip);
int inet_getname(struct socket *s, void *addr, bool peer);
int inet_err_to_errno(int lwip_err);
void inet_wake(struct inet_sock *sk);
/* UNLOCK_TCPIP_CORE after delivering the loopback packets queued meanwhile. */
void inet_core_unlock(void);
/* Options at IPPROTO_IP (and IPPROTO_TCP for TCP) shared by all types. */
int inet_setsockopt(struct socket *s, int level, int name, const void *uval, unsigned len);
int inet_getsockopt_proto(struct socket *s, int level, int name, void *val, int len);
int inet_getsockopt(struct socket *s, int name, void *val, int len);
/* Take SO_ERROR (0 if none); lock not held. */
int inet_take_error(struct inet_sock *sk);
/* May the caller bind to a port below 1024 / open raw sockets? */
bool inet_capable(void);

/* tcp.c, dgram.c */
extern const struct sock_ops inet_tcp_ops, inet_udp_ops, inet_raw_ops, inet_ping_ops;
int inet_tcp_init(struct inet_sock *sk);
/* tcp.c: room to queue more bytes (core lock held). */
size_t inet_tcp_snd_room(struct inet_sock *sk, struct tcp_pcb *pcb);
/* tcp_io.c */
long inet_tcp_sendmsg(struct socket *s, struct kmsg *m, int flags);
long inet_tcp_recvmsg(struct socket *s, struct kmsg *m, int flags);
long inet_tcp_ioctl(struct socket *s, unsigned cmd, unsigned long arg);
int inet_udp_init(struct inet_sock *sk);
int inet_icmp_init(struct inet_sock *sk);
/* ICMP port unreachable -> ECONNREFUSED on connected UDP sockets. */
void inet_icmp_errors_init(void);
/* n bytes at byte off of m's user buffers: 0 or -EFAULT. */
int kmsg_copy_to(struct kmsg *m, size_t off, const void *src, size_t n);
int kmsg_copy_from(struct kmsg *m, size_t off, void *dst, size_t n);
