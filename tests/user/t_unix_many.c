/* Many connections to one AF_UNIX listener: a child process opens 200
 * non-blocking connections at once and talks on all of them, the parent
 * serves them all from one epoll loop (accepting, echoing, closing). */
#include "unix_util.h"
#include <sys/epoll.h>
#include <sys/resource.h>

#define CONNS 200
#define NAME "@t_unix_many"

/* The child: connect CONNS sockets, send each its number, read each echo. */
static int client(void)
{
	static int fds[CONNS];
	for (int i = 0; i < CONNS; i++) {
		fds[i] = un_connect(SOCK_STREAM, NAME);
		if (fds[i] < 0)
			return 10;
	}
	for (int i = 0; i < CONNS; i++)
		if (write(fds[i], &i, sizeof(i)) != sizeof(i))
			return 11;
	for (int i = 0; i < CONNS; i++) {
		int v = -1;
		if (read(fds[i], &v, sizeof(v)) != sizeof(v) || v != i * 2)
			return 12;
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
		close(fd);              /* also leaves the epoll set */
		(*closed)++;
		return 0;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
	printf("    # fd %d: read gave %zd (%s)\n", fd, n, n < 0 ? strerror(errno) : "short");
	return -1;
}

UT_CASE(epoll_server_many_clients)
{
	struct rlimit rl = { 1024, 1024 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int l = un_listen(SOCK_STREAM, NAME, CONNS);
	UT_ASSERT(l >= 0);
	UT_ASSERT(fcntl(l, F_SETFL, O_NONBLOCK) == 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };
	UT_ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(client());
	int accepted = 0, closed = 0, bad = 0;
	while (closed < CONNS && !bad) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, 5000);
		if (n <= 0) {
			printf("    # epoll_wait gave %d (%s)\n", n, n < 0 ? strerror(errno) : "timeout");
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
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT(WIFEXITED(status));
	UT_EXPECT_EQ(WEXITSTATUS(status), 0);
	close(ep);
	close(l);
}

UT_SUITE("unix_many", UT_C(epoll_server_many_clients))
