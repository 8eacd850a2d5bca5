/*
 * Exception table: pairs {instruction that may fault on a user address,
 * where to resume if the fault cannot be fixed}, in section __ex_table
 * (arch/x86_64/kernel.ld). Only the copy_*_user routines
 * (arch/x86_64/lib/uaccess.S) have entries.
 */
#pragma once

#ifdef __ASSEMBLY__
#define _ASM_EXTABLE(insn, fixup) \
	.pushsection __ex_table, "a"; .balign 8; .quad insn, fixup; .popsection
#else
#include <kernel/types.h>

struct extable_entry {
	uint64_t insn, fixup;
};

/* The fixup address for a faulting instruction, 0 if it has none. */
uintptr_t extable_fixup(uintptr_t ip);
/* mm/mm.h FAULT_* flags for a #PF error code. */
unsigned x86_pf_fault_flags(uint64_t error_code);
/* CR4.SMAP is on: the uaccess routines bracket user accesses with
 * stac/clac (set once by arch_init). */
extern bool x86_smap_on;

#define X86_PF_PROT  (1u << 0)
#define X86_PF_WRITE (1u << 1)
#define X86_PF_USER  (1u << 2)
#define X86_PF_RSVD  (1u << 3)
#define X86_PF_INSTR (1u << 4)
#endif
