/*
 * Futexes. (Placeholder for the futex work: wake and robust-list hooks
 * that thread exit calls; the futex syscall itself is not wired yet.)
 */
#include <kernel/futex.h>

int futex_wake(uint32_t *uaddr, bool private, int n, uint32_t bitset)
{
	(void)uaddr; (void)private; (void)n; (void)bitset;
	return 0;
}

void futex_exit_robust(struct task *t)
{
	(void)t;
}
