/*
 * VFS: open/openat/creat flags, read/write/lseek on tmpfs files, sparse
 * files, O_APPEND, O_TRUNC, and an unlinked file that stays open.
 */
#include "vfs_util.h"
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>

static long free_kib(void)
{
	struct sysinfo si;
	sysinfo(&si);
	return (long)(si.freeram * si.mem_unit / 1024);
}

UT_CASE(test_create_read_write)
{
	UT_ASSERT(vfs_enter() == 0);
	int fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0644);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(write(fd, "hello world", 11), 11);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 11);
	UT_EXPECT_EQ(lseek(fd, 6, SEEK_SET), 6);
	char buf[32] = { 0 };
	UT_EXPECT_EQ(read(fd, buf, sizeof(buf)), 5);
	UT_EXPECT_EQ(memcmp(buf, "world", 5), 0);
	UT_EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_END), 11);
	close(fd);
	/* O_EXCL on an existing name; O_CREAT alone opens it. */
	UT_EXPECT_ERR(open("f", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	fd = open("f", O_RDWR | O_CREAT, 0600);
	UT_EXPECT(fd >= 0);
	close(fd);
	/* creat truncates. */
	fd = creat("f", 0644);
	UT_ASSERT(fd >= 0);
	struct stat st;
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT_EQ(st.st_size, 0);
	UT_EXPECT_ERR(read(fd, buf, 1), EBADF);         /* write-only */
	close(fd);
	vfs_leave();
}

UT_CASE(test_open_errors)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(vfs_put("file", "x", 0644) == 0);
	UT_ASSERT(mkdir("dir", 0755) == 0);
	UT_EXPECT_ERR(open("missing", O_RDONLY), ENOENT);
	UT_EXPECT_ERR(open("", O_RDONLY | O_CREAT, 0644), ENOENT);
	UT_EXPECT_ERR(open("nodir/x", O_RDWR | O_CREAT, 0644), ENOENT);
	UT_EXPECT_ERR(open("file/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
	UT_EXPECT_ERR(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	UT_EXPECT_ERR(open("dir", O_WRONLY), EISDIR);
	UT_EXPECT_ERR(open("dir", O_RDWR), EISDIR);
	UT_EXPECT_ERR(open("dir", O_RDONLY | O_CREAT, 0644), EISDIR);
	UT_EXPECT_ERR(open("newdir/", O_RDWR | O_CREAT, 0644), EISDIR);
	UT_EXPECT_ERR(open(".", O_RDONLY | O_CREAT, 0644), EISDIR);
	int fd = open("dir", O_RDONLY | O_DIRECTORY);
	UT_EXPECT(fd >= 0);
	close(fd);
	/* Names: a component of 256 bytes, a path of 4096. */
	char name[300];
	memset(name, 'a', 256);
	name[256] = '\0';
	UT_EXPECT_ERR(open(name, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
	name[255] = '\0';
	fd = open(name, O_RDONLY | O_CREAT, 0644);
	UT_EXPECT(fd >= 0);
	close(fd);
	UT_EXPECT_EQ(unlink(name), 0);
	char *longp = malloc(4097);
	UT_ASSERT(longp);
	for (int i = 0; i < 4096; i += 2)
		memcpy(longp + i, "./", 2);
	longp[4096] = '\0';
	UT_EXPECT_ERR(open(longp, O_RDONLY), ENAMETOOLONG);
	longp[4095] = '\0';                     /* 4095 bytes: fine */
	fd = open(longp, O_RDONLY);
	UT_EXPECT(fd >= 0);
	close(fd);
	free(longp);
	vfs_leave();
}

UT_CASE(test_openat_dirfd)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(mkdir("d", 0755) == 0);
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	UT_ASSERT(dfd >= 0);
	int fd = openat(dfd, "inner", O_WRONLY | O_CREAT, 0644);
	UT_EXPECT(fd >= 0);
	close(fd);
	UT_EXPECT_EQ(access("d/inner", F_OK), 0);
	UT_ASSERT(vfs_put("plain", "p", 0644) == 0);
	int pfd = open("plain", O_RDONLY);
	UT_EXPECT_ERR(openat(pfd, "x", O_RDONLY), ENOTDIR);
	UT_EXPECT_ERR(openat(999, "x", O_RDONLY), EBADF);
	/* An absolute path ignores dirfd, even a bad one. */
	fd = openat(999, "/", O_RDONLY);
	UT_EXPECT(fd >= 0);
	close(fd);
	close(pfd);
	close(dfd);
	vfs_leave();
}

UT_CASE(test_trunc_append)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(vfs_put("f", "0123456789", 0644) == 0);
	int fd = open("f", O_WRONLY | O_APPEND);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	UT_EXPECT_EQ(write(fd, "ab", 2), 2);            /* at the end regardless */
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 12);
	close(fd);
	char buf[16] = { 0 };
	fd = open("f", O_RDONLY);
	UT_EXPECT_EQ(read(fd, buf, sizeof(buf)), 12);
	UT_EXPECT_EQ(memcmp(buf, "0123456789ab", 12), 0);
	close(fd);
	/* O_TRUNC with O_RDONLY leaves the data (Linux). */
	fd = open("f", O_RDONLY | O_TRUNC);
	struct stat st;
	fstat(fd, &st);
	close(fd);
	UT_EXPECT_EQ(st.st_size, 12);
	fd = open("f", O_RDWR | O_TRUNC);
	fstat(fd, &st);
	close(fd);
	UT_EXPECT_EQ(st.st_size, 0);
	vfs_leave();
}

UT_CASE(test_sparse_and_vectors)
{
	UT_ASSERT(vfs_enter() == 0);
	int fd = open("s", O_RDWR | O_CREAT, 0644);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(lseek(fd, 100000, SEEK_SET), 100000);
	UT_EXPECT_EQ(write(fd, "Z", 1), 1);
	struct stat st;
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT_EQ(st.st_size, 100001);
	UT_EXPECT(st.st_blocks <= 16);          /* the hole takes no pages */
	char buf[8];
	UT_EXPECT_EQ(lseek(fd, 50000, SEEK_SET), 50000);
	UT_EXPECT_EQ(read(fd, buf, 4), 4);
	UT_EXPECT_EQ(memcmp(buf, "\0\0\0\0", 4), 0);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
	UT_EXPECT_EQ(writev(fd, iov, 2), 5);
	char a[2], b[3];
	struct iovec rv[2] = { { a, 2 }, { b, 3 } };
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	UT_EXPECT_EQ(readv(fd, rv, 2), 5);
	UT_EXPECT_EQ(memcmp(a, "ab", 2) | memcmp(b, "cde", 3), 0);
	UT_EXPECT_ERR(lseek(fd, 0, 9), EINVAL);
	close(fd);
	vfs_leave();
}

/* A big file across many pages reads back exactly. */
UT_CASE(test_large_file)
{
	UT_ASSERT(vfs_enter() == 0);
	int fd = open("big", O_RDWR | O_CREAT, 0644);
	UT_ASSERT(fd >= 0);
	static unsigned char block[10007];
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (unsigned char)(i * 7 + 3);
	for (int k = 0; k < 30; k++)
		UT_EXPECT_EQ(write(fd, block, sizeof(block)), sizeof(block));
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	static unsigned char back[10007];
	int bad = 0;
	for (int k = 0; k < 30; k++) {
		if (read(fd, back, sizeof(back)) != (ssize_t)sizeof(back) ||
		    memcmp(back, block, sizeof(back)))
			bad++;
	}
	UT_EXPECT_EQ(bad, 0);
	close(fd);
	vfs_leave();
}

/* Open, unlink, still usable; its pages come back at the last close. */
UT_CASE(test_unlinked_open_file)
{
	UT_ASSERT(vfs_enter() == 0);
	static char mb[1 << 20];
	memset(mb, 'q', sizeof(mb));
	long before = free_kib();
	int fd = open("gone", O_RDWR | O_CREAT, 0644);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(unlink("gone"), 0);
	UT_EXPECT_ERR(access("gone", F_OK), ENOENT);
	UT_EXPECT_EQ(write(fd, mb, sizeof(mb)), sizeof(mb));
	UT_EXPECT(free_kib() <= before - 1000);         /* 256 pages in use */
	struct stat st;
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT_EQ(st.st_nlink, 0);
	UT_EXPECT_EQ(st.st_size, 1 << 20);
	char c = 0;
	UT_EXPECT_EQ(lseek(fd, 12345, SEEK_SET), 12345);
	UT_EXPECT_EQ(read(fd, &c, 1), 1);
	UT_EXPECT_EQ(c, 'q');
	close(fd);
	UT_EXPECT(free_kib() >= before - 64);          /* and back at the last close */
	vfs_leave();
}

UT_SUITE("vfs_open", UT_C(test_create_read_write), UT_C(test_open_errors),
	 UT_C(test_openat_dirfd), UT_C(test_trunc_append), UT_C(test_sparse_and_vectors),
	 UT_C(test_large_file), UT_C(test_unlinked_open_file))
