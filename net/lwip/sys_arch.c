/*
 * lwIP's sys_arch on goos kernel objects (lwIP doc/sys_arch.txt):
 * semaphores and mailboxes are a spinlock, a count or ring and wait
 * queues; mutexes are kernel mutexes; threads are kernel tasks; time is
 * the monotonic clock.
 *
 * Lock order: a semaphore's or mailbox's spinlock is a leaf (taken with
 * interrupts off: NIC interrupt handlers post to the tcpip mailbox).
 * SYS_ARCH_PROTECT is one global spinlock made recursive per CPU.
 */
#include <lwip/sys.h>
#include <lwip/tcpip.h>
#include <kernel/arch.h>
#include <kernel/mutex.h>
#include <kernel/random.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/slab.h>

/* The tcpip task (net/lwip/timers.c tells it from other callers). */
struct task *lwip_tcpip_task;

struct lwip_sem {
	struct spinlock lock;
	unsigned count;                 /* under lock */
	struct wait_queue wq;
};

struct lwip_mbox {
	struct spinlock lock;
	unsigned head, count, size;     /* under lock */
	struct wait_queue not_empty, not_full;
	void *msgs[];
};

/* ---- waiting with a deadline ------------------------------------------ */

struct lwip_sleeper {
	struct timer timer;
	struct task *task;
};

static void lwip_sleeper_wake(struct timer *tm)
{
	task_wake(container_of(tm, struct lwip_sleeper, timer)->task);
}

/*
 * Sleep on wq until take(obj) succeeds (it runs under the object's lock,
 * which the caller does not hold) or timeout_ms passes (0: forever).
 * Returns the milliseconds waited or SYS_ARCH_TIMEOUT.
 */
static u32_t wait_deadline(struct wait_queue *wq, bool (*take)(void *obj, void *out), void *obj,
			   void *out, u32_t timeout_ms)
{
	uint64_t start = time_ns();
	uint64_t deadline = timeout_ms ? start + (uint64_t)timeout_ms * 1000000 : 0;
	struct lwip_sleeper s = { .task = current_task() };
	bool ok;

	timer_init(&s.timer, lwip_sleeper_wake);
	for (;;) {
		wait_prepare(wq);
		if ((ok = take(obj, out)))
			break;
		if (deadline && time_ns() >= deadline)
			break;
		if (deadline)
			timer_arm(&s.timer, deadline);
		schedule();
		if (deadline)
			timer_cancel_sync(&s.timer);
	}
	wait_finish(wq);
	if (!ok)
		return SYS_ARCH_TIMEOUT;
	u32_t waited = (u32_t)((time_ns() - start) / 1000000);
	/* SYS_ARCH_TIMEOUT is all ones; a real wait never reports that. */
	return waited == SYS_ARCH_TIMEOUT ? waited - 1 : waited;
}

/* ---- semaphores ---------------------------------------------------------- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	struct lwip_sem *s = kzalloc(sizeof(*s));

	if (!s)
		return ERR_MEM;
	spin_lock_init(&s->lock, "lwip_sem");
	wait_queue_init(&s->wq);
	s->count = count;
	*sem = s;
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
	kfree(*sem);
	*sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
	struct lwip_sem *s = *sem;
	unsigned long flags = spin_lock_irqsave(&s->lock);

	s->count++;
	spin_unlock_irqrestore(&s->lock, flags);
	wait_queue_wake_all(&s->wq);
}

static bool sem_take(void *obj, void *out)
{
	struct lwip_sem *s = obj;
	unsigned long flags = spin_lock_irqsave(&s->lock);
	bool ok = s->count > 0;

	if (ok)
		s->count--;
	spin_unlock_irqrestore(&s->lock, flags);
	return ok;
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	return wait_deadline(&(*sem)->wq, sem_take, *sem, NULL, timeout);
}

/* ---- mutexes --------------------------------------------------------------- */

err_t sys_mutex_new(sys_mutex_t *mutex)
{
	struct mutex *m = kzalloc(sizeof(*m));

	if (!m)
		return ERR_MEM;
	mutex_init(m, "lwip");
	*mutex = m;
	return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *mutex)
{
	kfree(*mutex);
	*mutex = NULL;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
	mutex_lock(*mutex);
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
	mutex_unlock(*mutex);
}

/* ---- mailboxes --------------------------------------------------------------- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	if (size <= 0)
		size = 128;
	struct lwip_mbox *m = kzalloc(sizeof(*m) + (size_t)size * sizeof(void *));

	if (!m)
		return ERR_MEM;
	spin_lock_init(&m->lock, "lwip_mbox");
	wait_queue_init(&m->not_empty);
	wait_queue_init(&m->not_full);
	m->size = (unsigned)size;
	*mbox = m;
	return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
	kfree(*mbox);
	*mbox = NULL;
}

static bool mbox_put(void *obj, void *msg)
{
	struct lwip_mbox *m = obj;
	unsigned long flags = spin_lock_irqsave(&m->lock);
	bool ok = m->count < m->size;

	if (ok)
		m->msgs[(m->head + m->count++) % m->size] = msg;
	spin_unlock_irqrestore(&m->lock, flags);
	if (ok)
		wait_queue_wake_all(&m->not_empty);
	return ok;
}

static bool mbox_get(void *obj, void *out)
{
	struct lwip_mbox *m = obj;
	unsigned long flags = spin_lock_irqsave(&m->lock);
	bool ok = m->count > 0;

	if (ok) {
		if (out)
			*(void **)out = m->msgs[m->head];
		m->head = (m->head + 1) % m->size;
		m->count--;
	}
	spin_unlock_irqrestore(&m->lock, flags);
	if (ok)
		wait_queue_wake_all(&m->not_full);
	return ok;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	wait_event(&(*mbox)->not_full, mbox_put(*mbox, msg));
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	return mbox_put(*mbox, msg) ? ERR_OK : ERR_MEM;
}

/* From interrupt context: the same, the lock being irqsave. */
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	return wait_deadline(&(*mbox)->not_empty, mbox_get, *mbox, msg, timeout);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	return mbox_get(*mbox, msg) ? 0 : SYS_MBOX_EMPTY;
}

/* ---- threads, time, protection ----------------------------------------------- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg, int stacksize,
			    int prio)
{
	struct task *t = task_create(name, thread, arg);

	LWIP_ASSERT("sys_thread_new: no memory for a kernel task", t != NULL);
	if (!strcmp(name, TCPIP_THREAD_NAME))
		WRITE_ONCE(lwip_tcpip_task, t);
	return t;
}

u32_t sys_now(void)
{
	return (u32_t)(time_ns() / 1000000);
}

static struct spinlock protect_lock = SPINLOCK_INIT("lwip_protect");
static int protect_cpu = -1;            /* holder, under protect_lock */
static unsigned protect_depth;

sys_prot_t sys_arch_protect(void)
{
	unsigned long flags = arch_irq_save();
	int cpu = (int)arch_cpu_id();

	if (READ_ONCE(protect_cpu) == cpu) {
		protect_depth++;
		return flags;
	}
	spin_lock(&protect_lock);
	protect_cpu = cpu;
	protect_depth = 1;
	return flags;
}

void sys_arch_unprotect(sys_prot_t flags)
{
	if (--protect_depth == 0) {
		protect_cpu = -1;
		spin_unlock(&protect_lock);
	}
	arch_irq_restore(flags);
}

void sys_init(void)
{
}

uint32_t lwip_port_rand(void)
{
	uint32_t r;

	random_bytes(&r, sizeof(r));
	return r;
}


void lwip_port_assert_core_locked(void)
{
	extern sys_mutex_t lock_tcpip_core;

	if (!lock_tcpip_core)
		return;                 /* before tcpip_init(): boot is single-threaded */
	LWIP_ASSERT("lwIP core used without the core lock", mutex_held(lock_tcpip_core));
}
