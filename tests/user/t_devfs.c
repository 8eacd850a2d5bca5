/*
 * devfs: each device's behaviour, its node's type, number and mode, the
 * shared devtmpfs instance, mknod reaching the same drivers, chmod/chown.
 * The test mounts devtmpfs on /dev itself if nothing is there yet.
 */
#include "utest.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static int dev_ready(void)
{
	struct stat st;
	if (stat("/dev/null", &st) == 0)
		return 0;
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) && errno != EBUSY)
		return -1;
	return stat("/dev/null", &st);
}

static int node_is(const char *path, unsigned ma, unsigned mi, unsigned perm)
{
	struct stat st;
	if (stat(path, &st))
		return 0;
	return S_ISCHR(st.st_mode) && major(st.st_rdev) == ma && minor(st.st_rdev) == mi &&
	       (st.st_mode & 07777) == perm;
}

UT_CASE(test_nodes)
{
	UT_ASSERT(dev_ready() == 0);
	UT_EXPECT(node_is("/dev/null", 1, 3, 0666));
	UT_EXPECT(node_is("/dev/zero", 1, 5, 0666));
	UT_EXPECT(node_is("/dev/full", 1, 7, 0666));
	UT_EXPECT(node_is("/dev/random", 1, 8, 0666));
	UT_EXPECT(node_is("/dev/urandom", 1, 9, 0666));
	UT_EXPECT(node_is("/dev/kmsg", 1, 11, 0644));
	UT_EXPECT(node_is("/dev/tty", 5, 0, 0666));
	UT_EXPECT(node_is("/dev/console", 5, 1, 0600));
	UT_EXPECT(node_is("/dev/ttyS0", 4, 64, 0660));
	struct stat st;
	UT_EXPECT_EQ(stat("/dev/tty", &st), 0);
	UT_EXPECT_EQ(st.st_gid, 5);             /* tty */
	/* fstat of an open device shows the node. */
	int fd = open("/dev/zero", O_RDONLY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 5));
	close(fd);
	UT_EXPECT_ERR(open("/dev/none", O_RDONLY), ENOENT);
}

UT_CASE(test_null_zero_full)
{
	UT_ASSERT(dev_ready() == 0);
	char buf[600];
	int fd = open("/dev/null", O_RDWR);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	UT_EXPECT_EQ(write(fd, "abc", 3), 3);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	close(fd);

	fd = open("/dev/zero", O_RDWR);
	UT_ASSERT(fd >= 0);
	memset(buf, 'x', sizeof(buf));
	UT_EXPECT_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	int zeros = 1;
	for (size_t i = 0; i < sizeof(buf); i++)
		zeros &= buf[i] == 0;
	UT_EXPECT(zeros);
	UT_EXPECT_EQ(write(fd, buf, 10), 10);
	UT_EXPECT_ERR(read(fd, (void *)16, 8), EFAULT);
	close(fd);

	fd = open("/dev/full", O_RDWR);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_ERR(write(fd, "a", 1), ENOSPC);
	buf[0] = 'x';
	UT_EXPECT_EQ(read(fd, buf, 1), 1);
	UT_EXPECT_EQ(buf[0], 0);
	close(fd);
}

static int read_all(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, buf, len);
	close(fd);
	return n == (long)len ? 0 : -1;
}

UT_CASE(test_random)
{
	UT_ASSERT(dev_ready() == 0);
	unsigned char a[64], b[64], c[64], d[64];
	UT_ASSERT(read_all("/dev/urandom", a, sizeof(a)) == 0);
	UT_ASSERT(read_all("/dev/urandom", b, sizeof(b)) == 0);
	UT_ASSERT(read_all("/dev/random", c, sizeof(c)) == 0);     /* seeded: does not block */
	UT_ASSERT(getrandom(d, sizeof(d), 0) == (long)sizeof(d));
	UT_EXPECT(memcmp(a, b, sizeof(a)) != 0);
	UT_EXPECT(memcmp(a, c, sizeof(a)) != 0 && memcmp(b, c, sizeof(b)) != 0);
	UT_EXPECT(memcmp(d, a, sizeof(d)) != 0);
	/* Not constant within one read either: many distinct byte values. */
	int seen[256] = { 0 }, distinct = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		if (!seen[a[i]]++)
			distinct++;
	UT_EXPECT(distinct > 32);
	int fd = open("/dev/urandom", O_WRONLY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(write(fd, "seed", 4), 4);
	close(fd);
}

UT_CASE(test_kmsg)
{
	UT_ASSERT(dev_ready() == 0);
	int fd = open("/dev/kmsg", O_RDWR | O_NONBLOCK);
	UT_ASSERT(fd >= 0);
	char rec[2048];
	/* The first record is the oldest: "pri,seq,usec,-;text\n". */
	long n = read(fd, rec, sizeof(rec) - 1);
	UT_ASSERT(n > 0);
	rec[n] = '\0';
	unsigned pri;
	unsigned long long seq, usec;
	int used = 0;
	UT_EXPECT(sscanf(rec, "%u,%llu,%llu,-;%n", &pri, &seq, &usec, &used) == 3 && used > 0);
	UT_EXPECT(pri <= 7 && seq == 0);
	UT_EXPECT(rec[n - 1] == '\n');
	UT_EXPECT_ERR(read(fd, rec, 4), EINVAL);        /* a record does not fit */
	/* Our own line comes back with its level. */
	UT_EXPECT_EQ(write(fd, "<3>t_devfs: hello kmsg\n", 23), 23);
	int found = 0;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0) {
		rec[n] = '\0';
		if (strstr(rec, ";t_devfs: hello kmsg\n") && rec[0] == '3' && rec[1] == ',')
			found = 1;
	}
	UT_EXPECT(found);
	UT_EXPECT(n == -1 && errno == EAGAIN);
	close(fd);
	UT_EXPECT_ERR(open("/dev/kmsg", O_RDONLY | O_DIRECTORY), ENOTDIR);
}

UT_CASE(test_tty)
{
	UT_ASSERT(dev_ready() == 0);
	/* /dev/tty is the controlling terminal: none here (the console is
	 * never one by being opened as /dev/console), so ENXIO as on Linux;
	 * t_pty opens it with one. */
	UT_EXPECT_ERR(open("/dev/tty", O_WRONLY), ENXIO);
	int fd = open("/dev/ttyS0", O_RDWR | O_NOCTTY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT(isatty(fd));
	close(fd);
	fd = open("/dev/console", O_WRONLY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT(isatty(fd));
	close(fd);
}

/* mknod in tmpfs reaches the same driver; an unknown number is ENXIO. */
UT_CASE(test_mknod_and_attrs)
{
	UT_ASSERT(dev_ready() == 0);
	mkdir("/tmp", 01777);
	unlink("/tmp/mynull");
	unlink("/tmp/nodev");
	UT_ASSERT(mknod("/tmp/mynull", S_IFCHR | 0666, makedev(1, 7)) == 0);  /* full */
	int fd = open("/tmp/mynull", O_WRONLY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_ERR(write(fd, "a", 1), ENOSPC);
	close(fd);
	UT_ASSERT(mknod("/tmp/nodev", S_IFCHR | 0666, makedev(240, 7)) == 0);
	UT_EXPECT_ERR(open("/tmp/nodev", O_RDONLY), ENXIO);
	unlink("/tmp/mynull");
	unlink("/tmp/nodev");

	struct stat st;
	UT_EXPECT_EQ(chmod("/dev/full", 0600), 0);
	UT_EXPECT(stat("/dev/full", &st) == 0 && (st.st_mode & 07777) == 0600 && S_ISCHR(st.st_mode));
	UT_EXPECT_EQ(chown("/dev/full", 12, 34), 0);
	UT_EXPECT(stat("/dev/full", &st) == 0 && st.st_uid == 12 && st.st_gid == 34);
	UT_EXPECT_EQ(chown("/dev/full", 0, 0), 0);
	UT_EXPECT_EQ(chmod("/dev/full", 0666), 0);

	/* One devtmpfs: a second mount shows the same nodes. */
	mkdir("/tmp/dev2", 0755);
	UT_ASSERT(mount("devtmpfs", "/tmp/dev2", "devtmpfs", 0, NULL) == 0);
	struct stat a, b;
	UT_EXPECT(stat("/tmp/dev2/zero", &a) == 0 && stat("/dev/zero", &b) == 0 &&
		  a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	UT_EXPECT_EQ(umount("/tmp/dev2"), 0);
	UT_EXPECT(stat("/dev/zero", &b) == 0);
	rmdir("/tmp/dev2");
}

UT_SUITE("devfs", UT_C(test_nodes), UT_C(test_null_zero_full), UT_C(test_random), UT_C(test_kmsg),
	 UT_C(test_tty), UT_C(test_mknod_and_attrs))
