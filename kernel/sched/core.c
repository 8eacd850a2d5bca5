/*
 * The scheduler core: per-CPU run queues, the switch between tasks,
 * wake-ups, task creation and exit, time slices, and changes of a task's
 * scheduling attributes. Policies: rt.c and fair.c; CPU choice and load
 * balancing: balance.c; wait queues: wait.c. docs/scheduler.md has the
 * whole design.
 *
 * Lock order:
 *   proc_tree_lock -> wait_queue.lock -> task.sched_lock -> runqueue.lock
 *     -> timer base lock (kernel/time/timer.c)
 *   two run-queue locks: lower address first (balance.c).
 * Run-queue and task locks are taken with interrupts off (interrupt
 * handlers wake tasks). A run-queue lock is held across arch_context_switch
 * and released by the task switched to (finish_switch).
 *
 * A task's cpu field changes only (a) while it is queued but not running,
 * under the locks of both run queues (balancing), or (b) while it is on no
 * run queue (on_rq false), under its sched_lock (wake-up, start, push).
 * Holding sched_lock and the lock of rqs[t->cpu] therefore pins it.
 *
 * The on_cpu handshake: the CPU that switches to a task sets on_cpu; the
 * CPU that switches away from it clears it in finish_switch, after the
 * switch is complete and before it drops its run-queue lock. A task whose
 * affinity forbids its CPU while it runs is not queued anywhere by
 * schedule() (its stack is still in use): the CPU pushes it to an allowed
 * one in finish_switch, once on_cpu is clear. So a task is queued only when
 * no CPU is on its stack, and switching to a task with on_cpu set is a bug
 * this file panics on.
 */
#include "sched.h"
#include <kernel/arch.h>
#include <kernel/lockdep.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/vmap.h>
#include <mm/mm.h>

struct runqueue rqs[NR_CPUS];
struct task idle_tasks[NR_CPUS];
static void slice_expired(struct timer *t);
static int next_tid = 1;
static unsigned nr_tasks;               /* live tasks, idle tasks included */
static uint64_t online_mask;            /* bit n: rqs[n].online, read on every wake-up */

static struct runqueue *this_rq(void)
{
	return &rqs[arch_cpu_id()];
}

static unsigned rq_cpu(const struct runqueue *rq)
{
	return (unsigned)(rq - rqs);
}

static bool is_rt(const struct task *t)
{
	return rt_policy(t->policy);
}

void sched_init_cpu(unsigned cpu)
{
	struct runqueue *rq = &rqs[cpu];
	struct task *idle = &idle_tasks[cpu];

	spin_lock_init(&rq->lock, "runqueue");
	rt_rq_init(&rq->rt);
	fair_rq_init(&rq->fair);
	idle->tid = 0;
	idle->cpu = cpu;
	snprintf(idle->name, sizeof(idle->name), "idle%u", cpu);
	spin_lock_init(&idle->sched_lock, "task.sched");
	idle->state = TASK_RUNNABLE;
	idle->on_cpu = true;
	idle->cpus_allowed = 1ull << cpu;
	idle->weight = NICE_0_WEIGHT;
	list_init(&idle->run_link);
	list_init(&idle->wait_link);
	idle->last_run_ns = time_ns();
	rq->current = rq->idle = idle;
	timer_init(&rq->slice, slice_expired);
	arch_set_current(idle, 0);
	__atomic_fetch_add(&nr_tasks, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rq->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_or(&online_mask, 1ull << cpu, __ATOMIC_RELEASE);
}

void sched_init(void)
{
	sched_init_cpu(0);
}

/* The address space user accesses go to: the task's, or (kernel tests
 * that activate an mm by hand) whatever this CPU has active. */
struct mm *current_mm(void)
{
	struct task *t = current_task();
	return t->mm ? t->mm : mm_current();
}

unsigned sched_nr_tasks(void)
{
	return READ_ONCE(nr_tasks);
}

unsigned sched_nr_cpus(void)
{
	unsigned n = 0;
	for (unsigned c = 0; c < NR_CPUS; c++)
		n += READ_ONCE(rqs[c].online);
	return n;
}

uint64_t sched_online_mask(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}

/* ---- queues ------------------------------------------------------------ */

/* The class queues hold runnable tasks that are not running. */
static void queue_insert(struct runqueue *rq, struct task *t, bool head)
{
	if (is_rt(t))
		rt_enqueue(&rq->rt, t, head);
	else
		fair_enqueue(&rq->fair, t);
}

static void queue_remove(struct runqueue *rq, struct task *t)
{
	if (is_rt(t))
		rt_dequeue(&rq->rt, t);
	else
		fair_dequeue(&rq->fair, t);
}

/* t (on no run queue, on no CPU) becomes runnable on rq. */
void enqueue_task(struct runqueue *rq, struct task *t, bool head)
{
	assert_held(&rq->lock);
	BUG_ON(t->on_rq);
	BUG_ON(READ_ONCE(t->on_cpu));
	BUG_ON(t->cpu != rq_cpu(rq));
	t->on_rq = true;
	rq->nr_running++;
	queue_insert(rq, t, head);
}

/* A queued (not running) t leaves rq. */
void dequeue_task(struct runqueue *rq, struct task *t)
{
	assert_held(&rq->lock);
	BUG_ON(!t->on_rq || t == rq->current);
	queue_remove(rq, t);
	t->on_rq = false;
	rq->nr_running--;
}

/* The running fair task of rq, if any: it is outside the tree. */
static struct task *fair_current(struct runqueue *rq)
{
	struct task *c = rq->current;
	return c != rq->idle && c->on_rq && fair_policy(c->policy) ? c : NULL;
}

/* Charge the running task for its time since it was last accounted. May
 * be called for another CPU's queue (under its lock). */
void update_curr(struct runqueue *rq, uint64_t now)
{
	struct task *c = rq->current;
	int64_t delta = (int64_t)(now - c->last_run_ns);

	assert_held(&rq->lock);
	if (delta > 0) {
		c->last_run_ns = now;
		c->runtime_ns += (uint64_t)delta;
		if (c != rq->idle && fair_policy(c->policy))
			fair_account(c, (uint64_t)delta);
	}
	fair_update_min(&rq->fair, fair_current(rq));
}

/* Tell rq's CPU to reschedule (from its own CPU: at its next chance). */
void resched_cpu(struct runqueue *rq)
{
	WRITE_ONCE(rq->need_resched, true);
	if (rq != this_rq())
		arch_send_reschedule(rq_cpu(rq));
}

/* t was just queued on rq: should it take the CPU from rq->current? */
static bool check_preempt(struct runqueue *rq, struct task *t)
{
	struct task *c = rq->current;
	bool preempt;

	if (c == rq->idle)
		preempt = true;
	else if (is_rt(t))
		preempt = !is_rt(c) || t->rt_priority > c->rt_priority;
	else if (is_rt(c))
		preempt = false;
	else
		preempt = fair_wakeup_preempts(c, t);
	if (preempt)
		WRITE_ONCE(rq->need_resched, true);
	return preempt;
}

/* ---- time slices (tick-less) --------------------------------------------- */

static void slice_expired(struct timer *t)
{
	struct runqueue *rq = container_of(t, struct runqueue, slice);
	WRITE_ONCE(rq->need_resched, true);
	WRITE_ONCE(rq->balance_due, true);
}

/*
 * Arm this CPU's slice timer for its current task, or disarm it: a slice
 * ends only when another task waits for the CPU (a fair task with fair
 * company, an RR task with a peer of its priority); FIFO tasks, lone tasks
 * and the idle task run with no timer at all. Called on rq's own CPU,
 * whenever its current task or its queue changes.
 */
static void arm_slice(struct runqueue *rq)
{
	struct task *c = rq->current;
	uint64_t len = 0;

	assert_held(&rq->lock);
	if (c == rq->idle)
		len = 0;
	else if (is_rt(c))
		len = c->policy == SCHED_RR && rt_has_peer(&rq->rt, c->rt_priority) ?
		      SCHED_RR_SLICE_NS : 0;
	else if (rq->fair.nr)
		len = fair_slice(&rq->fair, c);
	if (len)
		timer_arm(&rq->slice, c->slice_start_ns + len);
	else
		timer_cancel(&rq->slice);
}

/* ---- switching ------------------------------------------------------------ */

/* The running task goes back into its queue (it stays runnable here). */
static void put_prev(struct runqueue *rq, struct task *prev, uint64_t now)
{
	bool head = false;

	if (is_rt(prev)) {
		/* Preempted: keeps its place. Yielding, or RR with its
		 * slice used up: behind its peers. */
		head = !prev->yielded;
		if (prev->policy == SCHED_RR && now - prev->slice_start_ns >= SCHED_RR_SLICE_NS)
			head = false;
	} else if (prev->yielded) {
		fair_yield(&rq->fair, prev);
	}
	prev->yielded = false;
	queue_insert(rq, prev, head);
}

/* Real-time first, then fair, then idle. The task picked stays on_rq. */
static struct task *pick_next(struct runqueue *rq)
{
	struct task *t = rt_first(&rq->rt);
	if (!t)
		t = fair_first(&rq->fair);
	if (!t)
		return rq->idle;
	queue_remove(rq, t);
	return t;
}

static void free_task(struct task *t)
{
	arch_thread_free(&t->arch);
	kstack_free(t->kstack_top);
	kfree(t);
	__atomic_fetch_sub(&nr_tasks, 1, __ATOMIC_RELAXED);
}

/*
 * Called by the task switched to, still holding the run-queue lock the
 * switching task took. Ends the on_cpu handshake for the task switched
 * away from, then frees it if it exited, or moves it if its affinity no
 * longer allows this CPU. flags: the interrupt state the task switched to
 * had when it called schedule() (each task gets its own back: one that
 * was preempted on its way out of an interrupt must not resume with
 * interrupts on).
 */
static void finish_switch(struct runqueue *rq, unsigned long flags)
{
	struct task *prev = rq->prev, *push = rq->push;
	bool dead = prev->state == TASK_DEAD;
	uint64_t min = rq->fair.min_vruntime;

	rq->prev = rq->push = NULL;
	/* From here on another CPU may run prev. */
	__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&rq->lock, flags);
	if (dead)
		free_task(prev);
	if (push) {
		flags = spin_lock_irqsave(&push->sched_lock);
		activate_task(push, select_cpu(push, rq_cpu(rq), false), rq_cpu(rq), min, false);
		spin_unlock_irqrestore(&push->sched_lock, flags);
	}
}

void schedule(void)
{
	lockdep_check_sleep();
	struct runqueue *rq = this_rq();

	if (READ_ONCE(rq->balance_due)) {
		WRITE_ONCE(rq->balance_due, false);
		push_balance();
	}
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	struct task *prev = rq->current;
	uint64_t now = time_ns();

	update_curr(rq, now);
	rq->need_resched = false;
	if (prev != rq->idle) {
		if (prev->state != TASK_RUNNABLE) {
			/* Sleeping or dead: off the run queue. */
			prev->on_rq = false;
			rq->nr_running--;
		} else if (!cpu_allowed(prev, rq_cpu(rq))) {
			/* Affinity changed while it ran: finish_switch moves it. */
			prev->on_rq = false;
			rq->nr_running--;
			rq->push = prev;
		} else {
			put_prev(rq, prev, now);
		}
	}

	struct task *next = pick_next(rq);
	next->slice_start_ns = now;
	if (next == prev) {
		arm_slice(rq);
		spin_unlock_irqrestore(&rq->lock, flags);
		return;
	}
	if (__atomic_exchange_n(&next->on_cpu, true, __ATOMIC_ACQ_REL))
		panic("sched: CPU %u switching to task %d (%s), which another CPU runs",
		      rq_cpu(rq), next->tid, next->name);
	next->last_run_ns = now;
	cputime_switch(prev, next, now);
	rq->current = next;
	rq->prev = prev;
	rq->nr_switches++;
	arm_slice(rq);
	arch_set_current(next, (uint64_t)next->kstack_top);
	arch_switch_thread(&prev->arch, &next->arch);
	/* A CPU has a user mm loaded only while it runs one of its tasks:
	 * then the last mm_put() (by a task of that mm, or when none runs)
	 * can never free tables another CPU still walks. */
	if (next->mm)
		mm_activate(next->mm);
	else if (mm_current())
		mm_activate(NULL);
	arch_context_switch(&prev->saved_rsp, next->saved_rsp);
	/* Back in prev, switched to by someone else who holds the lock. */
	finish_switch(this_rq(), flags);
}

/* On the way back to user mode: switch while a switch is due. */
void sched_preempt_point(void)
{
	while (READ_ONCE(this_rq()->need_resched))
		schedule();
}

void sched_yield(void)
{
	struct runqueue *rq = this_rq();
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	if (rq->current != rq->idle)
		rq->current->yielded = true;
	spin_unlock_irqrestore(&rq->lock, flags);
	schedule();
}

/* A reschedule IPI: the interrupt itself ends the target's hlt; a busy
 * target re-evaluates its slice (its queue changed). */
void sched_reschedule_ipi(void)
{
	struct runqueue *rq = this_rq();
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	if (rq->current == rq->idle && rq->nr_running)
		rq->need_resched = true;
	arm_slice(rq);
	spin_unlock_irqrestore(&rq->lock, flags);
}

/* ---- wake-ups and new tasks ---------------------------------------------- */

/* Lock the run queue t belongs to (see the rule for t->cpu above: hold
 * t->sched_lock too unless t is queued or running). */
static struct runqueue *lock_task_rq(struct task *t, unsigned long *flags)
{
	for (;;) {
		struct runqueue *rq = &rqs[READ_ONCE(t->cpu)];
		*flags = spin_lock_irqsave(&rq->lock);
		if (rq == &rqs[READ_ONCE(t->cpu)])
			return rq;
		spin_unlock_irqrestore(&rq->lock, *flags);
	}
}

/*
 * Make t, which is on no run queue and no CPU, runnable on cpu. Its
 * vruntime moves from from_cpu's scale (min_vruntime from_min there) to
 * cpu's. Caller holds t->sched_lock. Kicks cpu if it should reschedule.
 */
void activate_task(struct task *t, unsigned cpu, unsigned from_cpu, uint64_t from_min,
		   bool new_task)
{
	struct runqueue *rq = &rqs[cpu];
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	assert_held(&t->sched_lock);
	update_curr(rq, time_ns());
	if (fair_policy(t->policy)) {
		if (!new_task && from_cpu != cpu)
			t->vruntime = t->vruntime - from_min + rq->fair.min_vruntime;
		fair_place(&rq->fair, t, new_task);
	}
	t->cpu = cpu;
	WRITE_ONCE(t->state, TASK_RUNNABLE);
	enqueue_task(rq, t, false);
	bool kick = check_preempt(rq, t) || rq->nr_running == 2;
	bool local = rq == this_rq();
	if (local)
		arm_slice(rq);
	spin_unlock_irqrestore(&rq->lock, flags);
	/* A remote CPU: wake its hlt, or make it arm its slice or preempt. */
	if (!local && kick)
		arch_send_reschedule(cpu);
}

void task_wake(struct task *t)
{
	unsigned long flags = spin_lock_irqsave(&t->sched_lock), rq_flags;

	if (READ_ONCE(t->state) != TASK_SLEEPING)
		goto out;
	struct runqueue *rq = lock_task_rq(t, &rq_flags);
	if (t->on_rq) {
		/* It has not switched away yet (it set SLEEPING and is on
		 * its way to schedule()): it just stays. */
		WRITE_ONCE(t->state, TASK_RUNNABLE);
		spin_unlock_irqrestore(&rq->lock, rq_flags);
		goto out;
	}
	/* Off its queue under this lock means its CPU is done with it:
	 * finish_switch cleared on_cpu before dropping the lock. */
	BUG_ON(READ_ONCE(t->on_cpu));
	update_curr(rq, time_ns());
	uint64_t min = rq->fair.min_vruntime;
	unsigned from = rq_cpu(rq);
	spin_unlock_irqrestore(&rq->lock, rq_flags);
	activate_task(t, select_cpu(t, from, false), from, min, false);
out:
	spin_unlock_irqrestore(&t->sched_lock, flags);
}

void task_entry(void (*fn)(void *), void *arg);
void task_entry(void (*fn)(void *), void *arg)
{
	/* A new task starts with interrupts on (a user task's first return
	 * to user mode turns them off for the way out). */
	finish_switch(this_rq(), 0);
	arch_irq_enable();
	fn(arg);
	task_exit();
}

/* A new task's scheduling attributes: those of the user task creating it
 * (fork and clone inherit them, sched(7)), with SCHED_RESET_ON_FORK
 * honoured; kernel tasks start with the defaults. */
static void inherit_attributes(struct task *t)
{
	struct task *parent = current_task();

	t->cpus_allowed = ~0ull;
	t->policy = SCHED_NORMAL;
	t->nice = 0;
	t->rt_priority = 0;
	if (parent->proc) {
		t->cpus_allowed = READ_ONCE(parent->cpus_allowed);
		t->policy = READ_ONCE(parent->policy);
		t->nice = READ_ONCE(parent->nice);
		t->rt_priority = READ_ONCE(parent->rt_priority);
		if (READ_ONCE(parent->reset_on_fork)) {
			if (rt_policy(t->policy)) {
				t->policy = SCHED_NORMAL;
				t->rt_priority = 0;
				t->nice = 0;
			} else if (t->nice < 0) {
				t->nice = 0;
			}
		}
	}
	t->weight = fair_weight(t->policy, t->nice);
}

struct task *task_alloc(const char *name)
{
	struct task *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack_top = kstack_alloc();
	if (!t->kstack_top) {
		kfree(t);
		return NULL;
	}
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	strlcpy(t->name, name, sizeof(t->name));
	list_init(&t->wait_link);
	list_init(&t->run_link);
	spin_lock_init(&t->sched_lock, "task.sched");
	t->state = TASK_SLEEPING;
	inherit_attributes(t);
	__atomic_fetch_add(&nr_tasks, 1, __ATOMIC_RELAXED);
	return t;
}

void task_free_unstarted(struct task *t)
{
	free_task(t);
}

void task_start(struct task *t)
{
	unsigned long flags = spin_lock_irqsave(&t->sched_lock);
	unsigned here = arch_cpu_id();
	activate_task(t, select_cpu(t, here, true), here, 0, true);
	spin_unlock_irqrestore(&t->sched_lock, flags);
}

struct task *task_create(const char *name, void (*fn)(void *), void *arg)
{
	struct task *t = task_alloc(name);
	if (!t)
		return NULL;
	t->saved_rsp = arch_task_init_stack(t->kstack_top, fn, arg);
	task_start(t);
	return t;
}

void task_exit(void)
{
	struct task *self = current_task();

	BUG_ON(self == this_rq()->idle);
	/* Whoever made us runnable (task_wake, a push) may still hold our
	 * sched_lock: let them finish before we can be freed. No one else can
	 * come for the lock now (their callers keep exiting tasks out). */
	unsigned long flags = spin_lock_irqsave(&self->sched_lock);
	spin_unlock_irqrestore(&self->sched_lock, flags);
	arch_irq_disable();
	self->state = TASK_DEAD;
	schedule();
	panic("task_exit: dead task %d was scheduled again", self->tid);
}

/* ---- idle ------------------------------------------------------------------ */

/* Halt until an interrupt, unless something became runnable since the
 * last schedule(): checked with interrupts off, then "sti; hlt" atomically,
 * so a wake-up in between cannot be slept through (its IPI is pending). */
void sched_idle_wait(void)
{
	struct runqueue *rq = this_rq();

	if (!READ_ONCE(rq->nr_running) && steal_work())
		return;
	arch_irq_disable();
	if (!READ_ONCE(rq->nr_running) && !READ_ONCE(rq->need_resched))
		arch_wait_for_interrupt();
	else
		arch_irq_enable();
}

void sched_idle_loop(void)
{
	arch_irq_enable();
	for (;;) {
		schedule();
		sched_idle_wait();
	}
}
