/*
 * memblock: the boot-time view of physical memory, built from the firmware
 * memory map, and the allocator used before pmm_init(). Boot only: after
 * pmm_init() seals it, allocations must come from the pmm.
 */
#pragma once

#include <kernel/types.h>

/* Region types, numbered as in the multiboot2 memory map. */
#define MEM_USABLE       1
#define MEM_RESERVED     2
#define MEM_ACPI_RECLAIM 3
#define MEM_ACPI_NVS     4
#define MEM_BAD          5

/* Capacity of each table; firmware maps have a few dozen entries. */
#define MEMBLOCK_MAX_REGIONS 128

/* memblock_alloc() limit meaning "anywhere". */
#define MEMBLOCK_ALLOC_ANYWHERE (~(phys_addr_t)0)

/* One firmware memory map entry, as given (unaligned, maybe overlapping). */
struct mem_region {
	uint64_t base, len;
	uint32_t type;
};

/* Record a firmware entry. Only whole pages of MEM_USABLE become usable,
 * and a page touched by any other entry never is, whatever the order. */
void memblock_add(uint64_t base, uint64_t len, uint32_t type);

/* Keep [base, base+len) (rounded out to pages) away from every allocator. */
void memblock_reserve(uint64_t base, uint64_t len);

/* Top-down allocation of free usable memory that ends at or below limit.
 * size is rounded up to pages, align to at least PAGE_SIZE. The memory is
 * not zeroed. Returns 0 on failure (page 0 is never handed out). */
phys_addr_t memblock_alloc(uint64_t size, uint64_t align, phys_addr_t limit);

/* Callback over [base, end) ranges, ascending, page aligned. */
typedef void (*memblock_range_fn)(uint64_t base, uint64_t end, void *arg);

/* Usable pages not reserved: what pmm_init() hands to the buddy allocator. */
void memblock_for_each_free(memblock_range_fn fn, void *arg);
/* Usable pages, reserved or not. */
void memblock_for_each_usable(memblock_range_fn fn, void *arg);

bool memblock_is_usable(phys_addr_t pa);
bool memblock_is_reserved(phys_addr_t pa);
uint64_t memblock_usable_total(void);   /* bytes */
uint64_t memblock_reserved_total(void); /* bytes of usable memory reserved */
pfn_t memblock_max_pfn(void);           /* one past the last usable frame */

/* The firmware entries as recorded, sorted by base (for the direct map). */
unsigned memblock_region_count(void);
const struct mem_region *memblock_region(unsigned idx);
const char *memblock_type_name(uint32_t type);

/* Print the memory map and the totals. */
void memblock_dump(void);

/* Region types whose memory is RAM: what the direct map covers (together
 * with the low 1 MiB), so device memory is never mapped write-back. */
static inline bool memblock_type_is_ram(uint32_t type)
{
	return type == MEM_USABLE || type == MEM_ACPI_RECLAIM || type == MEM_ACPI_NVS;
}
/* Whether [base, base+len) lies wholly in the direct map. */
bool memblock_in_direct_map(uint64_t base, uint64_t len);

/* After this, memblock_alloc() fails: the free ranges belong to the pmm. */
void memblock_seal(void);

/* Forget everything (host tests; the kernel starts from the empty state). */
void memblock_reset(void);
