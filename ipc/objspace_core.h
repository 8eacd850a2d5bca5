/*
 * The ownership tracker's core: which holder (a process, or a bundle in
 * flight) owns which bytes of the object space, which frame backs each page
 * and who must have it mapped. Pure bookkeeping behind four callbacks
 * (frames, map, unmap), so the host tests link it alone; ipc/objspace.c
 * supplies page tables and frames and serialises every call with own_lock.
 *
 * Invariants after every call (checked by tests/unit/test_objspace.c):
 *  - objects never overlap: no byte has two owners;
 *  - a page has a record (and holds its frame) iff some object touches it;
 *  - a process has a page mapped iff it owns a byte on it; bundles map
 *    nothing;
 *  - on an isolated page only its writer, or a sole process owner, may
 *    have it writable.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/rbtree.h>
#include <uapi/goos/objspace.h>

struct own_holder {
	struct list_head objs;      /* its own_obj, in no order */
	bool bundle;                /* in flight: never mapped anywhere */
	int pid;                    /* process: its pid; bundle: the sender's */
	uint64_t bytes;             /* sum of its objects' lengths */
	uint64_t nobjs;
	unsigned long mark;         /* scratch for own_space's page scans */
};

/* A byte range one holder owns. */
struct own_obj {
	struct rb_node node;        /* in own_space.objs, by addr */
	struct list_head hnode;     /* in h->objs */
	uintptr_t addr, len;
	struct own_holder *h;
};

/* A page of the space that something is allocated on. */
struct own_page {
	struct rb_node node;        /* in own_space.pages, by va */
	uintptr_t va;
	phys_addr_t pa;             /* the frame; the record holds one reference */
	bool isolated;              /* an isolating receiver took bytes on it */
	struct own_holder *writer;  /* isolated: the process allowed to write */
};

struct own_space_ops {
	/* A zeroed frame holding one reference; 0 if none is free. */
	phys_addr_t (*alloc_frame)(void);
	void (*put_frame)(phys_addr_t pa);
	/* Map va -> pa in process h (or change the protection of an existing
	 * mapping of pa, which cannot fail): 0 or -ENOMEM. */
	int (*map)(struct own_holder *h, uintptr_t va, phys_addr_t pa, bool writable);
	/* Remove h's mapping of va if it maps pa. */
	void (*unmap)(struct own_holder *h, uintptr_t va, phys_addr_t pa);
};

struct own_space {
	const struct own_space_ops *ops;
	uintptr_t base, end;        /* [base, end): the space */
	uintptr_t next;             /* addresses below are used (never reused) */
	struct rb_tree objs, pages;
	uint64_t nobjs, npages;
	unsigned long gen;          /* page-scan generation (own_holder.mark) */
};

void own_space_init(struct own_space *s, uintptr_t base, uintptr_t end,
		    const struct own_space_ops *ops);
void own_holder_init(struct own_holder *h, int pid, bool bundle);

/* len bytes (rounded up to pages) of fresh zeroed pages owned whole by the
 * process h and mapped writable: 0 and *addr, -EINVAL (len 0) or -ENOMEM
 * (then nothing changed). */
int own_space_alloc(struct own_space *s, struct own_holder *h, uint64_t len,
		    uintptr_t *addr);
/* h gives up [addr, addr + len): 0, -EINVAL (empty, wrapping or outside
 * the space) or -EPERM (h does not own every byte); nothing changed on
 * error. Pages nobody owns anything on are freed. */
int own_space_release(struct own_space *s, struct own_holder *h, uintptr_t addr,
		      uint64_t len);
/* Move ranges r[0..n) from from to to, splitting objects at the range
 * ends: 0, -EINVAL (a bad range, or two that overlap), -EPERM (from does
 * not own every byte) or -ENOMEM; nothing changed on error. to must be a
 * bundle (mapping nothing cannot fail). */
int own_space_move(struct own_space *s, struct own_holder *from, struct own_holder *to,
		   const struct own_range *r, unsigned n);
/* Every object of the bundle from goes to the process to, mapped at its
 * address; isolate: on pages no other process can write. 0 or -ENOMEM
 * (nothing changed). */
int own_space_take(struct own_space *s, struct own_holder *from, struct own_holder *to,
		   bool isolate);
/* h owns nothing any more (exit, exec, a bundle never received). */
void own_space_drop(struct own_space *s, struct own_holder *h);
/* Who owns the byte at addr: the holder, or NULL. */
struct own_holder *own_space_owner(struct own_space *s, uintptr_t addr);

/* Per-holder figures of struct own_stats (the space_* ones are left). pid:
 * the pending figures count bundles sent by that pid. */
void own_space_stats(struct own_space *s, struct own_holder *h, int pid,
		     struct own_stats *st);
