/*
 * ext2 under the VFS (fs/ext2/vfs.c): the "ext2" fs_type, mounted on a
 * block special file (mount("/dev/vda", "/mnt", "ext2", flags, NULL)).
 */
#pragma once

struct fs_type;
struct block_device;
struct super_block;

/* Register the "ext2" type (boot). */
void ext2_vfs_init(void);
/* Mount the ext2 volume on bdev (flags: MS_RDONLY): 0 with *out (its root
 * dentry set), -EINVAL if it is not ext2, -EIO, -ENOMEM. */
int ext2_vfs_mount(struct fs_type *type, struct block_device *bdev, unsigned long flags,
		   struct super_block **out);
