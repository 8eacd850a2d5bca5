/*
 * In-kernel tests of the lwIP port and the NIC drivers, below the socket
 * layer: TCP over loopback through the netconn API (1 MiB, checksummed),
 * and with a NIC (boot with "ktest=net"): DHCP completes, the gateway
 * answers ICMP echo, and a TCP echo server on the host (net_test_echo=
 * ADDR:PORT on the command line, reached through QEMU's user network)
 * returns what was sent. Without a NIC the NIC cases skip.
 */
#include <kernel/arch.h>
#include <kernel/cmdline.h>
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <lwip/api.h>
#include <lwip/inet_chksum.h>
#include <lwip/ip4_addr.h>
#include <lwip/prot/icmp.h>
#include <lwip/raw.h>
#include <lwip/tcpip.h>
#include <lwip/udp.h>
#include <mm/slab.h>
#include <net/lwip/netdev.h>
#include <net/net.h>

#define XFER_BYTES (1024 * 1024)
#define CHUNK 4096

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void fill(uint8_t *buf, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)((off + i) * 7 + ((off + i) >> 11));
}

struct sink {
	struct netconn *listener;
	uint32_t hash;
	size_t got;
	volatile bool done;
};

/* Accept one connection and hash everything it sends until EOF. */
static void sink_task(void *arg)
{
	struct sink *s = arg;
	struct netconn *c;
	struct netbuf *nb;

	s->hash = 2166136261u;
	if (netconn_accept(s->listener, &c) == ERR_OK) {
		while (netconn_recv(c, &nb) == ERR_OK) {
			void *data;
			u16_t len;
			do {
				netbuf_data(nb, &data, &len);
				s->hash = fnv1a(s->hash, data, len);
				s->got += len;
			} while (netbuf_next(nb) >= 0);
			netbuf_delete(nb);
		}
		netconn_close(c);
		netconn_delete(c);
	}
	__atomic_store_n(&s->done, true, __ATOMIC_RELEASE);
}

/* Send XFER_BYTES of a known pattern on c; the pattern's hash. */
static uint32_t send_pattern(struct ktest *t, struct netconn *c)
{
	uint8_t *buf = kmalloc(CHUNK);
	uint32_t h = 2166136261u;

	if (!buf) {
		ktest_fail(t, __FILE__, __LINE__, "no memory");
		return 0;
	}
	for (size_t off = 0; off < XFER_BYTES; off += CHUNK) {
		fill(buf, off, CHUNK);
		h = fnv1a(h, buf, CHUNK);
		if (netconn_write(c, buf, CHUNK, NETCONN_COPY) != ERR_OK) {
			ktest_fail(t, __FILE__, __LINE__, "netconn_write failed at %zu", off);
			break;
		}
	}
	kfree(buf);
	return h;
}

static void test_tcp_loopback_1mib_body(struct ktest *t)
{
	struct sink s = { 0 };
	ip_addr_t lo;
	uint64_t start = time_ns();

	IP_ADDR4(&lo, 127, 0, 0, 1);
	s.listener = netconn_new(NETCONN_TCP);
	KT_ASSERT(t, s.listener != NULL);
	KT_ASSERT(t, netconn_bind(s.listener, &lo, 0) == ERR_OK);
	KT_ASSERT(t, netconn_listen(s.listener) == ERR_OK);
	u16_t port;
	ip_addr_t a;
	KT_ASSERT(t, netconn_getaddr(s.listener, &a, &port, 1) == ERR_OK);
	KT_ASSERT(t, task_create("net_sink", sink_task, &s) != NULL);

	struct netconn *c = netconn_new(NETCONN_TCP);
	KT_ASSERT(t, c != NULL);
	KT_EXPECT_EQ(t, netconn_connect(c, &lo, port), ERR_OK);
	uint32_t sent = send_pattern(t, c);
	netconn_close(c);
	netconn_delete(c);
	while (!__atomic_load_n(&s.done, __ATOMIC_ACQUIRE) && time_ns() - start < 30 * NSEC_PER_SEC)
		sleep_until(time_ns() + 1000000);
	KT_EXPECT(t, s.done);
	KT_EXPECT_EQ(t, s.got, XFER_BYTES);
	KT_EXPECT_EQ(t, s.hash, sent);
	netconn_delete(s.listener);
	printk("# net_test: 1 MiB over loopback in %llu ms\n",
	       (unsigned long long)(time_ns() - start) / 1000000);
}

/* ---- with a NIC ------------------------------------------------------------- */

static bool have_nic(struct ktest *t)
{
	if (!netdev_first()) {
		ktest_skip(t, "no NIC");
		return false;
	}
	return true;
}

static void test_dhcp_body(struct ktest *t)
{
	if (!have_nic(t))
		return;
	KT_ASSERT(t, netdev_wait_configured(20000));
	struct net_device *dev = netdev_first();
	char addr[16];
	LOCK_TCPIP_CORE();
	ip4addr_ntoa_r(netif_ip4_addr(&dev->netif), addr, sizeof(addr));
	UNLOCK_TCPIP_CORE();
	printk("# net_test: %s (%s) got %s\n", dev->name, dev->driver, addr);
}

struct pinger {
	volatile bool replied;
	u16_t id;
};

static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct pinger *pg = arg;
	struct icmp_echo_hdr h;
	/* Raw IPv4 pcbs see the IP header. */
	u16_t ihl = (u16_t)((((u8_t *)p->payload)[0] & 0xf) * 4);

	if (pbuf_copy_partial(p, &h, sizeof(h), ihl) == sizeof(h) && h.type == ICMP_ER &&
	    h.id == pg->id) {
		pg->replied = true;
		pbuf_free(p);
		return 1;
	}
	return 0;
}

static void test_ping_gateway_body(struct ktest *t)
{
	if (!have_nic(t))
		return;
	KT_ASSERT(t, netdev_wait_configured(20000));
	struct pinger pg = { .id = 0x6f67 };
	struct net_device *dev = netdev_first();

	LOCK_TCPIP_CORE();
	struct raw_pcb *pcb = raw_new(IP_PROTO_ICMP);
	ip_addr_t gw;
	ip_addr_copy_from_ip4(gw, *netif_ip4_gw(&dev->netif));
	if (pcb)
		raw_recv(pcb, ping_recv, &pg);
	UNLOCK_TCPIP_CORE();
	KT_ASSERT(t, pcb != NULL);
	for (int i = 0; i < 5 && !pg.replied; i++) {
		LOCK_TCPIP_CORE();
		struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + 32, PBUF_RAM);
		if (p) {
			struct icmp_echo_hdr *h = p->payload;
			memset(h, 0, p->len);
			h->type = ICMP_ECHO;
			h->id = pg.id;
			h->seqno = lwip_htons((u16_t)i);
			h->chksum = inet_chksum(h, p->len);
			raw_sendto(pcb, p, &gw);
			pbuf_free(p);
		}
		UNLOCK_TCPIP_CORE();
		uint64_t end = time_ns() + NSEC_PER_SEC;
		while (!pg.replied && time_ns() < end)
			sleep_until(time_ns() + 1000000);
	}
	LOCK_TCPIP_CORE();
	raw_remove(pcb);
	UNLOCK_TCPIP_CORE();
	KT_EXPECT(t, pg.replied);
}

static unsigned atoi_port(const char *s)
{
	unsigned v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned)(*s++ - '0');
	return v;
}

/* The host's echo server returns the 1 MiB pattern; hash what comes back. */
static void test_tcp_host_echo_body(struct ktest *t)
{
	char opt[64];
	ip_addr_t addr;

	if (!have_nic(t))
		return;
	if (cmdline_get("net_test_echo", opt, sizeof(opt)) <= 0) {
		ktest_skip(t, "no net_test_echo=ADDR:PORT");
		return;
	}
	char *colon = strchr(opt, ':');
	KT_ASSERT(t, colon != NULL);
	*colon = '\0';
	KT_ASSERT(t, ip4addr_aton(opt, ip_2_ip4(&addr)));
	IP_SET_TYPE_VAL(addr, IPADDR_TYPE_V4);
	u16_t port = (u16_t)atoi_port(colon + 1);
	KT_ASSERT(t, netdev_wait_configured(20000));

	struct netconn *c = netconn_new(NETCONN_TCP);
	KT_ASSERT(t, c != NULL);
	uint64_t start = time_ns();
	err_t err = netconn_connect(c, &addr, port);
	KT_EXPECT_EQ(t, err, ERR_OK);
	if (err != ERR_OK) {
		netconn_delete(c);
		return;
	}
	/* The echo comes back while we send: a task of ours drains it. */
	struct sink s = { .listener = NULL };
	s.hash = 2166136261u;
	netconn_set_recvtimeout(c, 20000);
	uint8_t *buf = kmalloc(CHUNK);
	KT_ASSERT(t, buf != NULL);
	uint32_t h = 2166136261u;
	size_t sent = 0;
	while (s.got < XFER_BYTES) {
		if (sent < XFER_BYTES) {
			fill(buf, sent, CHUNK);
			h = fnv1a(h, buf, CHUNK);
			size_t written = 0;
			if (netconn_write_partly(c, buf, CHUNK, NETCONN_COPY, &written) != ERR_OK ||
			    written != CHUNK) {
				ktest_fail(t, __FILE__, __LINE__, "write failed at %zu", sent);
				break;
			}
			sent += CHUNK;
		}
		/* Drain what has arrived without blocking the sender for long. */
		struct netbuf *nb;
		netconn_set_nonblocking(c, sent < XFER_BYTES);
		err = netconn_recv(c, &nb);
		netconn_set_nonblocking(c, 0);
		if (err == ERR_WOULDBLOCK)
			continue;
		if (err != ERR_OK) {
			ktest_fail(t, __FILE__, __LINE__, "recv: %d after %zu bytes", err, s.got);
			break;
		}
		void *data;
		u16_t len;
		do {
			netbuf_data(nb, &data, &len);
			s.hash = fnv1a(s.hash, data, len);
			s.got += len;
		} while (netbuf_next(nb) >= 0);
		netbuf_delete(nb);
	}
	kfree(buf);
	netconn_close(c);
	netconn_delete(c);
	KT_EXPECT_EQ(t, s.got, XFER_BYTES);
	KT_EXPECT_EQ(t, s.hash, h);
	printk("# net_test: 1 MiB echoed by the host in %llu ms\n",
	       (unsigned long long)(time_ns() - start) / 1000000);
}

/* Field n (0-based, after the "name:") of the line for iface, or -1. */
static long long proc_dev_field(const char *text, const char *iface, unsigned n)
{
	char key[24];
	const char *p;

	snprintf(key, sizeof(key), " %s:", iface);
	if (!(p = strstr(text, key)))
		return -1;
	p += strlen(key);
	for (unsigned i = 0;; i++) {
		while (*p == ' ')
			p++;
		long long v = 0;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (*p++ - '0');
		if (i == n)
			return v;
	}
}

/* /proc/net/dev: Linux's two header lines, lo (which the loopback case
 * used) and each NIC with the frames it moved; snprintf's contract. */
static void test_proc_net_dev_body(struct ktest *t)
{
	char *buf = kmalloc(4096);
	KT_ASSERT(t, buf != NULL);
	int n = net_dev_format(buf, 4096);
	KT_EXPECT(t, n > 0 && n < 4096);
	KT_EXPECT(t, !strncmp(buf, "Inter-|   Receive", 17));
	KT_EXPECT(t, strstr(buf, "\n face |bytes    packets errs drop fifo frame compressed "
			    "multicast|bytes    packets errs drop fifo colls carrier compressed\n"));
	/* The 1 MiB loopback transfer went through lo both ways. */
	KT_EXPECT(t, proc_dev_field(buf, "lo", 0) > XFER_BYTES);
	KT_EXPECT(t, proc_dev_field(buf, "lo", 1) > 0);
	KT_EXPECT(t, proc_dev_field(buf, "lo", 8) > XFER_BYTES);
	struct net_device *dev = netdev_first();
	if (dev && netdev_wait_configured(20000)) {
		KT_EXPECT(t, proc_dev_field(buf, dev->name, 1) > 0);     /* rx packets */
		KT_EXPECT(t, proc_dev_field(buf, dev->name, 9) > 0);     /* tx packets */
	}
	/* Truncated: the full length still comes back, the text is cut. */
	char small[8];
	KT_EXPECT_EQ(t, net_dev_format(small, sizeof(small)), n);
	KT_EXPECT_EQ(t, strlen(small), sizeof(small) - 1);
	kfree(buf);
}

/* Every line of buf is width characters before its newline (seq_pad). */
static bool lines_padded(const char *buf, size_t width)
{
	for (const char *l = buf; *l;) {
		const char *nl = strchr(l, '\n');
		if (!nl || (size_t)(nl - l) != width)
			return false;
		l = nl + 1;
	}
	return true;
}

/* /proc/net/tcp, udp, route and pnp: a loopback TCP listener and
 * connection and a UDP pcb appear with Linux's hex addresses and states;
 * with a NIC configured by QEMU's DHCP, the default and connected routes
 * and the lease's name server. */
static void test_proc_net_tables_body(struct ktest *t)
{
	const size_t room = 16384;
	char *buf = kmalloc(room), want[64];
	ip_addr_t lo, a;
	u16_t lport, cport;

	KT_ASSERT(t, buf != NULL);
	IP_ADDR4(&lo, 127, 0, 0, 1);
	struct netconn *l = netconn_new(NETCONN_TCP), *c = netconn_new(NETCONN_TCP);
	KT_ASSERT(t, l && c);
	KT_ASSERT(t, netconn_bind(l, &lo, 0) == ERR_OK);
	KT_ASSERT(t, netconn_listen(l) == ERR_OK);
	KT_ASSERT(t, netconn_getaddr(l, &a, &lport, 1) == ERR_OK);
	KT_ASSERT(t, netconn_connect(c, &lo, lport) == ERR_OK);
	KT_ASSERT(t, netconn_getaddr(c, &a, &cport, 1) == ERR_OK);
	LOCK_TCPIP_CORE();
	struct udp_pcb *u = udp_new();
	KT_ASSERT(t, u && udp_bind(u, &lo, 0) == ERR_OK);
	u16_t uport = u->local_port;
	UNLOCK_TCPIP_CORE();

	int n = net_tcp_format(buf, room);
	KT_EXPECT(t, n > 0 && (size_t)n < room);
	KT_EXPECT(t, !strncmp(buf, "  sl  local_address rem_address   st tx_queue rx_queue tr "
			      "tm->when retrnsmt   uid  timeout inode ", 96));
	KT_EXPECT(t, lines_padded(buf, 149));
	snprintf(want, sizeof(want), ": 0100007F:%04X 00000000:0000 0A ", lport);
	KT_EXPECT(t, strstr(buf, want) != NULL);
	snprintf(want, sizeof(want), ": 0100007F:%04X 0100007F:%04X 01 ", cport, lport);
	KT_EXPECT(t, strstr(buf, want) != NULL);
	snprintf(want, sizeof(want), ": 0100007F:%04X 0100007F:%04X 01 ", lport, cport);
	KT_EXPECT(t, strstr(buf, want) != NULL);
	char small[8];
	KT_EXPECT_EQ(t, net_tcp_format(small, sizeof(small)), n);

	n = net_udp_format(buf, room);
	KT_EXPECT(t, n > 0 && (size_t)n < room);
	KT_EXPECT(t, lines_padded(buf, 127));
	snprintf(want, sizeof(want), "%5d: 0100007F:%04X 00000000:0000 07 ", uport & 255, uport);
	KT_EXPECT(t, strstr(buf, want) != NULL);

	netconn_delete(c);
	netconn_delete(l);
	LOCK_TCPIP_CORE();
	udp_remove(u);
	UNLOCK_TCPIP_CORE();
	net_udp_format(buf, room);
	KT_EXPECT(t, strstr(buf, want) == NULL);

	n = net_route_format(buf, room);
	KT_EXPECT(t, lines_padded(buf, 127));
	KT_EXPECT(t, !strncmp(buf, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask"
			      "\t\tMTU\tWindow\tIRTT ", 72));
	struct net_device *dev = netdev_first();
	if (dev && netdev_wait_configured(20000)) {
		KT_EXPECT(t, strstr(buf, "\neth0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0 "));
		KT_EXPECT(t, strstr(buf, "\neth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0 "));
		net_pnp_format(buf, room);
		KT_EXPECT(t, !strcmp(buf, "#PROTO: DHCP\nnameserver 10.0.2.3\nbootserver 10.0.2.2\n"));
	} else {
		KT_EXPECT_EQ(t, n, 128);        /* the header alone */
		net_pnp_format(buf, room);
		KT_EXPECT(t, !strcmp(buf, "#MANUAL\n"));
	}
	kfree(buf);
}

/* ---- cases: each body runs in a kernel task ------------------------------------ */

/* Tests run in CPU 0's boot flow, which must not sleep; the body sleeps
 * (lwIP waits on semaphores), so it runs in a task and the flow yields. */
struct net_run {
	struct ktest *t;
	void (*body)(struct ktest *t);
	bool done;
};

static void net_run_task(void *arg)
{
	struct net_run *r = arg;

	r->body(r->t);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
}

static void run_in_task(struct ktest *t, void (*body)(struct ktest *t))
{
	/* Static: a body still running after the timeout keeps its argument. */
	static struct net_run r;
	uint64_t end = time_ns() + 60 * NSEC_PER_SEC;

	r = (struct net_run){ t, body, false };
	KT_ASSERT(t, task_create("net_test", net_run_task, &r) != NULL);
	arch_irq_enable();
	while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) && time_ns() < end) {
		schedule();
		arch_cpu_relax();
	}
	KT_EXPECT(t, __atomic_load_n(&r.done, __ATOMIC_ACQUIRE));
}

#define NET_CASE(name) \
	static void name(struct ktest *t) { run_in_task(t, name##_body); }
NET_CASE(test_tcp_loopback_1mib)
NET_CASE(test_dhcp)
NET_CASE(test_ping_gateway)
NET_CASE(test_tcp_host_echo)
NET_CASE(test_proc_net_dev)
NET_CASE(test_proc_net_tables)

static struct ktest_case net_cases[] = {
	KTEST_CASE(test_tcp_loopback_1mib),
	KTEST_CASE(test_dhcp),
	KTEST_CASE(test_ping_gateway),
	KTEST_CASE(test_tcp_host_echo),
	KTEST_CASE(test_proc_net_dev),
	KTEST_CASE(test_proc_net_tables),
	{},
};
KTEST_SUITE(net, net_cases);
