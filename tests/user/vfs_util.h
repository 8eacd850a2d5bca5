/*
 * Helpers for the t_vfs*.c tests: each case works in a fresh directory
 * under /tmp named after the process, removed (recursively) at the end,
 * so the three link modes and repeated runs do not meet.
 */
#pragma once

#include "utest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

static char vfs_dir[64];

/* Remove path and everything below it (errors ignored: cleanup). */
static inline void vfs_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	chmod(path, 0700);
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			size_t n = strlen(path) + strlen(e->d_name) + 2;
			char *sub = malloc(n);
			if (!sub)
				break;
			strcpy(sub, path);
			strcat(sub, "/");
			strcat(sub, e->d_name);
			vfs_rm_rf(sub);
			free(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Make and enter a scratch directory; returns 0 on success. */
static inline int vfs_enter(void)
{
	mkdir("/tmp", 01777);
	snprintf(vfs_dir, sizeof(vfs_dir), "/tmp/vfs-%d", (int)getpid());
	vfs_rm_rf(vfs_dir);
	if (mkdir(vfs_dir, 0755) != 0 || chdir(vfs_dir) != 0)
		return -1;
	return 0;
}

static inline void vfs_leave(void)
{
	chdir("/");
	vfs_rm_rf(vfs_dir);
}

/* Write a whole string to a new file. */
static inline int vfs_put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Run fn in a child with uid/gid 1000 (after root set things up); the
 * child's failures become the parent's. */
static inline void vfs_as_user(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(1000) != 0 || setuid(1000) != 0)
			_exit(99);
		ut_failures = 0;
		fn();
		fflush(stdout);
		_exit(ut_failures ? 1 : 0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		UT_FAIL("child as uid 1000 failed (status %#x)", st);
}

/* /proc mounted (the runner may not have): 0 or -1. */
static inline int vfs_proc_ready(void)
{
	struct stat st;
	if (stat("/proc/self", &st) == 0)
		return 0;
	mkdir("/proc", 0555);
	if (mount("proc", "/proc", "proc", 0, NULL) && errno != EBUSY)
		return -1;
	return stat("/proc/self", &st);
}

/* The whole file into buf (NUL-terminated): its length or -1 (errno). */
static inline long vfs_slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while (n < (long)size - 1 && (r = read(fd, buf + n, size - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	return n;
}
