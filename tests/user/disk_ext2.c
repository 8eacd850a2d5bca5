/*
 * The ext2 round trip, guest side (scripts/testrun.py run_ext2_boot runs
 * it as init with one disk that the host formatted with mke2fs):
 *   disk_ext2 write   mount, create/write/rename/link/symlink/truncate/
 *                     delete (10,000 files in one directory, a 100 MiB
 *                     file), check what reads back, sync, unmount; the
 *                     host then runs e2fsck -fn and reads the image with
 *                     debugfs (the names and bytes below are its contract)
 *   disk_ext2 crash   write and fsync /durable, write /lost without any
 *                     sync, then reset the machine (reboot(2), no sync)
 *   disk_ext2 verify  after that reset: /durable reads back exactly
 *   disk_ext2 gen     (built for the host) the big file's bytes on stdout,
 *                     for the host's comparison with the image
 * Exit status 0 when every check passed; each failure prints "FAIL".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MNT "/mnt"
#define MANY 10000
#define BIG_BYTES (100u << 20)
#define CHUNK (1u << 20)
#define EXT2_MAGIC 0xEF53
#define NOREPLACE 1     /* RENAME_NOREPLACE, RENAME_EXCHANGE */
#define EXCHANGE 2

static long rename2(const char *a, const char *b, unsigned flags)
{
	return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

static int failures;

#define CHECK(cond)                                                                \
	do {                                                                       \
		if (!(cond)) {                                                     \
			printf("FAIL %s:%d: %s (errno %d)\n", __FILE__, __LINE__,  \
			       #cond, errno);                                      \
			failures++;                                                \
		}                                                                  \
	} while (0)
#define CHECK_ERR(call, e) CHECK((call) == -1 && errno == (e))

/* The content of the big file: 64-bit word n (at byte 8n) is
 * splitmix64(n); the host computes the same (scripts/testrun.py). */
static uint64_t word_at(uint64_t n)
{
	uint64_t z = n * 0x9E3779B97F4A7C15ull + 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void fill(uint64_t *buf, uint64_t off, size_t bytes)
{
	for (size_t k = 0; k < bytes / 8; k++)
		buf[k] = word_at(off / 8 + k);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *disk(void)
{
	return access("/dev/vda", F_OK) == 0 ? "/dev/vda" : "/dev/nvme0n1";
}

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int has(const char *path, const char *text)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0;
}

static void mount_disk(unsigned long flags)
{
	mkdir(MNT, 0755);
	if (mount(disk(), MNT, "ext2", flags, NULL) != 0) {
		printf("FAIL mount %s: errno %d\n", disk(), errno);
		exit(1);
	}
}

/* 10,000 files in /many, named f00000..f09999, holding their name;
 * every tenth removed again. */
static void many_files(void)
{
	char path[64];
	double t0 = now();
	CHECK(mkdir(MNT "/many", 0755) == 0);
	for (int n = 0; n < MANY; n++) {
		snprintf(path, sizeof(path), MNT "/many/f%05d", n);
		if (put(path, path + 10) != 0) {
			CHECK(!"create in /many");
			return;
		}
	}
	double t1 = now();
	for (int n = 0; n < MANY; n += 10) {
		snprintf(path, sizeof(path), MNT "/many/f%05d", n);
		CHECK(unlink(path) == 0);
	}
	for (int n = 1; n < MANY; n += 997) {
		snprintf(path, sizeof(path), MNT "/many/f%05d", n);
		if (n % 10)
			CHECK(has(path, path + 10));
		else
			CHECK_ERR(access(path, F_OK), ENOENT);
	}
	printf("disk_ext2: %d files created in %.1f s, every tenth removed in %.1f s\n", MANY,
	       t1 - t0, now() - t1);
}

/* Four processes at once (the volume lock against the VFS's locks):
 * each makes files in its own directory, moves them into a shared one
 * and removes every other; /conc/shared keeps 4 x 100 of them. */
#define WORKERS 4
#define ROUNDS 200

static int worker(int w)
{
	char own[64], path[96], dst[96], buf[3000];
	int bad = 0;
	snprintf(own, sizeof(own), MNT "/conc/w%d", w);
	if (mkdir(own, 0755) != 0)
		return 1;
	for (int n = 0; n < ROUNDS && !bad; n++) {
		snprintf(path, sizeof(path), "%s/f%d", own, n);
		snprintf(dst, sizeof(dst), MNT "/conc/shared/w%d-%d", w, n);
		memset(buf, 'a' + w, sizeof(buf));
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
		bad |= fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf);
		bad |= pread(fd, buf, sizeof(buf), 0) != sizeof(buf) || buf[2999] != 'a' + w;
		close(fd);
		bad |= rename(path, dst) != 0;
		if (n % 2)
			bad |= unlink(dst) != 0;
	}
	return bad || rmdir(own) != 0;
}

static void concurrent(void)
{
	CHECK(mkdir(MNT "/conc", 0755) == 0);
	CHECK(mkdir(MNT "/conc/shared", 0755) == 0);
	for (int w = 0; w < WORKERS; w++)
		if (fork() == 0)
			_exit(worker(w));
	for (int w = 0; w < WORKERS; w++) {
		int st;
		CHECK(wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
}

static void big_file(void)
{
	uint64_t *buf = malloc(CHUNK), *back = malloc(CHUNK);
	struct statfs before, after;
	double t0 = now();

	CHECK(statfs(MNT, &before) == 0);
	int fd = open(MNT "/big", O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	for (uint64_t off = 0; off < BIG_BYTES; off += CHUNK) {
		fill(buf, off, CHUNK);
		CHECK(write(fd, buf, CHUNK) == CHUNK);
	}
	double t1 = now();
	for (uint64_t off = 0; off < BIG_BYTES; off += 37 * CHUNK) {
		fill(buf, off, CHUNK);
		CHECK(pread(fd, back, CHUNK, (off_t)off) == CHUNK);
		CHECK(memcmp(buf, back, CHUNK) == 0);
	}
	CHECK(fsync(fd) == 0);
	CHECK(fdatasync(fd) == 0);
	CHECK(close(fd) == 0);
	CHECK(statfs(MNT, &after) == 0);
	CHECK(after.f_type == EXT2_MAGIC);
	/* 100 MiB of data plus its indirect blocks. */
	CHECK((before.f_bfree - after.f_bfree) * after.f_bsize >= BIG_BYTES);
	CHECK((before.f_bfree - after.f_bfree) * after.f_bsize < BIG_BYTES + BIG_BYTES / 100);
	printf("disk_ext2: 100 MiB written in %.1f s\n", t1 - t0);
	free(buf);
	free(back);
}

static void names(void)
{
	struct stat st;
	char buf[300], longt[200];

	CHECK(mkdir(MNT "/d", 0755) == 0);
	CHECK(mkdir(MNT "/d/sub", 0700) == 0);
	CHECK(put(MNT "/d/a", "alpha\n") == 0);
	CHECK(put(MNT "/d/b", "bravo\n") == 0);
	CHECK(put(MNT "/d/c", "charlie\n") == 0);
	CHECK(rename(MNT "/d/a", MNT "/d/sub/renamed") == 0);      /* across directories */
	CHECK(rename(MNT "/d/b", MNT "/d/c") == 0);                /* replacing c */
	CHECK(has(MNT "/d/c", "bravo\n"));
	CHECK_ERR(access(MNT "/d/b", F_OK), ENOENT);
	CHECK(put(MNT "/d/x", "x\n") == 0);
	CHECK_ERR(rename2(MNT "/d/x", MNT "/d/c", NOREPLACE), EEXIST);
	CHECK_ERR(rename2(MNT "/d/x", MNT "/d/c", EXCHANGE), EINVAL);
	CHECK(unlink(MNT "/d/x") == 0);
	CHECK(link(MNT "/d/c", MNT "/d/hard") == 0);
	CHECK(stat(MNT "/d/c", &st) == 0 && st.st_nlink == 2);
	CHECK(stat(MNT "/d", &st) == 0 && st.st_nlink == 3);
	CHECK(symlink("sub/renamed", MNT "/d/fast") == 0);
	memset(longt, 'L', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = 0;
	memcpy(longt, "/long/", 6);
	CHECK(symlink(longt, MNT "/d/slow") == 0);
	CHECK(readlink(MNT "/d/fast", buf, sizeof(buf)) == 11 && !memcmp(buf, "sub/renamed", 11));
	CHECK(readlink(MNT "/d/slow", buf, sizeof(buf)) == 199 && !memcmp(buf, longt, 199));
	CHECK(has(MNT "/d/fast", "alpha\n"));                     /* followed */
	CHECK(mknod(MNT "/d/fifo", S_IFIFO | 0644, 0) == 0);
	CHECK(mknod(MNT "/d/null", S_IFCHR | 0666, makedev(1, 3)) == 0);
	CHECK(stat(MNT "/d/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	CHECK(chmod(MNT "/d/c", 0640) == 0);
	CHECK(chown(MNT "/d/c", 1000, 100) == 0);
	struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 0 } };
	CHECK(utimensat(AT_FDCWD, MNT "/d/c", ts, 0) == 0);
	/* Removing. */
	CHECK(mkdir(MNT "/d/gone", 0755) == 0);
	CHECK(put(MNT "/d/gone/f", "f\n") == 0);
	CHECK_ERR(rmdir(MNT "/d/gone"), ENOTEMPTY);
	CHECK(unlink(MNT "/d/gone/f") == 0);
	CHECK(rmdir(MNT "/d/gone") == 0);
	CHECK_ERR(rmdir(MNT "/d/gone"), ENOENT);
	CHECK_ERR(unlink(MNT "/d/sub"), EISDIR);
	CHECK(mkdir(MNT "/d/olddir", 0755) == 0);
	CHECK(rename(MNT "/d/olddir", MNT "/d/sub/moved") == 0);  /* ".." rewritten */
	CHECK(stat(MNT "/d/sub", &st) == 0 && st.st_nlink == 3);
}

static void sizes(void)
{
	struct stat st;
	char buf[8192];
	int fd = open(MNT "/trunc", O_RDWR | O_CREAT, 0644);

	CHECK(fd >= 0);
	memset(buf, 'T', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)) == sizeof(buf));
	CHECK(ftruncate(fd, 5000) == 0);                  /* shrink */
	CHECK(ftruncate(fd, 10 << 20) == 0);              /* sparse growth */
	CHECK(fstat(fd, &st) == 0 && st.st_size == 10 << 20 && st.st_blocks <= 32);
	CHECK(pread(fd, buf, 8, 4996) == 8 && !memcmp(buf, "TTTT\0\0\0\0", 8));
	CHECK(pwrite(fd, "end", 3, (10 << 20) - 3) == 3);
	CHECK(close(fd) == 0);
	fd = open(MNT "/falloc", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK(fallocate(fd, 0, 0, 65536) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 65536 && st.st_blocks >= 128);
	CHECK(close(fd) == 0);
	/* An unlinked file lives while open; its blocks come back at close. */
	struct statfs s0, s1, s2;
	CHECK(statfs(MNT, &s0) == 0);
	fd = open(MNT "/open-unlinked", O_RDWR | O_CREAT, 0644);
	memset(buf, 'U', sizeof(buf));
	for (int n = 0; n < 64; n++)
		CHECK(write(fd, buf, sizeof(buf)) == sizeof(buf));
	CHECK(unlink(MNT "/open-unlinked") == 0);
	CHECK(pread(fd, buf, 4, 100000) == 4 && !memcmp(buf, "UUUU", 4));
	CHECK(statfs(MNT, &s1) == 0 && s1.f_bfree < s0.f_bfree);
	CHECK(close(fd) == 0);
	CHECK(statfs(MNT, &s2) == 0 && s2.f_bfree == s0.f_bfree);
}

static void read_only(void)
{
	CHECK(umount(MNT) == 0);
	mount_disk(MS_RDONLY);
	CHECK_ERR(open(MNT "/d/c", O_WRONLY), EROFS);
	CHECK_ERR(open(MNT "/new", O_WRONLY | O_CREAT, 0644), EROFS);
	CHECK_ERR(mkdir(MNT "/newdir", 0755), EROFS);
	CHECK_ERR(unlink(MNT "/d/c"), EROFS);
	CHECK(has(MNT "/d/c", "bravo\n"));
	CHECK(umount(MNT) == 0);
}


/* A file changed through a MAP_SHARED mapping and msync'ed reaches the
 * volume (the host reads /mapped back); read() sees the stores at once,
 * and a MAP_PRIVATE mapping's stores reach nobody. */
static void mapped(void)
{
	int fd = open(MNT "/mapped", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && ftruncate(fd, 3 * 4096) == 0);
	char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		return;
	for (int i = 0; i < 3 * 4096; i++)
		m[i] = (char)('a' + i % 26);
	char buf[8];
	CHECK(pread(fd, buf, 4, 26 * 200) == 4 && !memcmp(buf, "abcd", 4));
	CHECK(msync(m, 3 * 4096, MS_SYNC) == 0);
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED && p[0] == 'a');
	if (p != MAP_FAILED) {
		p[0] = 'X';
		CHECK(m[0] == 'a');
		munmap(p, 4096);
	}
	CHECK(munmap(m, 3 * 4096) == 0);
	CHECK(close(fd) == 0);
}

static int do_write(void)
{
	mount_disk(0);
	mkdir("/mnt2", 0755);
	CHECK_ERR(mount(disk(), "/mnt2", "ext2", 0, NULL), EBUSY);
	CHECK_ERR(mount("/mnt", "/mnt2", "ext2", 0, NULL), ENOTBLK);
	CHECK_ERR(mount("/dev/null", "/mnt2", "ext2", 0, NULL), ENOTBLK);
	CHECK_ERR(mount("/nonexistent", "/mnt2", "ext2", 0, NULL), ENOENT);
	names();
	sizes();
	concurrent();
	many_files();
	big_file();
	mapped();
	sync();
	read_only();
	return 0;
}

static const char durable[] = "written and fsynced before the reset\n";

static int do_crash(void)
{
	mount_disk(0);
	int fd = open(MNT "/durable", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, durable, sizeof(durable) - 1) == sizeof(durable) - 1);
	CHECK(fsync(fd) == 0);
	CHECK(put(MNT "/lost", "never synced\n") == 0);
	printf("disk_ext2: fsynced, resetting (failures %d)\n", failures);
	fflush(stdout);
	if (failures)
		return 1;
	reboot(RB_AUTOBOOT);            /* no sync, no unmount */
	printf("FAIL reboot returned: errno %d\n", errno);
	return 1;
}

static int do_verify(void)
{
	mount_disk(0);
	CHECK(has(MNT "/durable", durable));
	CHECK(umount(MNT) == 0);
	return 0;
}

static int do_gen(void)
{
	uint64_t *buf = malloc(CHUNK);
	for (uint64_t off = 0; off < BIG_BYTES; off += CHUNK) {
		fill(buf, off, CHUNK);
		if (fwrite(buf, 1, CHUNK, stdout) != CHUNK)
			return 1;
	}
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *phase = argc > 1 ? argv[1] : "";
	int r;
	if (!strcmp(phase, "write"))
		r = do_write();
	else if (!strcmp(phase, "crash"))
		r = do_crash();
	else if (!strcmp(phase, "verify"))
		r = do_verify();
	else if (!strcmp(phase, "gen"))
		return do_gen();
	else {
		fprintf(stderr, "usage: disk_ext2 write|crash|verify\n");
		return 2;
	}
	printf("disk_ext2 %s: %s (%d failures)\n", phase, failures || r ? "FAILED" : "ok", failures);
	return failures || r ? 1 : 0;
}
