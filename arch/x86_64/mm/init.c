/*
 * paging_init: replace the boot page tables with kernel_space: a direct map
 * of every physical range the firmware reported at DIRECT_MAP_BASE (RW, NX)
 * and the kernel image at KERNEL_VIRT_BASE + phys with per-section W^X.
 * The boot identity map and the 1 GiB boot alias are gone afterwards.
 *
 * Runs once on the boot CPU before pmm_init(), with interrupts off.
 */
#include <mm/vmm.h>
#include <mm/phys.h>
#include <mm/memblock.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include "pgtable.h"

/* Section bounds from the linker script, page aligned. */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];

/* The legacy area (BIOS data, VGA, ROMs, the RSDP) is not always listed. */
#define LOW_MEMORY_END MiB(1)

static unsigned direct_map_flags;

static void map_or_panic(uintptr_t va, phys_addr_t pa, size_t len, unsigned prot,
			 unsigned flags, const char *what)
{
	int err = vmm_map(&kernel_space, va, pa, len, prot, flags);

	if (err)
		panic("paging: cannot map %s [%#lx-%#lx): %d", what, pa, pa + len, err);
}

static void direct_map(uint64_t base, uint64_t end, void *arg)
{
	base = ALIGN_DOWN(base, PAGE_SIZE);
	end = MIN(ALIGN_UP(end, PAGE_SIZE), DIRECT_MAP_SIZE);
	if (base < end)
		map_or_panic(DIRECT_MAP_BASE + base, base, end - base,
			     VM_READ | VM_WRITE | VM_GLOBAL, direct_map_flags, arg);
}

static void map_direct(void)
{
	direct_map_flags = VMM_MAP_HUGE;
	if (cpu_has(X86_FEATURE_PDPE1GB))
		direct_map_flags |= VMM_MAP_HUGE_1G;

	direct_map(0, LOW_MEMORY_END, "low memory");
	/* RAM only: "reserved" regions are often device memory (HPET, IOAPIC,
	 * ECAM) that drivers map uncached with ioremap, and one physical page
	 * must never be mapped with two memory types. */
	for (unsigned i = 0; i < memblock_region_count(); i++) {
		const struct mem_region *r = memblock_region(i);
		uint64_t end = r->base + r->len < r->base ? ~0ULL : r->base + r->len;

		if (memblock_type_is_ram(r->type))
			direct_map(r->base, end, (void *)memblock_type_name(r->type));
	}
	/* Usable RAM the firmware table had no room to list. */
	memblock_for_each_usable(direct_map, "usable RAM");
}

static void map_section(char *start, char *end, unsigned prot, const char *what)
{
	uintptr_t va = (uintptr_t)start;
	size_t len = (uintptr_t)end - va;

	if (len)
		map_or_panic(va, va - KERNEL_VIRT_BASE, len, prot, 0, what);
}

static void map_kernel_image(void)
{
	/* Everything (gaps, boot stack, page tables) RW+NX, then tighten. */
	map_section(__kernel_start, __kernel_end, VM_READ | VM_WRITE | VM_GLOBAL, "image");
	map_section(__text_start, __text_end, VM_READ | VM_EXEC | VM_GLOBAL, "text");
	map_section(__rodata_start, __rodata_end, VM_READ | VM_GLOBAL, "rodata");
	map_section(__data_start, __bss_end, VM_READ | VM_WRITE | VM_GLOBAL, "data");
}

void paging_init(void)
{
	if (cpu_has(X86_FEATURE_NX))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	else
		pgtable_nx = false;

	if (vmm_space_init(&kernel_space))
		panic("paging: no memory for the kernel PML4");
	map_direct();
	map_kernel_image();
	/* Kernel-half top-level entries never change after this, so new address
	 * spaces can copy them once (the direct map and image entries exist). */
	if (vmm_populate_top(&kernel_space, VMAP_BASE, VMAP_END))
		panic("paging: no memory for the vmap tables");

	write_cr3(kernel_space.pml4);
	direct_map_base = DIRECT_MAP_BASE;

	if (cpu_has(X86_FEATURE_PGE))
		write_cr4(read_cr4() | CR4_PGE);
	/* Make read-only mappings bind the kernel too. */
	write_cr0(read_cr0() | CR0_WP);

	pr_info("paging: direct map with %s pages, kernel W^X, NX %s, PGE %s\n",
		(direct_map_flags & VMM_MAP_HUGE_1G) ? "1 GiB" : "2 MiB",
		pgtable_nx ? "on" : "off", cpu_has(X86_FEATURE_PGE) ? "on" : "off");
}
