/* Architecture part of a task: its first kernel stack frame. */
#include <kernel/arch.h>


void task_trampoline(void);

/* Lay out what arch_context_switch pops: r15 r14 r13 r12 rbx rbp, then
 * the return address. */
uint64_t arch_task_init_stack(void *stack_top, void (*fn)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)stack_top;

	*--sp = 0;                      /* alignment: entry sees rsp % 16 == 8 */
	*--sp = (uint64_t)task_trampoline;
	*--sp = 0;                      /* rbp: ends backtraces */
	*--sp = 0;                      /* rbx */
	*--sp = (uint64_t)fn;           /* r12 */
	*--sp = (uint64_t)arg;          /* r13 */
	*--sp = 0;                      /* r14 */
	*--sp = 0;                      /* r15 */
	return (uint64_t)sp;
}
