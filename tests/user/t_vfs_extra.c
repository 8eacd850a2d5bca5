/* O_TMPFILE and naming it with linkat; supplementary groups (setgroups,
 * getgroups, permission checks, /proc/[pid]/status); /proc/[pid]/exe;
 * the errors of name operations a file system does not have (procfs). */
#include "vfs_util.h"
#include <grp.h>
#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#define O_TMPFILE_ONLY 020000000

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

UT_CASE(test_tmpfile)
{
	UT_ASSERT(vfs_enter() == 0 && vfs_proc_ready() == 0);
	UT_ASSERT(mkdir("d", 0755) == 0);
	mode_t old = umask(022);
	int fd = open("d", O_TMPFILE | O_RDWR, 0666);
	umask(old);
	UT_ASSERT(fd >= 0);
	struct stat st;
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT(S_ISREG(st.st_mode));
	UT_EXPECT_EQ(st.st_mode & 07777, 0644);
	UT_EXPECT_EQ(st.st_nlink, 0);
	UT_EXPECT_EQ(count_entries("d"), 2);            /* only . and .. */
	UT_EXPECT_EQ(write(fd, "hidden", 6), 6);
	char link[128], want[160];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	char target[256] = { 0 };
	UT_EXPECT(readlink(link, target, sizeof(target) - 1) > 0);
	snprintf(want, sizeof(want), "%s/d/#%llu (deleted)", vfs_dir, (unsigned long long)st.st_ino);
	UT_EXPECT(!strcmp(target, want));
	/* linkat(AT_EMPTY_PATH) names it. */
	UT_EXPECT_EQ(linkat(fd, "", AT_FDCWD, "d/named", AT_EMPTY_PATH), 0);
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT_EQ(st.st_nlink, 1);
	char b[8] = { 0 };
	int rd = open("d/named", O_RDONLY);
	UT_EXPECT(rd >= 0 && read(rd, b, 6) == 6 && !memcmp(b, "hidden", 6));
	close(rd);
	close(fd);
	/* O_EXCL: never linkable. */
	fd = open("d", O_TMPFILE | O_WRONLY | O_EXCL, 0600);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_ERR(linkat(fd, "", AT_FDCWD, "d/named2", AT_EMPTY_PATH), ENOENT);
	close(fd);
	/* Flags: for writing, with O_DIRECTORY, without O_CREAT. */
	UT_EXPECT_ERR(open("d", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	UT_EXPECT_ERR(open("d", O_TMPFILE | O_RDWR | O_CREAT, 0600), EINVAL);
	UT_EXPECT_ERR(open("d", O_TMPFILE_ONLY | O_RDWR, 0600), EINVAL);
	UT_EXPECT_ERR(open("d/named", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	UT_EXPECT_ERR(open("nowhere", O_TMPFILE | O_RDWR, 0600), ENOENT);
	UT_EXPECT_ERR(open("/proc", O_TMPFILE | O_RDWR, 0600), EOPNOTSUPP);
	/* A read-only mount; a directory the caller may not write. */
	UT_ASSERT(mkdir("m", 0755) == 0 && mount("none", "m", "tmpfs", MS_RDONLY, NULL) == 0);
	UT_EXPECT_ERR(open("m", O_TMPFILE | O_RDWR, 0600), EROFS);
	UT_EXPECT_EQ(umount("m"), 0);
	pid_t pid = fork();
	if (pid == 0) {
		setuid(1000);
		_exit(open("d", O_TMPFILE | O_RDWR, 0600) == -1 && errno == EACCES ? 0 : 1);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	UT_EXPECT_EQ(status, 0);
	vfs_leave();
}

/* Run as a program exec'ed by test_groups (T_GROUPS_EXEC set): the
 * groups set before the exec must still be there. Before main. */
__attribute__((constructor)) static void groups_after_exec(void)
{
	if (!getenv("T_GROUPS_EXEC"))
		return;
	gid_t g[8];
	int n = getgroups(8, g);
	_exit(n == 3 && g[0] == 5 && g[1] == 2000 && g[2] == 3000 ? 0 : 1);
}

/* The Groups: line of /proc/self/status. */
static bool status_groups(const char *want)
{
	char buf[4096];
	if (vfs_slurp("/proc/self/status", buf, sizeof(buf)) <= 0)
		return false;
	char *g = strstr(buf, "\nGroups:\t");
	return g && !strncmp(g + 9, want, strlen(want));
}

static void as_member(void)
{
	char b[4];
	int fd = open("grp/file", O_RDONLY);
	UT_EXPECT(fd >= 0 && read(fd, b, 2) == 2);
	close(fd);
	UT_EXPECT_EQ(access("grp/file", R_OK), 0);      /* real ids: the groups count too */
	UT_EXPECT_EQ(chown("grp/mine", -1, 3000), 0);   /* to a group of ours */
	UT_EXPECT_ERR(chown("grp/mine", -1, 4000), EPERM);
	gid_t g[4];
	UT_EXPECT_EQ(getgroups(4, g), 2);
	UT_EXPECT_ERR(setgroups(0, NULL), EPERM);
	UT_EXPECT(status_groups("2000 3000 \n"));
}

static void as_nonmember(void)
{
	UT_EXPECT_ERR(open("grp/file", O_RDONLY), EACCES);
	UT_EXPECT_EQ(getgroups(0, NULL), 0);
	UT_EXPECT(status_groups(" \n"));
}

UT_CASE(test_groups)
{
	UT_ASSERT(vfs_enter() == 0 && vfs_proc_ready() == 0);
	gid_t saved[64];
	int nsaved = getgroups(64, saved);
	UT_ASSERT(nsaved >= 0);
	/* Kept sorted, as Linux's group_info. */
	gid_t set[] = { 3000, 5, 2000 };
	UT_EXPECT_EQ(setgroups(3, set), 0);
	gid_t got[8] = { 0 };
	UT_EXPECT_EQ(getgroups(0, NULL), 3);
	UT_EXPECT_EQ(getgroups(8, got), 3);
	UT_EXPECT(got[0] == 5 && got[1] == 2000 && got[2] == 3000);
	UT_EXPECT_ERR(getgroups(2, got), EINVAL);
	UT_EXPECT_ERR(getgroups(-1, got), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_getgroups, 3, (void *)8), EFAULT);
	UT_EXPECT_ERR(syscall(SYS_setgroups, 65537, set), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_setgroups, -1, set), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_setgroups, 2, (void *)8), EFAULT);
	UT_EXPECT(status_groups("5 2000 3000 \n"));
	/* Inherited by a child, and kept across exec. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(getgroups(8, got) == 3 && got[1] == 2000 ? 0 : 1);
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT_EQ(st, 0);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)getauxval(AT_EXECFN), NULL };
		char *envp[] = { "T_GROUPS_EXEC=1", NULL };
		execve(argv[0], argv, envp);
		_exit(2);
	}
	st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT_EQ(st, 0);

	/* Group permission through a supplementary group. */
	UT_ASSERT(mkdir("grp", 0777) == 0 && vfs_put("grp/file", "ok", 0640) == 0);
	UT_ASSERT(chown("grp/file", 0, 2000) == 0);
	UT_ASSERT(vfs_put("grp/mine", "", 0644) == 0 && chown("grp/mine", 1000, 1000) == 0);
	gid_t member[] = { 2000, 3000 };
	UT_ASSERT(setgroups(2, member) == 0);
	vfs_as_user(as_member);
	UT_ASSERT(setgroups(0, NULL) == 0);
	vfs_as_user(as_nonmember);
	UT_EXPECT_EQ(setgroups(nsaved, saved), 0);
	vfs_leave();
}

UT_CASE(test_proc_exe)
{
	UT_ASSERT(vfs_proc_ready() == 0);
	struct stat a, b;
	const char *me = (const char *)getauxval(AT_EXECFN);
	UT_ASSERT(me != NULL);
	UT_EXPECT_EQ(stat("/proc/self/exe", &a), 0);
	UT_EXPECT_EQ(stat(me, &b), 0);
	UT_EXPECT(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	char target[256] = { 0 };
	UT_EXPECT(readlink("/proc/self/exe", target, sizeof(target) - 1) > 0);
	UT_EXPECT(target[0] == '/' && strstr(target, strrchr(me, '/') ? strrchr(me, '/') : me));
	/* A zombie has none. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	siginfo_t si;
	UT_ASSERT(waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0);
	UT_EXPECT_ERR(readlink(path, target, sizeof(target)), ENOENT);
	waitpid(pid, NULL, 0);
	/* cwd and root. */
	UT_EXPECT(readlink("/proc/self/root", target, sizeof(target)) == 1 && target[0] == '/');
	char cwd[256];
	UT_ASSERT(getcwd(cwd, sizeof(cwd)) != NULL);
	long n = readlink("/proc/self/cwd", target, sizeof(target) - 1);
	UT_EXPECT(n > 0 && (size_t)n == strlen(cwd) && !memcmp(target, cwd, (size_t)n));
}

/* procfs has none of the name-changing operations: Linux's errnos. */
UT_CASE(test_missing_ops)
{
	UT_ASSERT(vfs_proc_ready() == 0);
	UT_EXPECT_ERR(unlink("/proc/version"), EPERM);
	UT_EXPECT_ERR(rmdir("/proc/self/fd"), EPERM);
	UT_EXPECT_ERR(mkdir("/proc/newdir", 0755), EPERM);
	UT_EXPECT_ERR(mknod("/proc/fifo", S_IFIFO | 0600, 0), EPERM);
	UT_EXPECT_ERR(symlink("x", "/proc/newlink"), EPERM);
	UT_EXPECT_ERR(link("/proc/version", "/proc/v2"), EPERM);
	UT_EXPECT_ERR(rename("/proc/version", "/proc/v2"), EPERM);
	UT_EXPECT_ERR(open("/proc/newfile", O_WRONLY | O_CREAT, 0644), EACCES);
}

UT_CASE(test_mknodat)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(mkdir("d", 0755) == 0 && vfs_put("file", "", 0644) == 0);
	int dir = open("d", O_RDONLY | O_DIRECTORY), file = open("file", O_RDONLY);
	UT_ASSERT(dir >= 0 && file >= 0);
	UT_EXPECT_EQ(mknodat(dir, "fifo", S_IFIFO | 0600, 0), 0);
	struct stat st;
	UT_EXPECT(stat("d/fifo", &st) == 0 && S_ISFIFO(st.st_mode));
	UT_EXPECT_ERR(mknodat(dir, "fifo", S_IFIFO | 0600, 0), EEXIST);
	UT_EXPECT_ERR(mknodat(999, "x", S_IFIFO | 0600, 0), EBADF);
	UT_EXPECT_ERR(mknodat(file, "x", S_IFIFO | 0600, 0), ENOTDIR);
	UT_EXPECT_ERR(mknodat(dir, "x", S_IFDIR | 0600, 0), EPERM);
	UT_EXPECT_EQ(mknodat(AT_FDCWD, "d/reg", 0600, 0), 0);        /* type 0: a regular file */
	UT_EXPECT(stat("d/reg", &st) == 0 && S_ISREG(st.st_mode));
	close(dir), close(file);
	vfs_leave();
}

UT_SUITE("vfs_extra", UT_C(test_tmpfile), UT_C(test_groups), UT_C(test_proc_exe),
	 UT_C(test_missing_ops), UT_C(test_mknodat))
