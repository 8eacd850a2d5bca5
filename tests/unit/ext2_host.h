/* Host harness for the ext2 library tests: images made by mke2fs at test
 * time, a file-backed struct ext2_io, and the e2fsprogs checks (e2fsck,
 * debugfs, dumpe2fs) that judge what the library wrote. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <fs/ext2/ext2.h>

/* A fresh image: block size bs, size_mb MiB, extra mke2fs options. Returns
 * its path (static storage per slot 0..3). */
const char *ext2h_mkfs(int slot, unsigned bs, unsigned size_mb, const char *opts);
/* The directory this test binary works in (under build/). */
const char *ext2h_workdir(void);
/* Removes it when every case passed (kept for a look otherwise); returns failed. */
int ext2h_cleanup(int failed);

struct ext2h_disk {
	int fd;
	struct ext2_io io;
	int busy_ino;                 /* inode_busy says yes for this inode */
	bool not_root;                /* may_use_reserved says no */
	unsigned writes;
};
/* Mounts path through a file-backed io; asserts success. */
struct ext2_fs *ext2h_mount(struct ext2h_disk *d, const char *path, unsigned flags);
int ext2h_try_mount(struct ext2h_disk *d, const char *path, unsigned flags, struct ext2_fs **fs);
/* ext2_mkfs through a file-backed io. */
int ext2h_format(struct ext2h_disk *d, const char *path, uint64_t bytes, unsigned bs);
void ext2h_unmount(struct ext2h_disk *d, struct ext2_fs *fs);

/* Runs cmd, returns its stdout (malloc'ed, NUL-terminated) and status. */
char *ext2h_run(const char *cmd, size_t *len, int *status);
/* e2fsck -fn must exit 0; prints its report and fails otherwise. */
void ext2h_fsck_clean(const char *img);
/* debugfs -R 'cat path' must produce exactly data. */
void ext2h_cat_equals(const char *img, const char *path, const void *data, size_t len);
/* debugfs -R req output (malloc'ed). */
char *ext2h_debugfs(const char *img, const char *req);
/* A field from dumpe2fs -h ("Free blocks:" ...), as a number. */
long long ext2h_dumpe2fs_num(const char *img, const char *field);
char *ext2h_dumpe2fs_str(const char *img, const char *field);

/* Resolves a path from the root through ext2_lookup; 0 if missing. */
uint32_t ext2h_path(struct ext2_fs *fs, const char *path);
/* Deterministic bytes for offset off of a test pattern seeded by seed. */
void ext2h_pattern(void *buf, size_t len, uint64_t off, uint32_t seed);
