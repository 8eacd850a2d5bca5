/*
 * AF_UNIX sockets (unix(7)): creation and release, names (path names are
 * S_IFSOCK inodes made through the VFS, abstract names live only in the
 * name table), connecting, listening and accepting, shutdown, readiness.
 * Sending and receiving are in msg.c; objects and lock order in af_unix.h.
 *
 * Limitation: a socket that is only reachable through a descriptor in
 * flight on its own queue (or a cycle of such sockets) is never freed;
 * Linux collects those with a garbage collector, we do not
 * (docs/networking.md).
 */
#include <kernel/errno.h>
#include <kernel/poll.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <net/unix/af_unix.h>

#define SUN_PATH_OFF 2                  /* offsetof(struct sockaddr_un, sun_path) */
#define SIOCINQ  0x541B                 /* FIONREAD */
#define SIOCOUTQ 0x5411                 /* TIOCOUTQ */

static struct spinlock unix_table_lock = SPINLOCK_INIT("unix_table");
static struct list_head unix_table = LIST_HEAD_INIT(unix_table);   /* bound, under the lock */
static unsigned autobind_next;                                     /* under the lock */

static const struct sock_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

/* ---- lifetime ----------------------------------------------------------- */

static struct unix_sock *unix_alloc(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));
	if (!u)
		return NULL;
	u->type = type;
	u->refcount = 1;
	spin_lock_init(&u->lock, "unix_sock");
	u->peercred = (struct linux_ucred){ 0, (uint32_t)-1, (uint32_t)-1 };
	list_init(&u->rcvq);
	list_init(&u->acceptq);
	list_init(&u->accept_link);
	list_init(&u->bind_link);
	mutex_init(&u->bindlock, "unix_bind");
	mutex_init(&u->iolock, "unix_io");
	wait_queue_init(&u->wait);
	wait_queue_init(&u->wspace);
	wait_queue_init(&u->peer_wait);
	return u;
}

void unix_get(struct unix_sock *u)
{
	__atomic_fetch_add(&u->refcount, 1, __ATOMIC_RELAXED);
}

void unix_put(struct unix_sock *u)
{
	if (__atomic_sub_fetch(&u->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(u);
}

bool unix_passcred(struct unix_sock *u)
{
	spin_lock(&u->lock);
	struct socket *s = u->sock;
	bool on = s && READ_ONCE(s->passcred);
	spin_unlock(&u->lock);
	return on;
}

/* Move every entry of from onto the empty list to. */
static void list_move_all(struct list_head *from, struct list_head *to)
{
	if (list_empty(from))
		return;
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	list_init(from);
}

/* What SO_PEERCRED shows of the caller: its pid, euid and egid. */
static struct linux_ucred peer_creds_now(void)
{
	struct proc *p = current_proc();
	return (struct linux_ucred){ p->pid, p->cred.euid, p->cred.egid };
}

static void purge(struct list_head *q)
{
	struct unix_skb *skb, *tmp;
	list_for_each_entry_safe(skb, tmp, q, link) {
		list_del(&skb->link);
		unix_skb_free(skb);
	}
}

/* Tell our stream/seqpacket peer we are gone: it reads end of file (after
 * ECONNRESET if we left data unread), its sends fail with EPIPE. */
static void hang_up_peer(struct unix_sock *u, struct unix_sock *peer, bool unread)
{
	spin_lock(&peer->lock);
	if (peer->peer == u) {
		peer->shutdown = UNIX_SHUTDOWN_MASK;
		if (unread)
			peer->err = ECONNRESET;
	}
	spin_unlock(&peer->lock);
	wait_queue_wake_all(&peer->wait);
	wait_queue_wake_all(&peer->wspace);
	wait_queue_wake_all(&peer->peer_wait);
}

/* embryo: a connection never accepted (its client sees ECONNRESET). */
static void unix_release_sock(struct unix_sock *u, bool embryo)
{
	struct list_head q, embryos;

	list_init(&q);
	list_init(&embryos);
	spin_lock(&u->lock);
	u->dead = true;
	u->sock = NULL;
	u->state = UNIX_CLOSE;
	u->shutdown = UNIX_SHUTDOWN_MASK;
	struct unix_sock *peer = u->peer;
	u->peer = NULL;
	bool unread = !list_empty(&u->rcvq) || embryo;
	list_move_all(&u->rcvq, &q);
	list_move_all(&u->acceptq, &embryos);
	u->rcvq_len = u->acceptq_len = 0;
	u->rcv_bytes = 0;
	spin_unlock(&u->lock);

	if (u->hashed) {
		spin_lock(&unix_table_lock);
		list_del(&u->bind_link);
		spin_unlock(&unix_table_lock);
	}
	if (u->path.dentry)
		path_put(&u->path);
	wait_queue_wake_all(&u->wait);
	wait_queue_wake_all(&u->wspace);
	wait_queue_wake_all(&u->peer_wait);
	if (peer) {
		if (u->type != LINUX_SOCK_DGRAM)
			hang_up_peer(u, peer, unread);
		unix_put(peer);
	}
	/* Outside every lock: the files carried may be sockets whose release
	 * comes back here. */
	purge(&q);
	struct unix_sock *e, *tmp;
	list_for_each_entry_safe(e, tmp, &embryos, accept_link) {
		list_del(&e->accept_link);
		unix_release_sock(e, true);
	}
	unix_put(u);
}

static void unix_release(struct socket *s)
{
	if (s->priv)                    /* NULL: an accept that failed */
		unix_release_sock(s->priv, false);
}

/* ---- names -------------------------------------------------------------- */

static bool unix_addr_ok(const struct linux_sockaddr_un *sun, int len)
{
	return len > SUN_PATH_OFF && len <= (int)sizeof(*sun) && sun->sun_family == LINUX_AF_UNIX;
}

/* A bound socket by abstract name (type: any if 0), or by inode;
 * unix_table_lock held. */
static struct unix_sock *table_find(const struct unix_addr *a, struct inode *inode, int type)
{
	struct unix_sock *u;
	list_for_each_entry(u, &unix_table, bind_link) {
		if (inode ? u->path.dentry && u->path.dentry->inode == inode
			  : !u->path.dentry && u->addr.len == a->len &&
			    !memcmp(&u->addr.sun, &a->sun, (size_t)a->len))
			if (!type || u->type == type || inode)
				return u;
	}
	return NULL;
}

/* Publish u's name (bindlock held). An abstract name must be free. */
static int unix_hash(struct unix_sock *u, const struct unix_addr *a, const struct path *p)
{
	spin_lock(&unix_table_lock);
	if (!p && table_find(a, NULL, 0)) {
		spin_unlock(&unix_table_lock);
		return -EADDRINUSE;
	}
	u->addr = *a;
	if (p)
		u->path = *p;
	u->hashed = true;
	list_add_tail(&u->bind_link, &unix_table);
	spin_unlock(&unix_table_lock);
	spin_lock(&u->lock);
	WRITE_ONCE(u->bound, true);
	spin_unlock(&u->lock);
	return 0;
}

/* An abstract name "\0xxxxx" (five hex digits) not in use. */
static int autobind_locked(struct unix_sock *u)
{
	static const char hex[] = "0123456789abcdef";
	struct unix_addr a = { .len = SUN_PATH_OFF + 6, .sun = { .sun_family = LINUX_AF_UNIX } };

	for (unsigned tries = 0; tries <= 0xfffff; tries++) {
		spin_lock(&unix_table_lock);
		unsigned n = autobind_next++ & 0xfffff;
		spin_unlock(&unix_table_lock);
		for (int i = 0; i < 5; i++)
			a.sun.sun_path[5 - i] = hex[(n >> (4 * i)) & 0xf];
		int err = unix_hash(u, &a, NULL);
		if (err != -EADDRINUSE)
			return err;
	}
	return -ENOSPC;
}

int unix_autobind(struct unix_sock *u)
{
	mutex_lock(&u->bindlock);
	int err = READ_ONCE(u->bound) ? 0 : autobind_locked(u);
	mutex_unlock(&u->bindlock);
	return err;
}

/* The path a name names (NUL-terminated within len, as Linux's
 * unix_mkname_bsd) and the length getsockname reports for it. */
static int path_of(const struct linux_sockaddr_un *sun, int len, char *path)
{
	size_t n = (size_t)len - SUN_PATH_OFF;
	memcpy(path, sun->sun_path, n);
	path[n] = 0;
	return SUN_PATH_OFF + (int)strlen(path) + 1;
}

static int bind_path(struct unix_sock *u, const struct linux_sockaddr_un *sun, int len)
{
	struct unix_addr a = { .sun = { .sun_family = LINUX_AF_UNIX } };
	char path[sizeof(sun->sun_path) + 1];
	struct path p;

	a.len = path_of(sun, len, path);
	memcpy(a.sun.sun_path, path, (size_t)a.len - SUN_PATH_OFF);
	int err = vfs_mknod_socket(path, 0777, &p);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	return unix_hash(u, &a, &p);
}

/* Binding a bound socket to a path: Linux makes the node before it looks,
 * so a taken path is EADDRINUSE (and a free one EINVAL, node removed). */
static int path_taken(const struct linux_sockaddr_un *sun, int len)
{
	char path[sizeof(sun->sun_path) + 1];
	struct path p;
	path_of(sun, len, path);
	if (path_lookupat(AT_FDCWD, path, 0, &p))
		return -EINVAL;
	path_put(&p);
	return -EADDRINUSE;
}

static int unix_bind(struct socket *s, const void *addr, int len)
{
	const struct linux_sockaddr_un *sun = addr;
	struct unix_sock *u = s->priv;

	if (len == SUN_PATH_OFF && sun->sun_family == LINUX_AF_UNIX)
		return unix_autobind(u) ;
	if (!unix_addr_ok(sun, len))
		return -EINVAL;
	mutex_lock(&u->bindlock);
	int err = -EINVAL;
	if (u->bound && sun->sun_path[0])
		err = path_taken(sun, len);
	else if (!u->bound) {
		if (sun->sun_path[0])
			err = bind_path(u, sun, len);
		else
			err = unix_hash(u, &(struct unix_addr){ .len = len, .sun = *sun }, NULL);
	}
	mutex_unlock(&u->bindlock);
	return err;
}

static int find_path(const struct linux_sockaddr_un *sun, int len, int type, struct unix_sock **out)
{
	char path[sizeof(sun->sun_path) + 1];
	struct path p;

	path_of(sun, len, path);
	int err = path_lookupat(AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct inode *inode = p.dentry->inode;
	err = inode_permission(inode, MAY_WRITE);
	if (!err && (inode->mode & S_IFMT) != S_IFSOCK)
		err = -ECONNREFUSED;
	if (!err) {
		spin_lock(&unix_table_lock);
		struct unix_sock *u = table_find(NULL, inode, 0);
		if (!u)
			err = -ECONNREFUSED;
		else if (u->type != type)
			err = -EPROTOTYPE;
		else
			unix_get(*out = u);
		spin_unlock(&unix_table_lock);
	}
	path_put(&p);
	return err;
}

int unix_find(const void *addr, int len, int type, struct unix_sock **out)
{
	const struct linux_sockaddr_un *sun = addr;
	if (!unix_addr_ok(sun, len))
		return -EINVAL;
	if (sun->sun_path[0])
		return find_path(sun, len, type, out);
	struct unix_addr a = { .len = len, .sun = *sun };
	spin_lock(&unix_table_lock);
	struct unix_sock *u = table_find(&a, NULL, type);
	if (u)
		unix_get(u);
	spin_unlock(&unix_table_lock);
	*out = u;
	return u ? 0 : -ECONNREFUSED;
}

/* The name of u into addr: its length (2, just the family, if unbound). */
static int put_name(struct unix_sock *u, void *addr)
{
	struct linux_sockaddr_un *sun = addr;
	if (!READ_ONCE(u->bound)) {
		sun->sun_family = LINUX_AF_UNIX;
		return SUN_PATH_OFF;
	}
	memcpy(sun, &u->addr.sun, (size_t)u->addr.len);
	return u->addr.len;
}

static int unix_getname(struct socket *s, void *addr, bool peer)
{
	struct unix_sock *u = s->priv;
	if (!peer)
		return put_name(u, addr);
	spin_lock(&u->lock);
	struct unix_sock *p = u->peer;
	if (p)
		unix_get(p);
	spin_unlock(&u->lock);
	if (!p)
		return -ENOTCONN;
	int len = put_name(p, addr);
	unix_put(p);
	return len;
}

/* ---- connections ---------------------------------------------------------- */

static void connect_pair(struct unix_sock *a, struct unix_sock *b)
{
	unix_get(b);
	a->peer = b;
	a->state = UNIX_CONNECTED;
}

static int unix_socketpair(struct socket *sa, struct socket *sb)
{
	struct unix_sock *a = sa->priv, *b = sb->priv;
	a->peercred = b->peercred = peer_creds_now();
	connect_pair(a, b);
	connect_pair(b, a);
	return 0;
}

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = s->priv;
	if (u->type == LINUX_SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!READ_ONCE(u->bound))
		return -EINVAL;
	spin_lock(&u->lock);
	int err = 0;
	if (u->state != UNIX_CLOSE && u->state != UNIX_LISTEN) {
		err = -EINVAL;
	} else {
		u->backlog = backlog;
		u->state = UNIX_LISTEN;
		u->peercred = peer_creds_now();
	}
	spin_unlock(&u->lock);
	wait_queue_wake_all(&u->peer_wait);     /* the backlog may have grown */
	return err;
}

static bool backlog_room(void *arg)
{
	struct unix_sock *l = arg;
	return READ_ONCE(l->acceptq_len) <= (unsigned)READ_ONCE(l->backlog) ||
	       READ_ONCE(l->state) != UNIX_LISTEN;
}

/* Put embryo e on listener l's accept queue: 0, -ECONNREFUSED when l is
 * not (or no longer) listening, -EAGAIN when its backlog is full. */
static int enqueue_embryo(struct unix_sock *l, struct unix_sock *e)
{
	int err = 0;
	spin_lock(&l->lock);
	if (l->state != UNIX_LISTEN || l->dead || (l->shutdown & UNIX_RCV_SHUTDOWN))
		err = -ECONNREFUSED;
	else if (l->acceptq_len > (unsigned)l->backlog)
		err = -EAGAIN;
	else {
		list_add_tail(&e->accept_link, &l->acceptq);
		l->acceptq_len++;
		e->peercred = peer_creds_now();
	}
	spin_unlock(&l->lock);
	if (!err)
		wait_queue_wake_all(&l->wait);
	return err;
}

/* The new server-side socket for a connection from c to l: connected to
 * c, showing l's name. */
static struct unix_sock *make_embryo(struct unix_sock *c, struct unix_sock *l)
{
	struct unix_sock *e = unix_alloc(c->type);
	if (!e)
		return NULL;
	e->bound = true;
	e->addr = l->addr;
	connect_pair(e, c);
	return e;
}

static int stream_connect_to(struct socket *s, struct unix_sock *l, uint64_t deadline)
{
	struct unix_sock *u = s->priv, *e = make_embryo(u, l);
	if (!e)
		return -ENOMEM;
	int err;
	while ((err = enqueue_embryo(l, e)) == -EAGAIN) {
		err = sock_wait(&l->peer_wait, backlog_room, l, deadline);
		if (err)
			break;
	}
	if (err) {
		unix_release_sock(e, false);    /* drops its reference on u */
		return err;
	}
	spin_lock(&l->lock);
	struct linux_ucred cred = l->peercred;
	spin_unlock(&l->lock);
	spin_lock(&u->lock);
	u->peer = e;                    /* the queue's reference is e's own; take ours */
	unix_get(e);
	u->state = UNIX_CONNECTED;
	u->peercred = cred;
	spin_unlock(&u->lock);
	wait_queue_wake_all(&u->wait);
	return 0;
}

static int unix_stream_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	struct unix_sock *u = s->priv, *l;
	if (len < SUN_PATH_OFF)
		return -EINVAL;
	if (!unix_addr_ok(addr, len))
		return -EINVAL;
	if (READ_ONCE(s->passcred) && !READ_ONCE(u->bound)) {
		int err = unix_autobind(u);
		if (err)
			return err;
	}
	int err = unix_find(addr, len, u->type, &l);
	if (err)
		return err;
	spin_lock(&u->lock);
	if (u->state == UNIX_CONNECTED)
		err = -EISCONN;
	else if (u->state != UNIX_CLOSE)
		err = -EINVAL;
	else
		u->state = UNIX_CONNECTING;
	spin_unlock(&u->lock);
	if (!err) {
		err = stream_connect_to(s, l, sock_deadline(s, nonblock ? LINUX_MSG_DONTWAIT : 0, true));
		if (err) {
			spin_lock(&u->lock);
			u->state = UNIX_CLOSE;
			spin_unlock(&u->lock);
		}
	}
	unix_put(l);
	return err;
}

/* connect(2) on a datagram socket: set (or with AF_UNSPEC clear) the
 * default destination; the target must not be connected elsewhere. */
static int unix_dgram_connect(struct socket *s, const void *addr, int len, bool nonblock)
{
	const struct linux_sockaddr_un *sun = addr;
	struct unix_sock *u = s->priv, *other = NULL;

	if (len < SUN_PATH_OFF)
		return -EINVAL;
	if (sun->sun_family != LINUX_AF_UNSPEC) {
		if (!unix_addr_ok(sun, len))
			return -EINVAL;
		if (READ_ONCE(s->passcred) && !READ_ONCE(u->bound)) {
			int err = unix_autobind(u);
			if (err)
				return err;
		}
		int err = unix_find(addr, len, u->type, &other);
		if (err)
			return err;
		spin_lock(&other->lock);
		bool may = !other->peer || other->peer == u;
		spin_unlock(&other->lock);
		if (!may) {
			unix_put(other);
			return -EPERM;
		}
	}
	spin_lock(&u->lock);
	struct unix_sock *old = u->peer;
	u->peer = other;
	u->state = other ? UNIX_CONNECTED : UNIX_CLOSE;
	spin_unlock(&u->lock);
	if (old) {
		wait_queue_wake_all(&old->peer_wait);
		unix_put(old);
	}
	return 0;
}

static bool accept_ready(void *arg)
{
	struct unix_sock *u = arg;
	return !list_empty(&u->acceptq) || READ_ONCE(u->state) != UNIX_LISTEN;
}

static int unix_accept(struct socket *s, struct socket *news, bool nonblock)
{
	struct unix_sock *u = s->priv;
	if (u->type == LINUX_SOCK_DGRAM)
		return -EOPNOTSUPP;
	uint64_t deadline = sock_deadline(s, nonblock ? LINUX_MSG_DONTWAIT : 0, false);
	for (;;) {
		spin_lock(&u->lock);
		if (u->state != UNIX_LISTEN) {
			spin_unlock(&u->lock);
			return -EINVAL;
		}
		if (!list_empty(&u->acceptq))
			break;
		spin_unlock(&u->lock);
		int err = sock_wait(&u->wait, accept_ready, u, deadline);
		if (err)
			return err;
	}
	struct unix_sock *e = list_first_entry(&u->acceptq, struct unix_sock, accept_link);
	list_del(&e->accept_link);
	u->acceptq_len--;
	spin_unlock(&u->lock);
	wait_queue_wake_all(&u->peer_wait);     /* room in the backlog */
	spin_lock(&e->lock);
	e->sock = news;
	spin_unlock(&e->lock);
	news->priv = e;
	return 0;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = s->priv;
	unsigned mode = (unsigned)how + 1;      /* SHUT_RD 1, SHUT_WR 2, SHUT_RDWR 3 */

	spin_lock(&u->lock);
	u->shutdown |= mode;
	struct unix_sock *peer = u->peer;
	if (peer)
		unix_get(peer);
	spin_unlock(&u->lock);
	wait_queue_wake_all(&u->wait);
	wait_queue_wake_all(&u->wspace);
	wait_queue_wake_all(&u->peer_wait);
	if (!peer)
		return 0;
	if (u->type != LINUX_SOCK_DGRAM) {
		/* Our reading end is the peer's sending end and vice versa. */
		unsigned theirs = (mode & UNIX_RCV_SHUTDOWN ? UNIX_SEND_SHUTDOWN : 0) |
				  (mode & UNIX_SEND_SHUTDOWN ? UNIX_RCV_SHUTDOWN : 0);
		spin_lock(&peer->lock);
		peer->shutdown |= theirs;
		spin_unlock(&peer->lock);
		wait_queue_wake_all(&peer->wait);
		wait_queue_wake_all(&peer->wspace);
	}
	unix_put(peer);
	return 0;
}

/* ---- readiness, options, ioctls ----------------------------------------- */

/* Room for our sends: Linux's unix_writable (a quarter of the buffer). */
static bool writable(struct unix_sock *u, struct socket *s)
{
	return u->state != UNIX_LISTEN && READ_ONCE(u->wmem) * 4 <= (size_t)READ_ONCE(s->sndbuf);
}

static unsigned read_events(struct unix_sock *u)
{
	unsigned mask = 0;
	if (u->err)
		mask |= POLLERR;
	if (u->shutdown & UNIX_RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->shutdown == UNIX_SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (!list_empty(&u->rcvq) || !list_empty(&u->acceptq))
		mask |= POLLIN | POLLRDNORM;
	if (u->type != LINUX_SOCK_DGRAM && u->state == UNIX_CLOSE)
		mask |= POLLHUP;
	return mask;
}

static unsigned unix_poll(struct socket *s, struct poll_table *pt)
{
	struct unix_sock *u = s->priv;
	poll_wait(pt, s->file, &u->wait);
	poll_wait(pt, s->file, &u->wspace);
	spin_lock(&u->lock);
	unsigned mask = read_events(u);
	bool w = writable(u, s) && !(u->type == LINUX_SOCK_SEQPACKET && u->state == UNIX_CONNECTING);
	struct unix_sock *peer = u->peer;
	if (w && u->type == LINUX_SOCK_DGRAM && peer) {
		/* A peer's full queue stops us unless it is connected back. */
		w = READ_ONCE(peer->peer) == u || READ_ONCE(peer->rcvq_len) <= UNIX_MAX_DGRAM_QLEN;
	}
	spin_unlock(&u->lock);
	if (w)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static int unix_getsockopt(struct socket *s, int name, void *val, int len)
{
	struct unix_sock *u = s->priv;
	int *iv = val;

	spin_lock(&u->lock);
	int n = sizeof(int);
	switch (name) {
	case LINUX_SO_PEERCRED:
		memcpy(val, &u->peercred, sizeof(u->peercred));
		n = sizeof(u->peercred);
		break;
	case LINUX_SO_ACCEPTCONN:
		*iv = u->state == UNIX_LISTEN;
		break;
	case LINUX_SO_ERROR:
		*iv = u->err;
		u->err = 0;
		break;
	default:
		n = -ENOPROTOOPT;
	}
	spin_unlock(&u->lock);
	return n;
}

static long unix_ioctl(struct socket *s, unsigned cmd, unsigned long arg)
{
	struct unix_sock *u = s->priv;
	long n;

	if (cmd != SIOCINQ && cmd != SIOCOUTQ)
		return -ENOTTY;
	spin_lock(&u->lock);
	if (u->state == UNIX_LISTEN)
		n = -EINVAL;
	else if (cmd == SIOCOUTQ)
		n = (long)u->wmem;
	else if (u->type == LINUX_SOCK_DGRAM)
		n = list_empty(&u->rcvq) ? 0 :
		    (long)list_first_entry(&u->rcvq, struct unix_skb, link)->len;
	else
		n = (long)u->rcv_bytes;
	spin_unlock(&u->lock);
	if (n < 0)
		return n;
	return put_user_u32((uint32_t)n, (void *)arg) ? -EFAULT : 0;
}

/* ---- the family ---------------------------------------------------------- */

#define UNIX_COMMON_OPS                         \
	.bind = unix_bind,                      \
	.getname = unix_getname,                \
	.shutdown = unix_shutdown,              \
	.poll = unix_poll,                      \
	.getsockopt = unix_getsockopt,          \
	.ioctl = unix_ioctl,                    \
	.release = unix_release

static const struct sock_ops unix_stream_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg,
};

static const struct sock_ops unix_seqpacket_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_stream_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_seqpacket_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
};

static const struct sock_ops unix_dgram_ops = {
	UNIX_COMMON_OPS,
	.connect = unix_dgram_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg,
};

static int unix_create(struct socket *s, int type, int protocol)
{
	if (protocol && protocol != LINUX_AF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case LINUX_SOCK_STREAM:    s->ops = &unix_stream_ops; break;
	case LINUX_SOCK_SEQPACKET: s->ops = &unix_seqpacket_ops; break;
	case LINUX_SOCK_RAW:       type = LINUX_SOCK_DGRAM;   /* as Linux */
		/* fall through */
	case LINUX_SOCK_DGRAM:     s->ops = &unix_dgram_ops; break;
	default:                   return -ESOCKTNOSUPPORT;
	}
	struct unix_sock *u = unix_alloc(type);
	if (!u)
		return -ENOMEM;
	s->type = type;
	u->sock = s;
	s->priv = u;
	return 0;
}

const struct net_family unix_family = {
	.family = LINUX_AF_UNIX,
	.create = unix_create,
	.socketpair = unix_socketpair,
	.uses_scm = true,
};
