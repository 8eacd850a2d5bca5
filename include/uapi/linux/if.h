/*
 * Interface and routing ioctls (netdevice(7), route(8)'s SIOCADDRT): the
 * SIOC* numbers, IFF_* flags and the ifreq, ifconf and rtentry layouts of
 * Linux x86-64. Compiles in the kernel and with musl-gcc; linux_ prefixes
 * keep it apart from <net/if.h> and <net/route.h>.
 */
#pragma once

#include <stdint.h>
#include <stddef.h>

#define LINUX_IFNAMSIZ 16

/* Routing table (SIOCADDRT takes a struct linux_rtentry). */
#define LINUX_SIOCADDRT        0x890B
#define LINUX_SIOCDELRT        0x890C
/* Interfaces (a struct linux_ifreq; SIOCGIFCONF a struct linux_ifconf). */
#define LINUX_SIOCGIFNAME      0x8910
#define LINUX_SIOCGIFCONF      0x8912
#define LINUX_SIOCGIFFLAGS     0x8913
#define LINUX_SIOCSIFFLAGS     0x8914
#define LINUX_SIOCGIFADDR      0x8915
#define LINUX_SIOCSIFADDR      0x8916
#define LINUX_SIOCGIFDSTADDR   0x8917
#define LINUX_SIOCGIFBRDADDR   0x8919
#define LINUX_SIOCSIFBRDADDR   0x891A
#define LINUX_SIOCGIFNETMASK   0x891B
#define LINUX_SIOCSIFNETMASK   0x891C
#define LINUX_SIOCGIFMETRIC    0x891D
#define LINUX_SIOCGIFMTU       0x8921
#define LINUX_SIOCSIFMTU       0x8922
#define LINUX_SIOCGIFHWADDR    0x8927
#define LINUX_SIOCGIFINDEX     0x8933
#define LINUX_SIOCGIFTXQLEN    0x8942
/* The device-configuration range: 0x8900..0x89ff is socket ioctls
 * (FIOSETOWN 0x8901..SIOCGSTAMP 0x8906 are per socket, the rest are the
 * network device and routing ones); 0x89e0.. are per protocol. */
#define LINUX_SIOC_FIRST       0x890B
#define LINUX_SIOC_LAST        0x89BF

#define LINUX_IFF_UP          0x1
#define LINUX_IFF_BROADCAST   0x2
#define LINUX_IFF_DEBUG       0x4
#define LINUX_IFF_LOOPBACK    0x8
#define LINUX_IFF_POINTOPOINT 0x10
#define LINUX_IFF_RUNNING     0x40
#define LINUX_IFF_NOARP       0x80
#define LINUX_IFF_PROMISC     0x100
#define LINUX_IFF_MULTICAST   0x1000

#define LINUX_ARPHRD_ETHER    1
#define LINUX_ARPHRD_LOOPBACK 772

#define LINUX_RTF_UP      0x0001
#define LINUX_RTF_GATEWAY 0x0002
#define LINUX_RTF_HOST    0x0004

/* struct sockaddr: the family and 14 bytes (an AF_INET address is the
 * port at sa_data[0..1] and the address at sa_data[2..5], network order). */
struct linux_sockaddr {
	uint16_t sa_family;
	uint8_t sa_data[14];
};
_Static_assert(sizeof(struct linux_sockaddr) == 16, "sockaddr");

struct linux_ifmap {
	uint64_t mem_start, mem_end;
	uint16_t base_addr;
	uint8_t irq, dma, port;
};
_Static_assert(sizeof(struct linux_ifmap) == 24, "ifmap");

struct linux_ifreq {
	char ifr_name[LINUX_IFNAMSIZ];
	union {
		struct linux_sockaddr ifr_addr;  /* also dstaddr, broadaddr, netmask, hwaddr */
		int16_t ifr_flags;
		int32_t ifr_ifindex;             /* also ifr_metric, ifr_qlen */
		int32_t ifr_mtu;
		struct linux_ifmap ifr_map;
		char ifr_newname[LINUX_IFNAMSIZ];
		uint64_t ifr_data;               /* user pointer */
	};
};
_Static_assert(sizeof(struct linux_ifreq) == 40, "ifreq");
_Static_assert(offsetof(struct linux_ifreq, ifr_addr) == 16, "ifreq.ifr_addr");

struct linux_ifconf {
	int32_t ifc_len;                /* in: bytes at ifc_buf; out: bytes used */
	int32_t pad;
	uint64_t ifc_buf;               /* user pointer to linux_ifreq[], or 0 */
};
_Static_assert(sizeof(struct linux_ifconf) == 16, "ifconf");
_Static_assert(offsetof(struct linux_ifconf, ifc_buf) == 8, "ifconf.ifc_buf");

struct linux_rtentry {
	uint64_t rt_pad1;
	struct linux_sockaddr rt_dst;
	struct linux_sockaddr rt_gateway;
	struct linux_sockaddr rt_genmask;
	uint16_t rt_flags;
	int16_t rt_pad2;
	uint64_t rt_pad3;
	uint64_t rt_pad4;
	int16_t rt_metric;              /* +1 for binary compatibility, as route(8) sends it */
	uint64_t rt_dev;                /* user pointer to a device name, or 0 */
	uint64_t rt_mtu;
	uint64_t rt_window;
	uint16_t rt_irtt;
};
_Static_assert(sizeof(struct linux_rtentry) == 120, "rtentry");
_Static_assert(offsetof(struct linux_rtentry, rt_dst) == 8, "rtentry.rt_dst");
_Static_assert(offsetof(struct linux_rtentry, rt_flags) == 56, "rtentry.rt_flags");
_Static_assert(offsetof(struct linux_rtentry, rt_metric) == 80, "rtentry.rt_metric");
_Static_assert(offsetof(struct linux_rtentry, rt_dev) == 88, "rtentry.rt_dev");
_Static_assert(offsetof(struct linux_rtentry, rt_irtt) == 112, "rtentry.rt_irtt");
