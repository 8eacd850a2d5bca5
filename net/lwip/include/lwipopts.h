/*
 * lwIP configuration for goos (lwIP src/include/lwip/opt.h documents every
 * option). The stack runs with NO_SYS=0: one tcpip kernel task owns the
 * core, callers outside it take the core lock (LWIP_TCPIP_CORE_LOCKING),
 * NICs hand received frames over from their interrupt handlers by posting
 * a preallocated callback (docs/networking.md, "lwIP port").
 */
#pragma once

/* ---- threading --------------------------------------------------------- */
#define NO_SYS                          0
#define SYS_LIGHTWEIGHT_PROT            1
#define LWIP_TCPIP_CORE_LOCKING         1
#define LWIP_TCPIP_CORE_LOCKING_INPUT   0
#define TCPIP_THREAD_NAME               "tcpip"
#define TCPIP_THREAD_STACKSIZE          0       /* kernel tasks have one size */
#define TCPIP_THREAD_PRIO               0
#define TCPIP_MBOX_SIZE                 1024
#define DEFAULT_THREAD_STACKSIZE        0
#define DEFAULT_RAW_RECVMBOX_SIZE       256
#define DEFAULT_UDP_RECVMBOX_SIZE       256
#define DEFAULT_TCP_RECVMBOX_SIZE       1024
#define DEFAULT_ACCEPTMBOX_SIZE         256
#define LWIP_TCPIP_TIMEOUT              1
void lwip_port_assert_core_locked(void);
/* The core unlock wakes the tcpip task when another task armed an earlier
 * timeout (net/lwip/timers.c). */
void lwip_port_core_unlock(void);
#define LOCK_TCPIP_CORE()               sys_mutex_lock(&lock_tcpip_core)
#define UNLOCK_TCPIP_CORE()             lwip_port_core_unlock()
/* Exposes lwip_cyclic_timer so that net/lwip/timers.c can replace the
 * cyclic timers by tick-less ones; it changes nothing else in lwIP 2.1. */
#define LWIP_TESTMODE                   1

/* Hooks: DHCP options for /proc/net/pnp (net/lwip/procnet.c). */
#define LWIP_HOOK_FILENAME              "lwip_hooks.h"
#define LWIP_ASSERT_CORE_LOCKED()       lwip_port_assert_core_locked()

/* ---- memory: the kernel's slab allocator for heap and pools ------------ */
/* Pools are kmalloc'ed too: limits below only size lwIP's sanity checks;
 * what bounds memory is the TCP windows and mailbox sizes. */
#define MEM_LIBC_MALLOC                 1
#define MEMP_MEM_MALLOC                 1
#define MEM_ALIGNMENT                   8
#define MEM_SIZE                        (4 * 1024 * 1024)
#include <mm/slab.h>
#define mem_clib_malloc(sz)             kmalloc(sz)
#define mem_clib_free(p)                kfree(p)
#define mem_clib_calloc(n, sz)          kzalloc((unsigned long)(n) * (sz))
#define MEMP_NUM_PBUF                   1024
#define MEMP_NUM_RAW_PCB                64
#define MEMP_NUM_UDP_PCB                256
#define MEMP_NUM_TCP_PCB                1024
#define MEMP_NUM_TCP_PCB_LISTEN         256
#define MEMP_NUM_TCP_SEG                8192
#define MEMP_NUM_NETBUF                 1024
#define MEMP_NUM_NETCONN                2048
#define MEMP_NUM_TCPIP_MSG_API          1024
#define MEMP_NUM_TCPIP_MSG_INPKT        1024
#define MEMP_NUM_SYS_TIMEOUT            (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 64)
#define PBUF_POOL_SIZE                  1024
/* One full Ethernet frame plus the virtio-net header room, per pool pbuf. */
#define PBUF_POOL_BUFSIZE               1600

/* ---- protocols ---------------------------------------------------------- */
#define LWIP_IPV4                       1
#define LWIP_IPV6                       0
#define LWIP_ARP                        1
#define LWIP_ETHERNET                   1
#define LWIP_ICMP                       1
#define LWIP_RAW                        1
#define LWIP_UDP                        1
#define LWIP_TCP                        1
#define LWIP_DHCP                       1
#define DHCP_DOES_ARP_CHECK             0       /* no 1 s probe before bound */
#define LWIP_AUTOIP                     0
#define LWIP_IGMP                       0
#define LWIP_DNS                        0       /* user space resolves (musl) */
#define IP_REASSEMBLY                   1
#define IP_FRAG                         1
#define IP_REASS_MAX_PBUFS              64
#define IP_DEFAULT_TTL                  64
#define LWIP_BROADCAST_PING             0

/* ---- TCP tuned for throughput (window scaling on) ----------------------- */
#define TCP_MSS                         1460
#define LWIP_WND_SCALE                  1
#define TCP_RCV_SCALE                   3
#define TCP_WND                         (256 * 1024)
#define TCP_SND_BUF                     (256 * 1024)
#define TCP_SND_QUEUELEN                (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT                    (32 * 1024)
#define TCP_SNDQUEUELOWAT               (TCP_SND_QUEUELEN / 2)
#define TCP_OVERSIZE                    TCP_MSS
#define LWIP_TCP_TIMESTAMPS             0
#define TCP_LISTEN_BACKLOG              1
/* TIME-WAIT lasts 2 x TCP_MSL: 10 s instead of lwIP's 2 min (Linux: 60 s).
 * While a TIME-WAIT pcb exists the TCP timer ticks 4 times a second, which
 * would break the kernel's tick-less idle for minutes after a test that
 * closes connections (docs/networking.md, "Timers"). */
#define TCP_MSL                         5000UL
#define TCP_DEFAULT_LISTEN_BACKLOG      0xff
#define LWIP_TCP_SACK_OUT               0
#define TCP_QUEUE_OOSEQ                 1
#define LWIP_TCP_KEEPALIVE              1
#define SO_REUSE                        1
#define SO_REUSE_RXTOALL                1

/* ---- netifs -------------------------------------------------------------- */
#define LWIP_NETIF_API                  1
#define LWIP_NETIF_STATUS_CALLBACK      1
#define LWIP_NETIF_LINK_CALLBACK        1
#define LWIP_NETIF_HOSTNAME             1
#define LWIP_NETIF_LOOPBACK             1
#define LWIP_HAVE_LOOPIF                1
#define LWIP_LOOPBACK_MAX_PBUFS         0
#define LWIP_NETIF_TX_SINGLE_PBUF       0
#define LWIP_SINGLE_NETIF               0
#define ETH_PAD_SIZE                    0
#define LWIP_CHECKSUM_CTRL_PER_NETIF    1

/* ---- sequential APIs: netconn for the kernel's sockets, no lwIP sockets -- */
#define LWIP_NETCONN                    1
#define LWIP_SOCKET                     0
#define LWIP_COMPAT_SOCKETS             0
#define LWIP_SO_RCVTIMEO                1
#define LWIP_SO_SNDTIMEO                1
#define LWIP_SO_RCVBUF                  1
#define LWIP_SO_LINGER                  1
#define LWIP_NETCONN_FULLDUPLEX         0
#define LWIP_NETBUF_RECVINFO            0
#define LWIP_TCP_PCB_NUM_EXT_ARGS       1       /* the socket layer's back pointer */
#define LWIP_CALLBACK_API               1

/* ---- statistics and debugging ----------------------------------------- */
/* Only the per-netif MIB-II counters (the loopback's line of /proc/net/dev);
 * the global protocol counters stay off. */
#define LWIP_STATS                      1
#define MIB2_STATS                      1
#define LINK_STATS                      0
#define ETHARP_STATS                    0
#define IP_STATS                        0
#define IPFRAG_STATS                    0
#define ICMP_STATS                      0
#define IGMP_STATS                      0
#define UDP_STATS                       0
#define TCP_STATS                       0
#define MEM_STATS                       0
#define MEMP_STATS                      0
#define SYS_STATS                       0
#define LWIP_DEBUG                      0
