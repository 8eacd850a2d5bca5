/*
 * The initial root file system: the initramfs cpio unpacked into a tree of
 * nodes whose file data stays in the archive's memory. Read-only for now;
 * the VFS issue replaces it with tmpfs filled from the same archive, and
 * exec only needs ramfs_lookup + the node's bytes, which is the seam.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>

#define PATH_MAX 4096
#define NAME_MAX 255

struct ramfs_node {
	char *name;
	uint32_t mode;                  /* S_IF* type and permission bits */
	uint32_t uid, gid;
	const void *data;               /* file contents, or a symlink's target */
	size_t size;
	struct ramfs_node *parent;
	struct list_head children;      /* directories */
	struct list_head sibling;
	/* A synthetic file (/proc/... until procfs): its text is generated
	 * at open (fs/genfile.h); data and size are unused. */
	int (*generate)(char *buf, size_t len);
};

#define S_IFMT   0170000
#define S_IFDIR  0040000
#define S_IFREG  0100000
#define S_IFLNK  0120000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)

/* Add a read-only synthetic file at an absolute path (missing parents
 * become directories): 0 or -errno. */
int ramfs_add_generated(const char *path, int (*generate)(char *buf, size_t len));
/* Unpack a newc archive into the tree (may be called for several). */
int ramfs_unpack(const void *cpio, size_t len);
/* Resolve an absolute path (symlinks followed, also in the last component).
 * 0 with *out, or -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG. */
int ramfs_lookup(const char *path, struct ramfs_node **out);
/* Relative paths start at dir; follow_last false: a final symlink is
 * returned as itself (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW). */
int ramfs_lookup_at(struct ramfs_node *dir, const char *path, bool follow_last,
		    struct ramfs_node **out);
int ramfs_path(const struct ramfs_node *n, char *buf, size_t size);
/* The node behind an open initramfs file, or NULL for other files. */
struct file;
struct ramfs_node *ramfs_file_node(struct file *f);
struct ramfs_node *ramfs_root(void);
