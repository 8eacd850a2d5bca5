/*
 * Exception-table lookup for kernel faults on user memory (see
 * asm/extable.h). The table is a handful of entries: a linear search at
 * fault time is cheaper than sorting it at boot.
 */
#include <asm/extable.h>
#include <mm/mm.h>

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

bool x86_smap_on;

const struct extable_entry *extable_find(uintptr_t ip)
{
	for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == ip)
			return e;
	return NULL;
}

unsigned x86_pf_fault_flags(uint64_t error_code)
{
	return (error_code & X86_PF_PROT ? FAULT_PRESENT : 0) |
	       (error_code & X86_PF_WRITE ? FAULT_WRITE : 0) |
	       (error_code & X86_PF_USER ? FAULT_USER : 0) |
	       (error_code & X86_PF_INSTR ? FAULT_EXEC : 0);
}
