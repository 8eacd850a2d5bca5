/* Channels: create, send and receive (buffered and unbuffered), EAGAIN,
 * timeouts, EINTR, Go's close (drain, then the end; EPIPE), the end when
 * no one else holds the channel, descriptors in messages (a channel of
 * channels), fork inheritance, close-on-exec, poll/epoll and every errno
 * path of the calls (docs/channels.md). */
#include "chan_util.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/epoll.h>

extern char **environ;

/* Exec'd with UT_FD_CHECK=<fd>: exit 0 if that descriptor is closed. */
__attribute__((constructor)) static void fd_check_helper(void)
{
	const char *fd = getenv("UT_FD_CHECK");
	if (!fd)
		return;
	struct goos_chan_info info;
	_exit(goos_chan_info(atoi(fd), &info) == -1 && errno == EBADF ? 0 : 1);
}

UT_CASE(test_buffered_fifo_and_eagain)
{
	int ch = goos_chan_create(sizeof(int), 3, 0);
	UT_ASSERT(ch >= 0);
	pid_t holder = ct_holder();
	for (int i = 1; i <= 3; i++)
		UT_EXPECT_EQ(ct_send_int(ch, i), 0);
	struct goos_msg m = goos_msg_bytes(&(int){ 4 }, sizeof(int));
	UT_EXPECT_ERR(goos_chan_send(ch, &m, GOOS_CHAN_DONTWAIT, NULL), EAGAIN);
	struct goos_chan_info info;
	UT_EXPECT_EQ(goos_chan_info(ch, &info), 0);
	UT_EXPECT_EQ(info.queued, 3);
	UT_EXPECT_EQ(info.capacity, 3);
	UT_EXPECT_EQ(info.max_msg, sizeof(int));
	for (int i = 1; i <= 3; i++)
		UT_EXPECT_EQ(ct_recv_int(ch), i);
	int v;
	m = goos_msg_bytes(&v, sizeof(v));
	UT_EXPECT_ERR(goos_chan_recv(ch, &m, GOOS_CHAN_DONTWAIT, NULL), EAGAIN);
	ct_holder_end(holder);
	/* Alone now: the receive ends instead of failing or blocking. */
	UT_EXPECT_EQ(goos_chan_recv(ch, &m, GOOS_CHAN_DONTWAIT, NULL), 0);
	close(ch);
}

UT_CASE(test_nonblock_flag_and_timeout)
{
	int ch = goos_chan_create(8, 0, GOOS_CHAN_NONBLOCK);
	UT_ASSERT(ch >= 0);
	int ch2 = goos_chan_create(8, 0, 0);
	pid_t holder = ct_holder();
	int v;
	struct goos_msg m = goos_msg_bytes(&v, sizeof(v));
	UT_EXPECT_ERR(goos_chan_recv(ch, &m, 0, NULL), EAGAIN);
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0, NULL), EAGAIN);
	close(ch);
	ch = ch2;
	struct timespec ts = { 0, 50 * 1000000 };
	uint64_t t0 = ct_now_ns();
	UT_EXPECT_ERR(goos_chan_recv(ch, &m, 0, &ts), ETIMEDOUT);
	UT_EXPECT(ct_now_ns() - t0 >= 50 * 1000000ull);
	t0 = ct_now_ns();
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0, &ts), ETIMEDOUT);
	UT_EXPECT(ct_now_ns() - t0 >= 50 * 1000000ull);
	struct timespec bad = { 0, 1000000000 };
	UT_EXPECT_ERR(goos_chan_recv(ch, &m, 0, &bad), EINVAL);
	ct_holder_end(holder);
	close(ch);
}

UT_CASE(test_message_sizes_and_truncation)
{
	int ch = goos_chan_create(16, 2, 0);
	UT_ASSERT(ch >= 0);
	char big[17] = "0123456789abcdef";
	struct goos_msg m = goos_msg_bytes(big, 17);
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0, NULL), EMSGSIZE);
	m = goos_msg_bytes(big, 16);
	UT_EXPECT_EQ(goos_chan_send(ch, &m, 0, NULL), 0);
	m = goos_msg_bytes(NULL, 0);    /* an empty message is a message */
	UT_EXPECT_EQ(goos_chan_send(ch, &m, 0, NULL), 0);
	char got[8] = { 0 };
	m = goos_msg_bytes(got, 8);
	UT_EXPECT_EQ(goos_chan_recv(ch, &m, 0, NULL), 1);
	UT_EXPECT_EQ(m.len, 16);
	UT_EXPECT(m.flags & GOOS_MSG_TRUNC);
	UT_EXPECT(!memcmp(got, "01234567", 8));
	m = goos_msg_bytes(got, 8);
	UT_EXPECT_EQ(goos_chan_recv(ch, &m, 0, NULL), 1);
	UT_EXPECT_EQ(m.len, 0);
	UT_EXPECT_EQ(m.flags, 0);
	close(ch);
}

UT_CASE(test_errors)
{
	UT_EXPECT_ERR(goos_chan_create(GOOS_CHAN_MAX_MSG + 1, 1, 0), EINVAL);
	UT_EXPECT_ERR(goos_chan_create(8, GOOS_CHAN_MAX_CAP + 1, 0), EINVAL);
	UT_EXPECT_ERR(goos_chan_create(8, 1, 1), EINVAL);
	int v = 0;
	struct goos_msg m = goos_msg_bytes(&v, sizeof(v));
	UT_EXPECT_ERR(goos_chan_send(-1, &m, 0, NULL), EBADF);
	UT_EXPECT_ERR(goos_chan_recv(9999, &m, 0, NULL), EBADF);
	UT_EXPECT_ERR(goos_chan_send(0, &m, 0, NULL), EINVAL);  /* not a channel */
	UT_EXPECT_ERR(goos_chan_close(0), EINVAL);
	int ch = goos_chan_create(8, 1, 0);
	UT_ASSERT(ch >= 0);
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0x1000, NULL), EINVAL);
	UT_EXPECT_ERR(goos_chan_send(ch, (void *)8, 0, NULL), EFAULT);
	m.data = 8;
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0, NULL), EFAULT);
	m = goos_msg_bytes(&v, sizeof(v));
	m.nfds = GOOS_MSG_MAX_FDS + 1;
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0, NULL), EINVAL);
	int badfd = 9999;
	m.nfds = 1;
	m.fds = (uintptr_t)&badfd;
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0, NULL), EBADF);
	m.fds = (uintptr_t)&ch;        /* a channel in itself */
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0, NULL), EINVAL);
	char b[4];
	UT_EXPECT_ERR(read(ch, b, 4), EINVAL);
	UT_EXPECT_ERR(write(ch, b, 4), EINVAL);
	struct goos_chan_info info;
	UT_EXPECT_EQ(goos_chan_info(ch, &info), 0);
	UT_EXPECT_EQ(info.queued, 0);  /* nothing half-sent stayed */
	close(ch);
}

UT_CASE(test_close_drains_then_ends)
{
	int ch = goos_chan_create(sizeof(int), 4, 0);
	UT_ASSERT(ch >= 0);
	UT_EXPECT_EQ(ct_send_int(ch, 7), 0);
	UT_EXPECT_EQ(ct_send_int(ch, 8), 0);
	UT_EXPECT_EQ(goos_close(ch), 0);
	UT_EXPECT_ERR(goos_close(ch), EPIPE);
	UT_EXPECT_ERR(ct_send_int(ch, 9), EPIPE);
	UT_EXPECT_EQ(ct_recv_int(ch), 7);
	UT_EXPECT_EQ(ct_recv_int(ch), 8);
	UT_EXPECT_EQ(ct_recv_int(ch), -1);
	UT_EXPECT_EQ(ct_recv_int(ch), -1);
	close(ch);
}

/* Poll chan_info until n tasks block on ch (recv or send side). */
static int wait_blocked(int ch, bool recv, unsigned n)
{
	struct goos_chan_info info;
	for (int i = 0; i < 2000; i++) {
		if (goos_chan_info(ch, &info))
			return -1;
		if ((recv ? info.recv_waiting : info.send_waiting) == n)
			return 0;
		usleep(1000);
	}
	return -1;
}

/* A blocked receiver sees the end, a blocked sender EPIPE, at close. */
UT_CASE(test_close_wakes_blocked)
{
	int rch = goos_chan_create(sizeof(int), 0, 0);
	int sch = goos_chan_create(sizeof(int), 1, 0);
	UT_ASSERT(rch >= 0 && sch >= 0);
	UT_EXPECT_EQ(ct_send_int(sch, 1), 0);   /* full */
	pid_t r = fork();
	if (r == 0)
		_exit(ct_recv_int(rch) == -1 ? 0 : 1);
	pid_t s = fork();
	if (s == 0)
		_exit(ct_send_int(sch, 2) == -1 && errno == EPIPE ? 0 : 2);
	UT_EXPECT_EQ(wait_blocked(rch, true, 1), 0);
	UT_EXPECT_EQ(wait_blocked(sch, false, 1), 0);
	UT_EXPECT_EQ(goos_close(rch), 0);
	UT_EXPECT_EQ(goos_close(sch), 0);
	UT_EXPECT_EQ(ct_wait(r), 0);
	UT_EXPECT_EQ(ct_wait(s), 0);
	UT_EXPECT_EQ(ct_recv_int(sch), 1);      /* what was buffered still drains */
	UT_EXPECT_EQ(ct_recv_int(sch), -1);
	close(rch);
	close(sch);
}

/* Unbuffered: the send returns only once a receiver took the message. */
UT_CASE(test_rendezvous)
{
	int ch = goos_chan_create(sizeof(uint64_t), 0, 0);
	UT_ASSERT(ch >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		uint64_t t = ct_now_ns();
		bool ok;
		uint64_t sent = 0;
		goos_recv(ch, &sent, sizeof(sent), &ok);
		/* the sender stamped its start; we received after our sleep */
		_exit(ok && t - sent >= 90000000ull ? 0 : 1);
	}
	uint64_t t0 = ct_now_ns();
	UT_EXPECT_EQ(goos_send(ch, &t0, sizeof(t0)), 0);
	UT_EXPECT(ct_now_ns() - t0 >= 90000000ull);
	UT_EXPECT_EQ(ct_wait(pid), 0);
	close(ch);
}

/* Receiving on a channel no one else holds ends instead of blocking, at
 * once or when the last other holder goes away. */
UT_CASE(test_end_when_alone)
{
	int ch = goos_chan_create(sizeof(int), 1, 0);
	UT_ASSERT(ch >= 0);
	UT_EXPECT_EQ(ct_recv_int(ch), -1);
	int dup_ch = dup(ch);           /* still only this process */
	UT_EXPECT_EQ(ct_recv_int(ch), -1);
	close(dup_ch);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		ct_send_int(ch, 42);
		usleep(50000);
		_exit(0);               /* its descriptor goes with it */
	}
	UT_EXPECT_EQ(ct_recv_int(ch), 42);
	uint64_t t0 = ct_now_ns();
	UT_EXPECT_EQ(ct_recv_int(ch), -1);
	UT_EXPECT(ct_now_ns() - t0 >= 20000000ull);
	UT_EXPECT_EQ(ct_wait(pid), 0);
	close(ch);
}

static void on_alarm(int sig)
{
	(void)sig;
}

UT_CASE(test_eintr)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	int ch = goos_chan_create(8, 0, 0);
	UT_ASSERT(ch >= 0);
	int keep = dup(ch);
	pid_t pid = fork();            /* another holder, so the receive blocks */
	if (pid == 0) {
		pause();
		_exit(0);
	}
	int v;
	struct goos_msg m = goos_msg_bytes(&v, sizeof(v));
	ualarm(30000, 0);
	UT_EXPECT_ERR(goos_chan_recv(ch, &m, 0, NULL), EINTR);
	ualarm(30000, 0);
	UT_EXPECT_ERR(goos_chan_send(ch, &m, 0, NULL), EINTR);
	struct goos_select_case c = { .fd = ch, .op = GOOS_SELECT_RECV, .msg = (uintptr_t)&m };
	ualarm(30000, 0);
	UT_EXPECT_ERR(goos_chan_select(&c, 1, 0, NULL), EINTR);
	kill(pid, SIGKILL);
	ct_wait(pid);
	signal(SIGALRM, SIG_DFL);
	close(keep);
	close(ch);
}

/* A channel of channels: a subscriber sends its own channel; the server
 * replies on it (the GoOS keyboard pattern). */
UT_CASE(test_channel_of_channels)
{
	int server = goos_chan_create(0, 1, 0);
	UT_ASSERT(server >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		int reply = goos_recv_fd(server);
		if (reply < 0)
			_exit(1);
		_exit(ct_send_int(reply, 1234) == 0 ? 0 : 2);
	}
	int mine = goos_chan_create(sizeof(int), 1, 0);
	UT_EXPECT_EQ(goos_send_fd(server, mine), 0);
	UT_EXPECT_EQ(ct_recv_int(mine), 1234);
	UT_EXPECT_EQ(ct_wait(pid), 0);
	/* Descriptors of any kind travel too; excess ones are cut (CTRUNC). */
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	int two[2] = { p[1], mine };
	struct goos_msg m = { .fds = (uintptr_t)two, .nfds = 2 };
	UT_EXPECT_EQ(goos_chan_send(server, &m, 0, NULL), 0);
	close(p[1]);
	int got = -1;
	m = (struct goos_msg){ .fds = (uintptr_t)&got, .nfds = 1 };
	UT_EXPECT_EQ(goos_chan_recv(server, &m, 0, NULL), 1);
	UT_EXPECT_EQ(m.nfds, 1);
	UT_EXPECT(m.flags & GOOS_MSG_CTRUNC);
	UT_EXPECT_EQ(write(got, "x", 1), 1);
	char c;
	UT_EXPECT_EQ(read(p[0], &c, 1), 1);
	close(got);
	close(p[0]);
	close(mine);
	close(server);
}

/* A message destroyed unreceived releases its descriptors. */
UT_CASE(test_destroyed_message_releases_fds)
{
	int ch = goos_chan_create(0, 1, 0);
	int p[2];
	UT_ASSERT(ch >= 0 && pipe(p) == 0);
	struct goos_msg m = { .fds = (uintptr_t)&p[1], .nfds = 1 };
	UT_EXPECT_EQ(goos_chan_send(ch, &m, 0, NULL), 0);
	close(p[1]);
	close(ch);                      /* the queued message goes, with its pipe end */
	char c;
	UT_EXPECT_EQ(read(p[0], &c, 1), 0);     /* EOF: no writer left */
	close(p[0]);
}

UT_CASE(test_fork_inherits)
{
	int ch = goos_chan_create(sizeof(int), 4, 0);
	UT_ASSERT(ch >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		int bad = 0;
		for (int i = 0; i < 4; i++)
			bad |= ct_send_int(ch, i * i);
		_exit(bad ? 1 : 0);
	}
	for (int i = 0; i < 4; i++)
		UT_EXPECT_EQ(ct_recv_int(ch), i * i);
	UT_EXPECT_EQ(ct_wait(pid), 0);
	close(ch);
}

static int exec_fd_check(int fd)
{
	pid_t pid = fork();
	if (pid == 0) {
		char env[32];
		snprintf(env, sizeof(env), "UT_FD_CHECK=%d", fd);
		char *argv[] = { "t_chan", NULL }, *envp[] = { env, NULL };
		execve((const char *)getauxval(AT_EXECFN), argv, envp);
		_exit(127);
	}
	return ct_wait(pid);
}

UT_CASE(test_cloexec)
{
	int keep = goos_chan_create(8, 1, 0), gone = goos_chan_create(8, 1, GOOS_CHAN_CLOEXEC);
	UT_ASSERT(keep >= 0 && gone >= 0);
	UT_EXPECT(fcntl(gone, F_GETFD) & FD_CLOEXEC);
	UT_EXPECT(!(fcntl(keep, F_GETFD) & FD_CLOEXEC));
	UT_EXPECT_EQ(exec_fd_check(gone), 0);
	UT_EXPECT_EQ(exec_fd_check(keep), 1);
	close(keep);
	close(gone);
}

UT_CASE(test_poll)
{
	int ch = goos_chan_create(sizeof(int), 1, 0);
	UT_ASSERT(ch >= 0);
	struct pollfd p = { .fd = ch, .events = POLLIN | POLLOUT };
	UT_EXPECT_EQ(poll(&p, 1, 0), 1);
	UT_EXPECT_EQ(p.revents, POLLOUT);
	ct_send_int(ch, 1);
	UT_EXPECT_EQ(poll(&p, 1, 0), 1);
	UT_EXPECT_EQ(p.revents, POLLIN);        /* full: not writable */
	ct_recv_int(ch);
	goos_close(ch);
	UT_EXPECT_EQ(poll(&p, 1, 0), 1);
	UT_EXPECT_EQ(p.revents, POLLIN | POLLOUT | POLLHUP);
	close(ch);

	/* Unbuffered: writable only while a receiver waits; a poll sleeping
	 * for input wakes when a sender arrives. */
	ch = goos_chan_create(sizeof(int), 0, 0);
	p.fd = ch;
	p.events = POLLOUT;
	UT_EXPECT_EQ(poll(&p, 1, 0), 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(30000);
		_exit(ct_send_int(ch, 5) ? 1 : 0);
	}
	p.events = POLLIN;
	UT_EXPECT_EQ(poll(&p, 1, 2000), 1);
	UT_EXPECT_EQ(p.revents, POLLIN);
	UT_EXPECT_EQ(ct_recv_int(ch), 5);
	UT_EXPECT_EQ(ct_wait(pid), 0);
	close(ch);
}

UT_CASE(test_epoll)
{
	int ch = goos_chan_create(sizeof(int), 2, 0);
	int ep = epoll_create1(0);
	UT_ASSERT(ch >= 0 && ep >= 0);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 77 };
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, ch, &ev), 0);
	UT_EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(30000);
		_exit(ct_send_int(ch, 9) ? 1 : 0);
	}
	UT_EXPECT_EQ(epoll_wait(ep, &ev, 1, 2000), 1);
	UT_EXPECT_EQ(ev.data.u32, 77);
	UT_EXPECT_EQ(ev.events, EPOLLIN);
	UT_EXPECT_EQ(ct_recv_int(ch), 9);
	UT_EXPECT_EQ(ct_wait(pid), 0);
	close(ep);
	close(ch);
}

UT_SUITE("chan", UT_C(test_buffered_fifo_and_eagain), UT_C(test_nonblock_flag_and_timeout),
	 UT_C(test_message_sizes_and_truncation), UT_C(test_errors),
	 UT_C(test_close_drains_then_ends), UT_C(test_close_wakes_blocked), UT_C(test_rendezvous),
	 UT_C(test_end_when_alone), UT_C(test_eintr), UT_C(test_channel_of_channels),
	 UT_C(test_destroyed_message_releases_fds), UT_C(test_fork_inherits), UT_C(test_cloexec),
	 UT_C(test_poll), UT_C(test_epoll))
