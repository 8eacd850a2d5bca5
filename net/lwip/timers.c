/*
 * Tick-less lwIP housekeeping. Stock lwIP re-arms its cyclic timers (ARP
 * and IP reassembly every second, DHCP every 500 ms and every minute)
 * forever, which would wake an idle machine several times a second. Here
 * they run only while they have work:
 *
 *  - the TCP timer: lwIP's own on-demand one (tcp_timer_needed);
 *  - ARP, IP reassembly and DHCP's fine timer: while a NIC moved a frame in
 *    the last HK_IDLE_MS (3 s), or a DHCP client has no address yet. ARP and
 *    reassembly ages are caught up when they restart, so entries age by
 *    wall time (up to ARP_MAXAGE seconds of it);
 *  - DHCP's coarse timer (lease renewal): every minute, always.
 *
 * A timeout armed by a task other than tcpip (a socket call under the core
 * lock) may be earlier than the one the tcpip task sleeps towards; the
 * core unlock then posts a no-op message so that it recomputes its sleep.
 *
 * Everything here runs under the lwIP core lock.
 */
#include <lwip/dhcp.h>
#include <lwip/etharp.h>
#include <lwip/ip4_frag.h>
#include <lwip/tcpip.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/timeouts.h>
#include <net/lwip/netdev.h>
#include <kernel/task.h>

#define HK_IDLE_MS   3000
#define HK_TICK_MS   DHCP_FINE_TIMER_MSECS      /* 500 */
#define HK_SLOW_MS   1000                       /* ARP_TMR_INTERVAL, IP_TMR_INTERVAL */

extern struct task *lwip_tcpip_task;

/* Under the core lock. */
static bool hk_active;
static u32_t hk_last_frame;             /* sys_now() of the last frame */
static u32_t hk_last_slow;              /* when the 1 s timers last ran */
static bool tcpip_sleep_infinite;       /* what the tcpip task sleeps towards */
static u32_t tcpip_wake_at;

static bool dhcp_pending(void)
{
	struct netif *netif;

	NETIF_FOREACH(netif)
		if (netif_dhcp_data(netif) && netif_is_up(netif) && !dhcp_supplied_address(netif))
			return true;
	return false;
}

static void hk_tick(void *arg)
{
	u32_t now = sys_now();
	unsigned n = 0;

	dhcp_fine_tmr();
	while ((u32_t)(now - hk_last_slow) >= HK_SLOW_MS && n++ < ARP_MAXAGE) {
		etharp_tmr();
		ip_reass_tmr();
		hk_last_slow += HK_SLOW_MS;
	}
	if ((u32_t)(now - hk_last_slow) >= HK_SLOW_MS)
		hk_last_slow = now;
	if ((u32_t)(now - hk_last_frame) > HK_IDLE_MS && !dhcp_pending()) {
		hk_active = false;
		return;
	}
	sys_timeout(HK_TICK_MS, hk_tick, NULL);
}

/* A NIC sent or received a frame (net/lwip/netdev.c). */
void lwip_port_frame_activity(void)
{
	hk_last_frame = sys_now();
	if (!hk_active) {
		hk_active = true;
		sys_timeout(HK_TICK_MS, hk_tick, NULL);
	}
}

static void hk_coarse(void *arg)
{
	dhcp_coarse_tmr();
	sys_timeout(DHCP_COARSE_TIMER_MSECS, hk_coarse, NULL);
}

/* Replace lwIP's cyclic timers (all but TCP's) by the above. Core lock held. */
void lwip_port_timers_init(void)
{
	for (int i = 0; i < lwip_num_cyclic_timers; i++)
		if (lwip_cyclic_timers[i].handler != tcp_tmr)
			sys_untimeout(lwip_cyclic_timer, (void *)&lwip_cyclic_timers[i]);
	hk_last_slow = sys_now();
	sys_timeout(DHCP_COARSE_TIMER_MSECS, hk_coarse, NULL);
}

static void noop(void *arg)
{
}

/* UNLOCK_TCPIP_CORE (lwipopts.h). */
void lwip_port_core_unlock(void)
{
	u32_t sleep = sys_timeouts_sleeptime();
	bool infinite = sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE;
	u32_t at = sys_now() + (infinite ? 0 : sleep);
	bool kick = false;

	if (current_task() == READ_ONCE(lwip_tcpip_task)) {
		/* About to sleep in its mailbox until `at`. */
		tcpip_sleep_infinite = infinite;
		tcpip_wake_at = at;
	} else if (!infinite) {
		kick = tcpip_sleep_infinite || (s32_t)(at - tcpip_wake_at) < 0;
	}
	sys_mutex_unlock(&lock_tcpip_core);
	if (kick)
		tcpip_try_callback(noop, NULL);
}
