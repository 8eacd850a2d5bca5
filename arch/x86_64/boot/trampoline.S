/*
 * Application-processor start-up code. A SIPI starts an AP in real mode at
 * TRAMPOLINE_BASE (vector 0x08 -> 0x0800:0000); this code is copied there
 * by smp.c and takes the AP through protected mode into long mode on the
 * kernel's page tables (which map the trampoline page 1:1 while APs boot),
 * then jumps to tramp_entry on tramp_stack. Layout facts: Intel SDM vol. 3,
 * 9.4 (MP initialization) and 9.8 (switching to IA-32e mode).
 */
#define TRAMPOLINE_BASE 0x8000
#define T(x) ((x) - trampoline_start + TRAMPOLINE_BASE)

	.section .rodata, "a"
	.code16
	.globl trampoline_start
trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax                    /* PE */
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax        /* PAE, PGE */
	movl %eax, %cr4
	movl T(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx          /* EFER */
	rdmsr
	orl T(tramp_efer), %eax         /* LME, and NXE when the BSP uses it */
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax           /* PG | WP | PE */
	movl %eax, %cr0
	ljmpl $0x18, $T(tramp64)

	.code64
tramp64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %ss
	movq T(tramp_stack), %rsp
	xorl %ebp, %ebp
	movq T(tramp_entry), %rax
	jmpq *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
tramp_gdt_ptr:
	.word tramp_gdt_ptr - tramp_gdt - 1
	.long T(tramp_gdt)

	/* Filled in by smp.c for each AP, in the copy at TRAMPOLINE_BASE. */
	.balign 8
	.globl tramp_cr3, tramp_efer, tramp_stack, tramp_entry
tramp_cr3:   .long 0
tramp_efer:  .long 0
tramp_stack: .quad 0
tramp_entry: .quad 0
	.globl trampoline_end
trampoline_end:
