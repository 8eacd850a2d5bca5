/* execve: every error path with Linux's errno, "#!" scripts, large argv
 * and envp, the auxiliary vector, and close-on-exec. Several cases exec
 * this program again with a mode argument (see main). Fixture files are
 * made by user/mkfixtures.sh. */
#include "utest.h"
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>

extern char **environ;
static const char *self;        /* this program's path (argv[0] from the runner) */

/* execve through the raw syscall: no libc checks in between. */
static long raw_execve(const void *path, const void *argv, const void *envp)
{
	return syscall(SYS_execve, path, argv, envp);
}

/* Fork, exec path with argv/envp and stdout to a pipe; collect up to
 * cap-1 bytes of output in out. Returns the wait status. */
static int run_capture(const char *path, char *const argv[], char *const envp[],
		       char *out, size_t cap)
{
	int fds[2];
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execve(path, argv, envp);
		_exit(100 + errno);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(fds[0], out + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

UT_CASE(test_enoent_enotdir)
{
	char *argv[] = { "x", NULL };
	UT_EXPECT_ERR(execve("/no/such/file", argv, environ), ENOENT);
	UT_EXPECT_ERR(execve("/bin/no-such", argv, environ), ENOENT);
	UT_EXPECT_ERR(execve("", argv, environ), ENOENT);
	UT_EXPECT_ERR(execve("/fixtures/noexec.txt/x", argv, environ), ENOTDIR);
	UT_EXPECT_ERR(execve("/bin/echo/", argv, environ), ENOTDIR);
	/* A script whose interpreter is missing, an ELF whose PT_INTERP is. */
	UT_EXPECT_ERR(execve("/fixtures/badinterp.sh", argv, environ), ENOENT);
	UT_EXPECT_ERR(execve("/fixtures/badld", argv, environ), ENOENT);
}

UT_CASE(test_eacces_enoexec_eloop)
{
	char *argv[] = { "x", NULL };
	UT_EXPECT_ERR(execve("/fixtures/noexec.txt", argv, environ), EACCES);
	UT_EXPECT_ERR(execve("/fixtures", argv, environ), EACCES);
	UT_EXPECT_ERR(execve("/fixtures/dir", argv, environ), EACCES);
	UT_EXPECT_ERR(execve("/", argv, environ), EACCES);
	UT_EXPECT_ERR(execve("/fixtures/garbage", argv, environ), ENOEXEC);
	UT_EXPECT_ERR(execve("/fixtures/emptyinterp.sh", argv, environ), ENOEXEC);
	UT_EXPECT_ERR(execve("/fixtures/loop.sh", argv, environ), ELOOP);
}

UT_CASE(test_efault)
{
	char *argv[] = { "x", NULL };
	char *bad_argv[] = { "x", (char *)16, NULL };
	char *bad_env[] = { "A=1", (char *)0xffffffff80000000ul, NULL };
	UT_EXPECT_ERR(raw_execve(NULL, argv, environ), EFAULT);
	UT_EXPECT_ERR(raw_execve((void *)1, argv, environ), EFAULT);
	UT_EXPECT_ERR(raw_execve((void *)0xffffffff80000000ul, argv, environ), EFAULT);
	UT_EXPECT_ERR(raw_execve((void *)0x8000000000000000ul, argv, environ), EFAULT);
	UT_EXPECT_ERR(raw_execve("/bin/echo", (void *)8, environ), EFAULT);
	UT_EXPECT_ERR(raw_execve("/bin/echo", (void *)0xffff888000000000ul, environ), EFAULT);
	UT_EXPECT_ERR(raw_execve("/bin/echo", bad_argv, environ), EFAULT);
	UT_EXPECT_ERR(raw_execve("/bin/echo", argv, (void *)8), EFAULT);
	UT_EXPECT_ERR(raw_execve("/bin/echo", argv, bad_env), EFAULT);
	/* A path running off the end of a mapping. */
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(page != MAP_FAILED);
	UT_ASSERT(munmap(page + 4096, 4096) == 0);
	memset(page, 'a', 4096);
	UT_EXPECT_ERR(raw_execve(page + 4000, argv, environ), EFAULT);
	munmap(page, 4096);
}

UT_CASE(test_e2big_enametoolong)
{
	/* MAX_ARG_STRLEN is 131072 with the NUL: 131071 characters fit. */
	char *big = malloc(131073);
	UT_ASSERT(big);
	memset(big, 'b', 131072);
	big[131072] = '\0';
	char *argv[] = { "x", big, NULL };
	UT_EXPECT_ERR(execve("/bin/echo", argv, environ), E2BIG);
	char *envp[] = { big, NULL };
	UT_EXPECT_ERR(execve("/bin/echo", argv + 2, envp), E2BIG);

	/* 20 strings of 128000 bytes: 2.5 MB, beyond ARG_MAX (2 MiB). */
	big[128000] = '\0';
	char *many[22];
	many[0] = "x";
	for (int i = 1; i <= 20; i++)
		many[i] = big;
	many[21] = NULL;
	UT_EXPECT_ERR(execve("/bin/echo", many, environ), E2BIG);
	UT_EXPECT_ERR(execve("/bin/echo", argv + 2, many), E2BIG);
	free(big);

	char *path = malloc(5001);
	UT_ASSERT(path);
	memset(path, 'p', 5000);
	path[0] = '/';
	path[5000] = '\0';
	UT_EXPECT_ERR(execve(path, argv + 2, environ), ENAMETOOLONG);
	/* One component longer than NAME_MAX. */
	path[300] = '\0';
	UT_EXPECT_ERR(execve(path, argv + 2, environ), ENAMETOOLONG);
	free(path);
}

UT_CASE(test_failed_exec_leaves_caller_intact)
{
	static int marker = 77;
	char *argv[] = { "x", NULL };
	UT_EXPECT_ERR(execve("/fixtures/garbage", argv, environ), ENOEXEC);
	UT_EXPECT_ERR(execve("/fixtures/badld", argv, environ), ENOENT);
	UT_EXPECT_EQ(marker, 77);
	UT_EXPECT_EQ(write(1, "", 0), 0);
}

UT_CASE(test_scripts)
{
	char out[256];
	char *argv[] = { "script.sh", "a", "b c", NULL };
	int st = run_capture("/fixtures/script.sh", argv, environ, out, sizeof(out));
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* argv: interpreter, its one argument, the script path, argv[1..]. */
	UT_EXPECT_EQ(strcmp(out, "from-script /fixtures/script.sh a b c\n"), 0);

	st = run_capture("/fixtures/script-noarg.sh", argv, environ, out, sizeof(out));
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	UT_EXPECT_EQ(strcmp(out, "/fixtures/script-noarg.sh a b c\n"), 0);

	/* Through a symbolic link to an ELF. */
	char *argv2[] = { "echo", "via-link", NULL };
	st = run_capture("/fixtures/echo-link", argv2, environ, out, sizeof(out));
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	UT_EXPECT_EQ(strcmp(out, "via-link\n"), 0);
}

/* The big-argv child: argv[2..] and the environment follow a pattern. */
#define BIG_ARGS 48
#define BIG_ARG_LEN (32 * 1024 - 1)
#define BIG_ENVS 200

static char pattern_char(int i, int j) { return (char)('A' + (i * 7 + j) % 26); }

static int verify_big(int argc, char **argv)
{
	if (argc != 2 + BIG_ARGS)
		return 10;
	for (int i = 0; i < BIG_ARGS; i++) {
		const char *a = argv[2 + i];
		if (strlen(a) != BIG_ARG_LEN)
			return 11;
		for (int j = 0; j < BIG_ARG_LEN; j++)
			if (a[j] != pattern_char(i, j))
				return 12;
	}
	int n = 0;
	for (char **e = environ; *e; e++, n++) {
		char want[32];
		snprintf(want, sizeof(want), "VAR%d=value-%d", n, n * 31);
		if (strcmp(*e, want))
			return 13;
	}
	return n == BIG_ENVS ? 0 : 14;
}

UT_CASE(test_big_argv_envp)
{
	char **argv = calloc(3 + BIG_ARGS, sizeof(char *));
	char **envp = calloc(BIG_ENVS + 1, sizeof(char *));
	UT_ASSERT(argv && envp);
	argv[0] = (char *)self;
	argv[1] = "--verify-big";
	for (int i = 0; i < BIG_ARGS; i++) {
		argv[2 + i] = malloc(BIG_ARG_LEN + 1);
		UT_ASSERT(argv[2 + i]);
		for (int j = 0; j < BIG_ARG_LEN; j++)
			argv[2 + i][j] = pattern_char(i, j);
		argv[2 + i][BIG_ARG_LEN] = '\0';
	}
	for (int i = 0; i < BIG_ENVS; i++) {
		envp[i] = malloc(32);
		snprintf(envp[i], 32, "VAR%d=value-%d", i, i * 31);
	}
	char out[64];
	int st = run_capture(self, argv, envp, out, sizeof(out));
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	for (int i = 0; i < BIG_ARGS; i++)
		free(argv[2 + i]);
	for (int i = 0; i < BIG_ENVS; i++)
		free(envp[i]);
	free(argv);
	free(envp);
}

static int verify_auxv(const char *execfn)
{
	if (getauxval(AT_PAGESZ) != 4096)
		return 20;
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	if (!rnd)
		return 21;
	int nonzero = 0;
	for (int i = 0; i < 16; i++)
		nonzero += rnd[i] != 0;
	if (nonzero < 4)
		return 22;
	if (!getauxval(AT_ENTRY) || !getauxval(AT_PHDR) || getauxval(AT_PHENT) != 56 ||
	    !getauxval(AT_PHNUM))
		return 23;
	const char *fn = (const char *)getauxval(AT_EXECFN);
	if (!fn || strcmp(fn, execfn))
		return 24;
	if (getauxval(AT_UID) != 0 || getauxval(AT_EUID) != 0 || getauxval(AT_SECURE) != 0)
		return 25;
	if (getauxval(AT_CLKTCK) != 100)
		return 26;
	/* The initial stack is 16-byte aligned at entry; argv strings live
	 * above it: check argv[0] is readable and is what we passed. */
	return 0;
}

UT_CASE(test_auxv)
{
	char out[64];
	/* "/tests/./name": AT_EXECFN is the path as given to execve. */
	char path[256];
	const char *base = strrchr(self, '/');
	snprintf(path, sizeof(path), "/tests/.%s", base ? base : "/x");
	char *argv[] = { "auxv-child", "--verify-auxv", path, NULL };
	int st = run_capture(path, argv, environ, out, sizeof(out));
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	/* And in this process too. */
	UT_EXPECT_EQ(getauxval(AT_PAGESZ), 4096);
	UT_EXPECT(getauxval(AT_RANDOM) != 0);
	UT_EXPECT_EQ(strcmp((const char *)getauxval(AT_EXECFN), self), 0);
}

/* Child: fd a must be closed (O_CLOEXEC), fd b open. */
static int verify_cloexec(int a, int b, int c)
{
	errno = 0;
	if (write(a, "x", 1) != -1 || errno != EBADF)
		return 30;
	if (write(b, "y", 1) != 1)
		return 31;
	errno = 0;
	if (write(c, "z", 1) != -1 || errno != EBADF)
		return 32;
	return 0;
}

UT_CASE(test_cloexec)
{
	int ce[2], keep[2];
	UT_ASSERT(pipe2(ce, O_CLOEXEC) == 0);
	UT_ASSERT(pipe(keep) == 0);
	/* dup3 with O_CLOEXEC makes a close-on-exec copy; a dup2 of a
	 * close-on-exec fd does not inherit the flag. */
	int c = dup3(keep[1], 40, O_CLOEXEC);
	UT_ASSERT(c == 40);
	int d = dup2(ce[1], 41);
	UT_ASSERT(d == 41);
	char a1[16], a2[16], a3[16], out[16];
	snprintf(a1, sizeof(a1), "%d", ce[1]);
	snprintf(a2, sizeof(a2), "%d", d);
	snprintf(a3, sizeof(a3), "%d", c);
	char *argv[] = { (char *)self, "--verify-cloexec", a1, a2, a3, NULL };
	int st = run_capture(self, argv, environ, out, sizeof(out));
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	close(ce[1]);
	close(d);
	close(c);
	close(keep[1]);
	/* What the child wrote through fd 41 (a copy of ce[1]) arrived. */
	char buf[4] = { 0 };
	UT_EXPECT_EQ(read(ce[0], buf, sizeof(buf)), 1);
	UT_EXPECT_EQ(buf[0], 'y');
	UT_EXPECT_EQ(read(keep[0], buf, sizeof(buf)), 0);
	close(ce[0]);
	close(keep[0]);
}

/* ARG_MAX follows RLIMIT_STACK (a quarter of it), as on Linux: 300 KB of
 * arguments fit under the default 8 MiB stack but not under a 1 MiB one. */
UT_CASE(test_arg_max_follows_rlimit_stack)
{
	static char big[300 * 1024];
	memset(big, 'a', sizeof(big) - 1);
	char *s100k = big + 200 * 1024;        /* one string of 100 KiB - 1 */
	char *argv[] = { "/bin/echo", s100k, s100k, s100k, NULL };
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 1 << 20, 1 << 20 };
		setrlimit(RLIMIT_STACK, &rl);
		execv("/bin/echo", argv);
		_exit(errno == E2BIG ? 0 : 1);
	}
	int st;
	UT_ASSERT(waitpid(pid, &st, 0) == pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pid = fork();
	if (pid == 0) {
		close(1);               /* keep 300 KB off the console: echo's writes fail */
		execv("/bin/echo", argv);
		_exit(99);
	}
	UT_ASSERT(waitpid(pid, &st, 0) == pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) != 99);
}

/* Run execveat in a child with stdout silenced; its exit status or 200 + errno. */
static int execveat_status(int dirfd, const char *path, int flags)
{
	char *argv[] = { "echo", "x", NULL }, *envp[] = { NULL };
	pid_t pid = fork();
	if (pid == 0) {
		close(1);
		syscall(SYS_execveat, dirfd, path, argv, envp, flags);
		_exit(200 + errno);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

UT_CASE(test_execveat)
{
	int bin = open("/bin", O_RDONLY | O_DIRECTORY);
	int echo = open("/bin/echo", O_RDONLY);
	UT_ASSERT(bin >= 0 && echo >= 0);
	UT_EXPECT_EQ(execveat_status(bin, "echo", 0), 0);                     /* relative to a dir fd */
	UT_EXPECT_EQ(execveat_status(echo, "", AT_EMPTY_PATH), 0);            /* fexecve */
	UT_EXPECT_EQ(execveat_status(AT_FDCWD, "/fixtures/echo-link", 0), 0);
	UT_EXPECT_EQ(execveat_status(AT_FDCWD, "/fixtures/echo-link", AT_SYMLINK_NOFOLLOW), 200 + ELOOP);
	UT_EXPECT_EQ(execveat_status(echo, "", 0), 200 + ENOENT);
	UT_EXPECT_EQ(execveat_status(echo, "x", 0), 200 + ENOTDIR);
	UT_EXPECT_EQ(execveat_status(999, "echo", 0), 200 + EBADF);
	UT_EXPECT_EQ(execveat_status(bin, "echo", 0x4), 200 + EINVAL);
	close(bin);
	close(echo);
}

static const struct ut_case cases[] = {
	UT_C(test_enoent_enotdir), UT_C(test_eacces_enoexec_eloop), UT_C(test_efault),
	UT_C(test_e2big_enametoolong), UT_C(test_failed_exec_leaves_caller_intact),
	UT_C(test_scripts), UT_C(test_big_argv_envp), UT_C(test_auxv), UT_C(test_cloexec),
	UT_C(test_arg_max_follows_rlimit_stack), UT_C(test_execveat),
};

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc >= 2 && !strcmp(argv[1], "--verify-big"))
		return verify_big(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "--verify-auxv"))
		return verify_auxv(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "--verify-cloexec"))
		return verify_cloexec(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	return ut_run("exec", cases, (int)(sizeof(cases) / sizeof(cases[0])));
}
