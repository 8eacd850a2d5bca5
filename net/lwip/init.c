/*
 * Starting the network at boot: lwIP's tcpip task (which owns the stack;
 * lwip_init() adds the loopback netif 127.0.0.1), then the NIC drivers,
 * whose probes register netifs and start DHCP. Probing sleeps, so it runs
 * in a kernel task and the boot flow (CPU 0's idle task) yields until it
 * is done, as block_init() does; DHCP completes in the background.
 */
#include <net/lwip/netdev.h>
#include <net/net.h>
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <lwip/tcpip.h>

#define NET_PROBE_TIMEOUT_NS (30 * NSEC_PER_SEC)

static bool probed;

/*
 * TCP and UDP on the loopback netif neither compute nor verify checksums:
 * the frames never leave memory (Linux's lo does the same with
 * CHECKSUM_PARTIAL). IP and ICMP keep theirs: ping checks its reply.
 */
static void loopback_checksums(void)
{
	struct netif *netif;

	NETIF_FOREACH(netif)
		if (netif->name[0] == 'l' && netif->name[1] == 'o')
			NETIF_SET_CHECKSUM_CTRL(netif, NETIF_CHECKSUM_ENABLE_ALL &
						~(NETIF_CHECKSUM_GEN_UDP | NETIF_CHECKSUM_GEN_TCP |
						  NETIF_CHECKSUM_CHECK_UDP | NETIF_CHECKSUM_CHECK_TCP));
}

static void net_probe_task(void *arg)
{
	LOCK_TCPIP_CORE();
	loopback_checksums();
	lwip_port_timers_init();
	UNLOCK_TCPIP_CORE();
	virtio_net_init();
	e1000_init();
	__atomic_store_n(&probed, true, __ATOMIC_RELEASE);
}

void net_init(void)
{
	uint64_t end = time_ns() + NET_PROBE_TIMEOUT_NS;

	tcpip_init(NULL, NULL);
	inet_init();
	if (!task_create("net_probe", net_probe_task, NULL)) {
		pr_err("net: cannot start the probe task\n");
		return;
	}
	arch_irq_enable();
	while (!__atomic_load_n(&probed, __ATOMIC_ACQUIRE)) {
		if (time_ns() > end) {
			pr_err("net: NIC probing still runs; booting on\n");
			return;
		}
		schedule();
		arch_cpu_relax();
	}
}
