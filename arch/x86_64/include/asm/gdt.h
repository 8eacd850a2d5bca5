/* Per-CPU GDT and TSS (arch/x86_64/gdt.c). */
#pragma once

#include <kernel/types.h>
#include <kernel/smp.h>

#define MAX_CPUS NR_CPUS

void gdt_init_cpu(unsigned cpu);
void tss_init_ist(unsigned cpu);
void tss_set_kernel_stack(unsigned cpu, uint64_t rsp0);
