/*
 * The I/O queue pairs (queue ids 1..n) and the block operations of NVMe
 * namespaces: read/write with PRPs built from a physically contiguous
 * buffer, flush when the controller has a volatile write cache. Queue
 * pair i completes through MSI-X entry i (entry 0, the admin queue's,
 * when the device has a single vector); a task submits on the queue of
 * the CPU it runs on (cpu % n).
 *
 * Locking: each nvme_ioq.lock (irqsave) protects its inflight[], SQ tail
 * and CQ head/phase; bios are completed after dropping it.
 */
#include <drivers/nvme/nvme.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/phys.h>
#include <kernel/arch.h>
#include <kernel/task.h>
#include <asm/io.h>

#define IO_QID        1
#define IO_QUEUE_SIZE 64                /* 64 x 64-byte SQEs: one page */
#define PAGE_MASK_4K  4095ull

static void nvme_irq(void *data)
{
	struct nvme_ioq *q = data;
	struct bio *done[NVME_IO_SLOTS];
	int status[NVME_IO_SLOTS];
	unsigned n = 0;
	unsigned long flags = spin_lock_irqsave(&q->lock);
	volatile struct nvme_cqe *cq = q->cq.entries;

	while ((READ_ONCE(cq[q->cq.pos].status) & NVME_CQE_PHASE) == q->cq.phase) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		volatile struct nvme_cqe *e = &cq[q->cq.pos];
		uint16_t cid = e->cid;

		if (cid < q->nr_slots && q->inflight[cid] && n < NVME_IO_SLOTS) {
			done[n] = q->inflight[cid];
			status[n++] = NVME_CQE_STATUS(e->status) ? -EIO : 0;
			q->inflight[cid] = NULL;
		}
		if (++q->cq.pos == q->cq.size) {
			q->cq.pos = 0;
			q->cq.phase ^= 1;
		}
	}
	mmio_write32(q->cq.doorbell, q->cq.pos);
	spin_unlock_irqrestore(&q->lock, flags);
	for (unsigned i = 0; i < n; i++)
		bio_complete(done[i], status[i]);
	if (n)
		wait_queue_wake_all(&q->slot_wait);
}

/* Create queue pair qid (CQ first: the SQ names it) on MSI-X entry. */
static int setup_ioq(struct nvme_ctrl *c, struct nvme_ioq *q, uint16_t qid,
		     uint16_t size, unsigned entry)
{
	int err;

	q->ctrl = c;
	q->qid = qid;
	spin_lock_init(&q->lock, "nvme_ioq");
	wait_queue_init(&q->slot_wait);
	q->nr_slots = size - 1u < NVME_IO_SLOTS ? size - 1u : NVME_IO_SLOTS;
	for (unsigned i = 0; i < q->nr_slots; i++)
		if (!(q->prp_list[i] = nvme_alloc_page()))
			return -ENOMEM;
	if (nvme_init_queue(&q->sq, size, nvme_doorbell(c, qid, false)) ||
	    nvme_init_queue(&q->cq, size, nvme_doorbell(c, qid, true)))
		return -ENOMEM;
	if ((err = pci_request_msi(c->pci, entry, nvme_irq, q)))
		return err;
	struct nvme_sqe ccq = { .opcode = NVME_ADMIN_CREATE_CQ,
				.prp1 = virt_to_phys(q->cq.entries),
				.cdw10 = (uint32_t)(size - 1) << 16 | qid,
				.cdw11 = entry << 16 | 1u << 1 | 1u };  /* IV, IEN, PC */
	struct nvme_sqe csq = { .opcode = NVME_ADMIN_CREATE_SQ,
				.prp1 = virt_to_phys(q->sq.entries),
				.cdw10 = (uint32_t)(size - 1) << 16 | qid,
				.cdw11 = (uint32_t)qid << 16 | 1u };    /* CQID, PC */
	if ((err = nvme_admin(c, &ccq, NULL)) || (err = nvme_admin(c, &csq, NULL)))
		return err;
	return 0;
}

/* How many queue pairs: one per online CPU, bounded by NVME_MAX_IOQ, by
 * the MSI-X entries (entry 0 stays the admin queue's) and by what the
 * controller grants to Set Features (Number of Queues). */
static unsigned want_queues(struct nvme_ctrl *c)
{
	uint64_t online = sched_online_mask();
	unsigned vectors = pci_msi_count(c->pci), n = 0;

	for (; online; online &= online - 1)
		n++;

	if (n > NVME_MAX_IOQ)
		n = NVME_MAX_IOQ;
	if (vectors < 2)
		return 1;               /* one vector: shared with the admin queue */
	if (n > vectors - 1)
		n = vectors - 1;
	return n ? n : 1;
}

int nvme_setup_io_queues(struct nvme_ctrl *c)
{
	unsigned n = want_queues(c);
	uint16_t size = IO_QUEUE_SIZE;
	uint32_t granted;
	int err;

	uint32_t mqes = (uint32_t)(mmio_read32(c->regs + NVME_REG_CAP) & 0xffff) + 1;
	if (mqes < size)
		size = (uint16_t)mqes;
	/* Ask for n submission and n completion queues (0-based counts);
	 * the result says how many we got, also 0-based. */
	struct nvme_sqe feat = { .opcode = NVME_ADMIN_SET_FEATURES,
				 .cdw10 = NVME_FEAT_NUM_QUEUES,
				 .cdw11 = (n - 1) << 16 | (n - 1) };
	if ((err = nvme_admin(c, &feat, &granted)))
		return err;
	if ((granted & 0xffff) + 1 < n)
		n = (granted & 0xffff) + 1;
	if ((granted >> 16) + 1 < n)
		n = (granted >> 16) + 1;
	for (unsigned i = 0; i < n; i++) {
		unsigned entry = pci_msi_count(c->pci) >= 2 ? i + 1 : 0;
		if ((err = setup_ioq(c, &c->ioq[i], (uint16_t)(i + 1), size, entry)))
			return err;
		c->nr_ioq = i + 1;
	}
	pr_info("nvme%u: %u I/O queue pair%s of %u entries\n", c->index, n,
		n == 1 ? "" : "s", size);
	return 0;
}

/* A free command slot (its index is the command id) for bio, or -1. */
static int claim_slot(struct nvme_ioq *q, struct bio *bio)
{
	unsigned long flags = spin_lock_irqsave(&q->lock);
	int slot = -1;

	for (unsigned i = 0; i < q->nr_slots; i++) {
		if (!q->inflight[i]) {
			q->inflight[i] = bio;
			slot = (int)i;
			break;
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
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
	struct nvme_ioq *q = &c->ioq[arch_cpu_id() % c->nr_ioq];
	struct nvme_sqe cmd = { .nsid = ns->nsid };
	unsigned long flags;
	int slot;

	if (bio->op == BIO_FLUSH && !c->volatile_cache) {
		bio_complete(bio, 0);   /* nothing volatile to flush */
		return 0;
	}
	wait_event(&q->slot_wait, (slot = claim_slot(q, bio)) >= 0);
	cmd.cid = (uint16_t)slot;
	if (bio->op == BIO_FLUSH) {
		cmd.opcode = NVME_CMD_FLUSH;
	} else {
		uint64_t slba = bio->sector >> (ns->lba_shift - SECTOR_SHIFT);
		cmd.opcode = bio->op == BIO_READ ? NVME_CMD_READ : NVME_CMD_WRITE;
		cmd.cdw10 = (uint32_t)slba;
		cmd.cdw11 = (uint32_t)(slba >> 32);
		cmd.cdw12 = (bio->len >> ns->lba_shift) - 1;    /* 0-based count */
		build_prps(&cmd, q->prp_list[slot], bio->buf, bio->len);
	}
	flags = spin_lock_irqsave(&q->lock);
	((struct nvme_sqe *)q->sq.entries)[q->sq.pos] = cmd;
	q->sq.pos = (uint16_t)((q->sq.pos + 1) % q->sq.size);
	/* The entry must be in memory before the doorbell write. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mmio_write32(q->sq.doorbell, q->sq.pos);
	spin_unlock_irqrestore(&q->lock, flags);
	return 0;
}

const struct block_ops nvme_block_ops = {
	.submit = nvme_submit,
};
