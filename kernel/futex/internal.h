/*
 * Futex internals shared by the files of kernel/futex/ and the in-kernel tests:
 * keys, the hash table of buckets, and the entry a waiter sleeps in.
 */
#pragma once

#include <kernel/futex.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>

struct vm_object_ops;

/*
 * What names a futex. Private: base = the mm, offset = the user address.
 * Shared, in a MAP_SHARED mapping: base = the mapped object, offset = the
 * byte offset in it, the same in every process that maps it. Shared, in
 * private memory: the mm and the address with FUTEX_KEY_MM_SHARED set, so
 * (as in Linux) it is a different futex from the private one at the same
 * address. A key on an object holds a reference on it (ops != NULL) until
 * futex_key_put(). Every key in use names a live mm or object, so an mm
 * and an object never compare equal.
 */
#define FUTEX_KEY_MM_SHARED 1ull        /* in offset; addresses are 4-aligned */

struct futex_key {
	const void *base;
	uint64_t offset;
	const struct vm_object_ops *ops;
};

static inline bool futex_key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->base == b->base && a->offset == b->offset;
}

/* What the operation does to the word: a shared key for a write needs a
 * writable mapping (FUTEX_WAKE_OP's second futex). */
enum futex_access { FUTEX_READ, FUTEX_WRITE };

/* The key of the futex at uaddr for the current address space: 0, -EINVAL
 * (not 4-aligned) or -EFAULT (not a user address; shared: not mapped with
 * the access). */
int futex_key_get(uint32_t *uaddr, bool private, enum futex_access rw, struct futex_key *key);
void futex_key_put(struct futex_key *key);

#define FUTEX_HASH_BITS 10
#define FUTEX_HASH_SIZE (1u << FUTEX_HASH_BITS)

struct futex_bucket {
	struct spinlock lock;
	struct list_head waiters;       /* struct futex_q, in arrival order; lock */
};

/* The bucket index of a key (its hash), and the bucket. */
unsigned futex_hash(const struct futex_key *key);
struct futex_bucket *futex_bucket_of(const struct futex_key *key);
/* Lock two buckets (in address order; once if they are the same). */
void futex_lock_pair(struct futex_bucket *a, struct futex_bucket *b);
void futex_unlock_pair(struct futex_bucket *a, struct futex_bucket *b);

/* A waiter, on its own stack while it sleeps in futex_wait. */
struct futex_q {
	/* Under the lock of the bucket it is on. bucket and key change only
	 * with both the old and the new bucket locked (requeue). */
	struct list_head link;
	struct futex_bucket *bucket;
	struct futex_key key;
	bool queued;                    /* cleared by whoever dequeues it */

	/* Immutable while queued. */
	struct task *task;
	uint32_t bitset;
};

/* Bucket locked: dequeue q and wake its task. */
void futex_q_wake(struct futex_q *q);
/* Both buckets locked: move q from its bucket to `to`, keyed by key. */
void futex_q_requeue(struct futex_q *q, struct futex_bucket *to, const struct futex_key *key);
/* Bucket locked: wake up to n (at least one) waiters matching key and
 * bitset; the number woken. */
int futex_wake_locked(struct futex_bucket *b, const struct futex_key *key, int n,
		      uint32_t bitset);

/* The operations behind futex(2) (kernel/futex/waitwake.c); deadline is
 * monotonic ns (NULL: none). */
int futex_wait(uint32_t *uaddr, bool private, uint32_t val, const int64_t *deadline,
	       uint32_t bitset);
int futex_requeue(uint32_t *uaddr1, bool private, uint32_t *uaddr2, int nr_wake,
		  int nr_requeue, const uint32_t *cmpval);
int futex_wake_op(uint32_t *uaddr1, bool private, uint32_t *uaddr2, int nr_wake,
		  int nr_wake2, uint32_t encoded_op);
