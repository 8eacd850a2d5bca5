/* Identity and system information calls: getpid family, uname, ids,
 * limits, getrandom, arch_prctl, sysinfo. */
#include "utest.h"
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

UT_CASE(test_pids)
{
	UT_EXPECT(getpid() > 1);
	UT_EXPECT(getppid() >= 1);
	UT_EXPECT_EQ(syscall(SYS_gettid), getpid());
}

UT_CASE(test_uname)
{
	struct utsname u;
	UT_ASSERT(uname(&u) == 0);
	UT_EXPECT_EQ(strcmp(u.sysname, "Linux"), 0);
	UT_EXPECT_EQ(strcmp(u.machine, "x86_64"), 0);
	UT_EXPECT(strlen(u.release) > 0);
	UT_EXPECT_ERR(uname((struct utsname *)0), EFAULT);
	UT_EXPECT_ERR(uname((struct utsname *)0xffffffff80000000ul), EFAULT);
}

UT_CASE(test_ids_root)
{
	UT_EXPECT_EQ(getuid(), 0);
	UT_EXPECT_EQ(geteuid(), 0);
	UT_EXPECT_EQ(getgid(), 0);
	UT_EXPECT_EQ(getegid(), 0);
	uid_t r, e, s;
	UT_EXPECT_EQ(getresuid(&r, &e, &s), 0);
	UT_EXPECT_EQ(r + e + s, 0);
	UT_EXPECT_ERR(getresuid(NULL, &e, &s), EFAULT);
}

UT_CASE(test_setuid_drops_privilege)
{
	pid_t pid = fork();
	if (pid == 0) {
		int bad = 0;
		bad |= setresgid(100, 100, 100) != 0;
		bad |= setresuid(1000, 1000, 1000) != 0;
		bad |= getuid() != 1000 || geteuid() != 1000;
		/* Unprivileged now: can't become root again. */
		bad |= !(setuid(0) == -1 && errno == EPERM);
		bad |= !(setresuid(0, -1, -1) == -1 && errno == EPERM);
		/* Raising a hard limit needs privilege. */
		struct rlimit rl;
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_max += 1;
		bad |= !(setrlimit(RLIMIT_NOFILE, &rl) == -1 && errno == EPERM);
		_exit(bad);
	}
	int st;
	UT_ASSERT(waitpid(pid, &st, 0) == pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
}

UT_CASE(test_rlimits)
{
	struct rlimit rl, old;
	UT_ASSERT(getrlimit(RLIMIT_NOFILE, &old) == 0);
	UT_EXPECT_EQ(old.rlim_cur, 1024);
	rl.rlim_cur = 100;
	rl.rlim_max = old.rlim_max;
	UT_EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	UT_EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	UT_EXPECT_EQ(rl.rlim_cur, 100);
	rl.rlim_cur = rl.rlim_max + 1;
	UT_EXPECT_ERR(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);   /* cur > max */
	UT_EXPECT_ERR(getrlimit(99, &rl), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, (void *)1), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_prlimit64, 99999, RLIMIT_NOFILE, NULL, &rl), ESRCH);
	setrlimit(RLIMIT_NOFILE, &old);
}

UT_CASE(test_getrandom)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 };
	UT_EXPECT_EQ(getrandom(a, sizeof(a), 0), 64);
	UT_EXPECT_EQ(getrandom(b, sizeof(b), 0), 64);
	UT_EXPECT(memcmp(a, b, sizeof(a)) != 0);
	int zeros = 0;
	for (int i = 0; i < 64; i++)
		zeros += a[i] == 0;
	UT_EXPECT(zeros < 8);
	UT_EXPECT_ERR(getrandom(a, 8, 0x80), EINVAL);
	UT_EXPECT_ERR(getrandom((void *)8, 8, 0), EFAULT);
	UT_EXPECT_EQ(getrandom(a, 0, 0), 0);
}

UT_CASE(test_tls)
{
	unsigned long fs = 0;
	UT_EXPECT_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
	/* musl keeps the thread pointer in %fs:0 pointing at itself. */
	unsigned long self;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	UT_EXPECT_EQ(fs, self);
	UT_EXPECT_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, (void *)16), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_arch_prctl, 0x9999, 0), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000ul), EPERM);
}

UT_CASE(test_sysinfo)
{
	struct sysinfo si;
	UT_ASSERT(sysinfo(&si) == 0);
	UT_EXPECT(si.totalram > 16u << 20);
	UT_EXPECT(si.freeram > 0 && si.freeram <= si.totalram);
	UT_EXPECT(si.procs >= 2);
	UT_EXPECT_ERR(sysinfo((struct sysinfo *)0x1000), EFAULT);
}

UT_CASE(test_enosys_for_unknown)
{
	UT_EXPECT_ERR(syscall(100000), ENOSYS);
	UT_EXPECT_ERR(syscall(-1L), ENOSYS);
}

UT_SUITE("basic", UT_C(test_pids), UT_C(test_uname), UT_C(test_ids_root),
	 UT_C(test_setuid_drops_privilege), UT_C(test_rlimits), UT_C(test_getrandom),
	 UT_C(test_tls), UT_C(test_sysinfo), UT_C(test_enosys_for_unknown))
