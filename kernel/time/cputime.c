/*
 * CPU-time accounting: user and system time per thread and per process,
 * charged at mode changes (kernel entry and exit, task switches; see
 * kernel/cputime.h), and the calls that report it: times(2), getrusage(2)
 * and the rusage of wait4(2).
 *
 * Locking: a task's counters are written only on its own CPU with
 * interrupts off, inside its seq count; readers elsewhere retry. The
 * process sums (exited threads, reaped children) are under proc_tree_lock.
 */
#include <kernel/arch.h>
#include <kernel/cputime.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/smp.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <mm/uaccess.h>

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1
#define USER_HZ 100

static void seq_begin(struct task_cputime *c)
{
	WRITE_ONCE(c->seq, c->seq + 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void seq_end(struct task_cputime *c)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	WRITE_ONCE(c->seq, c->seq + 1);
}

/* Each CPU's busy time by mode (idle tasks not counted). Written only by
 * its own CPU with interrupts off; read anywhere (aligned 64-bit words). */
static struct cpu_busy {
	uint64_t user_ns, sys_ns;
} __aligned(64) cpu_busy[NR_CPUS];

/* Charge the time since the stamp to the current mode and enter mode.
 * Interrupts off, on t's CPU. */
static void charge(struct task *t, enum cputime_mode mode, uint64_t now)
{
	struct task_cputime *c = &t->cputime;
	struct cpu_busy *b = sched_task_is_idle(t) ? NULL : &cpu_busy[arch_cpu_id()];

	seq_begin(c);
	uint64_t delta = now > c->stamp_ns ? now - c->stamp_ns : 0;
	if (c->mode == CPUTIME_USER) {
		c->utime_ns += delta;
		if (b)
			WRITE_ONCE(b->user_ns, b->user_ns + delta);
	} else if (c->mode == CPUTIME_SYS) {
		c->stime_ns += delta;
		if (b)
			WRITE_ONCE(b->sys_ns, b->sys_ns + delta);
	}
	c->stamp_ns = now;
	c->mode = (uint8_t)mode;
	seq_end(c);
}

void cputime_kernel_entry(void)
{
	struct task *t = current_task();

	charge(t, CPUTIME_SYS, time_ns());
	t->cputime.itimer_slack_ns = 0;
	if (t->proc && READ_ONCE(t->proc->times.cpu_armed))
		itimer_cpu_check();     /* sets the slack again */
}

void itimer_cpu_arm(uint64_t slack_ns);       /* kernel/time/itimer.c */

void cputime_kernel_exit(void)
{
	struct task *t = current_task();

	charge(t, CPUTIME_USER, time_ns());
	itimer_cpu_arm(t->cputime.itimer_slack_ns);
}

void cputime_switch(struct task *prev, struct task *next, uint64_t now)
{
	if (prev->state == TASK_SLEEPING)
		prev->cputime.nvcsw++;
	else if (prev->state == TASK_RUNNABLE)
		prev->cputime.nivcsw++;
	charge(prev, CPUTIME_OFF, now);
	charge(next, CPUTIME_SYS, now);
}

void cputime_cpu_read(unsigned cpu, uint64_t *user, uint64_t *sys)
{
	*user = cpu < NR_CPUS ? READ_ONCE(cpu_busy[cpu].user_ns) : 0;
	*sys = cpu < NR_CPUS ? READ_ONCE(cpu_busy[cpu].sys_ns) : 0;
}

void cputime_task_read(struct task *t, uint64_t *utime, uint64_t *stime)
{
	struct task_cputime *c = &t->cputime;
	uint32_t seq;
	uint64_t u, s, stamp;
	uint8_t mode;

	do {
		while ((seq = READ_ONCE(c->seq)) & 1)
			arch_cpu_relax();
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		u = READ_ONCE(c->utime_ns);
		s = READ_ONCE(c->stime_ns);
		stamp = READ_ONCE(c->stamp_ns);
		mode = READ_ONCE(c->mode);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (READ_ONCE(c->seq) != seq);
	/* The interval under way: TSCs agree across CPUs closely enough, but
	 * never let a reading go below the charged sum. */
	uint64_t now = time_ns();
	uint64_t running = now > stamp ? now - stamp : 0;
	if (mode == CPUTIME_USER)
		u += running;
	else if (mode == CPUTIME_SYS)
		s += running;
	*utime = u;
	*stime = s;
}

static void proc_read_locked(struct proc *p, uint64_t *utime, uint64_t *stime,
			     uint64_t *nvcsw, uint64_t *nivcsw)
{
	uint64_t u = p->times.dead_utime, s = p->times.dead_stime;
	uint64_t v = p->times.dead_nvcsw, iv = p->times.dead_nivcsw;
	struct task *t;

	assert_held(&proc_tree_lock);
	list_for_each_entry(t, &p->threads, thread_link) {
		uint64_t tu, ts;
		cputime_task_read(t, &tu, &ts);
		u += tu;
		s += ts;
		v += READ_ONCE(t->cputime.nvcsw);
		iv += READ_ONCE(t->cputime.nivcsw);
	}
	*utime = u;
	*stime = s;
	if (nvcsw) {
		*nvcsw = v;
		*nivcsw = iv;
	}
}

void cputime_proc_read_locked(struct proc *p, uint64_t *utime, uint64_t *stime)
{
	proc_read_locked(p, utime, stime, NULL, NULL);
}

void cputime_proc_read(struct proc *p, uint64_t *utime, uint64_t *stime)
{
	spin_lock(&proc_tree_lock);
	proc_read_locked(p, utime, stime, NULL, NULL);
	spin_unlock(&proc_tree_lock);
}

/* t leaves its process: its time so far goes to the process's sum of
 * exited threads (what it runs after this is lost: a few microseconds). */
void cputime_thread_exit_locked(struct task *t)
{
	struct proc *p = t->proc;
	unsigned long flags = arch_irq_save();
	uint64_t u, s;

	assert_held(&proc_tree_lock);
	charge(t, CPUTIME_SYS, time_ns());
	cputime_task_read(t, &u, &s);
	p->times.dead_utime += u;
	p->times.dead_stime += s;
	p->times.dead_nvcsw += t->cputime.nvcsw;
	p->times.dead_nivcsw += t->cputime.nivcsw;
	arch_irq_restore(flags);
}

static void ns_to_timeval(uint64_t ns, int64_t *sec, int64_t *usec)
{
	*sec = (int64_t)(ns / NSEC_PER_SEC);
	*usec = (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
}

static void fill_rusage(struct rusage_k *ru, uint64_t u, uint64_t s, uint64_t nvcsw,
			uint64_t nivcsw)
{
	*ru = (struct rusage_k){ .nvcsw = (int64_t)nvcsw, .nivcsw = (int64_t)nivcsw };
	ns_to_timeval(u, &ru->utime_sec, &ru->utime_usec);
	ns_to_timeval(s, &ru->stime_sec, &ru->stime_usec);
}

/* What wait4 reports for a zombie: its own time and its reaped children's
 * (Linux's RUSAGE_BOTH of the child). */
void cputime_child_rusage_locked(struct proc *c, struct rusage_k *ru)
{
	assert_held(&proc_tree_lock);
	fill_rusage(ru, c->times.dead_utime + c->times.child_utime,
		    c->times.dead_stime + c->times.child_stime,
		    c->times.dead_nvcsw + c->times.child_nvcsw,
		    c->times.dead_nivcsw + c->times.child_nivcsw);
}

void cputime_reap_locked(struct proc *parent, struct proc *c)
{
	assert_held(&proc_tree_lock);
	parent->times.child_utime += c->times.dead_utime + c->times.child_utime;
	parent->times.child_stime += c->times.dead_stime + c->times.child_stime;
	parent->times.child_nvcsw += c->times.dead_nvcsw + c->times.child_nvcsw;
	parent->times.child_nivcsw += c->times.dead_nivcsw + c->times.child_nivcsw;
}

long sys_getrusage(int who, void *uru)
{
	struct proc *p = current_proc();
	struct task *t = current_task();
	struct rusage_k ru;
	uint64_t u, s, v, iv;

	switch (who) {
	case RUSAGE_SELF:
		spin_lock(&proc_tree_lock);
		proc_read_locked(p, &u, &s, &v, &iv);
		spin_unlock(&proc_tree_lock);
		fill_rusage(&ru, u, s, v, iv);
		break;
	case RUSAGE_CHILDREN:
		spin_lock(&proc_tree_lock);
		fill_rusage(&ru, p->times.child_utime, p->times.child_stime,
			    p->times.child_nvcsw, p->times.child_nivcsw);
		spin_unlock(&proc_tree_lock);
		break;
	case RUSAGE_THREAD:
		cputime_task_read(t, &u, &s);
		fill_rusage(&ru, u, s, READ_ONCE(t->cputime.nvcsw), READ_ONCE(t->cputime.nivcsw));
		break;
	default:
		return -EINVAL;
	}
	return copy_to_user(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

/* struct tms in clock ticks (USER_HZ); returns ticks since boot. */
long sys_times(void *ubuf)
{
	struct proc *p = current_proc();
	uint64_t u, s;

	if (ubuf) {
		spin_lock(&proc_tree_lock);
		proc_read_locked(p, &u, &s, NULL, NULL);
		int64_t tms[4] = {
			(int64_t)(u / (NSEC_PER_SEC / USER_HZ)),
			(int64_t)(s / (NSEC_PER_SEC / USER_HZ)),
			(int64_t)(p->times.child_utime / (NSEC_PER_SEC / USER_HZ)),
			(int64_t)(p->times.child_stime / (NSEC_PER_SEC / USER_HZ)),
		};
		spin_unlock(&proc_tree_lock);
		if (copy_to_user(ubuf, tms, sizeof(tms)))
			return -EFAULT;
	}
	return (long)(time_ns() / (NSEC_PER_SEC / USER_HZ));
}
