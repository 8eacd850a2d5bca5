/*
 * /proc/net/tcp, udp, route and pnp in Linux's formats (proc(5), Linux's
 * tcp4_seq_show, udp4_format_sock, fib_route_seq_show and ipconfig's
 * pnp_seq_show), read from lwIP's pcb lists and netifs under the core
 * lock. fs/proc/net.c calls these through net/net.h (snprintf contract).
 *
 * Addresses print as Linux prints a __be32 with %08X on a little-endian
 * machine (127.0.0.1 is 0100007F); ports in host order (%04X).
 */
#include <net/lwip/netdev.h>
#include <kernel/cmdline.h>
#include <kernel/string.h>
#include <lwip/dhcp.h>
#include <lwip/ip.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>
#include <lwip/tcpip.h>
#include <lwip/udp.h>
#include <lwip_hooks.h>

/* Linux's USER_HZ: /proc's clock_t unit. */
#define CLOCK_T_PER_SEC 100
#define SLOW_TICK_CLOCK_T (TCP_SLOW_INTERVAL * CLOCK_T_PER_SEC / 1000)

/* Pad the line that started at start to width with spaces, then '\n'
 * (Linux's seq_setwidth + seq_pad). */
static void pad_line(char *buf, size_t room, size_t *len, size_t start, size_t width)
{
	size_t used = *len - start;

	net_appendf(buf, room, len, "%*s\n", used < width ? (int)(width - used) : 0, "");
}

static uint32_t be32(const ip4_addr_t *a)
{
	return ip4_addr_get_u32(a);     /* already network order: %08X shows it as Linux */
}

/* ---- /proc/net/tcp ----------------------------------------------------------- */

/* Linux's TCP state numbers (include/net/tcp_states.h) for lwIP's. */
static unsigned linux_tcp_state(enum tcp_state s)
{
	switch (s) {
	case ESTABLISHED: return 1;
	case SYN_SENT: return 2;
	case SYN_RCVD: return 3;
	case FIN_WAIT_1: return 4;
	case FIN_WAIT_2: return 5;
	case TIME_WAIT: return 6;
	case CLOSED: return 7;
	case CLOSE_WAIT: return 8;
	case LAST_ACK: return 9;
	case LISTEN: return 10;
	case CLOSING: return 11;
	}
	return 7;
}

#define TCP_WIDTH 149           /* Linux's TMPSZ - 1 */

static void tcp_listen_line(char *buf, size_t room, size_t *len, int i,
			    const struct tcp_pcb_listen *l)
{
	size_t start = *len;
	unsigned pending = 0;
#if TCP_LISTEN_BACKLOG
	pending = l->accepts_pending;
#endif
	net_appendf(buf, room, len,
		    "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d "
		    "%016x %lu %lu %u %u %d",
		    i, be32(ip_2_ip4(&l->local_ip)), l->local_port, 0u, 0u, 10u, 0u, pending,
		    0u, 0ul, 0u, 0u, 0, 0ul, 1, 0u, 0ul, 0ul, 0u, 0u, 0);
	pad_line(buf, room, len, start, TCP_WIDTH);
}

static void tcp_pcb_line(char *buf, size_t room, size_t *len, int i, const struct tcp_pcb *p)
{
	size_t start = *len;
	unsigned st = linux_tcp_state(p->state);
	unsigned mss = p->mss ? p->mss : TCP_MSS;

	if (p->state == TIME_WAIT) {
		/* Linux's get_timewait4_sock: timer 3, the time left. */
		uint32_t age = (uint32_t)(tcp_ticks - p->tmr) * TCP_SLOW_INTERVAL;
		uint32_t left_ms = age < 2 * TCP_MSL ? 2 * TCP_MSL - age : 0;
		net_appendf(buf, room, len,
			    "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %016x",
			    i, be32(ip_2_ip4(&p->local_ip)), p->local_port,
			    be32(ip_2_ip4(&p->remote_ip)), p->remote_port, st, 0u, 0u, 3u,
			    (unsigned long)(left_ms * CLOCK_T_PER_SEC / 1000), 0u, 0, 0, 0, 1, 0u);
		pad_line(buf, room, len, start, TCP_WIDTH);
		return;
	}
	/* tx_queue: bytes written and not yet acknowledged; rx_queue: bytes
	 * received that the application has not consumed (tcp_recved not
	 * called: the window not yet reopened). */
	uint32_t txq = p->snd_lbb - p->lastack;
	uint32_t rxq = TCP_WND_MAX(p) > p->rcv_wnd ? TCP_WND_MAX(p) - p->rcv_wnd : 0;
	unsigned timer = 0;
	unsigned long when = 0;
	if (p->unacked && p->rtime >= 0) {
		timer = 1;      /* retransmission */
		when = p->rto > p->rtime ? (unsigned long)(p->rto - p->rtime) * SLOW_TICK_CLOCK_T : 0;
	}
	net_appendf(buf, room, len,
		    "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d "
		    "%016x %lu %lu %u %u %d",
		    i, be32(ip_2_ip4(&p->local_ip)), p->local_port,
		    be32(ip_2_ip4(&p->remote_ip)), p->remote_port, st, txq, rxq, timer, when,
		    p->nrtx, 0u, 0, 0ul, 1, 0u,
		    (unsigned long)p->rto * SLOW_TICK_CLOCK_T, 0ul, 0u, p->cwnd / mss,
		    (int)(p->ssthresh / mss));
	pad_line(buf, room, len, start, TCP_WIDTH);
}

/* uid, inode and the kernel pointer print 0: lwIP's pcbs do not know
 * the socket above them (Linux prints 0 for the pointer to unprivileged
 * readers too). Listeners first, then active connections, then TIME-WAIT,
 * as Linux walks its listening hash before the established one. */
int net_tcp_format(char *buf, size_t room)
{
	size_t len = 0;
	int i = 0;

	if (room)
		buf[0] = '\0';
	net_appendf(buf, room, &len, "%-*s\n", TCP_WIDTH,
		    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
		    "retrnsmt   uid  timeout inode");
	LOCK_TCPIP_CORE();
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		tcp_listen_line(buf, room, &len, i++, l);
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		tcp_pcb_line(buf, room, &len, i++, p);
	for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
		tcp_pcb_line(buf, room, &len, i++, p);
	UNLOCK_TCPIP_CORE();
	return (int)len;
}

/* ---- /proc/net/udp ----------------------------------------------------------- */

#define UDP_WIDTH 127

/* "sl" is Linux's hash slot, the local port modulo the table size; the
 * table's smallest size (256) is used. State 01 connected, 07 not.
 * Queue sizes, uid, inode and drops are not known to lwIP's pcb: 0. */
int net_udp_format(char *buf, size_t room)
{
	size_t len = 0;

	if (room)
		buf[0] = '\0';
	net_appendf(buf, room, &len, "%-*s\n", UDP_WIDTH,
		    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
		    "retrnsmt   uid  timeout inode ref pointer drops");
	LOCK_TCPIP_CORE();
	for (struct udp_pcb *p = udp_pcbs; p; p = p->next) {
		size_t start = len;
		unsigned st = (p->flags & UDP_FLAGS_CONNECTED) ? 1 : 7;
		net_appendf(buf, room, &len,
			    "%5d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d "
			    "%016x %u",
			    p->local_port & 255, be32(ip_2_ip4(&p->local_ip)), p->local_port,
			    be32(ip_2_ip4(&p->remote_ip)), p->remote_port, st, 0u, 0u, 0u, 0ul, 0u,
			    0u, 0, 0ul, 1, 0u, 0u);
		pad_line(buf, room, &len, start, UDP_WIDTH);
	}
	UNLOCK_TCPIP_CORE();
	return (int)len;
}

/* ---- /proc/net/route --------------------------------------------------------- */

#define ROUTE_WIDTH 127
#define RTF_UP      0x1
#define RTF_GATEWAY 0x2

static void route_line(char *buf, size_t room, size_t *len, const char *dev, uint32_t dst,
		       uint32_t gw, uint32_t mask)
{
	size_t start = *len;

	net_appendf(buf, room, len, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", dev, dst,
		    gw, RTF_UP | (gw ? RTF_GATEWAY : 0), 0, 0u, 0, mask, 0, 0u, 0u);
	pad_line(buf, room, len, start, ROUTE_WIDTH);
}

/* The main table as lwIP routes (net/ifioctl.c): the default netif's
 * gateway, then one connected route per up interface with an address.
 * The loopback's routes are in Linux's local table, not shown here. */
int net_route_format(char *buf, size_t room)
{
	size_t len = 0;
	struct netif *n;

	if (room)
		buf[0] = '\0';
	net_appendf(buf, room, &len, "%-*s\n", ROUTE_WIDTH,
		    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	LOCK_TCPIP_CORE();
	n = netif_default;
	if (n && netif_is_up(n) && !netdev_netif_is_loop(n) &&
	    !ip4_addr_isany_val(*netif_ip4_addr(n)) && !ip4_addr_isany_val(*netif_ip4_gw(n)))
		route_line(buf, room, &len, netdev_netif_name(n), 0, be32(netif_ip4_gw(n)), 0);
	NETIF_FOREACH_BY_INDEX(n) {
		if (!netif_is_up(n) || netdev_netif_is_loop(n) ||
		    ip4_addr_isany_val(*netif_ip4_addr(n)))
			continue;
		uint32_t mask = be32(netif_ip4_netmask(n));
		route_line(buf, room, &len, netdev_netif_name(n), be32(netif_ip4_addr(n)) & mask,
			   0, mask);
	}
	UNLOCK_TCPIP_CORE();
	return (int)len;
}

/* ---- /proc/net/pnp and DHCP options ------------------------------------------ */

#define DHCP_ACK         5
#define OPT_DNS_SERVER   6
#define OPT_DOMAIN_NAME  15

void lwip_port_dhcp_option(struct netif *netif, unsigned msg_type, unsigned option,
			   unsigned len, struct pbuf *p, unsigned offset)
{
	struct net_device *dev;

	/* lwIP passes the netif that accepted the datagram, which for a
	 * broadcast reaching an interface with no address yet is another
	 * one (lo); the DHCP client itself uses the one it arrived on. */
	(void)netif;
	netif = ip_current_input_netif();
	if (!netif || msg_type != DHCP_ACK || netdev_netif_is_loop(netif))
		return;
	dev = netif->state;
	if (option == OPT_DNS_SERVER && len >= 4 && len % 4 == 0) {
		uint8_t a[4 * ARRAY_SIZE(dev->dhcp_dns)];
		unsigned n = MIN(len / 4, (unsigned)ARRAY_SIZE(dev->dhcp_dns));
		if (pbuf_copy_partial(p, a, (u16_t)(4 * n), (u16_t)offset) != 4 * n)
			return;
		memset(dev->dhcp_dns, 0, sizeof(dev->dhcp_dns));
		memcpy(dev->dhcp_dns, a, 4 * n);
	} else if (option == OPT_DOMAIN_NAME && len) {
		unsigned n = MIN(len, (unsigned)sizeof(dev->dhcp_domain) - 1);
		if (pbuf_copy_partial(p, dev->dhcp_domain, (u16_t)n, (u16_t)offset) != n)
			n = 0;
		dev->dhcp_domain[n] = '\0';
		/* A name with a NUL or a newline would corrupt resolv.conf. */
		for (unsigned k = 0; k < n; k++)
			if (dev->dhcp_domain[k] <= ' ' || dev->dhcp_domain[k] == 0x7f)
				dev->dhcp_domain[0] = '\0';
	}
}

static void print_ip(char *buf, size_t room, size_t *len, const char *what, uint32_t a)
{
	const uint8_t *b = (const uint8_t *)&a;

	net_appendf(buf, room, len, "%s %u.%u.%u.%u\n", what, b[0], b[1], b[2], b[3]);
}

/* ip=...:DEV:AUTOCONF:DNS0:DNS1: fields 7 and 8, as Linux's nfsroot. */
static void static_dns(char *buf, size_t room, size_t *len)
{
	char opt[128], f[32];
	ip4_addr_t a;

	if (cmdline_get("ip", opt, sizeof(opt)) <= 0)
		return;
	for (unsigned k = 7; k <= 8; k++) {
		const char *s = opt;
		unsigned i = 0;
		for (unsigned n = k; n && s; n--)
			if ((s = strchr(s, ':')))
				s++;
		if (!s)
			return;
		while (s[i] && s[i] != ':' && i + 1 < sizeof(f)) {
			f[i] = s[i];
			i++;
		}
		f[i] = '\0';
		if (i && ip4addr_aton(f, &a))
			print_ip(buf, room, len, "nameserver", ip4_addr_get_u32(&a));
	}
}

/* Linux's /proc/net/pnp (kernel IP autoconfiguration) for the first NIC:
 * "#PROTO: DHCP" with the name servers, domain and server of its lease,
 * or "#MANUAL" (with ip='s DNS fields, if any). Linux's documentation
 * suggests /etc/resolv.conf be a link to it; the run image does that. */
int net_pnp_format(char *buf, size_t room)
{
	size_t len = 0;
	struct net_device *dev = netdev_first();

	if (room)
		buf[0] = '\0';
	LOCK_TCPIP_CORE();
	if (dev && dhcp_supplied_address(&dev->netif)) {
		const struct dhcp *d = netif_dhcp_data(&dev->netif);
		net_appendf(buf, room, &len, "#PROTO: DHCP\n");
		for (size_t k = 0; k < ARRAY_SIZE(dev->dhcp_dns); k++)
			if (dev->dhcp_dns[k])
				print_ip(buf, room, &len, "nameserver", dev->dhcp_dns[k]);
		if (dev->dhcp_domain[0])
			net_appendf(buf, room, &len, "domain %s\n", dev->dhcp_domain);
		if (!ip_addr_isany_val(d->server_ip_addr))
			print_ip(buf, room, &len, "bootserver", be32(ip_2_ip4(&d->server_ip_addr)));
	} else {
		net_appendf(buf, room, &len, "#MANUAL\n");
		if (dev)
			static_dns(buf, room, &len);
	}
	UNLOCK_TCPIP_CORE();
	return (int)len;
}
