/*
 * poll, ppoll, select and pselect6, and the poll waiter they (and
 * epoll_wait) sleep with: the first scan hands each file's poll method a
 * table that puts a wait entry on its queues; any wake-up of one of them
 * marks the waiter triggered and wakes the task, which then scans again.
 *
 * Locking: a poll waiter's entry list is only touched by its task; the
 * wake callback runs under the woken queue's lock (maybe in an interrupt)
 * and only sets triggered and calls task_wake (docs/poll.md). Each entry
 * holds a reference on its file, so the queue outlives the entry.
 */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define NO_DEADLINE UINT64_MAX

/* ---- the poll waiter ---------------------------------------------------- */

struct poll_entry {
	struct wait_entry wait;
	struct poll_waiter *pw;
	struct file *file;              /* counted */
	struct list_head link;          /* pw->entries */
};

static void poll_entry_wake(struct wait_entry *e)
{
	struct poll_waiter *pw = container_of(e, struct poll_entry, wait)->pw;

	__atomic_store_n(&pw->triggered, true, __ATOMIC_SEQ_CST);
	/* The task cannot be gone: it removes this entry (taking this
	 * queue's lock, which we hold) before it returns. */
	task_wake(pw->task);
}

static void poll_waiter_queue(struct poll_table *pt, struct file *file, struct wait_queue *wq)
{
	struct poll_waiter *pw = container_of(pt, struct poll_waiter, pt);
	struct poll_entry *pe = kmalloc(sizeof(*pe));

	if (!pe) {
		pw->error = -ENOMEM;
		return;
	}
	pe->pw = pw;
	pe->file = file;
	file_get(file);
	list_add_tail(&pe->link, &pw->entries);
	wait_entry_add(wq, &pe->wait, poll_entry_wake);
}

void poll_waiter_init(struct poll_waiter *pw)
{
	pw->pt.queue = poll_waiter_queue;
	pw->task = current_task();
	pw->triggered = false;
	pw->error = 0;
	list_init(&pw->entries);
}

void poll_waiter_destroy(struct poll_waiter *pw)
{
	struct poll_entry *pe, *tmp;

	list_for_each_entry_safe(pe, tmp, &pw->entries, link) {
		wait_entry_remove(&pe->wait);
		file_put(pe->file);
		kfree(pe);
	}
	list_init(&pw->entries);
}

struct poll_timeout {
	struct timer timer;
	struct task *task;
};

static void poll_timeout_fire(struct timer *t)
{
	task_wake(container_of(t, struct poll_timeout, timer)->task);
}

/* SLEEPING is set before triggered, the signal and the clock are looked
 * at: a wake-up after the looks finds the task SLEEPING and wakes it. */
int poll_waiter_sleep(struct poll_waiter *pw, uint64_t deadline)
{
	struct poll_timeout to = { .task = pw->task };
	int r = 0;

	timer_init(&to.timer, poll_timeout_fire);
	__atomic_store_n(&pw->task->state, TASK_SLEEPING, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&pw->triggered, false, __ATOMIC_SEQ_CST))
		goto out;
	if (signal_pending()) {
		r = -EINTR;
		goto out;
	}
	if (deadline != NO_DEADLINE) {
		if (time_ns() >= deadline) {
			r = -ETIMEDOUT;
			goto out;
		}
		timer_arm(&to.timer, deadline);
	}
	schedule();
	if (deadline != NO_DEADLINE)
		timer_cancel_sync(&to.timer);
	__atomic_store_n(&pw->triggered, false, __ATOMIC_SEQ_CST);
out:
	WRITE_ONCE(pw->task->state, TASK_RUNNABLE);
	return r;
}

unsigned file_poll(struct file *f, struct poll_table *pt)
{
	if (!f->ops->poll)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return f->ops->poll(f, pt);
}

/* ---- timeouts and signal masks ------------------------------------------ */

struct timespec_k {
	int64_t sec, nsec;
};

/* A relative timespec as a monotonic deadline: EINVAL if malformed. */
static int deadline_from_timespec(const struct timespec_k *ts, uint64_t *deadline)
{
	if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts->sec >= (NO_DEADLINE / 4) / NSEC_PER_SEC) {
		*deadline = NO_DEADLINE;
		return 0;
	}
	*deadline = time_ns() + (uint64_t)ts->sec * NSEC_PER_SEC + (uint64_t)ts->nsec;
	return 0;
}

/* The time left until deadline (0 once it passed). */
static struct timespec_k time_left(uint64_t deadline)
{
	uint64_t now = time_ns(), left = deadline > now ? deadline - now : 0;
	return (struct timespec_k){ (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
}

int poll_sigmask_set(const uint64_t *umask, size_t sigsetsize, uint64_t *saved)
{
	uint64_t mask;

	if (!umask)
		return 0;
	if (sigsetsize != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	*saved = current_task()->sigmask;
	signal_set_blocked(mask);
	return 1;
}

/* Undo poll_sigmask_set (set: its result). Interrupted, the call's mask
 * stays until the signal is handled (its handler's frame saves the
 * caller's), as for rt_sigsuspend. */
void poll_sigmask_restore(int set, uint64_t saved, long result)
{
	struct task *t = current_task();

	if (set <= 0)
		return;
	if (result == -EINTR || result == -ERESTARTNOHAND) {
		t->saved_sigmask = saved;
		__atomic_fetch_or(&t->flags, TASK_F_RESTORE_SIGMASK, __ATOMIC_SEQ_CST);
	} else {
		signal_set_blocked(saved);
	}
}

/* ---- poll --------------------------------------------------------------- */

struct pollfd_k {
	int fd;
	short events, revents;
};

/* One pass over fds: fill revents, return how many are non-zero. pt
 * registers on every queue until one is found ready. */
static int poll_scan(void *set, unsigned n, struct poll_table *pt)
{
	struct pollfd_k *fds = set;
	struct fd_table *files = current_proc()->files;
	int count = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pollfd_k *p = &fds[i];
		p->revents = 0;
		if (p->fd < 0)
			continue;
		struct file *f = fd_get(files, p->fd);
		if (!f) {
			p->revents = POLLNVAL;
		} else {
			unsigned want = (unsigned short)p->events | POLLERR | POLLHUP;
			p->revents = (short)(file_poll(f, count ? NULL : pt) & want);
			file_put(f);
		}
		if (p->revents)
			count++;
	}
	return count;
}

/*
 * poll and select alike: scan (passing the table the first time only, so
 * that each file queues us once), and until something is ready sleep for
 * a wake-up and scan again. The count, 0 at the deadline, or -EINTR (or
 * -ENOMEM from queueing).
 */
typedef int (*scan_fn)(void *set, unsigned n, struct poll_table *pt);

static long scan_until_ready(scan_fn scan, void *set, unsigned n, uint64_t deadline)
{
	struct poll_waiter pw;
	struct poll_table *pt = &pw.pt;
	long r;

	poll_waiter_init(&pw);
	for (;;) {
		r = scan(set, n, pt);
		pt = NULL;
		if (r || (r = pw.error))
			break;
		r = poll_waiter_sleep(&pw, deadline);
		if (r) {
			if (r == -ETIMEDOUT)
				r = 0;
			break;
		}
	}
	poll_waiter_destroy(&pw);
	return r;
}

static long do_poll(struct pollfd_k *fds, unsigned n, uint64_t deadline)
{
	return scan_until_ready(poll_scan, fds, n, deadline);
}

static long poll_common(void *ufds, unsigned nfds, uint64_t deadline)
{
	if (nfds > proc_fd_limit(current_proc()))
		return -EINVAL;
	struct pollfd_k *fds = kmalloc(MAX(nfds, 1u) * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	long r = -EFAULT;
	if (copy_from_user(fds, ufds, nfds * sizeof(*fds)))
		goto out;
	r = do_poll(fds, nfds, deadline);
	if (r >= 0) {
		/* Only revents goes back; fd and events stay as the user left them. */
		for (unsigned i = 0; i < nfds; i++)
			if (copy_to_user(&((struct pollfd_k *)ufds)[i].revents, &fds[i].revents,
					 sizeof(fds[i].revents))) {
				r = -EFAULT;
				break;
			}
	}
out:
	kfree(fds);
	return r;
}

/* A timeout is not restarted (Linux restarts it through restart_syscall
 * with the time left; a handler sees EINTR either way). */
long sys_poll(void *ufds, unsigned nfds, int timeout_ms)
{
	uint64_t deadline = NO_DEADLINE;

	if (timeout_ms >= 0)
		deadline = time_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
	long r = poll_common(ufds, nfds, deadline);
	if (r == -EINTR)
		r = timeout_ms >= 0 ? -EINTR : -ERESTARTNOHAND;
	return r;
}

long sys_ppoll(void *ufds, unsigned nfds, void *utsp, const uint64_t *usigmask, size_t sigsetsize)
{
	struct timespec_k ts;
	uint64_t deadline = NO_DEADLINE, saved = 0;

	if (utsp) {
		if (copy_from_user(&ts, utsp, sizeof(ts)))
			return -EFAULT;
		int err = deadline_from_timespec(&ts, &deadline);
		if (err)
			return err;
	}
	int set = poll_sigmask_set(usigmask, sigsetsize, &saved);
	if (set < 0)
		return set;
	long r = poll_common(ufds, nfds, deadline);
	if (r == -EINTR)
		r = -ERESTARTNOHAND;
	poll_sigmask_restore(set, saved, r);
	/* Linux writes back the time left; a fault doing so is ignored. */
	if (utsp && deadline != NO_DEADLINE) {
		ts = time_left(deadline);
		(void)copy_to_user(utsp, &ts, sizeof(ts));
	}
	return r;
}

/* ---- select ------------------------------------------------------------- */

#define SEL_IN  (POLLIN | POLLRDNORM | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLERR)
#define SEL_EX  POLLPRI

/* in/out/ex as passed, and the result sets, each words words long. */
struct select_sets {
	unsigned words;
	uint64_t *in, *out, *ex, *rin, *rout, *rex;
};

static bool bit(const uint64_t *set, unsigned fd)
{
	return set[fd / 64] >> (fd % 64) & 1;
}

static void set_bit(uint64_t *set, unsigned fd)
{
	set[fd / 64] |= 1ull << (fd % 64);
}

/* One pass: the result sets and the number of bits in them, or EBADF for
 * a descriptor asked about that is not open. */
static int select_scan(void *set, unsigned n, struct poll_table *pt)
{
	struct select_sets *s = set;
	struct fd_table *files = current_proc()->files;
	int count = 0;

	memset(s->rin, 0, s->words * 24);
	for (unsigned fd = 0; fd < n; fd++) {
		bool in = bit(s->in, fd), out = bit(s->out, fd), ex = bit(s->ex, fd);
		if (!in && !out && !ex)
			continue;
		struct file *f = fd_get(files, (int)fd);
		if (!f)
			return -EBADF;
		unsigned mask = file_poll(f, count ? NULL : pt);
		file_put(f);
		if (in && (mask & SEL_IN))
			set_bit(s->rin, fd), count++;
		if (out && (mask & SEL_OUT))
			set_bit(s->rout, fd), count++;
		if (ex && (mask & SEL_EX))
			set_bit(s->rex, fd), count++;
	}
	return count;
}

static long do_select(struct select_sets *s, unsigned n, uint64_t deadline)
{
	long r = scan_until_ready(select_scan, s, n, deadline);
	return r == -EINTR ? -ERESTARTNOHAND : r;
}

static int get_set(uint64_t *set, void *uset, unsigned words)
{
	if (!uset)
		return 0;
	return copy_from_user(set, uset, words * 8) ? -EFAULT : 0;
}

static int put_set(void *uset, const uint64_t *set, unsigned words)
{
	if (!uset)
		return 0;
	return copy_to_user(uset, set, words * 8) ? -EFAULT : 0;
}

/* nfds past the descriptor table is cut to it, as Linux does. */
static long select_common(int nfds, void *uin, void *uout, void *uex, uint64_t deadline)
{
	if (nfds < 0)
		return -EINVAL;
	struct fd_table *files = current_proc()->files;
	unsigned n = MIN((unsigned)nfds, READ_ONCE(files->size));
	struct select_sets s = { .words = (n + 63) / 64 };
	uint64_t *mem = kzalloc(MAX(s.words, 1u) * 6 * 8);
	if (!mem)
		return -ENOMEM;
	s.in = mem, s.out = mem + s.words, s.ex = mem + 2 * s.words;
	s.rin = mem + 3 * s.words, s.rout = mem + 4 * s.words, s.rex = mem + 5 * s.words;
	long r = get_set(s.in, uin, s.words);
	if (!r)
		r = get_set(s.out, uout, s.words);
	if (!r)
		r = get_set(s.ex, uex, s.words);
	if (!r && n % 64) {
		/* Bits past nfds are not looked at. */
		uint64_t keep = (1ull << (n % 64)) - 1;
		s.in[s.words - 1] &= keep, s.out[s.words - 1] &= keep, s.ex[s.words - 1] &= keep;
	}
	if (!r)
		r = do_select(&s, n, deadline);
	if (r >= 0 && (put_set(uin, s.rin, s.words) || put_set(uout, s.rout, s.words) ||
		       put_set(uex, s.rex, s.words)))
		r = -EFAULT;
	kfree(mem);
	return r;
}

struct timeval_k {
	int64_t sec, usec;
};

long sys_select(int nfds, void *uin, void *uout, void *uex, void *utv)
{
	struct timeval_k tv;
	uint64_t deadline = NO_DEADLINE;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		/* Linux carries whole seconds of usec over into sec. */
		if (tv.sec < 0 || tv.usec < 0)
			return -EINVAL;
		struct timespec_k ts = { tv.sec + tv.usec / 1000000, tv.usec % 1000000 * 1000 };
		int err = deadline_from_timespec(&ts, &deadline);
		if (err)
			return err;
	}
	long r = select_common(nfds, uin, uout, uex, deadline);
	if (utv && deadline != NO_DEADLINE) {
		struct timespec_k left = time_left(deadline);
		tv = (struct timeval_k){ left.sec, left.nsec / 1000 };
		(void)copy_to_user(utv, &tv, sizeof(tv));
	}
	return r;
}

/* The sixth argument: where the signal mask is and its size. */
struct pselect_sigmask {
	const uint64_t *set;
	size_t size;
};

long sys_pselect6(int nfds, void *uin, void *uout, void *uex, void *utsp, void *usig)
{
	struct timespec_k ts;
	struct pselect_sigmask sig = { NULL, 0 };
	uint64_t deadline = NO_DEADLINE, saved = 0;

	if (utsp) {
		if (copy_from_user(&ts, utsp, sizeof(ts)))
			return -EFAULT;
		int err = deadline_from_timespec(&ts, &deadline);
		if (err)
			return err;
	}
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	int set = poll_sigmask_set(sig.set, sig.size, &saved);
	if (set < 0)
		return set;
	long r = select_common(nfds, uin, uout, uex, deadline);
	poll_sigmask_restore(set, saved, r);
	if (utsp && deadline != NO_DEADLINE) {
		ts = time_left(deadline);
		(void)copy_to_user(utsp, &ts, sizeof(ts));
	}
	return r;
}
