/*
 * Socket ABI: address families, socket types, option and message-flag
 * numbers, and the structures the socket calls exchange, with Linux
 * x86-64's values and layouts. Compiles in the kernel and with musl-gcc;
 * the structures carry a linux_ prefix so a program may include this next
 * to <sys/socket.h> (whose names are the same without it).
 */
#pragma once

#include <stdint.h>
#include <stddef.h>

#define LINUX_AF_UNSPEC   0
#define LINUX_AF_UNIX     1
#define LINUX_AF_INET     2
#define LINUX_AF_INET6    10
#define LINUX_AF_MAX      46    /* families are below this (NPROTO) */

#define LINUX_SOCK_STREAM    1
#define LINUX_SOCK_DGRAM     2
#define LINUX_SOCK_RAW       3
#define LINUX_SOCK_RDM       4
#define LINUX_SOCK_SEQPACKET 5
#define LINUX_SOCK_PACKET    10
#define LINUX_SOCK_MAX       11
#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_NONBLOCK  04000      /* O_NONBLOCK */
#define LINUX_SOCK_CLOEXEC   02000000   /* O_CLOEXEC */

#define LINUX_SOL_SOCKET     1

#define LINUX_SO_DEBUG       1
#define LINUX_SO_REUSEADDR   2
#define LINUX_SO_TYPE        3
#define LINUX_SO_ERROR       4
#define LINUX_SO_DONTROUTE   5
#define LINUX_SO_BROADCAST   6
#define LINUX_SO_SNDBUF      7
#define LINUX_SO_RCVBUF      8
#define LINUX_SO_KEEPALIVE   9
#define LINUX_SO_OOBINLINE   10
#define LINUX_SO_LINGER      13
#define LINUX_SO_REUSEPORT   15
#define LINUX_SO_PASSCRED    16
#define LINUX_SO_PEERCRED    17
#define LINUX_SO_RCVLOWAT    18
#define LINUX_SO_SNDLOWAT    19
#define LINUX_SO_RCVTIMEO    20         /* SO_RCVTIMEO_OLD: a struct timeval */
#define LINUX_SO_SNDTIMEO    21
#define LINUX_SO_ACCEPTCONN  30
#define LINUX_SO_SNDBUFFORCE 32
#define LINUX_SO_RCVBUFFORCE 33
#define LINUX_SO_PROTOCOL    38
#define LINUX_SO_DOMAIN      39

#define LINUX_SCM_RIGHTS      1
#define LINUX_SCM_CREDENTIALS 2
#define LINUX_SCM_MAX_FD      253       /* descriptors in one message */

#define LINUX_MSG_OOB          0x1
#define LINUX_MSG_PEEK         0x2
#define LINUX_MSG_DONTROUTE    0x4
#define LINUX_MSG_CTRUNC       0x8
#define LINUX_MSG_TRUNC        0x20
#define LINUX_MSG_DONTWAIT     0x40
#define LINUX_MSG_EOR          0x80
#define LINUX_MSG_WAITALL      0x100
#define LINUX_MSG_NOSIGNAL     0x4000
#define LINUX_MSG_CMSG_CLOEXEC 0x40000000

#define LINUX_SHUT_RD   0
#define LINUX_SHUT_WR   1
#define LINUX_SHUT_RDWR 2

#define LINUX_UNIX_PATH_MAX 108

struct linux_sockaddr_un {
	uint16_t sun_family;
	char sun_path[LINUX_UNIX_PATH_MAX];
};
_Static_assert(sizeof(struct linux_sockaddr_un) == 110, "sockaddr_un");

/* Big enough for any family's address (sockaddr_storage). */
struct linux_sockaddr_storage {
	uint16_t ss_family;
	char data[126];
} __attribute__((aligned(8)));
_Static_assert(sizeof(struct linux_sockaddr_storage) == 128, "sockaddr_storage");

struct linux_ucred {
	int32_t pid;
	uint32_t uid, gid;
};
_Static_assert(sizeof(struct linux_ucred) == 12, "ucred");

struct linux_linger {
	int32_t l_onoff, l_linger;
};
_Static_assert(sizeof(struct linux_linger) == 8, "linger");

struct linux_timeval {
	int64_t tv_sec, tv_usec;
};
_Static_assert(sizeof(struct linux_timeval) == 16, "timeval");

struct linux_iovec {
	uint64_t iov_base, iov_len;
};

struct linux_msghdr {
	uint64_t msg_name;              /* user pointer */
	int32_t msg_namelen;
	int32_t pad0;
	uint64_t msg_iov;               /* user pointer to linux_iovec[] */
	uint64_t msg_iovlen;
	uint64_t msg_control;           /* user pointer */
	uint64_t msg_controllen;
	int32_t msg_flags;
	int32_t pad1;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "msghdr");
_Static_assert(offsetof(struct linux_msghdr, msg_iov) == 16, "msghdr.msg_iov");
_Static_assert(offsetof(struct linux_msghdr, msg_flags) == 48, "msghdr.msg_flags");

struct linux_cmsghdr {
	uint64_t cmsg_len;              /* header and data, unaligned */
	int32_t cmsg_level;
	int32_t cmsg_type;
};
_Static_assert(sizeof(struct linux_cmsghdr) == 16, "cmsghdr");

#define LINUX_CMSG_ALIGN(len) (((len) + 7) & ~(uint64_t)7)
#define LINUX_CMSG_LEN(len)   (sizeof(struct linux_cmsghdr) + (len))
#define LINUX_CMSG_SPACE(len) (sizeof(struct linux_cmsghdr) + LINUX_CMSG_ALIGN(len))
