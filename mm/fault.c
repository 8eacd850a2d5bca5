/*
 * User page faults, in arch-neutral terms (the arch decodes its error code
 * into FAULT_* flags): demand-zero for private anonymous memory, the
 * object's frame for shared anonymous and file areas (private file areas
 * map the page-cache frame read-only), copy-on-write for private pages
 * that fork or a file left shared.
 *
 * Takes mm->lock; called from the #PF handler for user-mode faults and for
 * kernel faults inside copy_*_user (which never hold mm->lock). A file's
 * page may have to be read in: that happens with mm->lock dropped, and
 * interrupts on (the #PF handler enables them), so it may sleep.
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

/* Map a zeroed frame where nothing is mapped yet (private anonymous). */
static int fault_anon(struct mm *mm, struct vma *v, uintptr_t page)
{
	phys_addr_t pa = pmm_alloc_zeroed_frame();
	int err;

	if (!pa)
		return -ENOMEM;
	err = uvm_set(&mm->space, page, pa, mm_prot_to_vm(v->prot));
	if (err)
		pmm_free_frame(pa);
	return err;
}

/* Is pa still what the area at page (now v, before was) wants: the same
 * object, offset, type and protection, nothing mapped yet, and the frame
 * still the object's? (mm->lock was dropped while the object found it.) */
static bool still_wanted(struct mm *mm, const struct vma *v, const struct vma *was,
			 uintptr_t page, phys_addr_t pa)
{
	uint64_t off = was->off + (page - was->start);
	phys_addr_t cur;
	unsigned prot;

	if (!v || v->ops != was->ops || v->obj != was->obj || v->flags != was->flags ||
	    v->prot != was->prot || v->off + (page - v->start) != off)
		return false;
	if (!uvm_get(&mm->space, page, &cur, &prot))
		return false;
	return !v->ops->valid || v->ops->valid(v->obj, off, pa);
}

/*
 * Map the object's frame where nothing is mapped yet (read-only if the
 * area is private: copy on write). Called and returns with mm->lock held
 * but drops it while the object finds the frame (a file may read it in);
 * -EAGAIN: the area changed meanwhile, look again.
 */
static int fault_object(struct mm *mm, struct vma *v, uintptr_t page)
{
	const struct vma was = *v;
	bool shared = v->flags & MAP_SHARED;
	unsigned flags = shared && (v->prot & PROT_WRITE) ? VMO_WRITE : 0;
	unsigned prot = mm_prot_to_vm(v->prot) & (shared ? ~0u : ~(unsigned)VM_WRITE);
	phys_addr_t pa;
	int err;

	was.ops->get(was.obj);
	spin_unlock(&mm->lock);
	err = was.ops->page(was.obj, was.off + (page - was.start), flags, &pa);
	spin_lock(&mm->lock);
	if (!err) {
		if (!still_wanted(mm, vma_find(&mm->vmas, page), &was, page, pa))
			err = -EAGAIN;
		else
			err = uvm_set(&mm->space, page, pa, prot);
		if (err)
			put_page(phys_to_page(pa));
	}
	was.ops->put(was.obj);  /* never the last reference of a file here: deferred */
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
	int err;

	if (!mm)
		return -EFAULT;
	spin_lock(&mm->lock);
	do {
		err = 0;        /* a retry may find the leaf already fixed */
		v = vma_find(&mm->vmas, addr);
		if (!v) {
			err = -EFAULT;
			break;
		}
		if (!access_allowed(v, fault_flags)) {
			err = -EACCES;
			break;
		}
		if (uvm_get(&mm->space, page, &pa, &prot))
			err = v->ops ? fault_object(mm, v, page) : fault_anon(mm, v, page);
		else if ((fault_flags & FAULT_WRITE) && !(prot & VM_WRITE))
			err = fault_cow(mm, v, page, pa);
		else if (!prot)
			/* A PROT_NONE leaf under an area that now allows access
			 * cannot happen: mprotect updates the leaves. */
			err = -EACCES;
		/* Otherwise the leaf already allows it (another thread fixed it
		 * first, or a stale TLB entry, which the fault itself dropped):
		 * retrying is enough. */
	} while (err == -EAGAIN);
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
