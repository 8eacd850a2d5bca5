/* Many TCP connections over loopback: a child process opens 1000
 * connections to one listener and keeps them all open while it talks on
 * each; the parent serves them all from one epoll loop (accepting,
 * echoing doubled numbers, closing on end of file with a reset). */
#include "inet_util.h"
#include <sys/epoll.h>
#include <signal.h>
#include <sys/resource.h>

#define CONNS 1000

static int client(int port)
{
	static int fds[CONNS];
	for (int i = 0; i < CONNS; i++) {
		fds[i] = in_connect(port);
		if (fds[i] < 0) {
			printf("    # connect %d: %s\n", i, strerror(errno));
			return 10;
		}
	}
	for (int i = 0; i < CONNS; i++)
		if (write(fds[i], &i, sizeof(i)) != sizeof(i))
			return 11;
	for (int i = 0; i < CONNS; i++) {
		int v = -1;
		if (recv(fds[i], &v, sizeof(v), MSG_WAITALL) != sizeof(v) || v != i * 2) {
			printf("    # conn %d: read %d (%s)\n", i, v, strerror(errno));
			return 12;
		}
	}
	/* Half-close; the server closes with a reset (SO_LINGER {1, 0}) so
	 * that no connection is left in TIME-WAIT holding memory. */
	for (int i = 0; i < CONNS; i++)
		if (shutdown(fds[i], SHUT_WR))
			return 13;
	for (int i = 0; i < CONNS; i++) {
		char c;
		ssize_t n = read(fds[i], &c, 1);
		if (n != 0 && !(n < 0 && errno == ECONNRESET)) {
			printf("    # conn %d: last read %zd (%s)\n", i, n, strerror(errno));
			return 14;
		}
		close(fds[i]);
	}
	return 0;
}

/* One ready descriptor: accept on the listener, else echo or close. */
static int serve_one(int ep, int l, int fd, int *accepted, int *closed)
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
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
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

UT_CASE(epoll_server_1000_clients)
{
	struct rlimit rl = { CONNS + 64, CONNS + 64 };
	UT_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	int port, l = in_listen(&port, 128);
	UT_ASSERT(l >= 0);
	UT_ASSERT(fcntl(l, F_SETFL, O_NONBLOCK) == 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };
	UT_ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(client(port));
	int accepted = 0, closed = 0, bad = 0;
	while (closed < CONNS && !bad) {
		struct epoll_event evs[64];
		/* a long bound: only a hang ends here */
		int n = epoll_wait(ep, evs, 64, 60000);
		if (n <= 0) {
			printf("    # epoll_wait gave %d (%s), %d accepted, %d closed\n", n,
			       n < 0 ? strerror(errno) : "timeout", accepted, closed);
			bad = 1;
			break;
		}
		for (int i = 0; i < n && !bad; i++)
			bad = serve_one(ep, l, evs[i].data.fd, &accepted, &closed) != 0;
	}
	UT_EXPECT_EQ(bad, 0);
	UT_EXPECT_EQ(accepted, CONNS);
	UT_EXPECT_EQ(closed, CONNS);
	int status;
	if (bad)
		kill(pid, SIGKILL);
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT(WIFEXITED(status));
	UT_EXPECT_EQ(WEXITSTATUS(status), 0);
	close(ep);
	close(l);
}

UT_SUITE("inet_many", UT_C(epoll_server_1000_clients))
