/*
 * Virtual memory: address spaces and their page tables. The page-table
 * format is the architecture's (arch/x86_64/mm/pgtable.c); this interface
 * speaks only of virtual ranges, physical ranges and VM_* protections.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/spinlock.h>

/* Protections. Readable is implied by any mapping on x86. */
#define VM_READ    1
#define VM_WRITE   2
#define VM_EXEC    4
#define VM_USER    8
#define VM_NOCACHE 16   /* uncached: for MMIO */
#define VM_GLOBAL  32   /* survives address-space switches: kernel only */

/* vmm_map() flags. */
#define VMM_MAP_HUGE      1  /* may use 2 MiB pages where va, pa, length allow */
#define VMM_MAP_HUGE_1G   2  /* may use 1 GiB pages likewise (CPU must support) */
#define VMM_MAP_NOREPLACE 4  /* -EEXIST, changing nothing, if anything is mapped */

struct vmm_space {
	/* Immutable after vmm_space_init(). */
	phys_addr_t pml4;      /* physical address of the top-level table */
	/* Protects every page-table page of this space. */
	struct spinlock lock;
	/* CPUs that have this space loaded (bit n = CPU n), changed by each
	 * CPU for itself with atomic operations (mm_activate): who must be
	 * told when one of its mappings is removed or narrowed. */
	uint64_t active_cpus;
};

/* The kernel's space; its top level is shared by all spaces (paging_init). */
extern struct vmm_space kernel_space;

/* Allocates an empty top-level table: 0 or -ENOMEM. */
int vmm_space_init(struct vmm_space *space);

/*
 * All take page-aligned va, pa and len (len > 0), a canonical range that
 * does not wrap, else -EINVAL. prot must contain VM_READ.
 *
 * vmm_map replaces existing mappings unless VMM_MAP_NOREPLACE. On -ENOMEM
 * part of the range may be mapped (with NOREPLACE, that part is undone).
 */
int vmm_map(struct vmm_space *space, uintptr_t va, phys_addr_t pa, size_t len,
	    unsigned prot, unsigned flags);
/* Unmapped pages in the range are skipped, as munmap does. -ENOMEM only if
 * a huge page had to be split and no frame was free. */
int vmm_unmap(struct vmm_space *space, uintptr_t va, size_t len);
/* Changes the protection of the mapped pages in the range; holes are left
 * alone (the caller's VMA layer decides whether they are errors). */
int vmm_protect(struct vmm_space *space, uintptr_t va, size_t len, unsigned prot);
/* -EFAULT if va is not mapped; pa and prot may be NULL. */
int vmm_translate(struct vmm_space *space, uintptr_t va, phys_addr_t *pa,
		  unsigned *prot);

/*
 * Make sure the top-level entries covering [start, end) point at tables,
 * so that copying the kernel half into a new space shares all later
 * kernel mappings. 0 or -ENOMEM.
 */
int vmm_populate_top(struct vmm_space *space, uintptr_t start, uintptr_t end);

/* Arch hooks the page-table code calls (arch/x86_64/mm/tlb.c). */
void arch_tlb_flush_page(uintptr_t va);
/* A user mapping of a space loaded on the CPUs in cpus changed: flush va
 * here and on the others, and wait for them. */
void arch_tlb_flush_user_page(uint64_t cpus, uintptr_t va);
/* Interrupt the CPUs in cpus (not this one) and wait until each has taken
 * the interrupt: a full memory barrier on each (membarrier). */
void arch_sync_cpus(uint64_t cpus);
void arch_tlb_flush_all(void);

/* Builds kernel_space and switches to it (arch/x86_64/mm/init.c). */
void paging_init(void);
