/* The dentry cache stays bounded: names removed are freed, and unused
 * names of file systems that can look them up again (procfs here) are
 * evicted past a limit, so the free memory comes back. */
#include "vfs_util.h"
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static long free_kib(void)
{
	struct sysinfo si;
	if (sysinfo(&si) != 0)
		return -1;
	return (long)(si.freeram * si.mem_unit / 1024);
}

UT_CASE(test_create_delete_many)
{
	UT_ASSERT(vfs_enter() == 0);
	char name[32];
	/* Warm the slab caches, then measure. */
	for (int k = 0; k < 200; k++) {
		snprintf(name, sizeof(name), "w%d", k);
		close(open(name, O_WRONLY | O_CREAT, 0644));
		unlink(name);
	}
	long before = free_kib();
	int made = 0;
	double t0 = now_s();
	for (int k = 0; k < 5000; k++) {
		snprintf(name, sizeof(name), "f%d", k);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			break;
		close(fd);
		made++;
	}
	UT_EXPECT_EQ(made, 5000);
	printf("    # created in %.2f s\n", now_s() - t0);
	long full = free_kib();
	UT_EXPECT(full < before);                       /* the names cost memory... */
	for (int k = 0; k < made; k++) {
		snprintf(name, sizeof(name), "f%d", k);
		unlink(name);
	}
	long after = free_kib();
	/* ...which comes back (slab pages kept partly used aside). */
	UT_EXPECT(after + 1024 >= before);
	if (after + 1024 < before)
		printf("    # free KiB: %ld before, %ld full, %ld after\n", before, full, after);
	vfs_leave();
}

/* Each /proc/self/fd/N looked up leaves a dentry and an inode for N;
 * closing N does not remove them (only a later lookup of N finds them
 * stale). 5,000 of them would keep about 4 MiB without eviction, twice
 * the slack allowed. */
UT_CASE(test_unused_evicted)
{
	UT_ASSERT(vfs_proc_ready() == 0);
	const int n = 5000;
	struct rlimit rl = { n + 16, n + 16 };
	UT_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	char path[64];
	struct stat st;
	/* Grow the descriptor table first: its size is not the cache's. */
	UT_ASSERT(dup2(0, n + 8) == n + 8);
	close(n + 8);
	long before = free_kib();
	int seen = 0;
	double t0 = now_s();
	for (int fd = 3; fd < n + 3; fd++) {
		if (dup2(0, fd) != fd)
			break;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		seen += lstat(path, &st) == 0;
		close(fd);
	}
	UT_EXPECT_EQ(seen, n);
	printf("    # looked up in %.2f s\n", now_s() - t0);
	/* The trimming is done by a kernel thread: give it a moment. */
	long after = free_kib();
	for (int i = 0; i < 50 && after + 2048 < before; i++) {
		usleep(100 * 1000);
		after = free_kib();
	}
	UT_EXPECT(after + 2048 >= before);
	if (after + 2048 < before)
		printf("    # free KiB: %ld before, %ld after\n", before, after);
	/* A stale name is found stale. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", n + 2);
	UT_EXPECT_ERR(lstat(path, &st), ENOENT);
}

UT_SUITE("dcache", UT_C(test_unused_evicted), UT_C(test_create_delete_many))
