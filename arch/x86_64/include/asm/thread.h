/*
 * The machine state of a user thread that is not in the trap frame: the
 * FS/GS bases (TLS) and the FPU/SSE/AVX registers. Switched by
 * arch_switch_thread() on every context switch between user threads.
 */
#pragma once

#include <kernel/types.h>

struct fpu_state;

struct arch_thread {
	uint64_t fs_base;               /* arch_prctl(ARCH_SET_FS): musl's TLS */
	uint64_t gs_base;               /* user GS (MSR_KERNEL_GS_BASE while in the kernel) */
	struct fpu_state *fpu;          /* NULL for kernel threads */
	struct trap_frame *user_regs;   /* the frame of the current syscall/interrupt from user mode */
	/* The last user-mode fault, for signal frames' sigcontext. */
	uint64_t trap_nr, error_code, cr2;
};
