/*
 * Block special files, run by a boot with one disk attached (vda or
 * nvme0n1; not part of the default user test set, which has no disks):
 *   scripts/run-prog --disk img build/user/disk_blkdev-static
 * It checks the node's number and the size ioctls, then writes a pattern
 * at byte DISK_PATTERN_OFF (unaligned, across blocks) and reads it back;
 * the host then finds the same bytes in the image (the last close and
 * fsync write through to the device).
 */
#include "utest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* <linux/fs.h>'s numbers (musl's headers have no linux/). */
#define BLKGETSIZE   0x1260
#define BLKSSZGET    0x1268
#define BLKGETSIZE64 0x80081272

#define DISK_PATTERN_OFF 1000
#define DISK_PATTERN_LEN 3000

static const char *disk_path(unsigned *major, unsigned *minor)
{
	struct stat st;
	if (stat("/dev/vda", &st) == 0) {
		*major = 254, *minor = 0;
		return "/dev/vda";
	}
	*major = 259, *minor = 0;
	return "/dev/nvme0n1";
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

UT_CASE(test_node_and_size)
{
	unsigned major, minor;
	const char *path = disk_path(&major, &minor);
	struct stat st;

	UT_ASSERT(stat(path, &st) == 0);
	UT_EXPECT(S_ISBLK(st.st_mode));
	UT_EXPECT_EQ(major(st.st_rdev), major);
	UT_EXPECT_EQ(minor(st.st_rdev), minor);

	int fd = open(path, O_RDONLY);
	UT_ASSERT(fd >= 0);
	uint64_t bytes = 0;
	unsigned long sectors = 0;
	int ssz = 0;
	UT_EXPECT_EQ(ioctl(fd, BLKGETSIZE64, &bytes), 0);
	UT_EXPECT_EQ(ioctl(fd, BLKGETSIZE, &sectors), 0);
	UT_EXPECT_EQ(ioctl(fd, BLKSSZGET, &ssz), 0);
	UT_EXPECT(bytes > 0 && bytes == (uint64_t)sectors * 512);
	UT_EXPECT(ssz == 512 || ssz == 4096);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_END), (off_t)bytes);
	char c;
	UT_EXPECT_EQ(read(fd, &c, 1), 0);
	UT_EXPECT_ERR(write(fd, &c, 1), EBADF);
	close(fd);

	/* A number no device has. */
	unlink("/tmp/noblk");
	UT_ASSERT(mknod("/tmp/noblk", S_IFBLK | 0600, makedev(254, 200)) == 0);
	UT_EXPECT_ERR(open("/tmp/noblk", O_RDONLY), ENXIO);
	unlink("/tmp/noblk");
}

UT_CASE(test_write_read_back)
{
	unsigned major, minor;
	const char *path = disk_path(&major, &minor);
	static unsigned char out[DISK_PATTERN_LEN], in[DISK_PATTERN_LEN];

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = pattern(i);
	int fd = open(path, O_RDWR);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(pwrite(fd, out, sizeof(out), DISK_PATTERN_OFF), (ssize_t)sizeof(out));
	UT_EXPECT_EQ(fsync(fd), 0);
	UT_EXPECT_EQ(pread(fd, in, sizeof(in), DISK_PATTERN_OFF), (ssize_t)sizeof(in));
	UT_EXPECT(memcmp(in, out, sizeof(in)) == 0);

	/* At the end: reads give 0, writes ENOSPC. */
	off_t end = lseek(fd, 0, SEEK_END);
	UT_EXPECT_EQ(read(fd, in, 1), 0);
	UT_EXPECT_ERR(write(fd, out, 1), ENOSPC);
	/* Across the end: short. */
	UT_EXPECT_EQ(pread(fd, in, 100, end - 10), 10);
	close(fd);

	/* A second open sees the data (same cache). */
	fd = open(path, O_RDONLY);
	UT_ASSERT(fd >= 0);
	memset(in, 0, sizeof(in));
	UT_EXPECT_EQ(pread(fd, in, sizeof(in), DISK_PATTERN_OFF), (ssize_t)sizeof(in));
	UT_EXPECT(memcmp(in, out, sizeof(in)) == 0);
	close(fd);
}

UT_SUITE("blkdev", UT_C(test_node_and_size), UT_C(test_write_read_back))
