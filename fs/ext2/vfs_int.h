/*
 * ext2 under the VFS: what fs/ext2/vfs.c (mount, inodes, super block),
 * vfs_namei.c (directory operations) and vfs_file.c (file data) share.
 *
 * Locking: every library call runs under the per-volume mutex e2->lock,
 * and so does the table of live inodes. It nests inside the VFS's inode
 * locks (the VFS calls the ops with them held) and outside the buffer
 * locks. Never drop an inode reference (inode_put, d_drop, d_put) with
 * e2->lock held: the last one evicts, which takes it.
 */
#pragma once

#include <fs/ext2/ext2.h>
#include <fs/vfs.h>
#include <kernel/list.h>
#include <kernel/mutex.h>

#define EXT2_SUPER_MAGIC 0xEF53
#define EXT2V_HASH 1024                 /* live-inode buckets */

struct block_device;

struct ext2_vfs {
	/* Immutable after mount. */
	struct block_device *bdev;
	struct ext2_io io;
	bool rdonly;                    /* MS_RDONLY, or a feature we may not write */

	struct mutex lock;              /* the volume: library calls, the table */
	struct ext2_fs *fs;
	struct list_head inodes[EXT2V_HASH];    /* struct ext2_vinode.link by ino */
};

/* What an inode of ours carries in fs_private. */
struct ext2_vinode {
	struct list_head link;          /* in an ext2_vfs.inodes bucket */
	struct inode *inode;
};

static inline struct ext2_vfs *E2(struct super_block *sb) { return sb->fs_private; }
static inline uint32_t INO(const struct inode *i) { return (uint32_t)i->ino; }

/* vfs.c; e2->lock held for both. */
int ext2v_iget(struct super_block *sb, uint32_t ino, struct inode **out);
/* Copy the library's view of i's attributes into i. */
int ext2v_refresh(struct inode *i);
int ext2v_refresh_size(struct inode *i);   /* and take the volume's size */

/* vfs_namei.c */
extern const struct inode_ops ext2v_dir_ops, ext2v_link_ops, ext2v_special_ops;
extern const struct file_ops ext2v_dir_fops;

/* vfs_file.c: regular files (the layer a generic page-cache file
 * replaces: it keeps readpage/writepage and truncate/fallocate). */
extern const struct inode_ops ext2v_file_ops;
