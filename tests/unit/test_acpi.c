/*
 * Host tests for the ACPI table parser (drivers/acpi/{tables,madt,fadt,s5}.c)
 * on tables synthesized byte by byte from the ACPI 6.5 layouts. Captured
 * real tables are tested in test_acpi_captured.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/errno.h>
#include "test_acpi_mem.h"

/* Synthetic machine: v2 RSDP -> XSDT above 4 GiB -> MADT/FADT/HPET/MCFG,
 * and an older RSDT describing a different, one-CPU MADT. */
#define RSDT_PA     0x1000ull
#define OLD_MADT_PA 0x3000ull
#define XSDT_PA     0x100002000ull
#define MADT_PA     0x100003000ull
#define FADT_PA     0x100004000ull
#define HPET_PA     0x100005000ull
#define MCFG_PA     0x100006000ull
#define DSDT_PA     0x100007000ull

static void put(uint8_t *p, size_t off, uint64_t v, size_t n)
{
	memcpy(p + off, &v, n);
}

static void madt_lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	tb_u8(t, 0); tb_u8(t, 8); tb_u8(t, uid); tb_u8(t, id); tb_u32(t, flags);
}

static void madt_x2apic(struct tb *t, uint32_t id, uint32_t uid, uint32_t flags)
{
	tb_u8(t, 9); tb_u8(t, 16); tb_u16(t, 0); tb_u32(t, id); tb_u32(t, flags); tb_u32(t, uid);
}

static void madt_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	tb_u8(t, 1); tb_u8(t, 12); tb_u8(t, id); tb_u8(t, 0); tb_u32(t, addr); tb_u32(t, gsi_base);
}

static void madt_iso(struct tb *t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	tb_u8(t, 2); tb_u8(t, 10); tb_u8(t, 0); tb_u8(t, irq); tb_u32(t, gsi); tb_u16(t, flags);
}

static void madt_start(struct tb *t)
{
	tb_header(t, "APIC", 5);
	tb_u32(t, 0xfee00000);
	tb_u32(t, 1);           /* PCAT_COMPAT */
}

static void build_madt(struct tb *t)
{
	madt_start(t);
	madt_lapic(t, 0, 0, 1);
	madt_lapic(t, 1, 1, 1);
	madt_lapic(t, 2, 2, 0);         /* disabled: skipped */
	madt_lapic(t, 3, 3, 2);         /* online-capable: hotplug only */
	madt_lapic(t, 4, 0xff, 1);      /* broadcast id: never a CPU */
	madt_x2apic(t, 300, 5, 1);      /* id above 255 */
	madt_x2apic(t, 1, 1, 1);        /* duplicate of LAPIC id 1 */
	madt_ioapic(t, 4, 0xfec00000, 0);
	madt_ioapic(t, 5, 0xfec01000, 24);
	madt_iso(t, 0, 2, 0);
	madt_iso(t, 9, 9, 0xd);         /* level, active high */
	tb_u8(t, 4); tb_u8(t, 6); tb_u8(t, 0xff); tb_u16(t, 0x5); tb_u8(t, 1); /* LAPIC NMI */
	tb_u8(t, 0xa); tb_u8(t, 12); tb_u16(t, 0xf); tb_u32(t, 5); tb_u8(t, 0);  /* x2APIC NMI */
	tb_u8(t, 0); tb_u16(t, 0);
	tb_u8(t, 0x7f); tb_u8(t, 4); tb_u16(t, 0); /* unknown type: skipped */
	tb_finish(t);
}

static void build_fadt(struct tb *t)
{
	tb_header(t, "FACP", 6);
	t->len = 276;
	put(t->buf, 40, 0x7000, 4);             /* stale 32-bit DSDT */
	put(t->buf, 46, 9, 2);                  /* SCI_INT */
	put(t->buf, 48, 0xb2, 4);               /* SMI_CMD */
	put(t->buf, 52, 0xf1, 1);               /* ACPI_ENABLE */
	put(t->buf, 64, 0x404, 4);              /* PM1a_CNT_BLK (legacy) */
	put(t->buf, 68, 0x408, 4);              /* PM1b_CNT_BLK */
	put(t->buf, 76, 0x608, 4);              /* PM_TMR_BLK */
	put(t->buf, 108, 0x32, 1);              /* CENTURY */
	put(t->buf, 109, 0x3, 2);               /* IAPC_BOOT_ARCH */
	put(t->buf, 112, (1u << 10) | 1, 4);    /* RESET_REG_SUP | WBINVD */
	put(t->buf, 116, 1, 1);                 /* RESET_REG: I/O, */
	put(t->buf, 117, 8, 1);                 /*   8 bits, */
	put(t->buf, 119, 1, 1);                 /*   byte access, */
	put(t->buf, 120, 0xcf9, 8);             /*   port 0xcf9 */
	put(t->buf, 128, 0x6, 1);               /* RESET_VALUE */
	put(t->buf, 140, DSDT_PA, 8);           /* X_DSDT wins over DSDT */
	put(t->buf, 172, 1, 1);                 /* X_PM1a_CNT_BLK: I/O */
	put(t->buf, 173, 16, 1);
	put(t->buf, 176, 0x1004, 8);            /* wins over PM1a_CNT_BLK */
	tb_finish(t);
}

static void build_dsdt(struct tb *t)
{
	/* A string holding "_S5_" (not a NameOp) must not match; then
	 * Name (\_S5, Package (0x04) { 0x05, 0x06, Zero, Zero }). */
	static const uint8_t aml[] = {
		0x08, 'S', 'T', 'R', '_', 0x0d, '_', 'S', '5', '_', 0x00,
		0x08, '\\', '_', 'S', '5', '_', 0x12, 0x0a, 0x04,
		0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00,
	};
	tb_header(t, "DSDT", 2);
	tb_bytes(t, aml, sizeof(aml));
	tb_finish(t);
}

static void build_hpet(struct tb *t)
{
	tb_header(t, "HPET", 1);
	tb_u32(t, 0x8086a201);                  /* NUM_TIM_CMP = 2 -> 3 */
	tb_u8(t, 0); tb_u8(t, 64); tb_u8(t, 0); tb_u8(t, 0);
	tb_u64(t, 0xfed00000);
	tb_u8(t, 0); tb_u16(t, 0x80); tb_u8(t, 0);
	tb_finish(t);
}

static void mcfg_alloc(struct tb *t, uint64_t base, uint16_t seg, uint8_t s, uint8_t e)
{
	tb_u64(t, base); tb_u16(t, seg); tb_u8(t, s); tb_u8(t, e); tb_u32(t, 0);
}

static void build_mcfg(struct tb *t)
{
	tb_header(t, "MCFG", 1);
	tb_u64(t, 0);
	mcfg_alloc(t, 0xb0000000, 0, 0, 0xff);
	mcfg_alloc(t, 0xc0000000, 1, 0x10, 0x1f);
	mcfg_alloc(t, 0xd0000000, 2, 5, 4);     /* end < start: skipped */
	tb_finish(t);
}

static void build_root(struct tb *t, const char *sig, const uint64_t *pa, int n, int size)
{
	tb_header(t, sig, 1);
	for (int i = 0; i < n; i++)
		tb_bytes(t, &pa[i], size);
	tb_finish(t);
}

/* The whole synthetic machine; mutators run on tables before they are added. */
struct machine {
	struct fake_mem fm;
	uint8_t rsdp[36];
	struct tb madt, fadt, dsdt, hpet, mcfg, xsdt, rsdt, old_madt;
};

static void machine_build(struct machine *m)
{
	static const uint64_t x[] = { MADT_PA, FADT_PA, HPET_PA, MCFG_PA };
	static const uint64_t r[] = { OLD_MADT_PA };

	memset(m, 0, sizeof(*m));
	build_madt(&m->madt);
	build_fadt(&m->fadt);
	build_dsdt(&m->dsdt);
	build_hpet(&m->hpet);
	build_mcfg(&m->mcfg);
	build_root(&m->xsdt, "XSDT", x, 4, 8);
	build_root(&m->rsdt, "RSDT", r, 1, 4);
	madt_start(&m->old_madt);
	madt_lapic(&m->old_madt, 0, 7, 1);
	tb_finish(&m->old_madt);

	memcpy(m->rsdp, "RSD PTR ", 8);
	memcpy(m->rsdp + 9, "UNITOE", 6);
	m->rsdp[15] = 2;
	put(m->rsdp, 16, RSDT_PA, 4);
	put(m->rsdp, 20, 36, 4);
	put(m->rsdp, 24, XSDT_PA, 8);
	fix_checksum(m->rsdp, 20, 8);
	fix_checksum(m->rsdp, 36, 32);
}

static void machine_map(struct machine *m)
{
	fake_mem_add(&m->fm, RSDT_PA, m->rsdt.buf, m->rsdt.len);
	fake_mem_add(&m->fm, OLD_MADT_PA, m->old_madt.buf, m->old_madt.len);
	fake_mem_add(&m->fm, XSDT_PA, m->xsdt.buf, m->xsdt.len);
	fake_mem_add(&m->fm, MADT_PA, m->madt.buf, m->madt.len);
	fake_mem_add(&m->fm, FADT_PA, m->fadt.buf, m->fadt.len);
	fake_mem_add(&m->fm, HPET_PA, m->hpet.buf, m->hpet.len);
	fake_mem_add(&m->fm, MCFG_PA, m->mcfg.buf, m->mcfg.len);
	fake_mem_add(&m->fm, DSDT_PA, m->dsdt.buf, m->dsdt.len);
}

static int machine_parse(struct machine *m, size_t rsdp_len, struct acpi_info *info)
{
	struct acpi_mapper mapper = fake_mem_mapper(&m->fm);
	return acpi_parse(m->rsdp, rsdp_len, &mapper, info);
}

static struct machine M;
static struct acpi_info I;

static int setup(void **state)
{
	machine_build(&M);
	return 0;
}

static int teardown(void **state)
{
	fake_mem_free(&M.fm);
	return 0;
}

static void test_checksum(void **state)
{
	uint8_t b[4] = { 0x10, 0x20, 0x30, 0xa0 };
	assert_true(acpi_checksum_ok(b, 4));
	b[3] = 0xa1;
	assert_false(acpi_checksum_ok(b, 4));
}

static void test_v2_uses_xsdt(void **state)
{
	machine_map(&M);
	assert_int_equal(machine_parse(&M, 36, &I), 0);
	assert_true(I.use_xsdt);
	assert_int_equal(I.rsdp_revision, 2);
	assert_string_equal(I.oem_id, "UNITOE");
	assert_int_equal(I.root_phys, XSDT_PA);
	/* XSDT + 4 tables + DSDT, in discovery order. */
	assert_int_equal(I.nr_tables, 6);
	assert_string_equal(I.tables[0].signature, "XSDT");
	assert_string_equal(I.tables[1].signature, "APIC");
	assert_int_equal(I.tables[1].phys, MADT_PA);
	assert_string_equal(I.tables[1].oem_table_id, "UNITTABL");
	assert_string_equal(I.tables[5].signature, "DSDT");
	assert_int_equal(I.tables[5].phys, DSDT_PA);
}

static void test_madt_contents(void **state)
{
	machine_map(&M);
	assert_int_equal(machine_parse(&M, 36, &I), 0);
	assert_true(I.has_madt);
	assert_true(I.pcat_compat);
	assert_int_equal(I.lapic_address, 0xfee00000);
	assert_int_equal(I.nr_cpus, 3);
	assert_int_equal(I.cpus[0].apic_id, 0);
	assert_int_equal(I.cpus[1].apic_id, 1);
	assert_int_equal(I.cpus[2].apic_id, 300);
	assert_int_equal(I.cpus[2].uid, 5);
	assert_int_equal(I.nr_cpus_hotplug, 1);
	assert_int_equal(I.nr_ioapics, 2);
	assert_int_equal(I.ioapics[0].id, 4);
	assert_int_equal(I.ioapics[0].address, 0xfec00000);
	assert_int_equal(I.ioapics[1].gsi_base, 24);
	assert_int_equal(I.nr_overrides, 2);
	assert_int_equal(I.overrides[0].source_irq, 0);
	assert_int_equal(I.overrides[0].gsi, 2);
	assert_int_equal(I.overrides[1].flags, ACPI_INTI_TRIGGER_LEVEL | ACPI_INTI_POLARITY_HIGH);
	assert_int_equal(I.nr_lapic_nmis, 2);
	assert_int_equal(I.lapic_nmis[0].uid, ACPI_UID_ALL);
	assert_int_equal(I.lapic_nmis[0].lint, 1);
	assert_int_equal(I.lapic_nmis[1].uid, 5);
	assert_int_equal(I.lapic_nmis[1].flags, 0xf);
}

static void test_fadt_dsdt_hpet_mcfg(void **state)
{
	machine_map(&M);
	assert_int_equal(machine_parse(&M, 36, &I), 0);
	assert_true(I.has_fadt);
	assert_int_equal(I.fadt_revision, 6);
	assert_int_equal(I.dsdt_phys, DSDT_PA);
	assert_int_equal(I.pm1a_cnt, 0x1004);
	assert_int_equal(I.pm1b_cnt, 0x408);
	assert_int_equal(I.pm_timer, 0x608);
	assert_int_equal(I.sci_irq, 9);
	assert_int_equal(I.smi_cmd, 0xb2);
	assert_int_equal(I.acpi_enable, 0xf1);
	assert_int_equal(I.century, 0x32);
	assert_int_equal(I.boot_arch, ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_8042);
	assert_true(I.has_reset);
	assert_int_equal(I.reset_reg.space_id, ACPI_GAS_IO);
	assert_int_equal(I.reset_reg.address, 0xcf9);
	assert_int_equal(I.reset_value, 6);
	assert_false(I.fadt_flags & ACPI_FADT_HW_REDUCED);
	assert_true(I.has_s5);
	assert_int_equal(I.slp_typa, 5);
	assert_int_equal(I.slp_typb, 6);

	assert_true(I.has_hpet);
	assert_int_equal(I.hpet_address, 0xfed00000);
	assert_int_equal(I.hpet_comparators, 3);
	assert_int_equal(I.hpet_min_tick, 0x80);

	assert_int_equal(I.nr_mcfg, 2);
	assert_int_equal(I.mcfg[0].base, 0xb0000000);
	assert_int_equal(I.mcfg[0].bus_end, 0xff);
	assert_int_equal(I.mcfg[1].segment, 1);
	assert_int_equal(I.mcfg[1].bus_start, 0x10);
	assert_int_equal(I.mcfg[1].bus_end, 0x1f);
}

static void test_v1_uses_rsdt(void **state)
{
	machine_map(&M);
	M.rsdp[15] = 0;
	fix_checksum(M.rsdp, 20, 8);
	assert_int_equal(machine_parse(&M, 20, &I), 0);
	assert_false(I.use_xsdt);
	assert_int_equal(I.root_phys, RSDT_PA);
	assert_int_equal(I.nr_cpus, 1);
	assert_int_equal(I.cpus[0].apic_id, 7);
	assert_false(I.has_fadt);
}

static void test_bad_xsdt_falls_back_to_rsdt(void **state)
{
	M.xsdt.buf[40] ^= 1;                    /* checksum now wrong */
	machine_map(&M);
	assert_int_equal(machine_parse(&M, 36, &I), 0);
	assert_false(I.use_xsdt);
	assert_int_equal(I.nr_cpus, 1);
	assert_int_equal(I.cpus[0].apic_id, 7);
}

static void test_bad_rsdp_rejected(void **state)
{
	machine_map(&M);
	assert_int_equal(machine_parse(&M, 19, &I), -EINVAL);  /* truncated */
	M.rsdp[8] ^= 0xff;                                     /* checksum */
	assert_int_equal(machine_parse(&M, 36, &I), -EINVAL);
	M.rsdp[8] ^= 0xff;
	M.rsdp[0] = 'X';                                       /* signature */
	fix_checksum(M.rsdp, 20, 8);
	assert_int_equal(machine_parse(&M, 36, &I), -EINVAL);
}

static void test_unmapped_root(void **state)
{
	/* Nothing mapped: the XSDT fails, then the RSDT cannot be reached. */
	assert_int_equal(machine_parse(&M, 36, &I), -EFAULT);
	assert_int_equal(I.nr_tables, 0);
}

static void test_bad_table_checksum_skipped(void **state)
{
	M.madt.buf[50] ^= 0x40;
	machine_map(&M);
	assert_int_equal(machine_parse(&M, 36, &I), 0);
	assert_false(I.has_madt);
	assert_int_equal(I.nr_cpus, 0);
	assert_string_equal(I.tables[1].signature, "APIC");
	assert_false(I.tables[1].checksum_ok);
	assert_true(I.has_fadt);                /* the rest still parsed */
	assert_true(I.has_hpet);
}

static void test_truncated_table_rejected(void **state)
{
	/* The header claims more bytes than the firmware area holds. */
	put(M.madt.buf, 4, M.madt.len + 64, 4);
	fix_checksum(M.madt.buf, M.madt.len, 9);
	machine_map(&M);
	assert_int_equal(machine_parse(&M, 36, &I), 0);
	assert_false(I.has_madt);
	/* A length below the header size is rejected before any mapping. */
	uint32_t len; int err;
	struct acpi_mapper mp = fake_mem_mapper(&M.fm);
	put(M.fm.r[4].buf, 4, 20, 4);           /* FADT copy: length 20 */
	assert_null(acpi_map_table(&mp, FADT_PA, "FACP", &len, &err));
	assert_int_equal(err, -EINVAL);
	assert_null(acpi_map_table(&mp, 0x9999000, NULL, &len, &err));
	assert_int_equal(err, -EFAULT);
	assert_null(acpi_map_table(&mp, HPET_PA, "FACP", &len, &err));
	assert_int_equal(err, -EINVAL);         /* wrong signature */
}

static void test_madt_zero_length_entry(void **state)
{
	struct tb t;
	madt_start(&t);
	madt_lapic(&t, 0, 0, 1);
	tb_u8(&t, 0); tb_u8(&t, 0);             /* would loop forever */
	madt_lapic(&t, 1, 1, 1);
	tb_finish(&t);
	memset(&I, 0, sizeof(I));
	assert_int_equal(acpi_parse_madt(t.buf, t.len, &I), -EINVAL);
	assert_int_equal(I.nr_cpus, 1);
}

static void test_madt_overlong_entry(void **state)
{
	struct tb t;
	madt_start(&t);
	madt_lapic(&t, 0, 0, 1);
	tb_u8(&t, 1); tb_u8(&t, 200);           /* IOAPIC running past the end */
	tb_u8(&t, 0); tb_u8(&t, 0); tb_u32(&t, 0xfec00000); tb_u32(&t, 0);
	tb_finish(&t);
	memset(&I, 0, sizeof(I));
	assert_int_equal(acpi_parse_madt(t.buf, t.len, &I), -EINVAL);
	assert_int_equal(I.nr_cpus, 1);
	assert_int_equal(I.nr_ioapics, 0);
	/* A table too short for the MADT header. */
	assert_int_equal(acpi_parse_madt(t.buf, 40, &I), -EINVAL);
}

static void test_madt_short_entry_skipped(void **state)
{
	struct tb t;
	madt_start(&t);
	tb_u8(&t, 9); tb_u8(&t, 8); tb_u16(&t, 0); tb_u32(&t, 500); /* x2APIC, 8 < 16 */
	madt_lapic(&t, 1, 1, 1);
	tb_finish(&t);
	memset(&I, 0, sizeof(I));
	assert_int_equal(acpi_parse_madt(t.buf, t.len, &I), 0);
	assert_int_equal(I.nr_cpus, 1);
	assert_int_equal(I.cpus[0].apic_id, 1);
}

static void test_madt_capacity(void **state)
{
	static struct tb t;
	madt_start(&t);
	for (uint32_t id = 0; id < ACPI_MAX_CPUS + 88; id++)
		madt_x2apic(&t, id, id, 1);
	for (uint32_t i = 0; i < ACPI_MAX_IOAPICS + 2; i++)
		madt_ioapic(&t, i, 0xfec00000 + i * 0x1000, i * 24);
	tb_finish(&t);
	memset(&I, 0, sizeof(I));
	assert_int_equal(acpi_parse_madt(t.buf, t.len, &I), 0);
	assert_int_equal(I.nr_cpus, ACPI_MAX_CPUS);
	assert_int_equal(I.nr_cpus_dropped, 88);
	assert_int_equal(I.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS - 1);
	assert_int_equal(I.nr_ioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(I.nr_madt_dropped, 2);
}

static void test_madt_lapic_override(void **state)
{
	struct tb t;
	madt_start(&t);
	tb_u8(&t, 5); tb_u8(&t, 12); tb_u16(&t, 0); tb_u64(&t, 0x1fee00000ull);
	tb_finish(&t);
	memset(&I, 0, sizeof(I));
	assert_int_equal(acpi_parse_madt(t.buf, t.len, &I), 0);
	assert_int_equal(I.lapic_address, 0x1fee00000ull);
}

static void test_isa_irq_to_gsi(void **state)
{
	uint16_t flags;
	machine_map(&M);
	assert_int_equal(machine_parse(&M, 36, &I), 0);
	assert_int_equal(acpi_isa_irq_to_gsi(&I, 0, &flags), 2);
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_isa_irq_to_gsi(&I, 9, &flags), 9);
	assert_int_equal(flags, 0xd);
	assert_int_equal(acpi_isa_irq_to_gsi(&I, 4, &flags), 4);
	assert_int_equal(flags, ACPI_INTI_POLARITY_BUS | ACPI_INTI_TRIGGER_BUS);
}

static void test_s5_forms(void **state)
{
	uint8_t a = 9, b = 9;
	static const uint8_t one_elem[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0b, 0x07, 0x00 };
	static const uint8_t ones[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x01, 0xff };
	static const uint8_t method[] = { 0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xa4, 0x00 };
	static const uint8_t cut[] = { 0x00, 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0c, 0x01 };
	static const uint8_t cut2[] = { 0x08, '_', 'S', '5', '_', 0x12 };
	static const uint8_t pkglen2[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02, 0x0c, 3, 0, 0, 0, 0x00 };

	assert_int_equal(acpi_find_s5(one_elem, sizeof(one_elem), &a, &b), 0);
	assert_int_equal(a, 7);
	assert_int_equal(b, 7);
	assert_int_equal(acpi_find_s5(ones, sizeof(ones), &a, &b), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 7);                 /* Ones & 7 */
	assert_int_equal(acpi_find_s5(pkglen2, sizeof(pkglen2), &a, &b), 0);
	assert_int_equal(a, 3);
	assert_int_equal(b, 0);
	assert_int_equal(acpi_find_s5(method, sizeof(method), &a, &b), -ENOENT);
	assert_int_equal(acpi_find_s5(cut, sizeof(cut), &a, &b), -ENOENT);
	assert_int_equal(acpi_find_s5(cut2, sizeof(cut2), &a, &b), -ENOENT);
	assert_int_equal(acpi_find_s5("_S5_", 4, &a, &b), -ENOENT);
	assert_int_equal(acpi_find_s5("", 0, &a, &b), -ENOENT);
}

static void test_fadt_rev1(void **state)
{
	/* A 116-byte ACPI 1.0 FADT: no reset register even if the flag is set,
	 * legacy PM1 blocks only. */
	memset(&I, 0, sizeof(I));
	assert_int_equal(acpi_parse_fadt(M.fadt.buf, 116, &I), 0);
	assert_false(I.has_reset);
	assert_int_equal(I.pm1a_cnt, 0x404);
	assert_int_equal(I.dsdt_phys, 0x7000);
	assert_int_equal(I.century, 0x32);
	assert_int_equal(acpi_parse_fadt(M.fadt.buf, 100, &I), -EINVAL);
}

static void test_hpet_and_mcfg_malformed(void **state)
{
	memset(&I, 0, sizeof(I));
	assert_int_equal(acpi_parse_hpet(M.hpet.buf, 50, &I), -EINVAL);
	M.hpet.buf[40] = ACPI_GAS_IO;
	assert_int_equal(acpi_parse_hpet(M.hpet.buf, M.hpet.len, &I), -EINVAL);
	assert_false(I.has_hpet);
	assert_int_equal(acpi_parse_mcfg(M.mcfg.buf, 40, &I), -EINVAL);
	/* A trailing partial allocation is ignored. */
	assert_int_equal(acpi_parse_mcfg(M.mcfg.buf, 44 + 16 + 8, &I), 0);
	assert_int_equal(I.nr_mcfg, 1);
}

static void test_scan_rsdp(void **state)
{
	uint8_t area[256];
	memset(area, 0, sizeof(area));
	memcpy(area + 0x10, "RSD PTR ", 8);     /* decoy with a bad checksum */
	area[0x18] = 1;
	memcpy(area + 0x40, M.rsdp, 20);
	memcpy(area + 0x83, M.rsdp, 20);        /* unaligned: not a candidate */
	assert_ptr_equal(acpi_scan_rsdp(area, sizeof(area)), area + 0x40);
	assert_null(acpi_scan_rsdp(area, 0x50));  /* would need bytes past the end */
	memset(area + 0x40, 0, 20);
	assert_null(acpi_scan_rsdp(area, sizeof(area)));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_checksum),
		T(test_v2_uses_xsdt),
		T(test_madt_contents),
		T(test_fadt_dsdt_hpet_mcfg),
		T(test_v1_uses_rsdt),
		T(test_bad_xsdt_falls_back_to_rsdt),
		T(test_bad_rsdp_rejected),
		T(test_unmapped_root),
		T(test_bad_table_checksum_skipped),
		T(test_truncated_table_rejected),
		T(test_madt_zero_length_entry),
		T(test_madt_overlong_entry),
		T(test_madt_short_entry_skipped),
		T(test_madt_capacity),
		T(test_madt_lapic_override),
		T(test_isa_irq_to_gsi),
		T(test_s5_forms),
		T(test_fadt_rev1),
		T(test_hpet_and_mcfg_malformed),
		T(test_scan_rsdp),
	};
	int failed = cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
	return failed + acpi_captured_tests();
}
