/*
 * NVMe over PCIe (NVM Express Base Specification 1.4; command set: NVM
 * Command Set). One controller: an admin queue used by polling during
 * probe, up to NVME_MAX_IOQ I/O queue pairs (one per CPU while there are
 * enough; a CPU submits on queue cpu % n), each completing through its
 * own MSI-X vector, and one block device per active namespace (nvme0n1,
 * nvme0n2...).
 *
 *   ctrl.c  registers, reset/enable, admin commands, Identify, probe
 *   io.c    the I/O queue pair and the block_ops of namespaces
 *
 * Locking: the admin queue is used by probe alone (no lock). Each I/O
 * queue pair's slots, SQ tail and CQ head are protected by its
 * nvme_ioq.lock (irqsave: its interrupt handler reaps completions under
 * it). A task may move CPUs between choosing a queue and submitting: it
 * then simply uses another CPU's queue, under that queue's lock.
 */
#pragma once

#include <drivers/block/blkdev.h>
#include <drivers/pci/pci.h>
#include <kernel/spinlock.h>

/* Controller registers (1.4, 3.1). */
#define NVME_REG_CAP    0x00
#define NVME_REG_VS     0x08
#define NVME_REG_CC     0x14
#define NVME_REG_CSTS   0x1c
#define NVME_REG_AQA    0x24
#define NVME_REG_ASQ    0x28
#define NVME_REG_ACQ    0x30
#define NVME_REG_DBS    0x1000

#define NVME_CAP_MQES(c)   ((uint32_t)((c) & 0xffff))      /* max entries - 1 */
#define NVME_CAP_TO(c)     ((uint32_t)(((c) >> 24) & 0xff)) /* 500 ms units */
#define NVME_CAP_DSTRD(c)  ((uint32_t)(((c) >> 32) & 0xf))
#define NVME_CAP_CSS_NVM(c) (((c) >> 37) & 1)
#define NVME_CAP_MPSMIN(c) ((uint32_t)(((c) >> 48) & 0xf))

#define NVME_CC_EN         (1u << 0)
#define NVME_CC_IOSQES(n)  ((uint32_t)(n) << 16)            /* log2 SQ entry size */
#define NVME_CC_IOCQES(n)  ((uint32_t)(n) << 20)
#define NVME_CSTS_RDY      (1u << 0)
#define NVME_CSTS_CFS      (1u << 1)

/* Admin and NVM opcodes (1.4, 5 and NVM command set 6). */
#define NVME_ADMIN_CREATE_SQ  0x01
#define NVME_ADMIN_CREATE_CQ  0x05
#define NVME_ADMIN_IDENTIFY   0x06
#define NVME_ADMIN_SET_FEATURES 0x09
#define NVME_FEAT_NUM_QUEUES  0x07
#define NVME_CNS_NAMESPACE    0x00
#define NVME_CNS_CONTROLLER   0x01
#define NVME_CMD_FLUSH        0x00
#define NVME_CMD_WRITE        0x01
#define NVME_CMD_READ         0x02

/* Submission queue entry (1.4, 4.2). */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags;                  /* fused, PSDT (0: PRPs) */
	uint16_t cid;
	uint32_t nsid;
	uint64_t reserved;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe 1.4, figure 105");
_Static_assert(offsetof(struct nvme_sqe, prp1) == 24 && offsetof(struct nvme_sqe, cdw10) == 40,
	       "NVMe 1.4, figure 105");

/* Completion queue entry (1.4, 4.6). */
struct nvme_cqe {
	uint32_t result;                /* dword 0, command specific */
	uint32_t reserved;
	uint16_t sq_head;
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status;                /* bit 0: phase tag; 15:1 status field */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe 1.4, figure 121");
#define NVME_CQE_PHASE      1u
#define NVME_CQE_STATUS(s)  ((s) >> 1)

/* Identify Controller / Namespace fields we use (1.4, figures 247, 249). */
#define NVME_IDC_MDTS      77
#define NVME_IDC_NN        516
#define NVME_IDC_VWC       525
#define NVME_IDNS_NSZE     0
#define NVME_IDNS_FLBAS    26
#define NVME_IDNS_LBAF     128
#define NVME_IDNS_NSATTR   99           /* bit 0: write protected */

/* A ring of entries in one DMA page. */
struct nvme_queue {
	void *entries;                  /* struct nvme_sqe[] or nvme_cqe[] */
	uint16_t size;
	uint16_t pos;                   /* SQ: tail; CQ: head */
	uint8_t phase;                  /* CQ: the phase tag of new entries */
	volatile uint32_t *doorbell;
};

#define NVME_IO_SLOTS   32              /* per queue pair (<= queue size - 1) */
#define NVME_MAX_IOQ    4               /* I/O queue pairs per controller */
#define NVME_MAX_PAGES  256             /* per command: fits one PRP list page */

struct nvme_ctrl;

/* One I/O submission/completion queue pair, queue id qid. */
struct nvme_ioq {
	/* Immutable after setup. */
	struct nvme_ctrl *ctrl;
	uint16_t qid;
	uint64_t *prp_list[NVME_IO_SLOTS];      /* one DMA page per slot */
	unsigned nr_slots;

	/* Protected by lock. */
	struct spinlock lock;
	struct nvme_queue sq, cq;
	struct bio *inflight[NVME_IO_SLOTS];    /* by command id */
	struct wait_queue slot_wait;
};

struct nvme_ctrl {
	/* Immutable after probe. */
	struct pci_device *pci;
	volatile uint8_t *regs;
	unsigned index;                 /* the 0 of nvme0 */
	uint32_t page_size;             /* 4096 */
	uint32_t max_transfer;          /* bytes per command */
	bool volatile_cache;
	struct nvme_queue asq, acq;     /* probe only */
	uint16_t admin_cid;

	unsigned nr_ioq;
	struct nvme_ioq ioq[NVME_MAX_IOQ];
};

struct nvme_ns {
	struct block_device disk;
	struct nvme_ctrl *ctrl;
	uint32_t nsid;
	unsigned lba_shift;
};

/* io.c */
int nvme_setup_io_queues(struct nvme_ctrl *c);
extern const struct block_ops nvme_block_ops;

/* ctrl.c, for io.c */
int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint32_t *result);
volatile uint32_t *nvme_doorbell(struct nvme_ctrl *c, unsigned qid, bool cq);
void *nvme_alloc_page(void);
int nvme_init_queue(struct nvme_queue *q, uint16_t size, volatile uint32_t *doorbell);
