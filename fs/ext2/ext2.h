/*
 * ext2 file system library: mounts a volume reached through struct ext2_io
 * and offers inode-number based operations for the VFS to call.
 *
 * Locking: none inside. The caller serializes every call on one struct
 * ext2_fs (one sleeping lock per mounted file system is enough); the io
 * callbacks may sleep. Nothing is cached across calls except the
 * superblock and group descriptors, which the library owns and writes
 * through on every change, so the volume is consistent after each call
 * once the io's writes land (ext2_sync flushes them).
 * Errors are negative Linux errno values.
 */
#pragma once

#include <kernel/types.h>
#include <fs/ext2/ext2_disk.h>

/*
 * Block I/O, in file-system blocks of block_size bytes (1024 for the
 * superblock probe, then the volume's block size). Maps onto a buffer
 * cache as: read = bread + memcpy + brelse; write = getblk/bread + memcpy
 * + mark dirty + brelse (write-back is fine: later reads must see it);
 * flush = write every dirty buffer and flush the device cache.
 * Return 0 or -errno (-EIO).
 */
struct ext2_io {
	int (*read)(void *ctx, uint64_t blockno, uint32_t block_size, void *buf);
	int (*write)(void *ctx, uint64_t blockno, uint32_t block_size, const void *buf);
	int (*flush)(void *ctx);
	/* Seconds since the epoch, for timestamps. */
	uint32_t (*now)(void *ctx);
	/*
	 * Optional: true when the VFS still has the inode open. unlink/rmdir/
	 * rename then leave an inode whose links reached 0 allocated, and the
	 * VFS calls ext2_evict() when it drops its last reference.
	 */
	bool (*inode_busy)(void *ctx, uint32_t ino);
	/*
	 * Optional: may the calling task dip into the blocks reserved for the
	 * superuser (s_r_blocks_count)? Linux allows it to CAP_SYS_RESOURCE
	 * and to s_def_resuid/resgid. NULL: everybody may.
	 */
	bool (*may_use_reserved)(void *ctx);
	void *ctx;
};

struct ext2_fs;

#define EXT2_MOUNT_RDONLY 0x1

/* Formats bytes of the device (rounded down to whole blocks and groups)
 * as an empty ext2 volume with block_size 1024, 2048 or 4096: root and
 * lost+found, filetype/sparse_super/large_file, 5% reserved, one inode per
 * 8 KiB. -ENOSPC when too small (about 64 blocks). */
int ext2_mkfs(const struct ext2_io *io, uint64_t bytes, uint32_t block_size);

/* Reads and checks the superblock and descriptors. -EINVAL: not ext2 or an
 * incompatible feature; an unknown ro_compat feature forces read-only
 * (ext2_is_rdonly tells). A read-write mount marks the volume not clean. */
int ext2_mount(const struct ext2_io *io, unsigned flags, struct ext2_fs **out);
/* Read-write mounts: restores s_state as found at mount (clean stays
 * clean, an unchecked volume stays unchecked). Flushes and frees fs. */
int ext2_unmount(struct ext2_fs *fs);
int ext2_sync(struct ext2_fs *fs);
bool ext2_is_rdonly(const struct ext2_fs *fs);
uint32_t ext2_block_size(const struct ext2_fs *fs);

struct ext2_statfs {
	uint64_t block_size;
	uint64_t blocks;
	uint64_t free_blocks;
	uint64_t avail_blocks;      /* free minus the superuser's reserve */
	uint64_t files;
	uint64_t free_files;
	uint64_t name_max;
};
void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st);

struct ext2_stat {
	uint32_t ino;
	uint32_t mode;              /* S_IFMT | permissions, as Linux */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t blocks;            /* 512-byte units */
	uint32_t atime, mtime, ctime;
	uint32_t rdev;              /* Linux dev_t (major << 8 | minor, large: see mkdev) */
	uint32_t blksize;
};
int ext2_getattr(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *st);

/* ext2_setattr: the fields named in valid change; EXT2_ATTR_SIZE truncates
 * or extends (sparse). ctime is set to now unless EXT2_ATTR_CTIME gives it. */
#define EXT2_ATTR_MODE  0x01        /* permission bits only (07777) */
#define EXT2_ATTR_UID   0x02
#define EXT2_ATTR_GID   0x04
#define EXT2_ATTR_SIZE  0x08
#define EXT2_ATTR_ATIME 0x10
#define EXT2_ATTR_MTIME 0x20
#define EXT2_ATTR_CTIME 0x40
struct ext2_setattr {
	unsigned valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	uint32_t atime, mtime, ctime;
};
int ext2_setattr(struct ext2_fs *fs, uint32_t ino, const struct ext2_setattr *attr);

/* File data. Reads stop at i_size and return 0 bytes at or past it; holes
 * read as zeros. Writes allocate blocks (-ENOSPC, -EFBIG past the block
 * map or 2^32 512-byte units). Both return bytes done or -errno.
 * They do not update atime; writes update mtime/ctime. */
int64_t ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len);
int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len);
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size);

/* Directories. Names are (pointer, length), no NUL needed. */
int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);

/*
 * ext2_readdir calls emit for each entry from *pos on (a byte offset in the
 * directory; 0 starts); next is the cookie of the following entry. emit
 * returns nonzero to stop; *pos is then left at that entry, so the next
 * call sees it again. At the end *pos is the directory size. type is a
 * Linux DT_* value (DT_UNKNOWN without the filetype feature).
 */
typedef int (*ext2_emit_t)(void *arg, const char *name, size_t len, uint32_t ino,
			   unsigned type, uint64_t next);
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *pos, ext2_emit_t emit, void *arg);

/* Create regular files, FIFOs, sockets and device nodes (mode's S_IFMT
 * says which; rdev for devices). -EEXIST, -ENOSPC, -ENAMETOOLONG. */
int ext2_mknod(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	       uint32_t mode, uint32_t uid, uint32_t gid, uint32_t rdev, uint32_t *ino);
int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	       uint32_t mode, uint32_t uid, uint32_t gid, uint32_t *ino);
/* Targets below 60 bytes live in the inode (fast), longer in a block. */
int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 const char *target, uint32_t uid, uint32_t gid, uint32_t *ino);
/* Copies at most size bytes of the target (no NUL); returns its length. */
int64_t ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t size);
/* A new name for ino in dir; -EPERM for directories, -EMLINK, -ENOENT
 * for an inode whose links are gone. */
int ext2_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir, const char *name, size_t len);
/* -EISDIR for directories. Frees the inode when the last link goes
 * (unless io->inode_busy says it is open: see ext2_evict). */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/* -ENOTDIR, -ENOTEMPTY, -EINVAL for ".". */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/* Linux rename(2) semantics, an existing target replaced atomically from
 * the caller's view; -EINVAL moving a directory below itself. */
int ext2_rename(struct ext2_fs *fs, uint32_t olddir, const char *oldname, size_t oldlen,
		uint32_t newdir, const char *newname, size_t newlen);
/* Frees an inode with no links left (its blocks and its bitmap bit). */
int ext2_evict(struct ext2_fs *fs, uint32_t ino);
