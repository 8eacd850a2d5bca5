/* Signals sent and their default effects: kill/tgkill/sigqueueinfo errnos
 * and permissions, default actions, SIGCHLD, SIGPIPE, SIGKILL ending a
 * sleep, and an interrupted console read. */
#include "sigtest.h"
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <ucontext.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* ---- kill, tgkill, sigqueueinfo: errnos and permissions ------------------ */

UT_CASE(test_kill_errnos)
{
	UT_EXPECT_EQ(kill(getpid(), 0), 0);
	UT_EXPECT_ERR(kill(30000, 0), ESRCH);
	UT_EXPECT_ERR(kill(getpid(), 65), EINVAL);
	UT_EXPECT_ERR(kill(getpid(), -1), EINVAL);
	UT_EXPECT_ERR(kill(30000, 65), ESRCH);          /* the process is looked up first */
	UT_EXPECT_ERR(syscall(SYS_kill, -2147483647 - 1, 0), ESRCH);
	UT_EXPECT_ERR(kill(-30000, 0), ESRCH);          /* no such process group */
	UT_EXPECT_EQ(kill(0, 0), 0);
	/* A zombie still exists for kill. */
	pid_t z = fork();
	UT_ASSERT(z >= 0);
	if (z == 0)
		_exit(0);
	siginfo_t si;
	UT_EXPECT_EQ(waitid(P_PID, z, &si, WEXITED | WNOWAIT), 0);
	UT_EXPECT_EQ(kill(-1, 0), 0);                   /* all but init and us: the zombie */
	UT_EXPECT_EQ(kill(z, 0), 0);
	UT_EXPECT_EQ(kill(z, SIGTERM), 0);
	UT_EXPECT_EQ(reap(z), 0);
	UT_EXPECT_ERR(kill(z, 0), ESRCH);
}

UT_CASE(test_kill_permissions)
{
	pid_t parent = getpid();
	int fds[2], ready[2];
	char c;
	UT_ASSERT(pipe(fds) == 0 && pipe(ready) == 0);
	/* A sibling running as uid 1000, waiting for the pipe to close. */
	pid_t peer = fork();
	UT_ASSERT(peer >= 0);
	if (peer == 0) {
		close(fds[1]);
		if (setuid(1000) != 0)
			_exit(9);
		if (write(ready[1], "r", 1)) {}
		_exit(read(fds[0], &c, 1) == 0 ? 0 : 8);
	}
	close(ready[1]);
	UT_EXPECT_EQ(read(ready[0], &c, 1), 1);        /* it is uid 1000 now */
	close(ready[0]);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		close(fds[1]);
		if (setuid(1000) != 0)
			_exit(1);
		int bad = 0;
		bad |= kill(parent, SIGUSR1) != -1 || errno != EPERM;
		bad |= (kill(parent, 0) != -1 || errno != EPERM) << 1;
		bad |= (kill(1, 0) != -1 || errno != EPERM) << 2;
		bad |= (syscall(SYS_tgkill, parent, parent, 0) != -1 || errno != EPERM) << 3;
		bad |= (kill(getpid(), 0) != 0) << 4;
		bad |= (kill(peer, 0) != 0) << 5;       /* same uid */
		/* kill(-1): EPERM from the others does not count (Linux). */
		bad |= (kill(-1, 0) != 0) << 6;
		_exit(bad);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	close(fds[0]);
	close(fds[1]);
	UT_EXPECT_EQ(reap(peer), 0);
}

UT_CASE(test_tgkill_errnos)
{
	pid_t me = getpid();
	UT_EXPECT_ERR(syscall(SYS_tgkill, 0, me, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_tgkill, me, 0, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_tgkill, -1, me, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_tgkill, me, gettid(), 65), EINVAL);
	UT_EXPECT_EQ(syscall(SYS_tgkill, me, gettid(), 0), 0);
	UT_EXPECT_ERR(syscall(SYS_tgkill, me, 30000, 0), ESRCH);
	UT_EXPECT_ERR(syscall(SYS_tgkill, 30000, gettid(), 0), ESRCH);  /* not that tgid's */
	UT_EXPECT_ERR(syscall(SYS_tkill, 0, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_tkill, -5, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_tkill, 30000, 0), ESRCH);
	UT_EXPECT_EQ(syscall(SYS_tkill, gettid(), 0), 0);
	/* A child's tid is not in our thread group. */
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	UT_EXPECT_ERR(syscall(SYS_tgkill, me, pid, 0), ESRCH);
	UT_EXPECT_EQ(syscall(SYS_tgkill, pid, pid, SIGKILL), 0);
	int st = reap(pid);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

UT_CASE(test_sigqueueinfo_rules)
{
	siginfo_t si;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	/* Only to itself may a process claim si_code >= 0 or SI_TKILL. */
	memset(&si, 0, sizeof(si));
	si.si_code = SI_USER;
	UT_EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), EPERM);
	si.si_code = SI_KERNEL;
	UT_EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), EPERM);
	si.si_code = SI_TKILL;
	UT_EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si), EPERM);
	UT_EXPECT_ERR(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR1, &si), EPERM);
	UT_EXPECT_ERR(syscall(SYS_rt_tgsigqueueinfo, pid, 0, SIGUSR1, &si), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_tgsigqueueinfo, 0, pid, SIGUSR1, &si), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, (void *)8), EFAULT);
	si.si_code = SI_QUEUE;
	UT_EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, 30000, SIGUSR1, &si), ESRCH);
	UT_EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, pid, 65, &si), EINVAL);
	UT_EXPECT_EQ(syscall(SYS_rt_sigqueueinfo, pid, 0, &si), 0);
	UT_EXPECT_EQ(syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGTERM, &si), 0);
	int st = reap(pid);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);

	/* To itself, any si_code; si_signo is always the sig argument. */
	set_action(SIGUSR2, record_info, 0);
	got_count = 0;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGHUP;
	si.si_code = 77;
	si.si_pid = 1234;
	UT_EXPECT_EQ(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &si), 0);
	UT_EXPECT_EQ(got_count, 1);
	UT_EXPECT_EQ(got_info.si_signo, SIGUSR2);
	UT_EXPECT_EQ(got_info.si_code, 77);
	UT_EXPECT_EQ(got_info.si_pid, 1234);
	reset_handler(SIGUSR2);
}

/* ---- default actions, SIGCHLD, SIGPIPE ------------------------------------ */

UT_CASE(test_default_actions)
{
	static const struct { int sig; bool dies; } cases[] = {
		{ SIGTERM, true }, { SIGHUP, true }, { SIGUSR2, true }, { SIGSEGV, true },
		{ SIGQUIT, true }, { SIGABRT, true }, { 38 /* SIGRTMIN + 3 */, true }, { SIGKILL, true },
		{ SIGCHLD, false }, { SIGURG, false }, { SIGWINCH, false }, { SIGCONT, false },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int sig = cases[i].sig;
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0) {
			kill(getpid(), sig);
			_exit(5);
		}
		int st = reap(pid);
		if (cases[i].dies) {
			if (!WIFSIGNALED(st) || WTERMSIG(st) != sig)
				UT_FAIL("signal %d: status %#x", sig, st);
			if (WCOREDUMP(st))      /* no core is dumped: no core bit */
				UT_FAIL("signal %d: core bit set", sig);
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 5) {
			UT_FAIL("signal %d (ignored by default): status %#x", sig, st);
		}
	}
}

static volatile siginfo_t chld_info;
static volatile int chld_count;
static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_info = *si;
	chld_count++;
}

UT_CASE(test_sigchld)
{
	sigset_t block, empty;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	set_action(SIGCHLD, on_chld, 0);
	chld_count = 0;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(3);
	while (chld_count == 0)
		sigsuspend(&empty);
	UT_EXPECT_EQ(chld_info.si_signo, SIGCHLD);
	UT_EXPECT_EQ(chld_info.si_code, CLD_EXITED);
	UT_EXPECT_EQ(chld_info.si_pid, pid);
	UT_EXPECT_EQ(chld_info.si_status, 3);
	UT_EXPECT_EQ(reap(pid), 3 << 8);

	chld_count = 0;
	pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGTERM);
	while (chld_count == 0)
		sigsuspend(&empty);
	UT_EXPECT_EQ(chld_info.si_code, CLD_KILLED);
	UT_EXPECT_EQ(chld_info.si_status, SIGTERM);
	reap(pid);
	unblock_all();

	/* SIG_IGN: children are reaped at once; wait reports ECHILD. */
	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(0);
	UT_EXPECT_ERR(waitpid(pid, NULL, 0), ECHILD);
	/* SA_NOCLDWAIT: the same, but the handler still runs. */
	set_action(SIGCHLD, on_chld, SA_NOCLDWAIT);
	chld_count = 0;
	pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(0);
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		;
	UT_EXPECT_EQ(r, -1);
	UT_EXPECT_EQ(errno, ECHILD);
	UT_EXPECT_EQ(chld_count, 1);
	reset_handler(SIGCHLD);
}

UT_CASE(test_sigpipe)
{
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	close(fds[0]);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		if (write(fds[1], "x", 1)) {}
		_exit(0);
	}
	int st = reap(pid);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);

	signal(SIGPIPE, SIG_IGN);
	UT_EXPECT_ERR(write(fds[1], "x", 1), EPIPE);
	set_action(SIGPIPE, record_info, 0);
	got_count = 0;
	UT_EXPECT_ERR(write(fds[1], "x", 1), EPIPE);
	UT_EXPECT_EQ(got_count, 1);
	UT_EXPECT_EQ(got_info.si_code, SI_USER);
	UT_EXPECT_EQ(got_info.si_pid, getpid());
	reset_handler(SIGPIPE);
	close(fds[1]);
}

/* SIGKILL ends a process blocked in a pipe read. */
UT_CASE(test_sigkill_interrupts_sleep)
{
	int fds[2];
	char c;
	UT_ASSERT(pipe(fds) == 0);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		_exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
	}
	msleep(20);
	kill(pid, SIGKILL);
	int st = reap(pid);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(fds[0]);
	close(fds[1]);
}

/* A read from the console (fd 0: nobody types in the test image) is
 * interrupted too. The parent keeps signalling until the child is done. */
UT_CASE(test_console_read_interrupted)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		char c;
		set_handler(SIGUSR1, count_usr1, 0);
		long r = read(0, &c, 1);
		_exit(r == -1 && errno == EINTR ? 0 : 1);
	}
	int st = -1;
	for (int i = 0; i < 500 && waitpid(pid, &st, WNOHANG) == 0; i++) {
		msleep(10);
		kill(pid, SIGUSR1);
	}
	if (waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		reap(pid);
		UT_FAIL("console read not interrupted");
		return;
	}
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
}

UT_SUITE("signal_send",
	 UT_C(test_kill_errnos), UT_C(test_kill_permissions), UT_C(test_tgkill_errnos),
	 UT_C(test_sigqueueinfo_rules), UT_C(test_default_actions), UT_C(test_sigchld),
	 UT_C(test_sigpipe), UT_C(test_sigkill_interrupts_sleep), UT_C(test_console_read_interrupted))
