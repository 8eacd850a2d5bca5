/*
 * The virtio 1.x PCI transport (virtio 1.2, 4.1.4): vendor capabilities
 * point into memory BARs at the common configuration, the notification
 * area, the ISR byte and the device-specific configuration. Setup follows
 * the driver initialization sequence of 3.1.1.
 *
 * Locking: none; only the driver's probe touches a struct virtio_pci.
 */
#include <drivers/virtio/internal.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/vmap.h>
#include <asm/io.h>

/* struct virtio_pci_cap (4.1.4), in PCI config space. */
#define CAP_CFG_TYPE   3
#define CAP_BAR        4
#define CAP_OFFSET     8
#define CAP_LENGTH     12
#define CAP_NOTIFY_MULT 16              /* virtio_pci_notify_cap only */

#define CFG_COMMON     1
#define CFG_NOTIFY     2
#define CFG_ISR        3
#define CFG_DEVICE     4

/* struct virtio_pci_common_cfg (4.1.4.3), as offsets into the mapping. */
struct virtio_pci_common_cfg {
	uint32_t device_feature_select;
	uint32_t device_feature;
	uint32_t driver_feature_select;
	uint32_t driver_feature;
	uint16_t config_msix_vector;
	uint16_t num_queues;
	uint8_t device_status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t queue_size;
	uint16_t queue_msix_vector;
	uint16_t queue_enable;
	uint16_t queue_notify_off;
	uint64_t queue_desc;
	uint64_t queue_driver;
	uint64_t queue_device;
};
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 56, "virtio 1.2, 4.1.4.3");
#define COMMON(f) offsetof(struct virtio_pci_common_cfg, f)
_Static_assert(COMMON(device_status) == 20 && COMMON(queue_select) == 22 &&
	       COMMON(queue_desc) == 32, "virtio 1.2, 4.1.4.3");

#define VIRTIO_MSI_NO_VECTOR 0xffff
#define RESET_TIMEOUT_NS     (NSEC_PER_SEC)

static volatile uint8_t *map_cap(struct pci_device *pci, uint8_t cap, uint32_t min_len)
{
	uint8_t bar = pci_read_config8(pci, cap + CAP_BAR);
	uint32_t off = pci_read_config32(pci, cap + CAP_OFFSET);
	uint32_t len = pci_read_config32(pci, cap + CAP_LENGTH);

	if (bar >= PCI_MAX_BARS || pci->bars[bar].io || len < min_len ||
	    (uint64_t)off + len > pci->bars[bar].size)
		return NULL;
	return ioremap(pci->bars[bar].base + off, len);
}

/* Map each capability type's first usable instance (4.1.4.1: the driver
 * should use the first one it can). */
static int find_caps(struct virtio_pci *vp)
{
	struct pci_device *pci = vp->pci;

	for (uint8_t cap = pci_find_capability(pci, PCI_CAP_VENDOR); cap;
	     cap = pci_find_next_capability(pci, cap, PCI_CAP_VENDOR)) {
		switch (pci_read_config8(pci, cap + CAP_CFG_TYPE)) {
		case CFG_COMMON:
			if (!vp->common)
				vp->common = map_cap(pci, cap, sizeof(struct virtio_pci_common_cfg));
			break;
		case CFG_NOTIFY:
			if (!vp->notify_base) {
				vp->notify_base = map_cap(pci, cap, 2);
				vp->notify_mult = pci_read_config32(pci, cap + CAP_NOTIFY_MULT);
			}
			break;
		case CFG_ISR:
			if (!vp->isr)
				vp->isr = map_cap(pci, cap, 1);
			break;
		case CFG_DEVICE:
			if (!vp->device)
				vp->device = map_cap(pci, cap, 4);
			break;
		}
	}
	return vp->common && vp->notify_base && vp->isr ? 0 : -ENODEV;
}

static uint8_t get_status(struct virtio_pci *vp)
{
	return mmio_read8(vp->common + COMMON(device_status));
}

static void add_status(struct virtio_pci *vp, uint8_t bits)
{
	if (vp->legacy)
		return virtio_legacy_add_status(vp, bits);
	mmio_write8(vp->common + COMMON(device_status), get_status(vp) | bits);
}

int virtio_pci_init(struct virtio_pci *vp, struct pci_device *pci)
{
	memset(vp, 0, sizeof(*vp));
	vp->pci = pci;
	pci_enable_device(pci);
	pci_enable_bus_master(pci);
	if (find_caps(vp))
		return virtio_legacy_init(vp);
	/* Reset, and wait for the device to finish resetting (4.1.4.3.2). */
	uint64_t end = time_ns() + RESET_TIMEOUT_NS;
	mmio_write8(vp->common + COMMON(device_status), 0);
	while (get_status(vp) != 0) {
		if (time_ns() > end)
			return -ETIMEDOUT;
		__builtin_ia32_pause();
	}
	add_status(vp, VIRTIO_STATUS_ACKNOWLEDGE);
	add_status(vp, VIRTIO_STATUS_DRIVER);
	return 0;
}

static uint64_t device_features(struct virtio_pci *vp)
{
	uint64_t f = 0;
	for (uint32_t sel = 0; sel < 2; sel++) {
		mmio_write32(vp->common + COMMON(device_feature_select), sel);
		f |= (uint64_t)mmio_read32(vp->common + COMMON(device_feature)) << (32 * sel);
	}
	return f;
}

int virtio_negotiate(struct virtio_pci *vp, uint64_t wanted)
{
	if (vp->legacy)
		return virtio_legacy_negotiate(vp, wanted);
	uint64_t f = device_features(vp) & (wanted | 1ull << VIRTIO_F_VERSION_1);

	if (!(f & 1ull << VIRTIO_F_VERSION_1))
		return -ENODEV;
	for (uint32_t sel = 0; sel < 2; sel++) {
		mmio_write32(vp->common + COMMON(driver_feature_select), sel);
		mmio_write32(vp->common + COMMON(driver_feature), (uint32_t)(f >> (32 * sel)));
	}
	add_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(get_status(vp) & VIRTIO_STATUS_FEATURES_OK))
		return -ENODEV;
	vp->features = f;
	return 0;
}

/* 64-bit fields as two 32-bit halves, low first (4.1.3.1). */
static void write64(volatile uint8_t *p, uint64_t v)
{
	mmio_write32(p, (uint32_t)v);
	mmio_write32(p + 4, (uint32_t)(v >> 32));
}

static void *alloc_ring_page(void)
{
	phys_addr_t pa = pmm_alloc_zeroed_frame();
	return pa ? phys_to_virt(pa) : NULL;
}

int virtio_setup_queue(struct virtio_pci *vp, struct virtqueue *vq, uint16_t index,
		       uint16_t msix_entry)
{
	volatile uint8_t *c = vp->common;
	uint16_t size;

	if (vp->legacy)
		return virtio_legacy_setup_queue(vp, vq, index, msix_entry);
	if (index >= mmio_read16(c + COMMON(num_queues)))
		return -ENODEV;
	mmio_write16(c + COMMON(queue_select), index);
	size = mmio_read16(c + COMMON(queue_size));
	if (size == 0)
		return -ENODEV;
	if (size > VIRTQ_MAX_SIZE)
		size = VIRTQ_MAX_SIZE;  /* a smaller size is allowed (4.1.4.3.2) */
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->size = size;
	vq->desc = alloc_ring_page();
	vq->avail = alloc_ring_page();
	vq->used = alloc_ring_page();
	if (!vq->desc || !vq->avail || !vq->used)
		return -ENOMEM;         /* setup failure: the device is abandoned */
	virtq_init(vq);
	mmio_write16(c + COMMON(queue_size), size);
	mmio_write16(c + COMMON(queue_msix_vector), msix_entry);
	if (msix_entry != VIRTIO_NO_VECTOR &&
	    mmio_read16(c + COMMON(queue_msix_vector)) == VIRTIO_MSI_NO_VECTOR)
		return -ENOSPC;         /* the device could not map the vector */
	write64(c + COMMON(queue_desc), virt_to_phys(vq->desc));
	write64(c + COMMON(queue_driver), virt_to_phys(vq->avail));
	write64(c + COMMON(queue_device), virt_to_phys(vq->used));
	vq->notify = (volatile uint16_t *)(vp->notify_base +
		     (uint32_t)mmio_read16(c + COMMON(queue_notify_off)) * vp->notify_mult);
	mmio_write16(c + COMMON(queue_enable), 1);
	return 0;
}

void virtio_driver_ok(struct virtio_pci *vp)
{
	if (!vp->legacy)
		mmio_write16(vp->common + COMMON(config_msix_vector), VIRTIO_MSI_NO_VECTOR);
	add_status(vp, VIRTIO_STATUS_DRIVER_OK);
}

uint8_t virtio_read_isr(struct virtio_pci *vp)
{
	if (vp->legacy)
		return virtio_legacy_read_isr(vp);
	return mmio_read8(vp->isr);
}

void virtio_fail(struct virtio_pci *vp)
{
	add_status(vp, VIRTIO_STATUS_FAILED);
}

static uint8_t generation(struct virtio_pci *vp)
{
	return mmio_read8(vp->common + COMMON(config_generation));
}

uint32_t virtio_cfg_read32(struct virtio_pci *vp, unsigned off)
{
	uint32_t v;
	uint8_t gen;

	if (vp->legacy)
		return virtio_legacy_cfg_read32(vp, off);
	do {
		gen = generation(vp);
		v = mmio_read32(vp->device + off);
	} while (gen != generation(vp));
	return v;
}

uint64_t virtio_cfg_read64(struct virtio_pci *vp, unsigned off)
{
	uint64_t v;
	uint8_t gen;

	/* 64-bit fields are read as two 32-bit halves (4.1.3.1); a legacy
	 * device has no generation count. */
	if (vp->legacy)
		return virtio_legacy_cfg_read32(vp, off) |
		       (uint64_t)virtio_legacy_cfg_read32(vp, off + 4) << 32;
	do {
		gen = generation(vp);
		v = mmio_read32(vp->device + off) | (uint64_t)mmio_read32(vp->device + off + 4) << 32;
	} while (gen != generation(vp));
	return v;
}
