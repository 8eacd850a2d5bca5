/*
 * timerfd (timerfd_create(2)): a timer whose expirations are read from a
 * descriptor as a uint64_t count.
 *
 * The expiry is kept on the timer's own clock (realtime ns for the
 * realtime clocks), and turned into a monotonic kernel timer when armed;
 * setting the wall clock re-arms the realtime ones (timerfd_clock_was_set),
 * so they follow it as Linux's do, relative ones included. As in Linux the
 * kernel timer fires once: an interval timer is moved on, counting the
 * periods missed, when the count is read (or the time left is asked for),
 * so a 1 ns interval cannot flood a CPU with interrupts.
 *
 * Readiness (for poll/epoll later): readable while tfd_readable() holds;
 * every change that makes it true wakes ctx->wq.
 *
 * Locking: ctx->lock (irqsave: the timer function takes it) protects the
 * timer state. rt_lock protects the list of realtime timerfds. Order:
 * rt_lock -> ctx->lock -> timer base lock; wait queues are woken with
 * ctx->lock dropped.
 */
#include <kernel/poll.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/timer.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include "internal.h"

#define O_RDWR       02
#define O_NONBLOCK   04000
#define O_CLOEXEC    02000000
#define TFD_NONBLOCK O_NONBLOCK
#define TFD_CLOEXEC  O_CLOEXEC
#define TFD_TIMER_ABSTIME       1
#define TFD_TIMER_CANCEL_ON_SET 2

struct itimerspec_k {
	struct timespec_k interval, value;
};

struct timerfd {
	/* Immutable after creation. */
	int clock;
	struct spinlock lock;
	struct wait_queue wq;           /* readers (and poll) */
	struct timer timer;
	struct list_head rt_link;       /* realtime clocks: on rt_timerfds, under rt_lock */

	/* Under lock. */
	bool armed;                     /* set with a non-zero value */
	int64_t expiry;                 /* next expiry on the timer's clock, ns */
	int64_t interval;               /* ns; 0 = one-shot */
	uint64_t ticks;                 /* expirations not read yet */
	bool expired;                   /* expiry counted; interval: not yet moved on */
	bool might_cancel;              /* TFD_TIMER_CANCEL_ON_SET on a realtime clock */
	int64_t moffs;                  /* realtime offset when set; INT64_MAX once cancelled */
};

static LIST_HEAD(rt_timerfds);
static struct spinlock rt_lock = SPINLOCK_INIT("timerfd_rt");
static const struct file_ops timerfd_ops;

static bool is_realtime(int clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_ALARM;
}

static bool is_alarm(int clk)
{
	return clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM;
}

/* Arm the kernel timer for ctx->expiry, on the monotonic clock. */
static void arm_locked(struct timerfd *ctx)
{
	int64_t off = is_realtime(ctx->clock) ? clock_realtime_offset() : 0;
	int64_t mono = off < 0 ? ns_add_sat(ctx->expiry, -off) : ctx->expiry - off;

	assert_held(&ctx->lock);
	timer_arm(&ctx->timer, mono > 0 ? (uint64_t)mono : 0);
}

static void tfd_fire(struct timer *t)
{
	struct timerfd *ctx = container_of(t, struct timerfd, timer);
	unsigned long flags = spin_lock_irqsave(&ctx->lock);

	/* Stale: re-armed or disarmed since, or already counted. */
	if (t->armed || !ctx->armed || ctx->expired) {
		spin_unlock_irqrestore(&ctx->lock, flags);
		return;
	}
	ctx->expired = true;
	ctx->ticks++;
	spin_unlock_irqrestore(&ctx->lock, flags);
	wait_queue_wake_all(&ctx->wq);
}

/* A cancel-on-set timer whose clock was set since: sticky until settime. */
static bool canceled_locked(struct timerfd *ctx)
{
	if (!ctx->might_cancel || ctx->moffs == clock_realtime_offset())
		return false;
	ctx->moffs = INT64_MAX;
	return true;
}

static bool tfd_readable(struct timerfd *ctx)
{
	return READ_ONCE(ctx->ticks) != 0 ||
	       (READ_ONCE(ctx->might_cancel) && READ_ONCE(ctx->moffs) != clock_realtime_offset());
}

/*
 * A due expiry that the timer function has not counted yet (its interrupt
 * can be late, by milliseconds under emulation): count it now, as the
 * function would, so that read and gettime follow the clock. The late
 * function then finds it counted (one-shot) or the timer re-armed by
 * forward_locked (interval), and does nothing. True if counted here: the
 * caller wakes ctx->wq once the lock is dropped.
 */
static bool catch_up_locked(struct timerfd *ctx)
{
	if (!ctx->armed || ctx->expired || clock_now(ctx->clock) < ctx->expiry)
		return false;
	ctx->expired = true;
	ctx->ticks++;
	return true;
}

/* An interval timer that fired: count the periods that passed since, set
 * the next expiry and arm for it (hrtimer_forward's job in Linux). */
static void forward_locked(struct timerfd *ctx)
{
	if (!ctx->expired || !ctx->interval)
		return;
	int64_t now = clock_now(ctx->clock);
	uint64_t periods = now >= ctx->expiry ?
		(uint64_t)(now - ctx->expiry) / (uint64_t)ctx->interval + 1 : 1;
	ctx->ticks += periods - 1;
	if ((uint64_t)ctx->interval > (uint64_t)INT64_MAX / periods)
		ctx->expiry = INT64_MAX;
	else
		ctx->expiry = ns_add_sat(ctx->expiry, ctx->interval * (int64_t)periods);
	ctx->expired = false;
	arm_locked(ctx);
}

static int64_t remaining_locked(struct timerfd *ctx)
{
	if (!ctx->armed)
		return 0;
	int64_t left = ctx->expiry - clock_now(ctx->clock);
	return left > 0 ? left : 0;
}

static long tfd_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct timerfd *ctx = f->private;

	if (len < sizeof(uint64_t))
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&ctx->lock);
	while (!catch_up_locked(ctx) && !ctx->ticks && !canceled_locked(ctx)) {
		spin_unlock_irqrestore(&ctx->lock, flags);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(&ctx->wq, tfd_readable(ctx));
		if (err)
			return err;
		flags = spin_lock_irqsave(&ctx->lock);
	}
	if (canceled_locked(ctx)) {
		ctx->ticks = 0;
		ctx->expired = false;
		spin_unlock_irqrestore(&ctx->lock, flags);
		return -ECANCELED;
	}
	forward_locked(ctx);
	uint64_t ticks = ctx->ticks;
	ctx->ticks = 0;
	spin_unlock_irqrestore(&ctx->lock, flags);
	return put_user_u64(ticks, ubuf) ? -EFAULT : (long)sizeof(ticks);
}

static void tfd_release(struct file *f)
{
	struct timerfd *ctx = f->private;

	if (is_realtime(ctx->clock)) {
		spin_lock(&rt_lock);
		list_del(&ctx->rt_link);
		spin_unlock(&rt_lock);
	}
	unsigned long flags = spin_lock_irqsave(&ctx->lock);
	ctx->armed = false;
	spin_unlock_irqrestore(&ctx->lock, flags);
	timer_cancel_sync(&ctx->timer);
	kfree(ctx);
}

/* Readable once an expiry is counted (or a cancel-on-set timer's clock
 * was set). A due expiry whose interrupt is late is counted here, and
 * others waiting are told, as the late interrupt will not tell them. */
static unsigned tfd_poll(struct file *f, struct poll_table *pt)
{
	struct timerfd *ctx = f->private;

	poll_wait(pt, f, &ctx->wq);
	unsigned long flags = spin_lock_irqsave(&ctx->lock);
	bool counted = catch_up_locked(ctx);
	bool readable = ctx->ticks != 0 ||
			(ctx->might_cancel && ctx->moffs != clock_realtime_offset());
	spin_unlock_irqrestore(&ctx->lock, flags);
	if (counted)
		wait_queue_wake_all(&ctx->wq);
	return readable ? POLLIN | POLLRDNORM : 0;
}

static const struct file_ops timerfd_ops = {
	.poll = tfd_poll,
	.read = tfd_read,
	.release = tfd_release,
	.anon_mode = 0600,                 /* an anonymous inode */
};

void timerfd_clock_was_set(void)
{
	struct timerfd *ctx;
	int64_t off = clock_realtime_offset();

	spin_lock(&rt_lock);
	list_for_each_entry(ctx, &rt_timerfds, rt_link) {
		unsigned long flags = spin_lock_irqsave(&ctx->lock);
		if (ctx->armed && !ctx->expired)
			arm_locked(ctx);
		bool cancel = ctx->might_cancel && ctx->moffs != off;
		if (cancel)
			ctx->moffs = INT64_MAX;
		spin_unlock_irqrestore(&ctx->lock, flags);
		if (cancel)
			wait_queue_wake_all(&ctx->wq);
	}
	spin_unlock(&rt_lock);
}

static bool may_use_alarm(void)
{
	return current_proc()->cred.euid == 0;  /* CAP_WAKE_ALARM: root only */
}

long sys_timerfd_create(int clk, int flags)
{
	struct proc *p = current_proc();

	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME && clk != CLOCK_BOOTTIME &&
	    !is_alarm(clk))
		return -EINVAL;
	if (is_alarm(clk) && !may_use_alarm())
		return -EPERM;
	struct timerfd *ctx = kzalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->clock = clk;
	spin_lock_init(&ctx->lock, "timerfd");
	wait_queue_init(&ctx->wq);
	timer_init(&ctx->timer, tfd_fire);
	list_init(&ctx->rt_link);
	struct file *f = file_alloc(&timerfd_ops, ctx, O_RDWR | (flags & O_NONBLOCK));
	if (!f) {
		kfree(ctx);
		return -ENOMEM;
	}
	if (is_realtime(clk)) {
		spin_lock(&rt_lock);
		list_add_tail(&ctx->rt_link, &rt_timerfds);
		spin_unlock(&rt_lock);
	}
	int fd = fd_install(p->files, f, 0, flags & TFD_CLOEXEC, proc_fd_limit(p));
	file_put(f);                    /* the descriptor's reference, or the end */
	return fd;
}

/* The timerfd behind fd (with a file reference in *fp): EBADF, or EINVAL
 * for another kind of file. */
static struct timerfd *tfd_get(int fd, struct file **fp, long *err)
{
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &timerfd_ops) {
		file_put(f);
		*err = -EINVAL;
		return NULL;
	}
	*fp = f;
	return f->private;
}

static int put_itimerspec(void *uval, int64_t value, int64_t interval)
{
	struct itimerspec_k v = { ns_to_timespec(interval), ns_to_timespec(value) };
	return copy_to_user(uval, &v, sizeof(v)) ? -EFAULT : 0;
}

/* Linux's order: the copy, then flags and values, then the descriptor. */
long sys_timerfd_settime(int fd, int flags, const void *unew, void *uold)
{
	struct itimerspec_k nv;
	int64_t value, interval, ovalue, ointerval;
	struct file *f;
	long err = 0;

	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !timespec_to_ns(&nv.value, &value) || !timespec_to_ns(&nv.interval, &interval))
		return -EINVAL;
	struct timerfd *ctx = tfd_get(fd, &f, &err);
	if (!ctx)
		return err;
	if (is_alarm(ctx->clock) && !may_use_alarm()) {
		file_put(f);
		return -EPERM;
	}
	unsigned long irq = spin_lock_irqsave(&ctx->lock);
	catch_up_locked(ctx);           /* only for the old value: the count goes */
	forward_locked(ctx);
	ovalue = remaining_locked(ctx);
	ointerval = ctx->interval;
	ctx->ticks = 0;
	ctx->expired = false;
	ctx->interval = interval;
	ctx->might_cancel = is_realtime(ctx->clock) && (flags & TFD_TIMER_ABSTIME) &&
			    (flags & TFD_TIMER_CANCEL_ON_SET);
	ctx->moffs = clock_realtime_offset();
	ctx->armed = value != 0;
	if (ctx->armed) {
		ctx->expiry = (flags & TFD_TIMER_ABSTIME) ? value :
			      ns_add_sat(clock_now(ctx->clock), value);
		arm_locked(ctx);
	} else {
		timer_cancel(&ctx->timer);      /* a running function sees !armed */
	}
	spin_unlock_irqrestore(&ctx->lock, irq);
	file_put(f);
	return uold ? put_itimerspec(uold, ovalue, ointerval) : 0;
}

long sys_timerfd_gettime(int fd, void *ucur)
{
	struct file *f;
	long err = 0;

	struct timerfd *ctx = tfd_get(fd, &f, &err);
	if (!ctx)
		return err;
	unsigned long irq = spin_lock_irqsave(&ctx->lock);
	bool counted = catch_up_locked(ctx);
	forward_locked(ctx);
	int64_t value = remaining_locked(ctx), interval = ctx->interval;
	spin_unlock_irqrestore(&ctx->lock, irq);
	if (counted)
		wait_queue_wake_all(&ctx->wq);
	file_put(f);
	return put_itimerspec(ucur, value, interval);
}
