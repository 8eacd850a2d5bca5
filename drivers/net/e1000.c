/*
 * Intel 8254x (e1000, QEMU's 82540EM) and 82574 (e1000e) Ethernet
 * controllers with legacy descriptors, as lwIP netifs. Register and
 * descriptor layouts: Intel "PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual" (8254x), chapters 3 and 13,
 * and the 82574 datasheet (IVAR, 10.2.4.12).
 *
 * Interrupts: MSI-X or MSI where the function has them (82574), else the
 * INTx line the firmware routed to an ISA interrupt (the 82540EM has no
 * MSI); the handler reads ICR (which acknowledges and deasserts) and
 * schedules the poll, which reaps every finished descriptor.
 *
 * Locking: rings and buffers are touched only under the lwIP core lock
 * (xmit and poll); the interrupt handler touches only ICR.
 */
#include <drivers/pci/pci.h>
#include <net/lwip/netdev.h>
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <asm/io.h>

/* Registers (8254x SDM 13.4). */
#define E1000_CTRL    0x0000
#define  CTRL_SLU     (1u << 6)
#define  CTRL_RST     (1u << 26)
#define E1000_STATUS  0x0008
#define E1000_ICR     0x00c0
#define E1000_ITR     0x00c4
#define E1000_IMS     0x00d0
#define E1000_IMC     0x00d8
#define E1000_IVAR    0x00e4    /* 82574 only */
#define E1000_RCTL    0x0100
#define  RCTL_EN      (1u << 1)
#define  RCTL_BAM     (1u << 15)
#define  RCTL_SECRC   (1u << 26)
#define E1000_TCTL    0x0400
#define  TCTL_EN      (1u << 1)
#define  TCTL_PSP     (1u << 3)
#define  TCTL_CT      (0x10u << 4)
#define  TCTL_COLD    (0x40u << 12)
#define E1000_TIPG    0x0410
#define E1000_RDBAL   0x2800
#define E1000_RDBAH   0x2804
#define E1000_RDLEN   0x2808
#define E1000_RDH     0x2810
#define E1000_RDT     0x2818
#define E1000_TDBAL   0x3800
#define E1000_TDBAH   0x3804
#define E1000_TDLEN   0x3808
#define E1000_TDH     0x3810
#define E1000_TDT     0x3818
#define E1000_MTA     0x5200
#define E1000_RAL0    0x5400
#define E1000_RAH0    0x5404

/* Interrupt causes (13.4.17). */
#define ICR_TXDW      (1u << 0)
#define ICR_LSC       (1u << 2)
#define ICR_RXDMT0    (1u << 4)
#define ICR_RXO       (1u << 6)
#define ICR_RXT0      (1u << 7)
#define IMS_WANTED    (ICR_TXDW | ICR_LSC | ICR_RXDMT0 | ICR_RXO | ICR_RXT0)
/* 82574 with MSI-X: queue and other causes, routed by IVAR (10.2.4.12). */
#define ICR_RXQ0      (1u << 20)
#define ICR_TXQ0      (1u << 22)
#define ICR_OTHER     (1u << 24)

struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
#define RXD_DD        (1u << 0)
#define RXD_EOP       (1u << 1)

struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
#define TXD_CMD_EOP   (1u << 0)
#define TXD_CMD_IFCS  (1u << 1)
#define TXD_CMD_RS    (1u << 3)
#define TXD_DD        (1u << 0)

_Static_assert(sizeof(struct e1000_rx_desc) == 16, "8254x SDM 3.2.3");
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "8254x SDM 3.3.3");

#define E1000_RING    256               /* descriptors: one page each ring */
#define E1000_BUF     2048              /* RCTL.BSIZE 00 */

struct e1000 {
	struct net_device dev;
	struct pci_device *pci;
	volatile uint8_t *regs;
	bool is_82574;

	/* Under the lwIP core lock. */
	struct e1000_rx_desc *rx;
	struct e1000_tx_desc *tx;
	uint8_t *rx_buf[E1000_RING], *tx_buf[E1000_RING];
	unsigned rx_next;               /* next descriptor the device fills */
	unsigned tx_tail, tx_clean;     /* next to use, oldest not reaped */
};

static uint32_t rd(struct e1000 *e, unsigned reg)
{
	return mmio_read32(e->regs + reg);
}

static void wr(struct e1000 *e, unsigned reg, uint32_t v)
{
	mmio_write32(e->regs + reg, v);
}

static void reap_tx(struct e1000 *e)
{
	while (e->tx_clean != e->tx_tail && (READ_ONCE(e->tx[e->tx_clean].status) & TXD_DD))
		e->tx_clean = (e->tx_clean + 1) % E1000_RING;
}

static void reap_rx(struct e1000 *e)
{
	for (;;) {
		struct e1000_rx_desc *d = &e->rx[e->rx_next];
		uint8_t status = READ_ONCE(d->status);

		if (!(status & RXD_DD))
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		/* Frames fit one buffer (no jumbo frames): EOP is always set. */
		if ((status & RXD_EOP) && !d->errors && d->length) {
			struct pbuf *p = pbuf_alloc(PBUF_RAW, d->length, PBUF_POOL);
			if (p) {
				pbuf_take(p, e->rx_buf[e->rx_next], d->length);
				netdev_rx(&e->dev, p);
			} else {
				e->dev.stats.rx_dropped++;
			}
		} else {
			e->dev.stats.rx_errors++;
		}
		d->status = 0;
		/* Give it back: the tail trails the next one we look at. */
		wr(e, E1000_RDT, e->rx_next);
		e->rx_next = (e->rx_next + 1) % E1000_RING;
	}
}

static void e1000_poll(struct net_device *dev)
{
	struct e1000 *e = dev->priv;

	reap_rx(e);
	reap_tx(e);
}

static err_t e1000_xmit(struct net_device *dev, struct pbuf *p)
{
	struct e1000 *e = dev->priv;
	unsigned next = (e->tx_tail + 1) % E1000_RING;

	if (p->tot_len > E1000_BUF)
		return ERR_VAL;
	if (next == e->tx_clean) {
		reap_tx(e);
		if (next == e->tx_clean)
			return ERR_MEM;
	}
	struct e1000_tx_desc *d = &e->tx[e->tx_tail];
	pbuf_copy_partial(p, e->tx_buf[e->tx_tail], p->tot_len, 0);
	d->length = p->tot_len;
	d->cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
	d->status = 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->tx_tail = next;
	wr(e, E1000_TDT, next);
	return ERR_OK;
}

static const struct net_device_ops e1000_ops = {
	.xmit = e1000_xmit,
	.poll = e1000_poll,
};

static void e1000_irq(void *data)
{
	struct e1000 *e = data;

	/* Reading ICR acknowledges every cause and drops the INTx line; the
	 * 82574 under MSI-X clears it on read only with INT_ASSERTED set,
	 * so the causes are written back (write 1 to clear) as well. */
	uint32_t icr = rd(e, E1000_ICR);

	if (!icr)
		return;
	if (e->is_82574)
		wr(e, E1000_ICR, icr);
	netdev_schedule_poll(&e->dev);
}

/* A ring page and one buffer per descriptor (two per page). */
static void *alloc_ring(uint8_t **bufs)
{
	phys_addr_t pa = pmm_alloc_zeroed_frame();

	if (!pa)
		return NULL;
	for (unsigned i = 0; i < E1000_RING; i += 2) {
		phys_addr_t b = pmm_alloc_zeroed_frame();
		if (!b)
			return NULL;
		bufs[i] = phys_to_virt(b);
		bufs[i + 1] = bufs[i] + E1000_BUF;
	}
	return phys_to_virt(pa);
}

static void setup_rings(struct e1000 *e)
{
	for (unsigned i = 0; i < E1000_RING; i++) {
		e->rx[i].addr = virt_to_phys(e->rx_buf[i]);
		e->tx[i].addr = virt_to_phys(e->tx_buf[i]);
	}
	uint64_t rx = virt_to_phys(e->rx), tx = virt_to_phys(e->tx);
	wr(e, E1000_RDBAL, (uint32_t)rx);
	wr(e, E1000_RDBAH, (uint32_t)(rx >> 32));
	wr(e, E1000_RDLEN, E1000_RING * sizeof(struct e1000_rx_desc));
	wr(e, E1000_RDH, 0);
	wr(e, E1000_RDT, E1000_RING - 1);
	wr(e, E1000_TDBAL, (uint32_t)tx);
	wr(e, E1000_TDBAH, (uint32_t)(tx >> 32));
	wr(e, E1000_TDLEN, E1000_RING * sizeof(struct e1000_tx_desc));
	wr(e, E1000_TDH, 0);
	wr(e, E1000_TDT, 0);
	wr(e, E1000_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
	wr(e, E1000_TIPG, 10 | 8 << 10 | 6 << 20);
	wr(e, E1000_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
}

static int e1000_irq_setup(struct e1000 *e)
{
	if (pci_msi_count(e->pci)) {
		/* 82574 with MSI-X: every cause to vector 0 (IVAR valid bits). */
		if (e->is_82574)
			wr(e, E1000_IVAR, 0x8 | 0x8 << 8 | 0x8 << 16);
		return pci_request_msi(e->pci, 0, e1000_irq, e);
	}
	if (e->pci->irq_pin == 0 || e->pci->irq_line == 0 || e->pci->irq_line >= 16)
		return -ENODEV;
	return request_isa_irq(e->pci->irq_line, e1000_irq, e);
}

static int e1000_setup(struct e1000 *e)
{
	int err;

	pci_enable_device(e->pci);
	pci_enable_bus_master(e->pci);
	e->regs = pci_map_bar(e->pci, 0);
	if (!e->regs)
		return -ENODEV;
	wr(e, E1000_IMC, ~0u);
	wr(e, E1000_CTRL, rd(e, E1000_CTRL) | CTRL_RST);
	udelay(10);
	for (int i = 0; rd(e, E1000_CTRL) & CTRL_RST; i++) {
		if (i > 1000)
			return -ETIMEDOUT;
		udelay(10);
	}
	wr(e, E1000_IMC, ~0u);
	rd(e, E1000_ICR);
	wr(e, E1000_CTRL, rd(e, E1000_CTRL) | CTRL_SLU);
	/* The EEPROM's address, which the reset loaded into receive address 0. */
	uint32_t lo = rd(e, E1000_RAL0), hi = rd(e, E1000_RAH0);
	for (int i = 0; i < 4; i++)
		e->dev.mac[i] = (uint8_t)(lo >> (8 * i));
	e->dev.mac[4] = (uint8_t)hi;
	e->dev.mac[5] = (uint8_t)(hi >> 8);
	wr(e, E1000_RAH0, hi | 1u << 31);       /* address valid */
	for (int i = 0; i < 128; i++)
		wr(e, E1000_MTA + 4 * i, 0);
	if (!(e->rx = alloc_ring(e->rx_buf)) || !(e->tx = alloc_ring(e->tx_buf)))
		return -ENOMEM;
	setup_rings(e);
	if ((err = e1000_irq_setup(e)))
		return err;
	/* Interrupt moderation: at most one every 50 us (ITR in 256 ns units). */
	wr(e, E1000_ITR, 200);
	return 0;
}

static int e1000_probe(struct pci_device *pci, const struct pci_device_id *id)
{
	struct e1000 *e = kzalloc(sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	e->pci = pci;
	e->is_82574 = pci->device == 0x10d3;
	if ((err = e1000_setup(e))) {
		if (e->regs)
			wr(e, E1000_RCTL, 0);
		pr_warn("e1000 %02x:%02x.%u: setup failed: %d\n", pci->bus, pci->dev, pci->fn, err);
		return err;
	}
	e->dev.ops = &e1000_ops;
	e->dev.priv = e;
	e->dev.driver = e->is_82574 ? "e1000e (82574)" : "e1000 (8254x)";
	pci->driver_data = e;
	if ((err = netdev_register(&e->dev)))
		return err;
	wr(e, E1000_IMS, IMS_WANTED | (e->is_82574 ? ICR_RXQ0 | ICR_TXQ0 | ICR_OTHER : 0));
	return 0;
}

static const struct pci_device_id e1000_ids[] = {
	{ 0x8086, 0x100e, 0, 0 },       /* 82540EM, QEMU's e1000 */
	{ 0x8086, 0x100f, 0, 0 },       /* 82545EM */
	{ 0x8086, 0x10d3, 0, 0 },       /* 82574L, QEMU's e1000e */
	{ 0 },
};

static struct pci_driver e1000_driver = {
	.name = "e1000",
	.ids = e1000_ids,
	.probe = e1000_probe,
};

void e1000_init(void)
{
	pci_register_driver(&e1000_driver);
}
