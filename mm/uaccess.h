/*
 * Access to user memory from the kernel: the only way to touch it. A range
 * must lie entirely below USER_SPACE_END without wrapping, else -EFAULT
 * before anything is read or written. Faults inside are demand-paged from
 * the current mm (current_mm()) or turn into -EFAULT through the exception
 * table. Never call these with mm->lock held.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/errno.h>
#include <asm/layout.h>

/* Arch routines (arch/x86_64/lib/uaccess.S); callers check the range. */
size_t arch_copy_user(void *dst, const void *src, size_t n);   /* bytes left */
size_t arch_copy_user_nofault(void *dst, const void *src, size_t n);
size_t arch_clear_user(void *dst, size_t n);                   /* bytes left */
long arch_strncpy_user(char *dst, const char *src, long n);
int arch_cmpxchg_user_u32(uint32_t *uaddr, uint32_t *expected, uint32_t newval);
int arch_cmpxchg_user_u32_nofault(uint32_t *uaddr, uint32_t *expected, uint32_t newval);

/* Is [a, a + n) inside the kernel buffer the calling task is running a
 * file's read or write on (kernel_file_read/kernel_file_write in
 * fs/kernel_rw.c: sendfile, copy_file_range)? Only that buffer passes the
 * range check besides user memory. */
bool uaccess_kernel_window(uintptr_t a, size_t n);

static inline bool user_range_ok(const void *uptr, size_t n)
{
	uintptr_t a = (uintptr_t)uptr;

	if (a + n < a)
		return false;
	return a + n <= USER_SPACE_END || uaccess_kernel_window(a, n);
}

/* 0 or -EFAULT (then part of dst may have been written). */
static inline int copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return arch_copy_user(dst, usrc, n) ? -EFAULT : 0;
}

static inline int copy_to_user(void *udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return arch_copy_user(udst, src, n) ? -EFAULT : 0;
}

static inline int clear_user(void *udst, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return arch_clear_user(udst, n) ? -EFAULT : 0;
}

/*
 * Linux semantics: copies the string at usrc with its NUL into dst (at
 * most n bytes); returns its length without the NUL, n if the first n
 * bytes hold no NUL (dst is then not terminated), or -EFAULT.
 */
static inline long strncpy_from_user(char *dst, const char *usrc, long n)
{
	uintptr_t a = (uintptr_t)usrc;
	long max, r;

	if (n <= 0)
		return 0;
	if (a >= USER_SPACE_END)
		return -EFAULT;
	max = (long)MIN((uintptr_t)n, USER_SPACE_END - a);
	r = arch_strncpy_user(dst, usrc, max);
	if (r == max && max < n)
		return -EFAULT;         /* ran into the end of user space */
	return r;
}

/* One value of 1, 2, 4 or 8 bytes: 0 or -EFAULT. */
#define get_user(x, uptr) ({ _Static_assert(sizeof(x) == sizeof(*(uptr)), "get_user size"); \
			     copy_from_user(&(x), (uptr), sizeof(x)); })
#define put_user(x, uptr) ({ __typeof__(*(uptr)) __pu_v = (x); \
			     copy_to_user((uptr), &__pu_v, sizeof(__pu_v)); })

/* Typed forms: 0 or -EFAULT; uptr need not be aligned. */
#define DEFINE_USER_ACCESSORS(bits)                                              \
	static inline int get_user_u##bits(uint##bits##_t *out, const void *uptr) \
	{                                                                        \
		return copy_from_user(out, uptr, sizeof(*out));                  \
	}                                                                        \
	static inline int put_user_u##bits(uint##bits##_t v, void *uptr)        \
	{                                                                        \
		return copy_to_user(uptr, &v, sizeof(v));                        \
	}
DEFINE_USER_ACCESSORS(8)
DEFINE_USER_ACCESSORS(16)
DEFINE_USER_ACCESSORS(32)
DEFINE_USER_ACCESSORS(64)
#undef DEFINE_USER_ACCESSORS

/*
 * Atomic compare-and-exchange of an aligned user word (futexes): if *uaddr
 * holds *expected it becomes newval; either way *expected is set to what
 * *uaddr held. 0 or -EFAULT. A write fault is served like a copy's.
 */
static inline int cmpxchg_user_u32(uint32_t *uaddr, uint32_t *expected, uint32_t newval)
{
	if (!user_range_ok(uaddr, sizeof(*uaddr)) || ((uintptr_t)uaddr & 3))
		return -EFAULT;
	return arch_cmpxchg_user_u32(uaddr, expected, newval);
}

/*
 * The _nofault forms never page: a page that is not mapped with the access
 * allowed gives -EFAULT at once, so they are safe under spinlocks. The
 * caller then drops its locks, makes the page present (copy_from_user, or
 * fault_in_user_writeable in mm/mm.h) and tries again.
 */
static inline int copy_from_user_nofault(void *dst, const void *usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return arch_copy_user_nofault(dst, usrc, n) ? -EFAULT : 0;
}

static inline int cmpxchg_user_u32_nofault(uint32_t *uaddr, uint32_t *expected, uint32_t newval)
{
	if (!user_range_ok(uaddr, sizeof(*uaddr)) || ((uintptr_t)uaddr & 3))
		return -EFAULT;
	return arch_cmpxchg_user_u32_nofault(uaddr, expected, newval);
}
