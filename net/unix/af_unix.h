/*
 * AF_UNIX internals (unix(7)): the unix_sock behind each socket, the
 * messages (unix_skb) queued on it, and the name table.
 *
 * Objects and references:
 *  - unix_sock: reference counted. Its socket holds one (dropped at
 *    release), its peer pointer holds one on the peer, every queued
 *    unix_skb holds one on its sender (so a receiver can read the
 *    sender's name and uncharge the sender's send buffer), a listener's
 *    accept queue one on each embryo. The last unix_put frees it.
 *  - unix_skb: owned by the queue it is on; freeing it uncharges the
 *    sender's wmem, wakes the sender, and drops the files it carries.
 *
 * Locks (docs/networking.md):
 *  - unix_table_lock (leaf): the list of bound sockets.
 *  - unix_sock.iolock (mutex): one reader at a time, so a reader may copy
 *    out of the head message with the spinlock dropped (only readers
 *    remove messages; release runs when no reader can be inside).
 *  - unix_sock.bindlock (mutex): one bind at a time (bind may sleep in the
 *    VFS).
 *  - unix_sock.lock (spinlock): state, peer, queues, counters. Never two
 *    unix_sock locks at once; iolock -> lock; lock -> wait queue locks.
 */
#pragma once

#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <fs/vfs.h>
#include <net/socket.h>

#define UNIX_RCV_SHUTDOWN  1
#define UNIX_SEND_SHUTDOWN 2
#define UNIX_SHUTDOWN_MASK 3
#define UNIX_MAX_DGRAM_QLEN 10          /* net.unix.max_dgram_qlen */

enum unix_state {
	UNIX_CLOSE,                     /* unconnected (or a dgram socket) */
	UNIX_LISTEN,
	UNIX_CONNECTING,                /* a stream connect in progress */
	UNIX_CONNECTED,
};

struct unix_addr {
	int len;                        /* bytes of sun that are the name */
	struct linux_sockaddr_un sun;
};

struct unix_sock {
	/* Immutable after creation. */
	int type;
	int refcount;                   /* atomic */

	/* Under lock. */
	struct spinlock lock;
	struct socket *sock;            /* NULL for an embryo not accepted yet,
					 * and after release */
	enum unix_state state;
	bool dead;                      /* released */
	unsigned shutdown;              /* UNIX_*_SHUTDOWN */
	int err;                        /* SO_ERROR (ECONNRESET), positive */
	struct unix_sock *peer;         /* referenced */
	struct linux_ucred peercred;    /* SO_PEERCRED */
	struct list_head rcvq;          /* struct unix_skb */
	unsigned rcvq_len;
	size_t rcv_bytes;
	int backlog;                    /* listen(2) */
	struct list_head acceptq;       /* embryos, through accept_link */
	unsigned acceptq_len;
	struct list_head accept_link;
	size_t wmem;                    /* bytes of our messages on receivers' queues */

	/* The name: set once under bindlock (and lock), then immutable, so
	 * readers that saw bound (READ_ONCE) read addr without locks. */
	struct mutex bindlock;
	bool bound;
	struct unix_addr addr;
	struct path path;               /* path names: the socket inode */
	bool hashed;                    /* on the name table (bind_link) */
	struct list_head bind_link;     /* under unix_table_lock */

	struct mutex iolock;
	struct wait_queue wait;         /* readers: data, connections, state changes */
	struct wait_queue wspace;       /* writers: room for our sends, state changes */
	struct wait_queue peer_wait;    /* senders waiting for our queue to drain */
};

struct unix_skb {
	struct list_head link;
	struct unix_sock *sender;       /* referenced; wmem charged len */
	struct linux_ucred creds;       /* explicit SCM_CREDENTIALS or the sender's */
	struct scm *scm;                /* files carried, or NULL */
	size_t len, off;                /* off: bytes already read (streams) */
	uint8_t data[];
};

/* af_unix.c */
void unix_get(struct unix_sock *u);
void unix_put(struct unix_sock *u);
/* The socket to send to for addr (a kernel copy), referenced. */
int unix_find(const void *addr, int len, int type, struct unix_sock **out);
int unix_autobind(struct unix_sock *u);
bool unix_passcred(struct unix_sock *u);

/* msg.c */
long unix_stream_sendmsg(struct socket *s, struct kmsg *m, int flags);
long unix_stream_recvmsg(struct socket *s, struct kmsg *m, int flags);
long unix_dgram_sendmsg(struct socket *s, struct kmsg *m, int flags);
long unix_seqpacket_sendmsg(struct socket *s, struct kmsg *m, int flags);
long unix_dgram_recvmsg(struct socket *s, struct kmsg *m, int flags);
/* Free a message no longer queued: uncharge and wake its sender. */
void unix_skb_free(struct unix_skb *skb);
