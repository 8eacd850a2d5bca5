/* The network stack's entry point for the boot flow (net/lwip/init.c). */
#pragma once

/* Start lwIP (the tcpip task, loopback 127.0.0.1) and probe the NICs; each
 * becomes a netif configured by DHCP or the ip= command line option. */
void net_init(void);
