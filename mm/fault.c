/*
 * User page faults, in arch-neutral terms (the arch decodes its error code
 * into FAULT_* flags): demand-zero for private anonymous memory, the
 * object's frame for shared (and later file) areas, copy-on-write for
 * private pages that fork left shared.
 *
 * Takes mm->lock; called from the #PF handler for user-mode faults and for
 * kernel faults inside copy_*_user (which never hold mm->lock).
 */
#include <mm/mm.h>
#include <mm/pmm.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <asm/layout.h>

/* Does v allow the access? Any mapped area is readable on x86. */
static bool access_allowed(const struct vma *v, unsigned fault_flags)
{
	if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return false;
	if ((fault_flags & FAULT_WRITE) && !(v->prot & PROT_WRITE))
		return false;
	if ((fault_flags & FAULT_EXEC) && !(v->prot & PROT_EXEC))
		return false;
	return true;
}

/* Map a frame where nothing is mapped yet. */
static int fault_missing(struct mm *mm, struct vma *v, uintptr_t page)
{
	unsigned prot = mm_prot_to_vm(v->prot);
	phys_addr_t pa;
	int err;

	if (v->ops) {
		err = v->ops->page(v->obj, v->off + (page - v->start), &pa);
		if (err)
			return err;
		/* Private mappings of an object copy on write (files, later). */
		if (!(v->flags & MAP_SHARED))
			prot &= ~VM_WRITE;
	} else {
		pa = pmm_alloc_zeroed_frame();
		if (!pa)
			return -ENOMEM;
	}
	err = uvm_set(&mm->space, page, pa, prot);
	if (err)
		put_page(phys_to_page(pa));
	return err;
}

/* A write to a read-only private page of a writable area. */
static int fault_cow(struct mm *mm, struct vma *v, uintptr_t page, phys_addr_t old)
{
	unsigned prot = mm_prot_to_vm(v->prot);
	struct page *oldp = phys_to_page(old);
	phys_addr_t pa;
	int err;

	/* Shared frames are written in place; a private frame with one user
	 * is not seen by anyone else, so it can just become writable. */
	if ((v->flags & MAP_SHARED) || page_count(oldp) == 1)
		return uvm_set(&mm->space, page, old, prot);
	pa = pmm_alloc_frame();
	if (!pa)
		return -ENOMEM;
	memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
	err = uvm_set(&mm->space, page, pa, prot);
	if (err) {
		pmm_free_frame(pa);
		return err;
	}
	put_page(oldp);
	return 0;
}

int handle_user_fault(struct mm *mm, uintptr_t addr, unsigned fault_flags)
{
	uintptr_t page = ALIGN_DOWN(addr, PAGE_SIZE);
	phys_addr_t pa;
	unsigned prot;
	struct vma *v;
	int err = 0;

	if (!mm)
		return -EFAULT;
	spin_lock(&mm->lock);
	v = vma_find(&mm->vmas, addr);
	if (!v) {
		err = -EFAULT;
		goto out_unlock;
	}
	if (!access_allowed(v, fault_flags)) {
		err = -EACCES;
		goto out_unlock;
	}
	if (uvm_get(&mm->space, page, &pa, &prot))
		err = fault_missing(mm, v, page);
	else if ((fault_flags & FAULT_WRITE) && !(prot & VM_WRITE))
		err = fault_cow(mm, v, page, pa);
	else if (!prot)
		/* A PROT_NONE leaf under an area that now allows access
		 * cannot happen: mprotect updates the leaves. */
		err = -EACCES;
	/* Otherwise the leaf already allows it (another thread fixed it
	 * first, or a stale TLB entry, which the fault itself dropped):
	 * retrying is enough. */
out_unlock:
	spin_unlock(&mm->lock);
	return err;
}

int fault_in_user_writeable(struct mm *mm, uintptr_t addr)
{
	if (addr >= USER_SPACE_END)
		return -EFAULT;
	int err = handle_user_fault(mm, addr, FAULT_WRITE);
	return err == -ENOMEM ? -ENOMEM : err ? -EFAULT : 0;
}
