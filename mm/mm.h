/*
 * User address spaces: struct mm ties a page-table space (mm/vmm.h) to the
 * VMA set that describes it (mm/vma.h) and the brk/mmap layout. The mmap
 * family (mm/mmap.c) and the page-fault handler (mm/fault.c) work on it.
 *
 * Lock order: mm->lock -> mm->space.lock -> pmm_lock. Never call
 * copy_*_user with mm->lock held: a fault inside takes it.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/spinlock.h>
#include <mm/vmm.h>
#include <mm/vma.h>

/* Default layout: the stack just below the top of user space, mmap areas
 * searched downward from below the stack's reserve. */
#define MM_STACK_TOP      0x00007ffffffff000ul
#define MM_MMAP_BASE      (MM_STACK_TOP - MiB(128) - MiB(1))
#define MM_MMAP_MIN_ADDR  0x10000ul     /* nothing is ever mapped below */

struct mm {
	/* Immutable after mm_create(). */
	struct vmm_space space;          /* its own lock guards the tables */

	struct spinlock lock;
	/* Protected by lock. */
	struct vma_set vmas;
	uintptr_t brk_start, brk;        /* set by exec; brk may be unaligned */
	uintptr_t mmap_base;             /* top of the mmap search */
	uintptr_t start_stack;           /* set by exec (for /proc and growth) */
	uintptr_t arg_sp;                /* set by exec: argc, argv, envp (/proc cmdline) */

	/* Atomic: CLONE_VM threads and the CPUs running them hold one each;
	 * the last mm_put() frees the space. */
	int refcount;
	/* membarrier(2) registrations (MEMBARRIER_CMD_REGISTER_*); atomic. */
	unsigned membarrier_registered;
	/* On the list of all spaces, under mm_list_lock (file truncation
	 * finds the areas mapping a file through it). */
	struct list_head all_link;
};

/* An empty space (kernel half shared), refcount 1; NULL if out of memory. */
struct mm *mm_create(void);
void mm_get(struct mm *mm);
/* Drops a reference; the last one unmaps and frees every user frame and
 * lower-half page table (the mm must not be active on another CPU). */
void mm_put(struct mm *mm);
/* fork(): a copy sharing private pages copy-on-write and MAP_SHARED pages
 * outright. NULL if out of memory. */
struct mm *mm_dup(struct mm *parent);
/* Switch this CPU to mm's page tables (NULL: the kernel's alone). */
void mm_activate(struct mm *mm);
/* The mm last activated on this CPU (NULL: none). */
struct mm *mm_current(void);
/* The current task's mm: kernel/task.h provides it with tasks; until then a
 * weak default returns mm_current(). Used by the page-fault path. */
struct mm *current_mm(void);

/* Page-table protection (VM_*) for an area's PROT_* bits. */
unsigned mm_prot_to_vm(unsigned prot);
/* Unmap [start, end) in mm's page tables, dropping the frames' references.
 * mm->lock held. */
void mm_unmap_pages(struct mm *mm, uintptr_t start, uintptr_t end);

/* Call fn(mm, arg) on every live space, with its mm->lock held. */
void mm_for_each(void (*fn)(struct mm *mm, void *arg), void *arg);

/* ---- mmap family (mm/mmap.c): Linux semantics, -errno on failure ---- */
struct file;
/* file: NULL with MAP_ANONYMOUS, else the open file to map (its access
 * mode decides EACCES; the area takes its own reference). */
long vm_mmap(struct mm *mm, uintptr_t addr, size_t len, int prot, int flags,
	     struct file *file, uint64_t off);
int vm_munmap(struct mm *mm, uintptr_t addr, size_t len);
int vm_mprotect(struct mm *mm, uintptr_t addr, size_t len, int prot);
/* Returns the new break, or the current one if new_brk cannot be set. */
long vm_brk(struct mm *mm, uintptr_t new_brk);
long vm_mremap(struct mm *mm, uintptr_t old_addr, size_t old_len, size_t new_len,
	       int flags, uintptr_t new_addr);
int vm_madvise(struct mm *mm, uintptr_t addr, size_t len, int advice);

/* ---- page faults (mm/fault.c) ---- */
#define FAULT_PRESENT 1   /* the page was mapped: a protection fault */
#define FAULT_WRITE   2
#define FAULT_USER    4   /* from user mode (else a kernel copy_*_user) */
#define FAULT_EXEC    8
/* 0 if the access can be retried, -EFAULT if no area covers addr (SIGSEGV
 * SEGV_MAPERR), -EACCES if the area forbids the access (SEGV_ACCERR),
 * -ENOMEM if no frame was free. */
int handle_user_fault(struct mm *mm, uintptr_t addr, unsigned fault_flags);
/* Make the page at addr present and writable, as a write from user mode
 * would (the retry step after a _nofault write, mm/uaccess.h): 0, -EFAULT
 * (no area, or one that forbids writing) or -ENOMEM. */
int fault_in_user_writeable(struct mm *mm, uintptr_t addr);

/* ---- MAP_SHARED anonymous memory (mm/shared_anon.c) ---- */
extern const struct vm_object_ops shared_anon_ops;
/* An object of len bytes (page multiple), refcount 1; NULL if no memory. */
void *shared_anon_create(size_t len);

/*
 * ---- arch hooks for user page tables (arch/x86_64/mm/user.c) ----
 * One 4 KiB leaf at a time; prot is VM_READ/VM_WRITE/VM_EXEC, or 0 for a
 * leaf that keeps its frame but allows no access (PROT_NONE). All take
 * space->lock themselves and flush this CPU's TLB as needed.
 */
int uvm_space_create(struct vmm_space *space);      /* 0 or -ENOMEM */
void uvm_space_destroy(struct vmm_space *space);    /* leaves must be cleared */
int uvm_set(struct vmm_space *space, uintptr_t va, phys_addr_t pa, unsigned prot);
int uvm_get(struct vmm_space *space, uintptr_t va, phys_addr_t *pa, unsigned *prot);
phys_addr_t uvm_clear(struct vmm_space *space, uintptr_t va);  /* old frame or 0 */
/* uvm_get and uvm_set or uvm_clear in one walk, for callers that manage
 * their frames' references themselves (the object space):
 * map_frame maps pa at va with prot: 1 if it was not mapped, 0 if pa was
 * mapped there already (prot updated), -EEXIST if another frame is,
 * -ENOMEM; clear_frame unmaps va if it maps pa, and says so. */
int uvm_map_frame(struct vmm_space *space, uintptr_t va, phys_addr_t pa, unsigned prot);
bool uvm_clear_frame(struct vmm_space *space, uintptr_t va, phys_addr_t pa);
/* The first leaf at or above *va and below end: true and *va, *pa, *prot. */
bool uvm_next(struct vmm_space *space, uintptr_t *va, uintptr_t end,
	      phys_addr_t *pa, unsigned *prot);
/* Load a top-level table on this CPU (kernel/arch.h style seam). */
void arch_switch_mm(phys_addr_t pml4);
