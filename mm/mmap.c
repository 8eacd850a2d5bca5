/*
 * The mmap family on a struct mm, with Linux's argument checks and errno
 * values: mmap, munmap, mprotect, brk, mremap, madvise. The syscall layer
 * resolves file descriptors and passes the rest through.
 *
 * Each call takes mm->lock for its whole update, so the VMA set and the
 * page tables change together (lock order in mm/mm.h).
 */
#include <ipc/objspace.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/filemap.h>
#include <mm/pagecache.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <asm/layout.h>

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
/* Flags MAP_SHARED_VALIDATE accepts (everything Linux defines that we
 * either implement or may ignore). */
#define MAP_KNOWN (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | \
		   MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | \
		   MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE)

/* [addr, addr + len) lies in user space, does not wrap and keeps out of
 * the object space (ipc/objspace.c maps that itself). */
static bool user_range(uintptr_t addr, size_t len)
{
	return addr + len >= addr && addr + len <= USER_SPACE_END &&
	       !objspace_reserved(addr, len);
}

/* Remove [start, end) from areas and page tables. mm->lock held. */
static int unmap_locked(struct mm *mm, uintptr_t start, uintptr_t end)
{
	int err = vma_remove(&mm->vmas, start, end);

	if (!err)
		mm_unmap_pages(mm, start, end);
	return err;
}

/* Where a non-fixed mapping goes: the hint if it is free, else the highest
 * gap below mmap_base. 0 if none. */
static uintptr_t pick_addr(struct mm *mm, uintptr_t hint, size_t len)
{
	hint = ALIGN_UP(hint, PAGE_SIZE);
	if (hint >= MM_MMAP_MIN_ADDR && user_range(hint, len) &&
	    vma_range_free(&mm->vmas, hint, hint + len))
		return hint;
	return vma_find_free(&mm->vmas, len, MM_MMAP_MIN_ADDR, mm->mmap_base);
}

#define O_ACCMODE 03
#define O_WRONLY  1
#define O_RDWR    2
#define O_APPEND  02000

/* Linux's checks of the file itself (do_mmap): a readable regular file
 * of a file system with a page cache, writable for a shared PROT_WRITE. */
static long file_checks(int prot, int flags, struct file *file)
{
	unsigned acc = file->flags & O_ACCMODE;

	if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE) &&
	    (acc != O_RDWR || (file->flags & O_APPEND)))
		return -EACCES;
	if (acc == O_WRONLY)
		return -EACCES;
	if (!file->inode || !inode_cached(file->inode))
		return -ENODEV;
	return 0;
}

static long mmap_checks(uintptr_t addr, size_t len, int prot, int flags,
			struct file *file, uint64_t off)
{
	int type = flags & MAP_TYPE;

	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	/* Linux ignores prot bits it does not know in mmap (not in mprotect). */
	if (len == 0 || (off & ~PAGE_MASK))
		return -EINVAL;
	/* MAP_SHARED_VALIDATE is checked only for files; an anonymous mapping
	 * of that type falls to Linux's "unknown type" EINVAL. */
	if (type == MAP_SHARED_VALIDATE && (flags & MAP_ANONYMOUS))
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN))
		return -EOPNOTSUPP;
	if (ALIGN_UP(len, PAGE_SIZE) < len || !user_range(0, ALIGN_UP(len, PAGE_SIZE)))
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS)) {
		long err;

		if (!file)
			return -EBADF;
		if (off + ALIGN_UP(len, PAGE_SIZE) < off)
			return -EOVERFLOW;
		if ((err = file_checks(prot, flags, file)))
			return err;
	}
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (!user_range(addr, ALIGN_UP(len, PAGE_SIZE)))
			return -ENOMEM;
		if (addr < MM_MMAP_MIN_ADDR)
			return -EPERM;
	}
	return 0;
}

long vm_mmap(struct mm *mm, uintptr_t addr, size_t len, int prot, int flags,
	     struct file *file, uint64_t off)
{
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	struct vma t = { .prot = (unsigned)prot & PROT_ALL };
	long err = mmap_checks(addr, len, prot, flags, file, off);

	if (err)
		return err;
	if (flags & MAP_ANONYMOUS)
		file = NULL;
	len = ALIGN_UP(len, PAGE_SIZE);
	t.flags = (flags & VMA_FLAG_MASK & ~MAP_TYPE) | (shared ? MAP_SHARED : MAP_PRIVATE);
	if (file) {
		t.ops = &file_vm_ops;
		t.obj = file;
		if (shared && (file->flags & O_ACCMODE) != O_RDWR)
			t.flags |= VMA_NOMAYWRITE;
		shared = false;         /* no new object to let go of below */
	} else if (shared) {
		t.ops = &shared_anon_ops;
		t.obj = shared_anon_create(len);
		if (!t.obj)
			return -ENOMEM;
	}

	spin_lock(&mm->lock);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!vma_range_free(&mm->vmas, addr, addr + len)) {
			err = flags & MAP_FIXED_NOREPLACE ? -EEXIST :
				unmap_locked(mm, addr, addr + len);
		}
	} else {
		addr = pick_addr(mm, addr, len);
		if (!addr)
			err = -ENOMEM;
	}
	if (!err) {
		t.start = addr;
		t.end = addr + len;
		t.off = file ? off : shared ? 0 : addr;
		err = vma_insert(&mm->vmas, &t);
	}
	spin_unlock(&mm->lock);
	if (shared)
		shared_anon_ops.put(t.obj);     /* the area holds its own reference */
	vm_release_deferred();          /* files of areas MAP_FIXED replaced */
	return err ? err : (long)addr;
}

int vm_munmap(struct mm *mm, uintptr_t addr, size_t len)
{
	int err;

	if ((addr & ~PAGE_MASK) || len == 0)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (len == 0 || !user_range(addr, len))
		return -EINVAL;
	spin_lock(&mm->lock);
	err = unmap_locked(mm, addr, addr + len);
	spin_unlock(&mm->lock);
	vm_release_deferred();
	return err;
}

/* Bring the leaves of [start, end) in line with their areas' prot. A
 * private frame others still share stays read-only (copy-on-write). */
static void reprotect_pages(struct mm *mm, uintptr_t start, uintptr_t end)
{
	struct vma *v;

	for (v = vma_first_in(&mm->vmas, start, end); v && v->start < end;
	     v = vma_next(&mm->vmas, v)) {
		uintptr_t va = MAX(v->start, start), stop = MIN(v->end, end);
		unsigned want = mm_prot_to_vm(v->prot), prot;
		phys_addr_t pa;

		/* A shared object's page that becomes writable is faulted in
		 * again, so the object hears of it (a file marks it dirty). */
		if ((v->flags & MAP_SHARED) && v->ops && (want & VM_WRITE)) {
			mm_unmap_pages(mm, va, stop);
			continue;
		}
		for (; uvm_next(&mm->space, &va, stop, &pa, &prot); va += PAGE_SIZE) {
			unsigned p = want;

			if (!(v->flags & MAP_SHARED) && page_count(phys_to_page(pa)) > 1)
				p &= ~VM_WRITE;
			/* The leaf exists, so this cannot fail. */
			uvm_set(&mm->space, va, pa, p);
		}
	}
}

/* A shared mapping of a file not opened for writing never gets
 * PROT_WRITE (EACCES). mm->lock held. */
static int may_add_write(struct mm *mm, uintptr_t start, uintptr_t end, int prot)
{
	struct vma *v;

	if (!(prot & PROT_WRITE))
		return 0;
	for (v = vma_first_in(&mm->vmas, start, end); v && v->start < end;
	     v = vma_next(&mm->vmas, v))
		if (v->flags & VMA_NOMAYWRITE)
			return -EACCES;
	return 0;
}

int vm_mprotect(struct mm *mm, uintptr_t addr, size_t len, int prot)
{
	size_t end;
	int err;

	/* PROT_SEM is accepted (and means nothing on x86), as in Linux. */
	if ((addr & ~PAGE_MASK) || (prot & ~(PROT_ALL | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) ||
	    (prot & (PROT_GROWSDOWN | PROT_GROWSUP)) == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (len == 0)
		return 0;
	end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end <= addr || end > USER_SPACE_END)
		return -ENOMEM;
	spin_lock(&mm->lock);
	err = may_add_write(mm, addr, end, prot);
	if (!err)
		err = vma_protect(&mm->vmas, addr, end, (unsigned)prot & PROT_ALL);
	if (!err)
		reprotect_pages(mm, addr, end);
	spin_unlock(&mm->lock);
	return err;
}

long vm_brk(struct mm *mm, uintptr_t new_brk)
{
	uintptr_t oldp, newp;
	long ret;

	spin_lock(&mm->lock);
	if (!mm->brk_start || new_brk < mm->brk_start || new_brk > USER_SPACE_END)
		goto out_unlock;
	oldp = ALIGN_UP(mm->brk, PAGE_SIZE);
	newp = ALIGN_UP(new_brk, PAGE_SIZE);
	if (newp > oldp) {
		struct vma t = {
			.start = oldp, .end = newp, .off = oldp,
			.prot = PROT_READ | PROT_WRITE,
			.flags = MAP_PRIVATE | MAP_ANONYMOUS,
		};

		/* Like Linux, keep a page free above the new break. */
		if (!vma_range_free(&mm->vmas, oldp, newp + PAGE_SIZE) ||
		    vma_insert(&mm->vmas, &t))
			goto out_unlock;
	} else if (newp < oldp && unmap_locked(mm, newp, oldp)) {
		goto out_unlock;
	}
	mm->brk = new_brk;
out_unlock:
	ret = (long)mm->brk;
	spin_unlock(&mm->lock);
	vm_release_deferred();
	return ret;
}

/* Move the leaves of [from, from + len) to to. On -ENOMEM everything is
 * moved back. */
static int move_pages(struct mm *mm, uintptr_t from, uintptr_t to, size_t len)
{
	uintptr_t va = from;
	phys_addr_t pa;
	unsigned prot;

	for (; uvm_next(&mm->space, &va, from + len, &pa, &prot); va += PAGE_SIZE) {
		if (uvm_set(&mm->space, to + (va - from), pa, prot))
			goto out_move_back;
		uvm_clear(&mm->space, va);
	}
	return 0;

out_move_back:
	for (uintptr_t back = to; uvm_next(&mm->space, &back, to + (va - from), &pa, &prot);
	     back += PAGE_SIZE) {
		uvm_set(&mm->space, from + (back - to), pa, prot);   /* tables exist */
		uvm_clear(&mm->space, back);
	}
	return -ENOMEM;
}

/* Move [old, old + old_len) of area v to a new area [dest, dest + new_len). */
static long move_area(struct mm *mm, struct vma *v, uintptr_t old, size_t old_len,
		      size_t new_len, uintptr_t dest)
{
	struct vma t = *v;
	long err;

	t.start = dest;
	t.end = dest + new_len;
	t.off = v->off + (old - v->start);
	err = vma_insert(&mm->vmas, &t);      /* v may be freed by a merge now */
	if (err)
		return err;
	if (move_pages(mm, old, dest, MIN(old_len, new_len))) {
		unmap_locked(mm, dest, dest + new_len);
		return -ENOMEM;
	}
	/* Only the split of a partly moved area can fail here: the old range
	 * then stays mapped, empty (reads as zero). */
	unmap_locked(mm, old, old + old_len);
	return (long)dest;
}

static long mremap_checks(uintptr_t old, size_t old_len, size_t new_len, int flags,
			  uintptr_t new_addr)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED))
		return -EINVAL;         /* MREMAP_DONTUNMAP: not supported yet */
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((old & ~PAGE_MASK) || ALIGN_UP(new_len, PAGE_SIZE) == 0 ||
	    ALIGN_UP(old_len, PAGE_SIZE) == 0)
		return -EINVAL;         /* old_len 0 (duplicate a shared area): not yet */
	if (!user_range(old, ALIGN_UP(old_len, PAGE_SIZE)))
		return -EFAULT;
	if (flags & MREMAP_FIXED) {
		size_t nl = ALIGN_UP(new_len, PAGE_SIZE), ol = ALIGN_UP(old_len, PAGE_SIZE);

		if ((new_addr & ~PAGE_MASK) || !user_range(new_addr, nl) ||
		    new_addr < MM_MMAP_MIN_ADDR)
			return -EINVAL;
		if (new_addr < old + ol && old < new_addr + nl)
			return -EINVAL;
	}
	return 0;
}

long vm_mremap(struct mm *mm, uintptr_t old, size_t old_len, size_t new_len,
	       int flags, uintptr_t new_addr)
{
	long ret = mremap_checks(old, old_len, new_len, flags, new_addr);
	uintptr_t tail;
	struct vma *v;

	if (ret)
		return ret;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	spin_lock(&mm->lock);
	v = vma_find(&mm->vmas, old);
	if (!v || old + old_len > v->end) {
		ret = -EFAULT;
		goto out_unlock;
	}
	if (flags & MREMAP_FIXED) {
		ret = unmap_locked(mm, new_addr, new_addr + new_len);
		if (!ret)
			ret = move_area(mm, v, old, old_len, new_len, new_addr);
		goto out_unlock;
	}
	if (new_len <= old_len) {
		ret = unmap_locked(mm, old + new_len, old + old_len);
		ret = ret ? ret : (long)old;
		goto out_unlock;
	}
	tail = old + old_len;
	if (tail == v->end && user_range(old, new_len) &&
	    vma_range_free(&mm->vmas, tail, old + new_len)) {
		struct vma t = *v;

		t.start = tail;
		t.end = old + new_len;
		t.off = v->off + (tail - v->start);
		ret = vma_insert(&mm->vmas, &t);
		ret = ret ? ret : (long)old;
	} else if (flags & MREMAP_MAYMOVE) {
		uintptr_t dest = vma_find_free(&mm->vmas, new_len, MM_MMAP_MIN_ADDR,
					       mm->mmap_base);

		ret = dest ? move_area(mm, v, old, old_len, new_len, dest) : -ENOMEM;
	} else {
		ret = -ENOMEM;
	}
out_unlock:
	spin_unlock(&mm->lock);
	vm_release_deferred();
	return ret;
}

static bool madvise_known(int advice)
{
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_REMOVE: case MADV_DONTFORK:
	case MADV_DOFORK: case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT:
		return true;
	default:
		return false;
	}
}

int vm_madvise(struct mm *mm, uintptr_t addr, size_t len, int advice)
{
	uintptr_t end;
	bool covered;

	if ((addr & ~PAGE_MASK) || !madvise_known(advice))
		return -EINVAL;
	end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr || (len && end == addr))
		return -EINVAL;
	if (end == addr)
		return 0;
	if (objspace_reserved(addr, end - addr))
		return -ENOMEM;         /* no areas there: only ipc/objspace.c maps it */
	spin_lock(&mm->lock);
	covered = vma_range_covered(&mm->vmas, addr, end);
	/* Dropping the leaves makes private anonymous pages read back as
	 * zero; shared objects and (later) files keep their data. */
	if (advice == MADV_DONTNEED || advice == MADV_FREE)
		mm_unmap_pages(mm, addr, end);
	spin_unlock(&mm->lock);
	return covered ? 0 : -ENOMEM;
}
