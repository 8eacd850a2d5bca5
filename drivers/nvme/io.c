/*
 * The I/O queue pair (queue id 1) and the block operations of NVMe
 * namespaces: read/write with PRPs built from a physically contiguous
 * buffer, flush when the controller has a volatile write cache. The
 * completion queue interrupts through MSI-X (entry 1 when the device has
 * two, else entry 0).
 *
 * Locking: c->io_lock (irqsave) protects inflight[], the SQ tail and the
 * CQ head/phase; bios are completed after dropping it.
 */
#include <drivers/nvme/nvme.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/phys.h>
#include <asm/io.h>

#define IO_QID        1
#define IO_QUEUE_SIZE 64                /* 64 x 64-byte SQEs: one page */
#define PAGE_MASK_4K  4095ull

static void nvme_irq(void *data)
{
	struct nvme_ctrl *c = data;
	struct bio *done[NVME_IO_SLOTS];
	int status[NVME_IO_SLOTS];
	unsigned n = 0;
	unsigned long flags = spin_lock_irqsave(&c->io_lock);
	volatile struct nvme_cqe *cq = c->iocq.entries;

	while ((READ_ONCE(cq[c->iocq.pos].status) & NVME_CQE_PHASE) == c->iocq.phase) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		volatile struct nvme_cqe *e = &cq[c->iocq.pos];
		uint16_t cid = e->cid;

		if (cid < c->nr_slots && c->inflight[cid] && n < NVME_IO_SLOTS) {
			done[n] = c->inflight[cid];
			status[n++] = NVME_CQE_STATUS(e->status) ? -EIO : 0;
			c->inflight[cid] = NULL;
		}
		if (++c->iocq.pos == c->iocq.size) {
			c->iocq.pos = 0;
			c->iocq.phase ^= 1;
		}
	}
	mmio_write32(c->iocq.doorbell, c->iocq.pos);
	spin_unlock_irqrestore(&c->io_lock, flags);
	for (unsigned i = 0; i < n; i++)
		bio_complete(done[i], status[i]);
	if (n)
		wait_queue_wake_all(&c->slot_wait);
}

int nvme_setup_io_queues(struct nvme_ctrl *c)
{
	unsigned entry = pci_msi_count(c->pci) >= 2 ? 1 : 0;
	uint16_t size = IO_QUEUE_SIZE;
	int err;

	uint32_t mqes = (uint32_t)(mmio_read32(c->regs + NVME_REG_CAP) & 0xffff) + 1;
	if (mqes < size)
		size = (uint16_t)mqes;
	c->nr_slots = size - 1 < NVME_IO_SLOTS ? size - 1 : NVME_IO_SLOTS;
	for (unsigned i = 0; i < c->nr_slots; i++)
		if (!(c->prp_list[i] = nvme_alloc_page()))
			return -ENOMEM;
	if ((err = pci_request_msi(c->pci, entry, nvme_irq, c)))
		return err;
	if (nvme_init_queue(&c->iosq, size, nvme_doorbell(c, IO_QID, false)) ||
	    nvme_init_queue(&c->iocq, size, nvme_doorbell(c, IO_QID, true)))
		return -ENOMEM;

	/* One submission and one completion queue (0-based counts). */
	struct nvme_sqe feat = { .opcode = NVME_ADMIN_SET_FEATURES,
				 .cdw10 = NVME_FEAT_NUM_QUEUES, .cdw11 = 0 };
	struct nvme_sqe ccq = { .opcode = NVME_ADMIN_CREATE_CQ,
				.prp1 = virt_to_phys(c->iocq.entries),
				.cdw10 = (uint32_t)(size - 1) << 16 | IO_QID,
				.cdw11 = entry << 16 | 1u << 1 | 1u };  /* IV, IEN, PC */
	struct nvme_sqe csq = { .opcode = NVME_ADMIN_CREATE_SQ,
				.prp1 = virt_to_phys(c->iosq.entries),
				.cdw10 = (uint32_t)(size - 1) << 16 | IO_QID,
				.cdw11 = (uint32_t)IO_QID << 16 | 1u };    /* CQID, PC */
	if ((err = nvme_admin(c, &feat, NULL)) || (err = nvme_admin(c, &ccq, NULL)) ||
	    (err = nvme_admin(c, &csq, NULL)))
		return err;
	return 0;
}

/* A free command slot (its index is the command id) for bio, or -1. */
static int claim_slot(struct nvme_ctrl *c, struct bio *bio)
{
	unsigned long flags = spin_lock_irqsave(&c->io_lock);
	int slot = -1;

	for (unsigned i = 0; i < c->nr_slots; i++) {
		if (!c->inflight[i]) {
			c->inflight[i] = bio;
			slot = (int)i;
			break;
		}
	}
	spin_unlock_irqrestore(&c->io_lock, flags);
	return slot;
}

/* PRP1/PRP2 for a physically contiguous buffer (1.4, 4.3): the first
 * entry may start inside a page, the others are whole pages; past two
 * pages PRP2 points at a list of them. */
static void build_prps(struct nvme_sqe *cmd, uint64_t *list, const void *buf, uint32_t len)
{
	uint64_t pa = virt_to_phys(buf);
	uint64_t first_page = pa & ~PAGE_MASK_4K;
	uint64_t pages = ((pa & PAGE_MASK_4K) + len + PAGE_MASK_4K) >> 12;

	cmd->prp1 = pa;
	if (pages == 2) {
		cmd->prp2 = first_page + 4096;
	} else if (pages > 2) {
		for (uint64_t i = 1; i < pages; i++)
			list[i - 1] = first_page + 4096 * i;
		cmd->prp2 = virt_to_phys(list);
	}
}

static int nvme_submit(struct block_device *disk, struct bio *bio)
{
	struct nvme_ns *ns = disk->driver_data;
	struct nvme_ctrl *c = ns->ctrl;
	struct nvme_sqe cmd = { .nsid = ns->nsid };
	unsigned long flags;
	int slot;

	if (bio->op == BIO_FLUSH && !c->volatile_cache) {
		bio_complete(bio, 0);   /* nothing volatile to flush */
		return 0;
	}
	wait_event(&c->slot_wait, (slot = claim_slot(c, bio)) >= 0);
	cmd.cid = (uint16_t)slot;
	if (bio->op == BIO_FLUSH) {
		cmd.opcode = NVME_CMD_FLUSH;
	} else {
		uint64_t slba = bio->sector >> (ns->lba_shift - SECTOR_SHIFT);
		cmd.opcode = bio->op == BIO_READ ? NVME_CMD_READ : NVME_CMD_WRITE;
		cmd.cdw10 = (uint32_t)slba;
		cmd.cdw11 = (uint32_t)(slba >> 32);
		cmd.cdw12 = (bio->len >> ns->lba_shift) - 1;    /* 0-based count */
		build_prps(&cmd, c->prp_list[slot], bio->buf, bio->len);
	}
	flags = spin_lock_irqsave(&c->io_lock);
	((struct nvme_sqe *)c->iosq.entries)[c->iosq.pos] = cmd;
	c->iosq.pos = (uint16_t)((c->iosq.pos + 1) % c->iosq.size);
	/* The entry must be in memory before the doorbell write. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mmio_write32(c->iosq.doorbell, c->iosq.pos);
	spin_unlock_irqrestore(&c->io_lock, flags);
	return 0;
}

const struct block_ops nvme_block_ops = {
	.submit = nvme_submit,
};
