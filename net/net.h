/* The network stack's entry point for the boot flow (net/lwip/init.c). */
#pragma once

/* Start lwIP (the tcpip task, loopback 127.0.0.1) and probe the NICs; each
 * becomes a netif configured by DHCP or the ip= command line option. */
void net_init(void);
/* net/inet/af_inet.c: register AF_INET (after tcpip_init). */
void inet_init(void);

#include <stddef.h>

/* /proc/net/dev in Linux's format, one line per interface (lo first):
 * written into buf (at most room bytes, NUL-terminated when room > 0);
 * returns the full length, as snprintf does. */
int net_dev_format(char *buf, size_t room);
