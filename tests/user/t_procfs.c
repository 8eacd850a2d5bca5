/*
 * procfs: /proc/self, the per-process files checked against the system
 * calls that report the same facts, the global files against sysinfo and
 * the clock, mounts, permissions, and a process's directory going away
 * once it is reaped. The test mounts /proc itself if nothing is there.
 */
#include "utest.h"
#include "vfs_util.h"
#include <dirent.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/times.h>

static int proc_ready(void)
{
	return vfs_proc_ready();
}

/* The whole file into buf (NUL-terminated): its length or -1 (errno). */
static long slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t n = 0;
	long r;
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return (long)n;
}

/* The value after "key" on its line ("Pid:\t12" -> 12), or -1. */
static long field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

UT_CASE(test_self)
{
	UT_ASSERT(proc_ready() == 0);
	char link[64], want[32];
	long n = readlink("/proc/self", link, sizeof(link) - 1);
	UT_ASSERT(n > 0);
	link[n] = '\0';
	snprintf(want, sizeof(want), "%d", getpid());
	UT_EXPECT(!strcmp(link, want));
	struct stat a, b;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d", getpid());
	UT_EXPECT(stat("/proc/self", &a) == 0 && stat(path, &b) == 0 && S_ISDIR(a.st_mode) &&
		  a.st_ino == b.st_ino);
	UT_EXPECT_EQ(a.st_uid, geteuid());
	/* A child sees its own pid there. */
	pid_t pid = fork();
	if (pid == 0) {
		char l[32], w[32];
		long k = readlink("/proc/self", l, sizeof(l) - 1);
		l[k > 0 ? k : 0] = '\0';
		snprintf(w, sizeof(w), "%d", getpid());
		_exit(k > 0 && !strcmp(l, w) ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT_EQ(st, 0);
}

UT_CASE(test_stat)
{
	UT_ASSERT(proc_ready() == 0);
	/* Burn some CPU so utime is not zero. */
	volatile unsigned long x = 0;
	struct tms t0;
	do {
		for (int i = 0; i < 1000000; i++)
			x += i;
		times(&t0);
	} while (t0.tms_utime + t0.tms_stime < 3);
	char buf[2048];
	UT_ASSERT(slurp("/proc/self/stat", buf, sizeof(buf)) > 0);
	struct tms t1;
	times(&t1);
	int pid, ppid, pgrp, session, tty, tpgid;
	char comm[64], state;
	unsigned flags;
	unsigned long minflt, cminflt, majflt, cmajflt, utime, stime;
	long cutime, cstime, prio, nice, threads, itreal;
	unsigned long long start, vsize;
	long rss;
	int k = sscanf(buf, "%d (%63[^)]) %c %d %d %d %d %d %u %lu %lu %lu %lu %lu %lu %ld %ld %ld %ld %ld %ld %llu %llu %ld",
		       &pid, comm, &state, &ppid, &pgrp, &session, &tty, &tpgid, &flags, &minflt,
		       &cminflt, &majflt, &cmajflt, &utime, &stime, &cutime, &cstime, &prio, &nice,
		       &threads, &itreal, &start, &vsize, &rss);
	UT_EXPECT_EQ(k, 24);
	UT_EXPECT_EQ(pid, getpid());
	UT_EXPECT_EQ(ppid, getppid());
	UT_EXPECT_EQ(pgrp, getpgrp());
	UT_EXPECT_EQ(session, getsid(0));
	UT_EXPECT(!strncmp(comm, "t_procfs", 8));
	UT_EXPECT_EQ(state, 'R');
	UT_EXPECT(utime + stime >= (unsigned long)(t0.tms_utime + t0.tms_stime));
	UT_EXPECT(utime + stime <= (unsigned long)(t1.tms_utime + t1.tms_stime));
	UT_EXPECT_EQ(threads, 1);
	UT_EXPECT_EQ(nice, 0);
	UT_EXPECT(vsize > 0 && rss > 0 && (unsigned long long)rss * 4096 <= vsize);
	/* starttime: clock ticks since boot, before now. */
	struct sysinfo si;
	sysinfo(&si);
	UT_EXPECT(start <= (unsigned long long)(si.uptime + 1) * 100);
	/* 52 fields in all. */
	int fields = 0;
	for (char *p = strrchr(buf, ')') + 1; *p; p++)
		if (*p == ' ')
			fields++;
	UT_EXPECT_EQ(fields + 2, 52);
	UT_EXPECT(buf[strlen(buf) - 1] == '\n');
	UT_ASSERT(slurp("/proc/self/statm", buf, sizeof(buf)) > 0);
	unsigned long size, resident;
	UT_EXPECT(sscanf(buf, "%lu %lu", &size, &resident) == 2 && size * 4096 == vsize &&
		  resident > 0);
}

UT_CASE(test_status)
{
	UT_ASSERT(proc_ready() == 0);
	char buf[2048];
	UT_ASSERT(slurp("/proc/self/status", buf, sizeof(buf)) > 0);
	UT_EXPECT(!strncmp(buf, "Name:\tt_procfs", 14));
	UT_EXPECT_EQ(field(buf, "\nPid:\t"), getpid());
	UT_EXPECT_EQ(field(buf, "\nPPid:\t"), getppid());
	UT_EXPECT_EQ(field(buf, "\nTgid:\t"), getpid());
	UT_EXPECT_EQ(field(buf, "\nUid:\t"), getuid());
	UT_EXPECT_EQ(field(buf, "\nThreads:\t"), 1);
	UT_EXPECT(strstr(buf, "\nState:\tR (running)\n") != NULL);
	UT_EXPECT(field(buf, "\nVmRSS:") > 0);
	/* A writer gets EIO, as Linux's read-only /proc files say. */
	int fd = open("/proc/self/status", O_WRONLY);
	if (fd >= 0) {
		UT_EXPECT_ERR(write(fd, "x", 1), EIO);
		close(fd);
	}
}

extern char **environ;

/* Our own argv (just the program's path) and environment, NUL-separated,
 * and the same read by a child through /proc/<parent>. */
UT_CASE(test_cmdline_environ)
{
	UT_ASSERT(proc_ready() == 0);
	char buf[4096], want[4096];
	long n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	UT_ASSERT(n > 0);
	UT_EXPECT(buf[n - 1] == '\0' && (size_t)n == strlen(buf) + 1);  /* no arguments */
	const char *base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
	UT_EXPECT(!strncmp(base, "t_procfs-", 9));
	size_t w = 0;
	for (char **e = environ; *e && w + strlen(*e) + 1 < sizeof(want); e++) {
		memcpy(want + w, *e, strlen(*e) + 1);
		w += strlen(*e) + 1;
	}
	long m = slurp("/proc/self/environ", buf, sizeof(buf));
	UT_EXPECT_EQ(m, (long)w);
	UT_EXPECT(m == (long)w && !memcmp(buf, want, w));
	n = slurp("/proc/self/cmdline", want, sizeof(want));
	pid_t pid = fork();
	if (pid == 0) {
		char path[64], got[4096];
		snprintf(path, sizeof(path), "/proc/%d/cmdline", getppid());
		long k = slurp(path, got, sizeof(got));
		_exit(k == n && !memcmp(got, want, (size_t)n) ? 0 : 1);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT_EQ(st, 0);
}

UT_CASE(test_maps)
{
	UT_ASSERT(proc_ready() == 0);
	char *heap = malloc(100000);
	char *m = malloc(16);
	int on_stack = 0;
	char buf[16384];
	UT_ASSERT(slurp("/proc/self/maps", buf, sizeof(buf)) > 0);
	int stack_ok = 0, heap_ok = 0, lines = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long lo, hi;
		char perms[8];
		UT_EXPECT(sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3);
		lines++;
		uintptr_t s = (uintptr_t)&on_stack;
		if (s >= lo && s < hi && strstr(line, "[stack]") && perms[0] == 'r' && perms[1] == 'w')
			stack_ok = 1;
		if (((uintptr_t)m >= lo && (uintptr_t)m < hi) || ((uintptr_t)heap >= lo && (uintptr_t)heap < hi))
			heap_ok = 1;
	}
	UT_EXPECT(lines > 2);
	UT_EXPECT(stack_ok);
	UT_EXPECT(heap_ok);
	free(heap);
	free(m);
}

UT_CASE(test_fd_links)
{
	UT_ASSERT(proc_ready() == 0);
	mkdir("/tmp", 01777);
	int fd = open("/tmp/procfs-fd", O_CREAT | O_RDWR | O_TRUNC, 0644);
	UT_ASSERT(fd >= 0);
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	char path[64], link[256];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	long n = readlink(path, link, sizeof(link) - 1);
	UT_ASSERT(n > 0);
	link[n] = '\0';
	UT_EXPECT(!strcmp(link, "/tmp/procfs-fd"));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	n = readlink(path, link, sizeof(link) - 1);
	UT_ASSERT(n > 0);
	link[n] = '\0';
	UT_EXPECT(!strncmp(link, "pipe:[", 6));
	char other[256];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	n = readlink(path, other, sizeof(other) - 1);
	other[n > 0 ? n : 0] = '\0';
	UT_EXPECT(!strcmp(link, other));        /* both ends: one pipe */
	/* Opening the link opens the file. */
	UT_EXPECT_EQ(write(fd, "hello", 5), 5);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int again = open(path, O_RDONLY);
	UT_ASSERT(again >= 0);
	char got[8] = { 0 };
	UT_EXPECT_EQ(read(again, got, 5), 5);
	UT_EXPECT(!strcmp(got, "hello"));
	close(again);
	/* The listing has our descriptors; a closed one is gone. */
	DIR *d = opendir("/proc/self/fd");
	UT_ASSERT(d != NULL);
	int seen = 0;
	struct dirent *e;
	char want[16];
	snprintf(want, sizeof(want), "%d", p[1]);
	while ((e = readdir(d)))
		seen |= !strcmp(e->d_name, want);
	closedir(d);
	UT_EXPECT(seen);
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	UT_EXPECT_ERR(readlink(path, link, sizeof(link)), ENOENT);
	close(p[0]);
	close(fd);
	unlink("/tmp/procfs-fd");
	n = readlink("/proc/self/cwd", link, sizeof(link) - 1);
	UT_ASSERT(n > 0);
	link[n] = '\0';
	char cwd[256];
	UT_EXPECT(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, link));
	n = readlink("/proc/self/root", link, sizeof(link) - 1);
	UT_EXPECT(n == 1 && link[0] == '/');
}

UT_CASE(test_global_files)
{
	UT_ASSERT(proc_ready() == 0);
	char buf[8192];
	struct sysinfo si;
	UT_ASSERT(slurp("/proc/meminfo", buf, sizeof(buf)) > 0 && sysinfo(&si) == 0);
	UT_EXPECT_EQ(field(buf, "MemTotal:"), (long)(si.totalram * si.mem_unit / 1024));
	UT_EXPECT(field(buf, "MemFree:") > 0 && field(buf, "MemFree:") <= field(buf, "MemTotal:"));
	UT_EXPECT(field(buf, "MemAvailable:") > 0);

	double up1, idle1, up2, idle2;
	UT_ASSERT(slurp("/proc/uptime", buf, sizeof(buf)) > 0);
	UT_EXPECT(sscanf(buf, "%lf %lf", &up1, &idle1) == 2);
	usleep(30000);
	UT_ASSERT(slurp("/proc/uptime", buf, sizeof(buf)) > 0);
	UT_EXPECT(sscanf(buf, "%lf %lf", &up2, &idle2) == 2);
	UT_EXPECT(up2 > up1 && idle2 >= idle1);
	UT_EXPECT(up1 >= (double)si.uptime - 1 && up1 <= (double)si.uptime + 2);

	UT_ASSERT(slurp("/proc/stat", buf, sizeof(buf)) > 0);
	unsigned long long u, n, s, id;
	UT_EXPECT(sscanf(buf, "cpu  %llu %llu %llu %llu", &u, &n, &s, &id) == 4 && u + s > 0);
	UT_EXPECT(strstr(buf, "\ncpu0 ") != NULL && strstr(buf, "\nbtime ") != NULL);

	/* loadavg's last field: the pid most recently given out. */
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	UT_ASSERT(slurp("/proc/loadavg", buf, sizeof(buf)) > 0);
	double l1, l5, l15;
	int run, total, last;
	UT_EXPECT(sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &total, &last) == 6 &&
		  run >= 1 && total >= run && l1 >= 0);
	UT_EXPECT_EQ(last, child);
	UT_ASSERT(slurp("/proc/version", buf, sizeof(buf)) > 0);
	UT_EXPECT(!strncmp(buf, "Linux version ", 14));
	/* The kernel command line, one line: run-prog and the test ISOs set init=. */
	UT_ASSERT(slurp("/proc/cmdline", buf, sizeof(buf)) > 0);
	UT_EXPECT(strstr(buf, "init=") != NULL);
	UT_EXPECT(strchr(buf, '\n') == buf + strlen(buf) - 1);
	UT_ASSERT(slurp("/proc/filesystems", buf, sizeof(buf)) > 0);
	UT_EXPECT(strstr(buf, "nodev\ttmpfs\n") && strstr(buf, "nodev\tproc\n") &&
		  strstr(buf, "nodev\tdevtmpfs\n"));
	UT_ASSERT(slurp("/proc/cpuinfo", buf, sizeof(buf)) > 0);
	UT_EXPECT(!strncmp(buf, "processor\t: 0\n", 14));
	UT_EXPECT(strstr(buf, "\nvendor_id\t: ") && strstr(buf, "\nmodel name\t: "));
	UT_ASSERT(slurp("/proc/interrupts", buf, sizeof(buf)) > 0);
	UT_EXPECT(strstr(buf, "CPU0") != NULL);
	/* Root may open it for writing (DAC override); the write says EIO. */
	int fd = open("/proc/interrupts", O_WRONLY);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_ERR(write(fd, "x", 1), EIO);
	close(fd);
	UT_EXPECT_ERR(open("/proc/nonexistent", O_RDONLY), ENOENT);
	UT_EXPECT_ERR(mkdir("/proc/dir", 0755), EPERM);        /* no such operation */
}

UT_CASE(test_mounts)
{
	UT_ASSERT(proc_ready() == 0);
	char buf[4096], self[4096];
	UT_ASSERT(slurp("/proc/mounts", buf, sizeof(buf)) > 0);
	/* The kernel's own root mount has no atime flag; mount(2)'s get
	 * relatime by default, as on Linux. */
	UT_EXPECT(!strncmp(buf, "rootfs / tmpfs rw 0 0\n", 22));
	UT_EXPECT(strstr(buf, "proc /proc proc rw,relatime 0 0\n") != NULL);
	UT_ASSERT(slurp("/proc/self/mounts", self, sizeof(self)) > 0);
	UT_EXPECT(!strcmp(buf, self));
	/* A second procfs mount shows up and goes. */
	mkdir("/tmp", 01777);
	mkdir("/tmp/proc2", 0755);
	UT_ASSERT(mount("proc", "/tmp/proc2", "proc", 0, NULL) == 0);
	UT_ASSERT(slurp("/proc/mounts", buf, sizeof(buf)) > 0);
	UT_EXPECT(strstr(buf, "proc /tmp/proc2 proc rw,relatime 0 0\n") != NULL);
	char link[32], want[32];
	long n = readlink("/tmp/proc2/self", link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "%d", getpid());
	UT_EXPECT(!strcmp(link, want));
	UT_EXPECT_EQ(umount("/tmp/proc2"), 0);
	UT_ASSERT(slurp("/proc/mounts", buf, sizeof(buf)) > 0);
	UT_EXPECT(strstr(buf, "/tmp/proc2") == NULL);
	rmdir("/tmp/proc2");
}

/* A child's directory: there while it runs and as a zombie, gone (ENOENT)
 * once reaped; another user's environ is refused. */
UT_CASE(test_lifetime_and_perms)
{
	UT_ASSERT(proc_ready() == 0);
	int go[2];
	UT_ASSERT(pipe(go) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(go[1]);
		if (setresuid(1000, 1000, 1000))
			_exit(2);
		read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	/* Wait for the child to drop privileges (its status shows uid 1000). */
	char status[64];
	snprintf(status, sizeof(status), "/proc/%d/status", pid);
	for (int i = 0; i < 1000; i++) {
		if (slurp(status, buf, sizeof(buf)) > 0 && field(buf, "\nUid:\t") == 1000)
			break;
		usleep(1000);
	}
	UT_EXPECT_EQ(field(buf, "\nUid:\t"), 1000);
	UT_EXPECT_EQ(field(buf, "\nPPid:\t"), getpid());
	/* Root may read its environ; the child itself may not read ours. */
	char env[64];
	snprintf(env, sizeof(env), "/proc/%d/environ", pid);
	UT_EXPECT(slurp(env, buf, sizeof(buf)) >= 0);
	pid_t probe = fork();
	if (probe == 0) {
		char mine[64];
		snprintf(mine, sizeof(mine), "/proc/%d/environ", getppid());
		if (setresuid(1000, 1000, 1000))
			_exit(2);
		int fd = open(mine, O_RDONLY);
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	int st = -1;
	waitpid(probe, &st, 0);
	UT_EXPECT_EQ(st, 0);

	UT_EXPECT(write(go[1], "x", 1) == 1);
	close(go[1]);
	/* A zombie until reaped: state Z. */
	for (int i = 0; i < 1000; i++) {
		if (slurp(path, buf, sizeof(buf)) > 0 && strstr(buf, ") Z "))
			break;
		usleep(1000);
	}
	UT_EXPECT(strstr(buf, ") Z ") != NULL);
	UT_EXPECT_EQ(waitpid(pid, &st, 0), pid);
	UT_EXPECT_ERR(open(path, O_RDONLY), ENOENT);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	struct stat sb;
	UT_EXPECT_ERR(stat(path, &sb), ENOENT);
	/* The listing shows us, not it. */
	DIR *d = opendir("/proc");
	UT_ASSERT(d != NULL);
	int me = 0, it = 0, self = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		me |= atoi(e->d_name) == getpid();
		it |= atoi(e->d_name) == pid;
		self |= !strcmp(e->d_name, "self");
	}
	closedir(d);
	UT_EXPECT(me && !it && self);
	UT_EXPECT_ERR(open("/proc/99999/stat", O_RDONLY), ENOENT);
	UT_EXPECT_ERR(open("/proc/0/stat", O_RDONLY), ENOENT);
}

static int thread_tid;
static int thread_go[2];

static void *thread_main(void *arg)
{
	(void)arg;
	char c;
	__atomic_store_n(&thread_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	read(thread_go[0], &c, 1);
	return NULL;
}

/* task/: one directory per thread, whose stat and status are the thread's. */
UT_CASE(test_tasks)
{
	UT_ASSERT(proc_ready() == 0);
	UT_ASSERT(pipe(thread_go) == 0);
	pthread_t th;
	UT_ASSERT(pthread_create(&th, NULL, thread_main, NULL) == 0);
	while (!__atomic_load_n(&thread_tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	int tid = thread_tid;
	DIR *d = opendir("/proc/self/task");
	UT_ASSERT(d != NULL);
	int me = 0, it = 0, count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		count++;
		me |= atoi(e->d_name) == getpid();
		it |= atoi(e->d_name) == tid;
	}
	closedir(d);
	UT_EXPECT(me && it && count == 2);
	char path[80], buf[2048];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	UT_ASSERT(slurp(path, buf, sizeof(buf)) > 0);
	UT_EXPECT_EQ(atoi(buf), tid);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	UT_ASSERT(slurp(path, buf, sizeof(buf)) > 0);
	UT_EXPECT_EQ(field(buf, "\nPid:\t"), tid);
	UT_EXPECT_EQ(field(buf, "\nTgid:\t"), getpid());
	UT_EXPECT_EQ(field(buf, "\nThreads:\t"), 2);
	UT_ASSERT(slurp("/proc/self/status", buf, sizeof(buf)) > 0);
	UT_EXPECT_EQ(field(buf, "\nThreads:\t"), 2);
	UT_EXPECT(write(thread_go[1], "x", 1) == 1);
	pthread_join(th, NULL);
	/* Gone with the thread (join may return just before the kernel has
	 * finished with it: give it a moment). */
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	int fd;
	for (int i = 0; i < 1000 && (fd = open(path, O_RDONLY)) >= 0; i++) {
		close(fd);
		usleep(1000);
	}
	UT_EXPECT_ERR(open(path, O_RDONLY), ENOENT);
	snprintf(path, sizeof(path), "/proc/self/task/%d", getpid());
	struct stat st;
	UT_EXPECT(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	close(thread_go[0]);
	close(thread_go[1]);
}

UT_SUITE("procfs", UT_C(test_self), UT_C(test_stat), UT_C(test_status), UT_C(test_cmdline_environ),
	 UT_C(test_maps), UT_C(test_fd_links), UT_C(test_global_files), UT_C(test_mounts),
	 UT_C(test_lifetime_and_perms), UT_C(test_tasks))
