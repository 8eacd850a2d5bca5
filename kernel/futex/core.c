/*
 * Futex core: keys, the hash table of wait buckets, and queue entries.
 * The operations (waitwake.c), the system call (sys.c) and robust lists
 * (robust.c) build on these.
 *
 * Lock order: mm->lock (only while computing a key, never held after) ;
 * futex bucket locks (two at once in address order) -> run-queue locks
 * (task_wake). Bucket locks are plain spinlocks: no interrupt handler
 * takes them (a timeout's timer only wakes the task). Nothing under a
 * bucket lock may page: user words are read and written there with the
 * _nofault accessors, and on a fault the caller drops the locks, pages
 * the word in and starts over.
 *
 * A waiter's entry (struct futex_q) lives on its stack. A waker dequeues
 * it and wakes the task under the bucket lock; the waiter always takes
 * that lock before returning, so neither the entry nor the task can go
 * away under a waker.
 */
#include <kernel/errno.h>
#include <kernel/task.h>
#include <mm/mm.h>
#include <mm/uaccess.h>
#include "internal.h"

static struct futex_bucket buckets[FUTEX_HASH_SIZE];

void futex_init(void)
{
	for (unsigned i = 0; i < FUTEX_HASH_SIZE; i++) {
		spin_lock_init(&buckets[i].lock, "futex_bucket");
		list_init(&buckets[i].waiters);
	}
}

int futex_key_get(uint32_t *uaddr, bool private, enum futex_access rw, struct futex_key *key)
{
	uintptr_t a = (uintptr_t)uaddr;
	struct mm *mm = current_mm();
	int err = 0;

	if (a & (sizeof(*uaddr) - 1))
		return -EINVAL;
	if (!user_range_ok(uaddr, sizeof(*uaddr)))
		return -EFAULT;
	*key = (struct futex_key){ .base = mm, .offset = a };
	/* Private futexes never look at the mapping: an unmapped address
	 * only faults when the word is read. */
	if (private)
		return 0;
	if (!mm)
		return -EFAULT;
	spin_lock(&mm->lock);
	struct vma *v = vma_find(&mm->vmas, a);
	if (!v || v->prot == PROT_NONE || (rw == FUTEX_WRITE && !(v->prot & PROT_WRITE))) {
		err = -EFAULT;
	} else if ((v->flags & MAP_SHARED) && v->ops) {
		/* The mapping's reference keeps obj alive until we take ours. */
		key->base = v->obj;
		key->offset = v->off + (a - v->start);
		key->ops = v->ops;
		v->ops->get(v->obj);
	} else {
		/* Private memory: only this mm can share it (CLONE_VM). */
		key->offset |= FUTEX_KEY_MM_SHARED;
	}
	spin_unlock(&mm->lock);
	return err;
}

void futex_key_put(struct futex_key *key)
{
	if (key->ops)
		key->ops->put((void *)key->base);
	key->ops = NULL;
}

unsigned futex_hash(const struct futex_key *key)
{
	/* Words are 4-aligned and objects at least 8-aligned: drop those
	 * bits, then mix (a splitmix64 finaliser) so neighbouring words and
	 * objects spread over the table. */
	uint64_t h = (key->offset >> 2) + ((uint64_t)(uintptr_t)key->base >> 3) *
		     0x9e3779b97f4a7c15ull;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (unsigned)(h & (FUTEX_HASH_SIZE - 1));
}

struct futex_bucket *futex_bucket_of(const struct futex_key *key)
{
	return &buckets[futex_hash(key)];
}

void futex_lock_pair(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a == b) {
		spin_lock(&a->lock);
		return;
	}
	if (a > b) {
		struct futex_bucket *t = a;
		a = b;
		b = t;
	}
	spin_lock(&a->lock);
	spin_lock(&b->lock);
}

void futex_unlock_pair(struct futex_bucket *a, struct futex_bucket *b)
{
	spin_unlock(&a->lock);
	if (a != b)
		spin_unlock(&b->lock);
}

void futex_q_wake(struct futex_q *q)
{
	assert_held(&q->bucket->lock);
	list_del(&q->link);
	/* The waiter may see this before the wake-up, but it takes the
	 * bucket lock before leaving, so q and the task outlive the call. */
	__atomic_store_n(&q->queued, false, __ATOMIC_SEQ_CST);
	task_wake(q->task);
}

void futex_q_requeue(struct futex_q *q, struct futex_bucket *to, const struct futex_key *key)
{
	assert_held(&q->bucket->lock);
	assert_held(&to->lock);
	if (q->bucket != to) {
		list_del(&q->link);
		list_add_tail(&q->link, &to->waiters);
		q->bucket = to;
	}
	/* q holds a reference on its key's object. Dropping the old one here
	 * never frees: the requeuer holds its own on that key. */
	if (key->ops)
		key->ops->get((void *)key->base);
	futex_key_put(&q->key);
	q->key = *key;
}

int futex_wake_locked(struct futex_bucket *b, const struct futex_key *key, int n,
		      uint32_t bitset)
{
	struct futex_q *q, *tmp;
	int woken = 0;

	assert_held(&b->lock);
	list_for_each_entry_safe(q, tmp, &b->waiters, link) {
		if (!futex_key_eq(&q->key, key) || !(q->bitset & bitset))
			continue;
		futex_q_wake(q);
		/* Checked after the first wake: n <= 0 still wakes one (Linux). */
		if (++woken >= n)
			break;
	}
	return woken;
}
