/*
 * struct mm lifetime: create, fork (copy-on-write), activate, destroy.
 *
 * Lock order: mm->lock -> mm->space.lock -> pmm_lock.
 * Frame ownership: each page-table leaf holds a reference on its frame
 * (get_page/put_page, mm/page.h); fork adds one per leaf it copies, and
 * whoever drops the last reference frees the frame. A private page with
 * more than one reference is read-only in every space that maps it and is
 * copied on the first write (mm/fault.c).
 */
#include <mm/mm.h>
#include <kernel/arch.h>
#include <kernel/smp.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <mm/filemap.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <asm/layout.h>

/* The mm this CPU runs on (one CPU until SMP; then per-CPU data). */
/* The mm whose tables each CPU has loaded (kept lazily by kernel threads). */
static struct mm *active_mms[NR_CPUS];
/* Every space from mm_create to its last mm_put (lock order: above mm->lock). */
static struct spinlock mm_list_lock = SPINLOCK_INIT("mm_list");
static LIST_HEAD(mm_list);


unsigned mm_prot_to_vm(unsigned prot)
{
	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	return VM_READ | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	if (uvm_space_create(&mm->space)) {
		kfree(mm);
		return NULL;
	}
	spin_lock_init(&mm->lock, "mm");
	vma_set_init(&mm->vmas);
	mm->mmap_base = MM_MMAP_BASE;
	mm->refcount = 1;
	spin_lock(&mm_list_lock);
	list_add_tail(&mm->all_link, &mm_list);
	spin_unlock(&mm_list_lock);
	return mm;
}

void mm_get(struct mm *mm)
{
	__atomic_fetch_add(&mm->refcount, 1, __ATOMIC_RELAXED);
}

void mm_unmap_pages(struct mm *mm, uintptr_t start, uintptr_t end)
{
	phys_addr_t pa;
	unsigned prot;

	assert_held(&mm->lock);
	while (uvm_next(&mm->space, &start, end, &pa, &prot)) {
		uvm_clear(&mm->space, start);
		put_page(phys_to_page(pa));
		start += PAGE_SIZE;
	}
}

void mm_put(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (active_mms[arch_cpu_id()] == mm)
		mm_activate(NULL);
	spin_lock(&mm_list_lock);
	list_del(&mm->all_link);
	spin_unlock(&mm_list_lock);
	spin_lock(&mm->lock);
	mm_unmap_pages(mm, 0, USER_SPACE_END);
	vma_set_clear(&mm->vmas);
	spin_unlock(&mm->lock);
	uvm_space_destroy(&mm->space);
	kfree(mm);
	vm_release_deferred();          /* the areas' files */
}

void mm_for_each(void (*fn)(struct mm *mm, void *arg), void *arg)
{
	struct mm *mm;

	spin_lock(&mm_list_lock);
	list_for_each_entry(mm, &mm_list, all_link) {
		spin_lock(&mm->lock);
		fn(mm, arg);
		spin_unlock(&mm->lock);
	}
	spin_unlock(&mm_list_lock);
}

/* Share v's pages with the child: writable private pages become read-only
 * in both (copy-on-write), everything else is mapped as it is. */
static int dup_pages(struct mm *parent, struct mm *child, const struct vma *v)
{
	bool cow = !(v->flags & MAP_SHARED);
	uintptr_t va = v->start;
	phys_addr_t pa;
	unsigned prot;

	for (; uvm_next(&parent->space, &va, v->end, &pa, &prot); va += PAGE_SIZE) {
		if (cow && (prot & VM_WRITE)) {
			prot &= ~VM_WRITE;
			/* The leaf exists, so this cannot fail. */
			uvm_set(&parent->space, va, pa, prot);
		}
		if (uvm_set(&child->space, va, pa, prot))
			return -ENOMEM;
		get_page(phys_to_page(pa));
	}
	return 0;
}

struct mm *mm_dup(struct mm *parent)
{
	struct mm *child = mm_create();
	struct vma *v;

	if (!child)
		return NULL;
	spin_lock(&parent->lock);
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->mmap_base = parent->mmap_base;
	child->start_stack = parent->start_stack;
	child->arg_sp = parent->arg_sp;
	if (vma_set_dup(&child->vmas, &parent->vmas))
		goto out_free_child;
	vma_for_each(v, &parent->vmas) {
		if (dup_pages(parent, child, v))
			goto out_free_child;
	}
	spin_unlock(&parent->lock);
	return child;

out_free_child:
	spin_unlock(&parent->lock);
	mm_put(child);
	return NULL;
}

/* Join the new space's CPU set before loading it and leave the old one's
 * after: a CPU is in the set whenever it may hold the space's entries. */
void mm_activate(struct mm *mm)
{
	unsigned cpu = arch_cpu_id();
	struct mm *old = active_mms[cpu];

	if (mm)
		__atomic_fetch_or(&mm->space.active_cpus, 1ull << cpu, __ATOMIC_SEQ_CST);
	active_mms[cpu] = mm;
	arch_switch_mm(mm ? mm->space.pml4 : kernel_space.pml4);
	if (old && old != mm)
		__atomic_fetch_and(&old->space.active_cpus, ~(1ull << cpu), __ATOMIC_SEQ_CST);
}

struct mm *mm_current(void)
{
	return active_mms[arch_cpu_id()];
}

__attribute__((weak)) struct mm *current_mm(void)
{
	return mm_current();
}
