/*
 * Futexes (kernel/futex.c): wait queues keyed by a user address. Private
 * futexes are keyed by (mm, address); shared ones by the physical page and
 * offset, so that they work across processes through a shared mapping.
 */
#pragma once

#include <kernel/types.h>

struct task;

#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* Wake up to n waiters of the futex at uaddr (current address space) whose
 * bitset intersects bitset. The number woken, or -errno (EFAULT, EINVAL). */
int futex_wake(uint32_t *uaddr, bool private, int n, uint32_t bitset);
/* Thread exit: walk t's robust list (set_robust_list), mark each held
 * lock FUTEX_OWNER_DIED and wake a waiter, as Linux does. */
void futex_exit_robust(struct task *t);
