#pragma once
#include <kernel/types.h>

/* Print "Call Trace:" and the frames from rbp up; rip (if non-zero) first. */
void arch_backtrace_from(uintptr_t rbp, uintptr_t rip);
