/* Memory system calls: thin wrappers over mm/mmap.c on the caller's mm. */
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <mm/mm.h>
#include <mm/filemap.h>

static struct mm *my_mm(void)
{
	struct proc *p = current_proc();
	return p ? p->mm : NULL;
}

long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, unsigned long fd, unsigned long off)
{
	struct mm *mm = my_mm();
	if (!mm)
		return -EINVAL;
	if (off & 0xfff)
		return -EINVAL;
	if (flags & MAP_ANONYMOUS)      /* fd is ignored */
		return vm_mmap(mm, addr, len, (int)prot, (int)flags, NULL, off);
	struct file *f = fd_get(current_proc()->files, (int)fd);
	if (!f)
		return -EBADF;
	long r = vm_mmap(mm, addr, len, (int)prot, (int)flags, f, off);
	file_put(f);
	return r;
}

long sys_msync(unsigned long addr, unsigned long len, int flags)
{
	struct mm *mm = my_mm();
	return mm ? vm_msync(mm, addr, len, flags) : -EINVAL;
}

long sys_munmap(unsigned long addr, unsigned long len)
{
	struct mm *mm = my_mm();
	return mm ? vm_munmap(mm, addr, len) : -EINVAL;
}

long sys_mprotect(unsigned long addr, unsigned long len, unsigned long prot)
{
	struct mm *mm = my_mm();
	return mm ? vm_mprotect(mm, addr, len, (int)prot) : -EINVAL;
}

long sys_brk(unsigned long brk)
{
	struct mm *mm = my_mm();
	return mm ? vm_brk(mm, brk) : -ENOMEM;
}

long sys_mremap(unsigned long old_addr, unsigned long old_len, unsigned long new_len,
		unsigned long flags, unsigned long new_addr)
{
	struct mm *mm = my_mm();
	return mm ? vm_mremap(mm, old_addr, old_len, new_len, (int)flags, new_addr) : -EINVAL;
}

long sys_madvise(unsigned long addr, unsigned long len, int advice)
{
	struct mm *mm = my_mm();
	return mm ? vm_madvise(mm, addr, len, advice) : -EINVAL;
}
