/* Per-CPU areas and the GS base that points at them. */
#include <kernel/arch.h>
#include <asm/cpu.h>
#include <asm/gdt.h>
#include <asm/percpu.h>

static struct percpu percpu_areas[MAX_CPUS];
bool percpu_gs_ready;          /* the boot CPU has loaded its GS base */

void percpu_init(unsigned cpu)
{
	struct percpu *p = &percpu_areas[cpu];

	p->self = p;
	p->cpu = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)p);
	wrmsr(MSR_KERNEL_GS_BASE, 0);   /* user GS until the first SWAPGS */
	percpu_gs_ready = true;
}

void arch_set_current(struct task *t, uint64_t kernel_stack_top)
{
	struct percpu *p = this_cpu();

	p->current = t;
	p->kernel_rsp = kernel_stack_top;
	tss_set_kernel_stack(p->cpu, kernel_stack_top);
}

uint32_t percpu_apic_id(unsigned cpu)
{
	return percpu_areas[cpu].apic_id;
}
