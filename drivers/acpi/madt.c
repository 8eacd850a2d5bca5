/*
 * MADT ("APIC" table): CPUs by APIC id, IOAPICs, ISA interrupt overrides and
 * LAPIC NMI wiring. Pure parser; every entry is bounds-checked against the
 * table length before it is read, and a zero or overlong entry ends the walk.
 */
#include <drivers/acpi/acpi.h>
#include <drivers/acpi/spec.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>

/* xAPIC id 0xff is the broadcast address, never a CPU. */
#define XAPIC_BROADCAST 0xff

static void add_cpu(struct acpi_info *info, uint32_t apic_id, uint32_t uid,
		    uint32_t flags)
{
	if (!(flags & ACPI_MADT_ENABLED)) {
		/* Neither enabled nor online-capable: unusable, skip silently. */
		if (flags & ACPI_MADT_ONLINE_CAPABLE)
			info->nr_cpus_hotplug++;
		return;
	}
	/* Firmware may describe one CPU with both a type-0 and a type-9 entry. */
	for (unsigned i = 0; i < info->nr_cpus; i++)
		if (info->cpus[i].apic_id == apic_id)
			return;
	if (info->nr_cpus == ACPI_MAX_CPUS) {
		info->nr_cpus_dropped++;
		return;
	}
	info->cpus[info->nr_cpus].apic_id = apic_id;
	info->cpus[info->nr_cpus].uid = uid;
	info->nr_cpus++;
}

static void add_ioapic(struct acpi_info *info, const struct acpi_madt_ioapic *e)
{
	struct acpi_ioapic *io;

	if (info->nr_ioapics == ACPI_MAX_IOAPICS) {
		info->nr_madt_dropped++;
		return;
	}
	io = &info->ioapics[info->nr_ioapics++];
	io->id = e->id;
	io->address = e->address;
	io->gsi_base = e->gsi_base;
}

static void add_override(struct acpi_info *info, const struct acpi_madt_iso *e)
{
	struct acpi_override *o;

	if (info->nr_overrides == ACPI_MAX_OVERRIDES) {
		info->nr_madt_dropped++;
		return;
	}
	o = &info->overrides[info->nr_overrides++];
	o->bus = e->bus;
	o->source_irq = e->source;
	o->gsi = e->gsi;
	o->flags = e->flags;
}

static void add_nmi(struct acpi_info *info, uint32_t uid, uint16_t flags, uint8_t lint)
{
	struct acpi_lapic_nmi *n;

	if (info->nr_lapic_nmis == ACPI_MAX_LAPIC_NMIS) {
		info->nr_madt_dropped++;
		return;
	}
	n = &info->lapic_nmis[info->nr_lapic_nmis++];
	n->uid = uid;
	n->flags = flags;
	n->lint = lint;
}

/* Minimum length of each entry type we read; 0 = type ignored. Longer
 * entries are accepted (later spec revisions may append fields). */
static size_t entry_min_len(uint8_t type)
{
	switch (type) {
	case ACPI_MADT_LAPIC: return sizeof(struct acpi_madt_lapic);
	case ACPI_MADT_IOAPIC: return sizeof(struct acpi_madt_ioapic);
	case ACPI_MADT_ISO: return sizeof(struct acpi_madt_iso);
	case ACPI_MADT_LAPIC_NMI: return sizeof(struct acpi_madt_lapic_nmi);
	case ACPI_MADT_LAPIC_OVERRIDE: return sizeof(struct acpi_madt_lapic_override);
	case ACPI_MADT_X2APIC: return sizeof(struct acpi_madt_x2apic);
	case ACPI_MADT_X2APIC_NMI: return sizeof(struct acpi_madt_x2apic_nmi);
	default: return 0;
	}
}

static void parse_entry(const struct acpi_madt_entry *e, struct acpi_info *info)
{
	switch (e->type) {
	case ACPI_MADT_LAPIC: {
		const struct acpi_madt_lapic *l = (const void *)e;
		if (l->apic_id != XAPIC_BROADCAST)
			add_cpu(info, l->apic_id, l->uid, l->flags);
		break;
	}
	case ACPI_MADT_X2APIC: {
		const struct acpi_madt_x2apic *x = (const void *)e;
		add_cpu(info, x->x2apic_id, x->uid, x->flags);
		break;
	}
	case ACPI_MADT_IOAPIC:
		add_ioapic(info, (const void *)e);
		break;
	case ACPI_MADT_ISO:
		add_override(info, (const void *)e);
		break;
	case ACPI_MADT_LAPIC_NMI: {
		const struct acpi_madt_lapic_nmi *n = (const void *)e;
		add_nmi(info, n->uid == 0xff ? ACPI_UID_ALL : n->uid, n->flags, n->lint);
		break;
	}
	case ACPI_MADT_X2APIC_NMI: {
		const struct acpi_madt_x2apic_nmi *n = (const void *)e;
		add_nmi(info, n->uid, n->flags, n->lint);
		break;
	}
	case ACPI_MADT_LAPIC_OVERRIDE:
		info->lapic_address = ((const struct acpi_madt_lapic_override *)e)->address;
		break;
	}
}

int acpi_parse_madt(const void *table, size_t len, struct acpi_info *info)
{
	const struct acpi_madt *madt = table;
	const uint8_t *p = table;
	size_t off;

	if (len < sizeof(*madt))
		return -EINVAL;
	info->has_madt = true;
	info->lapic_address = madt->lapic_address;
	info->pcat_compat = madt->flags & 1;

	for (off = sizeof(*madt); off + sizeof(struct acpi_madt_entry) <= len;) {
		const struct acpi_madt_entry *e = (const void *)(p + off);
		size_t need = entry_min_len(e->type);

		/* A zero length would never advance; an overlong one runs past
		 * the table. Either way nothing after it can be trusted. */
		if (e->length < sizeof(*e) || e->length > len - off)
			return -EINVAL;
		if (e->length >= need && need)
			parse_entry(e, info);
		off += e->length;
	}
	return 0;
}

uint32_t acpi_isa_irq_to_gsi(const struct acpi_info *info, unsigned irq,
			     uint16_t *inti_flags)
{
	for (unsigned i = 0; i < info->nr_overrides; i++) {
		const struct acpi_override *o = &info->overrides[i];
		if (o->bus == 0 && o->source_irq == irq) {
			*inti_flags = o->flags;
			return o->gsi;
		}
	}
	/* No override: identity-mapped, ISA defaults (edge, active high). */
	*inti_flags = ACPI_INTI_POLARITY_BUS | ACPI_INTI_TRIGGER_BUS;
	return irq;
}
