/*
 * TLB maintenance hooks for the page-table code, and shootdowns.
 *
 * Which CPUs can hold a stale entry? A user address space is loaded only
 * on CPUs running one of its threads (the scheduler drops it otherwise);
 * its vmm_space.active_cpus says which, and a user change is shot down on
 * those. Kernel mappings (global pages) are on every CPU: removing or
 * narrowing one (a freed kernel stack, iounmap) is shot down on every
 * other online CPU. A target flushes its whole TLB; the caller waits until
 * all targets have done so (the page may be reused right after).
 *
 * Deadlock avoidance: a CPU waiting for others (or for the shootdown lock)
 * with interrupts off keeps serving flush requests aimed at it by polling.
 */
#include <mm/vmm.h>
#include <kernel/arch.h>
#include <asm/cpu.h>
#include <asm/gdt.h>
#include <asm/percpu.h>
#include <asm/platform.h>
#include <asm/trap.h>
#include <arch/x86_64/apic/apic.h>

static volatile bool flush_pending[MAX_CPUS];   /* set by a requester, cleared by the CPU */
static volatile int shootdown_lock;
static uint64_t shootdowns_received[MAX_CPUS];

static void flush_local_all(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

/* Serve a request aimed at this CPU, if any. */
static void serve_flush(void)
{
	unsigned me = arch_cpu_id();
	if (READ_ONCE(flush_pending[me])) {
		flush_local_all();
		shootdowns_received[me]++;
		__atomic_store_n(&flush_pending[me], false, __ATOMIC_RELEASE);
	}
}

void tlb_serve_pending(void)
{
	serve_flush();
}

static void flush_ipi(struct trap_frame *tf, void *data)
{
	serve_flush();
}

void tlb_shootdown_init(void)
{
	irq_register_vector(VECTOR_IPI_CALL, flush_ipi, NULL);
}

static void shootdown(uint64_t cpus)
{
	unsigned me = arch_cpu_id(), n = cpus_online;

	cpus &= ~(1ull << me);
	if (n < 64)
		cpus &= (1ull << n) - 1;
	if (!cpus)
		return;
	while (__atomic_exchange_n(&shootdown_lock, 1, __ATOMIC_ACQUIRE)) {
		serve_flush();
		cpu_relax();
	}
	for (unsigned c = 0; c < n; c++)
		if (cpus >> c & 1)
			flush_pending[c] = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (cpus == (((n < 64 ? 1ull << n : 0) - 1) & ~(1ull << me)))
		lapic_send_ipi_others(VECTOR_IPI_CALL);
	else
		for (unsigned c = 0; c < n; c++)
			if (cpus >> c & 1)
				lapic_send_ipi(percpu_apic_id(c), VECTOR_IPI_CALL);
	for (unsigned c = 0; c < n; c++) {
		while ((cpus >> c & 1) && __atomic_load_n(&flush_pending[c], __ATOMIC_ACQUIRE)) {
			serve_flush();
			cpu_relax();
		}
	}
	__atomic_store_n(&shootdown_lock, 0, __ATOMIC_RELEASE);
}

static bool kernel_address(uintptr_t va)
{
	return va >= 0xffff800000000000ul;
}

void arch_tlb_flush_page(uintptr_t va)
{
	invlpg(va);
	if (kernel_address(va))
		shootdown(~0ull);
}

void arch_tlb_flush_user_page(uint64_t cpus, uintptr_t va)
{
	invlpg(va);
	shootdown(cpus);
}

/* A CR3 reload keeps global entries; toggling CR4.PGE drops them too. The
 * caller does not say which space: assume it may be the kernel's. */
void arch_tlb_flush_all(void)
{
	flush_local_all();
	shootdown(~0ull);
}

uint64_t arch_tlb_shootdowns_received(unsigned cpu)
{
	return cpu < MAX_CPUS ? READ_ONCE(shootdowns_received[cpu]) : 0;
}

/* The shootdown IPI is serializing and acknowledged, which is all a
 * membarrier needs; the TLB flush it also does is harmless. */
void arch_sync_cpus(uint64_t cpus)
{
	shootdown(cpus);
}
