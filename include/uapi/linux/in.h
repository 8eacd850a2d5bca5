/*
 * AF_INET ABI (ip(7), tcp(7), udp(7), icmp(7)): protocol numbers, the
 * IPPROTO_IP and IPPROTO_TCP option numbers we answer, and sockaddr_in,
 * with Linux x86-64's values and layout. linux_/LINUX_ prefixes so that
 * it compiles beside musl's <netinet/in.h>.
 */
#pragma once

#include <stdint.h>

#define LINUX_IPPROTO_IP   0
#define LINUX_IPPROTO_ICMP 1
#define LINUX_IPPROTO_TCP  6
#define LINUX_IPPROTO_UDP  17

#define LINUX_SOL_IP  0
#define LINUX_SOL_TCP 6

/* IPPROTO_IP options */
#define LINUX_IP_TOS  1
#define LINUX_IP_TTL  2

/* IPPROTO_TCP options */
#define LINUX_TCP_NODELAY   1
#define LINUX_TCP_MAXSEG    2
#define LINUX_TCP_KEEPIDLE  4
#define LINUX_TCP_KEEPINTVL 5
#define LINUX_TCP_KEEPCNT   6

#define LINUX_INADDR_ANY       0x00000000u
#define LINUX_INADDR_BROADCAST 0xffffffffu

struct linux_sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port;              /* network order */
	uint32_t sin_addr;              /* network order */
	uint8_t sin_zero[8];
};
_Static_assert(sizeof(struct linux_sockaddr_in) == 16, "sockaddr_in");
