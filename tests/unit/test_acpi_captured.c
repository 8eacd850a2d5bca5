/*
 * The ACPI parser on real firmware tables: QEMU 7.2 + SeaBIOS (q35 and pc,
 * -smp 4), captured from guest memory, and a Firecracker VM's tables from
 * /sys/firmware/acpi/tables (HW-reduced ACPI, XSDT). See tests/unit/data/.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/errno.h>
#include "test_acpi_mem.h"

static struct fake_mem FM;
static struct acpi_info I;

static int teardown(void **state)
{
	fake_mem_free(&FM);
	return 0;
}

static int parse_capture(const char *dir)
{
	phys_addr_t rsdp_pa = load_layout(&FM, dir);
	struct acpi_mapper m = fake_mem_mapper(&FM);
	const void *rsdp = m.map(m.ctx, rsdp_pa, 20);

	assert_non_null(rsdp);
	return acpi_parse(rsdp, 20, &m, &I);
}

/* SeaBIOS's MADT for 4 CPUs: ids 0-3, one IOAPIC, five ISA overrides. */
static void check_qemu_madt(void)
{
	uint16_t flags;

	assert_true(I.has_madt);
	assert_true(I.pcat_compat);
	assert_int_equal(I.lapic_address, 0xfee00000);
	assert_int_equal(I.nr_cpus, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(I.cpus[i].apic_id, i);
	assert_int_equal(I.nr_ioapics, 1);
	assert_int_equal(I.ioapics[0].address, 0xfec00000);
	assert_int_equal(I.ioapics[0].gsi_base, 0);
	assert_int_equal(I.nr_overrides, 5);
	assert_int_equal(acpi_isa_irq_to_gsi(&I, 0, &flags), 2);
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_isa_irq_to_gsi(&I, 11, &flags), 11);
	assert_int_equal(flags, ACPI_INTI_TRIGGER_LEVEL | ACPI_INTI_POLARITY_HIGH);
	assert_int_equal(I.nr_lapic_nmis, 1);
	assert_int_equal(I.lapic_nmis[0].uid, ACPI_UID_ALL);
	assert_int_equal(I.lapic_nmis[0].lint, 1);
	assert_true(I.has_hpet);
	assert_int_equal(I.hpet_address, 0xfed00000);
	assert_int_equal(I.hpet_comparators, 3);
	/* Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) */
	assert_true(I.has_s5);
	assert_int_equal(I.slp_typa, 0);
	assert_int_equal(I.slp_typb, 0);
}

static void test_qemu_q35(void **state)
{
	assert_int_equal(parse_capture("qemu-q35"), 0);
	assert_false(I.use_xsdt);
	assert_int_equal(I.rsdp_revision, 0);
	assert_string_equal(I.oem_id, "BOCHS ");
	assert_int_equal(I.nr_tables, 7);       /* RSDT FACP APIC HPET MCFG WAET DSDT */
	assert_string_equal(I.tables[5].signature, "WAET");
	check_qemu_madt();
	assert_int_equal(I.fadt_revision, 3);
	assert_int_equal(I.pm1a_cnt, 0x604);
	assert_int_equal(I.pm1b_cnt, 0);
	assert_int_equal(I.pm_timer, 0x608);
	assert_int_equal(I.sci_irq, 9);
	assert_int_equal(I.smi_cmd, 0xb2);
	assert_int_equal(I.century, 0x32);
	assert_int_equal(I.dsdt_phys, 0x7fe0040);
	assert_true(I.has_reset);
	assert_int_equal(I.reset_reg.space_id, ACPI_GAS_IO);
	assert_int_equal(I.reset_reg.address, 0xcf9);
	assert_int_equal(I.reset_value, 0xf);
	assert_int_equal(I.nr_mcfg, 1);
	assert_int_equal(I.mcfg[0].base, 0xb0000000);
	assert_int_equal(I.mcfg[0].bus_start, 0);
	assert_int_equal(I.mcfg[0].bus_end, 255);
}

static void test_qemu_pc(void **state)
{
	assert_int_equal(parse_capture("qemu-pc"), 0);
	assert_int_equal(I.nr_tables, 6);
	check_qemu_madt();
	assert_int_equal(I.fadt_revision, 1);  /* 116-byte ACPI 1.0 FADT */
	assert_int_equal(I.pm1a_cnt, 0x604);
	assert_int_equal(I.century, 0x32);
	assert_false(I.has_reset);
	assert_int_equal(I.nr_mcfg, 0);         /* PIIX: no ECAM */
}

/* Firecracker: sysfs has no RSDP/XSDT, so build them around its tables. */
static void test_firecracker(void **state)
{
	static const char *sigs[] = { "APIC", "FACP", "MCFG" };
	uint8_t rsdp[36] = "RSD PTR ";
	uint64_t xsdt_pa = 0x200000000ull;
	struct tb xsdt;
	struct acpi_mapper m;

	load_layout(&FM, "firecracker");
	tb_header(&xsdt, "XSDT", 1);
	for (unsigned i = 0; i < 3; i++)
		for (unsigned r = 0; r < FM.n; r++)
			if (!memcmp(FM.r[r].buf, sigs[i], 4))
				tb_u64(&xsdt, FM.r[r].pa);
	tb_finish(&xsdt);
	assert_int_equal(xsdt.len, 36 + 3 * 8);
	fake_mem_add(&FM, xsdt_pa, xsdt.buf, xsdt.len);
	rsdp[15] = 2;
	memcpy(rsdp + 20, &(uint32_t){ 36 }, 4);
	memcpy(rsdp + 24, &xsdt_pa, 8);
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
	m = fake_mem_mapper(&FM);
	assert_int_equal(acpi_parse(rsdp, sizeof(rsdp), &m, &I), 0);

	assert_true(I.use_xsdt);
	assert_int_equal(I.nr_tables, 5);       /* XSDT APIC FACP MCFG DSDT */
	assert_true(I.has_madt);
	assert_false(I.pcat_compat);            /* no 8259s */
	assert_int_equal(I.nr_cpus, 2);
	assert_int_equal(I.cpus[1].apic_id, 1);
	assert_int_equal(I.nr_ioapics, 1);
	assert_int_equal(I.nr_overrides, 0);
	assert_true(I.fadt_flags & ACPI_FADT_HW_REDUCED);
	assert_true(I.boot_arch & ACPI_BOOT_NO_VGA);
	assert_int_equal(I.dsdt_phys, 0x9fd44); /* from X_DSDT; DSDT is 0 */
	assert_int_equal(I.pm1a_cnt, 0);
	assert_false(I.has_reset);
	assert_false(I.has_s5);                 /* no \_S5 in this DSDT */
	assert_false(I.has_hpet);
	assert_int_equal(I.nr_mcfg, 1);
	assert_int_equal(I.mcfg[0].base, 0xeec00000);
	assert_int_equal(I.mcfg[0].bus_end, 0);
}

int acpi_captured_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_qemu_q35, teardown),
		cmocka_unit_test_teardown(test_qemu_pc, teardown),
		cmocka_unit_test_teardown(test_firecracker, teardown),
	};
	return cmocka_run_group_tests_name("acpi_captured", tests, NULL, NULL);
}
