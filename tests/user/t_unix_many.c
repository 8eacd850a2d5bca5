/* Many connections to one AF_UNIX listener: a child process opens 200
 * non-blocking connections at once and talks on all of them, the parent
 * serves them all from one epoll loop (accepting, echoing, closing). */
#include "unix_util.h"
#include "epoll_echo.h"
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

UT_CASE(epoll_server_many_clients)
{
	struct rlimit rl = { 1024, 1024 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int l = un_listen(SOCK_STREAM, NAME, CONNS);
	UT_ASSERT(l >= 0);
	UT_ASSERT(fcntl(l, F_SETFL, O_NONBLOCK) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(client());
	int accepted, closed;
	int bad = echo_serve(l, CONNS, false, 5000, &accepted, &closed) != 0;
	UT_EXPECT_EQ(bad, 0);
	UT_EXPECT_EQ(accepted, CONNS);
	UT_EXPECT_EQ(closed, CONNS);
	int status;
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT(WIFEXITED(status));
	UT_EXPECT_EQ(WEXITSTATUS(status), 0);
	close(l);
}

UT_SUITE("unix_many", UT_C(epoll_server_many_clients))
