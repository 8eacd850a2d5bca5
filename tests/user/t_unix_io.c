/* AF_UNIX data paths: descriptor and credential passing (and descriptors
 * in flight released with their socket), half-close with shutdown,
 * SIGPIPE/EPIPE, MSG_PEEK/WAITALL/DONTWAIT, non-blocking sends on a full
 * buffer, SO_RCVTIMEO/SO_SNDTIMEO, EINTR and SA_RESTART, and poll/epoll
 * readiness as Linux reports it. */
#include "unix_util.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

/* The raw call: musl's sendmsg refuses control data over 1024 bytes. */
static int send_fds(int s, const int *fds, int n, const void *data, size_t len)
{
	char ctl[CMSG_SPACE(sizeof(int) * 256)];
	struct iovec iov = { (void *)data, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
	memset(ctl, 0, sizeof(ctl));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return (int)syscall(SYS_sendmsg, s, &m, 0);
}

/* Receive up to max descriptors into fds: their count, or -1; *flags the
 * message flags. ctlroom: how many the control buffer holds. */
static int recv_fds(int s, int *fds, int ctlroom, int *flags, int rflags)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)];
	char b[16];
	struct iovec iov = { b, sizeof(b) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = ctlroom ? CMSG_SPACE(sizeof(int) * ctlroom) : 0 };
	if (recvmsg(s, &m, rflags) < 0)
		return -1;
	*flags = m.msg_flags;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return 0;
	int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	memcpy(fds, CMSG_DATA(c), sizeof(int) * n);
	return n;
}

UT_CASE(pass_descriptors)
{
	int sv[2], p[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	UT_ASSERT(pipe(p) == 0);
	int inner[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_DGRAM, 0, inner) == 0);
	int fds[3] = { p[1], inner[0], open("/tmp", O_RDONLY | O_DIRECTORY) };
	UT_ASSERT(fds[2] >= 0);
	UT_EXPECT_EQ(send_fds(sv[0], fds, 3, "F", 1), 1);
	int got[8], flags;
	UT_EXPECT_EQ(recv_fds(sv[1], got, 8, &flags, MSG_CMSG_CLOEXEC), 3);
	UT_EXPECT_EQ(flags & MSG_CTRUNC, 0);
	/* The received pipe end, socket and directory work like the sent ones. */
	UT_EXPECT_EQ(write(got[0], "pp", 2), 2);
	char b[4];
	UT_EXPECT_EQ(read(p[0], b, 4), 2);
	UT_EXPECT_EQ(send(got[1], "s", 1, 0), 1);
	UT_EXPECT_EQ(recv(inner[1], b, 4, 0), 1);
	struct stat st;
	UT_EXPECT_EQ(fstat(got[2], &st), 0);
	UT_EXPECT(S_ISDIR(st.st_mode));
	UT_EXPECT_EQ(fcntl(got[0], F_GETFD), FD_CLOEXEC);
	for (int i = 0; i < 3; i++)
		close(got[i]);
	close(fds[2]);

	/* Bad descriptors and too many. */
	int badfd = 999;
	UT_EXPECT_ERR(send_fds(sv[0], &badfd, 1, "x", 1), EBADF);
	int many[254];
	for (int i = 0; i < 254; i++)
		many[i] = p[0];
	UT_EXPECT_ERR(send_fds(sv[0], many, 254, "x", 1), EINVAL);
	UT_EXPECT_EQ(send_fds(sv[0], many, 253, "x", 1), 1);
	/* Room for two: those two come, the rest are closed, MSG_CTRUNC. */
	int before = un_next_fd();
	UT_EXPECT_EQ(recv_fds(sv[1], got, 2, &flags, 0), 2);
	UT_EXPECT(flags & MSG_CTRUNC);
	close(got[0]);
	close(got[1]);
	UT_EXPECT_EQ(un_next_fd(), before);
	/* A plain read drops them too. */
	UT_EXPECT_EQ(send_fds(sv[0], many, 4, "y", 1), 1);
	UT_EXPECT_EQ(read(sv[1], b, 4), 1);
	UT_EXPECT_EQ(un_next_fd(), before);

	/* In flight in a socket that is closed: released (the pipe's reader
	 * sees end of file once no write end is left anywhere). */
	UT_EXPECT_EQ(send_fds(sv[0], &p[1], 1, "z", 1), 1);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	UT_EXPECT_EQ(read(p[0], b, 4), 0);
	close(p[0]);
	close(inner[0]);
	close(inner[1]);
}

UT_CASE(peek_descriptors)
{
	int sv[2], p[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_EQ(send_fds(sv[0], &p[0], 1, "q", 1), 1);
	int a, b, flags;
	UT_EXPECT_EQ(recv_fds(sv[1], &a, 1, &flags, MSG_PEEK), 1);
	UT_EXPECT_EQ(recv_fds(sv[1], &b, 1, &flags, 0), 1);
	UT_EXPECT(a != b);
	close(a);
	close(b);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static int send_creds(int s, pid_t pid, uid_t uid, gid_t gid)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { "c", 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred u = { pid, uid, gid };
	memcpy(CMSG_DATA(c), &u, sizeof(u));
	return (int)sendmsg(s, &m, 0);
}

static int recv_creds(int s, struct ucred *u)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))], b[4];
	struct iovec iov = { b, sizeof(b) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	if (recvmsg(s, &m, 0) < 0)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS ||
	    c->cmsg_len != CMSG_LEN(sizeof(*u)))
		return 0;
	memcpy(u, CMSG_DATA(c), sizeof(*u));
	return 1;
}

UT_CASE(pass_credentials)
{
	int sv[2], one = 1;
	UT_ASSERT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	struct ucred u;
	/* Without SO_PASSCRED nothing is shown. */
	UT_EXPECT_EQ(send(sv[0], "a", 1, 0), 1);
	UT_EXPECT_EQ(recv_creds(sv[1], &u), 0);
	UT_ASSERT(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0);
	UT_EXPECT_EQ(send(sv[0], "a", 1, 0), 1);
	UT_EXPECT_EQ(recv_creds(sv[1], &u), 1);
	UT_EXPECT_EQ(u.pid, getpid());
	UT_EXPECT_EQ(u.uid, getuid());
	UT_EXPECT_EQ(u.gid, getgid());
	/* Root may claim anything. */
	UT_EXPECT_EQ(send_creds(sv[0], 1, 5, 6), 1);
	UT_EXPECT_EQ(recv_creds(sv[1], &u), 1);
	UT_EXPECT_EQ(u.pid, 1);
	UT_EXPECT_EQ(u.uid, 5);
	UT_EXPECT_EQ(u.gid, 6);
	/* Others only their own pid and ids. */
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(3000) || setuid(1000))
			_exit(2);
		if (send_creds(sv[0], getppid(), 1000, 3000) != -1 || errno != EPERM)
			_exit(3);
		if (send_creds(sv[0], getpid(), 0, 3000) != -1 || errno != EPERM)
			_exit(4);
		if (send_creds(sv[0], getpid(), 1000, 0) != -1 || errno != EPERM)
			_exit(5);
		_exit(send_creds(sv[0], getpid(), 1000, 3000) == 1 ? 0 : 6);
	}
	int status;
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT_EQ(status, 0);
	UT_EXPECT_EQ(recv_creds(sv[1], &u), 1);
	UT_EXPECT_EQ(u.pid, pid);
	UT_EXPECT_EQ(u.uid, 1000);
	UT_EXPECT_EQ(u.gid, 3000);
	close(sv[0]);
	close(sv[1]);
}

UT_CASE(half_close)
{
	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	UT_EXPECT_ERR(shutdown(sv[0], 3), EINVAL);
	UT_EXPECT_ERR(shutdown(0 + 999, SHUT_WR), EBADF);
	UT_EXPECT_EQ(write(sv[0], "bye", 3), 3);
	UT_EXPECT_EQ(shutdown(sv[0], SHUT_WR), 0);
	UT_EXPECT_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	/* The other side reads the data, then end of file, and can answer. */
	int ev = un_revents(sv[1]);
	UT_EXPECT_EQ(ev, POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLWRBAND);
	char b[8];
	UT_EXPECT_EQ(read(sv[1], b, 8), 3);
	UT_EXPECT_EQ(read(sv[1], b, 8), 0);
	UT_EXPECT_EQ(write(sv[1], "ok", 2), 2);
	UT_EXPECT_EQ(read(sv[0], b, 8), 2);
	/* Both directions shut: POLLHUP. */
	UT_EXPECT_EQ(shutdown(sv[1], SHUT_WR), 0);
	UT_EXPECT_EQ(un_revents(sv[0]) & (POLLHUP | POLLRDHUP | POLLIN),
		     POLLHUP | POLLRDHUP | POLLIN);
	UT_EXPECT_EQ(read(sv[0], b, 8), 0);
	close(sv[0]);
	close(sv[1]);

	/* SHUT_RD: our reads end, the peer's writes fail. */
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	UT_EXPECT_EQ(shutdown(sv[0], SHUT_RD), 0);
	UT_EXPECT_EQ(read(sv[0], b, 8), 0);
	UT_EXPECT_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[0]);
	close(sv[1]);
}

static volatile int sig_count;
static void on_sig(int sig)
{
	(void)sig;
	sig_count++;
}

UT_CASE(sigpipe)
{
	struct sigaction sa = { .sa_handler = on_sig }, old;
	sigaction(SIGPIPE, &sa, &old);
	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	close(sv[1]);
	sig_count = 0;
	UT_EXPECT_ERR(write(sv[0], "x", 1), EPIPE);
	UT_EXPECT_EQ(sig_count, 1);
	UT_EXPECT_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	UT_EXPECT_EQ(sig_count, 1);
	close(sv[0]);
	/* Unread data when the peer closes: ECONNRESET once, then EOF. */
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	UT_EXPECT_EQ(write(sv[0], "lost", 4), 4);
	close(sv[1]);
	char b[8];
	UT_EXPECT_ERR(read(sv[0], b, 8), ECONNRESET);
	UT_EXPECT_EQ(read(sv[0], b, 8), 0);
	close(sv[0]);
	sigaction(SIGPIPE, &old, NULL);
}

UT_CASE(peek_waitall_dontwait)
{
	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	char b[16] = { 0 };
	UT_EXPECT_ERR(recv(sv[1], b, 4, MSG_DONTWAIT), EAGAIN);
	UT_EXPECT_EQ(write(sv[0], "abc", 3), 3);
	UT_EXPECT_EQ(write(sv[0], "def", 3), 3);
	/* A peek sees across the writes and leaves the data. */
	UT_EXPECT_EQ(recv(sv[1], b, 5, MSG_PEEK), 5);
	UT_EXPECT_EQ(memcmp(b, "abcde", 5), 0);
	UT_EXPECT_EQ(recv(sv[1], b, 2, 0), 2);
	UT_EXPECT_EQ(recv(sv[1], b, 16, MSG_PEEK), 4);
	UT_EXPECT_EQ(memcmp(b, "cdef", 4), 0);
	UT_EXPECT_EQ(recv(sv[1], b, 16, 0), 4);
	/* WAITALL waits for all of it, written in pieces by a child. */
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 4; i++) {
			usleep(5000);
			if (write(sv[0], "wxyz", 4) != 4)
				_exit(1);
		}
		_exit(0);
	}
	UT_EXPECT_EQ(recv(sv[1], b, 16, MSG_WAITALL), 16);
	UT_EXPECT_EQ(memcmp(b + 12, "wxyz", 4), 0);
	int status;
	waitpid(pid, &status, 0);
	/* WAITALL stops early at end of file. */
	UT_EXPECT_EQ(write(sv[0], "12", 2), 2);
	shutdown(sv[0], SHUT_WR);
	UT_EXPECT_EQ(recv(sv[1], b, 16, MSG_WAITALL), 2);
	close(sv[0]);
	close(sv[1]);
}

UT_CASE(nonblocking_full_buffer)
{
	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	int v = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	static char buf[65536];
	long total = 0, r;
	while ((r = write(sv[0], buf, sizeof(buf))) > 0)
		total += r;
	UT_EXPECT_EQ(errno, EAGAIN);
	UT_EXPECT(total > 0);
	UT_EXPECT_EQ(un_revents(sv[0]) & POLLOUT, 0);
	/* Drain: writable again. */
	long got = 0;
	while ((r = read(sv[1], buf, sizeof(buf))) > 0)
		got += r;
	UT_EXPECT_EQ(got, total);
	UT_EXPECT(un_revents(sv[0]) & POLLOUT);
	close(sv[0]);
	close(sv[1]);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

UT_CASE(timeouts)
{
	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	struct timeval tv = { 0, 50000 };
	UT_ASSERT(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char b[4];
	UT_EXPECT_ERR(recv(sv[1], b, 4, 0), EAGAIN);
	long ms = ms_since(&t0);
	UT_EXPECT(ms >= 45 && ms < 1000);
	/* A negative time: do not wait at all. */
	tv.tv_sec = -1;
	UT_ASSERT(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	UT_EXPECT_ERR(recv(sv[1], b, 4, 0), EAGAIN);
	close(sv[0]);
	close(sv[1]);

	/* SO_SNDTIMEO on a full stream. */
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	int v = 4096;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	tv = (struct timeval){ 0, 30000 };
	UT_ASSERT(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0);
	static char big[65536];
	long r;
	while ((r = write(sv[0], big, sizeof(big))) > 0)
		;
	UT_EXPECT_EQ(errno, EAGAIN);
	close(sv[0]);
	close(sv[1]);
}

/* A blocked recv and a signal: restarted with SA_RESTART, EINTR without,
 * and EINTR with SA_RESTART when a receive timeout is set (as Linux). */
static long recv_with_signal(int restart, int timeo)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -100;
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = restart ? SA_RESTART : 0 };
	sigaction(SIGALRM, &sa, NULL);
	if (timeo) {
		struct timeval tv = { 5, 0 };
		setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	pid_t pid = fork();
	if (pid == 0) {
		usleep(150000);
		write(sv[0], "late", 4);
		_exit(0);
	}
	struct itimerval it = { .it_value = { 0, 30000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	sig_count = 0;
	char b[8];
	long r = recv(sv[1], b, sizeof(b), 0);
	long result = r >= 0 ? r : -errno;
	if (sig_count != 1)
		result = -200;
	int status;
	waitpid(pid, &status, 0);
	close(sv[0]);
	close(sv[1]);
	signal(SIGALRM, SIG_DFL);
	return result;
}

UT_CASE(signals_and_restart)
{
	UT_EXPECT_EQ(recv_with_signal(1, 0), 4);
	UT_EXPECT_EQ(recv_with_signal(0, 0), -EINTR);
	UT_EXPECT_EQ(recv_with_signal(1, 1), -EINTR);
}

UT_CASE(poll_readiness)
{
	const int out = POLLOUT | POLLWRNORM | POLLWRBAND;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	UT_EXPECT_EQ(un_revents(s), out | POLLHUP);     /* unconnected */
	close(s);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	UT_EXPECT_EQ(un_revents(d), out);
	close(d);
	int q = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	UT_EXPECT_EQ(un_revents(q), out | POLLHUP);
	close(q);
	/* A closed peer: seqpacket hangs up, a datagram socket does not. */
	int pv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pv) == 0);
	close(pv[1]);
	UT_EXPECT_EQ(un_revents(pv[0]), out | POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP);
	close(pv[0]);
	UT_ASSERT(socketpair(AF_UNIX, SOCK_DGRAM, 0, pv) == 0);
	close(pv[1]);
	UT_EXPECT_EQ(un_revents(pv[0]), out);
	close(pv[0]);
	int l = un_listen(SOCK_STREAM, "@t_unix_io-poll", 4);
	UT_ASSERT(l >= 0);
	UT_EXPECT_EQ(un_revents(l), 0);
	int c = un_connect(SOCK_STREAM, "@t_unix_io-poll");
	UT_EXPECT_EQ(un_revents(l), POLLIN | POLLRDNORM);
	int a = accept(l, NULL, NULL);
	UT_EXPECT_EQ(un_revents(l), 0);
	UT_EXPECT_EQ(un_revents(c), out);
	UT_EXPECT_EQ(write(a, "x", 1), 1);
	UT_EXPECT_EQ(un_revents(c), out | POLLIN | POLLRDNORM);

	/* epoll: EPOLLRDHUP when the peer shuts its writing side, EPOLLHUP
	 * and EPOLLRDHUP when it closes. */
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 7 };
	UT_ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0);
	struct epoll_event got[4];
	UT_EXPECT_EQ(epoll_wait(ep, got, 4, 0), 1);
	UT_EXPECT_EQ(got[0].events, EPOLLIN);
	UT_EXPECT_EQ(epoll_wait(ep, got, 4, 0), 0);     /* edge-triggered */
	shutdown(a, SHUT_WR);
	UT_EXPECT_EQ(epoll_wait(ep, got, 4, 100), 1);
	UT_EXPECT_EQ(got[0].events, EPOLLIN | EPOLLRDHUP);
	close(a);
	UT_EXPECT_EQ(epoll_wait(ep, got, 4, 100), 1);
	UT_EXPECT_EQ(got[0].events, EPOLLIN | EPOLLRDHUP | EPOLLHUP);
	UT_EXPECT_EQ(un_revents(c), out | POLLIN | POLLRDNORM | POLLRDHUP | POLLHUP);

	/* A sleeper in epoll_wait is woken by data from another process. */
	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 9 };
	UT_ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(20000);
		_exit(send(sv[0], "w", 1, 0) == 1 ? 0 : 1);
	}
	UT_EXPECT_EQ(epoll_wait(ep, got, 4, 2000), 1);
	UT_EXPECT_EQ(got[0].data.u32, 9);
	int status;
	waitpid(pid, &status, 0);
	UT_EXPECT_EQ(status, 0);
	close(ep);
	close(sv[0]);
	close(sv[1]);
	close(c);
	close(l);
}

UT_SUITE("unix_io", UT_C(pass_descriptors), UT_C(peek_descriptors), UT_C(pass_credentials),
	 UT_C(half_close), UT_C(sigpipe), UT_C(peek_waitall_dontwait),
	 UT_C(nonblocking_full_buffer), UT_C(timeouts), UT_C(signals_and_restart),
	 UT_C(poll_readiness))
