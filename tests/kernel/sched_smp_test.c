/*
 * Affinity and migration across CPUs: a task that changes its own affinity
 * runs where it asked; a task running on another CPU moves when its
 * affinity changes; and a stress of tasks changing each other's affinity
 * while waking each other, with the scheduler's own check (switching to a
 * task whose on_cpu is set panics) and the tasks' checks (never two CPUs
 * in one task's code, always on an allowed CPU after a scheduling point,
 * cpu field equal to the CPU it runs on).
 */
#include <kernel/ktest.h>
#include <kernel/arch.h>
#include <kernel/sched/sched.h>
#include <kernel/printk.h>
#include <kernel/time.h>

static unsigned base_tasks;

/* From the boot CPU's idle task: run until the test's tasks are gone. */
static bool run_until_idle(uint64_t timeout_ns)
{
	uint64_t end = time_ns() + timeout_ns;
	arch_irq_enable();
	for (;;) {
		schedule();
		if (sched_nr_tasks() <= base_tasks)
			return true;
		if (time_ns() > end)
			return false;
		arch_cpu_relax();
	}
}

static unsigned nth_online_cpu(unsigned n)
{
	uint64_t m = sched_online_mask();
	for (unsigned c = 0; c < NR_CPUS; c++)
		if (((m >> c) & 1) && n-- == 0)
			return c;
	return 0;
}

/* ---- a task pins itself to each CPU in turn ------------------------------ */

static volatile int self_errors, self_done;

static void pin_self(void *arg)
{
	struct task *me = current_task();
	for (unsigned i = 0; i < sched_nr_cpus(); i++) {
		unsigned cpu = nth_online_cpu(i);
		if (sched_set_affinity(me, 1ull << cpu) != 0)
			self_errors++;
		schedule();             /* a scheduling point: the move happens here */
		for (int k = 0; k < 3; k++) {
			if (arch_cpu_id() != cpu || me->cpu != cpu)
				self_errors++;
			sched_yield();
		}
	}
	if (sched_set_affinity(me, 1ull << 63) != -EINVAL)   /* no such CPU */
		self_errors++;
	self_done = 1;
}

static void test_pin_self_to_each_cpu(struct ktest *t)
{
	self_errors = self_done = 0;
	base_tasks = sched_nr_tasks();
	KT_ASSERT(t, task_create("pin_self", pin_self, NULL) != NULL);
	KT_EXPECT(t, run_until_idle(5 * NSEC_PER_SEC));
	KT_EXPECT_EQ(t, self_done, 1);
	KT_EXPECT_EQ(t, self_errors, 0);
}

/* ---- moving a task that is running on another CPU -------------------------- */

static volatile unsigned spin_cpu;
static volatile int spin_stop, spin_started;

/* Busy in kernel mode; sched_preempt_point is where it can be switched
 * (as a user task is on each return to user mode). */
static void spinner(void *arg)
{
	spin_started = 1;
	while (!READ_ONCE(spin_stop)) {
		WRITE_ONCE(spin_cpu, arch_cpu_id());
		sched_preempt_point();
		arch_cpu_relax();
	}
}

static void test_running_task_moves(struct ktest *t)
{
	if (sched_nr_cpus() < 3) {
		ktest_skip(t, "needs 3 CPUs");
		return;
	}
	unsigned a = nth_online_cpu(1), b = nth_online_cpu(2);
	spin_stop = spin_started = 0;
	spin_cpu = ~0u;
	base_tasks = sched_nr_tasks();
	struct task *s = task_alloc("spinner");
	KT_ASSERT(t, s);
	s->cpus_allowed = 1ull << a;
	s->saved_rsp = arch_task_init_stack(s->kstack_top, spinner, NULL);
	task_start(s);
	uint64_t end = time_ns() + 2 * NSEC_PER_SEC;
	while (READ_ONCE(spin_cpu) != a && time_ns() < end)
		arch_cpu_relax();
	KT_EXPECT_EQ(t, spin_cpu, a);
	/* It is running on a right now; from here only b is allowed. */
	KT_EXPECT_EQ(t, sched_set_affinity(s, 1ull << b), 0);
	end = time_ns() + 2 * NSEC_PER_SEC;
	while (READ_ONCE(spin_cpu) != b && time_ns() < end)
		arch_cpu_relax();
	KT_EXPECT_EQ(t, spin_cpu, b);
	KT_EXPECT_EQ(t, s->cpu, b);
	spin_stop = 1;
	KT_EXPECT(t, run_until_idle(2 * NSEC_PER_SEC));
}

/* ---- the stress ---------------------------------------------------------------- */

#define ST_TASKS 8
#define ST_ITERS 300

struct stress {
	struct task *task;
	struct wait_queue wq;
	int tokens;                     /* atomic: wake-ups handed to this task */
	int running;                    /* atomic: 1 while in its checked section */
	struct spinlock setter;         /* one affinity change at a time */
	unsigned gen;                   /* odd while its affinity is changing */
	uint64_t mask;                  /* the last mask set */
};

static struct stress st[ST_TASKS];
static int st_finished, st_errors;     /* atomic */
static int st_waiting;                 /* atomic: tasks in (or about to) wait for a token */
static uint64_t st_wakes, st_moves;    /* atomic, for the report */

static void st_error(const char *what, int idx)
{
	if (__atomic_fetch_add(&st_errors, 1, __ATOMIC_RELAXED) < 5)
		printk(KERN_ERR "sched_smp stress: task %d: %s (cpu %u)\n", idx, what, arch_cpu_id());
}

static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static void give_token(struct stress *o)
{
	__atomic_fetch_add(&o->tokens, 1, __ATOMIC_SEQ_CST);
	wait_queue_wake_all(&o->wq);
	__atomic_fetch_add(&st_wakes, 1, __ATOMIC_RELAXED);
}

static void set_mask(struct stress *o, uint64_t mask)
{
	spin_lock(&o->setter);
	__atomic_fetch_add(&o->gen, 1, __ATOMIC_SEQ_CST);
	if (sched_set_affinity(o->task, mask) != 0)
		st_error("set_affinity failed", (int)(o - st));
	WRITE_ONCE(o->mask, mask);
	__atomic_fetch_add(&o->gen, 1, __ATOMIC_SEQ_CST);
	spin_unlock(&o->setter);
	__atomic_fetch_add(&st_moves, 1, __ATOMIC_RELAXED);
}

/* After a scheduling point with no affinity change meanwhile, the task
 * runs on a CPU its mask allows, and its cpu field says so. */
struct snap {
	unsigned gen;
	uint64_t mask;
};

static struct snap before(struct stress *me)
{
	struct snap s = { __atomic_load_n(&me->gen, __ATOMIC_SEQ_CST), 0 };
	s.mask = READ_ONCE(me->mask);
	return s;
}

static void after(struct stress *me, struct snap s)
{
	unsigned cpu = arch_cpu_id();
	int idx = (int)(me - st);
	if (!(s.gen & 1) && __atomic_load_n(&me->gen, __ATOMIC_SEQ_CST) == s.gen &&
	    !((s.mask >> cpu) & 1))
		st_error("runs on a CPU its affinity forbids", idx);
	if (current_task()->cpu != cpu)
		st_error("cpu field is not the CPU it runs on", idx);
}

static void checked_section(struct stress *me)
{
	if (__atomic_exchange_n(&me->running, 1, __ATOMIC_SEQ_CST) != 0)
		st_error("running on two CPUs at once", (int)(me - st));
	udelay(3);
	__atomic_store_n(&me->running, 0, __ATOMIC_SEQ_CST);
}

static void stress_task(void *arg)
{
	struct stress *me = arg;
	unsigned seed = (unsigned)(me - st) * 7919u + 17u;
	uint64_t online = sched_online_mask();

	for (int i = 0; i < ST_ITERS; i++) {
		checked_section(me);
		struct stress *other = &st[rnd(&seed) % ST_TASKS];
		struct snap s;
		switch (rnd(&seed) % 5) {
		case 0: {
			uint64_t m = rnd(&seed) & online;
			set_mask(other, m ? m : online);
			break;
		}
		case 1:
			give_token(other);
			break;
		case 2:
			s = before(me);
			sched_yield();
			after(me, s);
			break;
		case 3:
			/* Sleep for a token, unless all others sleep already
			 * (then nobody would hand one out). */
			if (__atomic_fetch_add(&st_waiting, 1, __ATOMIC_SEQ_CST) == ST_TASKS - 1) {
				__atomic_fetch_sub(&st_waiting, 1, __ATOMIC_SEQ_CST);
				give_token(other);
				break;
			}
			s = before(me);
			wait_event(&me->wq, __atomic_load_n(&me->tokens, __ATOMIC_SEQ_CST) > 0 ||
					    __atomic_load_n(&st_finished, __ATOMIC_SEQ_CST) > 0);
			sched_preempt_point();  /* in case the condition held: no switch yet */
			after(me, s);
			__atomic_fetch_sub(&st_waiting, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&me->tokens, __ATOMIC_SEQ_CST) > 0)
				__atomic_fetch_sub(&me->tokens, 1, __ATOMIC_SEQ_CST);
			break;
		case 4:
			s = before(me);
			sleep_until(time_ns() + 50 * NSEC_PER_USEC);
			sched_preempt_point();
			after(me, s);
			break;
		}
	}
	/* Stay alive (others may still change our affinity) until everyone is
	 * done; from the first finish on, nobody sleeps on a token. */
	__atomic_fetch_add(&st_finished, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&st_finished, __ATOMIC_SEQ_CST) < ST_TASKS) {
		for (int i = 0; i < ST_TASKS; i++)
			wait_queue_wake_all(&st[i].wq);
		checked_section(me);
		sched_yield();
	}
}

static void test_migration_stress(struct ktest *t)
{
	st_finished = st_errors = st_waiting = 0;
	st_wakes = st_moves = 0;
	base_tasks = sched_nr_tasks();
	for (int i = 0; i < ST_TASKS; i++) {
		struct stress *s = &st[i];
		s->tokens = s->running = 0;
		s->gen = 0;
		s->mask = sched_online_mask();
		wait_queue_init(&s->wq);
		spin_lock_init(&s->setter, "stress_setter");
		s->task = task_alloc("stress");
		KT_ASSERT(t, s->task);
		s->task->saved_rsp = arch_task_init_stack(s->task->kstack_top, stress_task, s);
	}
	/* Start them only once every st[].task is set: they use each other. */
	for (int i = 0; i < ST_TASKS; i++)
		task_start(st[i].task);
	uint64_t t0 = time_ns();
	KT_EXPECT(t, run_until_idle(60 * NSEC_PER_SEC));
	printk(KERN_INFO "sched_smp stress: %d tasks x %d rounds on %u CPUs: %llu wake-ups, "
	       "%llu affinity changes in %llu ms\n", ST_TASKS, ST_ITERS, sched_nr_cpus(),
	       (unsigned long long)st_wakes, (unsigned long long)st_moves,
	       (unsigned long long)((time_ns() - t0) / NSEC_PER_MSEC));
	KT_EXPECT_EQ(t, st_finished, ST_TASKS);
	KT_EXPECT_EQ(t, st_errors, 0);
	KT_EXPECT(t, st_moves > 0 && st_wakes > 0);
}

static const struct ktest_case sched_smp_cases[] = {
	KTEST_CASE(test_pin_self_to_each_cpu),
	KTEST_CASE(test_running_task_moves),
	KTEST_CASE(test_migration_stress),
	{}
};
KTEST_SUITE(sched_smp, sched_smp_cases);
