/* eventfd: counter and semaphore semantics, blocking and non-blocking
 * reads and writes, the overflow limit, every errno path, close-on-exec,
 * and a blocked read or write interrupted by a signal (EINTR). */
#include "utest.h"
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>

#define EFD_MAX 0xfffffffffffffffeull

extern char **environ;

/* Exec'd with UT_FD_CHECK=<fd>: exit 0 if that descriptor is closed. */
__attribute__((constructor)) static void fd_check_helper(void)
{
	const char *fd = getenv("UT_FD_CHECK");
	if (!fd)
		return;
	char b[8];
	_exit(read(atoi(fd), b, 0) == -1 && errno == EBADF ? 0 : 1);
}

static uint64_t rd(int fd)
{
	uint64_t v = 0;
	return read(fd, &v, 8) == 8 ? v : (uint64_t)-1;
}

static int wr(int fd, uint64_t v)
{
	return (int)write(fd, &v, 8);
}

static int reap(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

UT_CASE(test_create_and_flags)
{
	int fd = eventfd(0, 0);
	UT_ASSERT(fd >= 0);
	close(fd);
	UT_EXPECT_ERR(eventfd(0, 8), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_eventfd2, 0, 0x40000000), EINVAL);
	/* The old call: no flags, initial value kept. */
	fd = (int)syscall(SYS_eventfd, 5);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(rd(fd), 5);
	close(fd);
	/* The initial value is an unsigned int. */
	fd = eventfd(0xffffffffu, EFD_NONBLOCK);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(rd(fd), 0xffffffffull);
	close(fd);
}

UT_CASE(test_counter_adds_and_read_takes_all)
{
	int fd = eventfd(2, EFD_NONBLOCK);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(wr(fd, 3), 8);
	UT_EXPECT_EQ(wr(fd, 4), 8);
	UT_EXPECT_EQ(wr(fd, 0), 8);             /* adds nothing, still succeeds */
	UT_EXPECT_EQ(rd(fd), 9);
	uint64_t v;
	UT_EXPECT_ERR(read(fd, &v, 8), EAGAIN);
	/* A longer buffer still moves 8 bytes. */
	UT_EXPECT_EQ(wr(fd, 11), 8);
	uint64_t big[2] = { 0, 77 };
	UT_EXPECT_EQ(read(fd, big, sizeof(big)), 8);
	UT_EXPECT_EQ(big[0], 11);
	UT_EXPECT_EQ(big[1], 77);
	/* The libc wrappers. */
	UT_EXPECT_EQ(eventfd_write(fd, 6), 0);
	eventfd_t ev;
	UT_EXPECT_EQ(eventfd_read(fd, &ev), 0);
	UT_EXPECT_EQ(ev, 6);
	close(fd);
}

UT_CASE(test_semaphore)
{
	int fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(rd(fd), 1);
	UT_EXPECT_EQ(wr(fd, 2), 8);
	for (int i = 0; i < 4; i++)
		UT_EXPECT_EQ(rd(fd), 1);
	uint64_t v;
	UT_EXPECT_ERR(read(fd, &v, 8), EAGAIN);
	close(fd);
}

UT_CASE(test_errors)
{
	int fd = eventfd(1, EFD_NONBLOCK);
	UT_ASSERT(fd >= 0);
	uint64_t v = 1;
	char small[7];
	UT_EXPECT_ERR(read(fd, small, sizeof(small)), EINVAL);
	UT_EXPECT_ERR(write(fd, &v, 7), EINVAL);
	UT_EXPECT_ERR(read(fd, small, 0), EINVAL);
	v = UINT64_MAX;
	UT_EXPECT_ERR(write(fd, &v, 8), EINVAL);
	UT_EXPECT_ERR(write(fd, NULL, 8), EFAULT);
	UT_EXPECT_ERR(write(fd, (void *)0xffff800000000000ul, 8), EFAULT);
	UT_EXPECT_ERR(read(fd, (void *)0xffff800000000000ul, 8), EFAULT);
	/* Still 1: nothing above changed the counter. */
	UT_EXPECT_EQ(rd(fd), 1);
	close(fd);
	UT_EXPECT_ERR(read(fd, &v, 8), EBADF);
}

UT_CASE(test_overflow_limit)
{
	int fd = eventfd(0, EFD_NONBLOCK);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(wr(fd, EFD_MAX), 8);
	uint64_t one = 1;
	UT_EXPECT_ERR(write(fd, &one, 8), EAGAIN);
	UT_EXPECT_EQ(wr(fd, 0), 8);
	UT_EXPECT_EQ(rd(fd), EFD_MAX);
	UT_EXPECT_EQ(wr(fd, EFD_MAX - 5), 8);
	UT_EXPECT_EQ(wr(fd, 5), 8);
	UT_EXPECT_ERR(write(fd, &one, 8), EAGAIN);
	UT_EXPECT_EQ(rd(fd), EFD_MAX);
	close(fd);
}

/* A blocked read returns once another process writes. */
UT_CASE(test_blocking_read_wakes)
{
	int fd = eventfd(0, 0);
	UT_ASSERT(fd >= 0);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		usleep(50000);
		_exit(wr(fd, 42) == 8 ? 0 : 1);
	}
	UT_EXPECT_EQ(rd(fd), 42);
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd);
}

/* A write that would overflow blocks until a read makes room. */
UT_CASE(test_blocking_write_wakes)
{
	int fd = eventfd(0, 0);
	UT_ASSERT(fd >= 0);
	UT_ASSERT(wr(fd, EFD_MAX) == 8);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(wr(fd, 7) == 8 ? 0 : 1);  /* blocks: the counter is full */
	usleep(50000);
	UT_EXPECT_EQ(rd(fd), EFD_MAX);
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	UT_EXPECT_EQ(rd(fd), 7);
	close(fd);
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* In a child: SIGALRM (caught, no SA_RESTART) in 50 ms. */
static void alarm_soon(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Blocked reads and writes end with EINTR when a signal comes. The parent
 * unblocks the child after 2 s if the signal did not (then it fails). */
UT_CASE(test_blocked_read_and_write_interrupted)
{
	for (int write_side = 0; write_side < 2; write_side++) {
		int fd = eventfd(0, 0);
		UT_ASSERT(fd >= 0);
		if (write_side)
			UT_ASSERT(wr(fd, EFD_MAX) == 8);
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0) {
			uint64_t v = 1;
			alarm_soon();
			long r = write_side ? write(fd, &v, 8) : read(fd, &v, 8);
			_exit(r == -1 && errno == EINTR ? 0 : 1);
		}
		int st = 0;
		bool done = false;
		for (int i = 0; i < 200 && !(done = waitpid(pid, &st, WNOHANG) == pid); i++)
			usleep(10000);
		if (!done) {
			if (write_side)
				rd(fd);         /* make room: it still waits */
			else
				wr(fd, 1);
			st = reap(pid);
		}
		UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		close(fd);
	}
}

static int exec_fd_check(int fd)
{
	char env[32];
	snprintf(env, sizeof(env), "UT_FD_CHECK=%d", fd);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "fd-check", NULL };
		char *envp[] = { env, NULL };
		execve((const char *)getauxval(AT_EXECFN), argv, envp);
		_exit(127);
	}
	int st = reap(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Out of descriptors: EMFILE, and nothing left behind. */
UT_CASE(test_emfile)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 8, 8 };
		setrlimit(RLIMIT_NOFILE, &rl);
		int n = 0;
		while (eventfd(0, 0) >= 0 && n < 100)
			n++;
		_exit(errno == EMFILE && n >= 1 && n <= 5 ? 0 : 1);  /* 0-2 are taken */
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

UT_CASE(test_cloexec)
{
	int keep = eventfd(0, 0), gone = eventfd(0, EFD_CLOEXEC);
	UT_ASSERT(keep >= 0 && gone >= 0);
	UT_EXPECT_EQ(exec_fd_check(gone), 0);
	UT_EXPECT_EQ(exec_fd_check(keep), 1);
	close(keep);
	close(gone);
}

UT_SUITE("eventfd", UT_C(test_create_and_flags), UT_C(test_counter_adds_and_read_takes_all),
	 UT_C(test_semaphore), UT_C(test_errors), UT_C(test_overflow_limit),
	 UT_C(test_blocking_read_wakes), UT_C(test_blocking_write_wakes),
	 UT_C(test_blocked_read_and_write_interrupted), UT_C(test_emfile), UT_C(test_cloexec))
