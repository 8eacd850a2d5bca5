/*
 * ACPI: what the firmware's static tables say about this machine - CPUs and
 * interrupt controllers (MADT), power control (FADT, \_S5), HPET, PCIe ECAM
 * (MCFG). tables.c, madt.c, fadt.c and s5.c are a pure parser (host-tested,
 * fed through struct acpi_mapper); acpi.c maps real tables in the kernel and
 * power.c does S5 and reset. There is no AML interpreter.
 */
#pragma once

#include <kernel/types.h>

/* Fixed capacities of struct acpi_info; entries past them are counted in
 * the *_dropped fields and reported, never written out of bounds. */
#define ACPI_MAX_CPUS       512
#define ACPI_MAX_IOAPICS    16
#define ACPI_MAX_OVERRIDES  32
#define ACPI_MAX_LAPIC_NMIS 16
#define ACPI_MAX_MCFG       8
#define ACPI_MAX_TABLES     48
/* Tables longer than this are treated as corrupt (real DSDTs are < 1 MiB). */
#define ACPI_MAX_TABLE_LEN  (16u << 20)

/* Generic Address Structure address spaces (ACPI 6.5 table 5.1). */
#define ACPI_GAS_MEMORY     0
#define ACPI_GAS_IO         1
#define ACPI_GAS_PCI_CONFIG 2

struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

/* MPS INTI flags (MADT ISO / NMI entries): polarity and trigger mode. */
#define ACPI_INTI_POLARITY_MASK   0x3
#define ACPI_INTI_POLARITY_BUS    0x0   /* conforms to the bus: ISA high, PCI low */
#define ACPI_INTI_POLARITY_HIGH   0x1
#define ACPI_INTI_POLARITY_LOW    0x3
#define ACPI_INTI_TRIGGER_MASK    0xc
#define ACPI_INTI_TRIGGER_BUS     0x0   /* conforms to the bus: ISA edge, PCI level */
#define ACPI_INTI_TRIGGER_EDGE    0x4
#define ACPI_INTI_TRIGGER_LEVEL   0xc

/* FADT flags (ACPI 6.5 table 5.10) and IA-PC boot architecture flags. */
#define ACPI_FADT_RESET_REG_SUP   (1u << 10)
#define ACPI_FADT_HW_REDUCED      (1u << 20)
#define ACPI_BOOT_LEGACY_DEVICES  (1u << 0)
#define ACPI_BOOT_8042            (1u << 1)
#define ACPI_BOOT_NO_VGA          (1u << 2)
#define ACPI_BOOT_NO_MSI          (1u << 3)
#define ACPI_BOOT_NO_CMOS_RTC     (1u << 5)

#define ACPI_UID_ALL 0xffffffffu        /* LAPIC NMI entry applies to every CPU */

struct acpi_cpu {
	uint32_t apic_id;               /* may exceed 255 (x2APIC entries) */
	uint32_t uid;                   /* ACPI processor UID */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;               /* physical MMIO base */
	uint32_t gsi_base;              /* GSI of its pin 0 */
};

struct acpi_override {                  /* a bus IRQ that is not identity-mapped */
	uint8_t bus;                    /* 0 = ISA */
	uint8_t source_irq;
	uint32_t gsi;
	uint16_t flags;                 /* ACPI_INTI_* */
};

struct acpi_lapic_nmi {
	uint32_t uid;                   /* ACPI_UID_ALL for all CPUs */
	uint16_t flags;                 /* ACPI_INTI_* */
	uint8_t lint;                   /* LINT0 or LINT1 */
};

struct acpi_ecam {
	uint64_t base;                  /* ECAM address of bus 0 of the segment */
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

struct acpi_table_ref {
	char signature[5];
	char oem_id[7];
	char oem_table_id[9];
	uint8_t revision;
	phys_addr_t phys;
	uint32_t length;
	bool checksum_ok;               /* bad tables are listed but not parsed */
};

/* Everything the parser learnt. Filled once at boot, read-only afterwards. */
struct acpi_info {
	/* Root */
	uint8_t rsdp_revision;
	char oem_id[7];
	bool use_xsdt;
	phys_addr_t root_phys;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned nr_tables, nr_tables_dropped;

	/* MADT */
	bool has_madt;
	uint64_t lapic_address;         /* after any type-5 override */
	bool pcat_compat;               /* dual 8259 PICs present */
	struct acpi_cpu cpus[ACPI_MAX_CPUS]; /* enabled CPUs, MADT order */
	unsigned nr_cpus;
	unsigned nr_cpus_hotplug;       /* online-capable but not yet enabled */
	unsigned nr_cpus_dropped;       /* past ACPI_MAX_CPUS */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nr_ioapics;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned nr_overrides;
	struct acpi_lapic_nmi lapic_nmis[ACPI_MAX_LAPIC_NMIS];
	unsigned nr_lapic_nmis;
	unsigned nr_madt_dropped;       /* IOAPIC/override/NMI entries past capacity */

	/* FADT (+ DSDT) */
	bool has_fadt;
	uint8_t fadt_revision;
	uint32_t fadt_flags;            /* ACPI_FADT_* */
	uint16_t boot_arch;             /* ACPI_BOOT_* */
	uint16_t sci_irq;
	uint32_t smi_cmd;               /* port; write acpi_enable there for ACPI mode */
	uint8_t acpi_enable;
	uint16_t pm1a_cnt, pm1b_cnt;    /* I/O ports, 0 = absent */
	uint16_t pm_timer;              /* I/O port of the 3.579545 MHz PM timer */
	struct acpi_gas sleep_control;  /* HW-reduced platforms only */
	bool has_reset;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint8_t century;                /* CMOS index of the century, 0 = none */
	phys_addr_t dsdt_phys;
	bool has_s5;
	uint8_t slp_typa, slp_typb;     /* \_S5 package values */

	/* HPET */
	bool has_hpet;
	uint64_t hpet_address;
	unsigned hpet_comparators;
	uint16_t hpet_min_tick;

	/* MCFG */
	struct acpi_ecam mcfg[ACPI_MAX_MCFG];
	unsigned nr_mcfg;
};

/* How the parser reaches physical memory: return a pointer through which
 * `len` bytes at `pa` can be read, or NULL. The kernel maps; tests look up
 * byte buffers. */
struct acpi_mapper {
	const void *(*map)(void *ctx, phys_addr_t pa, size_t len);
	void *ctx;
};

/* ---- pure parser (tables.c, madt.c, fadt.c, s5.c) ---------------------- */

bool acpi_checksum_ok(const void *data, size_t len);

/* Find a valid RSDP at a 16-byte boundary in buf (BIOS area scan). */
const void *acpi_scan_rsdp(const void *buf, size_t len);

/* Parse everything reachable from an RSDP (v1 or v2+) into *info (zeroed
 * first). Returns 0, or -EINVAL for a bad RSDP/root table, -EFAULT when a
 * root table cannot be mapped. Individual bad tables are skipped, not fatal. */
int acpi_parse(const void *rsdp, size_t rsdp_len, const struct acpi_mapper *m,
	       struct acpi_info *info);

/* Map and validate one table: header sane, length within ACPI_MAX_TABLE_LEN,
 * checksum. sig may be NULL. Returns the table and its length in *len_out. */
const void *acpi_map_table(const struct acpi_mapper *m, phys_addr_t pa,
			   const char *sig, uint32_t *len_out, int *err);

/* Single-table parsers; each takes a whole, checksummed table. */
int acpi_parse_madt(const void *table, size_t len, struct acpi_info *info);
int acpi_parse_fadt(const void *table, size_t len, struct acpi_info *info);
int acpi_parse_hpet(const void *table, size_t len, struct acpi_info *info);
int acpi_parse_mcfg(const void *table, size_t len, struct acpi_info *info);

/* Find `Name(_S5_, Package(){a, b, ...})` in AML (see s5.c for limits). */
int acpi_find_s5(const void *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb);

/* ISA IRQ -> GSI and ACPI_INTI_* flags, after interrupt source overrides. */
uint32_t acpi_isa_irq_to_gsi(const struct acpi_info *info, unsigned irq,
			     uint16_t *inti_flags);

/* ---- kernel glue (acpi.c, power.c) -------------------------------------- */

/* rsdp: the RSDP copy from multiboot2 tag 14/15, or NULL to scan the BIOS
 * area. Returns 0 or -errno; on error acpi_get_info() returns NULL. */
int acpi_init(const void *rsdp, size_t rsdp_len);
const struct acpi_info *acpi_get_info(void);

/* Enabled CPUs: index 0 is the boot CPU (the spec asks firmware to list it
 * first). Without a MADT: one CPU, id 0 (lapic_id() knows better). */
int acpi_cpu_count(void);
uint32_t acpi_cpu_apic_id(int index);

/* A validated table by signature ("SRAT", ...), n-th instance; NULL if absent. */
const void *acpi_find_table(const char *sig, unsigned n, uint32_t *len_out);

/* Enter S5. Returns only on failure: -ENODEV (no S5 data) or -EIO. */
int acpi_poweroff(void);
/* Reset: FADT reset register, then 0xCF9, then the 8042, then triple fault. */
__noreturn void acpi_reboot(void);
