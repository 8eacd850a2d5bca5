/*
 * newc ("070701") and crc ("070702") cpio archives in memory, the format of
 * the initramfs. Pure: the caller (the initramfs unpacker) decides what to
 * make of each entry.
 */
#pragma once

#include <kernel/types.h>

#define CPIO_HEADER_SIZE 110

struct cpio_entry {
	const char *name;       /* NUL-terminated, inside the archive, as stored
				 * ("bin/sh"; other tools may write "./bin/sh" or ".") */
	size_t namelen;         /* strlen(name), >= 1 */
	uint32_t ino;
	uint32_t mode;          /* file type (S_IF*) and permission bits */
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t mtime;         /* seconds since the epoch */
	uint32_t dev_major, dev_minor;   /* device holding the file */
	uint32_t rdev_major, rdev_minor; /* for character/block special files */
	const void *data;       /* file contents, or a symlink's target (no NUL) */
	size_t size;
};

/*
 * Call fn on every entry of the archive(s) in buf[0, len), in order, up to
 * each "TRAILER!!!" (not passed to fn). Several archives may follow each
 * other, separated by NUL padding; NUL bytes after the last are ignored.
 * The whole buffer is validated before fn is first called, so fn sees
 * either every entry or none. Hard links come as in newc: entries sharing
 * ino, only the last carrying the data.
 *
 * Returns 0, the first non-zero value fn returns (iteration stops), or
 * -EINVAL: bad magic, a field that is not exactly 8 hex digits, a name
 * that is empty, not NUL-terminated or has a NUL inside, a header, name or
 * data running past len, a crc ("070702") checksum mismatch on a regular
 * file (the only entries whose data is summed), or no trailer.
 * An empty buffer (or only NULs) is an empty archive: returns 0.
 */
int cpio_for_each(const void *buf, size_t len,
		  int (*fn)(const struct cpio_entry *e, void *arg), void *arg);
