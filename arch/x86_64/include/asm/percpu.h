/*
 * Per-CPU data, reached through the GS base: in the kernel GS always points
 * at this CPU's struct percpu (entry code does SWAPGS when coming from user
 * mode), so %gs:0 is a pointer to the struct itself.
 */
#pragma once

#include <kernel/types.h>

struct task;

struct percpu {
	struct percpu *self;            /* %gs:0 */
	struct task *current;           /* %gs:8 */
	uint64_t kernel_rsp;            /* %gs:16: top of current's kernel stack (syscall entry) */
	uint64_t user_rsp;              /* %gs:24: scratch for syscall entry */
	unsigned cpu;                   /* logical CPU number */
	uint32_t apic_id;
};

_Static_assert(offsetof(struct percpu, current) == 8, "syscall.S uses %gs:8");
_Static_assert(offsetof(struct percpu, kernel_rsp) == 16, "syscall.S uses %gs:16");
_Static_assert(offsetof(struct percpu, user_rsp) == 24, "syscall.S uses %gs:24");

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

void percpu_init(unsigned cpu);
uint32_t percpu_apic_id(unsigned cpu);
