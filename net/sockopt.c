/*
 * SOL_SOCKET options (socket(7)), kept in struct socket for every family;
 * the family answers those only it knows (SO_PEERCRED, SO_ACCEPTCONN)
 * through sock_ops.getsockopt. Values, limits and errnos as Linux's
 * sock_setsockopt/sock_getsockopt.
 */
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/uaccess.h>
#include <net/socket.h>

#define NS_PER_SEC  1000000000ull
#define NS_PER_USEC 1000ull

/* A timeval option: 0, -EINVAL (short), -EDOM (bad microseconds). A
 * negative time means "don't wait", zero "wait forever". */
static int timeo_from_user(const void *uval, unsigned len, uint64_t *out)
{
	struct linux_timeval tv;
	if (len < sizeof(tv))
		return -EINVAL;
	if (copy_from_user(&tv, uval, sizeof(tv)))
		return -EFAULT;
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*out = 0;
	else if (tv.tv_sec == 0 && tv.tv_usec == 0)
		*out = SOCK_TIMEO_NONE;
	else
		*out = (uint64_t)tv.tv_sec * NS_PER_SEC + (uint64_t)tv.tv_usec * NS_PER_USEC;
	return 0;
}

static struct linux_timeval timeo_to_tv(uint64_t ns)
{
	if (ns == SOCK_TIMEO_NONE)
		return (struct linux_timeval){ 0, 0 };
	return (struct linux_timeval){ (int64_t)(ns / NS_PER_SEC),
				       (int64_t)(ns % NS_PER_SEC / NS_PER_USEC) };
}

/* Linux doubles a buffer size (room for its bookkeeping) within limits. */
static int buf_size(int val, int min)
{
	uint32_t v = (uint32_t)val < SOCK_MAX_BUF ? (uint32_t)val : SOCK_MAX_BUF;
	int doubled = (int)(v * 2);
	return doubled > min ? doubled : min;
}

static long set_struct_opt(struct socket *s, int name, const void *uval, unsigned len)
{
	uint64_t t;
	int err;

	switch (name) {
	case LINUX_SO_RCVTIMEO:
	case LINUX_SO_SNDTIMEO:
		err = timeo_from_user(uval, len, &t);
		if (err)
			return err;
		spin_lock(&s->lock);
		*(name == LINUX_SO_RCVTIMEO ? &s->rcvtimeo_ns : &s->sndtimeo_ns) = t;
		spin_unlock(&s->lock);
		return 0;
	case LINUX_SO_LINGER: {
		struct linux_linger l;
		if (len < sizeof(l))
			return -EINVAL;
		if (copy_from_user(&l, uval, sizeof(l)))
			return -EFAULT;
		spin_lock(&s->lock);
		s->linger.l_onoff = l.l_onoff ? 1 : 0;
		s->linger.l_linger = l.l_onoff ? l.l_linger : s->linger.l_linger;
		spin_unlock(&s->lock);
		return 0;
	}
	}
	return -ENOPROTOOPT;
}

long sock_setsockopt(struct socket *s, int name, const void *uval, unsigned len)
{
	int val;

	if (name == LINUX_SO_RCVTIMEO || name == LINUX_SO_SNDTIMEO || name == LINUX_SO_LINGER)
		return set_struct_opt(s, name, uval, len);
	if (len < sizeof(int))
		return -EINVAL;
	if (copy_from_user(&val, uval, sizeof(val)))
		return -EFAULT;
	long err = 0;
	spin_lock(&s->lock);
	switch (name) {
	case LINUX_SO_REUSEADDR: s->reuseaddr = val != 0; break;
	case LINUX_SO_KEEPALIVE: s->keepalive = val != 0; break;
	case LINUX_SO_BROADCAST: s->broadcast = val != 0; break;
	case LINUX_SO_PASSCRED:  s->passcred = val != 0; break;
	case LINUX_SO_SNDBUF:    s->sndbuf = buf_size(val, SOCK_MIN_SNDBUF); break;
	case LINUX_SO_RCVBUF:    s->rcvbuf = buf_size(val, SOCK_MIN_RCVBUF); break;
	default:                 err = -ENOPROTOOPT; break;
	}
	spin_unlock(&s->lock);
	if (!err && s->ops->sockopt_changed)
		s->ops->sockopt_changed(s, name);
	return err;
}

/* The value of an option into val (128 bytes): its size or -ENOPROTOOPT. */
static int get_opt(struct socket *s, int name, void *val)
{
	int *iv = val;
	int n = sizeof(int);

	spin_lock(&s->lock);
	switch (name) {
	case LINUX_SO_TYPE:      *iv = s->type; break;
	case LINUX_SO_PROTOCOL:  *iv = s->protocol; break;
	case LINUX_SO_DOMAIN:    *iv = s->fam->family; break;
	case LINUX_SO_ERROR:     *iv = s->err; s->err = 0; break;
	case LINUX_SO_REUSEADDR: *iv = s->reuseaddr; break;
	case LINUX_SO_KEEPALIVE: *iv = s->keepalive; break;
	case LINUX_SO_BROADCAST: *iv = s->broadcast; break;
	case LINUX_SO_PASSCRED:  *iv = s->passcred; break;
	case LINUX_SO_SNDBUF:    *iv = s->sndbuf; break;
	case LINUX_SO_RCVBUF:    *iv = s->rcvbuf; break;
	case LINUX_SO_LINGER:
		memcpy(val, &s->linger, sizeof(s->linger));
		n = sizeof(s->linger);
		break;
	case LINUX_SO_RCVTIMEO:
	case LINUX_SO_SNDTIMEO: {
		struct linux_timeval tv = timeo_to_tv(name == LINUX_SO_RCVTIMEO ? s->rcvtimeo_ns
										 : s->sndtimeo_ns);
		memcpy(val, &tv, sizeof(tv));
		n = sizeof(tv);
		break;
	}
	default:
		n = -ENOPROTOOPT;
	}
	spin_unlock(&s->lock);
	return n;
}

long sock_getsockopt(struct socket *s, int name, void *uval, int *ulen)
{
	int len;
	uint64_t val[16] = { 0 };

	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	int n = -ENOPROTOOPT;
	if (s->ops->getsockopt)
		n = s->ops->getsockopt(s, name, val, (int)sizeof(val));
	if (n == -ENOPROTOOPT)
		n = get_opt(s, name, val);
	if (n < 0)
		return n;
	if (len > n)
		len = n;
	if (copy_to_user(uval, val, (size_t)len) || copy_to_user(ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

long sock_getsockopt_proto(struct socket *s, int level, int name, void *uval, int *ulen)
{
	int len;
	uint64_t val[16] = { 0 };

	if (!s->ops->getsockopt_proto)
		return -EOPNOTSUPP;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	int n = s->ops->getsockopt_proto(s, level, name, val, (int)sizeof(val));
	if (n < 0)
		return n;
	if (len > n)
		len = n;
	if (copy_to_user(uval, val, (size_t)len) || copy_to_user(ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}
