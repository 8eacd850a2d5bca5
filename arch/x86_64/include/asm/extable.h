/*
 * Exception table: {instruction that may fault on a user address, where
 * to resume if the fault is not fixed, kind}, in section __ex_table
 * (arch/x86_64/kernel.ld). Only the user-access routines
 * (arch/x86_64/lib/uaccess.S) have entries. EX_UACCESS faults are fixed by
 * demand paging / copy-on-write first; EX_UACCESS_NOFAULT ones go straight
 * to the fixup (callers holding spinlocks, e.g. the futex bucket locks).
 */
#pragma once

#define EX_UACCESS          0
#define EX_UACCESS_NOFAULT  1

#ifdef __ASSEMBLY__
#define _ASM_EXTABLE_TYPE(insn, fixup, type) \
	.pushsection __ex_table, "a"; .balign 8; .quad insn, fixup, type; .popsection
#define _ASM_EXTABLE(insn, fixup) _ASM_EXTABLE_TYPE(insn, fixup, EX_UACCESS)
#else
#include <kernel/types.h>

struct extable_entry {
	uint64_t insn, fixup, type;
};

/* The entry for a faulting instruction, NULL if it has none. */
const struct extable_entry *extable_find(uintptr_t ip);
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
