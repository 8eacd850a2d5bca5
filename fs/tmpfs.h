/* tmpfs (fs/tmpfs.c): the in-memory file system, and what the initramfs
 * unpacker and memfd_create need beyond the VFS interface. */
#pragma once

#include <fs/vfs.h>

extern struct fs_type tmpfs_type;

/* Write kernel bytes into a regular tmpfs file (caller holds i->lock or
 * owns i alone). */
int tmpfs_write_kernel(struct inode *i, uint64_t off, const void *buf, size_t len);
/* A new regular file with no name (nlink 0). */
struct inode *tmpfs_new_file(struct super_block *sb, uint32_t mode);

