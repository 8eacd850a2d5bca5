/*
 * Interval timers of a process (setitimer(2), getitimer(2), alarm(2)).
 *
 * ITIMER_REAL counts monotonic time with a kernel timer. Its function runs
 * in interrupt context, and may not send the signal itself: signal_send()
 * takes proc_tree_lock with spin_lock, and an interrupt that arrives while
 * its own CPU holds proc_tree_lock (wait4, fork, exit: all with interrupts
 * on) would spin on it forever. So the timer function only queues the
 * process (itimer_lock, interrupts off) and wakes "itimerd", a kernel task
 * that sends SIGALRM in task context. Exit takes the process off the queue
 * and waits until itimerd is not signalling it, so it never touches a
 * process that is gone.
 *
 * ITIMER_VIRTUAL and ITIMER_PROF count the process's user, and user plus
 * system, time (kernel/time/cputime.c). They are checked on kernel entry
 * (task context, no locks held: signal_send is fine there). For a thread
 * that runs user code without entering the kernel, the way back to user
 * mode arms a per-CPU kernel timer for when the process's timer could
 * expire; its interrupt is the kernel entry that checks it. With several
 * threads running at once a process's CPU time grows faster than the
 * clock, so the timer is armed for the time left divided by the number of
 * threads; a thread that never enters the kernel learns of a timer another
 * thread set only at its next kernel entry.
 *
 * Locking: itimer_lock (irqsave: the ITIMER_REAL function takes it)
 * protects every process's itimer state and the queue; lock order
 * itimer_lock -> timer base lock. proc_tree_lock is never held with it.
 * fork does not copy the timers; exec keeps them (both as Linux).
 */
#include <kernel/arch.h>
#include <kernel/cputime.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <kernel/smp.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/timer.h>
#include <mm/uaccess.h>
#include "internal.h"

enum { ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF };

/* What getitimer reports for a timer that is due but not yet handled. */
#define ALMOST_NOW_NS NSEC_PER_USEC
/* The per-CPU check timer is never armed closer than this. */
#define MIN_CHECK_NS (20 * NSEC_PER_USEC)

struct itimerval_k {
	struct timeval_k interval, value;
};

static struct spinlock itimer_lock = SPINLOCK_INIT("itimer");
static LIST_HEAD(itimer_queue);         /* ITIMER_REAL expired, SIGALRM to send */
static struct proc *itimer_busy;        /* the process itimerd is signalling */
static struct wait_queue itimer_wq = WAIT_QUEUE_INIT(itimer_wq);
static struct timer cpu_check[NR_CPUS]; /* ITIMER_VIRTUAL/PROF checks, per CPU */

/* ---- ITIMER_REAL ---- */

static void real_fire(struct timer *t)
{
	struct itimer_real *r = container_of(t, struct itimer_real, timer);
	unsigned long flags = spin_lock_irqsave(&itimer_lock);
	uint64_t now = time_ns();

	/* Stale: re-armed, disarmed or moved later since it fired. */
	if (t->armed || !r->deadline || now < r->deadline) {
		spin_unlock_irqrestore(&itimer_lock, flags);
		return;
	}
	if (!r->queued) {
		r->queued = true;
		list_add_tail(&r->pending, &itimer_queue);
	}
	if (r->interval) {
		uint64_t periods = (now - r->deadline) / r->interval + 1;
		r->deadline = (uint64_t)ns_add_sat((int64_t)r->deadline,
						   (int64_t)MIN(periods * r->interval, (uint64_t)INT64_MAX));
		timer_arm(t, r->deadline);
	} else {
		r->deadline = 0;
	}
	spin_unlock_irqrestore(&itimer_lock, flags);
	wait_queue_wake_all(&itimer_wq);
}

static void itimerd(void *arg)
{
	for (;;) {
		wait_event(&itimer_wq, !list_empty(&itimer_queue));
		unsigned long flags = spin_lock_irqsave(&itimer_lock);
		if (list_empty(&itimer_queue)) {
			spin_unlock_irqrestore(&itimer_lock, flags);
			continue;
		}
		struct itimer_real *r = list_first_entry(&itimer_queue, struct itimer_real, pending);
		list_del(&r->pending);
		r->queued = false;
		struct proc *p = container_of(r, struct proc, times.real);
		itimer_busy = p;
		spin_unlock_irqrestore(&itimer_lock, flags);

		signal_send(p, SIGALRM);

		flags = spin_lock_irqsave(&itimer_lock);
		itimer_busy = NULL;
		spin_unlock_irqrestore(&itimer_lock, flags);
	}
}

void itimer_init(void)
{
	if (!task_create("itimerd", itimerd, NULL))
		panic("itimer: cannot start itimerd");
}

static uint64_t real_remaining(struct itimer_real *r, uint64_t now)
{
	if (!r->deadline)
		return 0;
	return r->deadline > now ? r->deadline - now : ALMOST_NOW_NS;
}

/* Caller holds itimer_lock. */
static void real_set(struct itimer_real *r, uint64_t value, uint64_t interval,
		     uint64_t *ovalue, uint64_t *ointerval)
{
	uint64_t now = time_ns();

	assert_held(&itimer_lock);
	*ovalue = real_remaining(r, now);
	*ointerval = r->interval;
	if (!r->timer.fn)
		timer_init(&r->timer, real_fire);
	if (value) {
		r->deadline = (uint64_t)ns_add_sat((int64_t)now, (int64_t)value);
		r->interval = interval;
		timer_arm(&r->timer, r->deadline);
	} else {
		r->deadline = 0;
		r->interval = 0;
		timer_cancel(&r->timer);        /* a running function sees deadline 0 */
	}
}

/* ---- ITIMER_VIRTUAL and ITIMER_PROF ---- */

static void cpu_check_fire(struct timer *t)
{
	/* Nothing to do here: the interrupt itself is a kernel entry from
	 * user mode (if that is what it interrupted), which checks. */
}

/* Kernel exit: arm this CPU's check timer slack ns ahead, or disarm it. */
void itimer_cpu_arm(uint64_t slack_ns);
void itimer_cpu_arm(uint64_t slack_ns)
{
	struct timer *t = &cpu_check[arch_cpu_id()];

	if (slack_ns) {
		if (!t->fn)
			timer_init(t, cpu_check_fire);
		timer_arm(t, time_ns() + MAX(slack_ns, MIN_CHECK_NS));
	} else if (READ_ONCE(t->armed)) {
		timer_cancel(t);
	}
}

/* The process's user (VIRTUAL) and user + system (PROF) time. */
static void cpu_clocks(struct proc *p, uint64_t now[2])
{
	uint64_t u, s;
	cputime_proc_read(p, &u, &s);
	now[0] = u;
	now[1] = u + s;
}

void itimer_cpu_check(void)
{
	struct task *self = current_task();
	struct proc *p = self->proc;
	uint64_t now[2], slack = UINT64_MAX;
	bool fire[2] = { false, false };

	cpu_clocks(p, now);
	unsigned long flags = spin_lock_irqsave(&itimer_lock);
	for (int i = 0; i < 2; i++) {
		uint64_t *exp = &p->times.cpu_expiry[i], incr = p->times.cpu_interval[i];
		if (!*exp)
			continue;
		if (now[i] >= *exp) {
			fire[i] = true;
			*exp = incr ? *exp + ((now[i] - *exp) / incr + 1) * incr : 0;
		}
		if (*exp)
			slack = MIN(slack, *exp - now[i]);
	}
	p->times.cpu_armed = p->times.cpu_expiry[0] || p->times.cpu_expiry[1];
	unsigned threads = MAX(READ_ONCE(p->nr_threads), 1u);
	spin_unlock_irqrestore(&itimer_lock, flags);
	self->cputime.itimer_slack_ns = slack == UINT64_MAX ? 0 : MAX(slack / threads, 1ull);
	if (fire[0])
		signal_send(p, SIGVTALRM);
	if (fire[1])
		signal_send(p, SIGPROF);
}

static uint64_t cpu_remaining(struct proc *p, int i, uint64_t now)
{
	uint64_t exp = p->times.cpu_expiry[i];
	if (!exp)
		return 0;
	return exp > now ? exp - now : ALMOST_NOW_NS;
}

/* ---- the system calls ---- */

static int do_setitimer(int which, uint64_t value, uint64_t interval, uint64_t *ovalue,
			uint64_t *ointerval)
{
	struct proc *p = current_proc();
	uint64_t now[2];
	unsigned long flags;

	switch (which) {
	case ITIMER_REAL:
		flags = spin_lock_irqsave(&itimer_lock);
		real_set(&p->times.real, value, interval, ovalue, ointerval);
		spin_unlock_irqrestore(&itimer_lock, flags);
		return 0;
	case ITIMER_VIRTUAL:
	case ITIMER_PROF: {
		int i = which - ITIMER_VIRTUAL;
		cpu_clocks(p, now);
		flags = spin_lock_irqsave(&itimer_lock);
		*ovalue = cpu_remaining(p, i, now[i]);
		*ointerval = p->times.cpu_interval[i];
		p->times.cpu_expiry[i] = value ? now[i] + value : 0;
		p->times.cpu_interval[i] = interval;
		p->times.cpu_armed = p->times.cpu_expiry[0] || p->times.cpu_expiry[1];
		spin_unlock_irqrestore(&itimer_lock, flags);
		/* This thread's way out arms the check timer. */
		current_task()->cputime.itimer_slack_ns = 0;
		if (p->times.cpu_armed)
			itimer_cpu_check();
		return 0;
	}
	default:
		return -EINVAL;
	}
}

static int get_itimerval(const void *uval, uint64_t *value, uint64_t *interval)
{
	struct itimerval_k v;
	int64_t vns, ins;

	if (copy_from_user(&v, uval, sizeof(v)))
		return -EFAULT;
	if (!timeval_to_ns(&v.value, &vns) || !timeval_to_ns(&v.interval, &ins))
		return -EINVAL;
	*value = (uint64_t)vns;
	*interval = (uint64_t)ins;
	return 0;
}

static int put_itimerval(void *uval, uint64_t value, uint64_t interval)
{
	struct itimerval_k v = { ns_to_timeval((int64_t)interval), ns_to_timeval((int64_t)value) };
	return copy_to_user(uval, &v, sizeof(v)) ? -EFAULT : 0;
}

/* A NULL new value disarms (Linux accepts it, with a warning). */
long sys_setitimer(int which, const void *unew, void *uold)
{
	uint64_t value = 0, interval = 0, ovalue, ointerval;

	if (unew) {
		int err = get_itimerval(unew, &value, &interval);
		if (err)
			return err;
	}
	int err = do_setitimer(which, value, interval, &ovalue, &ointerval);
	if (err)
		return err;
	return uold ? put_itimerval(uold, ovalue, ointerval) : 0;
}

long sys_getitimer(int which, void *uval)
{
	struct proc *p = current_proc();
	uint64_t value, interval, now[2];
	unsigned long flags;

	switch (which) {
	case ITIMER_REAL:
		flags = spin_lock_irqsave(&itimer_lock);
		value = real_remaining(&p->times.real, time_ns());
		interval = p->times.real.interval;
		spin_unlock_irqrestore(&itimer_lock, flags);
		break;
	case ITIMER_VIRTUAL:
	case ITIMER_PROF:
		cpu_clocks(p, now);
		flags = spin_lock_irqsave(&itimer_lock);
		value = cpu_remaining(p, which - ITIMER_VIRTUAL, now[which - ITIMER_VIRTUAL]);
		interval = p->times.cpu_interval[which - ITIMER_VIRTUAL];
		spin_unlock_irqrestore(&itimer_lock, flags);
		break;
	default:
		return -EINVAL;
	}
	return put_itimerval(uval, value, interval);
}

/* The seconds left of the previous alarm, rounded to the nearest, but
 * never 0 for an alarm still pending (as Linux). */
long sys_alarm(unsigned seconds)
{
	uint64_t ovalue, ointerval;

	do_setitimer(ITIMER_REAL, (uint64_t)seconds * NSEC_PER_SEC, 0, &ovalue, &ointerval);
	uint64_t sec = ovalue / NSEC_PER_SEC, nsec = ovalue % NSEC_PER_SEC;
	if ((!sec && nsec) || nsec >= NSEC_PER_SEC / 2)
		sec++;
	return (long)sec;
}

void itimer_exit(struct proc *p)
{
	struct itimer_real *r = &p->times.real;
	unsigned long flags = spin_lock_irqsave(&itimer_lock);

	r->deadline = 0;
	r->interval = 0;
	if (r->queued) {
		list_del(&r->pending);
		r->queued = false;
	}
	p->times.cpu_expiry[0] = p->times.cpu_expiry[1] = 0;
	p->times.cpu_armed = false;
	spin_unlock_irqrestore(&itimer_lock, flags);
	if (r->timer.fn)
		timer_cancel_sync(&r->timer);
	while (READ_ONCE(itimer_busy) == p)
		sched_yield();
}
