/* Helpers shared by the AF_INET tests (t_inet*.c); loopback only. */
#pragma once

#include "utest.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

static inline struct sockaddr_in in_addr_lo(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return a;
}

/* The port a socket is bound to, or -1. */
static inline int in_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	return ntohs(a.sin_port);
}

/* A TCP listener on 127.0.0.1 and an ephemeral port (*port), or -1. */
static inline int in_listen(int *port, int backlog)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = in_addr_lo(0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	*port = in_port(fd);
	return fd;
}

/* A blocking connection to 127.0.0.1:port, or -1. */
static inline int in_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = in_addr_lo(port);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connected pair through a listener: *c the client, *s the accepted end. */
static inline int in_pair(int *c, int *s)
{
	int port, l = in_listen(&port, 4);
	if (l < 0)
		return -1;
	*c = in_connect(port);
	*s = *c >= 0 ? accept(l, NULL, NULL) : -1;
	close(l);
	if (*s < 0) {
		if (*c >= 0)
			close(*c);
		return -1;
	}
	return 0;
}

static inline int poll_events(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);
	return n < 0 ? -1 : n == 0 ? 0 : p.revents;
}
