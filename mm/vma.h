/*
 * Virtual memory areas: the set of non-overlapping, page-aligned ranges
 * [start, end) of a user address space with their protection and mapping
 * flags. Pure bookkeeping (no page tables), so host tests link it alone;
 * struct mm (mm/mm.h) owns one set and serialises it with mm->lock.
 *
 * The set is a list sorted by address. Neighbours that touch and agree on
 * everything (prot, flags, backing object and contiguous offset) are kept
 * merged, so the list is the shortest description of the space.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <uapi/linux/mman.h>

/*
 * A backing object shared by areas (MAP_SHARED anonymous memory, files:
 * mm/filemap.h). Each area that refers to obj holds one reference. put
 * runs under mm->lock and must not sleep.
 */
#define VMO_WRITE 1     /* page: a MAP_SHARED area maps it writable */
struct vm_object_ops {
	void (*get)(void *obj);
	void (*put)(void *obj);
	/* The frame at byte offset off (page aligned) of obj, with a page
	 * reference for the caller: 0, -EFAULT (beyond the object: SIGSEGV),
	 * -EIO (beyond a file's end: SIGBUS) or -ENOMEM. Called without
	 * mm->lock (a file's page may have to be read in). */
	int (*page)(void *obj, uint64_t off, unsigned flags, phys_addr_t *pa);
	/* Optional: is pa still obj's page at off (rechecked under mm->lock
	 * before mapping it; a truncate may have dropped it meanwhile)? */
	bool (*valid)(void *obj, uint64_t off, phys_addr_t pa);
	/* Optional: the name /proc/<pid>/maps shows for the area mapping obj
	 * at off (special mappings such as "[vdso]"). */
	const char *(*name)(void *obj, uint64_t off);
};

/* MAP_* flags an area remembers; the rest only steer vm_mmap(). */
#define VMA_FLAG_MASK (MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_STACK)
/* Not a MAP_* bit: a shared file area whose file was not opened for
 * writing (mprotect may not add PROT_WRITE: EACCES). */
#define VMA_NOMAYWRITE (1u << 31)

struct vma {
	struct list_head node;      /* in vma_set.list, ascending start */
	uintptr_t start, end;       /* [start, end), page aligned, start < end */
	unsigned prot;              /* PROT_READ | PROT_WRITE | PROT_EXEC, or PROT_NONE */
	unsigned flags;             /* MAP_SHARED or MAP_PRIVATE, plus VMA_FLAG_MASK bits */
	const struct vm_object_ops *ops;  /* NULL: private anonymous memory */
	void *obj;                  /* with ops: the object mapped */
	uint64_t off;               /* byte offset of start within obj (anonymous: start) */
};

struct vma_set {
	struct list_head list;
	size_t count;
};

#define vma_for_each(v, set) list_for_each_entry(v, &(set)->list, node)

void vma_set_init(struct vma_set *set);
/* Frees every area, dropping their object references. */
void vma_set_clear(struct vma_set *set);
/* dst (initialised, empty) gets a copy of src's areas. 0 or -ENOMEM (dst
 * is then left empty). */
int vma_set_dup(struct vma_set *dst, const struct vma_set *src);

/* The area containing addr, or NULL. */
struct vma *vma_find(struct vma_set *set, uintptr_t addr);
/* The lowest area that intersects [start, end), or NULL. */
struct vma *vma_first_in(struct vma_set *set, uintptr_t start, uintptr_t end);
/* The area after v, or NULL. */
struct vma *vma_next(struct vma_set *set, struct vma *v);
/* No area intersects [start, end). */
bool vma_range_free(struct vma_set *set, uintptr_t start, uintptr_t end);
/* Areas cover [start, end) without holes. */
bool vma_range_covered(struct vma_set *set, uintptr_t start, uintptr_t end);

/* Add an area like tmpl (its node is ignored; an object reference is taken
 * when tmpl->ops), merging with compatible neighbours. The range must be
 * free: 0, -EEXIST or -ENOMEM. */
int vma_insert(struct vma_set *set, const struct vma *tmpl);
/* Remove [start, end) from whatever areas it touches, splitting areas that
 * stick out. 0 or -ENOMEM (nothing changed). */
int vma_remove(struct vma_set *set, uintptr_t start, uintptr_t end);
/* Set prot on [start, end), which must be covered (else -ENOMEM): 0 or
 * -ENOMEM, nothing changed on failure. */
int vma_protect(struct vma_set *set, uintptr_t start, uintptr_t end, unsigned prot);

/* The highest address a with [a, a + len) inside [low, high) and at least
 * one unmapped guard page between it and any area; 0 if none. */
uintptr_t vma_find_free(struct vma_set *set, size_t len, uintptr_t low, uintptr_t high);
