/*
 * chanctl: the channels and the object space at a glance (docs/channels.md,
 * docs/objspace.md).
 *
 *   chanctl [list]     published channels (name, publisher pid, owner, mode,
 *                      capacity, queued messages, holders): /proc/channels
 *   chanctl own [PID]  ownership statistics: owned, dirty and pending pages
 *                      per process (/proc/objspace), or one process's in
 *                      detail (/proc/PID/objspace)
 *   chanctl info FD    the state of a channel descriptor this shell handed down
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "libgoos/chan.h"

/* Copy a /proc file to standard output. */
static int show(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0 && errno == ENOENT && getpid() == 1) {
		/* Run as init (scripts/run-prog): nothing mounted /proc yet. */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
		fd = open(path, O_RDONLY);
	}
	if (fd < 0) {
		fprintf(stderr, "chanctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) != n)
			return 1;
	close(fd);
	return n < 0;
}

static int info(int fd)
{
	struct goos_chan_info i;
	if (goos_chan_info(fd, &i)) {
		fprintf(stderr, "chanctl: descriptor %d: %s\n", fd, strerror(errno));
		return 1;
	}
	printf("max_msg %u\ncapacity %u\nqueued %u\nclosed %u\nhandles %u\npublished %u\n"
	       "recv_waiting %u\nsend_waiting %u\n", i.max_msg, i.capacity, i.queued, i.closed,
	       i.handles, i.published, i.recv_waiting, i.send_waiting);
	return 0;
}

int main(int argc, char **argv)
{
	char path[64];

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "list")))
		return show("/proc/channels");
	if (argc == 2 && !strcmp(argv[1], "own"))
		return show("/proc/objspace");
	if (argc == 3 && !strcmp(argv[1], "own")) {
		snprintf(path, sizeof(path), "/proc/%d/objspace", atoi(argv[2]));
		return show(path);
	}
	if (argc == 3 && !strcmp(argv[1], "info"))
		return info(atoi(argv[2]));
	fprintf(stderr, "usage: chanctl [list] | chanctl own [PID] | chanctl info FD\n");
	return 2;
}
