/*
 * Physical <-> kernel virtual address conversion. All RAM is reachable at
 * direct_map_base + phys; the kernel image also at KERNEL_VIRT_BASE + phys.
 */
#pragma once

#include <kernel/types.h>
#include <asm/layout.h>

/*
 * Where physical address 0 appears in kernel virtual memory. Starts as
 * KERNEL_VIRT_BASE (boot.S maps phys 0..BOOT_MAP_LIMIT there), becomes
 * DIRECT_MAP_BASE in paging_init(). Host tests point it at an arena.
 * Written only by the boot CPU before any other CPU runs.
 */
extern uintptr_t direct_map_base;

static inline void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(direct_map_base + (uintptr_t)pa);
}

/* Accepts direct-map addresses and addresses inside the kernel image. */
static inline phys_addr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KERNEL_VIRT_BASE)
		return v - KERNEL_VIRT_BASE;
	return v - direct_map_base;
}
