/*
 * Helpers for the tests that read /proc (t_proc_net, t_netdev): make sure
 * it is mounted (run-prog starts a test as init on a bare root), and read
 * a whole file into a NUL-terminated buffer.
 */
#pragma once

#include <fcntl.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

static inline void proc_mounted(void)
{
	struct stat st;

	if (stat("/proc/net", &st) == 0)
		return;
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
}

/* The file's length (up to size - 1 bytes read), or -1. */
static inline int read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return (int)len;
}
