/*
 * objalloc: a small allocator on owned pages of the object space
 * (docs/objspace.md), and thin wrappers for the own_* system calls. Header
 * only, so the single-file programs of tests/user/ and user/ include it.
 *
 * Every object carries a 16-byte header with its size just below the
 * pointer, so an object can be sent by pointer (objrange(p) is the range a
 * transfer must name) and the receiver can free it with objfree(p) without
 * knowing its size. Small objects are cut from 64 KiB chunks taken from the
 * kernel; a freed object's bytes go back to the kernel at once (own_free),
 * which recycles a page when no process owns a byte of it any more. Freed
 * bytes are never reused here: they are no longer ours.
 *
 * Not thread-safe: one thread allocates (wrap with a lock otherwise).
 */
#ifndef USER_LIB_OBJALLOC_H
#define USER_LIB_OBJALLOC_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <uapi/goos/objspace.h>

#define OBJ_HDR      16u
#define OBJ_ALIGN    16u
#define OBJ_CHUNK    (64u * 1024)
#define OBJ_SMALL    (OBJ_CHUNK / 8)     /* bigger objects get pages of their own */

/* ---- system calls (-1 and errno on failure, as libc does) ---- */

static inline void *own_alloc(size_t len)
{
	long r = syscall(SYS_own_alloc, len);
	return r == -1 ? NULL : (void *)r;
}

static inline int own_free(void *addr, size_t len)
{
	return (int)syscall(SYS_own_free, addr, len);
}

static inline int own_stat(int pid, struct own_stats *st)
{
	return (int)syscall(SYS_own_stat, pid, st);
}

/* The pid owning the byte at addr, 0 if it is in flight, -1 (ENOENT) if
 * nobody owns it. */
static inline int own_owner(const void *addr)
{
	return (int)syscall(SYS_own_owner, addr);
}

/* Debug transfers without a channel (docs/objspace.md). */
static inline int own_xsend(const struct own_range *r, unsigned n)
{
	return (int)syscall(SYS_own_xsend, r, n);
}

static inline int own_xrecv(int handle, unsigned flags)
{
	return (int)syscall(SYS_own_xrecv, handle, flags);
}

static inline int own_xdrop(int handle)
{
	return (int)syscall(SYS_own_xdrop, handle);
}

/* ---- the allocator ---- */

struct obj_hdr {
	uint64_t size;          /* the caller's size */
	uint64_t magic;
};
#define OBJ_MAGIC 0x6f626a7370616365ull  /* "objspace" */
_Static_assert(sizeof(struct obj_hdr) == OBJ_HDR, "object header");

static struct {
	char *cur, *end;        /* the chunk small objects are cut from */
	bool atfork;            /* the fork handler is registered */
} objalloc_state;

/* A forked child does not get the object space's pages (they are owned,
 * not copied), so it must not go on cutting its parent's chunk. */
static inline void objalloc_forked_child(void)
{
	objalloc_state.cur = objalloc_state.end = NULL;
}

static inline size_t obj_total(size_t size)
{
	return (OBJ_HDR + size + OBJ_ALIGN - 1) & ~(size_t)(OBJ_ALIGN - 1);
}

/* Give the rest of the current chunk back (it is owned, but unused). */
static inline void obj_retire_chunk(void)
{
	if (objalloc_state.cur < objalloc_state.end)
		own_free(objalloc_state.cur, (size_t)(objalloc_state.end - objalloc_state.cur));
	objalloc_state.cur = objalloc_state.end = NULL;
}

static inline void *objalloc(size_t size)
{
	size_t total = obj_total(size);
	struct obj_hdr *h;

	if (size == 0 || total < size) {
		errno = EINVAL;
		return NULL;
	}
	if (total > OBJ_SMALL) {
		h = own_alloc(total);
		if (!h)
			return NULL;
		/* The page tail past the object is given back at once. */
		size_t pages = (total + OBJSPACE_PAGE - 1) & ~(size_t)(OBJSPACE_PAGE - 1);
		if (pages > total)
			own_free((char *)h + total, pages - total);
	} else {
		if (!objalloc_state.atfork) {
			pthread_atfork(NULL, NULL, objalloc_forked_child);
			objalloc_state.atfork = true;
		}
		if ((size_t)(objalloc_state.end - objalloc_state.cur) < total) {
			char *c = own_alloc(OBJ_CHUNK);
			if (!c)
				return NULL;
			obj_retire_chunk();
			objalloc_state.cur = c;
			objalloc_state.end = c + OBJ_CHUNK;
		}
		h = (struct obj_hdr *)objalloc_state.cur;
		objalloc_state.cur += total;
	}
	h->size = size;
	h->magic = OBJ_MAGIC;
	return h + 1;
}

static inline size_t objsize(const void *p)
{
	return ((const struct obj_hdr *)p - 1)->size;
}

/* The range a transfer of object p names (header included). */
static inline struct own_range objrange(const void *p)
{
	const struct obj_hdr *h = (const struct obj_hdr *)p - 1;
	return (struct own_range){ (uint64_t)(uintptr_t)h, obj_total(h->size) };
}

/* Drop object p (allocated here or received): 0, or -1 and errno (EPERM:
 * not ours). */
static inline int objfree(void *p)
{
	struct obj_hdr *h = (struct obj_hdr *)p - 1;
	return own_free(h, obj_total(h->size));
}

#endif
