/* No user-supplied pointer or length can crash the kernel: every
 * implemented system call that takes a pointer, called through syscall(2)
 * with garbage in that pointer, fails with Linux's errno (or succeeds
 * where Linux ignores or only reads the pointer). Table-driven; the suite
 * finishing at all is half the point. */
#include "utest.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#define PG 4096ul
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* The garbage: kinds of bad pointer. */
enum { K_NULL, K_ONE, K_KTEXT, K_DMAP, K_NONCANON, K_UNMAPPED, K_PROTNONE, K_STRADDLE,
       K_RO, NKINDS };
static const char *const kind_name[NKINDS] = {
	"NULL", "1", "kernel text", "direct map", "non-canonical", "unmapped page",
	"PROT_NONE page", "2 bytes before an unmapped page", "read-only page",
};
static uintptr_t kind_ptr[NKINDS];

/* Placeholders resolved when a case runs. */
#define PTR       (-2000)       /* the bad pointer under test */
#define FD_DATA   (-2001)       /* /fixtures/data.txt, at offset 0 */
#define FD_DIR    (-2002)       /* /fixtures, at its first entry */
#define FD_PIPE_R (-2003)       /* non-blocking pipe holding 64 bytes */
#define FD_PIPE_W (-2004)
#define VALID     (-2005)       /* a writable 4 KiB buffer */
#define CHILD     (-2006)       /* the pid of a fresh zombie child */
#define IOV_PTR   (-2007)       /* a one-element iovec {PTR, 10} */
#define TS_ZERO   (-2008)       /* a timespec of 0 */

/* What the read-only page gives (it holds zeros): */
#define RO_SAME 0               /* the same errno as the other kinds */
#define RO_OK   (-1)            /* success: the call only reads, zeros are valid */
#define RO_SKIP (-2)            /* not tried: zeros would change the system */

#define F_NULL_OK     1         /* NULL means "not wanted": success */
#define F_NO_STRADDLE 2         /* a partial transfer is Linux's answer: not tried */

struct fcase {
	const char *name;
	long nr;
	long a[6];
	int err;                /* errno for the bad kinds; 0: success */
	int ro;
	int flags;
};

static const struct fcase cases_tab[] = {
	{ "read file", SYS_read, { FD_DATA, PTR, 10 }, EFAULT, RO_SAME, F_NO_STRADDLE },
	{ "read pipe", SYS_read, { FD_PIPE_R, PTR, 10 }, EFAULT, RO_SAME, F_NO_STRADDLE },
	{ "write pipe", SYS_write, { FD_PIPE_W, PTR, 10 }, EFAULT, RO_OK, F_NO_STRADDLE },
	{ "write console", SYS_write, { 1, PTR, 10 }, EFAULT, RO_SKIP, F_NO_STRADDLE },
	{ "readv iov", SYS_readv, { FD_DATA, PTR, 1 }, EFAULT, RO_OK, 0 },
	{ "writev iov", SYS_writev, { FD_PIPE_W, PTR, 1 }, EFAULT, RO_OK, 0 },
	{ "readv base", SYS_readv, { FD_DATA, IOV_PTR, 1 }, EFAULT, RO_SAME, F_NO_STRADDLE },
	{ "writev base", SYS_writev, { FD_PIPE_W, IOV_PTR, 1 }, EFAULT, RO_OK, F_NO_STRADDLE },
	{ "getdents64", SYS_getdents64, { FD_DIR, PTR, 4096 }, EFAULT, RO_SAME, 0 },
	{ "uname", SYS_uname, { PTR }, EFAULT, RO_SAME, 0 },
	{ "sysinfo", SYS_sysinfo, { PTR }, EFAULT, RO_SAME, 0 },
	{ "getrandom", SYS_getrandom, { PTR, 16, 0 }, EFAULT, RO_SAME, F_NO_STRADDLE },
	{ "prlimit64 old", SYS_prlimit64, { 0, RLIMIT_NOFILE, 0, PTR }, EFAULT, RO_SAME, F_NULL_OK },
	{ "prlimit64 new", SYS_prlimit64, { 0, RLIMIT_NOFILE, PTR, 0 }, EFAULT, RO_SKIP, F_NULL_OK },
	{ "getrlimit", SYS_getrlimit, { RLIMIT_NOFILE, PTR }, EFAULT, RO_SAME, 0 },
	{ "setrlimit", SYS_setrlimit, { RLIMIT_NOFILE, PTR }, EFAULT, RO_SKIP, 0 },
	{ "getresuid r", SYS_getresuid, { PTR, VALID, VALID }, EFAULT, RO_SAME, 0 },
	{ "getresuid e", SYS_getresuid, { VALID, PTR, VALID }, EFAULT, RO_SAME, 0 },
	{ "getresuid s", SYS_getresuid, { VALID, VALID, PTR }, EFAULT, RO_SAME, 0 },
	{ "getresgid r", SYS_getresgid, { PTR, VALID, VALID }, EFAULT, RO_SAME, 0 },
	{ "getresgid s", SYS_getresgid, { VALID, VALID, PTR }, EFAULT, RO_SAME, 0 },
	{ "getgroups", SYS_getgroups, { 10, PTR }, 0, RO_OK, 0 },      /* no groups: untouched */
	{ "wait4 status", SYS_wait4, { CHILD, PTR, 0, 0 }, EFAULT, RO_SAME, F_NULL_OK },
	{ "wait4 rusage", SYS_wait4, { CHILD, VALID, 0, PTR }, EFAULT, RO_SAME, F_NULL_OK },
	{ "waitid info", SYS_waitid, { P_PID, CHILD, PTR, WEXITED, 0 }, EFAULT, RO_SAME, F_NULL_OK },
	{ "waitid rusage", SYS_waitid, { P_PID, CHILD, VALID, WEXITED, PTR }, EFAULT, RO_SAME,
	  F_NULL_OK },
	{ "pipe", SYS_pipe, { PTR }, EFAULT, RO_SAME, 0 },
	{ "pipe2", SYS_pipe2, { PTR, 0 }, EFAULT, RO_SAME, 0 },
	{ "rt_sigaction act", SYS_rt_sigaction, { SIGUSR1, PTR, 0, 8 }, EFAULT, RO_OK, F_NULL_OK },
	{ "rt_sigaction oact", SYS_rt_sigaction, { SIGUSR1, 0, PTR, 8 }, EFAULT, RO_SAME, F_NULL_OK },
	{ "rt_sigprocmask set", SYS_rt_sigprocmask, { SIG_BLOCK, PTR, 0, 8 }, EFAULT, RO_OK, F_NULL_OK },
	{ "rt_sigprocmask oset", SYS_rt_sigprocmask, { SIG_BLOCK, 0, PTR, 8 }, EFAULT, RO_SAME,
	  F_NULL_OK },
	{ "arch_prctl GET_FS", SYS_arch_prctl, { ARCH_GET_FS, PTR }, EFAULT, RO_SAME, 0 },
	{ "arch_prctl GET_GS", SYS_arch_prctl, { ARCH_GET_GS, PTR }, EFAULT, RO_SAME, 0 },
	{ "open path", SYS_open, { PTR, O_RDONLY }, EFAULT, ENOENT, 0 },
	{ "openat path", SYS_openat, { AT_FDCWD, PTR, O_RDONLY }, EFAULT, ENOENT, 0 },
	{ "ioctl TIOCGWINSZ", SYS_ioctl, { 1, TIOCGWINSZ, PTR }, EFAULT, RO_SAME, 0 },
	{ "ioctl TCGETS", SYS_ioctl, { 1, TCGETS, PTR }, EFAULT, RO_SAME, 0 },
	{ "ioctl FIONREAD", SYS_ioctl, { FD_PIPE_R, FIONREAD, PTR }, EFAULT, RO_SAME, 0 },
	{ "sethostname", SYS_sethostname, { PTR, 4 }, EFAULT, RO_SKIP, 0 },
	{ "clock_gettime", SYS_clock_gettime, { CLOCK_MONOTONIC, PTR }, EFAULT, RO_SAME, 0 },
	{ "clock_getres", SYS_clock_getres, { CLOCK_MONOTONIC, PTR }, EFAULT, RO_SAME, F_NULL_OK },
	{ "gettimeofday tv", SYS_gettimeofday, { PTR, 0 }, EFAULT, RO_SAME, F_NULL_OK },
	{ "gettimeofday tz", SYS_gettimeofday, { VALID, PTR }, EFAULT, RO_SAME, F_NULL_OK },
	{ "time", SYS_time, { PTR }, EFAULT, RO_SAME, F_NULL_OK },
	{ "times", SYS_times, { PTR }, EFAULT, RO_SAME, F_NULL_OK },
	{ "nanosleep req", SYS_nanosleep, { PTR, 0 }, EFAULT, RO_OK, 0 },
	{ "nanosleep rem", SYS_nanosleep, { TS_ZERO, PTR }, 0, RO_OK, 0 },  /* written only if interrupted */
	{ "clock_nanosleep req", SYS_clock_nanosleep, { CLOCK_MONOTONIC, 0, PTR, 0 }, EFAULT, RO_OK, 0 },
	{ "settimeofday", SYS_settimeofday, { PTR, 0 }, EFAULT, RO_SKIP, F_NULL_OK },
	{ "clock_settime", SYS_clock_settime, { CLOCK_REALTIME, PTR }, EFAULT, RO_SKIP, 0 },
};

static int fd_data, fd_dir, pipe_fds[2];
static char *valid;
static struct iovec iov_slot;
static struct timespec ts_zero;

static void setup_pointers(void)
{
	char *m = mmap(NULL, 5 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		abort();
	/* [m: RW straddle page][m+PG: unmapped][m+2PG: PROT_NONE][m+3PG: RO][m+4PG: valid] */
	memset(m, 'a', PG);
	munmap(m + PG, PG);
	mprotect(m + 2 * PG, PG, PROT_NONE);
	mprotect(m + 3 * PG, PG, PROT_READ);
	valid = m + 4 * PG;
	kind_ptr[K_NULL] = 0;
	kind_ptr[K_ONE] = 1;
	kind_ptr[K_KTEXT] = 0xffffffff80000000ul;
	kind_ptr[K_DMAP] = 0xffff888000000000ul;
	kind_ptr[K_NONCANON] = 0x8000000000000000ul;
	kind_ptr[K_UNMAPPED] = (uintptr_t)(m + PG);
	kind_ptr[K_PROTNONE] = (uintptr_t)(m + 2 * PG);
	kind_ptr[K_STRADDLE] = (uintptr_t)(m + PG - 2);
	kind_ptr[K_RO] = (uintptr_t)(m + 3 * PG);
}

/* Fresh state for one call: offsets at 0, the pipe holding 64 bytes. */
static void reset_fds(void)
{
	char buf[512];
	/* Output calls store what fits before the fault (as Linux does):
	 * put the straddling bytes back to non-NUL. */
	((char *)kind_ptr[K_STRADDLE])[0] = 'a';
	((char *)kind_ptr[K_STRADDLE])[1] = 'a';
	lseek(fd_data, 0, SEEK_SET);
	lseek(fd_dir, 0, SEEK_SET);
	while (read(pipe_fds[0], buf, sizeof(buf)) > 0)
		;
	memset(buf, 'p', 64);
	write(pipe_fds[1], buf, 64);
}

static long resolve(long a, uintptr_t bad, pid_t *child)
{
	switch (a) {
	case PTR: return (long)bad;
	case FD_DATA: return fd_data;
	case FD_DIR: return fd_dir;
	case FD_PIPE_R: return pipe_fds[0];
	case FD_PIPE_W: return pipe_fds[1];
	case VALID: return (long)valid;
	case IOV_PTR:
		iov_slot.iov_base = (void *)bad;
		iov_slot.iov_len = 10;
		return (long)&iov_slot;
	case TS_ZERO: return (long)&ts_zero;
	case CHILD:
		*child = fork();
		if (*child == 0)
			_exit(0);
		/* Let it become a zombie before the call looks. */
		while (waitid(P_PID, *child, &(siginfo_t){ 0 }, WEXITED | WNOWAIT) != 0)
			;
		return *child;
	default: return a;
	}
}

static void run_case(const struct fcase *c, int kind)
{
	pid_t child = 0;
	long a[6];
	int want = c->err;
	bool want_ok;

	if (kind == K_NULL && (c->flags & F_NULL_OK))
		want = 0;
	if (kind == K_STRADDLE && (c->flags & F_NO_STRADDLE))
		return;
	if (kind == K_RO) {
		if (c->ro == RO_SKIP)
			return;
		if (c->ro == RO_OK)
			want = 0;
		else if (c->ro != RO_SAME)
			want = c->ro;
	}
	want_ok = want == 0;
	reset_fds();
	for (int i = 0; i < 6; i++)
		a[i] = resolve(c->a[i], kind_ptr[kind], &child);
	errno = 0;
	long r = syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	int e = errno;
	if (want_ok ? r < 0 : !(r == -1 && e == want))
		UT_FAIL("%s with %s: got %ld, errno %d (%s); want %s%s", c->name, kind_name[kind],
			r, e, strerror(e), want_ok ? "success" : "errno ", want_ok ? "" : strerror(want));
	/* The zombie is reaped even when the status could not be stored. */
	if (child > 0 && waitpid(child, NULL, WNOHANG) != -1)
		UT_FAIL("%s with %s: child %d not reaped", c->name, kind_name[kind], child);
}

UT_CASE(test_bad_pointers)
{
	int lowest = dup(0);
	close(lowest);
	for (unsigned i = 0; i < sizeof(cases_tab) / sizeof(cases_tab[0]); i++)
		for (int k = 0; k < NKINDS; k++)
			run_case(&cases_tab[i], k);
	/* Nothing leaked a descriptor (pipe, pipe2, open), nothing touched
	 * the read-only page. */
	int fd = dup(0);
	UT_EXPECT_EQ(fd, lowest);
	close(fd);
	const char *ro = (const char *)kind_ptr[K_RO];
	int nonzero = 0;
	for (unsigned i = 0; i < PG; i++)
		nonzero += ro[i] != 0;
	UT_EXPECT_EQ(nonzero, 0);
	UT_EXPECT_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
}

UT_CASE(test_huge_lengths)
{
	char *buf = valid;
	reset_fds();
	/* The range must fit in user space before anything moves (access_ok). */
	UT_EXPECT_ERR(syscall(SYS_write, pipe_fds[1], buf, SIZE_MAX), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_write, pipe_fds[1], buf, 1ul << 62), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_read, pipe_fds[0], buf, SIZE_MAX), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_read, fd_data, buf, 1ul << 62), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_write, 1, buf, SIZE_MAX), EFAULT);
	int n = -1;
	UT_EXPECT_EQ(ioctl(pipe_fds[0], FIONREAD, &n), 0);
	UT_EXPECT_EQ(n, 64);            /* nothing was consumed or added */
	struct iovec iov[2] = { { buf, 8 }, { buf, 1ul << 62 } };
	UT_EXPECT_ERR(syscall(SYS_writev, pipe_fds[1], iov, 2), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_readv, fd_data, iov, 2), EFAULT);
	UT_EXPECT_EQ(ioctl(pipe_fds[0], FIONREAD, &n), 0);
	UT_EXPECT_EQ(n, 64);            /* the first element was not written either */
	UT_EXPECT_EQ(lseek(fd_data, 0, SEEK_CUR), 0);
	iov[1].iov_len = SIZE_MAX;
	UT_EXPECT_ERR(syscall(SYS_writev, pipe_fds[1], iov, 2), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_readv, pipe_fds[0], iov, 1ul << 40), EINVAL);
	/* Zero lengths never touch the pointer. */
	UT_EXPECT_EQ(syscall(SYS_write, pipe_fds[1], NULL, 0), 0);
	UT_EXPECT_EQ(syscall(SYS_read, fd_data, NULL, 0), 0);
	UT_EXPECT_EQ(syscall(SYS_getrandom, NULL, 0, 0), 0);
	UT_EXPECT_EQ(syscall(SYS_writev, pipe_fds[1], NULL, 0), 0);
	UT_EXPECT_ERR(syscall(SYS_getdents64, fd_dir, NULL, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_sethostname, buf, 65), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_sethostname, buf, -1), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, (void *)1, 7), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, (void *)1, 16), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_getgroups, -1, buf), EINVAL);
}

/* execve with bad pointers, in a child: if the kernel wrongly accepted
 * one, the child would become /bin/echo instead of exiting 42. */
UT_CASE(test_execve_pointers)
{
	reset_fds();
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "echo", NULL };
		for (int k = 0; k < K_RO; k++) {
			void *p = (void *)kind_ptr[k];
			char *bad_argv[] = { "echo", p, NULL };
			char *bad_env[] = { "A=1", p, NULL };
			UT_EXPECT_ERR(syscall(SYS_execve, p, argv, NULL), EFAULT);
			if (k == K_NULL)        /* NULL argv/envp (or element) just end the list */
				continue;
			UT_EXPECT_ERR(syscall(SYS_execve, "/bin/echo", p, NULL), EFAULT);
			UT_EXPECT_ERR(syscall(SYS_execve, "/bin/echo", argv, p), EFAULT);
			UT_EXPECT_ERR(syscall(SYS_execve, "/bin/echo", bad_argv, NULL), EFAULT);
			UT_EXPECT_ERR(syscall(SYS_execve, "/bin/echo", argv, bad_env), EFAULT);
		}
		fflush(stdout);
		_exit(ut_failures ? 1 : 42);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 42);
}

/* Pointers Linux stores for later or writes without checking: clone's
 * parent/child tid and set_tid_address never make the call fail, and a
 * bad one is ignored when the kernel finally writes it. */
UT_CASE(test_deferred_pointers)
{
	for (int k = 0; k < K_RO; k++) {
		long p = (long)kind_ptr[k];
		long r = syscall(SYS_clone, SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
				 0, p, p, 0);
		if (r == 0)
			_exit(0);
		UT_EXPECT(r > 0);
		int st = -1;
		UT_EXPECT_EQ(waitpid((pid_t)r, &st, 0), r);
		UT_EXPECT_EQ(st, 0);

		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0) {
			long tid = syscall(SYS_set_tid_address, p);
			_exit(tid == getpid() ? 0 : 1);
		}
		st = -1;
		waitpid(pid, &st, 0);
		UT_EXPECT_EQ(st, 0);            /* exited normally, not killed */
	}
}

int main(void)
{
	static const struct ut_case cases[] = {
		UT_C(test_bad_pointers), UT_C(test_huge_lengths), UT_C(test_execve_pointers),
		UT_C(test_deferred_pointers),
	};
	setup_pointers();
	fd_data = open("/fixtures/data.txt", O_RDONLY);
	fd_dir = open("/fixtures", O_RDONLY | O_DIRECTORY);
	if (fd_data < 0 || fd_dir < 0 || pipe2(pipe_fds, O_NONBLOCK) != 0)
		return 1;
	return ut_run("fault", cases, (int)(sizeof(cases) / sizeof(cases[0])));
}
