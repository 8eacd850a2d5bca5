/*
 * PCI configuration space access. PCIe ECAM (PCI Express spec 7.2.2): each
 * function's 4 KiB at base + (bus << 20 | dev << 15 | fn << 12), mapped one
 * bus (1 MiB) at a time on first use. Otherwise configuration mechanism #1
 * (PCI Local Bus spec 3.2.2.3.2): an address written to 0xCF8 selects a
 * dword that 0xCFC..0xCFF then read or write.
 *
 * Lock order: cf8_lock and ecam_map_lock are leaves, never held together.
 *   cf8_lock (irqsave): the 0xCF8/0xCFC pair is one global cursor.
 *   ecam_map_lock: creating a bus mapping (ioremap may not run from
 *   interrupts, so a bus must be touched once outside them: pci_init()
 *   touches every bus it finds). Readers see a published pointer or NULL.
 */
#include <drivers/acpi/acpi.h>
#include <drivers/pci/pci.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <mm/vmap.h>
#include <asm/io.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define CONFIG_ENABLE      0x80000000u
#define ECAM_BUS_SIZE      (1u << 20)

struct ecam_window {
	uint64_t base;                  /* address of bus 0 of the segment */
	uint16_t segment;
	uint8_t bus_start, bus_end;
	volatile uint8_t *bus_va[256];  /* under ecam_map_lock; then immutable */
};

static struct ecam_window windows[ACPI_MAX_MCFG];
static unsigned nr_windows;             /* set once by pci_cfg_init() */
static struct spinlock ecam_map_lock = SPINLOCK_INIT("pci_ecam_map");
static struct spinlock cf8_lock = SPINLOCK_INIT("pci_cf8");

void pci_cfg_init(void)
{
	const struct acpi_info *ai = acpi_get_info();

	for (unsigned i = 0; ai && i < ai->nr_mcfg && nr_windows < ACPI_MAX_MCFG; i++) {
		struct ecam_window *w = &windows[nr_windows++];
		w->base = ai->mcfg[i].base;
		w->segment = ai->mcfg[i].segment;
		w->bus_start = ai->mcfg[i].bus_start;
		w->bus_end = ai->mcfg[i].bus_end;
	}
	if (!nr_windows)
		pr_warn("pci: no MCFG, using legacy config ports (no extended config space)\n");
}

bool pci_cfg_has_ecam(void)
{
	return nr_windows != 0;
}

static volatile uint8_t *ecam_bus(struct ecam_window *w, uint8_t bus)
{
	volatile uint8_t *va = READ_ONCE(w->bus_va[bus]);

	if (va)
		return va;
	spin_lock(&ecam_map_lock);
	va = w->bus_va[bus];
	if (!va) {
		va = ioremap(w->base + ((uint64_t)bus << 20), ECAM_BUS_SIZE);
		WRITE_ONCE(w->bus_va[bus], va);
	}
	spin_unlock(&ecam_map_lock);
	return va;
}

/* The ECAM address of a register, NULL when no window covers the bus. */
static volatile uint8_t *ecam_addr(uint16_t seg, uint8_t bus, uint8_t dev,
				   uint8_t fn, uint16_t off)
{
	for (unsigned i = 0; i < nr_windows; i++) {
		struct ecam_window *w = &windows[i];
		volatile uint8_t *va;

		if (w->segment != seg || bus < w->bus_start || bus > w->bus_end)
			continue;
		va = ecam_bus(w, bus);
		return va ? va + ((uint32_t)dev << 15 | (uint32_t)fn << 12 | off) : NULL;
	}
	return NULL;
}

static bool args_ok(uint8_t dev, uint8_t fn, uint16_t off, unsigned size)
{
	return dev < 32 && fn < 8 && off < 4096 && (size == 1 || size == 2 || size == 4) &&
	       (off & (size - 1)) == 0;
}

static uint32_t legacy_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned size)
{
	uint32_t addr = CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
			(uint32_t)fn << 8 | (off & 0xfc);
	unsigned long flags = spin_lock_irqsave(&cf8_lock);
	uint32_t v;

	outl(PCI_CONFIG_ADDRESS, addr);
	if (size == 1)
		v = inb(PCI_CONFIG_DATA + (off & 3));
	else if (size == 2)
		v = inw(PCI_CONFIG_DATA + (off & 2));
	else
		v = inl(PCI_CONFIG_DATA);
	spin_unlock_irqrestore(&cf8_lock, flags);
	return v;
}

/* Sized writes, never read-modify-write of the dword: the status register
 * next to the command register has write-1-to-clear bits. */
static void legacy_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
			 unsigned size, uint32_t val)
{
	uint32_t addr = CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
			(uint32_t)fn << 8 | (off & 0xfc);
	unsigned long flags = spin_lock_irqsave(&cf8_lock);

	outl(PCI_CONFIG_ADDRESS, addr);
	if (size == 1)
		outb(PCI_CONFIG_DATA + (off & 3), (uint8_t)val);
	else if (size == 2)
		outw(PCI_CONFIG_DATA + (off & 2), (uint16_t)val);
	else
		outl(PCI_CONFIG_DATA, val);
	spin_unlock_irqrestore(&cf8_lock, flags);
}

uint32_t pci_cfg_read(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn,
		      uint16_t off, unsigned size)
{
	volatile uint8_t *p;
	uint32_t ones = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

	if (!args_ok(dev, fn, off, size))
		return ones;
	p = ecam_addr(seg, bus, dev, fn, off);
	if (p) {
		if (size == 1)
			return *p;
		if (size == 2)
			return *(volatile uint16_t *)p;
		return mmio_read32(p);
	}
	if (seg != 0 || off >= 256)
		return ones;
	return legacy_read(bus, dev, fn, off, size);
}

void pci_cfg_write(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn,
		   uint16_t off, unsigned size, uint32_t val)
{
	volatile uint8_t *p;

	if (!args_ok(dev, fn, off, size))
		return;
	p = ecam_addr(seg, bus, dev, fn, off);
	if (p) {
		if (size == 1)
			*p = (uint8_t)val;
		else if (size == 2)
			*(volatile uint16_t *)p = (uint16_t)val;
		else
			mmio_write32(p, val);
		return;
	}
	if (seg == 0 && off < 256)
		legacy_write(bus, dev, fn, off, size, val);
}

#define DEV_ARGS(d) (d)->segment, (d)->bus, (d)->dev, (d)->fn

uint8_t pci_read_config8(const struct pci_device *d, uint16_t off)
{
	return (uint8_t)pci_cfg_read(DEV_ARGS(d), off, 1);
}

uint16_t pci_read_config16(const struct pci_device *d, uint16_t off)
{
	return (uint16_t)pci_cfg_read(DEV_ARGS(d), off, 2);
}

uint32_t pci_read_config32(const struct pci_device *d, uint16_t off)
{
	return pci_cfg_read(DEV_ARGS(d), off, 4);
}

void pci_write_config8(const struct pci_device *d, uint16_t off, uint8_t val)
{
	pci_cfg_write(DEV_ARGS(d), off, 1, val);
}

void pci_write_config16(const struct pci_device *d, uint16_t off, uint16_t val)
{
	pci_cfg_write(DEV_ARGS(d), off, 2, val);
}

void pci_write_config32(const struct pci_device *d, uint16_t off, uint32_t val)
{
	pci_cfg_write(DEV_ARGS(d), off, 4, val);
}
