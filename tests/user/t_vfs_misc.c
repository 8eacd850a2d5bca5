/*
 * VFS: the process's place in the tree (chdir, fchdir, getcwd, chroot,
 * fork inheriting them), mounts (tmpfs, crossing both ways, EBUSY), the
 * statfs figures, memfd_create, mknod, and the initramfs contents.
 */
#include "vfs_util.h"
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

UT_CASE(test_cwd)
{
	UT_ASSERT(vfs_enter() == 0);
	char buf[256];
	UT_EXPECT(getcwd(buf, sizeof(buf)) && !strcmp(buf, vfs_dir));
	UT_EXPECT(getcwd(buf, 3) == NULL && errno == ERANGE);
	UT_EXPECT_ERR(syscall(SYS_getcwd, buf, 0), ERANGE);
	UT_ASSERT(mkdir("a", 0755) == 0 && mkdir("a/b", 0755) == 0);
	UT_EXPECT_EQ(chdir("a/b"), 0);
	char want[300];
	snprintf(want, sizeof(want), "%s/a/b", vfs_dir);
	UT_EXPECT(getcwd(buf, sizeof(buf)) && !strcmp(buf, want));
	UT_EXPECT_EQ(chdir(".."), 0);
	int fd = open("b", O_RDONLY | O_DIRECTORY);
	UT_EXPECT_EQ(chdir("/"), 0);
	UT_EXPECT_EQ(fchdir(fd), 0);
	UT_EXPECT(getcwd(buf, sizeof(buf)) && !strcmp(buf, want));
	close(fd);
	UT_EXPECT_ERR(chdir("none"), ENOENT);
	UT_ASSERT(vfs_put("f", "", 0644) == 0);
	UT_EXPECT_ERR(chdir("f"), ENOTDIR);
	fd = open("f", O_RDONLY);
	UT_EXPECT_ERR(fchdir(fd), ENOTDIR);
	close(fd);
	UT_EXPECT_ERR(fchdir(999), EBADF);
	/* A child starts where the parent is, and moves alone. */
	UT_EXPECT_EQ(chdir(vfs_dir), 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(chdir("a") == 0 && access("b", F_OK) == 0 ? 0 : 1);
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT_EQ(st, 0);
	UT_EXPECT(getcwd(buf, sizeof(buf)) && !strcmp(buf, vfs_dir));
	vfs_leave();
}

UT_CASE(test_chroot)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(mkdir("jail", 0755) == 0 && vfs_put("jail/inside", "i", 0644) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int ok = chroot("jail") == 0 && chdir("/") == 0;
		struct stat st;
		ok = ok && stat("/inside", &st) == 0;
		ok = ok && stat("/../../inside", &st) == 0;     /* ".." stops at the new root */
		char buf[64];
		ok = ok && getcwd(buf, sizeof(buf)) && !strcmp(buf, "/");
		ok = ok && stat("/tmp", &st) != 0;
		_exit(ok ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT_EQ(st, 0);
	UT_EXPECT_ERR(chroot("none"), ENOENT);
	vfs_leave();
}

UT_CASE(test_mount)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(mkdir("mnt", 0755) == 0 && vfs_put("mnt/under", "", 0644) == 0);
	UT_ASSERT(mount("none", "mnt", "tmpfs", 0, NULL) == 0);
	struct stat st, outer;
	UT_EXPECT_ERR(stat("mnt/under", &st), ENOENT);  /* hidden by the mount */
	UT_EXPECT_EQ(stat("mnt", &st), 0);
	UT_EXPECT_EQ(stat(".", &outer), 0);
	UT_EXPECT(st.st_dev != outer.st_dev);
	UT_EXPECT_EQ(st.st_mode & 07777, 01777);
	UT_ASSERT(vfs_put("mnt/new", "n", 0644) == 0);
	UT_EXPECT_EQ(stat("mnt/..", &st), 0);          /* ".." leaves the mount */
	UT_EXPECT_EQ(st.st_ino, outer.st_ino);
	UT_EXPECT_ERR(rename("mnt/new", "moved"), EXDEV);
	UT_EXPECT_ERR(link("mnt/new", "hl"), EXDEV);
	struct statfs sf;
	UT_EXPECT_EQ(statfs("mnt", &sf), 0);
	UT_EXPECT_EQ(sf.f_type, 0x01021994);
	UT_EXPECT_EQ(sf.f_bsize, 4096);
	UT_EXPECT(sf.f_blocks > 0 && sf.f_bfree <= sf.f_blocks);
	UT_EXPECT_EQ(sf.f_namelen, 255);
	UT_EXPECT_ERR(rmdir("mnt"), EBUSY);
	int fd = open("mnt/new", O_RDONLY);
	UT_EXPECT_ERR(umount("mnt"), EBUSY);            /* a file is open in it */
	UT_EXPECT_EQ(fstatfs(fd, &sf), 0);
	UT_EXPECT_EQ(sf.f_type, 0x01021994);
	close(fd);
	UT_EXPECT_ERR(umount2("mnt", 0x100), EINVAL);
	UT_EXPECT_ERR(umount("."), EINVAL);            /* not a mount's root */
	UT_EXPECT_ERR(mount("none", "mnt", "nosuchfs", 0, NULL), ENODEV);
	UT_EXPECT_ERR(mount("none", "nowhere", "tmpfs", 0, NULL), ENOENT);
	UT_EXPECT_EQ(mount("none", "mnt", "tmpfs", MS_REMOUNT, NULL), 0);
	UT_EXPECT_EQ(umount("mnt"), 0);
	UT_EXPECT_EQ(stat("mnt/under", &st), 0);        /* visible again */
	UT_EXPECT_ERR(umount("mnt"), EINVAL);
	pid_t pid = fork();
	if (pid == 0) {
		setuid(1000);
		_exit(mount("none", "mnt", "tmpfs", 0, NULL) == -1 && errno == EPERM ? 0 : 1);
	}
	int st2 = -1;
	waitpid(pid, &st2, 0);
	UT_EXPECT_EQ(st2, 0);
	vfs_leave();
}

UT_CASE(test_memfd)
{
	int fd = memfd_create("scratch", MFD_CLOEXEC);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(write(fd, "memory", 6), 6);
	struct stat st;
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT(S_ISREG(st.st_mode));
	UT_EXPECT_EQ(st.st_size, 6);
	UT_EXPECT_EQ(st.st_nlink, 0);
	UT_EXPECT_EQ(ftruncate(fd, 4096), 0);
	char buf[8];
	UT_EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
	UT_EXPECT_EQ(read(fd, buf, 6), 6);
	UT_EXPECT_EQ(memcmp(buf, "memory", 6), 0);
	close(fd);
	char name[300];
	memset(name, 'n', 250);
	name[250] = '\0';
	UT_EXPECT_ERR(memfd_create(name, 0), EINVAL);
	name[249] = '\0';
	fd = memfd_create(name, 0);
	UT_EXPECT(fd >= 0);
	close(fd);
	UT_EXPECT_ERR(memfd_create("x", 0x100), EINVAL);
	UT_EXPECT_ERR(memfd_create((const char *)1, 0), EFAULT);
}

/* A FIFO node opens as one pipe shared by its openers (fifo(7)). */
UT_CASE(test_fifo)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_ASSERT(mkfifo("fifo", 0600) == 0);
	UT_EXPECT_ERR(open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);     /* no reader */
	int rd = open("fifo", O_RDONLY | O_NONBLOCK);                   /* does not wait */
	UT_ASSERT(rd >= 0);
	int wr = open("fifo", O_WRONLY | O_NONBLOCK);
	UT_ASSERT(wr >= 0);
	UT_EXPECT_EQ(write(wr, "abc", 3), 3);
	char buf[8];
	UT_EXPECT_EQ(read(rd, buf, sizeof(buf)), 3);
	UT_EXPECT_EQ(memcmp(buf, "abc", 3), 0);
	UT_EXPECT_ERR(read(rd, buf, 1), EAGAIN);
	struct stat st;
	UT_EXPECT_EQ(fstat(rd, &st), 0);
	UT_EXPECT(S_ISFIFO(st.st_mode));
	UT_EXPECT_ERR(lseek(rd, 0, SEEK_SET), ESPIPE);
	close(wr);
	UT_EXPECT_EQ(read(rd, buf, 1), 0);                  /* no writer: end of file */
	close(rd);
	/* Blocking opens meet: the reader waits for the writer's open. */
	pid_t pid = fork();
	if (pid == 0) {
		int w = open("fifo", O_WRONLY);
		_exit(w >= 0 && write(w, "hi", 2) == 2 ? 0 : 1);
	}
	rd = open("fifo", O_RDONLY);
	UT_EXPECT(rd >= 0);
	UT_EXPECT_EQ(read(rd, buf, 2), 2);
	UT_EXPECT_EQ(memcmp(buf, "hi", 2), 0);
	int status = -1;
	waitpid(pid, &status, 0);
	UT_EXPECT_EQ(status, 0);
	close(rd);
	int rw = open("fifo", O_RDWR);                       /* never waits */
	UT_EXPECT(rw >= 0);
	UT_EXPECT_EQ(write(rw, "z", 1), 1);
	UT_EXPECT_EQ(read(rw, buf, 1), 1);
	close(rw);
	vfs_leave();
}

UT_CASE(test_mknod)
{
	UT_ASSERT(vfs_enter() == 0);
	UT_EXPECT_EQ(mknod("reg", S_IFREG | 0600, 0), 0);
	UT_EXPECT_EQ(mknod("reg0", 0600, 0), 0);
	struct stat st;
	UT_EXPECT_EQ(stat("reg0", &st), 0);
	UT_EXPECT(S_ISREG(st.st_mode));
	UT_EXPECT_EQ(mknod("fifo", S_IFIFO | 0600, 0), 0);
	UT_EXPECT_EQ(stat("fifo", &st), 0);
	UT_EXPECT(S_ISFIFO(st.st_mode));
	UT_EXPECT_EQ(mknod("chr", S_IFCHR | 0600, makedev(1, 3)), 0);
	UT_EXPECT_EQ(stat("chr", &st), 0);
	UT_EXPECT(S_ISCHR(st.st_mode));
	UT_EXPECT_EQ(major(st.st_rdev), 1);
	UT_EXPECT_EQ(minor(st.st_rdev), 3);
	UT_EXPECT_ERR(mknod("reg", S_IFREG | 0600, 0), EEXIST);
	UT_EXPECT_ERR(mknod("dir", S_IFDIR | 0700, 0), EPERM);
	UT_EXPECT_ERR(mknod("bad", 0170000 | 0600, 0), EINVAL);
	vfs_leave();
}

/* The root was filled from the initramfs: fixtures keep their modes and
 * links; /proc/interrupts is generated at each open. */
UT_CASE(test_initramfs_tree)
{
	struct stat st;
	UT_EXPECT_EQ(stat("/fixtures/data.txt", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 0777, 0644);
	UT_EXPECT_EQ(st.st_size, 36);
	UT_EXPECT_EQ(lstat("/fixtures/echo-link", &st), 0);
	UT_EXPECT(S_ISLNK(st.st_mode));
	UT_EXPECT_EQ(stat("/fixtures/script.sh", &st), 0);
	UT_EXPECT_EQ(st.st_mode & 0777, 0755);
	int fd = open("/proc/interrupts", O_RDONLY);
	UT_ASSERT(fd >= 0);
	char buf[64];
	UT_EXPECT(read(fd, buf, sizeof(buf)) > 0);
	close(fd);
	/* The root itself is writable tmpfs now. */
	struct statfs sf;
	UT_EXPECT_EQ(statfs("/", &sf), 0);
	UT_EXPECT_EQ(sf.f_type, 0x01021994);
}

UT_SUITE("vfs_misc", UT_C(test_cwd), UT_C(test_chroot), UT_C(test_mount), UT_C(test_memfd),
	 UT_C(test_fifo), UT_C(test_mknod), UT_C(test_initramfs_tree))
