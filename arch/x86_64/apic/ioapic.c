/*
 * IOAPICs (82093AA datasheet): each maps a range of global system
 * interrupts (GSIs) onto redirection entries that name a vector and a
 * destination CPU. Which IOAPIC owns which GSIs, and how ISA IRQs are
 * wired to GSIs, comes from the MADT.
 *
 * Locking: an IOAPIC is programmed through an index/data register pair, so
 * each has a spinlock (irqsave: drivers may mask from interrupt context)
 * held across select + access. The ioapics[] array is filled by
 * ioapic_init() on the boot CPU and read-only afterwards. No lock nests
 * inside another.
 */
#include <arch/x86_64/apic/apic.h>
#include <drivers/acpi/acpi.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <mm/vmap.h>
#include <asm/io.h>

#define IOREGSEL  0x00
#define IOWIN     0x10
#define IOAPIC_MMIO_LEN 0x20

#define IOAPICID  0x00
#define IOAPICVER 0x01
#define IOREDTBL(pin) (0x10 + 2 * (pin))

/* Redirection entry, low dword (datasheet 3.2.4); destination is 63:56. */
#define RTE_DM_FIXED    (0u << 8)
#define RTE_DEST_PHYS   (0u << 11)
#define RTE_ACTIVE_LOW  (1u << 13)
#define RTE_LEVEL       (1u << 15)
#define RTE_MASKED      (1u << 16)

struct ioapic {
	/* immutable after ioapic_init() */
	volatile uint8_t *mmio;
	uint32_t gsi_base;
	unsigned nr_pins;
	uint8_t id;
	/* `lock` serializes IOREGSEL/IOWIN use */
	struct spinlock lock;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned nr_ioapics;

static uint32_t reg_read(struct ioapic *io, uint8_t reg)
{
	assert_held(&io->lock);
	mmio_write32(io->mmio + IOREGSEL, reg);
	return mmio_read32(io->mmio + IOWIN);
}

static void reg_write(struct ioapic *io, uint8_t reg, uint32_t v)
{
	assert_held(&io->lock);
	mmio_write32(io->mmio + IOREGSEL, reg);
	mmio_write32(io->mmio + IOWIN, v);
}

static struct ioapic *find_gsi(uint32_t gsi, unsigned *pin)
{
	for (unsigned i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->nr_pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

static int setup_one(const struct acpi_ioapic *a, struct ioapic *io)
{
	unsigned long flags;

	io->mmio = ioremap(a->address, IOAPIC_MMIO_LEN);
	if (!io->mmio)
		return -ENOMEM;
	io->gsi_base = a->gsi_base;
	io->id = a->id;
	spin_lock_init(&io->lock, "ioapic");
	flags = spin_lock_irqsave(&io->lock);
	/* Maximum Redirection Entry, bits 23:16, is pins - 1. */
	io->nr_pins = ((reg_read(io, IOAPICVER) >> 16) & 0xff) + 1;
	for (unsigned pin = 0; pin < io->nr_pins; pin++) {
		reg_write(io, IOREDTBL(pin), RTE_MASKED);
		reg_write(io, IOREDTBL(pin) + 1, 0);
	}
	spin_unlock_irqrestore(&io->lock, flags);
	pr_info("ioapic: id %u at %#x, GSI %u-%u\n", io->id, a->address, io->gsi_base,
		io->gsi_base + io->nr_pins - 1);
	return 0;
}

int ioapic_init(void)
{
	const struct acpi_info *ai = acpi_get_info();

	if (!ai || !ai->nr_ioapics) {
		pr_err("ioapic: none in the MADT; no device interrupts\n");
		return -ENODEV;
	}
	for (unsigned i = 0; i < ai->nr_ioapics; i++)
		if (setup_one(&ai->ioapics[i], &ioapics[nr_ioapics]) == 0)
			nr_ioapics++;
	return nr_ioapics ? 0 : -ENOMEM;
}

unsigned ioapic_gsi_count(void)
{
	unsigned max = 0;

	for (unsigned i = 0; i < nr_ioapics; i++)
		max = MAX(max, ioapics[i].gsi_base + ioapics[i].nr_pins);
	return max;
}

int ioapic_route_gsi(uint32_t gsi, uint8_t vector, uint32_t apic_id, unsigned flags)
{
	unsigned pin;
	struct ioapic *io = find_gsi(gsi, &pin);
	uint32_t lo = RTE_MASKED | RTE_DEST_PHYS | RTE_DM_FIXED | vector;
	unsigned long irqflags;

	if (!io)
		return -ENOENT;
	if (apic_id > 0xff || vector < IRQ_VECTOR_BASE)
		return -EINVAL;
	if (flags & IOAPIC_LEVEL)
		lo |= RTE_LEVEL;
	if (flags & IOAPIC_ACTIVE_LOW)
		lo |= RTE_ACTIVE_LOW;
	irqflags = spin_lock_irqsave(&io->lock);
	/* Masked while the two halves disagree; unmask is a separate step. */
	reg_write(io, IOREDTBL(pin), RTE_MASKED);
	reg_write(io, IOREDTBL(pin) + 1, apic_id << 24);
	reg_write(io, IOREDTBL(pin), lo);
	spin_unlock_irqrestore(&io->lock, irqflags);
	return 0;
}

static int set_mask(uint32_t gsi, bool masked)
{
	unsigned pin;
	struct ioapic *io = find_gsi(gsi, &pin);
	unsigned long irqflags;
	uint32_t lo;

	if (!io)
		return -ENOENT;
	irqflags = spin_lock_irqsave(&io->lock);
	lo = reg_read(io, IOREDTBL(pin));
	lo = masked ? lo | RTE_MASKED : lo & ~RTE_MASKED;
	reg_write(io, IOREDTBL(pin), lo);
	spin_unlock_irqrestore(&io->lock, irqflags);
	return 0;
}

int ioapic_mask_gsi(uint32_t gsi) { return set_mask(gsi, true); }
int ioapic_unmask_gsi(uint32_t gsi) { return set_mask(gsi, false); }

uint32_t ioapic_isa_to_gsi(unsigned isa_irq, unsigned *flags)
{
	const struct acpi_info *ai = acpi_get_info();
	uint16_t inti = 0;
	uint32_t gsi = isa_irq;

	if (ai)
		gsi = acpi_isa_irq_to_gsi(ai, isa_irq, &inti);
	/* "Conforms to the bus" means ISA: edge-triggered, active high. */
	*flags = 0;
	if ((inti & ACPI_INTI_TRIGGER_MASK) == ACPI_INTI_TRIGGER_LEVEL)
		*flags |= IOAPIC_LEVEL;
	if ((inti & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_POLARITY_LOW)
		*flags |= IOAPIC_ACTIVE_LOW;
	return gsi;
}

int ioapic_enable_isa_irq(unsigned isa_irq)
{
	unsigned flags;
	uint32_t gsi;
	int err;

	if (isa_irq >= 16)
		return -EINVAL;
	gsi = ioapic_isa_to_gsi(isa_irq, &flags);
	err = ioapic_route_gsi(gsi, IRQ_VECTOR_BASE + isa_irq, lapic_id(), flags);
	return err ? err : ioapic_unmask_gsi(gsi);
}

int ioapic_disable_isa_irq(unsigned isa_irq)
{
	unsigned flags;

	if (isa_irq >= 16)
		return -EINVAL;
	return ioapic_mask_gsi(ioapic_isa_to_gsi(isa_irq, &flags));
}
