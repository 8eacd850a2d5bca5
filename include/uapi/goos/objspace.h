/*
 * The object space ABI (docs/objspace.md): a system-wide range of user
 * addresses, the same in every process, whose pages belong to processes by
 * byte ranges and move between them with channel messages. Compiles with
 * musl-gcc and in the kernel.
 */
#ifndef _UAPI_GOOS_OBJSPACE_H
#define _UAPI_GOOS_OBJSPACE_H

#include <stdint.h>

/* The object space: 16 TiB at 32 TiB, far below mmap's top-down search
 * (which starts under the stack near 128 TiB), above any ELF load address
 * (0x400000 for ET_EXEC, 0x555555554000 for PIE, 0x7f0000000000 for the
 * interpreter) and reserved: mmap, munmap, mprotect and mremap refuse it. */
#define OBJSPACE_BASE 0x0000200000000000ull
#define OBJSPACE_END  0x0000300000000000ull
#define OBJSPACE_PAGE 4096ull          /* allocation granularity */

/* System calls (well above Linux's range; channels use 1024..1055). */
#define SYS_own_alloc     1056  /* (size_t len) -> address */
#define SYS_own_free      1057  /* (void *addr, size_t len) -> 0 */
#define SYS_own_stat      1058  /* (int pid, struct own_stats *st) -> 0 */
#define SYS_own_owner     1059  /* (void *addr) -> owning pid, 0 in flight */
#define SYS_own_xsend     1060  /* (const struct own_range *r, unsigned n) -> handle */
#define SYS_own_xrecv     1061  /* (int handle, unsigned flags) -> 0 */
#define SYS_own_xdrop     1062  /* (int handle) -> 0 */

/* own_xrecv flags (and the channel receive's ownership flag). */
#define OWN_ISOLATE 1u   /* land on pages no other process can write */

/* Most ranges one transfer carries. */
#define OWN_MAX_RANGES 64

/* One owned range of a transfer: [addr, addr + len). */
struct own_range {
	uint64_t addr, len;
};

struct own_stats {
	/* The process asked about. */
	uint64_t owned_bytes;
	uint64_t owned_objects;     /* byte ranges the tracker records for it */
	uint64_t owned_pages;       /* pages it owns at least one byte of */
	uint64_t dirty_pages;       /* of those, pages someone else owns bytes of too */
	uint64_t pending_pages;     /* pages of ranges it sent that are in flight */
	uint64_t pending_bytes;
	/* The whole system. */
	uint64_t space_pages;       /* frames the object space holds */
	uint64_t space_objects;     /* byte-range records, all holders */
	uint64_t space_inflight;    /* bundles in flight */
	uint64_t space_base, space_end;
};
_Static_assert(sizeof(struct own_range) == 16, "own_range ABI");
_Static_assert(sizeof(struct own_stats) == 11 * 8, "own_stats ABI");

#endif
