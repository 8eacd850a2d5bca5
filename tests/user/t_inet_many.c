/* Many TCP connections over loopback: a child process opens 1000
 * connections to one listener and keeps them all open while it talks on
 * each; the parent serves them all from one epoll loop (accepting,
 * echoing doubled numbers, closing on end of file with a reset). */
#include "inet_util.h"
#include "epoll_echo.h"
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

UT_CASE(epoll_server_1000_clients)
{
	struct rlimit rl = { CONNS + 64, CONNS + 64 };
	UT_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	int port, l = in_listen(&port, 128);
	UT_ASSERT(l >= 0);
	UT_ASSERT(fcntl(l, F_SETFL, O_NONBLOCK) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(client(port));
	int accepted, closed;
	int bad = echo_serve(l, CONNS, true, 60000, &accepted, &closed) != 0;
	UT_EXPECT_EQ(bad, 0);
	UT_EXPECT_EQ(accepted, CONNS);
	UT_EXPECT_EQ(closed, CONNS);
	int status;
	if (bad)
		kill(pid, SIGKILL);
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT(WIFEXITED(status));
	UT_EXPECT_EQ(WEXITSTATUS(status), 0);
	close(l);
}

UT_SUITE("inet_many", UT_C(epoll_server_1000_clients))
