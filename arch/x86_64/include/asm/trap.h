/* The register frame every interrupt and exception entry saves (entry.S). */
#pragma once

#include <kernel/types.h>

/*
 * A system call's frame has vector -1 and, in error_code, the call's
 * number as it came in rax (Linux's orig_rax), so that a call a signal
 * interrupted can be restarted; -1 there means "not restartable"
 * (rt_sigreturn, exec).
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "entry.S pushes 22 words");
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "entry.S layout");
_Static_assert(offsetof(struct trap_frame, rcx) == 12 * 8, "syscall.S layout");
_Static_assert(offsetof(struct trap_frame, r11) == 4 * 8, "syscall.S layout");

/* Exception vectors (Intel SDM vol. 3, table 6-1). */
enum {
	X86_TRAP_DE = 0, X86_TRAP_DB = 1, X86_TRAP_NMI = 2, X86_TRAP_BP = 3,
	X86_TRAP_OF = 4, X86_TRAP_BR = 5, X86_TRAP_UD = 6, X86_TRAP_NM = 7,
	X86_TRAP_DF = 8, X86_TRAP_TS = 10, X86_TRAP_NP = 11, X86_TRAP_SS = 12,
	X86_TRAP_GP = 13, X86_TRAP_PF = 14, X86_TRAP_MF = 16, X86_TRAP_AC = 17,
	X86_TRAP_MC = 18, X86_TRAP_XM = 19, X86_TRAP_VE = 20, X86_TRAP_CP = 21,
};

/* Segment selectors (gdt.c), the same values as Linux so that signal frames
 * and debuggers see familiar numbers. The order makes SYSCALL/SYSRET work:
 * STAR[47:32] = KERNEL_CS (SS = +8), STAR[63:48] = USER32_CS | 3
 * (SYSRET loads CS = +16, SS = +8). */
#define GDT_KERNEL_CS 0x10
#define GDT_KERNEL_DS 0x18
#define GDT_USER32_CS 0x23
#define GDT_USER_DS   0x2b
#define GDT_USER_CS   0x33
#define GDT_TSS       0x40

/* IST slots in the TSS (1-based as the IDT encodes them). */
#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3

typedef void (*irq_handler_t)(struct trap_frame *tf, void *data);

/* Install handler for an interrupt vector (32..255). -EBUSY if taken. */
int irq_register_vector(unsigned vector, irq_handler_t handler, void *data);
/* A free vector for a device interrupt, or -ENOSPC. */
int irq_alloc_vector(void);

void idt_init(void);
void idt_load(void);
void idt_set_ist(unsigned vector, unsigned ist);
void trap_dispatch(struct trap_frame *tf);
void trap_report(const struct trap_frame *tf);
bool irq_handle(struct trap_frame *tf);   /* false: no handler */
