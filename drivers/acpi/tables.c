/*
 * ACPI root tables: validate the RSDP, walk the RSDT (32-bit entries) or
 * XSDT (64-bit entries), and hand each known table to its parser. Pure code:
 * memory is reached only through struct acpi_mapper, so host tests feed byte
 * buffers. Also the two small tables (HPET, MCFG) that need no file of their own.
 */
#include <drivers/acpi/acpi.h>
#include <drivers/acpi/spec.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>

bool acpi_checksum_ok(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

/* Copy n chars and NUL-terminate; OEM ids are space-padded, not terminated. */
static void copy_id(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int rsdp_validate(const void *p, size_t len)
{
	const struct acpi_rsdp *r = p;

	if (len < ACPI_RSDP_V1_LEN || memcmp(r->signature, "RSD PTR ", 8) != 0)
		return -EINVAL;
	if (!acpi_checksum_ok(r, ACPI_RSDP_V1_LEN))
		return -EINVAL;
	return 0;
}

/* True when the v2 part (length, XSDT pointer, extended checksum) is usable. */
static bool rsdp_has_xsdt(const struct acpi_rsdp *r, size_t len)
{
	if (r->revision < 2 || len < sizeof(*r) || r->length < sizeof(*r) ||
	    r->length > len)
		return false;
	return r->xsdt_address != 0 && acpi_checksum_ok(r, r->length);
}

const void *acpi_scan_rsdp(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16) {
		size_t avail = len - off;
		if (rsdp_validate(p + off, avail) == 0)
			return p + off;
	}
	return NULL;
}

const void *acpi_map_table(const struct acpi_mapper *m, phys_addr_t pa,
			   const char *sig, uint32_t *len_out, int *err)
{
	const struct acpi_sdt_header *h;
	uint32_t len;

	*err = -EFAULT;
	if (pa == 0 || !(h = m->map(m->ctx, pa, sizeof(*h))))
		return NULL;
	*err = -EINVAL;
	if (sig && memcmp(h->signature, sig, 4) != 0)
		return NULL;
	len = h->length;
	if (len < sizeof(*h) || len > ACPI_MAX_TABLE_LEN)
		return NULL;
	*err = -EFAULT;
	if (!(h = m->map(m->ctx, pa, len)))
		return NULL;
	*err = -EINVAL;
	if (!acpi_checksum_ok(h, len))
		return NULL;
	*err = 0;
	*len_out = len;
	return h;
}

/* Remember a table for printing and acpi_find_table(). */
static struct acpi_table_ref *note_table(struct acpi_info *info, phys_addr_t pa,
					 const struct acpi_sdt_header *h, bool ok)
{
	struct acpi_table_ref *t;

	if (info->nr_tables == ACPI_MAX_TABLES) {
		info->nr_tables_dropped++;
		return NULL;
	}
	t = &info->tables[info->nr_tables++];
	copy_id(t->signature, h->signature, 4);
	copy_id(t->oem_id, h->oem_id, 6);
	copy_id(t->oem_table_id, h->oem_table_id, 8);
	t->revision = h->revision;
	t->phys = pa;
	t->length = h->length;
	t->checksum_ok = ok;
	return t;
}

int acpi_parse_hpet(const void *table, size_t len, struct acpi_info *info)
{
	const struct acpi_hpet *t = table;

	if (len < sizeof(*t))
		return -EINVAL;
	/* The timer block is always memory-mapped (HPET spec 3.2.4). */
	if (t->base.space_id != ACPI_GAS_MEMORY || t->base.address == 0)
		return -EINVAL;
	info->has_hpet = true;
	info->hpet_address = t->base.address;
	/* NUM_TIM_CMP, bits 12:8, is "number of comparators - 1". */
	info->hpet_comparators = ((t->event_timer_block_id >> 8) & 0x1f) + 1;
	info->hpet_min_tick = t->min_clock_tick;
	return 0;
}

int acpi_parse_mcfg(const void *table, size_t len, struct acpi_info *info)
{
	const uint8_t *p = table;

	if (len < sizeof(struct acpi_mcfg_hdr))
		return -EINVAL;
	for (size_t off = sizeof(struct acpi_mcfg_hdr);
	     off + sizeof(struct acpi_mcfg_alloc) <= len;
	     off += sizeof(struct acpi_mcfg_alloc)) {
		const struct acpi_mcfg_alloc *a = (const void *)(p + off);
		struct acpi_ecam *out;

		if (a->bus_end < a->bus_start || a->base == 0)
			continue;
		if (info->nr_mcfg == ACPI_MAX_MCFG)
			return -ENOSPC;
		out = &info->mcfg[info->nr_mcfg++];
		out->base = a->base;
		out->segment = a->segment;
		out->bus_start = a->bus_start;
		out->bus_end = a->bus_end;
	}
	return 0;
}

static void parse_one(const char *sig, const void *t, uint32_t len,
		      struct acpi_info *info)
{
	int err = 0;

	/* Firmware may repeat a table; the first valid instance wins. */
	if (!memcmp(sig, "APIC", 4) && !info->has_madt)
		err = acpi_parse_madt(t, len, info);
	else if (!memcmp(sig, "FACP", 4) && !info->has_fadt)
		err = acpi_parse_fadt(t, len, info);
	else if (!memcmp(sig, "HPET", 4) && !info->has_hpet)
		err = acpi_parse_hpet(t, len, info);
	else if (!memcmp(sig, "MCFG", 4) && info->nr_mcfg == 0)
		err = acpi_parse_mcfg(t, len, info);
	if (err)
		pr_warn("ACPI: %.4s: malformed (%d), partly ignored\n", sig, err);
}

/* Validate and list the table at pa, then parse it if we know it. */
static void visit_table(const struct acpi_mapper *m, phys_addr_t pa,
			struct acpi_info *info)
{
	const struct acpi_sdt_header *h;
	uint32_t len;
	int err;

	h = acpi_map_table(m, pa, NULL, &len, &err);
	if (!h) {
		/* List it anyway if at least the header is readable. */
		const struct acpi_sdt_header *hdr = m->map(m->ctx, pa, sizeof(*hdr));
		if (hdr)
			note_table(info, pa, hdr, false);
		pr_warn("ACPI: table at %#llx rejected (%d)\n",
			(unsigned long long)pa, err);
		return;
	}
	note_table(info, pa, h, true);
	parse_one(h->signature, h, len, info);
}

/* \_S5 lives in the DSDT, which the FADT points at rather than the root. */
static void visit_dsdt(const struct acpi_mapper *m, struct acpi_info *info)
{
	const struct acpi_sdt_header *h;
	uint32_t len;
	int err;

	if (!info->dsdt_phys)
		return;
	h = acpi_map_table(m, info->dsdt_phys, "DSDT", &len, &err);
	if (!h) {
		pr_warn("ACPI: DSDT at %#llx rejected (%d)\n",
			(unsigned long long)info->dsdt_phys, err);
		return;
	}
	note_table(info, info->dsdt_phys, h, true);
	if (acpi_find_s5((const uint8_t *)h + sizeof(*h), len - sizeof(*h),
			 &info->slp_typa, &info->slp_typb) == 0)
		info->has_s5 = true;
}

int acpi_parse(const void *rsdp, size_t rsdp_len, const struct acpi_mapper *m,
	       struct acpi_info *info)
{
	const struct acpi_rsdp *r = rsdp;
	const uint8_t *root;
	uint32_t len, entry_size;
	int err;

	memset(info, 0, sizeof(*info));
	if ((err = rsdp_validate(rsdp, rsdp_len)) != 0)
		return err;
	info->rsdp_revision = r->revision;
	copy_id(info->oem_id, r->oem_id, 6);

	info->use_xsdt = rsdp_has_xsdt(r, rsdp_len);
	root = NULL;
	if (info->use_xsdt) {
		info->root_phys = r->xsdt_address;
		root = acpi_map_table(m, info->root_phys, "XSDT", &len, &err);
		if (!root)
			pr_warn("ACPI: XSDT unusable (%d), trying RSDT\n", err);
	}
	if (!root) {
		info->use_xsdt = false;
		info->root_phys = r->rsdt_address;
		root = acpi_map_table(m, info->root_phys, "RSDT", &len, &err);
		if (!root)
			return err;
	}
	note_table(info, info->root_phys, (const void *)root, true);

	entry_size = info->use_xsdt ? 8 : 4;
	for (uint32_t off = sizeof(struct acpi_sdt_header); off + entry_size <= len;
	     off += entry_size) {
		uint64_t pa = 0;
		/* XSDT entries are 8 bytes at 4-byte alignment: copy, don't cast. */
		memcpy(&pa, root + off, entry_size);
		visit_table(m, pa, info);
	}
	visit_dsdt(m, info);
	return 0;
}
