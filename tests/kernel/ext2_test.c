/*
 * The ext2 library (fs/ext2/) inside the kernel: a volume formatted by
 * ext2_mkfs on a RAM-backed ext2_io, then files, directories and the
 * block map used through the same calls the VFS makes. The host tests
 * (tests/unit/test_ext2*.c) check the on-disk results with e2fsprogs;
 * this one shows the freestanding build behaves the same.
 */
#include <kernel/ktest.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <fs/ext2/ext2.h>

#define RAMDISK_SIZE (512 * 1024)

struct ramdisk {
	uint8_t *data;
	uint64_t size;
};

static int ram_read(void *ctx, uint64_t blk, uint32_t bs, void *buf)
{
	struct ramdisk *rd = ctx;

	if ((blk + 1) * bs > rd->size)
		return -EIO;
	memcpy(buf, rd->data + blk * bs, bs);
	return 0;
}

static int ram_write(void *ctx, uint64_t blk, uint32_t bs, const void *buf)
{
	struct ramdisk *rd = ctx;

	if ((blk + 1) * bs > rd->size)
		return -EIO;
	memcpy(rd->data + blk * bs, buf, bs);
	return 0;
}

static int ram_flush(void *ctx)
{
	return 0;
}

static uint32_t ram_now(void *ctx)
{
	return 1700000000;
}

static struct ext2_io ram_io(struct ramdisk *rd)
{
	return (struct ext2_io){ .read = ram_read, .write = ram_write, .flush = ram_flush,
				 .now = ram_now, .ctx = rd };
}

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 7 + (i >> 10));
}

static int count_entries(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
			 uint64_t next)
{
	(*(int *)arg)++;
	return 0;
}

static void test_files_and_dirs(struct ktest *t)
{
	struct ramdisk rd = { kzalloc(RAMDISK_SIZE), RAMDISK_SIZE };
	struct ext2_io io = ram_io(&rd);
	const uint32_t len = 300 * 1024;          /* direct, indirect and double indirect */
	struct ext2_statfs st0, st1;
	struct ext2_fs *fs;
	uint32_t dir, ino, found;
	uint8_t *buf = kmalloc(len);
	int entries = 0;
	uint64_t pos = 0;

	KT_ASSERT(t, rd.data && buf);
	KT_ASSERT(t, ext2_mkfs(&io, rd.size, 1024) == 0);
	KT_ASSERT(t, ext2_mount(&io, 0, &fs) == 0);
	ext2_statfs(fs, &st0);
	KT_EXPECT_EQ(t, ext2_mkdir(fs, EXT2_ROOT_INO, "dir", 3, 0755, 0, 0, &dir), 0);
	KT_EXPECT_EQ(t, ext2_mknod(fs, dir, "file", 4, 0100644, 0, 0, 0, &ino), 0);
	for (uint32_t i = 0; i < len; i++)
		buf[i] = pattern(i);
	KT_EXPECT_EQ(t, ext2_write(fs, ino, 0, buf, len), len);
	memset(buf, 0, len);
	KT_EXPECT_EQ(t, ext2_read(fs, ino, 0, buf, len), len);
	for (uint32_t i = 0; i < len; i++)
		if (buf[i] != pattern(i)) {
			KT_EXPECT_EQ(t, buf[i], pattern(i));
			break;
		}
	KT_EXPECT_EQ(t, ext2_readdir(fs, dir, &pos, count_entries, &entries), 0);
	KT_EXPECT_EQ(t, entries, 3);
	KT_EXPECT_EQ(t, ext2_rename(fs, dir, "file", 4, EXT2_ROOT_INO, "moved", 5), 0);
	KT_EXPECT_EQ(t, ext2_lookup(fs, EXT2_ROOT_INO, "moved", 5, &found), 0);
	KT_EXPECT_EQ(t, found, ino);
	KT_EXPECT_EQ(t, ext2_rmdir(fs, EXT2_ROOT_INO, "dir", 3), 0);
	KT_EXPECT_EQ(t, ext2_unmount(fs), 0);

	/* Remounted: the file is there; removing it gives everything back. */
	KT_ASSERT(t, ext2_mount(&io, 0, &fs) == 0);
	KT_EXPECT_EQ(t, ext2_lookup(fs, EXT2_ROOT_INO, "dir", 3, &found), -ENOENT);
	KT_EXPECT_EQ(t, ext2_read(fs, ino, len - 1, buf, 10), 1);
	KT_EXPECT_EQ(t, buf[0], pattern(len - 1));
	KT_EXPECT_EQ(t, ext2_unlink(fs, EXT2_ROOT_INO, "moved", 5), 0);
	ext2_statfs(fs, &st1);
	KT_EXPECT_EQ(t, st1.free_blocks, st0.free_blocks);
	KT_EXPECT_EQ(t, st1.free_files, st0.free_files);
	KT_EXPECT_EQ(t, ext2_unmount(fs), 0);
	kfree(buf);
	kfree(rd.data);
}

static void test_refuses_garbage(struct ktest *t)
{
	struct ramdisk rd = { kzalloc(64 * 1024), 64 * 1024 };
	struct ext2_io io = ram_io(&rd);
	struct ext2_fs *fs;

	KT_ASSERT(t, rd.data);
	KT_EXPECT_EQ(t, ext2_mount(&io, 0, &fs), -EINVAL);
	KT_EXPECT_EQ(t, ext2_mkfs(&io, 16 * 1024, 1024), -ENOSPC);
	kfree(rd.data);
}

static struct ktest_case ext2_cases[] = {
	KTEST_CASE(test_files_and_dirs),
	KTEST_CASE(test_refuses_garbage),
	{},
};
KTEST_SUITE(ext2, ext2_cases);
