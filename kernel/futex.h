/*
 * Futexes (kernel/futex/): wait queues keyed by a user address. Private
 * futexes are keyed by (mm, address); shared ones in a MAP_SHARED mapping
 * by the mapped object and the offset in it, so that they work across
 * processes (kernel/futex/internal.h has the details). The system calls
 * (futex, set_robust_list, get_robust_list) are in kernel/syscall.h;
 * docs/futex.md describes the design.
 */
#pragma once

#include <kernel/types.h>

struct task;

#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* The hash table of wait buckets; once at boot, before any user task. */
void futex_init(void);
/* Wake up to n waiters (at least one if there are any, as Linux) of the
 * futex at uaddr in the current address space whose bitset intersects
 * bitset. The number woken, or -errno (EINVAL: bitset 0 or uaddr not
 * 4-aligned; EFAULT). */
int futex_wake(uint32_t *uaddr, bool private, int n, uint32_t bitset);
/* Thread exit (t is the caller): walk t's robust list (set_robust_list),
 * mark each lock t still holds FUTEX_OWNER_DIED and wake a waiter, as
 * Linux does; then forget the list. */
void futex_exit_robust(struct task *t);
