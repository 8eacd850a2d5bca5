/*
 * virtio over PCI (virtio 1.2 spec, OASIS, section 4.1 "Virtio Over PCI
 * Bus"; 2.7 "Split Virtqueues"). The modern (1.x) transport is used when
 * the device has its vendor capabilities (common, notify, ISR, device
 * config; VIRTIO_F_VERSION_1 required); a transitional device without
 * them is driven through the legacy I/O BAR. Queues interrupt through
 * MSI-X (or MSI).
 *
 *   virtio_pci.c     capability walk, status/feature handshake, queue setup
 *   virtio_legacy.c  the same steps on the legacy register block
 *   virtqueue.c      split rings: add a buffer chain, kick, reap used entries
 *
 * Locking: a struct virtio_pci is set up and used by its driver's probe
 * alone; a struct virtqueue is protected by its own spinlock (taken with
 * interrupts off, the interrupt handler reaps under it).
 */
#pragma once

#include <drivers/pci/pci.h>
#include <kernel/spinlock.h>
#include <kernel/types.h>

#define VIRTIO_PCI_VENDOR          0x1af4
/* Transitional ids are 0x1000 + (type - 1)... modern ids 0x1040 + type. */
#define VIRTIO_PCI_MODERN_BASE     0x1040
#define VIRTIO_ID_BLOCK            2
#define VIRTIO_PCI_TRANS_BLOCK     0x1001

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE  1
#define VIRTIO_STATUS_DRIVER       2
#define VIRTIO_STATUS_DRIVER_OK    4
#define VIRTIO_STATUS_FEATURES_OK  8
#define VIRTIO_STATUS_NEEDS_RESET  64
#define VIRTIO_STATUS_FAILED       128

/* Reserved feature bits (6). */
#define VIRTIO_F_VERSION_1         32

/* ---- split virtqueue layout (2.7) --------------------------------------- */

struct vring_desc {
	uint64_t addr;                  /* guest-physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VRING_DESC_F_NEXT          1
#define VRING_DESC_F_WRITE         2    /* device writes (else reads) */

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];                /* then le16 used_event */
};

struct vring_used_elem {
	uint32_t id;                    /* head of the chain */
	uint32_t len;                   /* bytes written into the chain */
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];  /* then le16 avail_event */
};

_Static_assert(sizeof(struct vring_desc) == 16, "virtio 1.2, 2.7.5");
_Static_assert(sizeof(struct vring_avail) == 4, "virtio 1.2, 2.7.6");
_Static_assert(sizeof(struct vring_used_elem) == 8, "virtio 1.2, 2.7.8");
_Static_assert(sizeof(struct vring_used) == 4, "virtio 1.2, 2.7.8");

/* The largest queue we set up: each ring then fits in one page. */
#define VIRTQ_MAX_SIZE 256

struct virtqueue {
	/* Immutable after virtio_setup_queue(). */
	uint16_t index, size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	volatile uint16_t *notify;      /* write the queue index here to kick */
	uint16_t notify_port;           /* legacy: the I/O port instead */

	/* Protected by lock (irqsave). */
	struct spinlock lock;
	uint16_t free_head, num_free;   /* free descriptors, linked by .next */
	uint16_t last_used;             /* used->idx we have consumed up to */
	void *cookie[VIRTQ_MAX_SIZE];   /* per chain head: the caller's token */
};

/* One element of a chain for virtq_add: a physically contiguous buffer. */
struct virtq_buf {
	void *addr;                     /* kernel direct-map address */
	uint32_t len;
	bool device_writes;
};

/* ---- PCI transport ------------------------------------------------------ */

struct virtio_pci {
	struct pci_device *pci;
	volatile uint8_t *common;       /* struct virtio_pci_common_cfg */
	volatile uint8_t *notify_base;
	uint32_t notify_mult;
	volatile uint8_t *isr;
	volatile uint8_t *device;       /* device-specific config, may be NULL */
	uint64_t features;              /* negotiated */
	bool legacy;                    /* the I/O-port transport at io_base */
	uint16_t io_base;
};

/* Find and map the capabilities (else fall back to the legacy I/O BAR of a
 * transitional device), reset the device and set ACKNOWLEDGE and DRIVER.
 * 0, -ENODEV (no usable transport), -ETIMEDOUT (reset never finished) or
 * -ENOMEM. */
int virtio_pci_init(struct virtio_pci *vp, struct pci_device *pci);
/* Offer `wanted` & what the device has (modern: VERSION_1 is always added
 * and required, then FEATURES_OK is set and checked; legacy: bits 0-31). */
int virtio_negotiate(struct virtio_pci *vp, uint64_t wanted);
static inline bool virtio_has(const struct virtio_pci *vp, unsigned bit)
{
	return vp->features & (1ull << bit);
}
/* Set up queue index (size min(device max, VIRTQ_MAX_SIZE)) with its
 * interrupts on MSI-X table entry msix_entry, or VIRTIO_NO_VECTOR for a
 * device without MSI-X that interrupts by INTx (see virtio_read_isr). */
#define VIRTIO_NO_VECTOR 0xffff
int virtio_setup_queue(struct virtio_pci *vp, struct virtqueue *vq, uint16_t index,
		       uint16_t msix_entry);
void virtio_driver_ok(struct virtio_pci *vp);
/* Read (and so clear) the ISR status (4.1.4.5): bit 0 a queue interrupt,
 * bit 1 a configuration change. The read deasserts INTx. */
uint8_t virtio_read_isr(struct virtio_pci *vp);
/* Mark the device FAILED (after an error during setup). */
void virtio_fail(struct virtio_pci *vp);

/* Device-specific configuration reads, retried until config_generation is
 * stable so that multi-field reads are consistent. */
uint32_t virtio_cfg_read32(struct virtio_pci *vp, unsigned off);
uint64_t virtio_cfg_read64(struct virtio_pci *vp, unsigned off);

/* ---- virtqueue (virtqueue.c) -------------------------------------------- */

void virtq_init(struct virtqueue *vq);  /* after the rings are allocated */
/* Add a chain of n buffers (the device-readable ones first) with cookie,
 * make it available and notify the device. -ENOSPC if fewer than n
 * descriptors are free (the caller waits for completions and retries). */
int virtq_submit(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned n, void *cookie);
/* Take one completed chain: its cookie (NULL when none is pending) and the
 * bytes the device wrote (*len). Frees its descriptors. */
void *virtq_get_used(struct virtqueue *vq, uint32_t *len);
