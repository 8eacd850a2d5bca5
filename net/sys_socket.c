/*
 * The socket system calls: descriptors to sockets, user addresses,
 * iovecs and control data to kernel copies (Linux's move_addr_to_kernel,
 * move_addr_to_user, copy_msghdr_from_user), then the family's sock_ops.
 * Argument checks and their order follow Linux's net/socket.c.
 */
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <net/socket.h>

#define O_NONBLOCK   04000
#define SOMAXCONN    4096
#define UIO_MAXIOV   1024
#define CTL_MAX      65536      /* control data accepted by sendmsg (optmem) */
#define INT_MAX_     0x7fffffff
#define MAX_RW_COUNT 0x7ffff000L        /* Linux clamps one transfer to this */

/* The socket behind fd with a file reference (*fp), or NULL with *err. */
static struct socket *sock_get(int fd, struct file **fp, long *err)
{
	struct proc *p = current_proc();
	struct file *f = fd_get(p->files, fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	struct socket *s = sock_from_file(f);
	if (!s) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return s;
}

static int addr_from_user(const void *uaddr, int len, struct linux_sockaddr_storage *k)
{
	if (len < 0 || len > (int)sizeof(*k))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (len && copy_from_user(k, uaddr, (size_t)len))
		return -EFAULT;
	return 0;
}

/* Copy klen bytes of address to the user, cut to *ulen; *ulen = klen. */
static int addr_to_user(const void *k, int klen, void *uaddr, int *ulen)
{
	int len;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_user(uaddr, k, (size_t)len))
		return -EFAULT;
	return copy_to_user(ulen, &klen, sizeof(klen)) ? -EFAULT : 0;
}

/* A descriptor for f (our reference goes to the table): fd or -errno. */
static int install(struct file *f, bool cloexec)
{
	struct proc *p = current_proc();
	int fd = fd_install(p->files, f, 0, cloexec, proc_fd_limit(p));
	file_put(f);
	return fd;
}

static int split_type(int *type, unsigned *fflags, bool *cloexec)
{
	int flags = *type & ~LINUX_SOCK_TYPE_MASK;
	if (flags & ~(LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
		return -EINVAL;
	*type &= LINUX_SOCK_TYPE_MASK;
	*fflags = flags & LINUX_SOCK_NONBLOCK ? O_NONBLOCK : 0;
	*cloexec = flags & LINUX_SOCK_CLOEXEC;
	return 0;
}

long sys_socket(int family, int type, int protocol)
{
	unsigned fflags;
	bool cloexec;
	int err = split_type(&type, &fflags, &cloexec);
	if (err)
		return err;
	struct file *f;
	err = sock_create(family, type, protocol, &f);
	if (err)
		return err;
	f->flags |= fflags;
	return install(f, cloexec);
}

long sys_socketpair(int family, int type, int protocol, int *usv)
{
	unsigned fflags;
	bool cloexec;
	struct file *a, *b;
	int err = split_type(&type, &fflags, &cloexec);
	if (err)
		return err;
	if ((err = sock_create(family, type, protocol, &a)))
		return err;
	if ((err = sock_create(family, type, protocol, &b))) {
		file_put(a);
		return err;
	}
	struct socket *sa = a->private, *sb = b->private;
	err = sa->fam->socketpair ? sa->fam->socketpair(sa, sb) : -EOPNOTSUPP;
	if (err) {
		file_put(a);
		file_put(b);
		return err;
	}
	a->flags |= fflags;
	b->flags |= fflags;
	file_get(b);                    /* kept until b is installed or dropped */
	int fds[2] = { install(a, cloexec), -1 };
	if (fds[0] >= 0)
		fds[1] = install(b, cloexec);
	file_put(b);
	struct proc *p = current_proc();
	if (fds[1] < 0 || copy_to_user(usv, fds, sizeof(fds))) {
		err = fds[0] < 0 ? fds[0] : fds[1] < 0 ? fds[1] : -EFAULT;
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				fd_close(p->files, fds[i]);
		return err;
	}
	return 0;
}

/* bind and connect: the address copied in, then the family's op. */
static long addr_call(int fd, const void *uaddr, int len, bool connect)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	struct linux_sockaddr_storage k;
	err = addr_from_user(uaddr, len, &k);
	if (!err)
		err = connect ? s->ops->connect(s, &k, len, f->flags & O_NONBLOCK)
			      : s->ops->bind(s, &k, len);
	file_put(f);
	return err;
}

long sys_bind(int fd, const void *uaddr, int len)
{
	return addr_call(fd, uaddr, len, false);
}

long sys_connect(int fd, const void *uaddr, int len)
{
	return addr_call(fd, uaddr, len, true);
}

long sys_listen(int fd, int backlog)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	err = s->ops->listen(s, backlog);
	file_put(f);
	return err;
}

/* The connection made: its file, with the peer's name put at uaddr. */
static long do_accept(struct socket *s, struct file *f, void *uaddr, int *ulen,
		      struct file **out)
{
	struct file *nf;
	long err = sock_create_like(s, &nf);
	if (err)
		return err;
	struct socket *ns = nf->private;
	err = s->ops->accept(s, ns, f->flags & O_NONBLOCK);
	if (!err && uaddr) {
		struct linux_sockaddr_storage k;
		int klen = ns->ops->getname(ns, &k, true);
		err = klen < 0 ? -ECONNABORTED : addr_to_user(&k, klen, uaddr, ulen);
	}
	if (err) {
		file_put(nf);
		return err;
	}
	*out = nf;
	return 0;
}

long sys_accept4(int fd, void *uaddr, int *ulen, int flags)
{
	if (flags & ~(LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
		return -EINVAL;
	struct file *f, *nf;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	err = do_accept(s, f, uaddr, ulen, &nf);
	file_put(f);
	if (err)
		return err;
	if (flags & LINUX_SOCK_NONBLOCK)
		nf->flags |= O_NONBLOCK;
	return install(nf, flags & LINUX_SOCK_CLOEXEC);
}

long sys_accept(int fd, void *uaddr, int *ulen)
{
	return sys_accept4(fd, uaddr, ulen, 0);
}

static long do_getname(int fd, void *uaddr, int *ulen, bool peer)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	struct linux_sockaddr_storage k;
	memset(&k, 0, sizeof(k));
	int klen = s->ops->getname(s, &k, peer);
	err = klen < 0 ? klen : addr_to_user(&k, klen, uaddr, ulen);
	file_put(f);
	return err;
}

long sys_getsockname(int fd, void *uaddr, int *ulen)
{
	return do_getname(fd, uaddr, ulen, false);
}

long sys_getpeername(int fd, void *uaddr, int *ulen)
{
	return do_getname(fd, uaddr, ulen, true);
}

long sys_shutdown(int fd, int how)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	err = how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR ? -EINVAL : s->ops->shutdown(s, how);
	file_put(f);
	return err;
}

long sys_setsockopt(int fd, int level, int name, const void *uval, int len)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	if (len < 0)
		err = -EINVAL;
	else if (level == LINUX_SOL_SOCKET)
		err = sock_setsockopt(s, name, uval, (unsigned)len);
	else if (s->ops->setsockopt_proto)
		err = s->ops->setsockopt_proto(s, level, name, uval, (unsigned)len);
	else
		err = -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_getsockopt(int fd, int level, int name, void *uval, int *ulen)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	err = level == LINUX_SOL_SOCKET ? sock_getsockopt(s, name, uval, ulen)
					: sock_getsockopt_proto(s, level, name, uval, ulen);
	file_put(f);
	return err;
}

/* ---- sending and receiving ------------------------------------------------ */

static long send_common(struct socket *s, struct kmsg *m, int flags, const void *uctl, size_t ctllen)
{
	long err = 0;
	if (ctllen > INT_MAX_)
		return -ENOBUFS;
	if (ctllen && s->fam->uses_scm) {
		if (ctllen > CTL_MAX)
			return -ENOBUFS;
		void *ctl = kmalloc(ctllen);
		if (!ctl)
			return -ENOMEM;
		err = copy_from_user(ctl, uctl, ctllen) ? -EFAULT : scm_parse(ctl, ctllen, &m->scm);
		kfree(ctl);
		if (err)
			return err;
	}
	err = s->ops->sendmsg(s, m, flags);
	scm_free(m->scm);               /* what the family did not take */
	return err;
}

long sys_sendto(int fd, const void *ubuf, size_t len, int flags, const void *uaddr, int alen)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	struct iovec_k iov = { (uint64_t)(uintptr_t)ubuf, len };
	struct kmsg m = { .iov = &iov, .iovcnt = 1, .len = len };
	err = 0;
	if (!user_range_ok(ubuf, len))
		err = -EFAULT;
	else if (uaddr && (err = addr_from_user(uaddr, alen, &m.name)) == 0)
		m.namelen = alen;
	if (!err)
		err = send_common(s, &m, flags, NULL, 0);
	file_put(f);
	return err;
}

long sys_recvfrom(int fd, void *ubuf, size_t len, int flags, void *uaddr, int *ulen)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	len = MIN(len, (size_t)MAX_RW_COUNT);
	struct iovec_k iov = { (uint64_t)(uintptr_t)ubuf, len };
	struct kmsg m = { .iov = &iov, .iovcnt = 1, .len = len, .want_name = uaddr != NULL };
	err = user_range_ok(ubuf, len) ? s->ops->recvmsg(s, &m, flags) : -EFAULT;
	scm_free(m.scm);                /* no room for control data: files dropped */
	if (err >= 0 && uaddr) {
		int e2 = addr_to_user(&m.name, m.namelen, uaddr, ulen);
		if (e2)
			err = e2;
	}
	file_put(f);
	return err;
}

/* A user msghdr's iovecs: into m (the array is kmalloc'ed or fast). */
static long msg_import(const struct linux_msghdr *h, struct kmsg *m, struct iovec_k *fast)
{
	if (h->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	m->iov = fast;
	m->iovcnt = (unsigned)h->msg_iovlen;
	if (!m->iovcnt)
		return 0;
	int err = import_iovec((const void *)(uintptr_t)h->msg_iov, (int)m->iovcnt, fast, &m->iov);
	if (err)
		return err;
	for (unsigned i = 0; i < m->iovcnt; i++)
		m->len += m->iov[i].len;
	return 0;
}

/* Write back what recvmsg returns beside the bytes: the name, the control
 * data (descriptors installed now), the flags. */
static long recvmsg_finish(struct socket *s, struct kmsg *m, struct linux_msghdr *h,
			   struct linux_msghdr *umsg, int flags)
{
	struct linux_msghdr *u = umsg;
	long used = 0;
	if (h->msg_name) {
		int err = addr_to_user(&m->name, m->namelen, (void *)(uintptr_t)h->msg_name,
				       &u->msg_namelen);
		if (err)
			return err;
	}
	if (h->msg_control || m->scm || m->has_creds) {
		used = scm_put(m->scm, m->has_creds ? &m->creds : NULL,
			       (void *)(uintptr_t)h->msg_control,
			       h->msg_control ? h->msg_controllen : 0, &m->flags_out,
			       flags & LINUX_MSG_CMSG_CLOEXEC);
		m->scm = NULL;
		if (used < 0)
			return used;
	}
	uint64_t ctl = (uint64_t)used;
	int32_t oflags = m->flags_out;
	if (copy_to_user(&u->msg_controllen, &ctl, sizeof(ctl)) ||
	    copy_to_user(&u->msg_flags, &oflags, sizeof(oflags)))
		return -EFAULT;
	return 0;
}

/* sendmsg and recvmsg: the msghdr and its iovecs (and for sendmsg the
 * address) copied in, in Linux's order of checks, then the transfer. */
static long msg_call(int fd, void *umsg, int flags, bool send)
{
	struct file *f;
	long err;
	struct socket *s = sock_get(fd, &f, &err);
	if (!s)
		return err;
	struct linux_msghdr h;
	struct iovec_k fast[IOV_FAST];
	struct kmsg m = { .iov = fast };
	if (copy_from_user(&h, umsg, sizeof(h))) {
		err = -EFAULT;
		goto out;
	}
	if (h.msg_namelen < 0) {
		err = -EINVAL;
		goto out;
	}
	if (send && h.msg_name && h.msg_namelen) {
		int nlen = MIN(h.msg_namelen, (int)sizeof(m.name));
		if ((err = addr_from_user((const void *)(uintptr_t)h.msg_name, nlen, &m.name)))
			goto out;
		m.namelen = nlen;
	}
	if ((err = msg_import(&h, &m, fast)))
		goto out_free;
	if (send) {
		err = send_common(s, &m, flags, (const void *)(uintptr_t)h.msg_control,
				  h.msg_controllen);
		goto out_free;
	}
	m.want_name = h.msg_name != 0;
	err = s->ops->recvmsg(s, &m, flags);
	if (err >= 0) {
		long e2 = recvmsg_finish(s, &m, &h, umsg, flags);
		if (e2)
			err = e2;
	}
	scm_free(m.scm);
out_free:
	if (m.iov != fast)
		kfree(m.iov);
out:
	file_put(f);
	return err;
}

long sys_sendmsg(int fd, const void *umsg, int flags)
{
	return msg_call(fd, (void *)umsg, flags, true);
}

long sys_recvmsg(int fd, void *umsg, int flags)
{
	return msg_call(fd, umsg, flags, false);
}
