/*
 * The ext2 library (fs/ext2/) on images made by mke2fs at test time:
 * mounting and refusing, statfs, file data through the direct, indirect,
 * double and triple indirect maps, holes, truncation, attributes, and
 * images filled by mke2fs -d. e2fsck -fn and debugfs judge every image.
 */
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
#include <sys/stat.h>
#include <cmocka.h>

#include <kernel/errno.h>
#include "ext2_host.h"

static void patch_super(const char *img, unsigned off, const void *val, size_t len)
{
	int fd = open(img, O_RDWR);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, val, len, 1024 + off), (ssize_t)len);
	close(fd);
}

static void test_mount_refuses(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 8, NULL);
	struct ext2h_disk d;
	struct ext2_fs *fs;
	uint32_t v32;
	uint16_t magic = 0x1234, good = 0xEF53;

	patch_super(img, 56, &magic, 2);
	assert_int_equal(ext2h_try_mount(&d, img, 0, &fs), -EINVAL);
	patch_super(img, 56, &good, 2);

	v32 = 0x0002 | 0x0010;                 /* filetype + meta_bg */
	patch_super(img, 96, &v32, 4);
	assert_int_equal(ext2h_try_mount(&d, img, 0, &fs), -EINVAL);
	v32 = 0x0002 | 0x0040;                 /* filetype + extents */
	patch_super(img, 96, &v32, 4);
	assert_int_equal(ext2h_try_mount(&d, img, 0, &fs), -EINVAL);
	v32 = 0x0002;
	patch_super(img, 96, &v32, 4);

	v32 = 3;                               /* 8 KiB blocks */
	patch_super(img, 24, &v32, 4);
	assert_int_equal(ext2h_try_mount(&d, img, 0, &fs), -EINVAL);
	v32 = 0;
	patch_super(img, 24, &v32, 4);

	/* A descriptor placing group 0's inode table outside the group. */
	uint32_t table;
	int fd = open(img, O_RDWR);
	assert_int_equal(pread(fd, &table, 4, 2048 + 8), 4);
	v32 = 9000;
	assert_int_equal(pwrite(fd, &v32, 4, 2048 + 8), 4);
	assert_int_equal(ext2h_try_mount(&d, img, 0, &fs), -EINVAL);
	assert_int_equal(pwrite(fd, &table, 4, 2048 + 8), 4);
	close(fd);

	/* An unknown ro_compat feature: read-only, writes refused, state kept. */
	char *before = ext2h_dumpe2fs_str(img, "Filesystem features:");
	v32 = 0x1 | 0x2 | 0x4;                 /* + btree_dir */
	patch_super(img, 100, &v32, 4);
	fs = ext2h_mount(&d, img, 0);
	assert_true(ext2_is_rdonly(fs));
	uint32_t ino;
	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "x", 1, 0100644, 0, 0, 0, &ino), -EROFS);
	assert_int_equal(ext2_mkdir(fs, EXT2_ROOT_INO, "x", 1, 0755, 0, 0, &ino), -EROFS);
	assert_int_equal(ext2_lookup(fs, EXT2_ROOT_INO, "lost+found", 10, &ino), 0);
	ext2h_unmount(&d, fs);
	v32 = 0x1 | 0x2;
	patch_super(img, 100, &v32, 4);
	char *after = ext2h_dumpe2fs_str(img, "Filesystem features:");
	assert_string_equal(before, after);
	free(before);
	free(after);
	ext2h_fsck_clean(img);
}

static void test_mount_state(void **state)
{
	const char *img = ext2h_mkfs(0, 4096, 16, NULL);
	long long count = ext2h_dumpe2fs_num(img, "Mount count:");
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	char *s = ext2h_dumpe2fs_str(img, "Filesystem state:");

	assert_string_equal(s, "not clean");
	free(s);
	assert_false(ext2_is_rdonly(fs));
	assert_int_equal(ext2_block_size(fs), 4096);
	ext2h_unmount(&d, fs);
	s = ext2h_dumpe2fs_str(img, "Filesystem state:");
	assert_string_equal(s, "clean");
	free(s);
	assert_int_equal(ext2h_dumpe2fs_num(img, "Mount count:"), count + 1);

	/* A read-only mount writes nothing. */
	fs = ext2h_mount(&d, img, EXT2_MOUNT_RDONLY);
	assert_true(ext2_is_rdonly(fs));
	ext2h_unmount(&d, fs);
	assert_int_equal(d.writes, 0);
	assert_int_equal(ext2h_dumpe2fs_num(img, "Mount count:"), count + 1);
	ext2h_fsck_clean(img);

	/* A volume not cleanly unmounted stays so after our mount. */
	uint16_t s_state = 0;
	patch_super(img, 58, &s_state, 2);
	fs = ext2h_mount(&d, img, 0);
	ext2h_unmount(&d, fs);
	s = ext2h_dumpe2fs_str(img, "Filesystem state:");
	assert_string_equal(s, "not clean");
	free(s);
	s_state = 1;
	patch_super(img, 58, &s_state, 2);
	ext2h_fsck_clean(img);
}

static void check_statfs(const char *img, struct ext2_fs *fs)
{
	struct ext2_statfs st;

	ext2_statfs(fs, &st);
	assert_int_equal(st.free_blocks, ext2h_dumpe2fs_num(img, "Free blocks:"));
	assert_int_equal(st.free_files, ext2h_dumpe2fs_num(img, "Free inodes:"));
	assert_int_equal(st.files, ext2h_dumpe2fs_num(img, "Inode count:"));
	assert_int_equal(st.avail_blocks,
			 st.free_blocks - ext2h_dumpe2fs_num(img, "Reserved block count:"));
	assert_int_equal(st.name_max, 255);
	assert_true(st.blocks < (uint64_t)ext2h_dumpe2fs_num(img, "Block count:"));
	assert_true(st.blocks > st.free_blocks);
}

static void test_statfs(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 32, "-m 10");
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_statfs st0, st1;
	uint32_t ino;
	char buf[5000] = { 1 };

	ext2_statfs(fs, &st0);
	check_statfs(img, fs);
	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "f", 1, 0100644, 0, 0, 0, &ino), 0);
	assert_int_equal(ext2_write(fs, ino, 0, buf, sizeof(buf)), sizeof(buf));
	ext2_statfs(fs, &st1);
	assert_int_equal(st1.free_blocks, st0.free_blocks - 5);
	assert_int_equal(st1.free_files, st0.free_files - 1);
	check_statfs(img, fs);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
}

/* Writes [off, off+len) of the pattern in uneven pieces, into model too. */
static void write_pattern(struct ext2_fs *fs, uint32_t ino, uint8_t *model, uint64_t off,
			  size_t len, uint32_t seed)
{
	uint8_t *buf = malloc(len);
	size_t done = 0, piece = 777;

	ext2h_pattern(buf, len, off, seed);
	while (done < len) {
		size_t n = len - done < piece ? len - done : piece;

		assert_int_equal(ext2_write(fs, ino, off + done, buf + done, n), n);
		done += n;
		piece = piece * 3 % 9001 + 1;
	}
	if (model)
		memcpy(model + off, buf, len);
	free(buf);
}

static void read_equals(struct ext2_fs *fs, uint32_t ino, const uint8_t *model, uint64_t off,
			size_t len)
{
	uint8_t *buf = malloc(len + 1);

	assert_int_equal(ext2_read(fs, ino, off, buf, len), len);
	assert_memory_equal(buf, model + off, len);
	free(buf);
}

static void dense_file(unsigned bs)
{
	const char *img = ext2h_mkfs(0, bs, 64, NULL);
	size_t size = bs == 1024 ? 300 * 1024 + 123 : 5 * 1024 * 1024 + 4321;
	uint8_t *model = calloc(1, size);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_stat st;
	uint32_t ino;

	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "dense", 5, 0100600, 0, 0, 0, &ino), 0);
	write_pattern(fs, ino, model, 0, size, 1);
	/* Rewrite a stretch across the direct/indirect boundary. */
	write_pattern(fs, ino, model, 12 * bs - 1000, 3000, 2);
	read_equals(fs, ino, model, 0, size);
	read_equals(fs, ino, model, 11 * bs + 5, 2 * bs);
	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	assert_int_equal(st.size, size);
	assert_int_equal(st.mode, 0100600);
	assert_int_equal(st.nlink, 1);
	/* Past the end: nothing; straddling it: the rest. */
	uint8_t tail[100];
	assert_int_equal(ext2_read(fs, ino, size, tail, 100), 0);
	assert_int_equal(ext2_read(fs, ino, size - 10, tail, 100), 10);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	ext2h_cat_equals(img, "/dense", model, size);
	free(model);
}

static void test_dense_1k(void **state) { dense_file(1024); }
static void test_dense_2k(void **state) { dense_file(2048); }
static void test_dense_4k(void **state) { dense_file(4096); }

/* 100 MiB with holes on 1 KiB blocks reaches the triple indirect map. */
static void test_sparse_100m(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 64, NULL);
	const size_t size = 100u << 20;
	const uint64_t k = 1024, p = 256;
	const uint64_t offs[] = {
		0, 12 * k - 100, (12 + p) * k - 10, (12 + p + 5000) * k,
		(12 + p + p * p) * k - 3, (12 + p + p * p + 20000) * k + 17, size - 4096,
	};
	uint8_t *model = calloc(1, size);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_statfs st0, st1;
	struct ext2_stat st;
	uint32_t ino;

	ext2_statfs(fs, &st0);
	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "sparse", 6, 0100644, 0, 0, 0, &ino), 0);
	for (size_t i = 0; i < ARRAY_SIZE(offs); i++)
		write_pattern(fs, ino, model, offs[i], 4096, 10 + i);
	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	assert_int_equal(st.size, size);
	assert_true(st.blocks < 200);          /* only what was written, and its map */
	read_equals(fs, ino, model, 0, 64 * 1024);
	read_equals(fs, ino, model, (12 + p + p * p) * k - 8000, 20000);
	read_equals(fs, ino, model, size - 100000, 100000);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	ext2h_cat_equals(img, "/sparse", model, size);

	/* Shrink into the middle of a block, then extend: the tail reads zero. */
	fs = ext2h_mount(&d, img, 0);
	uint64_t cut = offs[5] + 333;
	assert_int_equal(ext2_truncate(fs, ino, cut), 0);
	memset(model + cut, 0, size - cut);
	write_pattern(fs, ino, model, size - 10, 10, 99);
	read_equals(fs, ino, model, offs[5] - 1000, 10000);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	ext2h_cat_equals(img, "/sparse", model, size);

	/* Down to nothing: every data and map block comes back. */
	fs = ext2h_mount(&d, img, 0);
	assert_int_equal(ext2_truncate(fs, ino, 0), 0);
	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(st.size, 0);
	ext2_statfs(fs, &st1);
	assert_int_equal(st1.free_blocks, st0.free_blocks);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	free(model);
}

/* Past 4 GiB on 4 KiB blocks: i_size_high and the large_file feature. */
static void test_large_file(void **state)
{
	const char *img = ext2h_mkfs(0, 4096, 32, "-O ^large_file");
	const uint64_t off = (5ull << 30) + 12345;
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	uint8_t buf[8192], back[8192];
	struct ext2_stat st;
	uint32_t ino;

	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "big", 3, 0100644, 0, 0, 0, &ino), 0);
	ext2h_pattern(buf, sizeof(buf), off, 5);
	assert_int_equal(ext2_write(fs, ino, off, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	assert_int_equal(st.size, off + sizeof(buf));
	assert_int_equal(ext2_read(fs, ino, off, back, sizeof(back)), sizeof(back));
	assert_memory_equal(buf, back, sizeof(buf));
	assert_int_equal(ext2_read(fs, ino, 1ull << 32, back, 100), 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(back[i], 0);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	char *features = ext2h_dumpe2fs_str(img, "Filesystem features:");
	assert_non_null(strstr(features, "large_file"));
	free(features);
	char *stat = ext2h_debugfs(img, "stat /big");
	char want[64];
	snprintf(want, sizeof(want), "Size: %llu", (unsigned long long)(off + sizeof(buf)));
	if (!strstr(stat, want))
		fail_msg("debugfs stat: no '%s' in\n%s", want, stat);
	free(stat);

	/* Beyond what the map can address (4 KiB: about 4 TiB). */
	fs = ext2h_mount(&d, img, 0);
	assert_int_equal(ext2_write(fs, ino, 1ull << 44, buf, 10), -EFBIG);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
}

static void test_truncate_tail(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 8, NULL);
	uint8_t model[20000] = { 0 };
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_stat st;
	uint32_t ino;

	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "t", 1, 0100644, 0, 0, 0, &ino), 0);
	write_pattern(fs, ino, model, 0, 15000, 3);
	assert_int_equal(ext2_truncate(fs, ino, 5000), 0);
	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	assert_int_equal(st.size, 5000);
	assert_int_equal(st.blocks, 5 * 2);
	memset(model + 5000, 0, sizeof(model) - 5000);
	assert_int_equal(ext2_truncate(fs, ino, 20000), 0);   /* extend: a hole */
	read_equals(fs, ino, model, 0, 20000);
	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	assert_int_equal(st.blocks, 5 * 2);
	/* Truncating directories and devices is refused as Linux does. */
	assert_int_equal(ext2_truncate(fs, EXT2_ROOT_INO, 0), -EISDIR);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	ext2h_cat_equals(img, "/t", model, 20000);
}

static void test_attributes(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 8, NULL);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_setattr a = {
		.valid = EXT2_ATTR_MODE | EXT2_ATTR_UID | EXT2_ATTR_GID | EXT2_ATTR_ATIME |
			 EXT2_ATTR_MTIME | EXT2_ATTR_CTIME,
		.mode = 0104751, .uid = 0x12345, .gid = 0x23456,
		.atime = 1000000001, .mtime = 1000000002, .ctime = 1000000003,
	};
	struct ext2_stat st;
	uint32_t ino;

	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "a", 1, 0100644, 70000, 80000, 0, &ino), 0);
	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	assert_int_equal(st.uid, 70000);
	assert_int_equal(st.gid, 80000);
	assert_int_equal(ext2_setattr(fs, ino, &a), 0);
	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	assert_int_equal(st.mode, 0104751);
	assert_int_equal(st.uid, 0x12345);
	assert_int_equal(st.gid, 0x23456);
	assert_int_equal(st.atime, 1000000001);
	assert_int_equal(st.mtime, 1000000002);
	assert_int_equal(st.ctime, 1000000003);
	assert_int_equal(st.blksize, 1024);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	char *out = ext2h_debugfs(img, "stat /a");
	assert_non_null(strstr(out, "Mode:  04751"));
	assert_non_null(strstr(out, "User: 74565"));
	assert_non_null(strstr(out, "Group: 144470"));
	free(out);
}

/* A tree on the host, packed by mke2fs -d, read back through the library. */
static void populated(unsigned bs)
{
	char dir[400], cmd[4000], path[800];
	static const struct { const char *name; size_t size; } files[] = {
		{ "empty", 0 }, { "one", 1 }, { "block", 4096 }, { "odd", 4097 },
		{ "sub/mid", 300000 }, { "sub/deeper/big", 2500000 },
	};

	snprintf(dir, sizeof(dir), "%s/tree%u", ext2h_workdir(), bs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s/sub/deeper && ln -s one %s/short && "
		 "ln -s %0200d %s/long", dir, dir, dir, 0, dir);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		uint8_t *buf = malloc(files[i].size + 1);
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		ext2h_pattern(buf, files[i].size, 0, i);
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(buf, 1, files[i].size, f), files[i].size);
		fclose(f);
		free(buf);
	}
	snprintf(cmd, sizeof(cmd), "-d %s", dir);
	const char *img = ext2h_mkfs(1, bs, 16, cmd);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, EXT2_MOUNT_RDONLY);

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		uint32_t ino = ext2h_path(fs, files[i].name);
		uint8_t *want = malloc(files[i].size + 1), *got = malloc(files[i].size + 1);
		struct ext2_stat st;

		assert_int_not_equal(ino, 0);
		assert_int_equal(ext2_getattr(fs, ino, &st), 0);
		assert_int_equal(st.size, files[i].size);
		ext2h_pattern(want, files[i].size, 0, i);
		assert_int_equal(ext2_read(fs, ino, 0, got, files[i].size + 1), files[i].size);
		assert_memory_equal(want, got, files[i].size);
		free(want);
		free(got);
	}
	char link[300];
	assert_int_equal(ext2_readlink(fs, ext2h_path(fs, "short"), link, sizeof(link)), 3);
	assert_memory_equal(link, "one", 3);
	assert_int_equal(ext2_readlink(fs, ext2h_path(fs, "long"), link, sizeof(link)), 200);
	for (int i = 0; i < 200; i++)
		assert_int_equal(link[i], '0');
	uint32_t sub = ext2h_path(fs, "sub"), up;
	assert_int_equal(ext2_lookup(fs, sub, "..", 2, &up), 0);
	assert_int_equal(up, EXT2_ROOT_INO);
	assert_int_equal(ext2_read(fs, sub, 0, link, 1), -EISDIR);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
}

static void test_populated_1k(void **state) { populated(1024); }
static void test_populated_4k(void **state) { populated(4096); }

/* Fill the volume: -ENOSPC, counts still exact, and all back after unlink. */
static void test_enospc(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 2, "-m 0");
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_statfs st0, st;
	uint8_t buf[8192] = { 7 };
	uint32_t ino;
	uint64_t off = 0;
	int64_t n;

	ext2_statfs(fs, &st0);
	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "fill", 4, 0100644, 0, 0, 0, &ino), 0);
	while ((n = ext2_write(fs, ino, off, buf, sizeof(buf))) > 0)
		off += n;
	assert_int_equal(n, -ENOSPC);
	ext2_statfs(fs, &st);
	assert_int_equal(st.free_blocks, 0);
	check_statfs(img, fs);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	fs = ext2h_mount(&d, img, 0);
	assert_int_equal(ext2_unlink(fs, EXT2_ROOT_INO, "fill", 4), 0);
	ext2_statfs(fs, &st);
	assert_int_equal(st.free_blocks, st0.free_blocks);
	ext2h_unmount(&d, fs);

	/* The superuser's reserve: others stop short of it. */
	img = ext2h_mkfs(0, 1024, 2, "-m 10");
	fs = ext2h_mount(&d, img, 0);
	d.not_root = true;
	ext2_statfs(fs, &st0);
	assert_true(st0.avail_blocks > 0 && st0.avail_blocks < st0.free_blocks);
	assert_int_equal(ext2_mknod(fs, EXT2_ROOT_INO, "fill", 4, 0100644, 0, 0, 0, &ino), 0);
	off = 0;
	while ((n = ext2_write(fs, ino, off, buf, sizeof(buf))) > 0)
		off += n;
	assert_int_equal(n, -ENOSPC);
	ext2_statfs(fs, &st);
	assert_int_equal(st.avail_blocks, 0);
	assert_int_equal(st.free_blocks, st0.free_blocks - st0.avail_blocks);
	d.not_root = false;                    /* root may go on */
	assert_int_equal(ext2_write(fs, ino, off, buf, 1024), 1024);
	assert_int_equal(ext2_unlink(fs, EXT2_ROOT_INO, "fill", 4), 0);
	ext2_statfs(fs, &st);
	assert_int_equal(st.free_blocks, st0.free_blocks);
	assert_int_equal(st.free_files, st0.free_files);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
}

/* Reads everything below dir (bounded: a damaged tree may loop). */
struct walk {
	struct ext2_fs *fs;
	int budget;
	uint32_t children[64];
	int nchildren;
};

static int walk_emit(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
		     uint64_t next)
{
	struct walk *w = arg;

	if (--w->budget < 0)
		return 1;
	if (!(len <= 2 && name[0] == '.') && w->nchildren < 64)
		w->children[w->nchildren++] = ino;
	return 0;
}

static void walk(struct ext2_fs *fs, uint32_t dir, int depth, int *budget)
{
	struct walk w = { .fs = fs, .budget = *budget };
	uint64_t pos = 0;
	static uint8_t buf[70000];

	ext2_readdir(fs, dir, &pos, walk_emit, &w);
	*budget = w.budget;
	for (int i = 0; i < w.nchildren && *budget > 0; i++) {
		struct ext2_stat st;

		if (ext2_getattr(fs, w.children[i], &st) != 0)
			continue;
		ext2_read(fs, w.children[i], 0, buf, sizeof(buf));
		ext2_read(fs, w.children[i], st.size > 1000 ? st.size - 1000 : 0, buf, 2000);
		ext2_readlink(fs, w.children[i], (char *)buf, 4096);
		if (depth < 6 && (st.mode & 0170000) == 0040000)
			walk(fs, w.children[i], depth + 1, budget);
	}
}

/* Damaged metadata gives errors, never a crash (ASan watches). */
static void test_corrupt_images(void **state)
{
	char dir[300], cmd[3000], copy[500];
	uint8_t junk[64] = { 0 };

	snprintf(dir, sizeof(dir), "%s/ctree", ext2h_workdir());
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s/a/b/c && seq 1 20000 > %s/a/f && "
		 "seq 1 50 > %s/a/b/g && ln -s a/b/c %s/l && for i in $(seq 1 60); do "
		 ": > %s/a/b/c/n$i; done", dir, dir, dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "-d %s -N 128", dir);
	const char *img = ext2h_mkfs(2, 1024, 1, cmd);
	snprintf(copy, sizeof(copy), "%s.bad", img);
	/* EXT2_FUZZ_ROUNDS / EXT2_FUZZ_SEED run longer or other cases by hand. */
	int rounds = getenv("EXT2_FUZZ_ROUNDS") ? atoi(getenv("EXT2_FUZZ_ROUNDS")) : 300, mounted = 0;
	srand(getenv("EXT2_FUZZ_SEED") ? atoi(getenv("EXT2_FUZZ_SEED")) : 12345);
	for (int round = 0; round < rounds; round++) {
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", img, copy);
		assert_int_equal(system(cmd), 0);
		int fd = open(copy, O_RDWR);
		assert_true(fd >= 0);
		/* Damage a few places among the first 64 KiB (metadata, dirs). */
		for (int k = 0; k < 1 + round % 4; k++) {
			for (size_t i = 0; i < sizeof(junk); i++)
				junk[i] = rand();
			size_t n = 1 + rand() % (round % 2 ? 4 : 64);
			off_t at = 1024 + rand() % (63 * 1024);
			assert_int_equal(pwrite(fd, junk, n, at), (ssize_t)n);
		}
		close(fd);

		struct ext2h_disk d;
		struct ext2_fs *fs;
		if (ext2h_try_mount(&d, copy, 0, &fs) != 0)
			continue;
		mounted++;
		int budget = 500;
		uint32_t ino;
		walk(fs, EXT2_ROOT_INO, 0, &budget);
		ext2_mknod(fs, EXT2_ROOT_INO, "new", 3, 0100644, 0, 0, 0, &ino);
		ext2_mkdir(fs, EXT2_ROOT_INO, "nd", 2, 0755, 0, 0, &ino);
		ext2_write(fs, ext2h_path(fs, "a/f"), 5000, junk, sizeof(junk));
		ext2_truncate(fs, ext2h_path(fs, "a/f"), 100);
		ext2_rename(fs, EXT2_ROOT_INO, "a", 1, EXT2_ROOT_INO, "z", 1);
		ext2_unlink(fs, ext2h_path(fs, "z/b"), "g", 1);
		ext2_rmdir(fs, ext2h_path(fs, "z/b"), "c", 1);
		ext2_unmount(fs);
		close(d.fd);
	}
	unlink(copy);
	assert_true(mounted > rounds / 2);     /* the damage was mostly below the superblock */
}

/* ext2_mkfs's volumes pass e2fsck and take files like mke2fs's. */
static void mkfs_case(unsigned bs, unsigned mb)
{
	char path[600];
	struct ext2h_disk d;
	struct ext2_fs *fs;
	uint8_t model[70000];
	uint32_t ino, dir;

	snprintf(path, sizeof(path), "%s/mkfs%u", ext2h_workdir(), bs);
	unlink(path);
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)mb << 20), 0);
	close(fd);
	assert_int_equal(ext2h_format(&d, path, (uint64_t)mb << 20, bs), 0);
	ext2h_fsck_clean(path);
	fs = ext2h_mount(&d, path, 0);
	assert_int_equal(ext2_lookup(fs, EXT2_ROOT_INO, "lost+found", 10, &ino), 0);
	assert_int_equal(ino, 11);
	dir = 0;
	assert_int_equal(ext2_mkdir(fs, EXT2_ROOT_INO, "d", 1, 0755, 0, 0, &dir), 0);
	assert_int_equal(ext2_mknod(fs, dir, "f", 1, 0100644, 0, 0, 0, &ino), 0);
	write_pattern(fs, ino, model, 0, sizeof(model), 42);
	check_statfs(path, fs);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(path);
	ext2h_cat_equals(path, "/d/f", model, sizeof(model));
	assert_int_equal(ext2h_dumpe2fs_num(path, "Block size:"), bs);
	long long blocks = ext2h_dumpe2fs_num(path, "Block count:"), whole = ((long long)mb << 20) / bs;
	assert_true(blocks <= whole && blocks > whole - 8 * (long long)bs);
	assert_int_equal(ext2h_dumpe2fs_num(path, "Inode size:"), 128);
}

static void test_mkfs(void **state)
{
	mkfs_case(1024, 3);       /* one group */
	mkfs_case(1024, 40);      /* five groups: backups in 1, 3 */
	mkfs_case(2048, 70);
	mkfs_case(4096, 300);     /* three groups, the last short */
	struct ext2h_disk d;
	assert_int_equal(ext2h_format(&d, "/dev/null", 16 * 1024, 1024), -ENOSPC);
	assert_int_equal(ext2h_format(&d, "/dev/null", 1 << 20, 8192), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_refuses),
		cmocka_unit_test(test_mount_state),
		cmocka_unit_test(test_statfs),
		cmocka_unit_test(test_dense_1k),
		cmocka_unit_test(test_dense_2k),
		cmocka_unit_test(test_dense_4k),
		cmocka_unit_test(test_sparse_100m),
		cmocka_unit_test(test_large_file),
		cmocka_unit_test(test_truncate_tail),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_populated_1k),
		cmocka_unit_test(test_populated_4k),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_corrupt_images),
		cmocka_unit_test(test_mkfs),
	};

	return ext2h_cleanup(cmocka_run_group_tests(tests, NULL, NULL));
}
