/*
 * NICs as lwIP netifs: naming, the Ethernet glue between a driver's ring
 * and lwIP, the interrupt-to-tcpip-task hand-over, and configuration at
 * boot (DHCP by default, or the kernel command line's
 * ip=ADDR:SERVER:GW:MASK[:HOST[:DEV[:AUTOCONF]]] like Linux's nfsroot
 * option; ip=dhcp and ip=off as there).
 *
 * Locking: the device list and every netif are under the lwIP core lock
 * (LOCK_TCPIP_CORE); poll_pending is atomic.
 */
#include <net/lwip/netdev.h>
#include <kernel/cmdline.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <lwip/dhcp.h>
#include <lwip/etharp.h>
#include <lwip/tcpip.h>
#include <netif/ethernet.h>

static LIST_HEAD(netdev_list);
static unsigned netdev_count;

static err_t netdev_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct net_device *dev = netif->state;
	err_t err = dev->ops->xmit(dev, p);

	lwip_port_frame_activity();
	if (err == ERR_OK) {
		dev->stats.tx_packets++;
		dev->stats.tx_bytes += p->tot_len;
	} else {
		dev->stats.tx_dropped++;
	}
	return err;
}

static err_t netdev_netif_init(struct netif *netif)
{
	struct net_device *dev = netif->state;

	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->output = etharp_output;
	netif->linkoutput = netdev_linkoutput;
	netif->mtu = dev->mtu;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, dev->mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		       NETIF_FLAG_LINK_UP;
	netif_set_hostname(netif, "goos");
	return ERR_OK;
}

void netdev_rx(struct net_device *dev, struct pbuf *p)
{
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += p->tot_len;
	lwip_port_frame_activity();
	if (dev->netif.input(p, &dev->netif) != ERR_OK) {
		dev->stats.rx_dropped++;
		pbuf_free(p);
	}
}

static void netdev_poll_cb(void *arg)
{
	struct net_device *dev = arg;

	/* Cleared before reaping: a completion after this raises an
	 * interrupt that queues the message again. */
	__atomic_store_n(&dev->poll_pending, 0, __ATOMIC_SEQ_CST);
	dev->ops->poll(dev);
}

void netdev_schedule_poll(struct net_device *dev)
{
	if (__atomic_exchange_n(&dev->poll_pending, 1, __ATOMIC_SEQ_CST))
		return;
	if (tcpip_callbackmsg_trycallback_fromisr(dev->poll_msg) != ERR_OK)
		__atomic_store_n(&dev->poll_pending, 0, __ATOMIC_SEQ_CST);
}

/* ---- configuration ---------------------------------------------------------- */

/* Field n (0-based, ':'-separated) of s into buf; false if absent/empty. */
static bool ip_field(const char *s, unsigned n, char *buf, size_t len)
{
	while (n--) {
		s = strchr(s, ':');
		if (!s)
			return false;
		s++;
	}
	size_t i = 0;
	while (s[i] && s[i] != ':' && i + 1 < len) {
		buf[i] = s[i];
		i++;
	}
	buf[i] = '\0';
	return i > 0;
}

/*
 * Static configuration from ip= for dev, if it names an address (and
 * either no device or this one): true when applied. Core lock held.
 */
static bool netdev_static_config(struct net_device *dev, const char *opt)
{
	char f[32];
	ip4_addr_t addr, gw, mask;

	if (!ip_field(opt, 0, f, sizeof(f)) || !ip4addr_aton(f, &addr))
		return false;
	/* For the named device, else for the first one (eth0). */
	if (!ip_field(opt, 5, f, sizeof(f)))
		strlcpy(f, "eth0", sizeof(f));
	if (strcmp(f, dev->name))
		return false;
	ip4_addr_set_zero(&gw);
	if (ip_field(opt, 2, f, sizeof(f)) && !ip4addr_aton(f, &gw))
		pr_warn("net: ip=: bad gateway \"%s\"\n", f);
	if (!ip_field(opt, 3, f, sizeof(f)) || !ip4addr_aton(f, &mask))
		IP4_ADDR(&mask, 255, 255, 255, 0);
	netif_set_addr(&dev->netif, &addr, &mask, &gw);
	pr_info("net: %s: static %s\n", dev->name, opt);
	return true;
}

/* DHCP unless ip= configures the device or turns configuration off. */
static void netdev_configure(struct net_device *dev)
{
	char opt[128];
	bool have = cmdline_get("ip", opt, sizeof(opt)) > 0;

	if (have && (!strcmp(opt, "off") || !strcmp(opt, "none")))
		return;
	if (have && strcmp(opt, "dhcp") && netdev_static_config(dev, opt))
		return;
	if (dhcp_start(&dev->netif) != ERR_OK)
		pr_warn("net: %s: cannot start DHCP\n", dev->name);
}

static void netdev_status_cb(struct netif *netif)
{
	struct net_device *dev = netif->state;

	if (!ip4_addr_isany_val(*netif_ip4_addr(netif)))
	{
		char addr[16], mask[16], gw[16];

		ip4addr_ntoa_r(netif_ip4_addr(netif), addr, sizeof(addr));
		ip4addr_ntoa_r(netif_ip4_netmask(netif), mask, sizeof(mask));
		ip4addr_ntoa_r(netif_ip4_gw(netif), gw, sizeof(gw));
		pr_info("net: %s: address %s mask %s gateway %s\n", dev->name, addr, mask, gw);
	}
}

int netdev_register(struct net_device *dev)
{
	dev->poll_msg = tcpip_callbackmsg_new(netdev_poll_cb, dev);
	if (!dev->poll_msg)
		return -ENOMEM;
	if (!dev->mtu)
		dev->mtu = 1500;
	LOCK_TCPIP_CORE();
	snprintf(dev->name, sizeof(dev->name), "eth%u", netdev_count++);
	if (!netif_add(&dev->netif, NULL, NULL, NULL, dev, netdev_netif_init, ethernet_input)) {
		UNLOCK_TCPIP_CORE();
		tcpip_callbackmsg_delete(dev->poll_msg);
		return -ENOMEM;
	}
	list_add_tail(&dev->node, &netdev_list);
	netif_set_status_callback(&dev->netif, netdev_status_cb);
	if (dev == netdev_first())
		netif_set_default(&dev->netif);
	netif_set_up(&dev->netif);
	netdev_configure(dev);
	UNLOCK_TCPIP_CORE();
	pr_info("net: %s: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", dev->name, dev->driver,
		dev->mac[0], dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4], dev->mac[5]);
	return 0;
}

struct net_device *netdev_first(void)
{
	return list_empty(&netdev_list) ? NULL :
		list_first_entry(&netdev_list, struct net_device, node);
}

bool netdev_netif_is_loop(const struct netif *netif)
{
	return netif->name[0] == 'l' && netif->name[1] == 'o';
}

const char *netdev_netif_name(const struct netif *netif)
{
	LWIP_ASSERT_CORE_LOCKED();
	if (netdev_netif_is_loop(netif))
		return "lo";
	return ((const struct net_device *)netif->state)->name;
}

struct netif *netdev_netif_next(const struct netif *prev)
{
	struct netif *n, *best = NULL;
	unsigned after = prev ? netif_get_index(prev) : 0;

	LWIP_ASSERT_CORE_LOCKED();
	NETIF_FOREACH(n)
		if (netif_get_index(n) > after && (!best || netif_get_index(n) < netif_get_index(best)))
			best = n;
	return best;
}

struct netif *netdev_netif_find(const char *name)
{
	struct netif *netif;

	LWIP_ASSERT_CORE_LOCKED();
	NETIF_FOREACH(netif)
		if (!strcmp(netdev_netif_name(netif), name))
			return netif;
	return NULL;
}

static bool all_configured(void)
{
	struct net_device *dev;
	bool ok = !list_empty(&netdev_list);

	LOCK_TCPIP_CORE();
	list_for_each_entry(dev, &netdev_list, node)
		if (ip4_addr_isany_val(*netif_ip4_addr(&dev->netif)))
			ok = false;
	UNLOCK_TCPIP_CORE();
	return ok;
}

bool netdev_wait_configured(unsigned timeout_ms)
{
	uint64_t end = time_ns() + (uint64_t)timeout_ms * 1000000;

	while (!all_configured()) {
		if (time_ns() >= end)
			return false;
		sleep_until(time_ns() + 10 * 1000000);
	}
	return true;
}

/* ---- /proc/net/dev ------------------------------------------------------------ */

void net_appendf(char *buf, size_t room, size_t *len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(*len < room ? buf + *len : NULL, *len < room ? room - *len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

static void dev_line(char *buf, size_t room, size_t *len, const char *name,
		     const struct net_device_stats *s)
{
	net_appendf(buf, room, len,
	       "%6s:%8llu %7llu %4llu %4llu %4u %5u %10u %9u %8llu %7llu %4llu %4llu %4u %5u %7u %10u\n",
	       name, (unsigned long long)s->rx_bytes, (unsigned long long)s->rx_packets,
	       (unsigned long long)s->rx_errors, (unsigned long long)s->rx_dropped, 0, 0, 0, 0,
	       (unsigned long long)s->tx_bytes, (unsigned long long)s->tx_packets,
	       (unsigned long long)s->tx_errors, (unsigned long long)s->tx_dropped, 0, 0, 0, 0);
}

/* fifo, frame, compressed, multicast, colls and carrier are not counted
 * (0, as for Linux drivers that do not count them). The loopback netif
 * has lwIP's 32-bit MIB-II counters. */
int net_dev_format(char *buf, size_t room)
{
	size_t len = 0;
	struct netif *netif;

	if (room)
		buf[0] = '\0';
	net_appendf(buf, room, &len, "Inter-|   Receive                            "
	       "                    |  Transmit\n");
	net_appendf(buf, room, &len, " face |bytes    packets errs drop fifo frame compressed multicast"
	       "|bytes    packets errs drop fifo colls carrier compressed\n");
	LOCK_TCPIP_CORE();
	NETIF_FOREACH(netif) {
		if (netdev_netif_is_loop(netif)) {
			const struct stats_mib2_netif_ctrs *m = &netif->mib2_counters;
			struct net_device_stats s = {
				.rx_bytes = m->ifinoctets, .rx_packets = m->ifinucastpkts,
				.rx_dropped = m->ifindiscards, .tx_bytes = m->ifoutoctets,
				.tx_packets = m->ifoutucastpkts, .tx_dropped = m->ifoutdiscards,
			};
			dev_line(buf, room, &len, "lo", &s);
		}
	}
	struct net_device *dev;
	list_for_each_entry(dev, &netdev_list, node)
		dev_line(buf, room, &len, dev->name, &dev->stats);
	UNLOCK_TCPIP_CORE();
	return (int)len;
}
