/*
 * Enumeration: walk from bus 0 of each segment through PCI-PCI bridges'
 * secondary bus numbers (as firmware assigned them; we never renumber),
 * record every function with its BARs sized and capabilities located.
 *
 * Locking: the device list is built by pci_init() on the boot CPU and is
 * immutable afterwards (no hotplug), so readers take no lock.
 */
#include <drivers/acpi/acpi.h>
#include <drivers/pci/internal.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/slab.h>

#define PCI_MULTIFUNCTION   0x80
#define PCI_HEADER_MASK     0x7f
#define PCI_CARDBUS_CAP_PTR 0x14
/* A capability list cannot hold more than (256 - 64) / 4 entries; walking
 * further means a loop in broken hardware. */
#define PCI_CAP_MAX_WALK    48

static LIST_HEAD(devices);

struct list_head *pci_devices(void)
{
	return &devices;
}

uint8_t pci_find_next_capability(const struct pci_device *d, uint8_t after, uint8_t cap_id)
{
	uint8_t ptr;

	if (after) {
		ptr = pci_read_config8(d, after + 1);
	} else {
		if (!(pci_read_config16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		ptr = pci_read_config8(d, d->header_type == 2 ? PCI_CARDBUS_CAP_PTR : PCI_CAP_PTR);
	}
	for (int ttl = PCI_CAP_MAX_WALK; ttl > 0 && ptr >= 0x40; ttl--) {
		ptr &= 0xfc;            /* low two bits are reserved */
		if (pci_read_config8(d, ptr) == cap_id)
			return ptr;
		ptr = pci_read_config8(d, ptr + 1);
	}
	return 0;
}

uint8_t pci_find_capability(const struct pci_device *d, uint8_t cap_id)
{
	return pci_find_next_capability(d, 0, cap_id);
}

/* Size one BAR by writing all ones and reading back which address bits
 * stick (PCI spec 6.2.5.1). Returns how many BAR slots it used (1 or 2). */
static unsigned size_bar(struct pci_device *d, unsigned i, unsigned nbars)
{
	uint16_t off = PCI_BAR0 + 4 * i;
	uint32_t orig = pci_read_config32(d, off), mask;
	struct pci_bar *bar = &d->bars[i];
	uint64_t m;

	pci_write_config32(d, off, 0xffffffff);
	mask = pci_read_config32(d, off);
	pci_write_config32(d, off, orig);
	if (mask == 0 || mask == 0xffffffff)
		return 1;               /* unimplemented (or device gone) */

	if (orig & 1) {
		/* I/O: 16-bit decoders may read the upper half as zero. */
		m = mask & ~3u;
		if (!(m & 0xffff0000))
			m |= 0xffff0000;
		bar->io = true;
		bar->base = orig & ~3u;
		bar->size = (uint32_t)(~m + 1);
		return 1;
	}
	bar->prefetchable = orig & 8;
	bar->base = orig & ~0xfu;
	m = 0xffffffff00000000ull | (mask & ~0xfu);
	if (((orig >> 1) & 3) == 2 && i + 1 < nbars) {
		uint32_t orig_hi = pci_read_config32(d, off + 4);
		pci_write_config32(d, off + 4, 0xffffffff);
		m = (uint64_t)pci_read_config32(d, off + 4) << 32 | (mask & ~0xfu);
		pci_write_config32(d, off + 4, orig_hi);
		bar->base |= (uint64_t)orig_hi << 32;
		bar->is64 = true;
	}
	bar->size = (m & ~0xfull) ? ~(m & ~0xfull) + 1 : 0;
	return bar->is64 ? 2 : 1;
}

static void size_bars(struct pci_device *d)
{
	unsigned nbars = d->header_type == 0 ? 6 : d->header_type == 1 ? 2 : 0;
	uint16_t cmd = pci_read_config16(d, PCI_COMMAND);

	/* Stop decoding while BARs transiently hold all-ones addresses. */
	pci_write_config16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < nbars;)
		i += size_bar(d, i, nbars);
	pci_write_config16(d, PCI_COMMAND, cmd);
}

static void report(const struct pci_device *d)
{
	pr_info("pci %04x:%02x:%02x.%u [%04x:%04x] class %02x%02x%02x%s%s%s\n",
		d->segment, d->bus, d->dev, d->fn, d->vendor, d->device, d->class_code,
		d->subclass, d->prog_if, d->msi_cap ? " msi" : "",
		d->msix_cap ? " msix" : "", d->pcie_cap ? " pcie" : "");
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		const struct pci_bar *b = &d->bars[i];
		if (b->size)
			pr_debug("pci %02x:%02x.%u BAR%u %s %#llx size %#llx%s\n", d->bus, d->dev,
				 d->fn, i, b->io ? "io" : b->is64 ? "mem64" : "mem",
				 (unsigned long long)b->base, (unsigned long long)b->size,
				 b->prefetchable ? " prefetchable" : "");
	}
}

static struct pci_device *add_function(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct pci_device *d = kzalloc(sizeof(*d));
	uint32_t class;

	if (!d)
		return NULL;
	d->segment = seg;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = pci_read_config16(d, PCI_VENDOR_ID);
	d->device = pci_read_config16(d, PCI_DEVICE_ID);
	class = pci_read_config32(d, PCI_REVISION);
	d->revision = class & 0xff;
	d->prog_if = (class >> 8) & 0xff;
	d->subclass = (class >> 16) & 0xff;
	d->class_code = class >> 24;
	d->header_type = pci_read_config8(d, PCI_HEADER_TYPE) & PCI_HEADER_MASK;
	d->irq_line = pci_read_config8(d, PCI_IRQ_LINE);
	d->irq_pin = pci_read_config8(d, PCI_IRQ_PIN);
	if (d->header_type == 0) {
		d->subsys_vendor = pci_read_config16(d, PCI_SUBSYS_VENDOR);
		d->subsys_device = pci_read_config16(d, PCI_SUBSYS_ID);
	} else if (d->header_type == 1) {
		d->secondary_bus = pci_read_config8(d, PCI_SECONDARY_BUS);
	}
	size_bars(d);
	d->msi_cap = pci_find_capability(d, PCI_CAP_MSI);
	d->msix_cap = pci_find_capability(d, PCI_CAP_MSIX);
	d->pcie_cap = pci_find_capability(d, PCI_CAP_PCIE);
	list_add_tail(&d->node, &devices);
	report(d);
	return d;
}

struct bus_queue {
	uint8_t bus[256];
	unsigned head, tail;
	uint8_t seen[256 / 8];
};

static void queue_bus(struct bus_queue *q, uint8_t bus)
{
	if (q->seen[bus / 8] & (1u << (bus % 8)))
		return;         /* loops and duplicates in firmware numbering */
	q->seen[bus / 8] |= 1u << (bus % 8);
	q->bus[q->tail++ % 256] = bus;
}

static unsigned scan_bus(struct bus_queue *q, uint16_t seg, uint8_t bus)
{
	unsigned found = 0;

	for (uint8_t dev = 0; dev < 32; dev++) {
		uint8_t nfn = 1;

		if (pci_cfg_read(seg, bus, dev, 0, PCI_VENDOR_ID, 2) == 0xffff)
			continue;
		if (pci_cfg_read(seg, bus, dev, 0, PCI_HEADER_TYPE, 1) & PCI_MULTIFUNCTION)
			nfn = 8;
		for (uint8_t fn = 0; fn < nfn; fn++) {
			struct pci_device *d;

			if (pci_cfg_read(seg, bus, dev, fn, PCI_VENDOR_ID, 2) == 0xffff)
				continue;
			if (!(d = add_function(seg, bus, dev, fn)))
				return found;
			found++;
			if (d->header_type == 1 && d->secondary_bus != 0)
				queue_bus(q, d->secondary_bus);
		}
	}
	return found;
}

static unsigned scan_segment(uint16_t seg, uint8_t root_bus)
{
	static struct bus_queue q;      /* 300 bytes: keep it off the stack */
	unsigned found = 0;

	memset(&q, 0, sizeof(q));
	queue_bus(&q, root_bus);
	while (q.head != q.tail)
		found += scan_bus(&q, seg, q.bus[q.head++ % 256]);
	return found;
}

int pci_init(void)
{
	const struct acpi_info *ai = acpi_get_info();
	unsigned found;

	pci_cfg_init();
	found = scan_segment(0, 0);
	/* Further segments only exist with ECAM; each starts at its first bus. */
	for (unsigned i = 0; ai && i < ai->nr_mcfg; i++)
		if (ai->mcfg[i].segment != 0)
			found += scan_segment(ai->mcfg[i].segment, ai->mcfg[i].bus_start);
	pr_info("pci: %u functions via %s\n", found,
		pci_cfg_has_ecam() ? "ECAM" : "legacy config ports");
	pci_bind_all();
	return found ? 0 : -ENODEV;
}

struct pci_device *pci_find_device(uint16_t vendor, uint16_t device, unsigned n)
{
	struct pci_device *d;

	pci_for_each_device(d)
		if (d->vendor == vendor && d->device == device && n-- == 0)
			return d;
	return NULL;
}

struct pci_device *pci_get_slot(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct pci_device *d;

	pci_for_each_device(d)
		if (d->segment == segment && d->bus == bus && d->dev == dev && d->fn == fn)
			return d;
	return NULL;
}
