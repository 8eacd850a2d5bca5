/*
 * The futex operations: wait (with a bitset and a deadline), wake,
 * requeue and wake-op. Each computes its keys, takes the bucket locks,
 * reads or changes the user word without paging, and on a fault unlocks,
 * pages the word in and starts over (kernel/futex/core.c has the rules).
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/signal.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/mm.h>
#include <mm/uaccess.h>
#include <uapi/linux/futex.h>
#include "internal.h"

/* ---- wait --------------------------------------------------------------- */

/* A deadline's timer: it only marks the wait timed out and wakes the task. */
struct futex_timeout {
	struct timer timer;
	struct task *task;
	uint64_t deadline;              /* monotonic ns */
	bool armed;
	bool fired;                     /* set by the timer (interrupt context) */
	bool done;                      /* the timer function has finished */
};

static void timeout_fire(struct timer *timer)
{
	struct futex_timeout *to = container_of(timer, struct futex_timeout, timer);

	WRITE_ONCE(to->fired, true);
	task_wake(to->task);
	__atomic_store_n(&to->done, true, __ATOMIC_RELEASE);
}

static void timeout_start(struct futex_timeout *to)
{
	timer_init(&to->timer, timeout_fire);
	if (to->deadline > time_ns()) {
		to->armed = true;
		timer_arm(&to->timer, to->deadline);
	}
}

/* The timeout lives on the waiter's stack: once it is cancelled, or has
 * fired (possibly still running on the CPU that armed it), wait for its
 * function to be done with it. */
static void timeout_stop(struct futex_timeout *to)
{
	if (to->armed && !timer_cancel(&to->timer))
		while (!__atomic_load_n(&to->done, __ATOMIC_ACQUIRE))
			arch_cpu_relax();
}

static bool timed_out(const struct futex_timeout *to)
{
	return to && (READ_ONCE(to->fired) || time_ns() >= to->deadline);
}

/* Queue q on the futex at uaddr if the word still holds val, checked
 * under the bucket lock so that a waker that changes the word and then
 * wakes cannot be missed. 0 (queued), -EAGAIN, or a key/fault error. */
static int wait_setup(uint32_t *uaddr, bool private, uint32_t val, struct futex_q *q)
{
	for (;;) {
		uint32_t cur;
		int err = futex_key_get(uaddr, private, FUTEX_READ, &q->key);
		if (err)
			return err;
		struct futex_bucket *b = futex_bucket_of(&q->key);
		spin_lock(&b->lock);
		err = copy_from_user_nofault(&cur, uaddr, sizeof(cur));
		if (!err && cur == val) {
			q->bucket = b;
			q->queued = true;
			list_add_tail(&q->link, &b->waiters);
			spin_unlock(&b->lock);
			return 0;
		}
		spin_unlock(&b->lock);
		futex_key_put(&q->key);
		if (!err)
			return -EAGAIN;
		/* Not present: page it in (this may sleep) and look again. */
		if (get_user_u32(&cur, uaddr))
			return -EFAULT;
	}
}

/* Take q off its bucket if no waker did: true if it was still queued.
 * A requeue may move q meanwhile, so lock the bucket it is on now. */
static bool unqueue(struct futex_q *q)
{
	struct futex_bucket *b;
	bool was;

	for (;;) {
		b = READ_ONCE(q->bucket);
		spin_lock(&b->lock);
		if (b == q->bucket)
			break;
		spin_unlock(&b->lock);
	}
	was = q->queued;
	if (was) {
		list_del(&q->link);
		q->queued = false;
	}
	spin_unlock(&b->lock);
	return was;
}

/* Sleep until a waker dequeues q, the deadline passes or a signal (or a
 * kill) is pending: 0, -ETIMEDOUT or -EINTR. The state is set before each
 * check and a waker clears queued before task_wake: whichever comes
 * second sees the other's write, so no wake-up is lost. */
static int wait_sleep(struct futex_q *q, const struct futex_timeout *to)
{
	struct task *self = current_task();
	int why = 0;

	for (;;) {
		WRITE_ONCE(self->state, TASK_SLEEPING);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&q->queued, __ATOMIC_SEQ_CST))
			break;
		if (timed_out(to)) {
			why = -ETIMEDOUT;
			break;
		}
		if (signal_pending()) {
			why = -EINTR;
			break;
		}
		schedule();
	}
	WRITE_ONCE(self->state, TASK_RUNNABLE);
	return why;
}

int futex_wait(uint32_t *uaddr, bool private, uint32_t val, const int64_t *deadline,
	       uint32_t bitset)
{
	struct futex_q q = { .task = current_task(), .bitset = bitset };
	struct futex_timeout to = { .task = q.task };

	if (!bitset)
		return -EINVAL;
	int err = wait_setup(uaddr, private, val, &q);
	if (err)
		return err;
	if (deadline) {
		to.deadline = *deadline > 0 ? (uint64_t)*deadline : 0;
		timeout_start(&to);
	}
	int why = wait_sleep(&q, deadline ? &to : NULL);
	if (deadline)
		timeout_stop(&to);
	/* Dequeued by a waker: woken, whatever else happened meanwhile. */
	if (unqueue(&q))
		err = why;
	futex_key_put(&q.key);
	/* An interrupted untimed wait is restartable; a timed one returns
	 * EINTR (Linux restarts it with the time left; no restart blocks yet). */
	if (err == -EINTR && !deadline)
		err = -ERESTARTSYS;
	return err;
}

/* ---- wake --------------------------------------------------------------- */

int futex_wake(uint32_t *uaddr, bool private, int n, uint32_t bitset)
{
	struct futex_key key;

	if (!bitset)
		return -EINVAL;
	int err = futex_key_get(uaddr, private, FUTEX_READ, &key);
	if (err)
		return err;
	struct futex_bucket *b = futex_bucket_of(&key);
	spin_lock(&b->lock);
	int woken = futex_wake_locked(b, &key, n, bitset);
	spin_unlock(&b->lock);
	futex_key_put(&key);
	return woken;
}

/* ---- requeue ------------------------------------------------------------ */

/* Keys for a two-futex operation; on failure neither is held. */
static int get_two_keys(uint32_t *uaddr1, uint32_t *uaddr2, bool private,
			enum futex_access rw2, struct futex_key *k1, struct futex_key *k2)
{
	int err = futex_key_get(uaddr1, private, FUTEX_READ, k1);
	if (err)
		return err;
	err = futex_key_get(uaddr2, private, rw2, k2);
	if (err)
		futex_key_put(k1);
	return err;
}

static void put_two_keys(struct futex_key *k1, struct futex_key *k2)
{
	futex_key_put(k1);
	futex_key_put(k2);
}

/* Wake nr_wake waiters of key1, move up to nr_requeue more to key2: the
 * number woken plus moved. Both buckets locked. */
static int requeue_locked(struct futex_bucket *b1, const struct futex_key *k1,
			  struct futex_bucket *b2, const struct futex_key *k2,
			  int nr_wake, int nr_requeue)
{
	struct futex_q *q, *tmp;
	int count = 0;

	list_for_each_entry_safe(q, tmp, &b1->waiters, link) {
		if (count - nr_wake >= nr_requeue)
			break;
		if (!futex_key_eq(&q->key, k1))
			continue;
		if (++count <= nr_wake)
			futex_q_wake(q);
		else
			futex_q_requeue(q, b2, k2);
	}
	return count;
}

int futex_requeue(uint32_t *uaddr1, bool private, uint32_t *uaddr2, int nr_wake,
		  int nr_requeue, const uint32_t *cmpval)
{
	struct futex_key k1, k2;
	int ret;

	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	for (;;) {
		uint32_t cur;
		ret = get_two_keys(uaddr1, uaddr2, private, FUTEX_READ, &k1, &k2);
		if (ret)
			return ret;
		struct futex_bucket *b1 = futex_bucket_of(&k1), *b2 = futex_bucket_of(&k2);
		futex_lock_pair(b1, b2);
		ret = cmpval ? copy_from_user_nofault(&cur, uaddr1, sizeof(cur)) : 0;
		if (!ret) {
			if (cmpval && cur != *cmpval)
				ret = -EAGAIN;
			else
				ret = requeue_locked(b1, &k1, b2, &k2, nr_wake, nr_requeue);
			futex_unlock_pair(b1, b2);
			put_two_keys(&k1, &k2);
			return ret;
		}
		futex_unlock_pair(b1, b2);
		put_two_keys(&k1, &k2);
		if (get_user_u32(&cur, uaddr1))
			return -EFAULT;
	}
}

/* ---- wake-op ------------------------------------------------------------ */

static int32_t sign_extend12(uint32_t v)
{
	return (int32_t)(v << 20) >> 20;
}

static uint32_t apply_op(unsigned op, uint32_t old, uint32_t oparg)
{
	switch (op) {
	case FUTEX_OP_SET: return oparg;
	case FUTEX_OP_ADD: return old + oparg;
	case FUTEX_OP_OR: return old | oparg;
	case FUTEX_OP_ANDN: return old & ~oparg;
	default: return old ^ oparg;    /* FUTEX_OP_XOR */
	}
}

/*
 * FUTEX_WAKE_OP's "*uaddr = old OP oparg; return old CMP cmparg", atomic
 * with respect to other writers of the word, without paging (bucket locks
 * held): 1 or 0 for the comparison, -EFAULT, or -ENOSYS for an unknown op
 * (nothing written) or comparison (written all the same, as Linux).
 */
static int atomic_op_nofault(uint32_t encoded, uint32_t *uaddr)
{
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = sign_extend12(encoded >> 12 & 0xfff);
	int32_t cmparg = sign_extend12(encoded & 0xfff);
	uint32_t old, seen;

	if (encoded & (FUTEX_OP_OPARG_SHIFT << 28)) {
		if (oparg < 0 || oparg > 31) {
			/* Linux warns (rate-limited; here once) and uses the low
			 * five bits. */
			static bool warned;
			if (!__atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
				pr_info("futex_wake_op: %s tries to shift op by %d; fix this program\n",
					current_task()->name, oparg);
			oparg &= 31;
		}
		oparg = (int32_t)(1u << oparg);
	}
	if (op > FUTEX_OP_XOR)
		return -ENOSYS;
	if (copy_from_user_nofault(&old, uaddr, sizeof(old)))
		return -EFAULT;
	for (;;) {
		seen = old;
		if (cmpxchg_user_u32_nofault(uaddr, &seen, apply_op(op, old, (uint32_t)oparg)))
			return -EFAULT;
		if (seen == old)
			break;
		old = seen;             /* someone wrote in between: again */
	}
	int32_t o = (int32_t)old;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: return o == cmparg;
	case FUTEX_OP_CMP_NE: return o != cmparg;
	case FUTEX_OP_CMP_LT: return o < cmparg;
	case FUTEX_OP_CMP_LE: return o <= cmparg;
	case FUTEX_OP_CMP_GT: return o > cmparg;
	case FUTEX_OP_CMP_GE: return o >= cmparg;
	default: return -ENOSYS;
	}
}

int futex_wake_op(uint32_t *uaddr1, bool private, uint32_t *uaddr2, int nr_wake,
		  int nr_wake2, uint32_t encoded_op)
{
	struct futex_key k1, k2;

	for (;;) {
		int ret = get_two_keys(uaddr1, uaddr2, private, FUTEX_WRITE, &k1, &k2);
		if (ret)
			return ret;
		struct futex_bucket *b1 = futex_bucket_of(&k1), *b2 = futex_bucket_of(&k2);
		futex_lock_pair(b1, b2);
		int op_ret = atomic_op_nofault(encoded_op, uaddr2);
		if (op_ret >= 0) {
			/* Bitsets do not matter here (Linux). */
			ret = futex_wake_locked(b1, &k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
			if (op_ret > 0)
				ret += futex_wake_locked(b2, &k2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
		}
		futex_unlock_pair(b1, b2);
		put_two_keys(&k1, &k2);
		if (op_ret >= 0)
			return ret;
		if (op_ret != -EFAULT)
			return op_ret;
		ret = fault_in_user_writeable(current_mm(), (uintptr_t)uaddr2);
		if (ret)
			return ret;
	}
}
