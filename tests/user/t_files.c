/* File descriptors: read/write and their vector forms, close, the dup
 * family, ioctl, pipes (EOF, EPIPE, O_NONBLOCK, PIPE_BUF atomicity, bulk
 * transfer, both ends closed at once on two CPUs), open/openat, getdents64 and lseek on the initramfs, with
 * Linux's errno for every error path. /fixtures/data.txt holds
 * "0123456789abcdefghijklmnopqrstuvwxyz" (user/mkfixtures.sh). */
#include "utest.h"
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define DATA "/fixtures/data.txt"
#define DATA_LEN 36

/* Read exactly n bytes unless EOF or an error comes first. */
static ssize_t readn(int fd, void *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);
		if (r <= 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

UT_CASE(test_ebadf)
{
	char c;
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	UT_EXPECT_ERR(read(-1, &c, 1), EBADF);
	UT_EXPECT_ERR(write(1000000, &c, 1), EBADF);
	UT_EXPECT_ERR(read(fds[1], &c, 1), EBADF);      /* wrong direction */
	UT_EXPECT_ERR(write(fds[0], &c, 1), EBADF);
	UT_EXPECT_EQ(close(fds[0]), 0);
	UT_EXPECT_ERR(close(fds[0]), EBADF);
	UT_EXPECT_ERR(read(fds[0], &c, 1), EBADF);
	UT_EXPECT_ERR(close(-1), EBADF);
	UT_EXPECT_ERR(close(INT_MAX), EBADF);
	UT_EXPECT_ERR(ioctl(fds[0], FIONREAD, &c), EBADF);
	UT_EXPECT_ERR(lseek(fds[0], 0, SEEK_SET), EBADF);
	UT_EXPECT_ERR(syscall(SYS_getdents64, fds[0], &c, 1), EBADF);
	struct iovec iov = { &c, 1 };
	UT_EXPECT_ERR(readv(fds[0], &iov, 1), EBADF);
	UT_EXPECT_ERR(writev(-5, &iov, 1), EBADF);
	close(fds[1]);
	/* Zero-length transfers on good fds. */
	UT_EXPECT_EQ(write(1, "", 0), 0);
}

UT_CASE(test_dup_family)
{
	int fds[2];
	char buf[8];
	UT_ASSERT(pipe(fds) == 0);
	int d = dup(fds[1]);
	UT_EXPECT(d > fds[1]);                  /* lowest free slot */
	UT_EXPECT_EQ(write(d, "ab", 2), 2);
	UT_EXPECT_EQ(read(fds[0], buf, 8), 2);
	UT_EXPECT_ERR(dup(-1), EBADF);
	UT_EXPECT_ERR(dup(999), EBADF);
	/* dup2 onto itself just checks the fd. */
	UT_EXPECT_EQ(dup2(d, d), d);
	UT_EXPECT_ERR(dup2(999, 999), EBADF);
	UT_EXPECT_ERR(dup2(999, d), EBADF);     /* and d stays open */
	UT_EXPECT_EQ(write(d, "c", 1), 1);
	UT_EXPECT_ERR(dup2(d, -1), EBADF);
	UT_EXPECT_ERR(dup2(d, 1 << 20), EBADF); /* beyond RLIMIT_NOFILE */
	/* dup2 onto an open fd replaces it. */
	int e = dup(fds[0]);
	UT_EXPECT_EQ(dup2(d, e), e);
	UT_EXPECT_EQ(write(e, "d", 1), 1);
	UT_EXPECT_EQ(read(fds[0], buf, 8), 2);
	UT_EXPECT_EQ(memcmp(buf, "cd", 2), 0);
	/* dup3: never the same fd, only O_CLOEXEC. Raw calls: musl's dup3
	 * checks old == new itself and drops flags other than O_CLOEXEC. */
	UT_EXPECT_ERR(syscall(SYS_dup3, d, d, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_dup3, d, d, O_CLOEXEC), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_dup3, d, 50, 1), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_dup3, d, 50, O_NONBLOCK), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_dup3, 999, 50, 0), EBADF);
	UT_EXPECT_ERR(syscall(SYS_dup3, d, -1, 0), EBADF);
	UT_EXPECT_ERR(syscall(SYS_dup3, d, 1 << 20, 0), EBADF);
	UT_EXPECT_EQ(dup3(d, 50, O_CLOEXEC), 50);
	UT_EXPECT_EQ(write(50, "e", 1), 1);
	UT_EXPECT_EQ(read(fds[0], buf, 8), 1);
	close(50);
	close(e);
	close(d);
	close(fds[0]);
	close(fds[1]);
}

UT_CASE(test_emfile)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 10, 10 };
		int bad = setrlimit(RLIMIT_NOFILE, &rl) != 0, fd, fds[2];
		while ((fd = dup(0)) >= 0 && fd < 10)
			;
		bad |= (fd != -1 || errno != EMFILE) << 1;
		bad |= (pipe(fds) != -1 || errno != EMFILE) << 2;
		bad |= (open(DATA, O_RDONLY) != -1 || errno != EMFILE) << 3;
		bad |= (dup2(0, 10) != -1 || errno != EBADF) << 4;
		close(9);
		bad |= (dup(0) != 9) << 5;
		_exit(bad);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
}

UT_CASE(test_ioctl)
{
	int fds[2], n = -1;
	UT_ASSERT(pipe(fds) == 0);
	struct winsize ws;
	UT_EXPECT_ERR(ioctl(fds[0], TIOCGWINSZ, &ws), ENOTTY);
	UT_EXPECT_EQ(isatty(fds[0]), 0);
	UT_EXPECT_EQ(write(fds[1], "hello", 5), 5);
	UT_EXPECT_EQ(ioctl(fds[0], FIONREAD, &n), 0);
	UT_EXPECT_EQ(n, 5);
	int fd = open(DATA, O_RDONLY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_ERR(ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
	close(fd);
	/* The console is a terminal. */
	UT_EXPECT_EQ(isatty(1), 1);
	UT_EXPECT_EQ(ioctl(1, TIOCGWINSZ, &ws), 0);
	UT_EXPECT(ws.ws_col > 0 && ws.ws_row > 0);
	UT_EXPECT_ERR(ioctl(1, 0x12345678, 0), ENOTTY);
	close(fds[0]);
	close(fds[1]);
}

UT_CASE(test_readv_writev)
{
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	char a[] = "abc", b[] = "", c[] = "defgh", out[16] = { 0 };
	struct iovec w[3] = { { a, 3 }, { b, 0 }, { c, 5 } };
	UT_EXPECT_EQ(writev(fds[1], w, 3), 8);
	char x[2], y[4], z[8] = { 0 };
	struct iovec r[3] = { { x, 2 }, { y, 4 }, { z, 8 } };
	UT_EXPECT_EQ(readv(fds[0], r, 3), 8);
	memcpy(out, x, 2);
	memcpy(out + 2, y, 4);
	memcpy(out + 6, z, 2);
	UT_EXPECT_EQ(memcmp(out, "abcdefgh", 8), 0);
	UT_EXPECT_EQ(writev(fds[1], w, 0), 0);
	UT_EXPECT_ERR(writev(fds[1], w, -1), EINVAL);
	UT_EXPECT_ERR(writev(fds[1], w, 1025), EINVAL);        /* IOV_MAX */
	struct iovec huge[2] = { { a, 3 }, { c, SIZE_MAX } };   /* total overflows ssize_t */
	UT_EXPECT_ERR(writev(fds[1], huge, 2), EINVAL);
	UT_EXPECT_EQ(ioctl(fds[0], FIONREAD, &(int){ 0 }), 0);
	int n = -1;
	ioctl(fds[0], FIONREAD, &n);
	UT_EXPECT_EQ(n, 0);                     /* the failed writev wrote nothing */
	close(fds[0]);
	close(fds[1]);
}

UT_CASE(test_pipe_eof_epipe)
{
	int fds[2];
	char buf[8];
	UT_ASSERT(pipe(fds) == 0);
	int w2 = dup(fds[1]);
	UT_EXPECT_EQ(write(fds[1], "x", 1), 1);
	close(fds[1]);
	UT_EXPECT_EQ(read(fds[0], buf, 8), 1);
	UT_EXPECT_EQ(write(w2, "y", 1), 1);     /* a writer is left */
	close(w2);
	UT_EXPECT_EQ(read(fds[0], buf, 8), 1);
	UT_EXPECT_EQ(read(fds[0], buf, 8), 0);  /* EOF: no writers left */
	UT_EXPECT_EQ(read(fds[0], buf, 8), 0);
	close(fds[0]);

	/* No readers: EPIPE once SIGPIPE (t_signal.c) is ignored. */
	UT_ASSERT(pipe(fds) == 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	UT_EXPECT_ERR(write(fds[1], "z", 1), EPIPE);
	UT_EXPECT_EQ(write(fds[1], buf, 0), 0);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);

	UT_EXPECT_ERR(pipe2(fds, 0x1), EINVAL);
	UT_EXPECT_ERR(pipe2(fds, O_RDWR), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_pipe, NULL), EFAULT);
}

UT_CASE(test_pipe_nonblock)
{
	int fds[2];
	char buf[4096];
	UT_ASSERT(pipe2(fds, O_NONBLOCK) == 0);
	UT_EXPECT_ERR(read(fds[0], buf, 1), EAGAIN);
	memset(buf, 'n', sizeof(buf));
	int n = 0;
	while (n < 100 && write(fds[1], buf, sizeof(buf)) == (ssize_t)sizeof(buf))
		n++;
	UT_EXPECT_EQ(n, 16);                    /* 64 KiB: Linux's default capacity */
	UT_EXPECT_ERR(write(fds[1], buf, sizeof(buf)), EAGAIN);
	UT_EXPECT_ERR(write(fds[1], buf, 1), EAGAIN);
	UT_EXPECT_EQ(read(fds[0], buf, 100), 100);
	/* Room for 100 bytes: a PIPE_BUF write is all or nothing... */
	UT_EXPECT_ERR(write(fds[1], buf, 4096), EAGAIN);
	/* ...a small one fits. */
	UT_EXPECT_EQ(write(fds[1], buf, 100), 100);
	close(fds[0]);
	close(fds[1]);
}

#define REC 4096                /* PIPE_BUF */
#define RECS 200

UT_CASE(test_pipe_buf_atomic)
{
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		UT_ASSERT(kids[k] >= 0);
		if (kids[k] == 0) {
			char rec[REC];
			memset(rec, 'A' + k, sizeof(rec));
			close(fds[0]);
			for (int i = 0; i < RECS; i++)
				if (write(fds[1], rec, REC) != REC)
					_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	char rec[REC];
	int count[2] = { 0, 0 }, torn = 0;
	ssize_t r;
	while ((r = readn(fds[0], rec, REC)) == REC) {
		int k = rec[0] - 'A';
		for (int i = 1; i < REC; i++)
			if (rec[i] != rec[0]) {
				torn++;
				break;
			}
		if (k == 0 || k == 1)
			count[k]++;
	}
	UT_EXPECT_EQ(r, 0);
	UT_EXPECT_EQ(torn, 0);
	UT_EXPECT_EQ(count[0], RECS);
	UT_EXPECT_EQ(count[1], RECS);
	close(fds[0]);
	for (int k = 0; k < 2; k++) {
		int st = -1;
		waitpid(kids[k], &st, 0);
		UT_EXPECT_EQ(st, 0);
	}
}

static uint32_t step(uint32_t h, unsigned char c) { return (h ^ c) * 16777619u; }

UT_CASE(test_pipe_bulk)
{
	const size_t total = 1 << 20;
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	uint32_t want = 2166136261u;
	for (size_t i = 0; i < total; i++)
		want = step(want, (unsigned char)(i * 131 + (i >> 9)));
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		static unsigned char buf[70000];
		close(fds[0]);
		size_t done = 0, chunk = 1;
		while (done < total) {
			size_t n = chunk < total - done ? chunk : total - done;
			for (size_t i = 0; i < n; i++)
				buf[i] = (unsigned char)((done + i) * 131 + ((done + i) >> 9));
			ssize_t w = write(fds[1], buf, n);
			if (w <= 0)
				_exit(1);
			done += (size_t)w;
			chunk = chunk * 3 % 69997 + 1;          /* 1 byte .. 68 KiB */
		}
		_exit(0);
	}
	close(fds[1]);
	static unsigned char buf[9000];
	uint32_t h = 2166136261u;
	size_t got = 0, want_read = 7;
	ssize_t r;
	while ((r = read(fds[0], buf, want_read)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			h = step(h, buf[i]);
		got += (size_t)r;
		want_read = want_read * 5 % 8999 + 1;
	}
	UT_EXPECT_EQ(r, 0);
	UT_EXPECT_EQ(got, total);
	UT_EXPECT_EQ(h, want);
	close(fds[0]);
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT_EQ(st, 0);
}

UT_CASE(test_open)
{
	UT_EXPECT_ERR(open("/fixtures/missing", O_RDONLY), ENOENT);
	UT_EXPECT_ERR(open("/no/such/dir/file", O_RDONLY), ENOENT);
	UT_EXPECT_ERR(open("", O_RDONLY), ENOENT);
	UT_EXPECT_ERR(open(DATA "/x", O_RDONLY), ENOTDIR);
	UT_EXPECT_ERR(open(DATA "/", O_RDONLY), ENOTDIR);
	UT_EXPECT_ERR(open(DATA, O_RDONLY | O_DIRECTORY), ENOTDIR);
	UT_EXPECT_ERR(syscall(SYS_open, NULL, O_RDONLY), EFAULT);
	char *longp = malloc(5000);
	UT_ASSERT(longp);
	memset(longp, 'a', 4999);
	longp[0] = '/';
	longp[4999] = '\0';
	UT_EXPECT_ERR(open(longp, O_RDONLY), ENAMETOOLONG);
	free(longp);
	int fd = open(DATA, O_RDONLY | O_CLOEXEC);
	UT_EXPECT(fd > 2);
	close(fd);
	/* Lowest free descriptor. */
	int a = open(DATA, O_RDONLY), b = open(DATA, O_RDONLY);
	UT_EXPECT_EQ(b, a + 1);
	close(a);
	UT_EXPECT_EQ(open(DATA, O_RDONLY), a);
	close(a);
	close(b);
	/* openat: an absolute path ignores dirfd; AT_FDCWD is "/" here. */
	fd = openat(12345, DATA, O_RDONLY);
	UT_EXPECT(fd >= 0);
	close(fd);
	fd = openat(AT_FDCWD, "fixtures/data.txt", O_RDONLY);
	UT_EXPECT(fd >= 0);
	close(fd);
	UT_EXPECT_ERR(openat(12345, "fixtures/data.txt", O_RDONLY), EBADF);
	fd = open("/fixtures/./dir/../data.txt", O_RDONLY);
	UT_EXPECT(fd >= 0);
	close(fd);
	fd = open("/fixtures", O_RDONLY | O_DIRECTORY);
	UT_EXPECT(fd >= 0);
	char c;
	UT_EXPECT_ERR(read(fd, &c, 1), EISDIR);
	close(fd);
}

/* Does the getdents64 stream of path name `want`? Returns entries seen. */
static int list_dir(const char *path, const char *want, int *found)
{
	char buf[512];
	int fd = open(path, O_RDONLY | O_DIRECTORY), n = 0;
	long r;
	*found = 0;
	if (fd < 0)
		return -1;
	while ((r = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < r;) {
			struct {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			*found += !strcmp(d->name, want);
			n++;
			off += d->reclen;
		}
	}
	close(fd);
	return r == 0 ? n : -1;
}

UT_CASE(test_getdents64)
{
	int found;
	int n = list_dir("/tests", "t_files-" LINK_MODE, &found);
	UT_EXPECT(n >= 2 + 3 * 5);      /* ".", "..", and the suites */
	UT_EXPECT_EQ(found, 1);
	list_dir("/tests", ".", &found);
	UT_EXPECT_EQ(found, 1);
	list_dir("/tests", "..", &found);
	UT_EXPECT_EQ(found, 1);
	list_dir("/fixtures", "data.txt", &found);
	UT_EXPECT_EQ(found, 1);

	int fd = open("/tests", O_RDONLY | O_DIRECTORY);
	UT_ASSERT(fd >= 0);
	char small[16];
	UT_EXPECT_ERR(syscall(SYS_getdents64, fd, small, sizeof(small)), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_getdents64, fd, NULL, 4096), EFAULT);
	close(fd);
	fd = open(DATA, O_RDONLY);
	UT_ASSERT(fd >= 0);
	char buf[512];
	UT_EXPECT_ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	UT_EXPECT_ERR(syscall(SYS_getdents64, fds[0], buf, sizeof(buf)), ENOTDIR);
	close(fds[0]);
	close(fds[1]);
}

UT_CASE(test_lseek_read)
{
	char buf[64] = { 0 };
	int fd = open(DATA, O_RDONLY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(read(fd, buf, 10), 10);
	UT_EXPECT_EQ(memcmp(buf, "0123456789", 10), 0);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 10);
	UT_EXPECT_EQ(lseek(fd, 5, SEEK_CUR), 15);
	UT_EXPECT_EQ(read(fd, buf, 1), 1);
	UT_EXPECT_EQ(buf[0], 'f');
	UT_EXPECT_EQ(lseek(fd, -1, SEEK_END), DATA_LEN - 1);
	UT_EXPECT_EQ(read(fd, buf, 10), 1);
	UT_EXPECT_EQ(buf[0], 'z');
	UT_EXPECT_EQ(read(fd, buf, 10), 0);     /* at the end */
	UT_EXPECT_EQ(lseek(fd, 3, SEEK_SET), 3);
	UT_EXPECT_EQ(read(fd, buf, 2), 2);
	UT_EXPECT_EQ(memcmp(buf, "34", 2), 0);
	UT_EXPECT_EQ(lseek(fd, 1000, SEEK_SET), 1000);  /* past the end is allowed */
	UT_EXPECT_EQ(read(fd, buf, 10), 0);
	UT_EXPECT_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	UT_EXPECT_ERR(lseek(fd, -2000, SEEK_CUR), EINVAL);
	UT_EXPECT_ERR(lseek(fd, -100, SEEK_END), EINVAL);
	UT_EXPECT_ERR(lseek(fd, 0, 7), EINVAL);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 1000);     /* failures moved nothing */
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_END), DATA_LEN);
	/* Whole file in one read; a dup shares the offset. */
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	int d = dup(fd);
	UT_EXPECT_EQ(read(d, buf, sizeof(buf)), DATA_LEN);
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_CUR), DATA_LEN);
	close(d);
	close(fd);
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	UT_EXPECT_ERR(lseek(fds[0], 0, SEEK_SET), ESPIPE);
	UT_EXPECT_ERR(lseek(fds[1], 0, SEEK_CUR), ESPIPE);
	close(fds[0]);
	close(fds[1]);
}

/* Both ends of a pipe closed at the same moment from two CPUs. The release
 * of one end used to wake the pipe's waiters after dropping its role, when
 * the other end's release could already have freed the pipe: a wake-up on
 * freed memory, which hung busybox's testsuite once the memory was reused
 * (a spin lock that read as taken). Racy by nature: a kernel with the bug
 * hangs or corrupts memory here only now and then. */
static int race_fds[2];
static atomic_int race_round, race_closed;

static void *close_writer(void *arg)
{
	int rounds = *(int *)arg;
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(1, &s);
	sched_setaffinity(0, sizeof(s), &s);
	for (int i = 1; i <= rounds; i++) {
		while (atomic_load(&race_round) != i)
			sched_yield();          /* one CPU: let the other side run */
		close(race_fds[1]);
		atomic_store(&race_closed, i);
	}
	return NULL;
}

UT_CASE(test_pipe_close_race)
{
	int rounds = 3000;
	pthread_t th;
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(0, &s);
	sched_setaffinity(0, sizeof(s), &s);
	UT_ASSERT(pthread_create(&th, NULL, close_writer, &rounds) == 0);
	for (int i = 1; i <= rounds; i++) {
		UT_ASSERT(pipe(race_fds) == 0);
		atomic_store(&race_round, i);
		UT_EXPECT_EQ(close(race_fds[0]), 0);
		while (atomic_load(&race_closed) != i)
			sched_yield();
	}
	UT_EXPECT_EQ(pthread_join(th, NULL), 0);
	/* The pipes are all gone: new ones still work. */
	char c = 0;
	UT_ASSERT(pipe(race_fds) == 0);
	UT_EXPECT_EQ(write(race_fds[1], "y", 1), 1);
	UT_EXPECT_EQ(read(race_fds[0], &c, 1), 1);
	UT_EXPECT_EQ(c, 'y');
	close(race_fds[0]);
	close(race_fds[1]);
}

UT_SUITE("files", UT_C(test_ebadf), UT_C(test_dup_family), UT_C(test_emfile), UT_C(test_ioctl),
	 UT_C(test_readv_writev), UT_C(test_pipe_eof_epipe), UT_C(test_pipe_nonblock),
	 UT_C(test_pipe_buf_atomic), UT_C(test_pipe_bulk), UT_C(test_open),
	 UT_C(test_getdents64), UT_C(test_lseek_read), UT_C(test_pipe_close_race))
