/*
 * lwIP hooks (LWIP_HOOK_FILENAME in lwipopts.h): included by lwIP's own
 * sources, so only forward declarations and plain types here.
 */
#pragma once

struct netif;
struct pbuf;

/* Every DHCP option lwIP does not decode itself: procnet.c keeps the
 * name servers (6) and domain (15) of an ACK for /proc/net/pnp, since
 * lwIP decodes option 6 only with its own DNS client, which is off. */
void lwip_port_dhcp_option(struct netif *netif, unsigned msg_type, unsigned option,
			   unsigned len, struct pbuf *p, unsigned offset);

#define LWIP_HOOK_DHCP_PARSE_OPTION(netif, dhcp, state, msg, msg_type, option, len, pbuf, offset) \
	do { (void)(msg); lwip_port_dhcp_option(netif, msg_type, option, len, pbuf, offset); } while (0)
