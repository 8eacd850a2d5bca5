/*
 * x86-64 bring-up of the boot CPU: descriptor tables and FPU first (so
 * faults are reported from the first C instruction on), then, once memory
 * management works, the platform that ACPI describes.
 */
#include <kernel/arch.h>
#include <kernel/boot_info.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/gdt.h>
#include <asm/trap.h>
#include <asm/platform.h>
#include <asm/extable.h>
#include <asm/percpu.h>
#include <asm/syscall.h>

void arch_early_init(void)
{
	cpu_init_features();
	gdt_init_cpu(0);
	percpu_init(0);
	syscall_init_cpu();
	idt_init();
	fpu_init_cpu();
}

static void report_cpu(void)
{
	pr_info("cpu: %s (%s)%s%s%s%s%s%s%s\n", cpu_brand(), cpu_vendor(),
		cpu_has(X86_FEATURE_NX) ? " nx" : "",
		cpu_has(X86_FEATURE_PDPE1GB) ? " pdpe1gb" : "",
		cpu_has(X86_FEATURE_X2APIC) ? " x2apic" : "",
		cpu_has(X86_FEATURE_TSC_DEADLINE) ? " tsc-deadline" : "",
		cpu_has(X86_FEATURE_INVARIANT_TSC) ? " invariant-tsc" : "",
		cpu_has(X86_FEATURE_SMEP) ? " smep" : "",
		cpu_has(X86_FEATURE_SMAP) ? " smap" : "");
	fpu_report();
}

/* mm: the kernel never runs user code (SMEP) nor touches user memory
 * outside the uaccess routines, which open it with stac (SMAP). */
void enable_user_protection(void)
{
	if (cpu_has(X86_FEATURE_SMEP))
		write_cr4(read_cr4() | CR4_SMEP);
	if (cpu_has(X86_FEATURE_SMAP)) {
		write_cr4(read_cr4() | CR4_SMAP);
		x86_smap_on = true;
	}
}

void arch_init(const struct boot_info *bi)
{
	enable_user_protection();
	/* #DF, NMI and #MC get stacks of their own: they must work even when
	   the faulting stack is the problem. */
	tss_init_ist(0);
	idt_set_ist(X86_TRAP_DF, IST_DF);
	idt_set_ist(X86_TRAP_NMI, IST_NMI);
	idt_set_ist(X86_TRAP_MC, IST_MC);
	report_cpu();
	platform_init(bi);
}

