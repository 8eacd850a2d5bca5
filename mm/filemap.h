/*
 * File mappings (mm/filemap.c): the vm_object behind MAP_SHARED and
 * MAP_PRIVATE areas of a file. The object is the struct file the area was
 * mapped from (one reference per area, like Linux's vm_file); its pages
 * come from the inode's page cache (mm/pagecache.h).
 */
#pragma once

#include <kernel/types.h>
#include <mm/vma.h>

struct file;
struct inode;
struct mm;

extern const struct vm_object_ops file_vm_ops;

/* The file an area maps, or NULL for anonymous memory. */
struct file *vma_file(const struct vma *v);

/* Unmap, in every address space, the pages of areas mapping i at file
 * offsets >= from (truncate). Takes mm_list_lock and each mm->lock. */
void filemap_zap(struct inode *i, uint64_t from);

/*
 * An area's reference on its file is dropped under mm->lock, where the
 * last file_put (which may write back and free a file system's inode)
 * must not run: file_put_deferred() queues such a last reference and
 * vm_release_deferred(), called by the mmap family after unlocking, drops
 * it.
 */
void file_put_deferred(struct file *f);
void vm_release_deferred(void);

/* msync(2) on mm: 0 or -errno (EINVAL, ENOMEM, or a write-back error). */
int vm_msync(struct mm *mm, uintptr_t addr, size_t len, int flags);
