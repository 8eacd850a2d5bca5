/*
 * PID 1 of the user-space test image: runs every program in /tests, each
 * in a forked child, and reports KTAP (each program prints its own subtest
 * block; this prints the suite result). A suite fails if its program exits
 * non-zero or is killed, or if the free memory the kernel reports
 * (sysinfo) after the child is reaped is lower than before by more than
 * the slab caches can explain (xv6's usertests habit).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TESTS 256
#define LEAK_SLACK (256 * 1024)   /* bytes: slab caches warming up */

static unsigned long free_bytes(void)
{
	struct sysinfo si;
	if (sysinfo(&si) != 0)
		return 0;
	return si.freeram * si.mem_unit;
}

/* argv[1], if given, keeps only the programs whose names end with it
 * (e.g. "-static": one link mode, for the boots that test SMP or the lock
 * checker rather than the loader). */
static int wanted(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = suffix ? strlen(suffix) : 0;
	return n >= k && strcmp(name + n - k, suffix ? suffix : "") == 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* As an init does: /proc, and /dev if the kernel did not mount it. */
static void mount_pseudo(const char *dir, const char *type, const char *probe)
{
	struct stat st;
	if (stat(probe, &st) == 0)
		return;
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) != 0)
		printf("# cannot mount %s on %s\n", type, dir);
}

int main(int argc, char **argv)
{
	const char *suffix = argc > 1 ? argv[1] : NULL;
	static char *names[MAX_TESTS];
	int n = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mount_pseudo("/proc", "proc", "/proc/self");
	mount_pseudo("/dev", "devtmpfs", "/dev/null");
	/* Every Linux system has a world-writable, sticky /tmp; tests use it
	 * whichever of them runs first. */
	mkdir("/tmp", 01777);
	chmod("/tmp", 01777);
	DIR *d = opendir("/tests");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) && n < MAX_TESTS)
			if (e->d_name[0] != '.' && wanted(e->d_name, suffix))
				names[n++] = strdup(e->d_name);
		closedir(d);
	} else {
		/* No getdents yet: the image lists its tests in /tests.list. */
		FILE *f = fopen("/tests.list", "r");
		char line[256];
		while (f && fgets(line, sizeof(line), f) && n < MAX_TESTS) {
			line[strcspn(line, "\n")] = 0;
			if (line[0] && wanted(line, suffix))
				names[n++] = strdup(line);
		}
	}
	qsort(names, n, sizeof(names[0]), cmp);

	printf("KTAP version 1\n1..%d\n", n);
	for (int i = 0; i < n; i++) {
		char path[300];
		snprintf(path, sizeof(path), "/tests/%s", names[i]);
		unsigned long before = free_bytes();
		double t0 = now_s();
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = { path, NULL };
			execv(path, argv);
			printf("    # exec %s failed\n", path);
			_exit(127);
		}
		/* As init, also reap the orphans a test leaves (they are
		 * reparented to us) while waiting for the test itself. */
		int status = 0, r = -1;
		while (pid > 0 && (r = waitpid(-1, &status, 0)) > 0 && r != pid)
			;
		if (pid < 0 || r != pid) {
			printf("not ok %d %s # fork/wait failed\n", i + 1, names[i]);
			failed++;
			continue;
		}
		unsigned long after = free_bytes();
		const char *why = NULL;
		char buf[64];
		if (WIFSIGNALED(status)) {
			snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(status));
			why = buf;
		} else if (WEXITSTATUS(status) != 0) {
			snprintf(buf, sizeof(buf), "exit status %d", WEXITSTATUS(status));
			why = buf;
		} else if (after + LEAK_SLACK < before) {
			snprintf(buf, sizeof(buf), "leaked %lu KiB", (before - after) / 1024);
			why = buf;
		}
		printf("# %s: free memory %lu KiB before, %lu KiB after, %.1f s\n", names[i],
		       before / 1024, after / 1024, now_s() - t0);
		if (why) {
			printf("not ok %d %s # %s\n", i + 1, names[i], why);
			failed++;
		} else {
			printf("ok %d %s\n", i + 1, names[i]);
		}
	}
	printf("# user tests: %d suites, %d failed\n", n, failed);
	return failed ? 1 : 0;
}
