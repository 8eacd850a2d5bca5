/*
 * TLB maintenance hooks for the page-table code (this CPU only; shootdowns
 * to other CPUs come with SMP).
 */
#include <mm/vmm.h>
#include <asm/cpu.h>

void arch_tlb_flush_page(uintptr_t va)
{
	invlpg(va);
}

/* A CR3 reload keeps global entries; toggling CR4.PGE drops them too. */
void arch_tlb_flush_all(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}
