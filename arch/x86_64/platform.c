/*
 * PC platform bring-up, in dependency order: ACPI tables first (they say
 * where everything else is), then the interrupt controllers, the clocks and
 * the PCI buses. Also the power and CPU-halting hooks of kernel/arch.h.
 */
#include <kernel/arch.h>
#include <kernel/boot_info.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <asm/trap.h>
#include <asm/gdt.h>
#include <asm/percpu.h>
#include <kernel/task.h>
#include <asm/platform.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <arch/x86_64/apic/apic.h>
#include <arch/x86_64/time/timer.h>
#include <drivers/acpi/acpi.h>
#include <drivers/pci/pci.h>

static bool lapic_up;
static void lapic_timer_irq(struct trap_frame *tf, void *data);
static void reschedule_irq(struct trap_frame *tf, void *data);
/* CPUs running this kernel. Only these may be sent an NMI: the others are
 * still in firmware, whose NMI handler would crash them (and, in QEMU,
 * reset the whole machine). SMP bring-up raises it. */
unsigned cpus_online = 1;

void platform_init(const struct boot_info *bi)
{
	/* Without GRUB's copy of the RSDP, search the BIOS areas for it. */
	if (acpi_init(bi->rsdp_len ? bi->rsdp : NULL, bi->rsdp_len) < 0)
		panic("ACPI: no usable RSDP; this kernel needs ACPI to find CPUs and interrupts");
	pic_disable();
	if (lapic_init() < 0)
		panic("APIC: the local APIC could not be enabled");
	lapic_up = true;
	if (ioapic_init() < 0)
		pr_warn("IOAPIC: none usable; device interrupts unavailable\n");
	if (hpet_init() < 0)
		pr_warn("HPET: not available, calibrating against the PIT\n");
	if (tsc_calibrate() < 0)
		panic("tsc: calibration failed");
	if (lapic_timer_calibrate() < 0)
		panic("APIC: timer calibration failed; the scheduler needs a one-shot timer");
	irq_register_vector(VECTOR_LAPIC_TIMER, lapic_timer_irq, NULL);
	irq_register_vector(VECTOR_IPI_RESCHED, reschedule_irq, NULL);
	tlb_shootdown_init();
	pci_init();
}

static void lapic_timer_irq(struct trap_frame *tf, void *data)
{
	timer_interrupt();
}

static uint64_t resched_ipis[MAX_CPUS];

static void reschedule_irq(struct trap_frame *tf, void *data)
{
	resched_ipis[arch_cpu_id()]++;
	sched_reschedule_ipi();
}

uint64_t arch_ipi_count(unsigned cpu)
{
	return cpu < MAX_CPUS ? READ_ONCE(resched_ipis[cpu]) : 0;
}

void arch_send_reschedule(unsigned cpu)
{
	uint32_t apic_id = percpu_apic_id(cpu);
	lapic_send_ipi(apic_id, VECTOR_IPI_RESCHED);
}

/* One-shot, never periodic: TSC-deadline mode where the CPU has it (no
 * conversion to bus clocks, no 32-bit range limit), else the LAPIC count. */
void arch_timer_arm(uint64_t deadline_ns)
{
	uint64_t now = time_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;

	if (lapic_timer_has_deadline())
		lapic_timer_deadline(rdtsc() + delta / 1000000 * tsc_khz +
				     delta % 1000000 * tsc_khz / 1000000);
	else
		lapic_timer_oneshot(delta ? delta : 1);
}

void arch_timer_stop(void)
{
	lapic_timer_stop();
}

unsigned arch_cpu_count(void)
{
	int n = acpi_cpu_count();
	return n > 0 ? (unsigned)n : 1;
}

uint64_t arch_tsc_khz(void)
{
	return tsc_khz;
}

void arch_halt_other_cpus(void)
{
	if (lapic_up && cpus_online > 1)
		lapic_send_nmi_others();
}

void arch_poweroff(void)
{
	pr_info("reboot: Power down\n");
	acpi_poweroff();
	/* Still here: S5 did not take. Halt rather than return. */
	pr_emerg("reboot: ACPI power-off failed; halting\n");
	arch_halt_forever();
}

void arch_reboot(void)
{
	pr_info("reboot: Restarting system\n");
	acpi_reboot();
}
