/*
 * The scheduler core: per-CPU run queues, the switch between tasks, task
 * creation and exit, wait queues, placement and work stealing.
 *
 * Lock order: wait_queue.lock -> runqueue.lock; two run-queue locks are
 * taken in address order (stealing). A run-queue lock is taken with
 * interrupts off (interrupt handlers wake tasks) and is held across
 * arch_context_switch; the task switched to releases it (finish_switch).
 *
 * A task's cpu field says which run queue it belongs to; it changes only
 * while the task is queued (stealing, under both locks) or not yet started.
 *
 * Policy: round robin per CPU with 4 ms slices, armed only while a CPU has
 * more than one runnable task (tick-less); new tasks go to the CPU with the
 * fewest runnable tasks; an idle CPU steals from the busiest before it
 * halts. See docs/scheduler.md.
 */
#include <kernel/task.h>
#include <kernel/arch.h>
#include <kernel/lockdep.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <kernel/smp.h>
#include <mm/slab.h>
#include <mm/vmap.h>
#include <mm/mm.h>

#define SLICE_NS (4 * NSEC_PER_MSEC)

struct runqueue {
	struct spinlock lock;
	struct list_head runnable;      /* RUNNABLE tasks that are not running */
	unsigned nr_runnable;           /* length of runnable */
	struct task *current;
	struct task *idle;              /* runs when nothing else can */
	struct task *dead;              /* exited task to free after the switch */
	unsigned long switch_flags;     /* irq state saved by the switching task */
	bool need_resched;              /* the slice ran out: switch at the next chance */
	bool online;
	struct timer slice;             /* armed only with more than one runnable task */
};

static struct runqueue rqs[NR_CPUS];
static struct task idle_tasks[NR_CPUS];
static void slice_expired(struct timer *t);
static int next_tid = 1;
static unsigned nr_tasks;               /* live tasks, idle tasks included */

static struct runqueue *this_rq(void)
{
	return &rqs[arch_cpu_id()];
}

struct task *current_task(void)
{
	struct task *t = arch_current();
	return t ? t : &idle_tasks[0];
}

void sched_init_cpu(unsigned cpu)
{
	struct runqueue *rq = &rqs[cpu];
	struct task *idle = &idle_tasks[cpu];

	spin_lock_init(&rq->lock, "runqueue");
	list_init(&rq->runnable);
	idle->tid = 0;
	idle->cpu = cpu;
	snprintf(idle->name, sizeof(idle->name), "idle%u", cpu);
	idle->state = TASK_RUNNABLE;
	list_init(&idle->run_link);
	list_init(&idle->wait_link);
	idle->last_run_ns = time_ns();
	rq->current = rq->idle = idle;
	timer_init(&rq->slice, slice_expired);
	arch_set_current(idle, 0);
	__atomic_fetch_add(&nr_tasks, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&rq->online, true, __ATOMIC_RELEASE);
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

static void slice_expired(struct timer *t)
{
	struct runqueue *rq = container_of(t, struct runqueue, slice);
	WRITE_ONCE(rq->need_resched, true);
}

/* Tick-less: a slice timer only while someone else waits for this CPU.
 * Called on the CPU that owns rq. */
static void update_slice(struct runqueue *rq, uint64_t now)
{
	if (READ_ONCE(rq->nr_runnable) && rq->current != rq->idle)
		timer_arm(&rq->slice, now + SLICE_NS);
	else
		timer_cancel(&rq->slice);
}

/* Called on the way back to user mode: switch if the slice ran out. */
void sched_preempt_point(void)
{
	if (READ_ONCE(this_rq()->need_resched))
		schedule();
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

static void enqueue(struct runqueue *rq, struct task *t)
{
	assert_held(&rq->lock);
	list_add_tail(&t->run_link, &rq->runnable);
	rq->nr_runnable++;
}

static struct task *pick_next(struct runqueue *rq)
{
	assert_held(&rq->lock);
	if (list_empty(&rq->runnable))
		return rq->idle;
	struct task *next = list_first_entry(&rq->runnable, struct task, run_link);
	list_del(&next->run_link);
	rq->nr_runnable--;
	return next;
}

void schedule(void)
{
	lockdep_check_sleep();
	struct runqueue *rq = this_rq();
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	struct task *prev = rq->current;
	uint64_t now = time_ns();

	prev->runtime_ns += now - prev->last_run_ns;
	if (prev->state == TASK_RUNNABLE && prev != rq->idle)
		enqueue(rq, prev);
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
	cputime_switch(prev, next, now);
	rq->current = next;
	rq->switch_flags = flags;
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
	rq = this_rq();
	finish_switch(rq);
	update_slice(rq, time_ns());
}

void sched_yield(void)
{
	schedule();
}

/* Make t runnable on its CPU; kick that CPU if it is idle or elsewhere. */
static void activate(struct task *t)
{
	struct runqueue *rq = &rqs[t->cpu];
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	bool kick = false;

	if (t->state == TASK_SLEEPING) {
		t->state = TASK_RUNNABLE;
		/* A task still running (it set SLEEPING but has not called
		 * schedule yet) just stays on its CPU. */
		if (t != rq->current) {
			enqueue(rq, t);
			kick = rq->current == rq->idle;
			if (kick)
				rq->need_resched = true;
		}
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (rq == this_rq())
		update_slice(rq, time_ns());
	else if (kick || READ_ONCE(rq->nr_runnable) == 1)
		arch_send_reschedule(t->cpu);   /* wake its hlt; it re-arms its slice */
}

void task_wake(struct task *t)
{
	activate(t);
}

/* A reschedule IPI: the interrupt itself ends the target's hlt; a busy
 * target re-evaluates its slice. */
void sched_reschedule_ipi(void)
{
	struct runqueue *rq = this_rq();
	if (rq->current == rq->idle)
		WRITE_ONCE(rq->need_resched, true);
	else
		update_slice(rq, time_ns());
}

void task_entry(void (*fn)(void *), void *arg);
void task_entry(void (*fn)(void *), void *arg)
{
	struct runqueue *rq = this_rq();
	finish_switch(rq);
	update_slice(rq, time_ns());
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
	t->cpus_allowed = ~0ull;
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

static unsigned rq_load(unsigned c)
{
	return READ_ONCE(rqs[c].nr_runnable) + (READ_ONCE(rqs[c].current) != rqs[c].idle);
}

/* The allowed online CPU with the fewest runnable tasks (ties: the caller's). */
static unsigned least_loaded_cpu(uint64_t allowed)
{
	unsigned best = arch_cpu_id();
	unsigned best_load = (allowed >> best) & 1 ? rq_load(best) : ~0u;
	for (unsigned c = 0; c < NR_CPUS; c++) {
		if (!READ_ONCE(rqs[c].online) || !((allowed >> c) & 1))
			continue;
		unsigned load = rq_load(c);
		if (load < best_load) {
			best = c;
			best_load = load;
		}
	}
	return best;
}

void task_start(struct task *t)
{
	t->cpu = least_loaded_cpu(t->cpus_allowed);
	activate(t);
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

/*
 * Work stealing: an idle CPU takes the oldest queued task of the busiest
 * CPU that has one waiting. Both locks, in address order.
 */
static bool steal_work(void)
{
	struct runqueue *self = this_rq(), *busiest = NULL;
	unsigned most = 0;

	for (unsigned c = 0; c < NR_CPUS; c++) {
		unsigned n = READ_ONCE(rqs[c].nr_runnable);
		if (&rqs[c] != self && READ_ONCE(rqs[c].online) && n > most) {
			most = n;
			busiest = &rqs[c];
		}
	}
	if (!busiest)
		return false;
	struct runqueue *first = self < busiest ? self : busiest;
	struct runqueue *second = self < busiest ? busiest : self;
	unsigned long flags = spin_lock_irqsave(&first->lock);
	spin_lock(&second->lock);
	bool moved = false;
	unsigned me = (unsigned)(self - rqs);
	struct task *t;
	list_for_each_entry(t, &busiest->runnable, run_link) {
		if (!((t->cpus_allowed >> me) & 1))
			continue;
		list_del(&t->run_link);
		busiest->nr_runnable--;
		t->cpu = me;
		enqueue(self, t);
		moved = true;
		break;
	}
	spin_unlock(&second->lock);
	spin_unlock_irqrestore(&first->lock, flags);
	return moved;
}

/* Halt until an interrupt, unless something became runnable since the
 * last schedule(): checked with interrupts off, then "sti; hlt" atomically,
 * so a wake-up in between cannot be slept through. */
void sched_idle_wait(void)
{
	if (list_empty(&this_rq()->runnable) && steal_work())
		return;
	arch_irq_disable();
	if (list_empty(&this_rq()->runnable))
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
	struct runqueue *rq = &rqs[self->cpu];
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
