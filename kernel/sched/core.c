/*
 * The scheduler core: per-CPU run queues, the switch between tasks, task
 * creation and exit, wait queues.
 *
 * Lock order: wait_queue.lock -> runqueue.lock. The run-queue lock is taken
 * with interrupts off (interrupt handlers wake tasks) and is held across
 * arch_context_switch; the task switched to releases it (finish_switch).
 *
 * Policy for now: round robin among runnable tasks, cooperative (tasks give
 * up the CPU by sleeping or yielding). The tick-less preemptive fair policy
 * and SMP balancing arrive with the SMP issue (docs/scheduler.md).
 */
#include <kernel/task.h>
#include <kernel/arch.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/slab.h>
#include <mm/vmap.h>
#include <mm/mm.h>

#define SLICE_NS (4 * NSEC_PER_MSEC)

struct runqueue {
	struct spinlock lock;
	struct timer slice;             /* armed only with more than one runnable task */
	bool need_resched;              /* the slice ran out: switch at the next chance */
	struct list_head runnable;      /* RUNNABLE tasks that are not running */
	struct task *current;
	struct task *idle;              /* runs when nothing else can */
	struct task *dead;              /* exited task to free after the switch */
	unsigned long switch_flags;     /* irq state saved by the switching task */
};

static struct runqueue rq0 = {
	.lock = SPINLOCK_INIT("rq0"),
	.runnable = LIST_HEAD_INIT(rq0.runnable),
};
static struct task idle0;
static void slice_expired(struct timer *t);
static int next_tid = 1;
static unsigned nr_tasks = 1;           /* idle0 */

static struct runqueue *this_rq(void)
{
	return &rq0;
}

struct task *current_task(void)
{
	struct task *t = arch_current();
	return t ? t : &idle0;
}

void sched_init(void)
{
	struct runqueue *rq = this_rq();

	idle0.tid = 0;
	strlcpy(idle0.name, "idle0", sizeof(idle0.name));
	idle0.state = TASK_RUNNABLE;
	list_init(&idle0.run_link);
	list_init(&idle0.wait_link);
	rq->current = rq->idle = &idle0;
	idle0.last_run_ns = time_ns();
	timer_init(&rq->slice, slice_expired);
	arch_set_current(&idle0, 0);
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

/* Called by the task switched to, with the run-queue lock still held. */
static void finish_switch(struct runqueue *rq)
{
	struct task *dead = rq->dead;
	unsigned long flags = rq->switch_flags;

	rq->dead = NULL;
	spin_unlock_irqrestore(&rq->lock, flags);
	if (dead) {
		arch_thread_free(&dead->arch);
		kstack_free(dead->kstack_top);
		kfree(dead);
		__atomic_fetch_sub(&nr_tasks, 1, __ATOMIC_RELAXED);
	}
}

static void slice_expired(struct timer *t)
{
	struct runqueue *rq = container_of(t, struct runqueue, slice);
	WRITE_ONCE(rq->need_resched, true);
}

/* Tick-less: a slice timer only while someone else is waiting to run. */
static void update_slice(struct runqueue *rq, uint64_t now)
{
	if (!list_empty(&rq->runnable) && rq->current != rq->idle)
		timer_arm(&rq->slice, now + SLICE_NS);
	else
		timer_cancel(&rq->slice);
}

/* Called on the way back to user mode: switch if the slice ran out. */
void sched_preempt_point(void)
{
	struct runqueue *rq = this_rq();
	if (READ_ONCE(rq->need_resched))
		schedule();
}

static struct task *pick_next(struct runqueue *rq)
{
	if (list_empty(&rq->runnable))
		return rq->idle;
	struct task *next = list_first_entry(&rq->runnable, struct task, run_link);
	list_del(&next->run_link);
	return next;
}

void schedule(void)
{
	struct runqueue *rq = this_rq();
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	struct task *prev = rq->current;
	uint64_t now = time_ns();

	prev->runtime_ns += now - prev->last_run_ns;
	if (prev->state == TASK_RUNNABLE && prev != rq->idle)
		list_add_tail(&prev->run_link, &rq->runnable);
	else if (prev->state == TASK_DEAD)
		rq->dead = prev;

	struct task *next = pick_next(rq);
	rq->need_resched = false;
	if (next == prev) {
		prev->last_run_ns = now;
		spin_unlock_irqrestore(&rq->lock, flags);
		update_slice(rq, now);
		return;
	}
	next->last_run_ns = now;
	rq->current = next;
	rq->switch_flags = flags;
	arch_set_current(next, (uint64_t)next->kstack_top);
	arch_switch_thread(&prev->arch, &next->arch);
	if (next->mm && next->mm != mm_current())
		mm_activate(next->mm);
	arch_context_switch(&prev->saved_rsp, next->saved_rsp);
	/* Back in prev, switched to by someone else who holds the lock. */
	finish_switch(this_rq());
	update_slice(this_rq(), time_ns());
}

/* Halt until an interrupt, unless something became runnable since the
 * last schedule(): checked with interrupts off, then "sti; hlt" atomically,
 * so a wake-up in between cannot be slept through. */
void sched_idle_wait(void)
{
	arch_irq_disable();
	if (list_empty(&this_rq()->runnable))
		arch_wait_for_interrupt();
	else
		arch_irq_enable();
}

void sched_yield(void)
{
	schedule();
}

void task_wake(struct task *t)
{
	struct runqueue *rq = this_rq();
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	if (t->state == TASK_SLEEPING) {
		t->state = TASK_RUNNABLE;
		/* A task that is still running (it set SLEEPING but has not
		 * called schedule yet) just stays on the CPU. */
		if (t != rq->current)
			list_add_tail(&t->run_link, &rq->runnable);
		/* An idle CPU switches at once; a busy one at its slice's end. */
		if (rq->current == rq->idle)
			rq->need_resched = true;
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	update_slice(rq, time_ns());
}

void task_entry(void (*fn)(void *), void *arg);
void task_entry(void (*fn)(void *), void *arg)
{
	finish_switch(this_rq());
	update_slice(this_rq(), time_ns());
	fn(arg);
	task_exit();
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
	t->state = TASK_SLEEPING;
	__atomic_fetch_add(&nr_tasks, 1, __ATOMIC_RELAXED);
	return t;
}

void task_free_unstarted(struct task *t)
{
	arch_thread_free(&t->arch);
	kstack_free(t->kstack_top);
	kfree(t);
	__atomic_fetch_sub(&nr_tasks, 1, __ATOMIC_RELAXED);
}

void task_start(struct task *t)
{
	struct runqueue *rq = this_rq();
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	t->state = TASK_RUNNABLE;
	list_add_tail(&t->run_link, &rq->runnable);
	spin_unlock_irqrestore(&rq->lock, flags);
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
	arch_irq_disable();
	self->state = TASK_DEAD;
	schedule();
	panic("task_exit: dead task %d was scheduled again", self->tid);
}

void wait_queue_init(struct wait_queue *wq)
{
	spin_lock_init(&wq->lock, "wait_queue");
	list_init(&wq->waiters);
}

void wait_prepare(struct wait_queue *wq)
{
	struct task *self = current_task();
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (list_empty(&self->wait_link))
		list_add_tail(&self->wait_link, &wq->waiters);
	WRITE_ONCE(self->state, TASK_SLEEPING);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wait_finish(struct wait_queue *wq)
{
	struct task *self = current_task();
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (!list_empty(&self->wait_link))
		list_del(&self->wait_link);
	spin_unlock_irqrestore(&wq->lock, flags);
	/* Woken or not (the condition came true first), run on. */
	struct runqueue *rq = this_rq();
	flags = spin_lock_irqsave(&rq->lock);
	self->state = TASK_RUNNABLE;
	spin_unlock_irqrestore(&rq->lock, flags);
}

void wait_queue_wake_all(struct wait_queue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct task *t, *tmp;

	list_for_each_entry_safe(t, tmp, &wq->waiters, wait_link) {
		list_del(&t->wait_link);
		task_wake(t);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}
