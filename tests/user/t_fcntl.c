/* Descriptor control: fcntl's duplication, descriptor and status flags;
 * close_range; the generic ioctls (FIONBIO, FIOCLEX, FIONCLEX, FIONREAD);
 * positioned reads and writes, which leave the offset alone. */
#include "utest.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4
#endif

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

UT_CASE(test_dupfd)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	int d = fcntl(p[0], F_DUPFD, 100);
	UT_EXPECT_EQ(d, 100);
	UT_EXPECT_EQ(fcntl(p[0], F_DUPFD, 100), 101);
	UT_EXPECT_EQ(fcntl(d, F_GETFD), 0);
	int c = fcntl(p[0], F_DUPFD_CLOEXEC, 100);
	UT_EXPECT_EQ(c, 102);
	UT_EXPECT_EQ(fcntl(c, F_GETFD), FD_CLOEXEC);
	/* The copy shares the open file description (its status flags). */
	UT_EXPECT_EQ(fcntl(d, F_SETFL, O_NONBLOCK), 0);
	UT_EXPECT(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	UT_EXPECT_ERR(fcntl(p[0], F_DUPFD, (int)rl.rlim_cur), EINVAL);
	UT_EXPECT_ERR(fcntl(p[0], F_DUPFD, -1), EINVAL);
	UT_EXPECT_ERR(fcntl(999, F_DUPFD, 0), EBADF);
	close(100), close(101), close(102), close(p[0]), close(p[1]);
}

UT_CASE(test_fd_and_status_flags)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	UT_EXPECT_EQ(fcntl(p[1], F_GETFL), O_WRONLY);
	UT_EXPECT_EQ(fcntl(p[0], F_SETFD, FD_CLOEXEC), 0);
	UT_EXPECT_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	UT_EXPECT_EQ(fcntl(p[0], F_SETFD, 0), 0);
	UT_EXPECT_EQ(fcntl(p[0], F_GETFD), 0);
	/* Only the changeable flags change; the access mode stays. */
	UT_EXPECT_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK | O_APPEND | O_RDWR | O_CREAT), 0);
	UT_EXPECT_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK | O_APPEND);
	char c;
	UT_EXPECT_ERR(read(p[0], &c, 1), EAGAIN);
	UT_EXPECT_EQ(fcntl(p[0], F_SETFL, 0), 0);
	UT_EXPECT_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
	int pp[2];
	UT_ASSERT(pipe2(pp, O_NONBLOCK) == 0);
	UT_EXPECT_EQ(fcntl(pp[1], F_GETFL), O_WRONLY | O_NONBLOCK);
	close(pp[0]), close(pp[1]);
	UT_EXPECT_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536);
	UT_EXPECT_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
	int ef = open("/", O_RDONLY | O_DIRECTORY);
	UT_EXPECT_ERR(fcntl(ef, F_GETPIPE_SZ), EBADF);
	close(ef);
	UT_EXPECT_ERR(fcntl(p[0], 9999), EINVAL);
	UT_EXPECT_ERR(fcntl(999, F_GETFD), EBADF);
	UT_EXPECT_ERR(fcntl(999, F_SETFL, 0), EBADF);
	UT_EXPECT_ERR(fcntl(-1, F_GETFL), EBADF);
	close(p[0]), close(p[1]);
}

UT_CASE(test_close_range)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	for (int fd = 200; fd < 210; fd++)
		UT_ASSERT(dup2(p[0], fd) == fd);
	UT_EXPECT_EQ(syscall(SYS_close_range, 202, 204, 0), 0);
	UT_EXPECT(is_open(201) && !is_open(202) && !is_open(204) && is_open(205));
	UT_EXPECT_EQ(syscall(SYS_close_range, 205, 206, CLOSE_RANGE_CLOEXEC), 0);
	UT_EXPECT_EQ(fcntl(205, F_GETFD), FD_CLOEXEC);
	UT_EXPECT_EQ(fcntl(206, F_GETFD), FD_CLOEXEC);
	UT_EXPECT_EQ(fcntl(207, F_GETFD), 0);
	UT_EXPECT_EQ(syscall(SYS_close_range, 207, ~0u, CLOSE_RANGE_UNSHARE), 0);
	UT_EXPECT(!is_open(207) && !is_open(209) && is_open(206));
	UT_EXPECT_ERR(syscall(SYS_close_range, 5, 4, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_close_range, 0, 1, 1), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_close_range, 0, 1, 8), EINVAL);
	UT_EXPECT_EQ(syscall(SYS_close_range, 200, 206, 0), 0);
	UT_EXPECT(!is_open(200) && !is_open(206) && is_open(p[0]));
	/* A table shared with a child (CLONE_FILES): unshared first, the
	 * child's closing leaves ours alone; without it, ours goes too. */
	UT_ASSERT(dup2(p[0], 220) == 220 && dup2(p[0], 221) == 221);
	long pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(syscall(SYS_close_range, 220, 220, CLOSE_RANGE_UNSHARE) == 0 && !is_open(220) ? 0 : 1);
	int st;
	UT_EXPECT_EQ(waitpid((pid_t)pid, &st, 0), pid);
	UT_EXPECT_EQ(st, 0);
	UT_EXPECT(is_open(220));
	pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(syscall(SYS_close_range, 221, 221, 0) == 0 ? 0 : 1);
	UT_EXPECT_EQ(waitpid((pid_t)pid, &st, 0), pid);
	UT_EXPECT(!is_open(221));
	close(220), close(p[0]), close(p[1]);
}

UT_CASE(test_ioctls)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	int on = 1, n = -1;
	UT_EXPECT_EQ(ioctl(p[0], FIONBIO, &on), 0);
	UT_EXPECT(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	char c;
	UT_EXPECT_ERR(read(p[0], &c, 1), EAGAIN);
	on = 0;
	UT_EXPECT_EQ(ioctl(p[0], FIONBIO, &on), 0);
	UT_EXPECT(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	UT_EXPECT_ERR(ioctl(p[0], FIONBIO, (void *)8), EFAULT);
	UT_EXPECT_EQ(ioctl(p[0], FIOCLEX), 0);
	UT_EXPECT_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	UT_EXPECT_EQ(ioctl(p[0], FIONCLEX), 0);
	UT_EXPECT_EQ(fcntl(p[0], F_GETFD), 0);
	UT_EXPECT_EQ(write(p[1], "abc", 3), 3);
	UT_EXPECT_EQ(ioctl(p[0], FIONREAD, &n), 0);
	UT_EXPECT_EQ(n, 3);
	UT_EXPECT_ERR(ioctl(999, FIONREAD, &n), EBADF);
	/* A terminal counts its waiting input (none here). */
	if (isatty(1)) {
		n = -1;
		UT_EXPECT_EQ(ioctl(1, FIONREAD, &n), 0);
		UT_EXPECT_EQ(n, 0);
	}
	UT_EXPECT_ERR(ioctl(p[0], 0x12345678, &n), ENOTTY);
	close(p[0]), close(p[1]);

	/* A regular file: the bytes from the offset to the end. */
	int f = open((const char *)getauxval(AT_EXECFN), O_RDONLY);
	UT_ASSERT(f >= 0);
	off_t size = lseek(f, 0, SEEK_END);
	lseek(f, 100, SEEK_SET);
	UT_EXPECT_EQ(ioctl(f, FIONREAD, &n), 0);
	UT_EXPECT_EQ(n, size - 100);
	close(f);
}

UT_CASE(test_positioned_io)
{
	int f = open((const char *)getauxval(AT_EXECFN), O_RDONLY);
	UT_ASSERT(f >= 0);
	char b[8] = { 0 };
	UT_EXPECT_EQ(pread(f, b, 4, 0), 4);
	UT_EXPECT(memcmp(b, "\177ELF", 4) == 0);
	UT_EXPECT_EQ(pread(f, b, 3, 1), 3);
	UT_EXPECT(memcmp(b, "ELF", 3) == 0);
	UT_EXPECT_EQ(lseek(f, 0, SEEK_CUR), 0);
	char x[2], y[3];
	struct iovec iov[2] = { { x, 2 }, { y, 3 } };
	UT_EXPECT_EQ(preadv(f, iov, 2, 0), 5);
	UT_EXPECT(memcmp(x, "\177E", 2) == 0 && memcmp(y, "LF", 2) == 0);
	UT_EXPECT_EQ(lseek(f, 0, SEEK_CUR), 0);
	off_t size = lseek(f, 0, SEEK_END);
	UT_EXPECT_EQ(pread(f, b, 8, size), 0);
	UT_EXPECT_ERR(pread(f, b, 1, -1), EINVAL);
	UT_EXPECT_ERR(pwrite(f, b, 1, 0), EBADF);
	UT_EXPECT_ERR(syscall(SYS_pread64, f, 8, 4, 0), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_preadv, f, iov, -1, 0, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_preadv, f, 8, 1, 0, 0), EFAULT);
	UT_EXPECT_ERR(pread(999, b, 1, 0), EBADF);
	close(f);

	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_ERR(pread(p[0], b, 1, 0), ESPIPE);
	UT_EXPECT_ERR(pwrite(p[1], b, 1, 0), ESPIPE);
	UT_EXPECT_ERR(preadv(p[0], iov, 2, 0), ESPIPE);
	UT_EXPECT_ERR(pwritev(p[1], iov, 2, 0), ESPIPE);
	UT_EXPECT_ERR(pread(p[0], b, 1, -1), EINVAL);
	close(p[0]), close(p[1]);
}

UT_SUITE("fcntl", UT_C(test_dupfd), UT_C(test_fd_and_status_flags), UT_C(test_close_range),
	 UT_C(test_ioctls), UT_C(test_positioned_io))
