/* Kernel setjmp/longjmp (arch/x86_64/lib/setjmp.S). */
#pragma once

#include <kernel/types.h>

struct arch_jmp_buf {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};

int arch_setjmp(struct arch_jmp_buf *buf) __attribute__((returns_twice));
__noreturn void arch_longjmp(struct arch_jmp_buf *buf, int val);
