/*
 * The legacy virtio PCI transport (virtio 1.2, 4.1.4.8 and 2.7.2 "Legacy
 * Interfaces"): registers in I/O BAR 0, 32 feature bits, no FEATURES_OK,
 * and each queue in one physically contiguous block whose used ring starts
 * on the next 4096-byte boundary, given to the device by page number. The
 * queue size is the device's; it cannot be reduced.
 *
 * Locking: none; only the driver's probe calls these (virtio_pci.c).
 */
#include <drivers/virtio/internal.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <asm/io.h>

/* Legacy register block (4.1.4.8). */
#define LEG_DEVICE_FEATURES 0x00
#define LEG_DRIVER_FEATURES 0x04
#define LEG_QUEUE_PFN       0x08
#define LEG_QUEUE_SIZE      0x0c
#define LEG_QUEUE_SELECT    0x0e
#define LEG_QUEUE_NOTIFY    0x10
#define LEG_STATUS          0x12
#define LEG_ISR             0x13
#define LEG_CONFIG_VECTOR   0x14        /* only while MSI-X is enabled */
#define LEG_QUEUE_VECTOR    0x16
#define LEG_CONFIG_MSIX     0x18        /* device config with MSI-X on */
#define LEG_CONFIG_NO_MSIX  0x14
#define LEG_ALIGN           4096
#define NO_VECTOR           0xffff

static uint16_t port(struct virtio_pci *vp, unsigned off)
{
	return (uint16_t)(vp->io_base + off);
}

int virtio_legacy_init(struct virtio_pci *vp)
{
	const struct pci_bar *bar = &vp->pci->bars[0];

	if (!bar->io || bar->size < LEG_CONFIG_MSIX)
		return -ENODEV;
	vp->legacy = true;
	vp->io_base = (uint16_t)bar->base;
	outb(port(vp, LEG_STATUS), 0);          /* reset */
	virtio_legacy_add_status(vp, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_legacy_add_status(vp, VIRTIO_STATUS_DRIVER);
	return 0;
}

void virtio_legacy_add_status(struct virtio_pci *vp, uint8_t bits)
{
	outb(port(vp, LEG_STATUS), inb(port(vp, LEG_STATUS)) | bits);
}

int virtio_legacy_negotiate(struct virtio_pci *vp, uint64_t wanted)
{
	uint32_t f = inl(port(vp, LEG_DEVICE_FEATURES)) & (uint32_t)wanted;

	outl(port(vp, LEG_DRIVER_FEATURES), f);
	vp->features = f;
	return 0;
}

/* Bytes of a legacy ring of size n (2.7.2): descriptors and the available
 * ring, then the used ring on the next LEG_ALIGN boundary. */
static size_t ring_bytes(uint16_t n, size_t *used_off)
{
	size_t head = 16u * n + 6 + 2u * n;

	*used_off = (head + LEG_ALIGN - 1) & ~(size_t)(LEG_ALIGN - 1);
	return *used_off + 6 + 8u * n;
}

int virtio_legacy_setup_queue(struct virtio_pci *vp, struct virtqueue *vq, uint16_t index,
			      uint16_t msix_entry)
{
	size_t used_off, bytes;
	unsigned order = 0;
	uint16_t size;
	struct page *pg;

	outw(port(vp, LEG_QUEUE_SELECT), index);
	size = inw(port(vp, LEG_QUEUE_SIZE));
	if (size == 0 || size > VIRTQ_MAX_SIZE || inl(port(vp, LEG_QUEUE_PFN)))
		return -ENODEV;         /* absent, too big for us, or in use */
	bytes = ring_bytes(size, &used_off);
	while ((4096ul << order) < bytes)
		order++;
	if (!(pg = pmm_alloc_pages(order)))
		return -ENOMEM;
	uint8_t *mem = page_address(pg);
	memset(mem, 0, 4096ul << order);
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->size = size;
	vq->desc = (struct vring_desc *)mem;
	vq->avail = (struct vring_avail *)(mem + 16u * size);
	vq->used = (struct vring_used *)(mem + used_off);
	vq->notify_port = port(vp, LEG_QUEUE_NOTIFY);
	virtq_init(vq);
	/* The vector register exists only while MSI-X is on. */
	if (msix_entry != VIRTIO_NO_VECTOR) {
		outw(port(vp, LEG_QUEUE_VECTOR), msix_entry);
		if (inw(port(vp, LEG_QUEUE_VECTOR)) == NO_VECTOR)
			return -ENOSPC;
	}
	outl(port(vp, LEG_QUEUE_PFN), (uint32_t)(virt_to_phys(mem) >> 12));
	return 0;
}

uint8_t virtio_legacy_read_isr(struct virtio_pci *vp)
{
	return inb(port(vp, LEG_ISR));
}

/* With MSI-X on, the config vector sits before the device config. */
uint32_t virtio_legacy_cfg_read32(struct virtio_pci *vp, unsigned off)
{
	unsigned base = vp->pci->msix_table ? LEG_CONFIG_MSIX : LEG_CONFIG_NO_MSIX;
	return inl(port(vp, base + off));
}
