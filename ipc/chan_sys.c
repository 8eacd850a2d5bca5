/*
 * The channel system calls (docs/channels.md): argument checks, messages
 * built from and delivered to user memory, around chan_select_run. User
 * memory is touched here only, by the calling process, with no channel
 * lock held.
 */
#include <ipc/chan.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_ACCMODE 3
#define O_RDWR    2
#define NO_DEADLINE UINT64_MAX

struct timespec_k {
	int64_t sec, nsec;
};

/* A relative timeout (NULL: none) as a monotonic deadline. */
static int chan_deadline(const void *uts, uint64_t *deadline)
{
	struct timespec_k ts;

	*deadline = NO_DEADLINE;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	uint64_t now = time_ns();
	if ((uint64_t)ts.sec > (NO_DEADLINE - now) / NSEC_PER_SEC - 1)
		return 0;
	*deadline = now + (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
	return 0;
}

/* ---- messages ----------------------------------------------------------- */

static int msg_copy_fds(struct chan *c, struct chan_msg *m, const struct goos_msg *um)
{
	int fds[GOOS_MSG_MAX_FDS];

	if (copy_from_user(fds, (const void *)um->fds, um->nfds * sizeof(int)))
		return -EFAULT;
	for (uint32_t i = 0; i < um->nfds; i++) {
		struct file *f = fd_get(current_proc()->files, fds[i]);
		if (!f)
			return -EBADF;
		m->files[m->nfds++] = f;
		/* A channel queued in itself would keep itself alive for ever. */
		if (chan_of_file(f) == c)
			return -EINVAL;
	}
	return 0;
}

/* A message to send on c from the caller's description um. */
static int msg_build(struct chan *c, const struct goos_msg *um, struct chan_msg **out)
{
	if (um->len > c->max_msg)
		return -EMSGSIZE;
	if (um->nfds > GOOS_MSG_MAX_FDS || um->nranges > GOOS_MSG_MAX_RANGES || um->flags)
		return -EINVAL;
	struct chan_msg *m = kzalloc(sizeof(*m) + um->nfds * sizeof(struct file *) +
				     um->nranges * sizeof(struct own_range) + um->len);
	if (!m)
		return -ENOMEM;
	m->files = (struct file **)(m + 1);
	m->ranges = (struct own_range *)(m->files + um->nfds);
	m->data = (char *)(m->ranges + um->nranges);
	m->len = um->len;
	int err = -EFAULT;
	if (copy_from_user(m->data, (const void *)um->data, um->len))
		goto out_free;
	if ((err = msg_copy_fds(c, m, um)))
		goto out_free;
	if (um->nranges) {
		err = -EFAULT;
		if (copy_from_user(m->ranges, (const void *)um->ranges,
				   um->nranges * sizeof(struct own_range)))
			goto out_free;
		if ((err = own_send(current_proc(), m->ranges, um->nranges, &m->xfer)))
			goto out_free;
		m->nranges = um->nranges;
	}
	*out = m;
	return 0;
out_free:
	chan_msg_free(m);
	return err;
}

/* A message built but not sent: its ranges go back to the sender. */
static void msg_unsend(struct chan_msg *m)
{
	if (m && m->xfer && own_receive(current_proc(), m->xfer, false) == 0)
		m->xfer = NULL;
	chan_msg_free(m);
}

static uint32_t deliver_fds(struct chan_msg *m, const struct goos_msg *um, struct goos_msg *res)
{
	struct proc *p = current_proc();
	int fds[GOOS_MSG_MAX_FDS];
	uint32_t n = 0;

	for (; n < m->nfds && n < um->nfds; n++) {
		int fd = fd_install(p->files, m->files[n], 0, um->flags & GOOS_MSG_CMSG_CLOEXEC,
				    proc_fd_limit(p));
		if (fd < 0)
			break;
		fds[n] = fd;
	}
	if (n < m->nfds)
		res->flags |= GOOS_MSG_CTRUNC;
	res->nfds = n;
	if (n && copy_to_user((void *)um->fds, fds, n * sizeof(int)))
		return 0;       /* the descriptors stay installed, as Linux's SCM_RIGHTS */
	return n;
}

/* Give m to the caller through its description at uptr (um: its copy);
 * m is consumed. A fault loses the message (as recvmsg loses data). */
static int msg_deliver(struct chan_msg *m, const struct goos_msg *um, void *uptr)
{
	struct goos_msg res = *um;
	int err = 0;

	res.flags = 0;
	res.len = m->len;
	if (m->len > um->len)
		res.flags |= GOOS_MSG_TRUNC;
	if (copy_to_user((void *)um->data, m->data, MIN(m->len, um->len))) {
		err = -EFAULT;
		goto out;
	}
	if (m->xfer) {
		if ((err = own_receive(current_proc(), m->xfer, um->flags & GOOS_MSG_ISOLATE)))
			goto out;
		m->xfer = NULL;
	}
	res.nranges = MIN(m->nranges, um->nranges);
	if (res.nranges < m->nranges)
		res.flags |= GOOS_MSG_CTRUNC;
	if (copy_to_user((void *)um->ranges, m->ranges, res.nranges * sizeof(struct own_range))) {
		err = -EFAULT;
		goto out;
	}
	deliver_fds(m, um, &res);
	if (copy_to_user(uptr, &res, sizeof(res)))
		err = -EFAULT;
out:
	chan_msg_free(m);
	return err;
}

/* ---- the select core shared by send, recv and select ------------------ */

struct sel_call {
	struct chan_case *cases;
	struct goos_msg *ums;           /* the callers' descriptions, copied */
	void **uptrs;                   /* where they live */
	unsigned n;
};

/* Fill case i for fd/op from user description uptr. */
static int case_setup(struct sel_call *s, unsigned i, int fd, unsigned op, void *uptr)
{
	struct chan_case *k = &s->cases[i];

	k->op = (int)op;
	if (op != GOOS_SELECT_RECV && op != GOOS_SELECT_SEND)
		return -EINVAL;
	if (!(k->file = fd_get(current_proc()->files, fd)))
		return -EBADF;
	if (!(k->chan = chan_of_file(k->file)))
		return -EINVAL;
	unsigned acc = k->file->flags & O_ACCMODE;
	if (op == GOOS_SELECT_SEND ? acc == 0 : acc == 1)
		return -EBADF;
	s->uptrs[i] = uptr;
	if (copy_from_user(&s->ums[i], uptr, sizeof(s->ums[i])))
		return -EFAULT;
	if (op == GOOS_SELECT_SEND)
		return msg_build(k->chan, &s->ums[i], &k->msg);
	if (s->ums[i].flags & ~(GOOS_MSG_ISOLATE | GOOS_MSG_CMSG_CLOEXEC))
		return -EINVAL;
	return 0;
}

static int sel_alloc(struct sel_call *s, unsigned n)
{
	s->n = n;
	s->cases = kzalloc(n * (sizeof(*s->cases) + sizeof(*s->ums) + sizeof(void *)));
	if (!s->cases)
		return -ENOMEM;
	s->ums = (struct goos_msg *)(s->cases + n);
	s->uptrs = (void **)(s->ums + n);
	return 0;
}

/* Messages not sent go back; the call's file references are dropped. */
static void sel_release(struct sel_call *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		if (s->cases[i].op == GOOS_SELECT_SEND)
			msg_unsend(s->cases[i].msg);
		if (s->cases[i].file)
			file_put(s->cases[i].file);
	}
}

/* Run the prepared call; the chosen index, its result in *result. */
static int sel_run(struct sel_call *s, bool nonblock, uint64_t deadline, int *result)
{
	int r = chan_select_run(s->cases, s->n, nonblock, deadline);
	if (r < 0)
		return r;
	struct chan_case *k = &s->cases[r];
	*result = k->result;
	if (k->op == GOOS_SELECT_RECV && k->msg) {
		int err = msg_deliver(k->msg, &s->ums[r], s->uptrs[r]);
		k->msg = NULL;
		if (err)
			return err;
	}
	return r;
}

/* chan_send and chan_recv: a select of one case. */
static long chan_one(int fd, unsigned op, void *umsg, int flags, const void *uts)
{
	struct chan_case k = { 0 };
	struct goos_msg um;
	void *uptr;
	struct sel_call s = { .cases = &k, .ums = &um, .uptrs = &uptr, .n = 1 };
	uint64_t deadline;
	int result = 0;

	if (flags & ~GOOS_CHAN_DONTWAIT)
		return -EINVAL;
	long r = chan_deadline(uts, &deadline);
	if (!r)
		r = case_setup(&s, 0, fd, op, umsg);
	if (!r) {
		bool nonblock = (flags & GOOS_CHAN_DONTWAIT) || (k.file->flags & GOOS_CHAN_NONBLOCK);
		r = sel_run(&s, nonblock, deadline, &result);
		if (r == 0)
			r = result;
	}
	sel_release(&s);
	return r;
}

long sys_chan_send(int fd, const void *umsg, int flags, const void *timeout)
{
	return chan_one(fd, GOOS_SELECT_SEND, (void *)umsg, flags, timeout);
}

long sys_chan_recv(int fd, void *umsg, int flags, const void *timeout)
{
	return chan_one(fd, GOOS_SELECT_RECV, umsg, flags, timeout);
}

/* Go's select {} with no cases: sleep until the timeout or a signal. */
static long select_none(bool nonblock, uint64_t deadline)
{
	if (nonblock)
		return -EAGAIN;
	if (deadline == NO_DEADLINE)
		deadline = UINT64_MAX - 1;
	return sleep_until_interruptible(deadline) ? -EINTR : -ETIMEDOUT;
}

long sys_chan_select(void *ucases, unsigned n, int flags, const void *timeout)
{
	struct goos_select_case uc[GOOS_SELECT_MAX];
	struct sel_call s;
	uint64_t deadline;
	int result = 0;

	if (flags & ~GOOS_CHAN_DONTWAIT || n > GOOS_SELECT_MAX)
		return -EINVAL;
	long r = chan_deadline(timeout, &deadline);
	if (r)
		return r;
	if (n == 0)
		return select_none(flags & GOOS_CHAN_DONTWAIT, deadline);
	if (copy_from_user(uc, ucases, n * sizeof(uc[0])))
		return -EFAULT;
	if ((r = sel_alloc(&s, n)))
		return r;
	for (unsigned i = 0; i < n && !r; i++)
		r = uc[i].reserved ? -EINVAL :
			case_setup(&s, i, uc[i].fd, uc[i].op, (void *)uc[i].msg);
	if (!r)
		r = sel_run(&s, flags & GOOS_CHAN_DONTWAIT, deadline, &result);
	if (r >= 0) {
		struct goos_select_case *out = (struct goos_select_case *)ucases + r;
		if (copy_to_user(&out->result, &result, sizeof(result)))
			r = -EFAULT;
	}
	sel_release(&s);
	kfree(s.cases);
	return r;
}

/* ---- creating, closing, inspecting -------------------------------------- */

long sys_chan_create(unsigned max_msg, unsigned capacity, int flags)
{
	struct proc *p = current_proc();

	if (max_msg > GOOS_CHAN_MAX_MSG || capacity > GOOS_CHAN_MAX_CAP ||
	    flags & ~(GOOS_CHAN_NONBLOCK | GOOS_CHAN_CLOEXEC))
		return -EINVAL;
	struct chan *c = chan_alloc(max_msg, capacity);
	if (!c)
		return -ENOMEM;
	struct file *f = chan_file_new(c, O_RDWR | (flags & GOOS_CHAN_NONBLOCK));
	chan_put(c);                    /* the handle holds it now */
	if (!f)
		return -ENOMEM;
	int fd = fd_install(p->files, f, 0, flags & GOOS_CHAN_CLOEXEC, proc_fd_limit(p));
	file_put(f);
	return fd;
}

long sys_chan_close(int fd)
{
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	struct chan *c = chan_of_file(f);
	long r = !c ? -EINVAL : (f->flags & O_ACCMODE) == 0 ? -EBADF : chan_do_close(c);
	file_put(f);
	return r;
}

long sys_chan_info(int fd, void *uinfo)
{
	struct goos_chan_info info = { 0 };
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	struct chan *c = chan_of_file(f);
	if (!c) {
		file_put(f);
		return -EINVAL;
	}
	spin_lock(&c->lock);
	info.max_msg = c->max_msg;
	info.capacity = c->cap;
	info.queued = c->nmsgs;
	info.closed = c->closed;
	info.handles = c->nhandles;
	info.published = c->published;
	struct chan_case *k;
	list_for_each_entry(k, &c->recvq, link)
		info.recv_waiting++;
	list_for_each_entry(k, &c->sendq, link)
		info.send_waiting++;
	spin_unlock(&c->lock);
	file_put(f);
	return copy_to_user(uinfo, &info, sizeof(info)) ? -EFAULT : 0;
}
