/*
 * Binding PCI drivers to devices: a driver lists the ids it handles; each
 * unbound device that matches is offered to its probe(), at registration
 * time or when pci_init() finishes enumerating, whichever comes later.
 *
 * Locking: drivers_lock protects the driver list, `enumerated` and every
 * pci_device's `driver` field. probe() runs without it (it may allocate or
 * sleep later): the device is claimed first, so no one else probes it.
 */
#include <drivers/pci/internal.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>

static LIST_HEAD(drivers);
static bool enumerated;
static struct spinlock drivers_lock = SPINLOCK_INIT("pci_drivers");

static bool id_matches(const struct pci_device_id *id, const struct pci_device *d)
{
	uint32_t class = (uint32_t)d->class_code << 16 | d->subclass << 8 | d->prog_if;

	return (id->vendor == PCI_ANY_ID || id->vendor == d->vendor) &&
	       (id->device == PCI_ANY_ID || id->device == d->device) &&
	       ((class ^ id->class) & id->class_mask) == 0;
}

static const struct pci_device_id *match(const struct pci_driver *drv,
					 const struct pci_device *d)
{
	for (const struct pci_device_id *id = drv->ids;
	     id->vendor || id->device || id->class_mask; id++)
		if (id_matches(id, d))
			return id;
	return NULL;
}

/* Claim d for drv and probe it; on failure the claim is dropped. */
static void try_bind(struct pci_driver *drv, struct pci_device *d,
		     const struct pci_device_id *id)
{
	int err = drv->probe(d, id);

	if (err) {
		pr_warn("pci %02x:%02x.%u: %s probe failed (%d)\n", d->bus, d->dev, d->fn,
			drv->name, err);
		spin_lock(&drivers_lock);
		d->driver = NULL;
		spin_unlock(&drivers_lock);
		return;
	}
	pr_info("pci %02x:%02x.%u: bound to %s\n", d->bus, d->dev, d->fn, drv->name);
}

/* Offer every unbound device drv matches to it, once. The device list is
 * immutable after enumeration, so only the claim needs the lock. */
static void bind_driver(struct pci_driver *drv)
{
	struct pci_device *d;

	pci_for_each_device(d) {
		const struct pci_device_id *id = NULL;

		spin_lock(&drivers_lock);
		if (!d->driver && (id = match(drv, d)))
			d->driver = drv;
		spin_unlock(&drivers_lock);
		if (id)
			try_bind(drv, d, id);
	}
}

void pci_bind_all(void)
{
	struct pci_driver *drv;

	spin_lock(&drivers_lock);
	enumerated = true;
	spin_unlock(&drivers_lock);
	/* Drivers are only added, never removed: walking without the lock
	 * is safe once registration finished linking each node. */
	list_for_each_entry(drv, &drivers, node)
		bind_driver(drv);
}

int pci_register_driver(struct pci_driver *drv)
{
	bool now;

	if (!drv->ids || !drv->probe)
		return -EINVAL;
	spin_lock(&drivers_lock);
	list_add_tail(&drv->node, &drivers);
	now = enumerated;
	spin_unlock(&drivers_lock);
	if (now)
		bind_driver(drv);
	return 0;
}

void pci_enable_device(struct pci_device *d)
{
	uint16_t cmd = pci_read_config16(d, PCI_COMMAND);

	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		if (!d->bars[i].size)
			continue;
		cmd |= d->bars[i].io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	pci_write_config16(d, PCI_COMMAND, cmd);
}

void pci_enable_bus_master(struct pci_device *d)
{
	uint16_t cmd = pci_read_config16(d, PCI_COMMAND);

	if (!(cmd & PCI_COMMAND_MASTER))
		pci_write_config16(d, PCI_COMMAND, cmd | PCI_COMMAND_MASTER);
}
