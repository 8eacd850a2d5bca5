/*
 * VFS: attributes and permissions. stat/lstat/fstat/newfstatat/statx,
 * chmod/chown families, utimensat, umask, access/faccessat2, truncate,
 * ftruncate, fallocate, and the mode-bit checks for another user.
 */
#include "vfs_util.h"
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <stdint.h>

/* statx(2)'s record (this musl has no wrapper). */
struct statx_rec {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct { int64_t sec; uint32_t nsec; int32_t r; } atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
#define STATX_SIZE_BIT    0x200u
#define STATX_BASIC       0x7ffu

static long statx_(int dirfd, const char *path, int flags, unsigned mask, struct statx_rec *x)
{
	return syscall(SYS_statx, dirfd, path, flags, mask, x);
}

UT_CASE(test_stat_family)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(vfs_put("f", "12345", 0640) == 0);
	struct stat st, fst;
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT(S_ISREG(st.st_mode));
	UT_EXPECT_EQ(st.st_size, 5);
	UT_EXPECT_EQ(st.st_nlink, 1);
	UT_EXPECT_EQ(st.st_uid, 0);
	int fd = open("f", O_RDONLY);
	UT_EXPECT_EQ(fstat(fd, &fst), 0);
	UT_EXPECT_EQ(fst.st_ino, st.st_ino);
	UT_EXPECT_EQ(fst.st_dev, st.st_dev);
	UT_EXPECT_EQ(fstatat(fd, "", &fst, AT_EMPTY_PATH), 0);
	UT_EXPECT_EQ(fst.st_ino, st.st_ino);
	UT_EXPECT_ERR(fstatat(fd, "", &fst, 0), ENOENT);
	UT_EXPECT_ERR(fstatat(AT_FDCWD, "f", &fst, 0x4), EINVAL);
	close(fd);
	UT_EXPECT_ERR(fstat(fd, &fst), EBADF);
	UT_EXPECT_ERR(syscall(SYS_stat, "f", (struct stat *)1), EFAULT);
	/* statx. */
	struct statx_rec sx;
	UT_EXPECT_EQ(statx_(AT_FDCWD, "f", 0, STATX_BASIC, &sx), 0);
	UT_EXPECT_EQ(sx.size, 5);
	UT_EXPECT_EQ(sx.ino, st.st_ino);
	UT_EXPECT_EQ(sx.mode & 0777, 0640);
	UT_EXPECT(sx.mask & STATX_SIZE_BIT);
	UT_EXPECT_EQ(sx.mtime.sec, st.st_mtime);
	UT_EXPECT_EQ(makedev(sx.dev_major, sx.dev_minor), st.st_dev);
	UT_EXPECT_ERR(statx_(AT_FDCWD, "f", 0x6000, STATX_BASIC, &sx), EINVAL);
	UT_EXPECT_ERR(statx_(AT_FDCWD, "f", 0, 0x80000000u, &sx), EINVAL);
	/* Pipes and the like have an anonymous inode. */
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_EQ(fstat(p[0], &st), 0);
	UT_EXPECT(S_ISFIFO(st.st_mode));
	close(p[0]);
	close(p[1]);
	UT_EXPECT_EQ(fstat(1, &st), 0);
	UT_EXPECT(S_ISCHR(st.st_mode));
	vfs_leave();
}

UT_CASE(test_times)
{
	UT_ASSERT(vfs_enter() == 0);
	time_t now = time(NULL);
	UT_ASSERT(vfs_put("f", "x", 0644) == 0);
	struct stat st;
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT(st.st_mtime >= now - 2 && st.st_mtime <= now + 2);
	struct timespec ts[2] = { { 1000, 5 }, { 2000, 7 } };
	UT_EXPECT_EQ(utimensat(AT_FDCWD, "f", ts, 0), 0);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_atime, 1000);
	UT_EXPECT_EQ(st.st_atim.tv_nsec, 5);
	UT_EXPECT_EQ(st.st_mtime, 2000);
	UT_EXPECT(st.st_ctime >= now - 2);              /* ctime is always now */
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
	UT_EXPECT_EQ(utimensat(AT_FDCWD, "f", omit, 0), 0);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_atime, 1000);
	UT_EXPECT(st.st_mtime >= now - 2);
	UT_EXPECT_EQ(utimensat(AT_FDCWD, "f", NULL, 0), 0);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT(st.st_atime >= now - 2);
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	UT_EXPECT_ERR(utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
	UT_EXPECT_ERR(utimensat(AT_FDCWD, "f", ts, 0x8), EINVAL);
	UT_EXPECT_ERR(utimensat(AT_FDCWD, "none", ts, 0), ENOENT);
	int fd = open("f", O_RDONLY);
	UT_EXPECT_EQ(futimens(fd, ts), 0);
	close(fd);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_mtime, 2000);
	/* A write moves mtime. */
	fd = open("f", O_WRONLY);
	UT_EXPECT_EQ(write(fd, "y", 1), 1);
	close(fd);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT(st.st_mtime >= now - 2);
	vfs_leave();
}

UT_CASE(test_chmod_chown_umask)
{
	UT_ASSERT(vfs_enter() == 0);
	mode_t old = umask(027);
	UT_ASSERT(vfs_put("f", "", 0666) == 0);
	struct stat st;
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 0777, 0640);
	UT_EXPECT_EQ(umask(old), 027);
	UT_EXPECT_EQ(chmod("f", 04755), 0);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 07777, 04755);
	int fd = open("f", O_RDONLY);
	UT_EXPECT_EQ(fchmod(fd, 0600), 0);
	UT_EXPECT_EQ(fchown(fd, 1000, 1000), 0);
	close(fd);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_uid, 1000);
	UT_EXPECT_EQ(st.st_gid, 1000);
	UT_EXPECT_EQ(chown("f", -1, 5), 0);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_uid, 1000);
	UT_EXPECT_EQ(st.st_gid, 5);
	UT_EXPECT_EQ(chmod("f", 06755), 0);
	UT_EXPECT_EQ(chown("f", 7, -1), 0);             /* drops set-user/group-ID */
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 07777, 0755);
	UT_ASSERT(symlink("f", "ln") == 0);
	UT_EXPECT_EQ(lchown("ln", 3, 3), 0);
	UT_EXPECT_EQ(lstat("ln", &st), 0);
	UT_EXPECT_EQ(st.st_uid, 3);
	UT_EXPECT_EQ(stat("ln", &st), 0);
	UT_EXPECT_EQ(st.st_uid, 7);
	UT_EXPECT_EQ(fchmodat(AT_FDCWD, "ln", 0640, 0), 0);
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 0777, 0640);
	UT_EXPECT_ERR(chmod("none", 0), ENOENT);
	UT_EXPECT_ERR(fchownat(AT_FDCWD, "f", 0, 0, 0x4), EINVAL);
	vfs_leave();
}

UT_CASE(test_truncate_fallocate)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(vfs_put("f", "0123456789", 0644) == 0);
	UT_EXPECT_EQ(truncate("f", 4), 0);
	struct stat st;
	UT_EXPECT_EQ(stat("f", &st), 0);
	UT_EXPECT_EQ(st.st_size, 4);
	UT_EXPECT_EQ(truncate("f", 8192), 0);
	int fd = open("f", O_RDWR);
	char buf[16];
	UT_EXPECT_EQ(lseek(fd, 2, SEEK_SET), 2);
	UT_EXPECT_EQ(read(fd, buf, 6), 6);
	UT_EXPECT_EQ(memcmp(buf, "23\0\0\0\0", 6), 0);   /* the cut bytes are gone */
	UT_EXPECT_ERR(truncate("f", -1), EINVAL);
	UT_ASSERT(mkdir("d", 0755) == 0);
	UT_EXPECT_ERR(truncate("d", 0), EISDIR);
	UT_EXPECT_ERR(truncate("none", 0), ENOENT);
	UT_EXPECT_EQ(ftruncate(fd, 1), 0);
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT_EQ(st.st_size, 1);
	UT_EXPECT_ERR(ftruncate(fd, -5), EINVAL);
	UT_EXPECT_EQ(fallocate(fd, 0, 0, 20000), 0);
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT_EQ(st.st_size, 20000);
	UT_EXPECT(st.st_blocks >= 20000 / 512);
	UT_EXPECT_ERR(fallocate(fd, 0, 0, 0), EINVAL);
	UT_EXPECT_ERR(fallocate(fd, 0, -1, 10), EINVAL);
	UT_EXPECT_ERR(fallocate(fd, 0x40, 0, 10), EOPNOTSUPP);
	UT_EXPECT_EQ(fsync(fd), 0);
	UT_EXPECT_EQ(fdatasync(fd), 0);
	UT_EXPECT_EQ(syncfs(fd), 0);
	close(fd);
	fd = open("f", O_RDONLY);
	UT_EXPECT_ERR(ftruncate(fd, 0), EINVAL);
	UT_EXPECT_ERR(fallocate(fd, 0, 0, 10), EBADF);
	close(fd);
	int p[2];
	pipe(p);
	UT_EXPECT_ERR(fsync(p[0]), EINVAL);
	close(p[0]);
	close(p[1]);
	UT_EXPECT_ERR(fsync(999), EBADF);
	sync();
	vfs_leave();
}

static void user_checks(void)
{
	struct stat st;
	UT_EXPECT_ERR(open("secret", O_RDONLY), EACCES);
	UT_EXPECT_ERR(access("secret", R_OK), EACCES);
	UT_EXPECT_EQ(access("secret", F_OK), 0);
	UT_EXPECT_ERR(open("ro", O_WRONLY), EACCES);
	int fd = open("ro", O_RDONLY);
	UT_EXPECT(fd >= 0);
	/* Linking by descriptor needs CAP_DAC_READ_SEARCH. */
	UT_EXPECT_ERR(linkat(fd, "", AT_FDCWD, "byfd", AT_EMPTY_PATH), ENOENT);
	close(fd);
	UT_EXPECT_ERR(stat("closed/inner", &st), EACCES);       /* no search permission */
	UT_EXPECT_ERR(open("closed/new", O_CREAT | O_WRONLY, 0644), EACCES);
	UT_EXPECT_ERR(mkdir("nowrite/x", 0755), EACCES);
	UT_EXPECT_ERR(unlink("nowrite/f"), EACCES);
	UT_EXPECT_ERR(chmod("ro", 0777), EPERM);
	UT_EXPECT_ERR(chown("mine", 0, -1), EPERM);
	UT_EXPECT_EQ(vfs_put("setid", "w", 0), 0);    /* writing drops set-user/group-ID */
	UT_EXPECT_EQ(stat("setid", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 07777, 0676);
	UT_EXPECT_EQ(chmod("mine", 0600), 0);
	UT_EXPECT_ERR(utimensat(AT_FDCWD, "ro", (struct timespec[2]){ { 1, 0 }, { 1, 0 } }, 0), EPERM);
	UT_EXPECT_ERR(utimensat(AT_FDCWD, "ro", NULL, 0), EACCES);
	UT_EXPECT_EQ(utimensat(AT_FDCWD, "mine", NULL, 0), 0);
	UT_EXPECT_ERR(truncate("ro", 0), EACCES);
	/* Sticky /tmp-like directory: others' files stay. */
	UT_EXPECT_ERR(unlink("sticky/roots"), EPERM);
	UT_EXPECT_EQ(vfs_put("sticky/own", "", 0644), 0);
	UT_EXPECT_EQ(unlink("sticky/own"), 0);
	UT_EXPECT_ERR(mknod("dev", S_IFCHR | 0600, 0x0101), EPERM);
	UT_EXPECT_ERR(chroot("."), EPERM);
	UT_EXPECT_ERR(access("noexec", X_OK), EACCES);
	UT_EXPECT_ERR(faccessat(AT_FDCWD, "secret", R_OK, AT_EACCESS), EACCES);
}

UT_CASE(test_permissions)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(chmod(".", 0777) == 0);
	UT_ASSERT(vfs_put("secret", "s", 0600) == 0);
	UT_ASSERT(vfs_put("ro", "r", 0644) == 0);
	UT_ASSERT(vfs_put("noexec", "n", 0644) == 0);
	UT_ASSERT(vfs_put("setid", "", 0644) == 0 && chmod("setid", 06676) == 0);
	UT_ASSERT(vfs_put("setid", "root keeps them", 0) == 0);
	struct stat st;
	UT_EXPECT_EQ(stat("setid", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 07777, 06676);
	UT_ASSERT(vfs_put("mine", "m", 0644) == 0 && chown("mine", 1000, 1000) == 0);
	UT_ASSERT(mkdir("closed", 0700) == 0 && vfs_put("closed/inner", "", 0644) == 0);
	UT_ASSERT(mkdir("nowrite", 0755) == 0 && vfs_put("nowrite/f", "", 0644) == 0);
	UT_ASSERT(mkdir("sticky", 0) == 0 && chmod("sticky", 01777) == 0 && vfs_put("sticky/roots", "", 0666) == 0);
	vfs_as_user(user_checks);
	/* Root reads and writes anything, but executes only with an x bit. */
	UT_EXPECT_EQ(access("secret", R_OK | W_OK), 0);
	UT_EXPECT_ERR(access("noexec", X_OK), EACCES);
	UT_EXPECT_EQ(access("closed", X_OK), 0);
	UT_EXPECT_ERR(access("secret", 8), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_faccessat2, AT_FDCWD, "secret", R_OK, 0x8000), EINVAL);
	vfs_leave();
}

UT_SUITE("vfs_attr", UT_C(test_stat_family), UT_C(test_times), UT_C(test_chmod_chown_umask),
	 UT_C(test_truncate_fallocate), UT_C(test_permissions))
