/*
 * NICs as lwIP netifs (net/lwip/netdev.c). A driver fills a struct
 * net_device (MAC, MTU, ops) and registers it; the stack names it ethN,
 * brings it up and configures it (DHCP, or ip= on the command line).
 *
 * Threading: ops->xmit and ops->poll run with the lwIP core lock held
 * (normally in the tcpip task). The driver's interrupt handler masks the
 * device's interrupts and calls netdev_schedule_poll(); poll then reaps
 * every received frame and finished transmit (several per interrupt),
 * hands frames up with netdev_rx() and unmasks the interrupts.
 */
#pragma once

#include <net/net.h>
#include <kernel/list.h>
#include <kernel/types.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>

struct net_device;

struct net_device_ops {
	/* Queue frame p (one or more pbufs) for transmission; ERR_OK or
	 * ERR_MEM when the ring is full (the frame is dropped). */
	err_t (*xmit)(struct net_device *dev, struct pbuf *p);
	/* Reap received frames and transmit completions, then re-enable
	 * the device's interrupts. */
	void (*poll)(struct net_device *dev);
};

/* Counters for /proc/net/dev, updated under the core lock. */
struct net_device_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};

struct net_device {
	/* Set by the driver before netdev_register(), then immutable. */
	const struct net_device_ops *ops;
	uint8_t mac[6];
	uint16_t mtu;
	const char *driver;             /* "virtio-net", "e1000" */
	void *priv;

	/* Set by netdev_register(). */
	char name[16];                  /* "eth0" */
	struct netif netif;
	struct tcpip_callback_msg *poll_msg;
	struct list_head node;          /* netdev_list, under the core lock */

	int poll_pending;               /* atomic: poll_msg is queued */
	struct net_device_stats stats;  /* under the core lock */
	/* From the last DHCP ACK (options 6 and 15), under the core lock;
	 * /proc/net/pnp shows them. Network order, 0: none. */
	uint32_t dhcp_dns[3];
	char dhcp_domain[64];
};

/* Add dev as a netif and configure it; 0 or -errno. Sleeps. */
int netdev_register(struct net_device *dev);
/* From the interrupt handler: run ops->poll in the tcpip task soon. */
void netdev_schedule_poll(struct net_device *dev);
/* From ops->poll: deliver a received frame (consumes p). */
void netdev_rx(struct net_device *dev, struct pbuf *p);

/* Wait up to timeout_ms for every NIC to have an IPv4 address (DHCP);
 * true if they all have one (and there is at least one NIC). */
bool netdev_wait_configured(unsigned timeout_ms);
/* The first registered NIC, NULL if none. */
struct net_device *netdev_first(void);

/* Linux's name of a netif: "lo" for lwIP's loopback, else its device's
 * "ethN". Core lock held. */
const char *netdev_netif_name(const struct netif *netif);
/* The netif Linux would call name (NULL if none); core lock held. */
struct netif *netdev_netif_find(const char *name);
/* The netif after prev (NULL: the first) in interface index order, which
 * is Linux's listing order (lo first); lwIP's own list is newest first.
 * Core lock held. */
struct netif *netdev_netif_next(const struct netif *prev);
#define NETIF_FOREACH_BY_INDEX(n) for ((n) = netdev_netif_next(NULL); (n); (n) = netdev_netif_next(n))
/* Whether netif is lwIP's loopback interface. */
bool netdev_netif_is_loop(const struct netif *netif);

/* Formatters with snprintf's contract: append to buf (room bytes) at
 * *len, which grows by the full length even past room. */
__printf(4, 5) void net_appendf(char *buf, size_t room, size_t *len, const char *fmt, ...);

/* net/lwip/timers.c: tick-less housekeeping (core lock held). */
void lwip_port_timers_init(void);
void lwip_port_frame_activity(void);

/* Driver entry points (drivers/net/). */
void virtio_net_init(void);
void e1000_init(void);
