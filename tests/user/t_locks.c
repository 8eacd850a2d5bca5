/* Advisory locks: flock(2) on open file descriptions (shared by dup and
 * fork, dropped with the last descriptor) and POSIX record locks (per
 * process: conflicts, F_GETLK, splitting, release on any close and at
 * exit, F_SETLKW waiting and EDEADLK). A pipe's two ends are two open
 * files on one object, so they stand in for two opens of one file. */
#include "utest.h"
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/file.h>

static int reap(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

/* One byte over a pipe: the other process's "go". */
static void signal_go(int fd)
{
	if (write(fd, "g", 1) != 1)
		_exit(99);
}

static void await_go(int fd)
{
	char c;
	if (read(fd, &c, 1) != 1)
		_exit(98);
}

UT_CASE(test_flock_basics)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_EQ(flock(p[0], LOCK_SH), 0);
	UT_EXPECT_EQ(flock(p[1], LOCK_SH | LOCK_NB), 0);
	UT_EXPECT_ERR(flock(p[1], LOCK_EX | LOCK_NB), EWOULDBLOCK);
	UT_EXPECT_EQ(flock(p[0], LOCK_UN), 0);
	UT_EXPECT_EQ(flock(p[1], LOCK_EX | LOCK_NB), 0);
	UT_EXPECT_ERR(flock(p[0], LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* A copy of the descriptor is the same open file: no conflict. */
	int d = dup(p[1]);
	UT_EXPECT_EQ(flock(d, LOCK_EX | LOCK_NB), 0);
	close(d);
	UT_EXPECT_ERR(flock(p[0], LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* The last descriptor of the open file going drops its lock. */
	close(p[1]);
	UT_EXPECT_EQ(flock(p[0], LOCK_EX | LOCK_NB), 0);
	UT_EXPECT_ERR(flock(p[0], 0), EINVAL);
	UT_EXPECT_ERR(flock(p[0], LOCK_SH | LOCK_EX), EINVAL);
	UT_EXPECT_ERR(flock(999, LOCK_SH), EBADF);
	close(p[0]);
}

/* A blocked flock is granted when the holder unlocks. */
UT_CASE(test_flock_wait)
{
	int p[2], go[2];
	UT_ASSERT(pipe(p) == 0 && pipe(go) == 0);
	UT_EXPECT_EQ(flock(p[0], LOCK_EX), 0);
	pid_t pid = fork();
	if (pid == 0) {
		signal_go(go[1]);
		/* p[1] is another open file than the parent's p[0]. */
		_exit(flock(p[1], LOCK_EX) == 0 ? 0 : 1);
	}
	await_go(go[0]);
	usleep(20000);
	UT_EXPECT_EQ(flock(p[0], LOCK_UN), 0);
	UT_EXPECT_EQ(reap(pid), 0);
	close(p[0]), close(p[1]), close(go[0]), close(go[1]);
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* In a child (another owner): can it take this lock? 0 yes, 1 EAGAIN. */
static int child_try(int fd, short type, off_t start, off_t len)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setlk(fd, F_SETLK, type, start, len) == 0)
			_exit(0);
		_exit(errno == EAGAIN ? 1 : 2);
	}
	int st = reap(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

UT_CASE(test_record_locks)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_EQ(setlk(p[1], F_SETLK, F_WRLCK, 0, 100), 0);
	/* Our own locks never conflict with us. */
	UT_EXPECT_EQ(setlk(p[1], F_SETLK, F_WRLCK, 50, 100), 0);
	UT_EXPECT_EQ(child_try(p[1], F_WRLCK, 120, 10), 1);
	UT_EXPECT_EQ(child_try(p[1], F_WRLCK, 150, 10), 0);
	UT_EXPECT_EQ(child_try(p[0], F_RDLCK, 0, 1), 1);
	/* Unlock a hole in the middle: the lock splits in two. */
	UT_EXPECT_EQ(setlk(p[1], F_SETLK, F_UNLCK, 40, 20), 0);
	UT_EXPECT_EQ(child_try(p[1], F_WRLCK, 45, 10), 0);
	UT_EXPECT_EQ(child_try(p[1], F_WRLCK, 30, 5), 1);
	UT_EXPECT_EQ(child_try(p[1], F_WRLCK, 60, 5), 1);

	/* F_GETLK, from another owner: the lock in the way and its owner. */
	pid_t pid = fork();
	if (pid == 0) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
		if (fcntl(p[1], F_GETLK, &fl) != 0 || fl.l_type != F_WRLCK || fl.l_start != 0 ||
		    fl.l_len != 40 || fl.l_pid != getppid())
			_exit(1);
		fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 40, .l_len = 20 };
		if (fcntl(p[1], F_GETLK, &fl) != 0 || fl.l_type != F_UNLCK)
			_exit(2);
		_exit(0);
	}
	UT_EXPECT_EQ(reap(pid), 0);
	/* Ourselves: nothing is in our way. */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	UT_EXPECT_EQ(fcntl(p[1], F_GETLK, &fl), 0);
	UT_EXPECT_EQ(fl.l_type, F_UNLCK);

	/* Closing any descriptor of the file drops all our locks on it. */
	close(dup(p[0]));
	UT_EXPECT_EQ(child_try(p[1], F_WRLCK, 0, 0), 0);
	close(p[0]), close(p[1]);
}

UT_CASE(test_record_lock_errors)
{
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_ERR(setlk(p[0], F_SETLK, F_WRLCK, 0, 1), EBADF);
	UT_EXPECT_ERR(setlk(p[1], F_SETLK, F_RDLCK, 0, 1), EBADF);
	UT_EXPECT_ERR(setlk(p[1], F_SETLK, 7, 0, 1), EINVAL);
	UT_EXPECT_ERR(setlk(p[1], F_SETLK, F_WRLCK, -1, 1), EINVAL);
	UT_EXPECT_ERR(setlk(p[1], F_SETLK, F_WRLCK, 5, -10), EINVAL);
	UT_EXPECT_EQ(setlk(p[1], F_SETLK, F_WRLCK, 10, -10), 0);   /* bytes 0..9 */
	UT_EXPECT_EQ(child_try(p[1], F_WRLCK, 9, 1), 1);
	UT_EXPECT_EQ(child_try(p[1], F_WRLCK, 10, 1), 0);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = 7 };
	UT_EXPECT_ERR(fcntl(p[1], F_SETLK, &fl), EINVAL);
	UT_EXPECT_ERR(fcntl(p[1], F_SETLK, (void *)8), EFAULT);
	fl = (struct flock){ .l_type = F_UNLCK, .l_whence = SEEK_SET };
	UT_EXPECT_ERR(fcntl(p[1], F_GETLK, &fl), EINVAL);
	close(p[0]), close(p[1]);
}

/* F_SETLKW waits for the holder; a wait that closes a cycle is EDEADLK;
 * a process's locks go when it exits. */
UT_CASE(test_record_lock_wait_and_deadlock)
{
	int p[2], go[2], back[2];
	UT_ASSERT(pipe(p) == 0 && pipe(go) == 0 && pipe(back) == 0);
	UT_EXPECT_EQ(setlk(p[1], F_SETLK, F_WRLCK, 0, 10), 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setlk(p[1], F_SETLK, F_WRLCK, 20, 10) != 0)
			_exit(1);
		signal_go(back[1]);
		/* Blocks until the parent lets go of 0..9, unless the parent
		 * is already waiting for us: then this closes the cycle. */
		if (setlk(p[1], F_SETLKW, F_WRLCK, 0, 10) != 0)
			_exit(errno == EDEADLK ? 3 : 2);
		_exit(0);
	}
	await_go(back[0]);
	usleep(20000);          /* most often the child blocks first */
	errno = 0;
	int r = setlk(p[1], F_SETLKW, F_WRLCK, 20, 10);
	if (r == 0) {
		/* We blocked first: the child's wait was refused and it went. */
		UT_EXPECT_EQ(reap(pid), 3 << 8);
	} else {
		UT_EXPECT_EQ(errno, EDEADLK);
		UT_EXPECT_EQ(setlk(p[1], F_SETLK, F_UNLCK, 0, 10), 0);
		UT_EXPECT_EQ(reap(pid), 0);
	}
	/* The child is gone, and its locks with it. */
	UT_EXPECT_EQ(setlk(p[1], F_SETLK, F_WRLCK, 0, 0), 0);
	close(p[0]), close(p[1]), close(go[0]), close(go[1]), close(back[0]), close(back[1]);
}

UT_SUITE("locks", UT_C(test_flock_basics), UT_C(test_flock_wait), UT_C(test_record_locks),
	 UT_C(test_record_lock_errors), UT_C(test_record_lock_wait_and_deadlock))
