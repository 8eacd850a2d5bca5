/*
 * This CPU's number and running task, read from the per-CPU area through
 * the GS base (asm/percpu.h). Inline: the system-call path asks for the
 * current task several times. Before the boot CPU has loaded its GS base
 * (percpu_init) only CPU 0 runs, and no task.
 */
#pragma once

#include <asm/percpu.h>

extern bool percpu_gs_ready;

static inline unsigned arch_cpu_id(void)
{
	return percpu_gs_ready ? this_cpu()->cpu : 0;
}

static inline struct task *arch_current(void)
{
	return percpu_gs_ready ? this_cpu()->current : NULL;
}
