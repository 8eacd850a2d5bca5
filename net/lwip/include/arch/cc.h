/*
 * lwIP's compiler/platform header for goos (lwIP doc/sys_arch.txt, "cc.h"):
 * fixed-width types from the compiler's freestanding headers, diagnostics
 * through printk, assertions as kernel panics, byte order little-endian.
 */
#pragma once

#include <stdint.h>
#include <stddef.h>

/* No libc: no inttypes.h (printf formats below), no ctype.h (lwIP's own
 * character class macros are used) and no errno (no lwIP sockets). */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H    1
#define LWIP_NO_UNISTD_H   1
#ifndef SSIZE_MAX
typedef long ssize_t;
#define SSIZE_MAX __LONG_MAX__
#endif
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* err_to_errno() (api/err.c) maps lwIP errors to Linux errno values. */
#include <kernel/errno.h>
#define LWIP_ERRNO_INCLUDE <kernel/errno.h>
#ifndef EWOULDBLOCK
#define EWOULDBLOCK EAGAIN
#endif

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

#include <kernel/printk.h>
#include <kernel/panic.h>
#define LWIP_PLATFORM_DIAG(x)      do { printk x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)    panic("lwIP assertion \"%s\" at %s:%d", x, __FILE__, __LINE__)

/* The kernel's entropy pool (kernel/random.h) seeds ports and ISNs. */
uint32_t lwip_port_rand(void);
#define LWIP_RAND() lwip_port_rand()

#define PACK_STRUCT_FIELD(x) x
#define PACK_STRUCT_STRUCT __attribute__((packed))
#define PACK_STRUCT_BEGIN
#define PACK_STRUCT_END
