/*
 * SYSCALL entry (Linux x86-64 ABI): rax = number, rdi rsi rdx r10 r8 r9 =
 * arguments, rcx = user rip, r11 = user rflags; the CPU has cleared IF
 * (SFMASK) and loaded the kernel CS/SS, but not the stack. We switch to the
 * task's kernel stack and save a struct trap_frame exactly like an
 * interrupt would, so every kernel exit (signals, exec, iret) sees one
 * shape of frame. vector = -1 marks a system call.
 */
#include <asm/layout.h>
#include <asm/entry.h>

#define USER_DS 0x2b
#define USER_CS 0x33

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq %rsp, %gs:24               /* percpu.user_rsp */
	movq %gs:16, %rsp               /* percpu.kernel_rsp */
	pushq $USER_DS                  /* ss */
	pushq %gs:24                    /* rsp */
	pushq %r11                      /* rflags */
	pushq $USER_CS                  /* cs */
	pushq %rcx                      /* rip */
	pushq %rax                      /* error code: the call's number (orig_rax) */
	pushq $-1                       /* vector: system call */
	SAVE_GPRS
	movq %rsp, %rdi
	xorl %ebp, %ebp                 /* backtraces stop at the user boundary */
	call syscall_handler            /* returns with interrupts off */

	/*
	 * Fast return with SYSRET when the frame still looks like the one
	 * SYSCALL made (same CS/SS, canonical user RIP, RCX = RIP and R11 =
	 * RFLAGS): SYSRET reloads RIP from RCX and RFLAGS from R11, so it
	 * could not give back different RCX/R11 (a signal handler's entry or
	 * rt_sigreturn's restored context). Anything else (also: a
	 * non-canonical RIP would fault in kernel mode on Intel CPUs) leaves
	 * through IRETQ.
	 */
	movq 17*8(%rsp), %rcx           /* tf->rip */
	cmpq %rcx, 12*8(%rsp)           /* tf->rcx */
	jne 1f
	movq %rcx, %r11
	sarq $47, %r11
	jnz 1f                          /* not a canonical user address */
	cmpq $USER_CS, 18*8(%rsp)
	jne 1f
	cmpq $USER_DS, 21*8(%rsp)
	jne 1f
	movq 19*8(%rsp), %r11           /* tf->rflags */
	cmpq %r11, 4*8(%rsp)            /* tf->r11 */
	jne 1f
	testq $0x10100, %r11            /* RF or TF: let IRETQ handle them */
	jnz 1f
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	addq $8, %rsp                   /* r11: SYSRET takes RFLAGS from it */
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	addq $8, %rsp                   /* rcx: SYSRET takes RIP from it */
	popq %rbx
	popq %rax
	movq 5*8(%rsp), %rsp            /* tf->rsp, past vector/error/rip/cs/rflags */
	swapgs
	sysretq
1:	jmp trap_return                 /* IRETQ back, with SWAPGS */
	.size syscall_entry, . - syscall_entry

/*
 * void arch_enter_user(uint64_t rip, uint64_t rsp): leave the kernel for
 * the first time in this task, with every general register zeroed, through
 * the same exit path as interrupts.
 */
	.globl arch_enter_user
	.type arch_enter_user, @function
arch_enter_user:
	cli
	movq %gs:16, %rsp               /* an empty kernel stack */
	pushq $USER_DS
	pushq %rsi
	pushq $0x202                    /* IF */
	pushq $USER_CS
	pushq %rdi
	pushq $0
	pushq $0
	.rept 15
	pushq $0
	.endr
	jmp trap_return
	.size arch_enter_user, . - arch_enter_user

/*
 * void arch_return_to_user(struct trap_frame *tf): leave through tf, which
 * sits at the top of this task's kernel stack (a fork child's first exit).
 */
	.globl arch_return_to_user
	.type arch_return_to_user, @function
arch_return_to_user:
	cli
	movq %rdi, %rsp
	jmp trap_return
	.size arch_return_to_user, . - arch_return_to_user
