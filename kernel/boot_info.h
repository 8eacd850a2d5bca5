/*
 * What the boot loader told us, copied out of the multiboot2 information
 * structure (kernel/multiboot2.c) so that memory can be reused.
 */
#pragma once

#include <kernel/types.h>

#define BOOT_MAX_MEM_REGIONS 128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 512

struct boot_mem_region {
	uint64_t base, len;
	uint32_t type;                  /* 1 usable, 2 reserved, 3 ACPI, 4 NVS, 5 bad */
};

struct boot_module {
	uint64_t start, end;            /* physical, end exclusive */
	char name[64];
};

struct boot_framebuffer {
	uint64_t addr;                  /* physical; 0 when absent */
	uint32_t pitch, width, height;
	uint8_t bpp, type;              /* type 1: direct RGB, 2: EGA text */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[64];
	struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];
	unsigned nr_mem;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned nr_modules;
	struct boot_framebuffer fb;
	uint8_t rsdp[64];               /* copy of the RSDP GRUB found */
	uint32_t rsdp_len;              /* 0: none */
	bool efi;                       /* firmware was UEFI (EFI system table tag) */
	uint64_t efi_ram_bytes;         /* RAM in the EFI memory map; 0 without one */
	uint64_t mbi_phys, mbi_size;    /* to reserve until parsed */
};

#define MB2_BOOTLOADER_MAGIC 0x36d76289

/* Parse the multiboot2 information at mbi (a virtual pointer; total size in
 * its first word). Returns 0 or -EINVAL for a malformed structure. */
int mb2_parse(const void *mbi, struct boot_info *bi);
