/*
 * The epoll echo server of t_unix_many and t_inet_many: one loop accepts
 * connections on a non-blocking listener, answers each int a client sends
 * with its double, and closes a connection at its end of file (with a
 * reset, SO_LINGER {1, 0}, if asked: TCP then leaves nothing in TIME-WAIT).
 */
#pragma once

#include "utest.h"
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>

/* One ready descriptor: accept on the listener, else echo or close. */
static int echo_serve_one(int ep, int l, int fd, bool reset, int *accepted, int *closed)
{
	if (fd == l) {
		int a;
		while ((a = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
			struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = a };
			if (epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev))
				return -1;
			(*accepted)++;
		}
		if (errno == EAGAIN)
			return 0;
		printf("    # accept4: %s\n", strerror(errno));
		return -1;
	}
	int v;
	ssize_t n = read(fd, &v, sizeof(v));
	if (n == sizeof(v)) {
		v *= 2;
		ssize_t w = write(fd, &v, sizeof(v));
		if (w != sizeof(v))
			printf("    # fd %d: write gave %zd (%s)\n", fd, w, strerror(errno));
		return w == sizeof(v) ? 0 : -1;
	}
	if (n == 0) {
		struct linger lg = { 1, 0 };
		if (reset && setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			return -1;
		close(fd);              /* also leaves the epoll set */
		(*closed)++;
		return 0;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
	printf("    # fd %d: read gave %zd (%s)\n", fd, n, n < 0 ? strerror(errno) : "short");
	return -1;
}

/* Serve on the non-blocking listener l until nconns connections have come
 * and gone; timeout_ms bounds each wait (only a hang should reach it).
 * 0, or -1 after saying why. */
static int echo_serve(int l, int nconns, bool reset, int timeout_ms, int *accepted, int *closed)
{
	int ep = epoll_create1(0), bad = 0;
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };

	*accepted = *closed = 0;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev))
		return -1;
	while (*closed < nconns && !bad) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, timeout_ms);
		if (n <= 0) {
			printf("    # epoll_wait gave %d (%s), %d accepted, %d closed\n", n,
			       n < 0 ? strerror(errno) : "timeout", *accepted, *closed);
			bad = 1;
			break;
		}
		for (int i = 0; i < n && !bad; i++)
			bad = echo_serve_one(ep, l, evs[i].data.fd, reset, accepted, closed) != 0;
	}
	close(ep);
	return bad ? -1 : 0;
}
