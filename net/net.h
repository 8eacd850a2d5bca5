/* The network stack's entry point for the boot flow (net/lwip/init.c). */
#pragma once

/* Start lwIP (the tcpip task, loopback 127.0.0.1) and probe the NICs; each
 * becomes a netif configured by DHCP or the ip= command line option. */
void net_init(void);
/* net/inet/af_inet.c: register AF_INET (after tcpip_init). */
void inet_init(void);

#include <stddef.h>
#include <stdbool.h>

/* Interface and routing ioctls (net/ifioctl.c, netdevice(7)): whether the
 * socket layer sends cmd here for a socket of family (the device ones
 * from any family, the IPv4 address and route ones from AF_INET only, as
 * Linux), and the ioctl itself: 0 or -errno. */
bool net_dev_ioctl_handles(unsigned cmd, int family);
long net_dev_ioctl(unsigned cmd, void *uarg);

/* /proc/net/dev in Linux's format, one line per interface (lo first):
 * written into buf (at most room bytes, NUL-terminated when room > 0);
 * returns the full length, as snprintf does. */
int net_dev_format(char *buf, size_t room);

/* /proc/net/tcp, udp, route (Linux's formats, net/lwip/procnet.c) and
 * pnp (the boot-time DHCP or static configuration: name servers, as
 * Linux's kernel IP autoconfiguration shows them); same contract. */
int net_tcp_format(char *buf, size_t room);
int net_udp_format(char *buf, size_t room);
int net_route_format(char *buf, size_t room);
int net_pnp_format(char *buf, size_t room);
