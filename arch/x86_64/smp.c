/*
 * SMP bring-up: start every CPU the MADT lists with INIT-SIPI-SIPI
 * (Intel SDM vol. 3, 9.4.4), give it its GDT/TSS, per-CPU data, FPU,
 * SYSCALL MSRs and LAPIC, and hand it to the scheduler as an idle CPU.
 * APs are started one at a time; each signals when it is up.
 */
#include <kernel/arch.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/gdt.h>
#include <asm/percpu.h>
#include <asm/platform.h>
#include <asm/syscall.h>
#include <asm/trap.h>
#include <arch/x86_64/apic/apic.h>
#include <drivers/acpi/acpi.h>
#include <mm/phys.h>
#include <mm/vmap.h>
#include <mm/vmm.h>

#define TRAMPOLINE_BASE 0x8000

extern const char trampoline_start[], trampoline_end[];
extern uint32_t tramp_cr3, tramp_efer;
extern uint64_t tramp_stack, tramp_entry;

static volatile unsigned ap_index;      /* the CPU number being started */
static volatile bool ap_up;             /* set by the AP when it is running */

/* Where a trampoline variable lives in the copy at TRAMPOLINE_BASE. */
static void *tramp_var(const void *var)
{
	return phys_to_virt(TRAMPOLINE_BASE + ((const char *)var - trampoline_start));
}

static __noreturn void ap_main(void)
{
	unsigned cpu = ap_index;

	gdt_init_cpu(cpu);
	idt_load();
	percpu_init(cpu);
	this_cpu()->apic_id = lapic_id();
	syscall_init_cpu();
	vdso_init_cpu(cpu);
	fpu_init_cpu();
	enable_user_protection();
	lapic_init_ap();
	tss_init_ist(cpu);
	sched_init_cpu(cpu);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST);
	arch_irq_enable();
	WRITE_ONCE(ap_up, true);
	sched_idle_loop();
}

static bool start_ap(unsigned cpu, uint32_t apic_id)
{
	void *stack = kstack_alloc();
	if (!stack)
		return false;
	*(uint64_t *)tramp_var(&tramp_stack) = (uint64_t)stack;
	ap_index = cpu;
	ap_up = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_init(apic_id);
	mdelay(10);
	for (int sipi = 0; sipi < 2 && !READ_ONCE(ap_up); sipi++) {
		lapic_send_sipi(apic_id, TRAMPOLINE_BASE >> 12);
		uint64_t end = time_ns() + (sipi ? 200 : 1) * NSEC_PER_MSEC;
		while (!READ_ONCE(ap_up) && time_ns() < end)
			cpu_relax();
	}
	/* A slow (emulated) CPU may take longer to come up. */
	uint64_t end = time_ns() + 1000 * NSEC_PER_MSEC;
	while (!READ_ONCE(ap_up) && time_ns() < end)
		cpu_relax();
	if (!READ_ONCE(ap_up)) {
		kstack_free(stack);
		return false;
	}
	return true;
}

void arch_smp_boot(void)
{
	int n = acpi_cpu_count();
	uint32_t self = lapic_id();
	unsigned next = 1;
	size_t len = trampoline_end - trampoline_start;

	this_cpu()->apic_id = self;
	if (n <= 1)
		return;
	memcpy(phys_to_virt(TRAMPOLINE_BASE), trampoline_start, len);
	*(uint32_t *)tramp_var(&tramp_cr3) = (uint32_t)kernel_space.pml4;
	*(uint32_t *)tramp_var(&tramp_efer) = EFER_LME | (cpu_has(X86_FEATURE_NX) ? EFER_NXE : 0);
	*(uint64_t *)tramp_var(&tramp_entry) = (uint64_t)ap_main;
	/* The AP fetches the instructions after enabling paging at their
	 * physical address: map the trampoline page 1:1 while APs start. */
	if (vmm_map(&kernel_space, TRAMPOLINE_BASE, TRAMPOLINE_BASE, PAGE_SIZE,
		    VM_READ | VM_EXEC, 0) < 0)
		panic("smp: cannot map the AP trampoline");

	for (int i = 0; i < n && next < MAX_CPUS; i++) {
		uint32_t apic_id = acpi_cpu_apic_id(i);
		if (apic_id == self)
			continue;
		if (start_ap(next, apic_id))
			next++;
		else
			pr_err("smp: CPU with APIC id %u did not start\n", apic_id);
	}
	vmm_unmap(&kernel_space, TRAMPOLINE_BASE, PAGE_SIZE);
	pr_info("smp: %u CPUs online\n", cpus_online);
}
