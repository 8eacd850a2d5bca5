/*
 * Interrupt and exception entry: one stub per vector pushes a dummy error
 * code where the CPU pushes none, then the vector number, and joins
 * trap_common, which saves the general registers as a struct trap_frame
 * (asm/trap.h) and calls trap_dispatch(). SWAPGS happens when the
 * interrupted code was user mode, so GS always points at per-CPU data here.
 */
#include <asm/layout.h>
#include <asm/entry.h>

/* Vectors where the CPU pushes an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.macro VECTOR_STUB v
	.balign 16
vector_\v:
	.if !HAS_ERROR_CODE(\v)
	pushq $0
	.endif
	pushq $\v
	jmp trap_common
	.endm

	.altmacro
	.set v, 0
	.rept 256
	VECTOR_STUB %v
	.set v, v + 1
	.endr

trap_common:
	/* An interrupt inside copy_*_user arrives with RFLAGS.AC set (the
	   CPU does not clear it); close user access for the handler. The
	   saved RFLAGS restores it on return. */
	cmpb $0, x86_smap_on(%rip)
	je 0f
	clac
0:	testb $3, 24(%rsp)              /* CS of the interrupted context */
	jz 1f
	swapgs
1:	SAVE_GPRS
	cld
	movq %rsp, %rdi
	/* A frame pointer link through the interrupted RIP makes backtraces
	   continue across the exception into the code that faulted. */
	pushq 17*8(%rsp)                /* tf->rip */
	pushq %rbp
	movq %rsp, %rbp
	call trap_dispatch
	addq $16, %rsp

	.globl trap_return
trap_return:
	cli                             /* no interrupt between swapgs and iretq (IF comes back from the frame) */
	RESTORE_GPRS
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp                  /* vector, error code */
	iretq

	/* The table idt.c installs: the address of each stub. */
	.section .rodata
	.balign 8
	.globl vector_stubs
vector_stubs:
	.macro STUB_ADDR v
	.quad vector_\v
	.endm
	.set v, 0
	.rept 256
	STUB_ADDR %v
	.set v, v + 1
	.endr
