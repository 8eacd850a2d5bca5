/* Kernel setjmp/longjmp: enough state to abandon a faulting call (used to
 * catch expected faults in tests and, later, by nothing else). */

	.text
	/* int arch_setjmp(struct arch_jmp_buf *buf) */
	.globl arch_setjmp
arch_setjmp:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax              /* caller's rsp after our return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax               /* return address */
	movq %rax, 56(%rdi)
	pushfq
	popq 64(%rdi)
	xorl %eax, %eax
	ret

	/* void arch_longjmp(struct arch_jmp_buf *buf, int val) */
	.globl arch_longjmp
arch_longjmp:
	movl %esi, %eax
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	pushq 64(%rdi)
	popfq
	jmp *56(%rdi)
