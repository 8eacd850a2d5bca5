/*
 * File modes and the permission rule (fs/perm.c). Pure: no kernel state,
 * so the host tests (tests/unit/test_perm.c) compile it as it is.
 */
#pragma once

#include <kernel/types.h>

#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define S_ISUID  04000
#define S_ISGID  02000
#define S_ISVTX  01000
#define S_ISDIR(m)  (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m)  (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m)  (((m) & S_IFMT) == S_IFLNK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISCHR(m)  (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m) & S_IFMT) == S_IFBLK)

#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EACCESS          0x200
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT     0x800
#define AT_EMPTY_PATH       0x1000

/* Permission masks for vfs_permission (access(2)'s R_OK, W_OK, X_OK). */
#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4

/* May a caller with fs ids (fsuid, fsgid) and supplementary groups do
 * mask (MAY_*) to a file with mode, uid, gid? 0 or -EACCES. */
int vfs_permission_check(uint32_t fsuid, uint32_t fsgid, const uint32_t *groups,
			 unsigned ngroups, uint32_t mode, uint32_t uid, uint32_t gid, int mask);
