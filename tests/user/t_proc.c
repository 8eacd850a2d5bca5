/* Processes: fork copy-on-write, exit status encodings, wait4/waitid,
 * orphans, vfork, posix_spawn/system/popen, RLIMIT_NPROC, and that
 * fork+exec+exit+wait cycles give all their memory back. */
#include "utest.h"
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>

extern char **environ;

/* Wait for pid and return its raw status (-1 if the wait failed). */
static int reap(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

/* ---- fork: copy-on-write isolation ------------------------------------ */

static volatile int cow_global = 11;

UT_CASE(test_fork_cow_child_writes)
{
	volatile int *heap = malloc(64 * sizeof(int));
	volatile int stack = 33;
	UT_ASSERT(heap);
	heap[0] = 22;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		cow_global = 111;
		heap[0] = 222;
		stack = 333;
		_exit(cow_global == 111 && heap[0] == 222 && stack == 333 ? 0 : 1);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	UT_EXPECT_EQ(cow_global, 11);
	UT_EXPECT_EQ(heap[0], 22);
	UT_EXPECT_EQ(stack, 33);
	free((void *)heap);
}

UT_CASE(test_fork_cow_parent_writes)
{
	volatile int *heap = malloc(64 * sizeof(int));
	volatile int stack = 44;
	int go[2];
	UT_ASSERT(heap && pipe(go) == 0);
	heap[0] = 55;
	cow_global = 66;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		char c;
		close(go[1]);
		/* Wait until the parent has written its copies. */
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(cow_global == 66 && heap[0] == 55 && stack == 44 ? 0 : 1);
	}
	close(go[0]);
	cow_global = 666;
	heap[0] = 555;
	stack = 444;
	UT_EXPECT_EQ(write(go[1], "g", 1), 1);
	close(go[1]);
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	cow_global = 11;
	free((void *)heap);
}

/* ---- exit status and wait ---------------------------------------------- */

UT_CASE(test_exit_codes)
{
	static const int codes[] = { 0, 1, 42, 255, 256 + 7 };
	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0)
			_exit(codes[i]);
		int st = reap(pid);
		UT_EXPECT(WIFEXITED(st));
		UT_EXPECT(!WIFSIGNALED(st));
		UT_EXPECT_EQ(WEXITSTATUS(st), codes[i] & 0xff);
		UT_EXPECT_EQ(st, (codes[i] & 0xff) << 8);
	}
	/* exit() from main's libc path (flushes, then exit_group). */
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		exit(9);
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 9);
}

static void die_segv(void) { *(volatile int *)0 = 1; }
static void die_ill(void) { __asm__ volatile("ud2"); }
static void die_fpe(void)
{
	volatile int zero = 0, one = 1;
	one /= zero;
}
static void die_segv_kernel_addr(void) { *(volatile int *)0xffffffff80000000ul = 1; }
static void die_segv_noncanonical(void) { *(volatile int *)0x8000000000000000ul = 1; }

UT_CASE(test_killed_by_fault)
{
	static const struct { void (*fn)(void); int sig; } cases[] = {
		{ die_segv, SIGSEGV }, { die_ill, SIGILL }, { die_fpe, SIGFPE },
		{ die_segv_kernel_addr, SIGSEGV }, { die_segv_noncanonical, SIGSEGV },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0) {
			cases[i].fn();
			_exit(0);
		}
		int st = reap(pid);
		UT_EXPECT(WIFSIGNALED(st));
		UT_EXPECT(!WIFEXITED(st));
		UT_EXPECT_EQ(WTERMSIG(st), cases[i].sig);
	}
}

/* A child that blocks reading fd until the parent closes the write end. */
static pid_t spawn_blocked(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		while (read(fds[0], &c, 1) > 0)
			;
		_exit(7);
	}
	close(fds[0]);
	return pid;
}

UT_CASE(test_wnohang)
{
	int fds[2], st = -1;
	pid_t pid = spawn_blocked(fds);
	UT_ASSERT(pid > 0);
	UT_EXPECT_EQ(waitpid(pid, &st, WNOHANG), 0);
	UT_EXPECT_EQ(waitpid(-1, &st, WNOHANG), 0);
	siginfo_t si;
	memset(&si, 0xa5, sizeof(si));
	UT_EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
	UT_EXPECT_EQ(si.si_pid, 0);     /* nothing ready: si_pid is cleared */
	close(fds[1]);
	st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

UT_CASE(test_echild)
{
	int st;
	UT_EXPECT_ERR(waitpid(-1, &st, 0), ECHILD);
	UT_EXPECT_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
	UT_EXPECT_ERR(waitpid(1, &st, 0), ECHILD);        /* not our child */
	UT_EXPECT_ERR(waitpid(getpid(), &st, 0), ECHILD);
	siginfo_t si;
	UT_EXPECT_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	UT_EXPECT_ERR(waitid(P_PID, 1, &si, WEXITED), ECHILD);
}

UT_CASE(test_waitid)
{
	siginfo_t si;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(5);
	memset(&si, 0, sizeof(si));
	UT_EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
	UT_EXPECT_EQ(si.si_signo, SIGCHLD);
	UT_EXPECT_EQ(si.si_pid, pid);
	UT_EXPECT_EQ(si.si_code, CLD_EXITED);
	UT_EXPECT_EQ(si.si_status, 5);
	UT_EXPECT_EQ(si.si_uid, 0);

	pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		die_segv();
	memset(&si, 0, sizeof(si));
	UT_EXPECT_EQ(waitid(P_ALL, 0, &si, WEXITED), 0);
	UT_EXPECT_EQ(si.si_signo, SIGCHLD);
	UT_EXPECT_EQ(si.si_pid, pid);
	UT_EXPECT_EQ(si.si_code, CLD_KILLED);
	UT_EXPECT_EQ(si.si_status, SIGSEGV);

	/* WNOWAIT leaves the zombie for a later wait. */
	pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(6);
	UT_EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	UT_EXPECT_EQ(si.si_pid, pid);
	UT_EXPECT_EQ(si.si_status, 6);
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 6);
	/* A NULL infop is allowed. */
	pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(0);
	UT_EXPECT_EQ(syscall(SYS_waitid, P_PID, pid, NULL, WEXITED, NULL), 0);
	UT_EXPECT_ERR(waitpid(pid, &st, 0), ECHILD);
}

UT_CASE(test_wait_einval)
{
	int fds[2], st;
	siginfo_t si;
	pid_t pid = spawn_blocked(fds);
	UT_ASSERT(pid > 0);
	UT_EXPECT_ERR(waitpid(pid, &st, 0x100), EINVAL);          /* unknown bit */
	UT_EXPECT_ERR(waitpid(pid, &st, WNOWAIT), EINVAL);        /* waitid only */
	UT_EXPECT_ERR(waitpid(pid, &st, WEXITED), EINVAL);        /* waitid only */
	/* __WNOTHREAD is a valid wait4 option. */
	UT_EXPECT_EQ(waitpid(pid, &st, WNOHANG | 0x20000000), 0);
	UT_EXPECT_ERR(waitid(P_PID, pid, &si, 0), EINVAL);        /* no WEXITED etc. */
	UT_EXPECT_ERR(waitid(P_PID, pid, &si, WEXITED | 0x100), EINVAL);
	UT_EXPECT_ERR(waitid((idtype_t)42, pid, &si, WEXITED), EINVAL);
	UT_EXPECT_ERR(waitid(P_PID, 0, &si, WEXITED), EINVAL);
	UT_EXPECT_ERR(waitid(P_PID, -5, &si, WEXITED), EINVAL);
	UT_EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOHANG | 0x20000000), 0);
	close(fds[1]);
	st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

/* ---- orphans ----------------------------------------------------------- */

UT_CASE(test_orphan_reparented_to_init)
{
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	pid_t mid = fork();
	UT_ASSERT(mid >= 0);
	if (mid == 0) {
		pid_t gc = fork();
		if (gc < 0)
			_exit(1);
		if (gc == 0) {
			/* Wait (bounded) for our parent to exit. */
			int ppid = getppid();
			for (long i = 0; i < 1000000 && (ppid = getppid()) != 1; i++)
				sched_yield();
			char r = ppid == 1 ? 'Y' : 'N';
			write(fds[1], &r, 1);
			_exit(0);
		}
		_exit(0);
	}
	close(fds[1]);
	int st = reap(mid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char r = 0;
	UT_EXPECT_EQ(read(fds[0], &r, 1), 1);
	UT_EXPECT_EQ(r, 'Y');
	close(fds[0]);
	/* The grandchild is init's to reap, not ours. */
	UT_EXPECT_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
}

/* ---- vfork ------------------------------------------------------------- */

static volatile int vfork_shared;

UT_CASE(test_vfork)
{
	vfork_shared = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		vfork_shared = 1234;    /* same memory as the parent */
		_exit(3);
	}
	UT_ASSERT(pid > 0);
	/* The parent runs only once the child has exited. */
	UT_EXPECT_EQ(vfork_shared, 1234);
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 3);

	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	vfork_shared = 0;
	pid = vfork();
	if (pid == 0) {
		vfork_shared = 1;
		dup2(fds[1], 1);
		char *argv[] = { "echo", "vforked", NULL };
		execve("/bin/echo", argv, environ);
		_exit(127);
	}
	UT_ASSERT(pid > 0);
	UT_EXPECT_EQ(vfork_shared, 1);
	close(fds[1]);
	char buf[32] = { 0 };
	UT_EXPECT_EQ(read(fds[0], buf, sizeof(buf) - 1), 8);
	UT_EXPECT_EQ(strcmp(buf, "vforked\n"), 0);
	close(fds[0]);
	st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- posix_spawn, system, popen ---------------------------------------- */

UT_CASE(test_posix_spawn)
{
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	char *argv[] = { "echo", "spawned", "ok", NULL };
	pid_t pid = -1;
	UT_EXPECT_EQ(posix_spawn(&pid, "/bin/echo", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	char buf[32] = { 0 };
	UT_EXPECT_EQ(read(fds[0], buf, sizeof(buf) - 1), 11);
	UT_EXPECT_EQ(strcmp(buf, "spawned ok\n"), 0);
	close(fds[0]);
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	char *argv2[] = { "nope", NULL };
	UT_EXPECT_EQ(posix_spawn(&pid, "/bin/does-not-exist", NULL, NULL, argv2, environ), ENOENT);
	UT_EXPECT_EQ(posix_spawn(&pid, "/tests", NULL, NULL, argv2, environ), EACCES);
	UT_EXPECT_EQ(posix_spawnp(&pid, "echo-missing", NULL, NULL, argv2, environ), ENOENT);
	/* The failed children were reaped by posix_spawn. */
	UT_EXPECT_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
}

UT_CASE(test_system)
{
	int st = system("exit 3");
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 3);
	st = system("exit 0");
	UT_EXPECT_EQ(st, 0);
	st = system("no-such-command");
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 127);
	UT_EXPECT(system(NULL) != 0);           /* a shell is available */
}

UT_CASE(test_popen)
{
	FILE *f = popen("echo hello", "r");
	UT_ASSERT(f);
	char buf[32] = { 0 };
	UT_EXPECT(fgets(buf, sizeof(buf), f) != NULL);
	UT_EXPECT_EQ(strcmp(buf, "hello\n"), 0);
	UT_EXPECT(fgets(buf, sizeof(buf), f) == NULL);   /* then EOF */
	UT_EXPECT_EQ(pclose(f), 0);
}

/* ---- RLIMIT_NPROC ------------------------------------------------------ */

#define NPROC_LIMIT 20

/* Run as uid 1000 with RLIMIT_NPROC 20: fork until EAGAIN. Exit status:
 * 0 ok, 1 setup failed, 2 no EAGAIN, 3 wrong errno, 4 cleanup failed. */
static int fork_bomb(void)
{
	struct rlimit rl = { NPROC_LIMIT, NPROC_LIMIT };
	int fds[2];
	if (setrlimit(RLIMIT_NPROC, &rl) || setresgid(100, 100, 100) ||
	    setresuid(1000, 1000, 1000) || pipe(fds))
		return 1;
	int n = 0, err = 0;
	for (; n < 10 * NPROC_LIMIT; n++) {
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			char c;
			close(fds[1]);
			while (read(fds[0], &c, 1) > 0)
				;
			_exit(0);
		}
	}
	printf("    # fork bomb: %d children before fork failed (errno %d)\n", n, err);
	/* This process counts too: NPROC_LIMIT - 1 children fit. */
	int ret = n == 10 * NPROC_LIMIT ? 2 : err != EAGAIN ? 3 : n != NPROC_LIMIT - 1 ? 2 : 0;
	close(fds[1]);
	int reaped = 0, st;
	while (wait(&st) > 0)
		reaped += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (reaped != n)
		return 4;
	/* After the cleanup the limit has room again. */
	pid_t pid = fork();
	if (pid < 0)
		return 4;
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &st, 0) != pid || st != 0)
		return 4;
	return ret;
}

UT_CASE(test_rlimit_nproc_fork_bomb)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		fflush(stdout);
		_exit(fork_bomb());
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	/* The system still works. */
	pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(0);
	UT_EXPECT_EQ(reap(pid), 0);
}

/* ---- fork+exec+exit+wait cycles give memory back ------------------------ */

static unsigned long free_ram(void)
{
	struct sysinfo si;
	return sysinfo(&si) == 0 ? si.freeram * si.mem_unit : 0;
}

/* One cycle: fork, exec /bin/echo with stdout to out, wait. */
static int echo_cycle(int out)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out, 1);
		char *argv[] = { "echo", "x", NULL };
		execve("/bin/echo", argv, environ);
		_exit(127);
	}
	return reap(pid);
}

UT_CASE(test_exec_cycles_no_leak)
{
	int fds[2];
	char buf[4096];
	UT_ASSERT(pipe(fds) == 0);
	for (int i = 0; i < 20; i++) {
		UT_ASSERT(echo_cycle(fds[1]) == 0);
		UT_ASSERT(read(fds[0], buf, sizeof(buf)) == 2);
	}
	unsigned long before = free_ram();
	int bad = 0;
	for (int i = 0; i < 300; i++) {
		bad += echo_cycle(fds[1]) != 0;
		bad += read(fds[0], buf, sizeof(buf)) != 2;
	}
	unsigned long after = free_ram();
	printf("    # 300 fork+exec cycles: free %lu KiB before, %lu KiB after (%ld bytes)\n",
	       before / 1024, after / 1024, (long)(after - before));
	UT_EXPECT_EQ(bad, 0);
	UT_EXPECT_EQ(after, before);
	close(fds[0]);
	close(fds[1]);
}

static const struct ut_case cases[] = {
	UT_C(test_fork_cow_child_writes), UT_C(test_fork_cow_parent_writes),
	UT_C(test_exit_codes), UT_C(test_killed_by_fault), UT_C(test_wnohang),
	UT_C(test_echild), UT_C(test_waitid), UT_C(test_wait_einval),
	UT_C(test_orphan_reparented_to_init), UT_C(test_vfork), UT_C(test_posix_spawn),
	UT_C(test_system), UT_C(test_popen), UT_C(test_rlimit_nproc_fork_bomb),
	UT_C(test_exec_cycles_no_leak),
};

int main(void)
{
	return ut_run("proc", cases, (int)(sizeof(cases) / sizeof(cases[0])));
}
