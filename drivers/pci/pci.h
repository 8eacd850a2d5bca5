/*
 * PCI / PCIe: configuration space access (legacy 0xCF8/0xCFC ports, or
 * ECAM from the ACPI MCFG), enumeration at boot, and binding of drivers
 * (virtio, nvme, e1000...) to the devices found.
 *
 *   config.c  config space accessors
 *   probe.c   bus walk, BAR sizing, capability list
 *   driver.c  driver registration and matching, command register helpers
 */
#pragma once

#include <kernel/list.h>
#include <kernel/types.h>

/* Config space header offsets (PCI Local Bus spec 3.0, 6.1). */
#define PCI_VENDOR_ID       0x00
#define PCI_DEVICE_ID       0x02
#define PCI_COMMAND         0x04
#define PCI_STATUS          0x06
#define PCI_REVISION        0x08
#define PCI_PROG_IF         0x09
#define PCI_SUBCLASS        0x0a
#define PCI_CLASS           0x0b
#define PCI_HEADER_TYPE     0x0e
#define PCI_BAR0            0x10
#define PCI_SECONDARY_BUS   0x19        /* type 1 (bridge) header */
#define PCI_SUBSYS_VENDOR   0x2c        /* type 0 header */
#define PCI_SUBSYS_ID       0x2e
#define PCI_CAP_PTR         0x34
#define PCI_IRQ_LINE        0x3c
#define PCI_IRQ_PIN         0x3d

#define PCI_COMMAND_IO      (1u << 0)
#define PCI_COMMAND_MEMORY  (1u << 1)
#define PCI_COMMAND_MASTER  (1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS_CAP_LIST (1u << 4)

/* Capability ids (PCI Local Bus spec, appendix H). */
#define PCI_CAP_MSI         0x05
#define PCI_CAP_VENDOR      0x09        /* virtio-pci uses these */
#define PCI_CAP_PCIE        0x10
#define PCI_CAP_MSIX        0x11

#define PCI_CLASS_BRIDGE    0x06
#define PCI_SUBCLASS_HOST   0x00
#define PCI_SUBCLASS_PCI    0x04

#define PCI_MAX_BARS        6

struct pci_bar {
	uint64_t base;                  /* physical (memory) or port (I/O) */
	uint64_t size;                  /* 0: BAR unused */
	bool io;
	bool is64;                      /* took this and the next BAR slot */
	bool prefetchable;
};

struct pci_driver;

/*
 * One function found at boot. Allocated by pci_init(), never freed (no
 * hotplug yet); everything above `driver` is immutable after pci_init().
 */
struct pci_device {
	struct list_head node;          /* in the global device list */
	uint16_t segment;
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;            /* 0 device, 1 PCI bridge, 2 CardBus */
	uint8_t irq_line, irq_pin;      /* pin: 0 none, 1-4 INTA-INTD */
	uint8_t secondary_bus;          /* bridges */
	struct pci_bar bars[PCI_MAX_BARS];
	/* Capability offsets in config space, 0 when absent. */
	uint8_t msi_cap, msix_cap, pcie_cap;
	/* The mapped MSI-X table once pci_request_msi() enabled it (msi.c). */
	volatile uint8_t *msix_table;

	/* Protected by the driver-list lock (driver.c). */
	const struct pci_driver *driver;
	void *driver_data;
};

#define PCI_ANY_ID 0xffff

/* Matches when vendor and device match (or are PCI_ANY_ID) and the 24-bit
 * class code (class << 16 | subclass << 8 | prog_if) agrees under
 * class_mask. A table ends with an all-zero entry. */
struct pci_device_id {
	uint16_t vendor, device;
	uint32_t class, class_mask;
};

struct pci_driver {
	const char *name;
	const struct pci_device_id *ids;
	/* Called once per matching device, without locks held; nonzero
	 * (-errno) means "not mine", and the device stays free. */
	int (*probe)(struct pci_device *dev, const struct pci_device_id *id);
	struct list_head node;          /* driver.c's list */
};

/* Enumerate every bus and bind drivers registered so far. Call after
 * acpi_init() (for MCFG) and slab_init(). */
int pci_init(void);

/* Add a driver and probe the devices it matches (now, or at pci_init()). */
int pci_register_driver(struct pci_driver *drv);

/* The devices, in bus order. Stable after pci_init(); not for use before. */
struct list_head *pci_devices(void);
#define pci_for_each_device(d) list_for_each_entry(d, pci_devices(), node)
struct pci_device *pci_find_device(uint16_t vendor, uint16_t device, unsigned n);
struct pci_device *pci_get_slot(uint16_t segment, uint8_t bus, uint8_t dev, uint8_t fn);

/* Raw config access: ECAM where the MCFG covers the bus, else (segment 0,
 * offsets < 256) the legacy ports. Reads of unreachable addresses return
 * all ones, writes to them are dropped. Offsets must be size-aligned. */
uint32_t pci_cfg_read(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn,
		      uint16_t off, unsigned size);
void pci_cfg_write(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn,
		   uint16_t off, unsigned size, uint32_t val);
/* Use ECAM for the MCFG's segments from now on (pci_init() calls it). */
void pci_cfg_init(void);
bool pci_cfg_has_ecam(void);

uint8_t pci_read_config8(const struct pci_device *d, uint16_t off);
uint16_t pci_read_config16(const struct pci_device *d, uint16_t off);
uint32_t pci_read_config32(const struct pci_device *d, uint16_t off);
void pci_write_config8(const struct pci_device *d, uint16_t off, uint8_t val);
void pci_write_config16(const struct pci_device *d, uint16_t off, uint16_t val);
void pci_write_config32(const struct pci_device *d, uint16_t off, uint32_t val);

/* Turn on memory and I/O decoding for the BARs the device has. */
void pci_enable_device(struct pci_device *d);
void pci_enable_bus_master(struct pci_device *d);
/* Offset of the first capability with this id, 0 if none; the _next form
 * continues after offset `after` (virtio has several vendor capabilities). */
uint8_t pci_find_capability(const struct pci_device *d, uint8_t cap_id);
uint8_t pci_find_next_capability(const struct pci_device *d, uint8_t after, uint8_t cap_id);

/* ---- message-signalled interrupts (msi.c) ---------------------------- */

/* Route interrupt `entry` of the device (an MSI-X table entry; with plain
 * MSI only entry 0 exists) to handler, run in interrupt context on the
 * calling CPU. The first call switches the device to MSI-X when it has the
 * capability (else to MSI) and turns legacy INTx off; entries not routed
 * stay masked. 0 or -errno (-ENODEV: neither capability, -EINVAL: no such
 * entry). Call from the driver's probe, not from interrupt context. */
int pci_request_msi(struct pci_device *d, unsigned entry,
		    void (*handler)(void *data), void *data);
/* How many entries pci_request_msi() accepts (0: no MSI at all). */
unsigned pci_msi_count(const struct pci_device *d);
/* Map the memory BAR bar (ioremap), NULL if absent or an I/O BAR. */
void *pci_map_bar(const struct pci_device *d, unsigned bar);
