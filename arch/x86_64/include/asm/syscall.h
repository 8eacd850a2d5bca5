#pragma once
/* Program the SYSCALL MSRs of this CPU (arch/x86_64/syscall.c). */
void syscall_init_cpu(void);
