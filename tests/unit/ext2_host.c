/* Host harness for the ext2 tests (tests/unit/ext2_host.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "ext2_host.h"

/* The library's allocator, from the host's. */
void *kmalloc(size_t size) { return malloc(size); }
void *kzalloc(size_t size) { return calloc(1, size); }
void kfree(const void *ptr) { free((void *)ptr); }

static char workdir[512];

const char *ext2h_workdir(void)
{
	if (!workdir[0]) {
		snprintf(workdir, sizeof(workdir), "%s/ext2.XXXXXX", EXT2_WORK_DIR);
		assert_int_equal(system("mkdir -p " EXT2_WORK_DIR), 0);
		assert_non_null(mkdtemp(workdir));
	}
	return workdir;
}

int ext2h_cleanup(int failed)
{
	char cmd[600];

	if (!failed && workdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
		if (system(cmd) != 0)
			return 1;
	} else if (workdir[0]) {
		fprintf(stderr, "ext2 test images kept in %s\n", workdir);
	}
	return failed;
}

char *ext2h_run(const char *cmd, size_t *len, int *status)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap + 1);

	assert_non_null(p);
	for (size_t got; (got = fread(out + n, 1, cap - n, p)) > 0;) {
		n += got;
		if (n == cap)
			out = realloc(out, (cap *= 2) + 1);
	}
	out[n] = 0;
	int st = pclose(p);
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (len)
		*len = n;
	return out;
}

const char *ext2h_mkfs(int slot, unsigned bs, unsigned size_mb, const char *opts)
{
	static char paths[4][600];
	char cmd[1400];
	int status;

	snprintf(paths[slot], sizeof(paths[slot]), "%s/img%d", ext2h_workdir(), slot);
	unlink(paths[slot]);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 -b %u %s '%s' %uM 2>&1",
		 bs, opts ? opts : "", paths[slot], size_mb);
	char *out = ext2h_run(cmd, NULL, &status);
	if (status != 0)
		fail_msg("%s: %s", cmd, out);
	free(out);
	return paths[slot];
}

static int fio_read(void *ctx, uint64_t blk, uint32_t bs, void *buf)
{
	struct ext2h_disk *d = ctx;

	return pread(d->fd, buf, bs, blk * bs) == (ssize_t)bs ? 0 : -5;
}

static int fio_write(void *ctx, uint64_t blk, uint32_t bs, const void *buf)
{
	struct ext2h_disk *d = ctx;

	d->writes++;
	return pwrite(d->fd, buf, bs, blk * bs) == (ssize_t)bs ? 0 : -5;
}

static int fio_flush(void *ctx)
{
	struct ext2h_disk *d = ctx;

	return fdatasync(d->fd) == 0 ? 0 : -5;
}

static uint32_t fio_now(void *ctx)
{
	return time(NULL);
}

static bool fio_busy(void *ctx, uint32_t ino)
{
	struct ext2h_disk *d = ctx;

	return d->busy_ino && (uint32_t)d->busy_ino == ino;
}

static bool fio_may_use_reserved(void *ctx)
{
	struct ext2h_disk *d = ctx;

	return !d->not_root;
}

int ext2h_try_mount(struct ext2h_disk *d, const char *path, unsigned flags, struct ext2_fs **fs)
{
	memset(d, 0, sizeof(*d));
	d->fd = open(path, O_RDWR);
	assert_true(d->fd >= 0);
	d->io = (struct ext2_io){ fio_read, fio_write, fio_flush, fio_now, fio_busy,
				  fio_may_use_reserved, d };
	int err = ext2_mount(&d->io, flags, fs);
	if (err)
		close(d->fd);
	return err;
}

int ext2h_format(struct ext2h_disk *d, const char *path, uint64_t bytes, unsigned bs)
{
	memset(d, 0, sizeof(*d));
	d->fd = open(path, O_RDWR);
	assert_true(d->fd >= 0);
	d->io = (struct ext2_io){ fio_read, fio_write, fio_flush, fio_now, fio_busy,
				  fio_may_use_reserved, d };
	int err = ext2_mkfs(&d->io, bytes, bs);
	close(d->fd);
	return err;
}

struct ext2_fs *ext2h_mount(struct ext2h_disk *d, const char *path, unsigned flags)
{
	struct ext2_fs *fs = NULL;

	assert_int_equal(ext2h_try_mount(d, path, flags, &fs), 0);
	return fs;
}

void ext2h_unmount(struct ext2h_disk *d, struct ext2_fs *fs)
{
	assert_int_equal(ext2_unmount(fs), 0);
	close(d->fd);
}

/* e2fsck does not compare the superblock totals with the groups: we do. */
static void super_totals_match(const char *img)
{
	char cmd[700];
	int status;
	long long fb = 0, fi = 0, b, i, dirs;

	snprintf(cmd, sizeof(cmd), "dumpe2fs '%s' 2>/dev/null", img);
	char *out = ext2h_run(cmd, NULL, &status);
	assert_int_equal(status, 0);
	for (char *line = out; line; line = strchr(line + 1, '\n'))
		if (sscanf(line, " %lld free blocks, %lld free inodes, %lld directories",
			   &b, &i, &dirs) == 3) {
			fb += b;
			fi += i;
		}
	free(out);
	assert_int_equal(fb, ext2h_dumpe2fs_num(img, "Free blocks:"));
	assert_int_equal(fi, ext2h_dumpe2fs_num(img, "Free inodes:"));
}

void ext2h_fsck_clean(const char *img)
{
	char cmd[700];
	int status;

	snprintf(cmd, sizeof(cmd), "e2fsck -fn '%s' 2>&1", img);
	char *out = ext2h_run(cmd, NULL, &status);
	if (status != 0)
		fail_msg("e2fsck -fn exit %d:\n%s", status, out);
	free(out);
	super_totals_match(img);
}

char *ext2h_debugfs(const char *img, const char *req)
{
	char cmd[1200];
	int status;

	snprintf(cmd, sizeof(cmd), "debugfs -R \"%s\" '%s' 2>/dev/null", req, img);
	char *out = ext2h_run(cmd, NULL, &status);
	assert_int_equal(status, 0);
	return out;
}

void ext2h_cat_equals(const char *img, const char *path, const void *data, size_t len)
{
	char cmd[1200];
	size_t n;
	int status;

	snprintf(cmd, sizeof(cmd), "debugfs -R 'cat %s' '%s' 2>/dev/null", path, img);
	char *out = ext2h_run(cmd, &n, &status);
	assert_int_equal(status, 0);
	if (n != len)
		fail_msg("debugfs cat %s: %zu bytes, expected %zu", path, n, len);
	for (size_t i = 0; i < len; i++)
		if (out[i] != ((const char *)data)[i])
			fail_msg("debugfs cat %s: byte %zu is %#x, expected %#x", path, i,
				 (uint8_t)out[i], ((const uint8_t *)data)[i]);
	free(out);
}

char *ext2h_dumpe2fs_str(const char *img, const char *field)
{
	char cmd[700];
	int status;

	snprintf(cmd, sizeof(cmd), "dumpe2fs -h '%s' 2>/dev/null", img);
	char *out = ext2h_run(cmd, NULL, &status);
	assert_int_equal(status, 0);
	char *line = strstr(out, field);
	if (!line)
		fail_msg("dumpe2fs: no %s", field);
	line += strlen(field);
	line += strspn(line, " \t");
	char *val = strndup(line, strcspn(line, "\n"));
	free(out);
	return val;
}

long long ext2h_dumpe2fs_num(const char *img, const char *field)
{
	char *s = ext2h_dumpe2fs_str(img, field);
	long long v = atoll(s);

	free(s);
	return v;
}

uint32_t ext2h_path(struct ext2_fs *fs, const char *path)
{
	uint32_t ino = EXT2_ROOT_INO;

	while (*path) {
		size_t n;

		path += strspn(path, "/");
		n = strcspn(path, "/");
		if (n == 0)
			break;
		if (ext2_lookup(fs, ino, path, n, &ino))
			return 0;
		path += n;
	}
	return ino;
}

void ext2h_pattern(void *buf, size_t len, uint64_t off, uint32_t seed)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		uint64_t x = (off + i) * 0x9E3779B97F4A7C15ull ^ seed;

		p[i] = (uint8_t)(x >> 29) ^ (uint8_t)((off + i) >> 8);
	}
}
