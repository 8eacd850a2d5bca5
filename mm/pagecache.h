/*
 * The page cache: one per regular-file inode (struct inode.cache), the
 * file's pages by page index. read(), write(), mmap and exec all go
 * through it, so they see the same bytes. A file system with storage
 * fills a missing page with inode_ops.readpage and gets dirty pages back
 * through writepage; tmpfs has neither: its cache is the storage
 * (PCACHE_STORAGE), a missing page is a hole that reads as zeros.
 *
 * Page states (struct page.flags, owner PG_CACHE, page->private = cache):
 *   PG_LOCKED  being filled by readpage: waiters sleep on cache->wait;
 *   PG_DIRTY   newer than the storage (write(), or a write fault);
 *   PG_MAPWR   mapped writable by a MAP_SHARED area: stores may arrive at
 *              any time, so writeback treats it as dirty while mapped.
 * The cache holds one reference on each of its pages; page-table leaves
 * and callers of pcache_get_page hold their own.
 *
 * Locking: cache->lock (spinlock, a leaf under mm->lock) covers slots,
 * nr_pages and the PG_* flags above. It is never held across readpage,
 * writepage or a user copy. Writeback and truncation run with
 * inode.lock (mutex) held by the caller; faults and reads of a missing
 * page do not take inode.lock (a write() copying from a mapping of the
 * same file would deadlock): the PG_LOCKED page is what they share.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <mm/page.h>

struct inode;
struct page;

/* The largest file a cache holds (its index is an array): 1 TiB. */
#define PCACHE_MAX_BYTES (1ull << 40)

/* page_cache.flags */
#define PCACHE_STORAGE 1        /* no backing store: the pages are the data (tmpfs) */

struct page_cache {
	struct spinlock lock;
	/* Under lock. */
	struct page **slots;            /* by page index; NULL: not cached */
	uint64_t cap;                   /* entries in slots */
	uint64_t nr_pages;
	uint64_t nr_dirty;              /* pages with PG_DIRTY or PG_MAPWR */

	struct wait_queue wait;         /* tasks waiting for a PG_LOCKED page */
	unsigned flags;                 /* immutable once the inode is in use */
	int nr_mmaps;                   /* atomic: areas mapping the file */
	/* PCACHE_STORAGE file systems: told of each page added (+1) or
	 * dropped (-1), for their usage figures. May be NULL. */
	void (*account)(struct inode *i, int pages);
	struct list_head dirty_link;    /* on the dirty-inode list (pcache_sync_all) */
};

void pcache_init(struct page_cache *pc);
/* Pages held by all page caches (tmpfs files' included). */
uint64_t pcache_total_pages(void);
/* Does i keep its data in the page cache (regular file of a file system
 * with readpage, or tmpfs)? Only such files can be read with
 * kernel_read, mapped and executed. */
bool inode_cached(const struct inode *i);

/* pcache_get_page flags */
#define PCG_NOREAD 1    /* the caller overwrites the whole page: a missing page
			 * is zeroed instead of read */
/* The page at index of i's file, read in if missing, with a reference for
 * the caller (put_page): 0, -ENOMEM or readpage's error. May sleep. */
int pcache_get_page(struct inode *i, uint64_t index, unsigned flags, struct page **out);
/* The page was written through the kernel (write()). */
void pcache_mark_dirty(struct inode *i, struct page *page);
/* The page is being mapped writable by a shared area. */
void pcache_mark_mapped_writable(struct inode *i, struct page *page);
/* Is page still i's (not dropped by truncation)? */
bool pcache_page_attached(struct inode *i, struct page *page);

/* Write every dirty page back with ->writepage. i->lock held. 0 or the
 * first error (the page stays dirty). */
int pcache_writeback(struct inode *i);
/* Drop the pages wholly at or past size and zero the tail of the page
 * holding size; mappings of the dropped range are zapped (later access:
 * SIGBUS). i->lock held; i->size already set. */
void pcache_truncate(struct inode *i, uint64_t size);
/* The inode is going away: write back (if it is still linked), drop
 * every page, free the index. */
void pcache_evict(struct inode *i);
/* sync(2)/syncfs(2): write back every inode with dirty pages (of sb, or
 * all when sb is NULL). First error or 0. */
struct super_block;
int pcache_sync_all(struct super_block *sb);
