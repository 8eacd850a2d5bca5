/*
 * Character and block device numbers, the character-device registry and
 * devfs (fs/chrdev.c, fs/devfs.c).
 *
 * A device number is kept as mknod(2) passes it (Linux's 32-bit "new"
 * encoding: minor bits 0-7, major bits 8-19, more minor bits 20-31), which
 * is also what stat(2) reports in st_rdev.
 */
#pragma once

#include <kernel/types.h>

#define MKDEV(ma, mi) ((uint32_t)(((mi) & 0xff) | (((ma) & 0xfff) << 8) | (((mi) & ~0xffu) << 12)))
#define MAJOR(dev)    ((unsigned)(((dev) >> 8) & 0xfff))
#define MINOR(dev)    ((unsigned)(((dev) & 0xff) | (((dev) >> 12) & 0xfff00)))

struct file;
struct file_ops;
struct fs_type;

/* What opening a character device makes: a new open file (one
 * reference), NULL on ENOMEM or an ERR_PTR. flags are the open flags with
 * O_NOCTTY still in them (terminals look at it). */
typedef struct file *(*chrdev_open_fn)(uint32_t dev, unsigned flags);

/* Register the driver for character device major:minor; -EBUSY if taken. */
int chrdev_register(unsigned major, unsigned minor, chrdev_open_fn open);
/* The driver for every minor of major that has no driver of its own. */
int chrdev_register_major(unsigned major, chrdev_open_fn open);
/* Open character device dev (any file system's S_IFCHR inode): 0 with
 * *out, -ENXIO if no driver has the number, -ENOMEM. */
long chrdev_open(uint32_t dev, unsigned flags, struct file **out);

extern struct fs_type devtmpfs_type;

/* Register the built-in devices and devtmpfs (boot, before the first mount). */
void devfs_init(void);
/* Add /dev/name as a block device node (mode 0660, root:disk); the block
 * layer calls it for each disk and partition it registers. Opening an
 * S_IFBLK node goes to blkdev_open (drivers/block/bfile.c): -ENXIO for a
 * number no device has. */
int devfs_add_block(const char *name, uint32_t dev);
/* Mount devtmpfs at /dev if the directory exists (boot). */
void devfs_mount_at_boot(void);
