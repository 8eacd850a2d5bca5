/*
 * The socket layer: a socket is an open file whose operations are its
 * address family's. Families (AF_UNIX here; AF_INET over lwIP later)
 * register a create function; the syscalls in net/sys_socket.c copy
 * addresses, iovecs and control messages in and out and call the
 * family's sock_ops with kernel copies (docs/networking.md).
 *
 * Lifetime: the file owns the socket (one each); the last file_put calls
 * sock_ops.release, which drops the family's state, then the socket is
 * freed. Families keep their own reference-counted objects for anything
 * that outlives the file (a peer still pointing at it, messages in flight).
 *
 * Locking: socket.lock protects the generic options below; families have
 * their own locks and never call back into the socket layer holding them
 * except for the sock_* helpers marked lock-free.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <kernel/file.h>
#include <uapi/linux/socket.h>

struct socket;
struct poll_table;
struct scm;

/* A message being sent or received: the user's buffers and the kernel's
 * copies of the address and control data. */
struct kmsg {
	struct iovec_k *iov;            /* user buffers, checked */
	unsigned iovcnt;
	size_t len;                     /* sum of iov lengths */
	/* send: the destination (namelen 0: none); recv: the source, set by
	 * the family (namelen 0: none or unnamed). */
	struct linux_sockaddr_storage name;
	int namelen;
	bool want_name;                 /* recv: the caller asked for it */
	struct scm *scm;                /* send: parsed control data, or NULL;
					 * recv: filled by the family */
	int flags_out;                  /* recv: MSG_TRUNC, MSG_CTRUNC... */
	bool has_creds;                 /* recv: show creds (SO_PASSCRED) */
	struct linux_ucred creds;
};

struct sock_ops {
	/* addr is a kernel copy of len bytes (len <= 128). */
	int (*bind)(struct socket *s, const void *addr, int len);
	int (*connect)(struct socket *s, const void *addr, int len, bool nonblock);
	int (*listen)(struct socket *s, int backlog);
	/* A new connected socket (its file is made by the caller). */
	int (*accept)(struct socket *s, struct socket *newsock, bool nonblock);
	/* Bytes sent or received, or -errno. */
	long (*sendmsg)(struct socket *s, struct kmsg *m, int flags);
	long (*recvmsg)(struct socket *s, struct kmsg *m, int flags);
	int (*shutdown)(struct socket *s, int how);
	/* Fill addr (128 bytes) with the local or peer name: its length or -errno. */
	int (*getname)(struct socket *s, void *addr, bool peer);
	unsigned (*poll)(struct socket *s, struct poll_table *pt);
	/* Optional SOL_SOCKET options the family answers (SO_PEERCRED...):
	 * bytes put in val (at most *len), or -ENOPROTOOPT to fall back. */
	int (*getsockopt)(struct socket *s, int name, void *val, int len);
	/* Optional: options at other levels (IPPROTO_IP, IPPROTO_TCP...).
	 * set gets the user's pointer; get fills val (at most len bytes) and
	 * returns the bytes put there. Without them: EOPNOTSUPP. */
	int (*setsockopt_proto)(struct socket *s, int level, int name, const void *uval, unsigned len);
	int (*getsockopt_proto)(struct socket *s, int level, int name, void *val, int len);
	/* Optional: a SOL_SOCKET option was set (the family may push it down). */
	void (*sockopt_changed)(struct socket *s, int name);
	/* Optional: FIONREAD and the like; -ENOTTY without. */
	long (*ioctl)(struct socket *s, unsigned cmd, unsigned long arg);
	void (*release)(struct socket *s);
};

struct net_family {
	int family;
	/* Set s->ops and s->priv for type (already checked < SOCK_MAX) and
	 * protocol, or -ESOCKTNOSUPPORT / -EPROTONOSUPPORT. */
	int (*create)(struct socket *s, int type, int protocol);
	/* Optional: connect two new sockets (NULL: EOPNOTSUPP). */
	int (*socketpair)(struct socket *a, struct socket *b);
	/* sendmsg parses SOL_SOCKET control messages (SCM_RIGHTS...) for it;
	 * otherwise control data is ignored. */
	bool uses_scm;
};

#define SOCK_TIMEO_NONE UINT64_MAX      /* wait forever */

struct socket {
	/* Immutable after creation (type may be rewritten by create). */
	const struct net_family *fam;
	const struct sock_ops *ops;
	int type, protocol;
	void *priv;                     /* the family's */
	struct file *file;              /* the file that owns it (no reference) */

	/* Generic options, under lock. */
	struct spinlock lock;
	int sndbuf, rcvbuf;
	uint64_t rcvtimeo_ns, sndtimeo_ns;      /* SOCK_TIMEO_NONE or ns (0: don't wait) */
	bool reuseaddr, keepalive, passcred, broadcast;
	struct linux_linger linger;
	int err;                        /* SO_ERROR: pending error, positive */
};

#define SOCK_DEFAULT_BUF 212992         /* net.core.[rw]mem_default */
#define SOCK_MAX_BUF     212992         /* net.core.[rw]mem_max */
#define SOCK_MIN_RCVBUF  2304
#define SOCK_MIN_SNDBUF  4608

/* net/socket.c */
int net_family_register(const struct net_family *fam);
/* The socket behind f, or NULL if f is not one. */
struct socket *sock_from_file(struct file *f);
/* A new socket and its file (one reference) of family/type/protocol. */
int sock_create(int family, int type, int protocol, struct file **out);
/* A bare socket of s's family, ops and type for accept (file made too). */
int sock_create_like(struct socket *s, struct file **out);
/* Is a non-blocking call wanted (O_NONBLOCK or MSG_DONTWAIT)? */
bool sock_nonblock(struct socket *s, int flags);
/* The deadline for a wait now: SO_RCVTIMEO or SO_SNDTIMEO; 0 means do not
 * wait (EAGAIN), UINT64_MAX forever. */
uint64_t sock_deadline(struct socket *s, int flags, bool send);
/* Sleep on wq until cond(arg) holds: 0; -EAGAIN at the deadline (or at
 * once for deadline 0); a signal: -ERESTARTSYS, or -EINTR when a timeout
 * was set (as Linux's sock_intr_errno). */
int sock_wait(struct wait_queue *wq, bool (*cond)(void *arg), void *arg, uint64_t deadline);
/* Take and clear SO_ERROR (0 if none). */
int sock_error(struct socket *s);
void sock_set_error(struct socket *s, int err);

/* net/sockopt.c: SOL_SOCKET options (user pointers). */
long sock_setsockopt(struct socket *s, int name, const void *uval, unsigned len);
long sock_getsockopt(struct socket *s, int name, void *uval, int *ulen);
/* Other levels: through sock_ops.getsockopt_proto. */
long sock_getsockopt_proto(struct socket *s, int level, int name, void *uval, int *ulen);

/* net/scm.c: control messages (SCM_RIGHTS, SCM_CREDENTIALS). */
struct scm {
	struct file *files[LINUX_SCM_MAX_FD];   /* references */
	int nfiles;
	bool has_creds;                 /* explicit SCM_CREDENTIALS on send */
	struct linux_ucred creds;
};
/* Parse the control buffer (a kernel copy): *out is NULL if it held
 * nothing to keep. -EINVAL, -EBADF, -EPERM as Linux's scm_send. */
int scm_parse(const void *ctl, size_t len, struct scm **out);
void scm_free(struct scm *scm);
/* The caller's credentials as SCM_CREDENTIALS shows them. */
struct linux_ucred scm_current_creds(void);
/* Put the received control data in the user's buffer: the bytes used;
 * sets MSG_CTRUNC in *flags if it did not fit (unplaced files are
 * dropped). creds: NULL for none. Consumes the files in scm. */
long scm_put(struct scm *scm, const struct linux_ucred *creds, void *uctl, size_t len,
	     int *flags, bool cloexec);
