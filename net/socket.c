/*
 * Sockets as files: the family registry, the file operations every socket
 * shares (read/write/poll/ioctl/release go to the family's sock_ops), and
 * the waiting helper families block with (timeouts, signals).
 *
 * Lock order: family_lock is a leaf (taken alone). socket.lock is a leaf
 * too: families take it only through the helpers here, never while
 * holding it.
 */
#include <kernel/errno.h>
#include <kernel/poll.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/slab.h>
#include <net/net.h>
#include <net/socket.h>

#define O_RDWR     02
#define O_NONBLOCK 04000
#define S_IFSOCK_MODE (0140000 | 0777)  /* what fstat shows, as Linux's sockfs */

static struct spinlock family_lock = SPINLOCK_INIT("net_family");
extern const struct net_family unix_family;
/* Under family_lock; the built-in families are here from the start. */
static const struct net_family *families[LINUX_AF_MAX] = {
	[LINUX_AF_UNIX] = &unix_family,
};

int net_family_register(const struct net_family *fam)
{
	if (fam->family <= 0 || fam->family >= LINUX_AF_MAX)
		return -EINVAL;
	spin_lock(&family_lock);
	int err = families[fam->family] ? -EEXIST : 0;
	if (!err)
		families[fam->family] = fam;
	spin_unlock(&family_lock);
	return err;
}

static const struct net_family *family_find(int family)
{
	if (family < 0 || family >= LINUX_AF_MAX)
		return NULL;
	spin_lock(&family_lock);
	const struct net_family *fam = families[family];
	spin_unlock(&family_lock);
	return fam;
}

/* ---- the file operations ----------------------------------------------- */

static long sock_file_rw(struct file *f, const struct iovec_k *iov, unsigned cnt, bool send)
{
	struct socket *s = f->private;
	struct kmsg m = { .iov = (struct iovec_k *)iov, .iovcnt = cnt };
	for (unsigned i = 0; i < cnt; i++)
		m.len += iov[i].len;
	long r = send ? s->ops->sendmsg(s, &m, 0) : s->ops->recvmsg(s, &m, 0);
	scm_free(m.scm);                /* read(2) has no room for descriptors */
	return r;
}

static long sock_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct iovec_k iov = { (uint64_t)(uintptr_t)ubuf, len };
	return sock_file_rw(f, &iov, 1, false);
}

static long sock_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	struct iovec_k iov = { (uint64_t)(uintptr_t)ubuf, len };
	return sock_file_rw(f, &iov, 1, true);
}

/* readv/writev are one message each, as Linux's sock_read_iter. */
static long sock_readv(struct file *f, const struct iovec_k *iov, unsigned cnt, uint64_t *pos)
{
	return sock_file_rw(f, iov, cnt, false);
}

static long sock_writev(struct file *f, const struct iovec_k *iov, unsigned cnt, uint64_t *pos)
{
	return sock_file_rw(f, iov, cnt, true);
}

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = f->private;
	return s->ops->poll(s, pt);
}

static long sock_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct socket *s = f->private;
	if (net_dev_ioctl_handles(cmd, s->fam->family))
		return net_dev_ioctl(cmd, (void *)arg);
	return s->ops->ioctl ? s->ops->ioctl(s, cmd, arg) : -ENOTTY;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->private;
	if (s->ops)
		s->ops->release(s);
	kfree(s);
}

static const struct file_ops sock_file_ops = {
	.read = sock_read,
	.write = sock_write,
	.readv = sock_readv,
	.writev = sock_writev,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_release,
	.anon_mode = S_IFSOCK_MODE,
};

struct socket *sock_from_file(struct file *f)
{
	return f->ops == &sock_file_ops ? f->private : NULL;
}

/* A socket with default options and its file; the family fills ops. */
static int sock_alloc(const struct net_family *fam, int type, int protocol, struct file **out)
{
	struct socket *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fam = fam;
	s->type = type;
	s->protocol = protocol;
	spin_lock_init(&s->lock, "socket");
	s->sndbuf = SOCK_DEFAULT_BUF;
	s->rcvbuf = SOCK_DEFAULT_BUF;
	s->rcvtimeo_ns = s->sndtimeo_ns = SOCK_TIMEO_NONE;
	struct file *f = file_alloc(&sock_file_ops, s, O_RDWR);
	if (!f) {
		kfree(s);
		return -ENOMEM;
	}
	s->file = f;
	*out = f;
	return 0;
}

int sock_create(int family, int type, int protocol, struct file **out)
{
	if (family < 0 || family >= LINUX_AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= LINUX_SOCK_MAX)
		return -EINVAL;
	const struct net_family *fam = family_find(family);
	if (!fam)
		return -EAFNOSUPPORT;
	struct file *f;
	int err = sock_alloc(fam, type, protocol, &f);
	if (err)
		return err;
	struct socket *s = f->private;
	err = fam->create(s, type, protocol);
	if (err) {
		s->ops = NULL;          /* nothing for release to undo */
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

int sock_create_like(struct socket *s, struct file **out)
{
	int err = sock_alloc(s->fam, s->type, s->protocol, out);
	if (!err)
		((struct socket *)(*out)->private)->ops = s->ops;
	return err;
}

/* ---- options the families read, errors, waiting ------------------------- */

bool sock_nonblock(struct socket *s, int flags)
{
	return (flags & LINUX_MSG_DONTWAIT) || (READ_ONCE(s->file->flags) & O_NONBLOCK);
}

uint64_t sock_deadline(struct socket *s, int flags, bool send)
{
	if (sock_nonblock(s, flags))
		return 0;
	spin_lock(&s->lock);
	uint64_t t = send ? s->sndtimeo_ns : s->rcvtimeo_ns;
	spin_unlock(&s->lock);
	if (t == SOCK_TIMEO_NONE)
		return UINT64_MAX;
	return t ? time_ns() + t : 0;
}

int sock_error(struct socket *s)
{
	spin_lock(&s->lock);
	int err = s->err;
	s->err = 0;
	spin_unlock(&s->lock);
	return err;
}

void sock_set_error(struct socket *s, int err)
{
	spin_lock(&s->lock);
	s->err = err;
	spin_unlock(&s->lock);
}

struct sock_timeout {
	struct timer timer;
	struct task *task;
};

static void sock_timeout_fire(struct timer *t)
{
	task_wake(container_of(t, struct sock_timeout, timer)->task);
}

/* The timer wakes the task after wait_prepare has made it SLEEPING or
 * before (then the clock check sees the deadline), so no wake-up is lost. */
int sock_wait(struct wait_queue *wq, bool (*cond)(void *arg), void *arg, uint64_t deadline)
{
	if (cond(arg))
		return 0;
	if (deadline == 0)
		return -EAGAIN;
	struct sock_timeout to = { .task = current_task() };
	bool timed = deadline != UINT64_MAX;
	int r = 0;

	timer_init(&to.timer, sock_timeout_fire);
	if (timed)
		timer_arm(&to.timer, deadline);
	for (;;) {
		wait_prepare(wq);
		if (cond(arg))
			break;
		if (signal_pending()) {
			r = timed ? -EINTR : -ERESTARTSYS;
			break;
		}
		if (timed && time_ns() >= deadline) {
			r = -EAGAIN;
			break;
		}
		schedule();
	}
	wait_finish(wq);
	if (timed)
		timer_cancel_sync(&to.timer);
	return r;
}
