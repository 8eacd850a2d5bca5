/*
 * NVMe controller bring-up (NVMe 1.4, 7.6.1 "Initialization"): reset,
 * admin queue, enable, Identify, I/O queues, then one block device per
 * active namespace. Admin commands are polled: they only run in probe.
 */
#include <drivers/nvme/nvme.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <asm/io.h>

#define ADMIN_QUEUE_SIZE 32
#define ADMIN_TIMEOUT_NS (5 * NSEC_PER_SEC)
#define MAX_NAMESPACES   16

static unsigned nr_ctrls;

void *nvme_alloc_page(void)
{
	phys_addr_t pa = pmm_alloc_zeroed_frame();
	return pa ? phys_to_virt(pa) : NULL;
}

static uint32_t rd32(struct nvme_ctrl *c, unsigned off)
{
	return mmio_read32(c->regs + off);
}

static void wr32(struct nvme_ctrl *c, unsigned off, uint32_t v)
{
	mmio_write32(c->regs + off, v);
}

static uint64_t rd64(struct nvme_ctrl *c, unsigned off)
{
	return rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
}

static void wr64(struct nvme_ctrl *c, unsigned off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

volatile uint32_t *nvme_doorbell(struct nvme_ctrl *c, unsigned qid, bool cq)
{
	uint32_t stride = 4u << NVME_CAP_DSTRD(rd64(c, NVME_REG_CAP));
	return (volatile uint32_t *)(c->regs + NVME_REG_DBS + (2 * qid + cq) * stride);
}

/* Wait until CSTS.RDY == ready, up to CAP.TO. */
static int wait_ready(struct nvme_ctrl *c, bool ready)
{
	uint64_t end = time_ns() + (NVME_CAP_TO(rd64(c, NVME_REG_CAP)) + 1) * 500 * NSEC_PER_MSEC;

	for (;;) {
		uint32_t csts = rd32(c, NVME_REG_CSTS);
		if (csts == 0xffffffff || (ready && (csts & NVME_CSTS_CFS)))
			return -EIO;
		if (!!(csts & NVME_CSTS_RDY) == ready)
			return 0;
		if (time_ns() > end)
			return -ETIMEDOUT;
		__builtin_ia32_pause();
	}
}

int nvme_init_queue(struct nvme_queue *q, uint16_t size, volatile uint32_t *doorbell)
{
	q->entries = nvme_alloc_page();
	q->size = size;
	q->pos = 0;
	q->phase = 1;
	q->doorbell = doorbell;
	return q->entries ? 0 : -ENOMEM;
}

static int reset_and_enable(struct nvme_ctrl *c)
{
	uint64_t cap = rd64(c, NVME_REG_CAP);
	uint16_t aqs = NVME_CAP_MQES(cap) + 1 < ADMIN_QUEUE_SIZE ? NVME_CAP_MQES(cap) + 1
								  : ADMIN_QUEUE_SIZE;
	int err;

	if (!NVME_CAP_CSS_NVM(cap) || NVME_CAP_MPSMIN(cap) != 0)
		return -ENODEV;         /* we use 4 KiB pages and the NVM command set */
	c->page_size = 4096;
	wr32(c, NVME_REG_CC, rd32(c, NVME_REG_CC) & ~NVME_CC_EN);
	if ((err = wait_ready(c, false)))
		return err;
	if ((err = nvme_init_queue(&c->asq, aqs, nvme_doorbell(c, 0, false))) ||
	    (err = nvme_init_queue(&c->acq, aqs, nvme_doorbell(c, 0, true))))
		return err;
	wr32(c, NVME_REG_AQA, (uint32_t)(aqs - 1) << 16 | (aqs - 1));
	wr64(c, NVME_REG_ASQ, virt_to_phys(c->asq.entries));
	wr64(c, NVME_REG_ACQ, virt_to_phys(c->acq.entries));
	/* NVM command set, 4 KiB pages, round robin; 64-byte SQ and 16-byte
	 * CQ entries (log2 6 and 4). */
	wr32(c, NVME_REG_CC, NVME_CC_IOSQES(6) | NVME_CC_IOCQES(4) | NVME_CC_EN);
	return wait_ready(c, true);
}

int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint32_t *result)
{
	struct nvme_sqe *sq = c->asq.entries;
	volatile struct nvme_cqe *cq = c->acq.entries;
	uint64_t end = time_ns() + ADMIN_TIMEOUT_NS;

	cmd->cid = ++c->admin_cid;
	sq[c->asq.pos] = *cmd;
	c->asq.pos = (uint16_t)((c->asq.pos + 1) % c->asq.size);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mmio_write32(c->asq.doorbell, c->asq.pos);

	volatile struct nvme_cqe *e = &cq[c->acq.pos];
	while ((READ_ONCE(e->status) & NVME_CQE_PHASE) != c->acq.phase) {
		if (time_ns() > end)
			return -ETIMEDOUT;
		__builtin_ia32_pause();
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint16_t status = e->status, cid = e->cid;
	if (result)
		*result = e->result;
	if (++c->acq.pos == c->acq.size) {
		c->acq.pos = 0;
		c->acq.phase ^= 1;
	}
	mmio_write32(c->acq.doorbell, c->acq.pos);
	if (cid != cmd->cid)
		return -EIO;
	return NVME_CQE_STATUS(status) ? -EIO : 0;
}

static int identify(struct nvme_ctrl *c, uint32_t cns, uint32_t nsid, void *page)
{
	struct nvme_sqe cmd = {
		.opcode = NVME_ADMIN_IDENTIFY,
		.nsid = nsid,
		.prp1 = virt_to_phys(page),
		.cdw10 = cns,
	};
	return nvme_admin(c, &cmd, NULL);
}

static void add_namespace(struct nvme_ctrl *c, uint32_t nsid, const uint8_t *id)
{
	uint64_t nsze;
	uint32_t lbaf;
	unsigned shift;
	struct nvme_ns *ns;

	memcpy(&nsze, id + NVME_IDNS_NSZE, 8);
	memcpy(&lbaf, id + NVME_IDNS_LBAF + 4 * (id[NVME_IDNS_FLBAS] & 0xf), 4);
	shift = (lbaf >> 16) & 0xff;            /* LBADS: log2 of the LBA size */
	if (nsze == 0 || shift < 9 || shift > 12)
		return;
	if (!(ns = kzalloc(sizeof(*ns))))
		return;
	ns->ctrl = c;
	ns->nsid = nsid;
	ns->lba_shift = shift;
	snprintf(ns->disk.name, sizeof(ns->disk.name), "nvme%un%u", c->index, nsid);
	ns->disk.block_size = 1u << shift;
	ns->disk.nr_sectors = nsze << (shift - SECTOR_SHIFT);
	ns->disk.max_transfer = c->max_transfer;
	ns->disk.read_only = id[NVME_IDNS_NSATTR] & 1;
	ns->disk.ops = &nvme_block_ops;
	ns->disk.driver_data = ns;
	bdev_register_disk(&ns->disk);
}

static int identify_all(struct nvme_ctrl *c)
{
	uint8_t *page = nvme_alloc_page();
	uint32_t nn;
	int err;

	if (!page)
		return -ENOMEM;
	if ((err = identify(c, NVME_CNS_CONTROLLER, 0, page)))
		goto out;
	memcpy(&nn, page + NVME_IDC_NN, 4);
	c->volatile_cache = page[NVME_IDC_VWC] & 1;
	/* MDTS: 2^n minimum pages, 0 = no limit; we cap at NVME_MAX_PAGES. */
	uint64_t pages = page[NVME_IDC_MDTS] ? 1ull << page[NVME_IDC_MDTS] : NVME_MAX_PAGES;
	if (pages > NVME_MAX_PAGES)
		pages = NVME_MAX_PAGES;
	c->max_transfer = (uint32_t)(pages * c->page_size);
	char model[41];
	memcpy(model, page + 24, 40);           /* MN: ASCII, space padded */
	model[40] = 0;
	for (int i = 39; i >= 0 && model[i] == ' '; i--)
		model[i] = 0;
	pr_info("nvme%u: %s, %u namespace ids, %s write cache\n", c->index, model, nn,
		c->volatile_cache ? "volatile" : "no");
	if ((err = nvme_setup_io_queues(c)))
		goto out;
	for (uint32_t nsid = 1; nsid <= nn && nsid <= MAX_NAMESPACES; nsid++) {
		memset(page, 0, 4096);
		if (identify(c, NVME_CNS_NAMESPACE, nsid, page) == 0)
			add_namespace(c, nsid, page);
	}
out:
	pmm_free_frame(virt_to_phys(page));
	return err;
}

static int nvme_probe(struct pci_device *pci, const struct pci_device_id *id)
{
	struct nvme_ctrl *c = kzalloc(sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->pci = pci;
	pci_enable_device(pci);
	pci_enable_bus_master(pci);
	if (!(c->regs = pci_map_bar(pci, 0))) {
		kfree(c);
		return -ENODEV;
	}
	c->index = nr_ctrls;
	/* Memory given to a controller stays allocated on failure: it may
	 * still be pointed at until the next reset. */
	if ((err = reset_and_enable(c)) || (err = identify_all(c)))
		return err;
	nr_ctrls++;
	pci->driver_data = c;
	return 0;
}

/* Class 01 (mass storage), 08 (NVM), 02 (NVMe). */
static const struct pci_device_id nvme_ids[] = {
	{ PCI_ANY_ID, PCI_ANY_ID, 0x010802, 0xffffff },
	{ 0 },
};

static struct pci_driver nvme_driver = {
	.name = "nvme",
	.ids = nvme_ids,
	.probe = nvme_probe,
};

void nvme_init(void)
{
	pci_register_driver(&nvme_driver);
}
