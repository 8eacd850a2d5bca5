/* Mount flags and mount kinds: read-only (EROFS on every change, EBUSY
 * for a remount while a file is open for writing), nodev, noexec, the
 * flags in /proc/mounts, mountinfo and statfs; remount, bind mounts and
 * umount2's MNT_DETACH, MNT_EXPIRE, MNT_FORCE, UMOUNT_NOFOLLOW. */
#include "vfs_util.h"
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>

#ifndef MNT_EXPIRE
#define MNT_EXPIRE 4
#endif
#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 8
#endif

/* The /proc/mounts line for the mount on dir (absolute), or NULL. */
static const char *mounts_line(const char *dir, char *buf, size_t size)
{
	char key[160];
	if (vfs_slurp("/proc/mounts", buf, size) < 0)
		return NULL;
	snprintf(key, sizeof(key), " %s ", dir);
	return strstr(buf, key);
}

static bool line_has(const char *line, const char *text)
{
	const char *end = line ? strchr(line, '\n') : NULL;
	const char *at = line ? strstr(line, text) : NULL;
	return at && (!end || at < end);
}

UT_CASE(test_readonly)
{
	UT_ASSERT(vfs_enter() == 0 && vfs_proc_ready() == 0);
	UT_ASSERT(mkdir("m", 0755) == 0);
	UT_ASSERT(mount("scratch", "m", "tmpfs", 0, NULL) == 0);
	UT_ASSERT(vfs_put("m/f", "data", 0644) == 0);
	UT_ASSERT(mkdir("m/d", 0755) == 0 && mkfifo("m/fifo", 0644) == 0);
	UT_ASSERT(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);

	char b[8] = { 0 };
	int fd = open("m/f", O_RDONLY);
	UT_EXPECT(fd >= 0 && read(fd, b, 4) == 4 && !memcmp(b, "data", 4));
	UT_EXPECT_ERR(fchmod(fd, 0600), EROFS);
	UT_EXPECT_ERR(futimens(fd, NULL), EROFS);
	close(fd);
	UT_EXPECT_ERR(open("m/f", O_WRONLY), EROFS);
	UT_EXPECT_ERR(open("m/f", O_RDWR), EROFS);
	UT_EXPECT_ERR(open("m/f", O_RDONLY | O_TRUNC), EROFS);
	UT_EXPECT_ERR(open("m/new", O_WRONLY | O_CREAT, 0644), EROFS);
	UT_EXPECT_ERR(open("m/f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	UT_EXPECT_ERR(mkdir("m/d2", 0755), EROFS);
	UT_EXPECT_ERR(mkdir("m/d", 0755), EEXIST);      /* EEXIST comes first */
	UT_EXPECT_ERR(unlink("m/f"), EROFS);
	UT_EXPECT_ERR(unlink("m/none"), EROFS);         /* before the lookup */
	UT_EXPECT_ERR(rmdir("m/d"), EROFS);
	UT_EXPECT_ERR(rename("m/f", "m/g"), EROFS);
	UT_EXPECT_ERR(link("m/f", "m/h"), EROFS);
	UT_EXPECT_ERR(symlink("f", "m/s"), EROFS);
	UT_EXPECT_ERR(mknod("m/n", S_IFIFO | 0644, 0), EROFS);
	UT_EXPECT_ERR(chmod("m/f", 0600), EROFS);
	UT_EXPECT_ERR(chown("m/f", 1, 1), EROFS);
	UT_EXPECT_ERR(utimes("m/f", NULL), EROFS);
	UT_EXPECT_ERR(truncate("m/f", 0), EROFS);
	UT_EXPECT_ERR(access("m/f", W_OK), EROFS);
	UT_EXPECT_EQ(access("m/f", R_OK), 0);
	/* A FIFO is written elsewhere: it opens for writing (O_RDWR does not wait). */
	fd = open("m/fifo", O_RDWR);
	UT_EXPECT(fd >= 0);
	close(fd);
	struct statfs sf;
	UT_EXPECT_EQ(statfs("m", &sf), 0);
	UT_EXPECT_EQ(sf.f_flags & (ST_RDONLY | 0x20), ST_RDONLY | 0x20);
	char buf[4096], path[128];
	snprintf(path, sizeof(path), "%s/m", vfs_dir);
	const char *l = mounts_line(path, buf, sizeof(buf));
	UT_EXPECT(l != NULL);
	UT_EXPECT(line_has(l, "tmpfs ro,relatime 0 0"));
	UT_EXPECT(l && !strncmp(l - strlen("scratch"), "scratch", 7));

	/* Back to read-write; then a writer makes a remount read-only EBUSY. */
	UT_ASSERT(mount(NULL, "m", NULL, MS_REMOUNT, NULL) == 0);
	UT_EXPECT_EQ(vfs_put("m/g", "x", 0644), 0);
	l = mounts_line(path, buf, sizeof(buf));
	UT_EXPECT(line_has(l, "tmpfs rw,relatime 0 0"));
	fd = open("m/g", O_WRONLY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_ERR(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL), EBUSY);
	UT_EXPECT_ERR(mount(NULL, "m", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), EBUSY);
	close(fd);
	UT_EXPECT_EQ(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	UT_EXPECT_ERR(mount(NULL, "m/d", NULL, MS_REMOUNT, NULL), EINVAL);  /* not a mount root */
	UT_EXPECT_EQ(umount("m"), 0);
	/* A new mount asked read-only. */
	UT_ASSERT(mount("none", "m", "tmpfs", MS_RDONLY | MS_NOSUID, NULL) == 0);
	UT_EXPECT_ERR(vfs_put("m/x", "x", 0644), EROFS);
	l = mounts_line(path, buf, sizeof(buf));
	UT_EXPECT(l && !strncmp(l - 4, "none", 4));
	UT_EXPECT(line_has(l, "tmpfs ro,nosuid,relatime 0 0"));
	UT_EXPECT_EQ(umount("m"), 0);
	vfs_leave();
}

UT_CASE(test_nodev_noexec)
{
	UT_ASSERT(vfs_enter() == 0 && vfs_proc_ready() == 0);
	UT_ASSERT(mkdir("m", 0755) == 0);
	UT_ASSERT(mount("none", "m", "tmpfs", MS_NODEV | MS_NOEXEC | MS_NOATIME, NULL) == 0);
	UT_ASSERT(mknod("m/null", S_IFCHR | 0666, makedev(1, 3)) == 0);
	UT_ASSERT(mknod("null2", S_IFCHR | 0666, makedev(1, 3)) == 0);
	UT_EXPECT_ERR(open("m/null", O_WRONLY), EACCES);
	int fd = open("null2", O_WRONLY);               /* the same node elsewhere */
	UT_EXPECT(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	/* A script whose interpreter is missing: ENOENT where exec is
	 * allowed, EACCES on the noexec mount before anything is read. */
	UT_ASSERT(vfs_put("m/prog", "#!/nonexistent/sh\n", 0755) == 0);
	UT_ASSERT(vfs_put("prog", "#!/nonexistent/sh\n", 0755) == 0);
	char *argv[] = { "prog", NULL };
	UT_EXPECT_ERR(execve("m/prog", argv, argv + 1), EACCES);
	UT_EXPECT_ERR(execve("prog", argv, argv + 1), ENOENT);
	struct statfs sf;
	UT_EXPECT_EQ(statfs("m", &sf), 0);
	UT_EXPECT_EQ(sf.f_flags & (ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_RDONLY),
		     ST_NODEV | ST_NOEXEC | ST_NOATIME);
	char buf[4096], path[128];
	snprintf(path, sizeof(path), "%s/m", vfs_dir);
	UT_EXPECT(line_has(mounts_line(path, buf, sizeof(buf)), "tmpfs rw,nodev,noexec,noatime 0 0"));
	/* A remount without atime flags keeps noatime. */
	UT_ASSERT(mount(NULL, "m", NULL, MS_REMOUNT | MS_NODEV, NULL) == 0);
	UT_EXPECT(line_has(mounts_line(path, buf, sizeof(buf)), "tmpfs rw,nodev,noatime 0 0"));
	UT_EXPECT_EQ(umount("m"), 0);
	vfs_leave();
}

UT_CASE(test_bind)
{
	UT_ASSERT(vfs_enter() == 0 && vfs_proc_ready() == 0);
	UT_ASSERT(mkdir("src", 0755) == 0 && mkdir("src/sub", 0755) == 0);
	UT_ASSERT(vfs_put("src/sub/f", "bound", 0644) == 0);
	UT_ASSERT(mkdir("dst", 0755) == 0 && vfs_put("file", "A", 0644) == 0 &&
		  vfs_put("file2", "B", 0644) == 0);
	UT_ASSERT(mount("src/sub", "dst", NULL, MS_BIND, NULL) == 0);
	struct stat a, b;
	UT_EXPECT(stat("dst/f", &a) == 0 && stat("src/sub/f", &b) == 0);
	UT_EXPECT(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	/* Renames across the two mounts of one file system are EXDEV. */
	UT_EXPECT_ERR(rename("dst/f", "src/g"), EXDEV);
	/* A bind's own read-only flag leaves the source writable. */
	UT_ASSERT(mount(NULL, "dst", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0);
	UT_EXPECT_ERR(vfs_put("dst/new", "x", 0644), EROFS);
	UT_EXPECT_EQ(vfs_put("src/sub/new", "x", 0644), 0);
	UT_EXPECT_EQ(access("dst/new", F_OK), 0);
	/* mountinfo: the bind's root inside its file system, per-mount ro,
	 * the super block still rw. */
	char buf[8192], want[256];
	UT_ASSERT(vfs_slurp("/proc/self/mountinfo", buf, sizeof(buf)) > 0);
	/* (A bind copies its source mount's flags: the kernel's root mount
	 * has no atime flag, so neither has this one.) */
	snprintf(want, sizeof(want), " %s/src/sub %s/dst ro - tmpfs rootfs rw\n",
		 vfs_dir, vfs_dir);
	UT_EXPECT(strstr(buf, want) != NULL);
	if (!strstr(buf, want))
		printf("# mountinfo:\n%s# wanted: %s", buf, want);
	UT_EXPECT(!strncmp(buf, "1 1 0:", 6));            /* the root mount first */
	/* A file bound on a file; a file on a directory is ENOTDIR. */
	UT_ASSERT(mount("file2", "file", NULL, MS_BIND, NULL) == 0);
	char c = 0;
	int fd = open("file", O_RDONLY);
	UT_EXPECT(fd >= 0 && read(fd, &c, 1) == 1 && c == 'B');
	close(fd);
	UT_EXPECT_EQ(umount("file"), 0);
	UT_EXPECT_ERR(mount("file2", "src", NULL, MS_BIND, NULL), ENOTDIR);
	UT_EXPECT_ERR(mount("nonexistent", "src", NULL, MS_BIND, NULL), ENOENT);
	UT_EXPECT_EQ(mount(NULL, "dst", NULL, MS_PRIVATE, NULL), 0);   /* every mount is */
	UT_EXPECT_ERR(mount(NULL, "dst", NULL, MS_SHARED, NULL), EINVAL);
	UT_EXPECT_ERR(mount(NULL, "dst", NULL, MS_PRIVATE | MS_SLAVE, NULL), EINVAL);
	UT_EXPECT_ERR(mount("none", "dst", NULL, 0, NULL), EINVAL);     /* no type */
	UT_EXPECT_EQ(umount("dst"), 0);
	UT_EXPECT_ERR(stat("dst/f", &a), ENOENT);
	vfs_leave();
}

UT_CASE(test_umount_flags)
{
	UT_ASSERT(vfs_enter() == 0 && vfs_proc_ready() == 0);
	UT_ASSERT(mkdir("m", 0755) == 0);
	UT_ASSERT(mount("none", "m", "tmpfs", 0, NULL) == 0);
	UT_ASSERT(mkdir("m/inner", 0755) == 0 && mount("none", "m/inner", "tmpfs", 0, NULL) == 0);
	UT_EXPECT_ERR(umount("m"), EBUSY);              /* a mount below it */
	UT_EXPECT_ERR(umount2("m", MNT_FORCE), EBUSY);  /* nothing to abort: still busy */
	UT_EXPECT_ERR(umount2("m", MNT_EXPIRE | MNT_DETACH), EINVAL);
	UT_EXPECT_ERR(umount2("m", MNT_EXPIRE | MNT_FORCE), EINVAL);
	/* MNT_EXPIRE: the first call marks, the second unmounts. */
	UT_EXPECT_ERR(umount2("m/inner", MNT_EXPIRE), EAGAIN);
	UT_EXPECT_EQ(umount2("m/inner", MNT_EXPIRE), 0);
	/* UMOUNT_NOFOLLOW: a symlink to the mount is not its root. */
	UT_ASSERT(symlink("m", "lnk") == 0);
	UT_EXPECT_ERR(umount2("lnk", UMOUNT_NOFOLLOW), EINVAL);
	/* MNT_DETACH of a busy tree: gone from the namespace at once, still
	 * usable by whoever is inside. */
	UT_ASSERT(mount("none", "m/inner", "tmpfs", 0, NULL) == 0);
	UT_ASSERT(vfs_put("m/inner/f", "lazy", 0644) == 0);
	int dir = open("m/inner", O_RDONLY | O_DIRECTORY);
	UT_ASSERT(dir >= 0);
	UT_EXPECT_ERR(umount("m"), EBUSY);
	UT_EXPECT_EQ(umount2("m", MNT_DETACH), 0);
	struct stat st;
	UT_EXPECT_ERR(stat("m/inner", &st), ENOENT);    /* the directory below shows again */
	char buf[4096], path[128];
	snprintf(path, sizeof(path), "%s/m", vfs_dir);
	UT_EXPECT(mounts_line(path, buf, sizeof(buf)) == NULL);
	int fd = openat(dir, "f", O_RDONLY);
	char b[4] = { 0 };
	UT_EXPECT(fd >= 0 && read(fd, b, 4) == 4 && !memcmp(b, "lazy", 4));
	close(fd);
	UT_EXPECT_EQ(fstatat(dir, "..", &st, 0), 0);    /* ".." stays in the detached tree */
	close(dir);
	UT_EXPECT_ERR(umount2("m", 0x100), EINVAL);
	vfs_leave();
}

static void as_user_mount(void)
{
	UT_EXPECT_ERR(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL), EPERM);
	UT_EXPECT_ERR(umount2("m", MNT_DETACH), EPERM);
	UT_EXPECT_ERR(mount(NULL, "nonexistent", NULL, MS_REMOUNT, NULL), ENOENT);
}

UT_CASE(test_unprivileged)
{
	UT_ASSERT(vfs_enter() == 0 && vfs_proc_ready() == 0);
	UT_ASSERT(mkdir("m", 0755) == 0 && mount("none", "m", "tmpfs", 0, NULL) == 0);
	vfs_as_user(as_user_mount);
	UT_EXPECT_EQ(umount("m"), 0);
	vfs_leave();
}

UT_SUITE("vfs_mount", UT_C(test_readonly), UT_C(test_nodev_noexec), UT_C(test_bind),
	 UT_C(test_umount_flags), UT_C(test_unprivileged))
