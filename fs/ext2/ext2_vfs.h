/*
 * ext2 under the VFS (fs/ext2/vfs.c, work in progress): not yet an
 * fs_type; mounting a block device read-only is what exists.
 */
#pragma once

struct fs_type;
struct block_device;
struct super_block;

/* Mount the ext2 volume on bdev read-only: 0 with *out (its root dentry
 * set), -EINVAL if it is not ext2, -EIO, -ENOMEM. */
int ext2_vfs_mount(struct fs_type *type, struct block_device *bdev, struct super_block **out);
