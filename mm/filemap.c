/*
 * File mappings: the vm_object of file areas (mm/filemap.h), the zapping
 * of truncated pages from every address space, msync, and the deferred
 * release of an area's file reference.
 *
 * Lock order: mm_list_lock -> mm->lock -> page_cache.lock; defer_lock is
 * a leaf. The page op runs with no spinlock held (it may read the page in).
 */
#include <mm/filemap.h>
#include <mm/pagecache.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/file.h>

static struct spinlock defer_lock = SPINLOCK_INIT("file_defer");
static LIST_HEAD(deferred_files);

void file_put_deferred(struct file *f)
{
	int r = __atomic_load_n(&f->refcount, __ATOMIC_RELAXED);

	while (r > 1)
		if (__atomic_compare_exchange_n(&f->refcount, &r, r - 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return;
	/* The last reference: the list now holds it. */
	spin_lock(&defer_lock);
	list_add_tail(&f->defer_link, &deferred_files);
	spin_unlock(&defer_lock);
}

void vm_release_deferred(void)
{
	for (;;) {
		spin_lock(&defer_lock);
		if (list_empty(&deferred_files)) {
			spin_unlock(&defer_lock);
			return;
		}
		struct file *f = list_entry(deferred_files.next, struct file, defer_link);
		list_del(&f->defer_link);
		spin_unlock(&defer_lock);
		file_put(f);
	}
}

static void file_vm_get(void *obj)
{
	struct file *f = obj;

	file_get(f);
	__atomic_fetch_add(&f->inode->cache.nr_mmaps, 1, __ATOMIC_RELAXED);
}

static void file_vm_put(void *obj)
{
	struct file *f = obj;

	__atomic_fetch_sub(&f->inode->cache.nr_mmaps, 1, __ATOMIC_RELEASE);
	file_put_deferred(f);
}

/* Past the page holding the last byte is SIGBUS (-EIO), as on Linux. */
static bool in_file(struct inode *i, uint64_t off)
{
	return off < ALIGN_UP(READ_ONCE(i->size), PAGE_SIZE);
}

static int file_vm_page(void *obj, uint64_t off, unsigned flags, phys_addr_t *pa)
{
	struct inode *i = ((struct file *)obj)->inode;
	struct page *pg;
	int err;

	if (!in_file(i, off))
		return -EIO;
	err = pcache_get_page(i, off / PAGE_SIZE, 0, &pg);
	if (err)
		return err == -ENOMEM ? err : -EIO;
	if (flags & VMO_WRITE)
		pcache_mark_mapped_writable(i, pg);
	*pa = page_to_phys(pg);
	return 0;
}

static bool file_vm_valid(void *obj, uint64_t off, phys_addr_t pa)
{
	struct inode *i = ((struct file *)obj)->inode;

	return in_file(i, off) && pcache_page_attached(i, phys_to_page(pa));
}

const struct vm_object_ops file_vm_ops = {
	.get = file_vm_get,
	.put = file_vm_put,
	.page = file_vm_page,
	.valid = file_vm_valid,
};

struct file *vma_file(const struct vma *v)
{
	return v->ops == &file_vm_ops ? v->obj : NULL;
}

struct zap {
	struct inode *inode;
	uint64_t from;
};

static void zap_mm(struct mm *mm, void *arg)
{
	struct zap *z = arg;
	struct vma *v;

	vma_for_each(v, &mm->vmas) {
		struct file *f = vma_file(v);
		uint64_t len = v->end - v->start;

		if (!f || f->inode != z->inode || v->off + len <= z->from)
			continue;
		uintptr_t start = v->start + (z->from > v->off ? z->from - v->off : 0);
		mm_unmap_pages(mm, start, v->end);
	}
}

void filemap_zap(struct inode *i, uint64_t from)
{
	struct zap z = { i, from };

	mm_for_each(zap_mm, &z);
}

/* The file of the first shared file area ending above *pos and below
 * end, with a reference; *pos moves past it. *hole: a gap was crossed. */
static struct file *next_shared_file(struct mm *mm, uintptr_t *pos, uintptr_t end, bool *hole)
{
	struct file *found = NULL;
	struct vma *v;

	spin_lock(&mm->lock);
	for (v = vma_first_in(&mm->vmas, *pos, end); v && v->start < end; v = vma_next(&mm->vmas, v)) {
		if (v->start > *pos)
			*hole = true;
		*pos = v->end;
		if (vma_file(v) && (v->flags & MAP_SHARED)) {
			found = vma_file(v);
			file_get(found);
			break;
		}
	}
	if (!found) {
		if (*pos < end)
			*hole = true;
		*pos = end;
	}
	spin_unlock(&mm->lock);
	return found;
}

int vm_msync(struct mm *mm, uintptr_t addr, size_t len, int flags)
{
	uintptr_t end, pos = addr;
	bool hole = false;
	int err = 0;

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (addr & ~PAGE_MASK) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr)
		return -ENOMEM;
	while (pos < end) {
		struct file *f = next_shared_file(mm, &pos, end, &hole);

		if (!f)
			break;
		/* MS_ASYNC: the pages are in the cache, which is what every
		 * reader sees; they are written back with the next sync. */
		if (flags & MS_SYNC) {
			int e = vfs_fsync(f->inode);
			err = err ? err : e;
		}
		file_put(f);
	}
	return hole ? -ENOMEM : err;
}
