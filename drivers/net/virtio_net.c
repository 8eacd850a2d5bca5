/*
 * virtio network device (virtio 1.2, 5.1) on the PCI transport, modern or
 * legacy, as an lwIP netif (net/lwip/netdev.h). One receive and one
 * transmit queue; each buffer is a 2 KiB slot holding the virtio-net
 * header and one Ethernet frame (no mergeable buffers, no offloads).
 * Interrupts (MSI-X, one entry per queue when there are two) only
 * schedule the poll, which reaps every used buffer of both queues.
 *
 * Locking: the rings' slots are touched only under the lwIP core lock
 * (xmit and poll); each virtqueue has its own spinlock inside.
 */
#include <drivers/virtio/virtio.h>
#include <net/lwip/netdev.h>
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/string.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/slab.h>

#define VIRTIO_ID_NET            1
#define VIRTIO_PCI_TRANS_NET     0x1000

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_MTU         3
#define VIRTIO_NET_F_MAC         5

/* struct virtio_net_config (5.1.4). */
#define VIRTIO_NET_CFG_MAC       0

/* struct virtio_net_hdr (5.1.6); num_buffers exists with VERSION_1 (or
 * mergeable buffers), so a legacy header is 10 bytes. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio 1.2, 5.1.6");

#define VNET_SLOT      2048             /* header + frame, two per page */
#define VNET_RX_SLOTS  128
#define VNET_TX_SLOTS  128
#define VNET_FRAME_MAX (VNET_SLOT - sizeof(struct virtio_net_hdr))

struct vnet {
	struct net_device dev;
	struct virtio_pci vp;
	struct virtqueue rxq, txq;
	unsigned hdr_len;               /* 12, or 10 on a legacy device */
	unsigned nr_rx, nr_tx;

	/* Under the lwIP core lock. */
	uint8_t *rx_slot[VNET_RX_SLOTS];
	uint8_t *tx_slot[VNET_TX_SLOTS];
	bool tx_busy[VNET_TX_SLOTS];
	unsigned tx_next;               /* where the search for a free slot starts */
};

/* Slots for n buffers, two per page; false on ENOMEM. */
static bool alloc_slots(uint8_t **slot, unsigned n)
{
	for (unsigned i = 0; i < n; i += 2) {
		phys_addr_t pa = pmm_alloc_zeroed_frame();
		if (!pa)
			return false;
		slot[i] = phys_to_virt(pa);
		if (i + 1 < n)
			slot[i + 1] = slot[i] + VNET_SLOT;
	}
	return true;
}

static int rx_post(struct vnet *v, unsigned i)
{
	struct virtq_buf b = { v->rx_slot[i], VNET_SLOT, true };

	return virtq_submit(&v->rxq, &b, 1, (void *)(uintptr_t)(i + 1));
}

static void reap_tx(struct vnet *v)
{
	uint32_t len;
	void *cookie;

	while ((cookie = virtq_get_used(&v->txq, &len)) != NULL)
		v->tx_busy[(uintptr_t)cookie - 1] = false;
}

static void reap_rx(struct vnet *v)
{
	uint32_t len;
	void *cookie;

	while ((cookie = virtq_get_used(&v->rxq, &len)) != NULL) {
		unsigned i = (unsigned)(uintptr_t)cookie - 1;

		if (len > v->hdr_len) {
			struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)(len - v->hdr_len), PBUF_POOL);
			if (p) {
				pbuf_take(p, v->rx_slot[i] + v->hdr_len, (u16_t)(len - v->hdr_len));
				netdev_rx(&v->dev, p);
			} else {
				v->dev.stats.rx_dropped++;
			}
		} else {
			v->dev.stats.rx_errors++;
		}
		if (rx_post(v, i))
			v->dev.stats.rx_errors++;
	}
}

static void vnet_poll(struct net_device *dev)
{
	struct vnet *v = dev->priv;

	reap_rx(v);
	reap_tx(v);
}

static err_t vnet_xmit(struct net_device *dev, struct pbuf *p)
{
	struct vnet *v = dev->priv;
	unsigned i, n;

	if (p->tot_len > VNET_FRAME_MAX)
		return ERR_VAL;
	for (n = 0; n < v->nr_tx; n++) {
		i = (v->tx_next + n) % v->nr_tx;
		if (!v->tx_busy[i])
			break;
	}
	if (n == v->nr_tx) {
		reap_tx(v);
		for (n = 0; n < v->nr_tx && v->tx_busy[i = (v->tx_next + n) % v->nr_tx]; n++)
			;
		if (n == v->nr_tx)
			return ERR_MEM;
	}
	v->tx_next = (i + 1) % v->nr_tx;
	uint8_t *slot = v->tx_slot[i];
	memset(slot, 0, v->hdr_len);
	pbuf_copy_partial(p, slot + v->hdr_len, p->tot_len, 0);
	/* Header and frame as two descriptors: a legacy device without
	 * ANY_LAYOUT wants the header on its own (5.1.6.6). */
	struct virtq_buf bufs[2] = {
		{ slot, v->hdr_len, false },
		{ slot + v->hdr_len, p->tot_len, false },
	};
	v->tx_busy[i] = true;
	if (virtq_submit(&v->txq, bufs, 2, (void *)(uintptr_t)(i + 1))) {
		v->tx_busy[i] = false;
		return ERR_MEM;
	}
	return ERR_OK;
}

static const struct net_device_ops vnet_ops = {
	.xmit = vnet_xmit,
	.poll = vnet_poll,
};

static void vnet_irq(void *data)
{
	struct vnet *v = data;

	netdev_schedule_poll(&v->dev);
}

/* INTx (a device without MSI-X): the ISR read acknowledges. */
static void vnet_intx(void *data)
{
	struct vnet *v = data;

	if (virtio_read_isr(&v->vp) & 1)
		netdev_schedule_poll(&v->dev);
}

/* Interrupt entries for the receive and transmit queues: MSI-X entries 0
 * and 1 (or both 0 with a single message), else INTx on the line the
 * firmware routed to an ISA interrupt (QEMU's -nic model=virtio-net-pci
 * comes without MSI-X). */
static int vnet_irq_setup(struct vnet *v, struct pci_device *pci, uint16_t *rx, uint16_t *tx)
{
	unsigned n = pci_msi_count(pci);
	int err;

	if (n == 0) {
		*rx = *tx = VIRTIO_NO_VECTOR;
		if (!pci->irq_pin || !pci->irq_line || pci->irq_line >= 16)
			return -ENODEV;
		return request_isa_irq(pci->irq_line, vnet_intx, v);
	}
	*rx = 0;
	*tx = n >= 2 ? 1 : 0;
	if ((err = pci_request_msi(pci, 0, vnet_irq, v)))
		return err;
	return *tx ? pci_request_msi(pci, *tx, vnet_irq, v) : 0;
}

static int vnet_setup(struct vnet *v, struct pci_device *pci)
{
	int err;

	if ((err = virtio_pci_init(&v->vp, pci)))
		return err;
	if ((err = virtio_negotiate(&v->vp, 1ull << VIRTIO_NET_F_MAC)))
		return err;
	v->hdr_len = v->vp.legacy ? 10 : 12;
	uint16_t rx_entry, tx_entry;
	if ((err = vnet_irq_setup(v, pci, &rx_entry, &tx_entry)))
		return err;
	if ((err = virtio_setup_queue(&v->vp, &v->rxq, 0, rx_entry)) ||
	    (err = virtio_setup_queue(&v->vp, &v->txq, 1, tx_entry)))
		return err;
	v->nr_rx = MIN(v->rxq.size, VNET_RX_SLOTS);
	v->nr_tx = MIN(v->txq.size / 2, VNET_TX_SLOTS);
	if (!v->nr_tx || !alloc_slots(v->rx_slot, v->nr_rx) || !alloc_slots(v->tx_slot, v->nr_tx))
		return -ENOMEM;
	if (virtio_has(&v->vp, VIRTIO_NET_F_MAC)) {
		uint64_t mac = virtio_cfg_read64(&v->vp, VIRTIO_NET_CFG_MAC);
		memcpy(v->dev.mac, &mac, 6);
	} else {
		/* A locally administered address (IEEE 802 U/L bit). */
		random_bytes(v->dev.mac, 6);
		v->dev.mac[0] = (v->dev.mac[0] & 0xfe) | 0x02;
	}
	virtio_driver_ok(&v->vp);
	return 0;
}

static int vnet_probe(struct pci_device *pci, const struct pci_device_id *id)
{
	struct vnet *v = kzalloc(sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	if ((err = vnet_setup(v, pci))) {
		/* Memory handed to the device stays allocated (see virtio_blk). */
		if (v->vp.common || v->vp.legacy)
			virtio_fail(&v->vp);
		pr_warn("virtio-net %02x:%02x.%u: setup failed: %d\n", pci->bus, pci->dev,
			pci->fn, err);
		return err;
	}
	v->dev.ops = &vnet_ops;
	v->dev.priv = v;
	v->dev.driver = v->vp.legacy ? "virtio-net (legacy transport)" :
		"virtio-net (modern transport)";
	pci->driver_data = v;
	if ((err = netdev_register(&v->dev)))
		return err;
	/* Receive buffers once the netif exists for the poll to feed. */
	for (unsigned i = 0; i < v->nr_rx; i++)
		if ((err = rx_post(v, i)))
			pr_warn("virtio-net %s: receive buffer %u not posted: %d\n", v->dev.name, i, err);
	return 0;
}

static const struct pci_device_id vnet_ids[] = {
	{ VIRTIO_PCI_VENDOR, VIRTIO_PCI_TRANS_NET, 0, 0 },
	{ VIRTIO_PCI_VENDOR, VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_NET, 0, 0 },
	{ 0 },
};

static struct pci_driver vnet_driver = {
	.name = "virtio-net",
	.ids = vnet_ids,
	.probe = vnet_probe,
};

void virtio_net_init(void)
{
	pci_register_driver(&vnet_driver);
}
