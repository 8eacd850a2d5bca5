/* Helpers shared by the AF_UNIX tests (t_unix*.c). */
#pragma once

#include "utest.h"
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

/* A path or abstract (leading '@' becomes NUL) address; *len its length
 * as bind wants it (path: with the NUL, abstract: exactly the name). */
static inline struct sockaddr_un un_addr(const char *name, socklen_t *len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	memcpy(a.sun_path, name, n);
	if (name[0] == '@') {
		a.sun_path[0] = 0;
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return a;
}

/* A listening socket of type on name, or -1. */
static inline int un_listen(int type, const char *name, int backlog)
{
	socklen_t len;
	struct sockaddr_un a = un_addr(name, &len);
	int fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -1;
	if (name[0] != '@')
		unlink(name);
	if (bind(fd, (struct sockaddr *)&a, len) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A socket of type connected to name: fd or -1 (errno set). */
static inline int un_connect(int type, const char *name)
{
	socklen_t len;
	struct sockaddr_un a = un_addr(name, &len);
	int fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, len)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The poll mask of fd right now (all events asked for). */
static inline int un_revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI |
					       POLLRDNORM | POLLWRNORM | POLLWRBAND };
	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

/* The lowest free descriptor (to see that none leaked). */
static inline int un_next_fd(void)
{
	int fd = dup(0);
	if (fd >= 0)
		close(fd);
	return fd;
}
