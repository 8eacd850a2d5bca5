/* A TCP client for the network boots (scripts/testrun.py NET_PROG_BOOTS):
 * connects through a real NIC to the host's echo server (ADDR PORT, e.g.
 * 10.0.2.2 and the port testrun.py's echo_server() chose), non-blocking
 * with poll for POLLOUT and SO_ERROR as a browser would, then sends
 * 2 MiB of a pattern while reading the echo back, and compares hashes.
 * Prints "inet_echo: ok BYTES" and exits 0 on success. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOTAL (2u << 20)

static unsigned fnv(unsigned h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 13 + i / 509);
}

static int fail(const char *what)
{
	printf("inet_echo: FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: inet_echo ADDR PORT\n");
		return 2;
	}
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
	if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1)
		return 2;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail("socket");
	/* DHCP runs in the background: until it is done there is no route */
	int r, tries = 0;
	while ((r = connect(fd, (struct sockaddr *)&a, sizeof(a))) < 0 && errno == ENETUNREACH &&
	       tries++ < 300)
		usleep(100000);
	if (tries)
		printf("inet_echo: no route for %d tries (DHCP)\n", tries);
	if (r == 0 || errno != EINPROGRESS)
		return fail("connect (wanted EINPROGRESS)");
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, 30000) != 1)
		return fail("poll for the connection");
	int err = -1;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		errno = err;
		return fail("SO_ERROR");
	}
	struct sockaddr_in me;
	len = sizeof(me);
	if (getsockname(fd, (struct sockaddr *)&me, &len))
		return fail("getsockname");
	printf("inet_echo: connected from %s:%d\n", inet_ntoa(me.sin_addr), ntohs(me.sin_port));

	static unsigned char out[65536], in[65536];
	size_t sent = 0, got = 0;
	unsigned hs = 2166136261u, hr = 2166136261u;
	while (got < TOTAL) {
		struct pollfd q = { .fd = fd, .events = POLLIN | (sent < TOTAL ? POLLOUT : 0) };
		if (poll(&q, 1, 30000) != 1)
			return fail("poll");
		if (q.revents & (POLLERR | POLLHUP))
			return fail("connection lost");
		if ((q.revents & POLLOUT) && sent < TOTAL) {
			size_t n = TOTAL - sent < sizeof(out) ? TOTAL - sent : sizeof(out);
			for (size_t i = 0; i < n; i++)
				out[i] = pattern(sent + i);
			ssize_t w = send(fd, out, n, MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN)
				return fail("send");
			if (w > 0) {
				hs = fnv(hs, out, (size_t)w);
				sent += (size_t)w;
			}
		}
		if (q.revents & POLLIN) {
			ssize_t r = recv(fd, in, sizeof(in), 0);
			if (r == 0) {
				errno = 0;
				return fail("early end of file");
			}
			if (r < 0 && errno != EAGAIN)
				return fail("recv");
			if (r > 0) {
				hr = fnv(hr, in, (size_t)r);
				got += (size_t)r;
			}
		}
	}
	if (hs != hr) {
		printf("inet_echo: FAIL hash %08x sent, %08x echoed\n", hs, hr);
		return 1;
	}
	if (shutdown(fd, SHUT_WR))
		return fail("shutdown");
	fcntl(fd, F_SETFL, 0);
	char c;
	if (read(fd, &c, 1) != 0)
		return fail("end of file after shutdown");
	close(fd);
	printf("inet_echo: ok %u\n", TOTAL);
	return 0;
}
