#pragma once
/* Program the SYSCALL MSRs of this CPU (arch/x86_64/syscall.c). */
void syscall_init_cpu(void);
/* This CPU's number in TSC_AUX, for the vDSO's getcpu (arch/x86_64/vdso.c). */
void vdso_init_cpu(unsigned cpu);
