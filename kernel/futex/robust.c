/*
 * Robust futexes: each thread may register a list of the locks it holds
 * (set_robust_list). When it exits (or execs), the kernel walks that list
 * in user memory and marks every lock still owned by the thread
 * FUTEX_OWNER_DIED, waking one waiter, so that the next owner learns the
 * lock's data may be inconsistent (pthread_mutex EOWNERDEAD).
 *
 * The list is user memory and may be garbage: every read is checked, the
 * walk stops at the first fault and after ROBUST_LIST_LIMIT entries.
 */
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <mm/uaccess.h>
#include <uapi/linux/futex.h>
#include "internal.h"

_Static_assert(sizeof(struct robust_list_head) == 24, "robust_list_head is 24 bytes");

/* A list pointer: bit 0 flags a PI futex. */
static int fetch_entry(uint64_t uptr, uint64_t *entry, bool *pi)
{
	uint64_t v;

	if (get_user_u64(&v, (const void *)uptr))
		return -EFAULT;
	*entry = v & ~1ull;
	*pi = v & 1;
	return 0;
}

/*
 * The lock word at uaddr of a list entry of t, which is exiting. pending:
 * it came from list_op_pending (t may have been taking or releasing it).
 */
static void handle_death(uint64_t uaddr, struct task *t, bool pi, bool pending)
{
	uint32_t *word = (uint32_t *)uaddr;
	uint32_t uval;

	if (uaddr & 3)
		return;
	for (;;) {
		if (get_user_u32(&uval, word))
			return;
		/* Released but not yet handed on: a waiter may be waiting for
		 * the wake that t did not get to do. */
		if (pending && !pi && uval == 0) {
			futex_wake(word, false, 1, FUTEX_BITSET_MATCH_ANY);
			return;
		}
		if ((uval & FUTEX_TID_MASK) != (uint32_t)t->tid)
			return;
		/* Owner gone: keep the waiters bit, clear the tid. */
		uint32_t seen = uval;
		if (cmpxchg_user_u32(word, &seen, (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED))
			return;
		if (seen != uval)
			continue;       /* a waiter set FUTEX_WAITERS meanwhile */
		/* PI locks hand over through their own state: none here. */
		if (!pi && (uval & FUTEX_WAITERS))
			futex_wake(word, false, 1, FUTEX_BITSET_MATCH_ANY);
		return;
	}
}

void futex_exit_robust(struct task *t)
{
	uint64_t head = t->robust_list, entry, next, pending;
	bool pi, next_pi, pending_pi;
	int64_t offset;

	BUG_ON(t != current_task());
	if (!head)
		return;
	t->robust_list = 0;
	if (fetch_entry(head, &entry, &pi) ||
	    get_user_u64((uint64_t *)&offset, (const void *)(head + 8)) ||
	    fetch_entry(head + 16, &pending, &pending_pi))
		return;
	for (unsigned limit = ROBUST_LIST_LIMIT; entry != head;) {
		/* Read the link before the lock can be handed on (and its
		 * memory reused by the next owner). */
		int err = fetch_entry(entry, &next, &next_pi);
		/* The pending lock is done last, once. */
		if (entry != pending)
			handle_death(entry + (uint64_t)offset, t, pi, false);
		if (err)
			return;
		entry = next;
		pi = next_pi;
		if (--limit == 0)
			break;
	}
	if (pending)
		handle_death(pending + (uint64_t)offset, t, pending_pi, true);
}

long sys_set_robust_list(void *head, size_t len)
{
	struct task *t = current_task();

	if (len != sizeof(struct robust_list_head))
		return -EINVAL;
	t->robust_list = (uint64_t)head;
	t->robust_list_len = len;
	return 0;
}

/* ptrace_may_access(PTRACE_MODE_READ_REALCREDS), without capabilities or
 * the dumpable flag yet: the same process, a caller whose real ids are all
 * of the target's ids, or root. */
static bool may_read_robust_list(const struct proc *p)
{
	const struct proc *me = current_proc();
	const struct cred *c = &me->cred, *tc = &p->cred;

	if (p == me)
		return true;
	if (c->uid == tc->uid && c->uid == tc->euid && c->uid == tc->suid &&
	    c->gid == tc->gid && c->gid == tc->egid && c->gid == tc->sgid)
		return true;
	return c->euid == 0;
}

long sys_get_robust_list(int pid, uint64_t *head_ptr, uint64_t *len_ptr)
{
	uint64_t head = 0;

	if (pid == 0) {
		head = current_task()->robust_list;
	} else {
		spin_lock(&proc_tree_lock);
		struct task *t = proc_find_task(pid);
		struct proc *p = t ? t->proc : proc_find(pid);
		/* A process whose thread with that id is gone (a zombie) keeps
		 * the pid until reaped; the list went with the thread. */
		if (!p) {
			spin_unlock(&proc_tree_lock);
			return -ESRCH;
		}
		if (!may_read_robust_list(p)) {
			spin_unlock(&proc_tree_lock);
			return -EPERM;
		}
		if (t)
			head = READ_ONCE(t->robust_list);
		spin_unlock(&proc_tree_lock);
	}
	if (put_user_u64(sizeof(struct robust_list_head), len_ptr))
		return -EFAULT;
	if (put_user_u64(head, head_ptr))
		return -EFAULT;
	return 0;
}
