/*
 * Multiboot2 entry: GRUB jumps here in 32-bit protected mode, paging off,
 * EAX = magic, EBX = physical address of the boot information.
 *
 * We build just enough page tables to reach long mode: physical 0..1 GiB
 * mapped twice, at 0 (so the instruction after enabling paging still runs)
 * and at KERNEL_VIRT_BASE (where the kernel is linked). paging_init()
 * replaces all of this once C code runs.
 */
#include <asm/layout.h>

#define MB2_MAGIC      0xe85250d6
#define MB2_ARCH_I386  0
#define PHYS(x)        ((x) - KERNEL_VIRT_BASE)

#define PTE_P   0x1
#define PTE_W   0x2
#define PTE_PS  0x80

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Entry address tag: our ELF entry is a 64-bit virtual address. */
	.balign 8
	.word 3, 0
	.long 12
	.long PHYS(_start32)

	/* Framebuffer tag, optional: UEFI machines have no VGA text mode. */
	.balign 8
	.word 5, 1
	.long 20
	.long 1024, 768, 32

	/* Module alignment tag: modules start on page boundaries. */
	.balign 8
	.word 6, 0
	.long 8

	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	movl %eax, %edi                 /* magic -> 1st argument of kmain */
	movl %ebx, %esi                 /* mbi   -> 2nd argument */
	movl $PHYS(boot_stack_top), %esp

	/* Long mode available? (CPUID 0x80000001 EDX bit 29) */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	movl %edx, %ebp                 /* keep EDX: bit 20 says NX exists */

	/* PML4[0] and PML4[511] -> PDPTs; PDPT_low[0], PDPT_high[510] -> PD. */
	movl $PHYS(boot_pdpt_low) + (PTE_P | PTE_W), PHYS(boot_pml4)
	movl $PHYS(boot_pdpt_high) + (PTE_P | PTE_W), PHYS(boot_pml4) + 511 * 8
	movl $PHYS(boot_pd) + (PTE_P | PTE_W), PHYS(boot_pdpt_low)
	movl $PHYS(boot_pd) + (PTE_P | PTE_W), PHYS(boot_pdpt_high) + 510 * 8

	/* PD: 512 x 2 MiB pages covering physical 0..1 GiB. */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, PHYS(boot_pd)(, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b

	movl %cr4, %eax
	orl $(1 << 5), %eax             /* PAE */
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3

	movl $0xc0000080, %ecx          /* EFER */
	rdmsr
	orl $(1 << 8), %eax             /* LME */
	btl $20, %ebp
	jnc 2f
	orl $(1 << 11), %eax            /* NXE, when the CPU has NX */
2:	wrmsr

	movl %cr0, %eax
	orl $0x80010001, %eax           /* PG | WP | PE */
	movl %eax, %cr0

	lgdt PHYS(boot_gdt_ptr)
	ljmp $0x08, $PHYS(start64_low)

no_long_mode:
	/* Say so on COM1 and stop: there is nothing else we can do. */
	movl $PHYS(no_lm_msg), %esi
3:	lodsb
	testb %al, %al
	jz 4f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

	.code64
start64_low:
	movabsq $start64, %rax
	jmp *%rax

start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs

	/* .bss is NOLOAD: clear it before any C runs (the stack lives in it,
	   but nothing is on it yet). */
	movq %rdi, %r12
	movq %rsi, %r13
	movabsq $__bss_start, %rdi
	movabsq $__bss_end, %rcx
	subq %rdi, %rcx
	shrq $3, %rcx
	xorl %eax, %eax
	rep stosq

	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp                 /* terminates backtraces */
	movl %r12d, %edi
	movl %r13d, %esi
	call kmain
5:	cli
	hlt
	jmp 5b

	.section .rodata
no_lm_msg:
	.asciz "boot: this CPU has no long mode (x86-64); halting\r\n"

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.quad PHYS(boot_gdt)

	/* Page tables are in .data (not .bss) so they are zero when loaded. */
	.section .data.boot_pagetables, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:      .fill 512, 8, 0
boot_pdpt_low:  .fill 512, 8, 0
boot_pdpt_high: .fill 512, 8, 0
boot_pd:        .fill 512, 8, 0

	.section .bss
	.balign 4096
boot_stack:
	.skip 16384
boot_stack_top:
