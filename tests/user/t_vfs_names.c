/*
 * VFS: the namespace. mkdir/rmdir/unlink/link/symlink/readlink/rename
 * (and their *at forms) with their Linux errors, path resolution (".",
 * "..", symlinks and ELOOP, trailing slashes), getdents64 of a changing
 * directory.
 */
#include "vfs_util.h"
#include <sys/syscall.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE  2
#endif

static int renameat2_(int od, const char *o, int nd, const char *n, unsigned flags)
{
	return (int)syscall(SYS_renameat2, od, o, nd, n, flags);
}

UT_CASE(test_mkdir_rmdir)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_EXPECT_EQ(mkdir("a", 0755), 0);
	UT_EXPECT_ERR(mkdir("a", 0755), EEXIST);
	UT_EXPECT_ERR(mkdir(".", 0755), EEXIST);
	UT_EXPECT_ERR(mkdir("x/y", 0755), ENOENT);
	UT_EXPECT_EQ(mkdir("b/", 0755), 0);             /* a trailing slash is fine */
	struct stat st;
	UT_EXPECT_EQ(stat("a", &st), 0);
	UT_EXPECT(S_ISDIR(st.st_mode));
	UT_EXPECT_EQ(st.st_nlink, 2);
	UT_EXPECT_EQ(mkdir("a/sub", 0755), 0);
	UT_EXPECT_EQ(stat("a", &st), 0);
	UT_EXPECT_EQ(st.st_nlink, 3);
	UT_EXPECT_ERR(rmdir("a"), ENOTEMPTY);
	UT_EXPECT_ERR(rmdir("a/sub/."), EINVAL);
	UT_EXPECT_ERR(rmdir("a/sub/.."), ENOTEMPTY);
	UT_EXPECT_ERR(rmdir("nope"), ENOENT);
	UT_ASSERT(vfs_put("f", "", 0644) == 0);
	UT_EXPECT_ERR(rmdir("f"), ENOTDIR);
	UT_EXPECT_ERR(unlink("a"), EISDIR);
	UT_EXPECT_EQ(rmdir("a/sub"), 0);
	UT_EXPECT_EQ(rmdir("a"), 0);
	UT_EXPECT_EQ(unlinkat(AT_FDCWD, "b", AT_REMOVEDIR), 0);
	UT_EXPECT_ERR(unlinkat(AT_FDCWD, "f", 0x8000), EINVAL);
	UT_EXPECT_ERR(unlink("f/"), ENOTDIR);
	UT_EXPECT_EQ(unlinkat(AT_FDCWD, "f", 0), 0);
	UT_EXPECT_ERR(unlink("f"), ENOENT);
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	UT_EXPECT_EQ(mkdirat(dfd, "c", 0700), 0);
	UT_EXPECT_EQ(stat("c", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 0777, 0700);
	close(dfd);
	vfs_leave();
}

/* rmdir of the cwd: later lookups through it fail, getcwd says ENOENT. */
UT_CASE(test_removed_cwd)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(mkdir("d", 0755) == 0);
	UT_ASSERT(chdir("d") == 0);
	UT_EXPECT_EQ(rmdir("../d"), 0);
	char buf[256];
	UT_EXPECT(getcwd(buf, sizeof(buf)) == NULL && errno == ENOENT);
	UT_EXPECT_ERR(open("new", O_RDWR | O_CREAT, 0644), ENOENT);
	UT_EXPECT_EQ(chdir(".."), 0);
	UT_EXPECT(getcwd(buf, sizeof(buf)) && !strcmp(buf, vfs_dir));
	vfs_leave();
}

UT_CASE(test_links)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(vfs_put("f", "data", 0644) == 0);
	UT_EXPECT_EQ(link("f", "g"), 0);
	struct stat a, b;
	UT_EXPECT_EQ(stat("f", &a), 0);
	UT_EXPECT_EQ(stat("g", &b), 0);
	UT_EXPECT_EQ(a.st_ino, b.st_ino);
	UT_EXPECT_EQ(a.st_nlink, 2);
	UT_EXPECT_ERR(link("f", "g"), EEXIST);
	UT_EXPECT_ERR(link("missing", "h"), ENOENT);
	UT_ASSERT(mkdir("d", 0755) == 0);
	UT_EXPECT_ERR(link("d", "d2"), EPERM);
	UT_EXPECT_ERR(linkat(AT_FDCWD, "f", AT_FDCWD, "h", 0x10), EINVAL);
	UT_EXPECT_EQ(unlink("f"), 0);
	UT_EXPECT_EQ(stat("g", &b), 0);
	UT_EXPECT_EQ(b.st_nlink, 1);
	/* link to a symlink: the link itself unless AT_SYMLINK_FOLLOW. */
	UT_EXPECT_EQ(symlink("g", "sl"), 0);
	UT_EXPECT_EQ(linkat(AT_FDCWD, "sl", AT_FDCWD, "sl2", 0), 0);
	UT_EXPECT_EQ(lstat("sl2", &a), 0);
	UT_EXPECT(S_ISLNK(a.st_mode));
	UT_EXPECT_EQ(linkat(AT_FDCWD, "sl", AT_FDCWD, "g2", AT_SYMLINK_FOLLOW), 0);
	UT_EXPECT_EQ(lstat("g2", &a), 0);
	UT_EXPECT(S_ISREG(a.st_mode));
	UT_EXPECT_EQ(a.st_nlink, 2);
	/* AT_EMPTY_PATH links the open file itself (root may). */
	int fd = open("g", O_RDONLY);
	UT_EXPECT_EQ(linkat(fd, "", AT_FDCWD, "g3", AT_EMPTY_PATH), 0);
	UT_EXPECT_ERR(linkat(fd, "", AT_FDCWD, "g4", 0), ENOENT);
	close(fd);
	UT_EXPECT_EQ(stat("g3", &a), 0);
	UT_EXPECT_EQ(a.st_nlink, 3);
	vfs_leave();
}

UT_CASE(test_symlinks)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(vfs_put("target", "T", 0644) == 0);
	UT_EXPECT_EQ(symlink("target", "ln"), 0);
	UT_EXPECT_ERR(symlink("target", "ln"), EEXIST);
	UT_EXPECT_ERR(symlink("", "empty"), ENOENT);
	char buf[64];
	UT_EXPECT_EQ(readlink("ln", buf, sizeof(buf)), 6);
	UT_EXPECT_EQ(memcmp(buf, "target", 6), 0);
	UT_EXPECT_EQ(readlink("ln", buf, 3), 3);        /* truncated, no NUL */
	UT_EXPECT_ERR(readlink("target", buf, sizeof(buf)), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_readlink, "ln", buf, 0), EINVAL);  /* musl hides size 0 */
	UT_EXPECT_ERR(readlink("none", buf, sizeof(buf)), ENOENT);
	int fd = open("ln", O_RDONLY);
	UT_EXPECT(fd >= 0 && read(fd, buf, 1) == 1 && buf[0] == 'T');
	close(fd);
	UT_EXPECT_ERR(open("ln", O_RDONLY | O_NOFOLLOW), ELOOP);
	struct stat st;
	UT_EXPECT_EQ(lstat("ln", &st), 0);
	UT_EXPECT(S_ISLNK(st.st_mode));
	UT_EXPECT_EQ(st.st_size, 6);
	UT_EXPECT_EQ(stat("ln", &st), 0);
	UT_EXPECT(S_ISREG(st.st_mode));
	/* Dangling, looping, and a directory through a link. */
	UT_EXPECT_EQ(symlink("nowhere", "dangle"), 0);
	UT_EXPECT_ERR(stat("dangle", &st), ENOENT);
	UT_EXPECT_EQ(lstat("dangle", &st), 0);
	UT_EXPECT_EQ(symlink("loop2", "loop1"), 0);
	UT_EXPECT_EQ(symlink("loop1", "loop2"), 0);
	UT_EXPECT_ERR(open("loop1", O_RDONLY), ELOOP);
	UT_EXPECT_ERR(stat("loop1/x", &st), ELOOP);
	UT_ASSERT(mkdir("dir", 0755) == 0);
	UT_ASSERT(vfs_put("dir/in", "I", 0644) == 0);
	UT_EXPECT_EQ(symlink("dir", "dl"), 0);
	UT_EXPECT_EQ(stat("dl/in", &st), 0);
	UT_EXPECT_EQ(lstat("dl/", &st), 0);             /* a slash follows the link */
	UT_EXPECT(S_ISDIR(st.st_mode));
	UT_EXPECT_ERR(lstat("ln/", &st), ENOTDIR);
	UT_EXPECT_EQ(symlink("/", "rootlink"), 0);
	UT_EXPECT_EQ(stat("rootlink/tmp", &st), 0);
	/* A chain of 40 links resolves; 41 is ELOOP. */
	char a[16], b[16];
	UT_EXPECT_EQ(symlink("target", "c0"), 0);
	for (int i = 1; i <= 40; i++) {
		snprintf(a, sizeof(a), "c%d", i - 1);
		snprintf(b, sizeof(b), "c%d", i);
		symlink(a, b);
	}
	UT_EXPECT_EQ(stat("c39", &st), 0);
	UT_EXPECT_ERR(stat("c40", &st), ELOOP);
	vfs_leave();
}

UT_CASE(test_dots)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(mkdir("a", 0755) == 0);
	UT_ASSERT(mkdir("a/b", 0755) == 0);
	struct stat x, y;
	UT_EXPECT_EQ(stat("a/b/..", &x), 0);
	UT_EXPECT_EQ(stat("a", &y), 0);
	UT_EXPECT_EQ(x.st_ino, y.st_ino);
	UT_EXPECT_EQ(stat("/..", &x), 0);               /* ".." at the root is the root */
	UT_EXPECT_EQ(stat("/", &y), 0);
	UT_EXPECT_EQ(x.st_ino, y.st_ino);
	UT_EXPECT_EQ(stat("a/./b/../b//.", &x), 0);
	UT_EXPECT(S_ISDIR(x.st_mode));
	UT_EXPECT_ERR(stat("", &x), ENOENT);
	UT_ASSERT(vfs_put("f", "", 0644) == 0);
	UT_EXPECT_ERR(stat("f/.", &x), ENOTDIR);
	UT_EXPECT_ERR(stat("f/..", &x), ENOTDIR);
	vfs_leave();
}

UT_CASE(test_rename)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(vfs_put("a", "A", 0644) == 0);
	UT_ASSERT(vfs_put("b", "B", 0644) == 0);
	UT_EXPECT_EQ(rename("a", "c"), 0);
	UT_EXPECT_ERR(access("a", F_OK), ENOENT);
	UT_EXPECT_EQ(rename("c", "b"), 0);              /* over an existing file */
	char buf[4] = { 0 };
	int fd = open("b", O_RDONLY);
	UT_EXPECT(read(fd, buf, 1) == 1 && buf[0] == 'A');
	close(fd);
	UT_EXPECT_EQ(rename("b", "b"), 0);
	UT_EXPECT_ERR(rename("missing", "x"), ENOENT);
	UT_ASSERT(mkdir("d", 0755) == 0);
	UT_ASSERT(mkdir("e", 0755) == 0);
	UT_EXPECT_ERR(rename("b", "d"), EISDIR);
	UT_EXPECT_ERR(rename("d", "b"), ENOTDIR);
	UT_EXPECT_ERR(rename("d", "d/sub"), EINVAL);
	UT_EXPECT_ERR(rename(".", "x"), EBUSY);
	UT_EXPECT_ERR(rename("b/", "x"), ENOTDIR);
	UT_ASSERT(vfs_put("e/full", "", 0644) == 0);
	UT_EXPECT_ERR(rename("d", "e"), ENOTEMPTY);
	UT_EXPECT_EQ(unlink("e/full"), 0);
	UT_EXPECT_EQ(rename("d", "e"), 0);              /* over an empty directory */
	UT_EXPECT_ERR(access("d", F_OK), ENOENT);
	UT_ASSERT(mkdir("p", 0755) == 0);
	UT_EXPECT_EQ(rename("e", "p/e"), 0);
	struct stat st;
	UT_EXPECT_EQ(stat("p", &st), 0);
	UT_EXPECT_EQ(st.st_nlink, 3);
	UT_EXPECT_EQ(stat("p/e/..", &st), 0);
	struct stat p;
	stat("p", &p);
	UT_EXPECT_EQ(st.st_ino, p.st_ino);
	/* renameat2 flags. */
	UT_ASSERT(vfs_put("x", "X", 0644) == 0);
	UT_ASSERT(vfs_put("y", "Y", 0644) == 0);
	UT_EXPECT_ERR(renameat2_(AT_FDCWD, "x", AT_FDCWD, "y", RENAME_NOREPLACE), EEXIST);
	UT_EXPECT_EQ(renameat2_(AT_FDCWD, "x", AT_FDCWD, "z", RENAME_NOREPLACE), 0);
	UT_EXPECT_EQ(renameat2_(AT_FDCWD, "z", AT_FDCWD, "y", RENAME_EXCHANGE), 0);
	fd = open("z", O_RDONLY);
	UT_EXPECT(read(fd, buf, 1) == 1 && buf[0] == 'Y');
	close(fd);
	UT_EXPECT_ERR(renameat2_(AT_FDCWD, "z", AT_FDCWD, "none", RENAME_EXCHANGE), ENOENT);
	UT_EXPECT_ERR(renameat2_(AT_FDCWD, "z", AT_FDCWD, "y", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	UT_EXPECT_ERR(renameat2_(AT_FDCWD, "z", AT_FDCWD, "y", 0x80), EINVAL);
	/* Exchange a file and a directory. */
	UT_EXPECT_EQ(renameat2_(AT_FDCWD, "z", AT_FDCWD, "p", RENAME_EXCHANGE), 0);
	UT_EXPECT_EQ(stat("z/e", &st), 0);
	UT_EXPECT_EQ(lstat("p", &st), 0);
	UT_EXPECT(S_ISREG(st.st_mode));
	vfs_leave();
}

UT_CASE(test_getdents)
{
	UT_ASSERT(vfs_enter() == 0);
	for (int i = 0; i < 20; i++) {
		char n[16];
		snprintf(n, sizeof(n), "f%02d", i);
		UT_ASSERT(vfs_put(n, "", 0644) == 0);
	}
	UT_ASSERT(mkdir("sub", 0755) == 0);
	UT_ASSERT(symlink("f00", "sl") == 0);
	DIR *d = opendir(".");
	UT_ASSERT(d);
	int files = 0, dirs = 0, links = 0, dots = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots++;
		else if (e->d_type == DT_REG)
			files++;
		else if (e->d_type == DT_DIR)
			dirs++;
		else if (e->d_type == DT_LNK)
			links++;
	}
	closedir(d);
	UT_EXPECT_EQ(dots, 2);
	UT_EXPECT_EQ(files, 20);
	UT_EXPECT_EQ(dirs, 1);
	UT_EXPECT_EQ(links, 1);
	int fd = open("f00", O_RDONLY);
	char buf[512];
	UT_EXPECT_ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	UT_EXPECT_ERR(syscall(SYS_getdents64, fd, buf, 10), EINVAL);
	close(fd);
	vfs_leave();
}

/* Removing entries while reading the directory (rm -rf) skips none. */
UT_CASE(test_getdents_while_unlinking)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(mkdir("d", 0755) == 0);
	for (int i = 0; i < 120; i++) {
		char n[32];
		snprintf(n, sizeof(n), "d/entry-%03d", i);
		UT_ASSERT(vfs_put(n, "", 0644) == 0);
	}
	int fd = open("d", O_RDONLY | O_DIRECTORY);
	UT_ASSERT(fd >= 0);
	/* linux_dirent64 records, a few per call. */
	struct rec { unsigned long long ino; long long off; unsigned short reclen;
		     unsigned char type; char name[]; };
	_Alignas(8) char buf[256];
	int removed = 0;
	long n;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct rec *e = (struct rec *)(buf + off);
			if (strcmp(e->name, ".") && strcmp(e->name, "..")) {
				char path[300];
				snprintf(path, sizeof(path), "d/%s", e->name);
				removed += unlink(path) == 0;
			}
			off += e->reclen;
		}
	}
	UT_EXPECT_EQ(n, 0);
	UT_EXPECT_EQ(removed, 120);
	close(fd);
	UT_EXPECT_EQ(rmdir("d"), 0);
	vfs_leave();
}

UT_SUITE("vfs_names", UT_C(test_mkdir_rmdir), UT_C(test_removed_cwd), UT_C(test_links),
	 UT_C(test_symlinks), UT_C(test_dots), UT_C(test_rename), UT_C(test_getdents),
	 UT_C(test_getdents_while_unlinking))
