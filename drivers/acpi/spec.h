/*
 * Byte layouts of the ACPI tables we read, from the ACPI 6.5 specification
 * (chapter 5.2), plus the IA-PC HPET spec (table 3) and the PCI Firmware spec
 * (MCFG). Private to drivers/acpi; everything else uses struct acpi_info.
 * All multi-byte fields are little-endian and may be unaligned in memory,
 * hence __packed everywhere and a size/offset check on each struct.
 */
#pragma once

#include <kernel/types.h>

#define ACPI_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type " size per ACPI spec")
#define ACPI_ASSERT_OFF(type, field, off) \
	_Static_assert(offsetof(type, field) == (off), #type "." #field " offset per ACPI spec")

/* 5.2.5.3 Root System Description Pointer. Revision 0 stops after rsdt_address. */
struct acpi_rsdp {
	char signature[8];              /* "RSD PTR " */
	uint8_t checksum;               /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;               /* 0 = ACPI 1.0, 2 = ACPI 2.0+ */
	uint32_t rsdt_address;
	uint32_t length;                /* whole structure, revision >= 2 */
	uint64_t xsdt_address;
	uint8_t extended_checksum;      /* over all `length` bytes */
	uint8_t reserved[3];
} __packed;
#define ACPI_RSDP_V1_LEN 20
ACPI_ASSERT_SIZE(struct acpi_rsdp, 36);
ACPI_ASSERT_OFF(struct acpi_rsdp, rsdt_address, 16);
ACPI_ASSERT_OFF(struct acpi_rsdp, xsdt_address, 24);

/* 5.2.6 System Description Table Header, common to every table. */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length;                /* including this header */
	uint8_t revision;
	uint8_t checksum;               /* whole table sums to 0 mod 256 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_sdt_header, 36);
ACPI_ASSERT_OFF(struct acpi_sdt_header, oem_id, 10);

/* 5.2.3.2 Generic Address Structure. */
struct acpi_gas_raw {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_gas_raw, 12);

/* 5.2.9 Fixed ACPI Description Table, up to ACPI 6.x's 276 bytes. Older
 * revisions are shorter (rev 1: 116 bytes); the parser copies the table into
 * a zeroed struct, so absent trailing fields read as 0 ("not provided"). */
struct acpi_fadt {
	struct acpi_sdt_header hdr;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas_raw reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas_raw x_pm1a_evt_blk;
	struct acpi_gas_raw x_pm1b_evt_blk;
	struct acpi_gas_raw x_pm1a_cnt_blk;
	struct acpi_gas_raw x_pm1b_cnt_blk;
	struct acpi_gas_raw x_pm2_cnt_blk;
	struct acpi_gas_raw x_pm_tmr_blk;
	struct acpi_gas_raw x_gpe0_blk;
	struct acpi_gas_raw x_gpe1_blk;
	struct acpi_gas_raw sleep_control_reg;
	struct acpi_gas_raw sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_fadt, 276);
ACPI_ASSERT_OFF(struct acpi_fadt, dsdt, 40);
ACPI_ASSERT_OFF(struct acpi_fadt, smi_cmd, 48);
ACPI_ASSERT_OFF(struct acpi_fadt, pm1a_cnt_blk, 64);
ACPI_ASSERT_OFF(struct acpi_fadt, pm_tmr_blk, 76);
ACPI_ASSERT_OFF(struct acpi_fadt, century, 108);
ACPI_ASSERT_OFF(struct acpi_fadt, iapc_boot_arch, 109);
ACPI_ASSERT_OFF(struct acpi_fadt, flags, 112);
ACPI_ASSERT_OFF(struct acpi_fadt, reset_reg, 116);
ACPI_ASSERT_OFF(struct acpi_fadt, reset_value, 128);
ACPI_ASSERT_OFF(struct acpi_fadt, x_dsdt, 140);
ACPI_ASSERT_OFF(struct acpi_fadt, x_pm1a_cnt_blk, 172);
ACPI_ASSERT_OFF(struct acpi_fadt, x_pm_tmr_blk, 208);
ACPI_ASSERT_OFF(struct acpi_fadt, sleep_control_reg, 244);

/* 5.2.12 Multiple APIC Description Table: header, then variable entries. */
struct acpi_madt {
	struct acpi_sdt_header hdr;
	uint32_t lapic_address;
	uint32_t flags;                 /* bit 0: PCAT_COMPAT (8259s present) */
} __packed;
ACPI_ASSERT_SIZE(struct acpi_madt, 44);

enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_ISO = 2,
	ACPI_MADT_NMI_SOURCE = 3,
	ACPI_MADT_LAPIC_NMI = 4,
	ACPI_MADT_LAPIC_OVERRIDE = 5,
	ACPI_MADT_X2APIC = 9,
	ACPI_MADT_X2APIC_NMI = 0xa,
};

struct acpi_madt_entry {
	uint8_t type;
	uint8_t length;                 /* including these two bytes */
} __packed;

struct acpi_madt_lapic {                /* 5.2.12.2 */
	struct acpi_madt_entry e;
	uint8_t uid;
	uint8_t apic_id;
	uint32_t flags;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_madt_lapic, 8);

struct acpi_madt_ioapic {               /* 5.2.12.3 */
	struct acpi_madt_entry e;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_madt_ioapic, 12);

struct acpi_madt_iso {                  /* 5.2.12.5 */
	struct acpi_madt_entry e;
	uint8_t bus;                    /* 0 = ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;                 /* MPS INTI flags */
} __packed;
ACPI_ASSERT_SIZE(struct acpi_madt_iso, 10);

struct acpi_madt_lapic_nmi {            /* 5.2.12.7 */
	struct acpi_madt_entry e;
	uint8_t uid;                    /* 0xff = all processors */
	uint16_t flags;
	uint8_t lint;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_madt_lapic_nmi, 6);

struct acpi_madt_lapic_override {       /* 5.2.12.8 */
	struct acpi_madt_entry e;
	uint16_t reserved;
	uint64_t address;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_madt_lapic_override, 12);

struct acpi_madt_x2apic {               /* 5.2.12.12 */
	struct acpi_madt_entry e;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t uid;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_madt_x2apic, 16);
ACPI_ASSERT_OFF(struct acpi_madt_x2apic, x2apic_id, 4);

struct acpi_madt_x2apic_nmi {           /* 5.2.12.13 */
	struct acpi_madt_entry e;
	uint16_t flags;
	uint32_t uid;                   /* 0xffffffff = all processors */
	uint8_t lint;
	uint8_t reserved[3];
} __packed;
ACPI_ASSERT_SIZE(struct acpi_madt_x2apic_nmi, 12);

/* Local APIC / x2APIC entry flags. */
#define ACPI_MADT_ENABLED        (1u << 0)
#define ACPI_MADT_ONLINE_CAPABLE (1u << 1)

/* IA-PC HPET specification 1.0a, table 3. */
struct acpi_hpet {
	struct acpi_sdt_header hdr;
	uint32_t event_timer_block_id;  /* mirrors GCAP_ID[31:0] */
	struct acpi_gas_raw base;
	uint8_t hpet_number;
	uint16_t min_clock_tick;
	uint8_t page_protection;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_hpet, 56);
ACPI_ASSERT_OFF(struct acpi_hpet, base, 40);

/* PCI Firmware spec 3.x, 4.1.2: MCFG header, then 16-byte allocations. */
struct acpi_mcfg_hdr {
	struct acpi_sdt_header hdr;
	uint8_t reserved[8];
} __packed;
ACPI_ASSERT_SIZE(struct acpi_mcfg_hdr, 44);

struct acpi_mcfg_alloc {
	uint64_t base;                  /* ECAM address of bus 0 of this segment */
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
	uint32_t reserved;
} __packed;
ACPI_ASSERT_SIZE(struct acpi_mcfg_alloc, 16);
