/*
 * x86-64 page-table entry format (4-level paging), shared by the page-table
 * code, paging_init() and the host unit test that checks raw entries.
 */
#pragma once

#include <kernel/types.h>

#define PTE_P    (1ULL << 0)
#define PTE_RW   (1ULL << 1)
#define PTE_US   (1ULL << 2)
#define PTE_PWT  (1ULL << 3)
#define PTE_PCD  (1ULL << 4)
#define PTE_A    (1ULL << 5)
#define PTE_D    (1ULL << 6)
#define PTE_PS   (1ULL << 7)    /* in a PDPT or PD entry: 1 GiB / 2 MiB leaf */
#define PTE_G    (1ULL << 8)
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

/* Level 4 is the PML4, level 1 the page table; an entry at level l maps
 * or points to 2^(12 + 9(l-1)) bytes. */
#define PT_LEVELS  4
#define PT_ENTRIES 512

static inline uint64_t pt_level_size(int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * (level - 1));
}

static inline unsigned pt_index(uintptr_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

/* Set NX on non-executable mappings: true once EFER.NXE is known on (set
 * by paging_init() before building tables; host tests leave it true). */
extern bool pgtable_nx;
