/*
 * MSI and MSI-X (PCI Local Bus spec 3.0, 6.8): a device raises an
 * interrupt by writing a message to memory; kernel/irq.h supplies the
 * message for a fresh vector. MSI-X is preferred: one table entry per
 * queue. Plain MSI is used with a single message.
 *
 * Locking: called from drivers' probe, one probe per device at a time
 * (driver.c), so the device's MSI state needs no lock of its own; the
 * MSI-X table mapping is cached in struct pci_device.
 */
#include <drivers/pci/pci.h>
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <mm/vmap.h>
#include <asm/io.h>

/* MSI-X capability (6.8.2). */
#define MSIX_CTRL           2
#define  MSIX_CTRL_SIZE     0x07ff      /* table size - 1 */
#define  MSIX_CTRL_MASKALL  (1u << 14)
#define  MSIX_CTRL_ENABLE   (1u << 15)
#define MSIX_TABLE          4           /* offset | BIR */
#define  MSIX_BIR_MASK      7u
#define MSIX_ENTRY_SIZE     16
#define MSIX_ENTRY_ADDR_LO  0
#define MSIX_ENTRY_ADDR_HI  4
#define MSIX_ENTRY_DATA     8
#define MSIX_ENTRY_CTRL     12
#define  MSIX_ENTRY_MASKED  1u

/* MSI capability (6.8.1). */
#define MSI_CTRL            2
#define  MSI_CTRL_ENABLE    (1u << 0)
#define  MSI_CTRL_MME_MASK  (7u << 4)   /* multiple message enable */
#define  MSI_CTRL_64BIT     (1u << 7)
#define MSI_ADDR_LO         4
#define MSI_ADDR_HI         8
#define MSI_DATA_32         8
#define MSI_DATA_64         12

void *pci_map_bar(const struct pci_device *d, unsigned bar)
{
	if (bar >= PCI_MAX_BARS || !d->bars[bar].size || d->bars[bar].io)
		return NULL;
	return ioremap(d->bars[bar].base, d->bars[bar].size);
}

unsigned pci_msi_count(const struct pci_device *d)
{
	if (d->msix_cap)
		return (pci_read_config16(d, d->msix_cap + MSIX_CTRL) & MSIX_CTRL_SIZE) + 1;
	return d->msi_cap ? 1 : 0;
}

static void intx_disable(struct pci_device *d)
{
	uint16_t cmd = pci_read_config16(d, PCI_COMMAND);
	pci_write_config16(d, PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE);
}

/* Map the table and switch MSI-X on with every entry masked. */
static int msix_enable(struct pci_device *d)
{
	uint16_t ctrl = pci_read_config16(d, d->msix_cap + MSIX_CTRL);
	uint32_t table = pci_read_config32(d, d->msix_cap + MSIX_TABLE);
	unsigned n = (ctrl & MSIX_CTRL_SIZE) + 1, bir = table & MSIX_BIR_MASK;
	const struct pci_bar *bar = &d->bars[bir];
	uint64_t off = table & ~MSIX_BIR_MASK;

	if (bir >= PCI_MAX_BARS || bar->io || off + n * MSIX_ENTRY_SIZE > bar->size)
		return -ENODEV;
	d->msix_table = ioremap(bar->base + off, n * MSIX_ENTRY_SIZE);
	if (!d->msix_table)
		return -ENOMEM;
	/* Mask the function while entries are set up, then enable. */
	pci_write_config16(d, d->msix_cap + MSIX_CTRL, ctrl | MSIX_CTRL_MASKALL);
	for (unsigned i = 0; i < n; i++)
		mmio_write32(d->msix_table + i * MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL, MSIX_ENTRY_MASKED);
	intx_disable(d);
	pci_write_config16(d, d->msix_cap + MSIX_CTRL,
			   (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	return 0;
}

static void msix_write(struct pci_device *d, unsigned entry, const struct msi_msg *m)
{
	volatile uint8_t *e = d->msix_table + entry * MSIX_ENTRY_SIZE;

	mmio_write32(e + MSIX_ENTRY_ADDR_LO, (uint32_t)m->addr);
	mmio_write32(e + MSIX_ENTRY_ADDR_HI, (uint32_t)(m->addr >> 32));
	mmio_write32(e + MSIX_ENTRY_DATA, m->data);
	mmio_write32(e + MSIX_ENTRY_CTRL, 0);   /* unmask */
}

static void msi_write(struct pci_device *d, const struct msi_msg *m)
{
	uint8_t cap = d->msi_cap;
	uint16_t ctrl = pci_read_config16(d, cap + MSI_CTRL);

	pci_write_config32(d, cap + MSI_ADDR_LO, (uint32_t)m->addr);
	if (ctrl & MSI_CTRL_64BIT) {
		pci_write_config32(d, cap + MSI_ADDR_HI, (uint32_t)(m->addr >> 32));
		pci_write_config16(d, cap + MSI_DATA_64, (uint16_t)m->data);
	} else {
		pci_write_config16(d, cap + MSI_DATA_32, (uint16_t)m->data);
	}
	intx_disable(d);
	/* One message: multiple message enable = 0. */
	pci_write_config16(d, cap + MSI_CTRL, (ctrl & ~MSI_CTRL_MME_MASK) | MSI_CTRL_ENABLE);
}

int pci_request_msi(struct pci_device *d, unsigned entry,
		    void (*handler)(void *data), void *data)
{
	struct msi_msg msg;
	int err;

	if (!d->msix_cap && !d->msi_cap)
		return -ENODEV;
	if (entry >= pci_msi_count(d))
		return -EINVAL;
	if (d->msix_cap && !d->msix_table && (err = msix_enable(d)))
		return err;
	err = request_msi_irq(handler, data, &msg);
	if (err < 0)
		return err;
	if (d->msix_cap)
		msix_write(d, entry, &msg);
	else
		msi_write(d, &msg);
	return 0;
}
