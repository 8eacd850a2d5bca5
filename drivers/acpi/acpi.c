/*
 * ACPI in the running kernel: reach the tables through the direct map (or
 * ioremap for tables outside the firmware memory map), run the pure parser
 * once at boot, report what it found and answer queries afterwards.
 *
 * Locking: none. acpi_init() runs once on the boot CPU before any other CPU
 * or interrupt handler can look; `info` is read-only after it returns.
 */
#include <drivers/acpi/acpi.h>
#include <drivers/acpi/spec.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/memblock.h>
#include <mm/phys.h>
#include <mm/vmap.h>
#include <asm/layout.h>

static struct acpi_info info;
static bool info_valid;
static struct acpi_mapper kernel_mapper;

/* paging_init() direct-maps the low 1 MiB and every firmware memory map
 * entry (whatever its type), which is where ACPI tables live. */
static const void *kernel_map(void *ctx, phys_addr_t pa, size_t len)
{
	if (memblock_in_direct_map(pa, len))
		return phys_to_virt(pa);
	/* Tables in "reserved" firmware memory (SeaBIOS puts them there) or
	 * outside the map. The mapping is kept: tables are read again later. */
	return ioremap(pa, len);
}

/* The legacy places an RSDP can be when the loader passed none (ACPI 6.5
 * 5.2.5.1): the first KiB of the EBDA, then the BIOS ROM area. */
static const void *find_rsdp_legacy(void)
{
	const void *r;
	uint16_t ebda_seg;

	memcpy(&ebda_seg, phys_to_virt(0x40e), 2);
	if (ebda_seg && (r = acpi_scan_rsdp(phys_to_virt((phys_addr_t)ebda_seg << 4), 1024)))
		return r;
	return acpi_scan_rsdp(phys_to_virt(0xe0000), 0x20000);
}

static const char *inti_trigger(uint16_t flags)
{
	switch (flags & ACPI_INTI_TRIGGER_MASK) {
	case ACPI_INTI_TRIGGER_EDGE: return "edge";
	case ACPI_INTI_TRIGGER_LEVEL: return "level";
	default: return "bus default";
	}
}

static const char *inti_polarity(uint16_t flags)
{
	switch (flags & ACPI_INTI_POLARITY_MASK) {
	case ACPI_INTI_POLARITY_HIGH: return "high";
	case ACPI_INTI_POLARITY_LOW: return "low";
	default: return "bus default";
	}
}

static void report_tables(void)
{
	pr_info("ACPI: RSDP v%u %s, %s at %#llx\n", info.rsdp_revision, info.oem_id,
		info.use_xsdt ? "XSDT" : "RSDT", (unsigned long long)info.root_phys);
	for (unsigned i = 0; i < info.nr_tables; i++) {
		const struct acpi_table_ref *t = &info.tables[i];
		pr_info("ACPI: %s 0x%016llx %06x (v%02u %-6s %-8s)%s\n", t->signature,
			(unsigned long long)t->phys, t->length, t->revision, t->oem_id,
			t->oem_table_id, t->checksum_ok ? "" : " BAD CHECKSUM, ignored");
	}
	if (info.nr_tables_dropped)
		pr_warn("ACPI: %u more tables not listed\n", info.nr_tables_dropped);
}

static void report_cpus(void)
{
	char ids[128];
	size_t n = 0;

	for (unsigned i = 0; i < info.nr_cpus && n < sizeof(ids) - 8; i++)
		n += snprintf(ids + n, sizeof(ids) - n, " %u", info.cpus[i].apic_id);
	pr_info("ACPI: %u CPUs (APIC ids%s%s), LAPIC at %#llx%s\n", info.nr_cpus, ids,
		n >= sizeof(ids) - 8 ? " ..." : "", (unsigned long long)info.lapic_address,
		info.pcat_compat ? ", 8259 PICs present" : "");
	if (info.nr_cpus_hotplug)
		pr_info("ACPI: %u more CPUs hot-pluggable\n", info.nr_cpus_hotplug);
	if (info.nr_cpus_dropped || info.nr_madt_dropped)
		pr_warn("ACPI: MADT: %u CPUs and %u other entries beyond our limits\n",
			info.nr_cpus_dropped, info.nr_madt_dropped);
}

static void report_interrupts(void)
{
	for (unsigned i = 0; i < info.nr_ioapics; i++)
		pr_info("ACPI: IOAPIC id %u at %#x, GSI base %u\n", info.ioapics[i].id,
			info.ioapics[i].address, info.ioapics[i].gsi_base);
	for (unsigned i = 0; i < info.nr_overrides; i++) {
		const struct acpi_override *o = &info.overrides[i];
		pr_info("ACPI: IRQ %u -> GSI %u (%s, %s)\n", o->source_irq, o->gsi,
			inti_trigger(o->flags), inti_polarity(o->flags));
	}
}

static void report_platform(void)
{
	if (info.has_hpet)
		pr_info("ACPI: HPET at %#llx, %u comparators\n",
			(unsigned long long)info.hpet_address, info.hpet_comparators);
	else
		pr_warn("ACPI: no HPET table\n");
	for (unsigned i = 0; i < info.nr_mcfg; i++)
		pr_info("ACPI: PCIe ECAM segment %u buses %02x-%02x at %#llx\n",
			info.mcfg[i].segment, info.mcfg[i].bus_start, info.mcfg[i].bus_end,
			(unsigned long long)info.mcfg[i].base);
	if (!info.has_fadt) {
		pr_warn("ACPI: no FADT: no ACPI power off or reset\n");
		return;
	}
	pr_info("ACPI: FADT v%u%s: PM1a_CNT %#x, S5 %s (SLP_TYP %u/%u), century %#x\n",
		info.fadt_revision,
		(info.fadt_flags & ACPI_FADT_HW_REDUCED) ? " (HW-reduced)" : "",
		info.pm1a_cnt, info.has_s5 ? "found" : "not found", info.slp_typa,
		info.slp_typb, info.century);
	if (info.has_reset)
		pr_info("ACPI: reset register %s %#llx, value %#x\n",
			info.reset_reg.space_id == ACPI_GAS_IO ? "port" : "address",
			(unsigned long long)info.reset_reg.address, info.reset_value);
}

int acpi_init(const void *rsdp, size_t rsdp_len)
{
	int err;

	if (!rsdp || !rsdp_len) {
		rsdp = find_rsdp_legacy();
		rsdp_len = sizeof(struct acpi_rsdp);
		if (!rsdp) {
			pr_err("ACPI: no RSDP from the loader or in the BIOS area\n");
			return -ENODEV;
		}
		/* A v1 RSDP found by scanning may sit right at the end of the
		 * ROM window: only the v1 part is known to be readable. */
		if (((const struct acpi_rsdp *)rsdp)->revision < 2)
			rsdp_len = ACPI_RSDP_V1_LEN;
	}
	kernel_mapper.map = kernel_map;
	err = acpi_parse(rsdp, rsdp_len, &kernel_mapper, &info);
	if (err) {
		pr_err("ACPI: unusable root tables (%d)\n", err);
		return err;
	}
	info_valid = true;
	report_tables();
	report_cpus();
	report_interrupts();
	report_platform();
	return 0;
}

const struct acpi_info *acpi_get_info(void)
{
	return info_valid ? &info : NULL;
}

int acpi_cpu_count(void)
{
	return info_valid && info.nr_cpus ? (int)info.nr_cpus : 1;
}

uint32_t acpi_cpu_apic_id(int index)
{
	if (!info_valid || index < 0 || (unsigned)index >= info.nr_cpus)
		return 0;
	return info.cpus[index].apic_id;
}

const void *acpi_find_table(const char *sig, unsigned n, uint32_t *len_out)
{
	if (!info_valid)
		return NULL;
	for (unsigned i = 0; i < info.nr_tables; i++) {
		const struct acpi_table_ref *t = &info.tables[i];
		uint32_t len;
		int err;
		const void *p;

		if (!t->checksum_ok || memcmp(t->signature, sig, 4) != 0 || n-- > 0)
			continue;
		p = acpi_map_table(&kernel_mapper, t->phys, sig, &len, &err);
		if (p && len_out)
			*len_out = len;
		return p;
	}
	return NULL;
}
