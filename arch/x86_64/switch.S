/*
 * Kernel context switch: save the callee-saved registers of the running
 * task on its stack, store its stack pointer, load the next task's and pop
 * its registers. Everything else was saved by the C caller (System V ABI).
 *
 *   void arch_context_switch(uint64_t *prev_rsp, uint64_t next_rsp)
 */
	.text
	.globl arch_context_switch
	.type arch_context_switch, @function
arch_context_switch:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size arch_context_switch, . - arch_context_switch

/*
 * First code a new task runs: arch_task_init_stack prepared its stack so
 * that arch_context_switch "returns" here with r12 = fn, r13 = arg.
 * task_entry (kernel/sched/core.c) finishes the switch and calls fn(arg).
 */
	.globl task_trampoline
task_trampoline:
	movq %r12, %rdi
	movq %r13, %rsi
	call task_entry
	ud2                             /* task_entry never returns */
