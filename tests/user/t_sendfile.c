/* sendfile and copy_file_range (Linux 6.1): what moves, where the offsets
 * end up, and each error: EBADF, EINVAL, ESPIPE, EFAULT, EISDIR, EXDEV,
 * EAGAIN, EPIPE. */
#include "vfs_util.h"
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>

static ssize_t cfr(int in, off_t *oi, int out, off_t *oo, size_t len, unsigned flags)
{
	return syscall(SYS_copy_file_range, in, oi, out, oo, len, flags);
}

/* A file of n bytes, byte k = k * 7 + 3 (mod 256). */
static int make_pattern(const char *path, size_t n)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	unsigned char *b = malloc(n);
	for (size_t k = 0; k < n; k++)
		b[k] = (unsigned char)(k * 7 + 3);
	ssize_t w = write(fd, b, n);
	free(b);
	lseek(fd, 0, SEEK_SET);
	return w == (ssize_t)n ? fd : -1;
}

/* Do bytes [at, at + n) of fd hold the pattern from offset from? */
static bool has_pattern(int fd, off_t at, size_t from, size_t n)
{
	unsigned char *b = malloc(n);
	bool ok = pread(fd, b, n, at) == (ssize_t)n;
	for (size_t k = 0; ok && k < n; k++)
		ok = b[k] == (unsigned char)((from + k) * 7 + 3);
	free(b);
	return ok;
}

UT_CASE(test_sendfile_files)
{
	UT_ASSERT(vfs_enter() == 0);
	const size_t n = 200 * 1024 + 123;              /* several bounce buffers */
	int in = make_pattern("in", n);
	int out = open("out", O_RDWR | O_CREAT, 0644);
	UT_ASSERT(in >= 0 && out >= 0);
	/* No offset: the input's file offset moves, so does the output's. */
	UT_EXPECT_EQ(lseek(in, 100, SEEK_SET), 100);
	UT_EXPECT_EQ(sendfile(out, in, NULL, n), (ssize_t)(n - 100));   /* stops at the end */
	UT_EXPECT_EQ(lseek(in, 0, SEEK_CUR), (off_t)n);
	UT_EXPECT_EQ(lseek(out, 0, SEEK_CUR), (off_t)(n - 100));
	UT_EXPECT(has_pattern(out, 0, 100, n - 100));
	UT_EXPECT_EQ(sendfile(out, in, NULL, 10), 0);   /* at the end */
	/* An offset: it moves instead; the file offset stays. */
	off_t off = 5;
	UT_EXPECT_EQ(lseek(in, 7, SEEK_SET), 7);
	UT_EXPECT_EQ(sendfile(out, in, &off, 1000), 1000);
	UT_EXPECT_EQ(off, 1005);
	UT_EXPECT_EQ(lseek(in, 0, SEEK_CUR), 7);
	UT_EXPECT(has_pattern(out, (off_t)(n - 100), 5, 1000));
	UT_EXPECT_EQ(sendfile(out, in, &off, 0), 0);
	off = (off_t)n + 10;
	UT_EXPECT_EQ(sendfile(out, in, &off, 10), 0);
	UT_EXPECT_EQ(off, (off_t)n + 10);
	/* /dev/null takes anything. */
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		off = 0;
		UT_EXPECT_EQ(sendfile(null, in, &off, 4096), 4096);
		close(null);
	}
	close(in), close(out);
	vfs_leave();
}

/* The descriptors the error cases use: a 100-byte input, an output
 * opened three ways, a directory and a pipe. */
struct err_fds {
	int in, out, ro, app, dir, p[2];
};

static bool open_err_fds(struct err_fds *e)
{
	e->in = make_pattern("in", 100);
	e->out = open("out", O_WRONLY | O_CREAT, 0644);
	e->ro = open("out", O_RDONLY);
	e->app = open("out", O_WRONLY | O_APPEND);
	e->dir = open(".", O_RDONLY | O_DIRECTORY);
	return e->in >= 0 && e->out >= 0 && e->ro >= 0 && e->app >= 0 && e->dir >= 0 &&
	       pipe(e->p) == 0;
}

static void close_err_fds(struct err_fds *e)
{
	close(e->in), close(e->out), close(e->ro), close(e->app), close(e->dir);
	close(e->p[0]), close(e->p[1]);
}

UT_CASE(test_sendfile_errors)
{
	UT_ASSERT(vfs_enter() == 0);
	struct err_fds e;
	UT_ASSERT(open_err_fds(&e));
	int in = e.in, out = e.out, ro = e.ro, app = e.app, dir = e.dir, *p = e.p;
	off_t off = 0, neg = -1;
	UT_EXPECT_ERR(sendfile(out, 999, NULL, 10), EBADF);
	UT_EXPECT_ERR(sendfile(999, in, NULL, 10), EBADF);
	UT_EXPECT_ERR(sendfile(out, out, NULL, 10), EBADF);     /* input not readable */
	UT_EXPECT_ERR(sendfile(ro, in, NULL, 10), EBADF);       /* output not writable */
	UT_EXPECT_ERR(sendfile(out, p[0], &off, 10), ESPIPE);   /* offset on a pipe */
	UT_EXPECT_ERR(sendfile(out, p[0], NULL, 10), EINVAL);   /* a pipe does not splice out */
	UT_EXPECT_ERR(sendfile(out, dir, NULL, 10), EINVAL);
	UT_EXPECT_ERR(sendfile(out, in, &neg, 10), EINVAL);
	UT_EXPECT_ERR(sendfile(out, in, NULL, (size_t)-1), EINVAL);
	UT_EXPECT_ERR(sendfile(app, in, NULL, 10), EINVAL);
	UT_EXPECT_ERR(sendfile(out, in, (off_t *)8, 10), EFAULT);
	UT_EXPECT_EQ(lseek(in, 0, SEEK_CUR), 0);                 /* nothing moved */
	close_err_fds(&e);
	vfs_leave();
}

UT_CASE(test_sendfile_pipe)
{
	UT_ASSERT(vfs_enter() == 0);
	int in = make_pattern("in", 100000);
	int p[2];
	UT_ASSERT(in >= 0 && pipe(p) == 0);
	UT_EXPECT_EQ(sendfile(p[1], in, NULL, 3000), 3000);
	unsigned char b[3000];
	UT_EXPECT_EQ(read(p[0], b, sizeof(b)), 3000);
	bool ok = true;
	for (size_t k = 0; k < sizeof(b); k++)
		ok = ok && b[k] == (unsigned char)(k * 7 + 3);
	UT_EXPECT(ok);
	/* A full non-blocking pipe: a partial count, then EAGAIN. */
	UT_ASSERT(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
	ssize_t r = sendfile(p[1], in, NULL, 100000);
	UT_EXPECT(r > 0 && r < 100000 - 3000);
	UT_EXPECT_ERR(sendfile(p[1], in, NULL, 100), EAGAIN);
	UT_EXPECT_EQ(lseek(in, 0, SEEK_CUR), 3000 + r);
	/* No reader: EPIPE (and SIGPIPE, ignored here). */
	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	UT_EXPECT_ERR(sendfile(p[1], in, NULL, 100), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]), close(in);
	vfs_leave();
}

UT_CASE(test_copy_file_range)
{
	UT_ASSERT(vfs_enter() == 0);
	const size_t n = 150000;
	int in = make_pattern("in", n);
	int out = open("out", O_RDWR | O_CREAT, 0644);
	UT_ASSERT(in >= 0 && out >= 0);
	/* File offsets. */
	UT_EXPECT_EQ(cfr(in, NULL, out, NULL, 70000, 0), 70000);
	UT_EXPECT_EQ(lseek(in, 0, SEEK_CUR), 70000);
	UT_EXPECT_EQ(lseek(out, 0, SEEK_CUR), 70000);
	UT_EXPECT(has_pattern(out, 0, 0, 70000));
	/* The rest: a huge length stops at the end of the input. */
	UT_EXPECT_EQ(cfr(in, NULL, out, NULL, SIZE_MAX >> 1, 0), (ssize_t)(n - 70000));
	UT_EXPECT_EQ(cfr(in, NULL, out, NULL, 100, 0), 0);
	UT_EXPECT(has_pattern(out, 0, 0, n));
	/* Explicit offsets move, the file offsets do not; a hole-filling
	 * copy past the output's end grows it. */
	off_t oi = 10, oo = (off_t)n + 5000;
	UT_EXPECT_EQ(cfr(in, &oi, out, &oo, 20, 0), 20);
	UT_EXPECT_EQ(oi, 30);
	UT_EXPECT_EQ(oo, (off_t)n + 5020);
	UT_EXPECT_EQ(lseek(in, 0, SEEK_CUR), (off_t)n);
	UT_EXPECT(has_pattern(out, (off_t)n + 5000, 10, 20));
	struct stat st;
	UT_EXPECT(fstat(out, &st) == 0 && st.st_size == (off_t)n + 5020);
	/* Within one file: apart is fine, overlapping is EINVAL. */
	oi = 0, oo = 1000;
	int rw = open("in", O_RDWR);
	UT_ASSERT(rw >= 0);
	UT_EXPECT_ERR(cfr(rw, &oi, rw, &oo, 1001, 0), EINVAL);
	UT_EXPECT_EQ(cfr(rw, &oi, rw, &oo, 1000, 0), 1000);
	UT_EXPECT(has_pattern(rw, 1000, 0, 1000));
	close(rw);
	vfs_leave();
	close(in), close(out);
}

UT_CASE(test_copy_file_range_errors)
{
	UT_ASSERT(vfs_enter() == 0);
	struct err_fds e;
	UT_ASSERT(open_err_fds(&e));
	int in = e.in, out = e.out, ro = e.ro, app = e.app, dir = e.dir, *p = e.p;
	off_t neg = -1;
	UT_EXPECT_ERR(cfr(999, NULL, out, NULL, 10, 0), EBADF);
	UT_EXPECT_ERR(cfr(in, NULL, 999, NULL, 10, 0), EBADF);
	UT_EXPECT_ERR(cfr(in, NULL, out, NULL, 10, 1), EINVAL);
	UT_EXPECT_ERR(cfr(in, (off_t *)8, out, NULL, 10, 0), EFAULT);
	UT_EXPECT_ERR(cfr(in, NULL, out, (off_t *)8, 10, 1), EFAULT);   /* before flags */
	UT_EXPECT_ERR(cfr(dir, NULL, out, NULL, 10, 0), EISDIR);
	UT_EXPECT_ERR(cfr(in, NULL, dir, NULL, 10, 0), EISDIR);
	UT_EXPECT_ERR(cfr(p[0], NULL, out, NULL, 10, 0), EINVAL);
	UT_EXPECT_ERR(cfr(in, NULL, p[1], NULL, 10, 0), EINVAL);
	UT_EXPECT_ERR(cfr(in, NULL, ro, NULL, 10, 0), EBADF);
	UT_EXPECT_ERR(cfr(out, NULL, in, NULL, 10, 0), EBADF);
	UT_EXPECT_ERR(cfr(in, NULL, app, NULL, 10, 0), EBADF);
	/* Linux 6.1 checks for wrap-around in unsigned arithmetic first:
	 * -1 + 10 wraps (EOVERFLOW), -1000 + 10 does not (then EINVAL). */
	UT_EXPECT_ERR(cfr(in, &neg, out, NULL, 10, 0), EOVERFLOW);
	UT_EXPECT_ERR(cfr(in, NULL, out, &neg, 10, 0), EOVERFLOW);
	neg = -1000;
	UT_EXPECT_ERR(cfr(in, &neg, out, NULL, 10, 0), EINVAL);
	UT_EXPECT_ERR(cfr(in, NULL, out, &neg, 10, 0), EINVAL);
	/* Another file system: EXDEV; the same one through a bind: fine. */
	UT_ASSERT(mkdir("m", 0755) == 0 && mkdir("b", 0755) == 0);
	UT_ASSERT(mount("none", "m", "tmpfs", 0, NULL) == 0);
	UT_ASSERT(mount(".", "b", NULL, MS_BIND, NULL) == 0);
	int other = open("m/x", O_WRONLY | O_CREAT, 0644);
	int same = open("b/y", O_WRONLY | O_CREAT, 0644);
	UT_ASSERT(other >= 0 && same >= 0);
	UT_EXPECT_ERR(cfr(in, NULL, other, NULL, 10, 0), EXDEV);
	UT_EXPECT_EQ(cfr(in, NULL, same, NULL, 10, 0), 10);
	close(other), close(same);
	UT_EXPECT_EQ(umount("m"), 0);
	UT_EXPECT_EQ(umount("b"), 0);
	close_err_fds(&e);
	vfs_leave();
}

UT_SUITE("sendfile", UT_C(test_sendfile_files), UT_C(test_sendfile_errors),
	 UT_C(test_sendfile_pipe), UT_C(test_copy_file_range), UT_C(test_copy_file_range_errors))
