/*
 * virtio block device (virtio 1.2, 5.2) on the PCI transport: one request
 * queue, interrupts by MSI-X, several requests in flight. A request is a
 * descriptor chain: header (device reads), data (device reads for a write,
 * writes for a read), status byte (device writes).
 *
 * Locking: vblk->lock (irqsave) protects the request slots; the virtqueue
 * has its own lock (taken inside vblk->lock, never the other way round).
 * Submitters waiting for a slot sleep on vblk->slot_wait.
 */
#include <drivers/block/blkdev.h>
#include <drivers/virtio/virtio.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/slab.h>

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX  1
#define VIRTIO_BLK_F_RO        5
#define VIRTIO_BLK_F_BLK_SIZE  6
#define VIRTIO_BLK_F_FLUSH     9

/* struct virtio_blk_config (5.2.4). */
#define VIRTIO_BLK_CFG_CAPACITY 0
#define VIRTIO_BLK_CFG_SIZE_MAX 8
#define VIRTIO_BLK_CFG_BLK_SIZE 20

/* Request types and status (5.2.6). */
#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_S_OK     0

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;                /* 512-byte units, whatever blk_size */
};
_Static_assert(sizeof(struct virtio_blk_req_hdr) == 16, "virtio 1.2, 5.2.6");

/* The device-visible part of a request slot, in one DMA page. */
struct vblk_slot {
	struct virtio_blk_req_hdr hdr;
	uint8_t status;
	uint8_t pad[15];
};
_Static_assert(sizeof(struct vblk_slot) == 32, "slot packing");

#define VBLK_SLOTS 64                   /* in flight; 3 descriptors each */
_Static_assert(VBLK_SLOTS * sizeof(struct vblk_slot) <= 4096, "slots in one page");
_Static_assert(VBLK_SLOTS * 3 <= VIRTQ_MAX_SIZE, "descriptors for every slot");

struct vblk {
	struct block_device disk;
	struct virtio_pci vp;
	struct virtqueue vq;
	struct vblk_slot *slots;        /* DMA page */
	bool has_flush;

	/* Protected by lock. */
	struct spinlock lock;
	struct bio *inflight[VBLK_SLOTS];  /* NULL: slot free */
	unsigned nr_slots;                 /* usable: fewer if the queue is short */
	struct wait_queue slot_wait;
};

/* A free slot claimed for bio, or -1. */
static int claim_slot(struct vblk *v, struct bio *bio)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	int slot = -1;

	for (unsigned i = 0; i < v->nr_slots; i++) {
		if (!v->inflight[i]) {
			v->inflight[i] = bio;
			slot = (int)i;
			break;
		}
	}
	spin_unlock_irqrestore(&v->lock, flags);
	return slot;
}

/* Free slot and return the bio it carried. */
static struct bio *release_slot(struct vblk *v, unsigned slot)
{
	unsigned long flags = spin_lock_irqsave(&v->lock);
	struct bio *bio = v->inflight[slot];

	v->inflight[slot] = NULL;
	spin_unlock_irqrestore(&v->lock, flags);
	wait_queue_wake_all(&v->slot_wait);
	return bio;
}

static int vblk_submit(struct block_device *disk, struct bio *bio)
{
	struct vblk *v = disk->driver_data;
	struct virtq_buf bufs[3];
	unsigned n = 0;
	int slot, err;

	if (bio->op == BIO_FLUSH && !v->has_flush) {
		bio_complete(bio, 0);   /* no volatile cache to flush */
		return 0;
	}
	wait_event(&v->slot_wait, (slot = claim_slot(v, bio)) >= 0);
	struct vblk_slot *s = &v->slots[slot];
	s->hdr = (struct virtio_blk_req_hdr){
		.type = bio->op == BIO_READ ? VIRTIO_BLK_T_IN :
			bio->op == BIO_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH,
		.sector = bio->op == BIO_FLUSH ? 0 : bio->sector,
	};
	s->status = 0xff;
	bufs[n++] = (struct virtq_buf){ &s->hdr, sizeof(s->hdr), false };
	if (bio->op != BIO_FLUSH)
		bufs[n++] = (struct virtq_buf){ bio->buf, bio->len, bio->op == BIO_READ };
	bufs[n++] = (struct virtq_buf){ &s->status, 1, true };
	/* Every slot has its 3 descriptors, so the ring cannot be full. */
	err = virtq_submit(&v->vq, bufs, n, (void *)(uintptr_t)(slot + 1));
	if (err)
		release_slot(v, (unsigned)slot);
	return err;
}

static void vblk_irq(void *data)
{
	struct vblk *v = data;
	uint32_t len;
	void *cookie;

	while ((cookie = virtq_get_used(&v->vq, &len)) != NULL) {
		unsigned slot = (unsigned)(uintptr_t)cookie - 1;
		int status = READ_ONCE(v->slots[slot].status);
		struct bio *bio = release_slot(v, slot);

		if (bio)
			bio_complete(bio, status == VIRTIO_BLK_S_OK ? 0 : -EIO);
	}
}

static const struct block_ops vblk_ops = {
	.submit = vblk_submit,
};

static int vblk_setup(struct vblk *v, struct pci_device *pci)
{
	int err;

	if ((err = virtio_pci_init(&v->vp, pci)))
		return err;
	if (!v->vp.legacy && !v->vp.device)
		return -ENODEV;
	if ((err = virtio_negotiate(&v->vp, 1ull << VIRTIO_BLK_F_FLUSH |
				    1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_SIZE_MAX |
				    1ull << VIRTIO_BLK_F_RO)))
		return err;
	v->has_flush = virtio_has(&v->vp, VIRTIO_BLK_F_FLUSH);
	v->disk.read_only = virtio_has(&v->vp, VIRTIO_BLK_F_RO);
	if ((err = pci_request_msi(pci, 0, vblk_irq, v)))
		return err;
	if ((err = virtio_setup_queue(&v->vp, &v->vq, 0, 0)))
		return err;
	v->nr_slots = v->vq.size / 3 < VBLK_SLOTS ? v->vq.size / 3 : VBLK_SLOTS;
	if (v->nr_slots == 0)
		return -ENODEV;
	phys_addr_t pa = pmm_alloc_zeroed_frame();
	if (!pa)
		return -ENOMEM;
	v->slots = phys_to_virt(pa);
	v->disk.nr_sectors = virtio_cfg_read64(&v->vp, VIRTIO_BLK_CFG_CAPACITY);
	v->disk.block_size = SECTOR_SIZE;
	if (virtio_has(&v->vp, VIRTIO_BLK_F_BLK_SIZE)) {
		uint32_t bs = virtio_cfg_read32(&v->vp, VIRTIO_BLK_CFG_BLK_SIZE);
		if (bs >= SECTOR_SIZE && bs <= 4096 && !(bs & (bs - 1)))
			v->disk.block_size = bs;
	}
	/* Our data is one segment: at most size_max bytes per request. */
	if (virtio_has(&v->vp, VIRTIO_BLK_F_SIZE_MAX)) {
		uint32_t max = virtio_cfg_read32(&v->vp, VIRTIO_BLK_CFG_SIZE_MAX);
		max -= max % v->disk.block_size;
		v->disk.max_transfer = max ? max : v->disk.block_size;
	}
	virtio_driver_ok(&v->vp);
	return 0;
}

static int vblk_probe(struct pci_device *pci, const struct pci_device_id *id)
{
	struct vblk *v = kzalloc(sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	spin_lock_init(&v->lock, "virtio_blk");
	wait_queue_init(&v->slot_wait);
	if ((err = vblk_setup(v, pci))) {
		/* Interrupt and ring memory set up so far stay allocated: the
		 * device may still point at them until reset. */
		if (v->vp.common || v->vp.legacy)
			virtio_fail(&v->vp);
		pr_warn("virtio-blk %02x:%02x.%u: setup failed: %d\n", pci->bus, pci->dev,
			pci->fn, err);
		return err;
	}
	bdev_next_name("vd", v->disk.name);
	pr_info("virtio-blk %s: %s transport, %u-entry queue, %s\n", v->disk.name,
		v->vp.legacy ? "legacy" : "modern", v->vq.size,
		v->has_flush ? "write cache flushed on sync" : "no flush");
	v->disk.ops = &vblk_ops;
	v->disk.driver_data = v;
	pci->driver_data = v;
	return bdev_register_disk(&v->disk);
}

static const struct pci_device_id vblk_ids[] = {
	{ VIRTIO_PCI_VENDOR, VIRTIO_PCI_TRANS_BLOCK, 0, 0 },
	{ VIRTIO_PCI_VENDOR, VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_BLOCK, 0, 0 },
	{ 0 },
};

static struct pci_driver vblk_driver = {
	.name = "virtio-blk",
	.ids = vblk_ids,
	.probe = vblk_probe,
};

void virtio_blk_init(void)
{
	pci_register_driver(&vblk_driver);
}
