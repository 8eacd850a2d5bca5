/* AF_INET over loopback: creation, names, errnos, connect (blocking and
 * not), accept4 flags, transfers, half-close, SIGPIPE/EPIPE, resets,
 * timeouts, signals, options, poll/epoll readiness, UDP, ICMP. The
 * expectations were checked by running this program on Linux. */
#include "inet_util.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>

static volatile sig_atomic_t got_sig;

static void on_sig(int sig)
{
	(void)sig;
	got_sig++;
}

static void set_handler(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

UT_CASE(test_create)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	UT_ASSERT(fd >= 0);
	int v = -1;
	socklen_t len = sizeof(v);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), 0);
	UT_EXPECT_EQ(v, SOCK_STREAM);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
	UT_EXPECT_EQ(v, IPPROTO_TCP);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
	UT_EXPECT_EQ(v, AF_INET);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len), 0);
	UT_EXPECT_EQ(v, 0);
	/* an unconnected TCP socket: POLLOUT | POLLHUP, as Linux */
	UT_EXPECT_EQ(poll_events(fd, POLLIN | POLLOUT, 0), POLLOUT | POLLHUP);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	UT_EXPECT(fd >= 0);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
	UT_EXPECT_EQ(v, IPPROTO_UDP);
	close(fd);
	UT_EXPECT_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	UT_EXPECT_ERR(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
	UT_EXPECT_ERR(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
}

UT_CASE(test_bind_errors)
{
	int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
	UT_ASSERT(a >= 0 && b >= 0);
	struct sockaddr_in sin = in_addr_lo(0);
	UT_EXPECT_ERR(bind(a, (struct sockaddr *)&sin, sizeof(sin) - 1), EINVAL);
	sin.sin_family = AF_UNIX;
	UT_EXPECT_ERR(bind(a, (struct sockaddr *)&sin, sizeof(sin)), EAFNOSUPPORT);
	sin = in_addr_lo(0);
	sin.sin_addr.s_addr = inet_addr("192.0.2.1");   /* TEST-NET-1: not ours */
	UT_EXPECT_ERR(bind(a, (struct sockaddr *)&sin, sizeof(sin)), EADDRNOTAVAIL);
	sin = in_addr_lo(0);
	UT_EXPECT_EQ(bind(a, (struct sockaddr *)&sin, sizeof(sin)), 0);
	int port = in_port(a);
	UT_EXPECT(port > 0);
	UT_EXPECT_ERR(bind(a, (struct sockaddr *)&sin, sizeof(sin)), EINVAL);
	sin.sin_port = htons((uint16_t)port);
	UT_EXPECT_ERR(bind(b, (struct sockaddr *)&sin, sizeof(sin)), EADDRINUSE);
	/* two listeners never share a port, SO_REUSEADDR or not */
	int one = 1;
	UT_EXPECT_EQ(listen(a, 1), 0);
	close(b);
	b = socket(AF_INET, SOCK_STREAM, 0);
	UT_EXPECT_EQ(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	UT_EXPECT_ERR(bind(b, (struct sockaddr *)&sin, sizeof(sin)), EADDRINUSE);
	/* UDP ports are a separate space */
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	UT_EXPECT_EQ(bind(u, (struct sockaddr *)&sin, sizeof(sin)), 0);
	int u2 = socket(AF_INET, SOCK_DGRAM, 0);
	UT_EXPECT_ERR(bind(u2, (struct sockaddr *)&sin, sizeof(sin)), EADDRINUSE);
	close(u);
	close(u2);
	close(a);
	close(b);
}

UT_CASE(test_names)
{
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	struct sockaddr_in cn, cp, sn, sp;
	socklen_t l1 = sizeof(cn), l2 = sizeof(cp), l3 = sizeof(sn), l4 = sizeof(sp);
	UT_EXPECT_EQ(getsockname(c, (struct sockaddr *)&cn, &l1), 0);
	UT_EXPECT_EQ(getpeername(c, (struct sockaddr *)&cp, &l2), 0);
	UT_EXPECT_EQ(getsockname(s, (struct sockaddr *)&sn, &l3), 0);
	UT_EXPECT_EQ(getpeername(s, (struct sockaddr *)&sp, &l4), 0);
	UT_EXPECT_EQ(l1, sizeof(cn));
	UT_EXPECT_EQ(cn.sin_family, AF_INET);
	UT_EXPECT_EQ(cn.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	UT_EXPECT(cn.sin_port != 0);
	UT_EXPECT_EQ(cn.sin_port, sp.sin_port);
	UT_EXPECT_EQ(cn.sin_addr.s_addr, sp.sin_addr.s_addr);
	UT_EXPECT_EQ(sn.sin_port, cp.sin_port);
	UT_EXPECT_EQ(sn.sin_addr.s_addr, cp.sin_addr.s_addr);
	/* a short buffer: cut, the real length reported */
	char small[4];
	socklen_t sl = sizeof(small);
	UT_EXPECT_EQ(getsockname(c, (struct sockaddr *)small, &sl), 0);
	UT_EXPECT_EQ(sl, sizeof(struct sockaddr_in));
	close(c);
	close(s);
	/* 0.0.0.0 as a destination means this host (Linux: the loopback) */
	int port = 0, l = in_listen(&port, 1);
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	c = socket(AF_INET, SOCK_STREAM, 0);
	int r = connect(c, (struct sockaddr *)&any, sizeof(any));
	UT_EXPECT_EQ(r, 0);
	l2 = sizeof(cp);
	UT_EXPECT_EQ(getpeername(c, (struct sockaddr *)&cp, &l2), 0);
	UT_EXPECT_EQ(cp.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	s = r == 0 ? accept(l, NULL, NULL) : -1;
	UT_EXPECT(s >= 0);
	if (s >= 0)
		close(s);
	close(c);
	close(l);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	l1 = sizeof(cn);
	UT_EXPECT_ERR(getpeername(fd, (struct sockaddr *)&cn, &l1), ENOTCONN);
	UT_EXPECT_EQ(getsockname(fd, (struct sockaddr *)&cn, &l1), 0);
	UT_EXPECT_EQ(cn.sin_port, 0);
	UT_EXPECT_EQ(cn.sin_addr.s_addr, 0);
	close(fd);
}

UT_CASE(test_errnos)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char b[4] = "abc";
	UT_EXPECT_ERR(recv(fd, b, 1, 0), ENOTCONN);
	UT_EXPECT_ERR(send(fd, b, 1, MSG_NOSIGNAL), EPIPE);
	UT_EXPECT_ERR(shutdown(fd, SHUT_WR), ENOTCONN);
	UT_EXPECT_ERR(shutdown(fd, 7), EINVAL);
	UT_EXPECT_ERR(accept(fd, NULL, NULL), EINVAL);
	struct sockaddr_in a = in_addr_lo(1);
	UT_EXPECT_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL);
	a.sin_family = AF_UNIX;
	UT_EXPECT_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT);
	close(fd);

	int port, l = in_listen(&port, 1);
	UT_ASSERT(l >= 0);
	a = in_addr_lo(port);
	UT_EXPECT_ERR(connect(l, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	UT_EXPECT_ERR(recv(l, b, 1, 0), ENOTCONN);
	int v = 0;
	socklen_t len = sizeof(v);
	UT_EXPECT_EQ(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len), 0);
	UT_EXPECT_EQ(v, 1);
	int c = in_connect(port);
	UT_ASSERT(c >= 0);
	UT_EXPECT_ERR(connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	UT_EXPECT_ERR(listen(c, 1), EINVAL);
	int s = accept(l, NULL, NULL);
	UT_EXPECT(s >= 0);
	close(s);
	close(c);
	close(l);
}

/* A port nothing listens on. */
static int dead_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = in_addr_lo(0);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	int port = in_port(fd);
	close(fd);
	return port;
}

UT_CASE(test_connect_refused)
{
	struct sockaddr_in a = in_addr_lo(dead_port());
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	UT_EXPECT_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	/* the socket can try again */
	UT_EXPECT_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	close(fd);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	UT_EXPECT_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	int ev = poll_events(fd, POLLOUT, 10000);
	UT_EXPECT(ev & POLLOUT);
	UT_EXPECT(ev & POLLERR);
	UT_EXPECT(ev & POLLHUP);
	int err = -1;
	socklen_t len = sizeof(err);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	UT_EXPECT_EQ(err, ECONNREFUSED);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	UT_EXPECT_EQ(err, 0);
	close(fd);
}

UT_CASE(test_nonblock_connect)
{
	int port, l = in_listen(&port, 4);
	UT_ASSERT(l >= 0);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = in_addr_lo(port);
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	UT_EXPECT(r == 0 || errno == EINPROGRESS);
	int ev = poll_events(fd, POLLOUT, 10000);
	UT_EXPECT_EQ(ev, POLLOUT);
	int err = -1;
	socklen_t len = sizeof(err);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	UT_EXPECT_EQ(err, 0);
	/* Linux: the next connect reports success once, then EISCONN */
	UT_EXPECT_EQ(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	UT_EXPECT_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	/* accept4's flags */
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	int s = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	UT_ASSERT(s >= 0);
	UT_EXPECT_EQ(plen, sizeof(peer));
	UT_EXPECT_EQ(peer.sin_port, htons((uint16_t)in_port(fd)));
	UT_EXPECT(fcntl(s, F_GETFL) & O_NONBLOCK);
	UT_EXPECT(fcntl(s, F_GETFD) & FD_CLOEXEC);
	/* the system call itself (musl's accept4 retries EINVAL as accept) */
	UT_EXPECT_ERR(syscall(SYS_accept4, l, NULL, NULL, 0x1234), EINVAL);
	char c;
	UT_EXPECT_ERR(read(s, &c, 1), EAGAIN);
	/* an empty non-blocking listener */
	fcntl(l, F_SETFL, O_NONBLOCK);
	UT_EXPECT_ERR(accept(l, NULL, NULL), EAGAIN);
	close(s);
	close(fd);
	close(l);
}

static unsigned fnv(unsigned h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* 4 MiB one way, written in odd-sized pieces, read with MSG_WAITALL. */
UT_CASE(test_transfer)
{
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	enum { TOTAL = 4 << 20 };
	pid_t pid = fork();
	if (pid == 0) {
		static unsigned char buf[70001];
		size_t sent = 0;
		unsigned h = 2166136261u;
		close(s);
		while (sent < TOTAL) {
			size_t n = TOTAL - sent < sizeof(buf) ? TOTAL - sent : sizeof(buf);
			for (size_t i = 0; i < n; i++)
				buf[i] = (unsigned char)((sent + i) * 7 + (sent + i) / 251);
			h = fnv(h, buf, n);
			size_t off = 0;
			while (off < n) {
				ssize_t w = write(c, buf + off, n - off);
				if (w <= 0)
					_exit(2);
				off += (size_t)w;
			}
			sent += n;
		}
		if (write(c, &h, sizeof(h)) != sizeof(h))
			_exit(3);
		_exit(0);
	}
	close(c);
	static unsigned char buf[65536];
	size_t got = 0;
	unsigned h = 2166136261u;
	while (got < TOTAL) {
		size_t want = TOTAL - got < sizeof(buf) ? TOTAL - got : sizeof(buf);
		ssize_t n = recv(s, buf, want, MSG_WAITALL);
		if (n != (ssize_t)want) {
			UT_FAIL("recv gave %zd, wanted %zu", n, want);
			break;
		}
		h = fnv(h, buf, (size_t)n);
		got += (size_t)n;
	}
	unsigned theirs = 0;
	UT_EXPECT_EQ(recv(s, &theirs, sizeof(theirs), MSG_WAITALL), sizeof(theirs));
	UT_EXPECT_EQ(theirs, h);
	UT_EXPECT_EQ(read(s, buf, 1), 0);       /* the child closed */
	int status;
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(s);
}

UT_CASE(test_half_close)
{
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	UT_EXPECT_EQ(write(c, "ping", 4), 4);
	UT_EXPECT_EQ(shutdown(c, SHUT_WR), 0);
	char b[16];
	UT_EXPECT_EQ(recv(s, b, sizeof(b), MSG_WAITALL), 4);
	UT_EXPECT_EQ(read(s, b, sizeof(b)), 0);
	UT_EXPECT_EQ(poll_events(s, POLLIN | POLLOUT | POLLRDHUP, 0),
		     POLLIN | POLLOUT | POLLRDHUP);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = s }, out;
	UT_EXPECT_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), 0);
	UT_EXPECT_EQ(epoll_wait(ep, &out, 1, 0), 1);
	UT_EXPECT_EQ(out.events, EPOLLIN | EPOLLRDHUP);
	close(ep);
	/* the other way still works */
	UT_EXPECT_EQ(write(s, "pong", 4), 4);
	UT_EXPECT_EQ(recv(c, b, 4, MSG_WAITALL), 4);
	UT_EXPECT_EQ(memcmp(b, "pong", 4), 0);
	UT_EXPECT_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	UT_EXPECT_EQ(poll_events(c, POLLIN | POLLOUT | POLLRDHUP, 0), POLLOUT);
	UT_EXPECT_EQ(shutdown(s, SHUT_WR), 0);
	UT_EXPECT_EQ(read(c, b, sizeof(b)), 0);
	int ev2 = poll_events(c, POLLIN | POLLOUT | POLLRDHUP, 10000);
	UT_EXPECT_EQ(ev2, POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	close(c);
	close(s);
}

UT_CASE(test_shut_rd)
{
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	UT_EXPECT_EQ(shutdown(s, SHUT_RD), 0);
	char b[4];
	UT_EXPECT_EQ(read(s, b, sizeof(b)), 0);
	UT_EXPECT_EQ(poll_events(s, POLLIN | POLLRDHUP, 0), POLLIN | POLLRDHUP);
	UT_EXPECT_EQ(write(s, "ab", 2), 2);
	UT_EXPECT_EQ(recv(c, b, 2, MSG_WAITALL), 2);
	close(c);
	close(s);
}

UT_CASE(test_sigpipe)
{
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	close(s);
	set_handler(SIGPIPE, 0);
	got_sig = 0;
	ssize_t r;
	int i = 0;
	/* The first writes may land before the peer's reset comes back. */
	while ((r = write(c, "data", 4)) == 4 && i++ < 1000)
		usleep(1000);
	UT_EXPECT_EQ(r, -1);
	UT_EXPECT(errno == EPIPE || errno == ECONNRESET);
	if (errno == ECONNRESET)
		UT_EXPECT_ERR(write(c, "data", 4), EPIPE);
	UT_EXPECT_EQ(got_sig, 1);
	UT_EXPECT_ERR(send(c, "data", 4, MSG_NOSIGNAL), EPIPE);
	UT_EXPECT_EQ(got_sig, 1);
	signal(SIGPIPE, SIG_DFL);
	close(c);
}

UT_CASE(test_reset)
{
	/* SO_LINGER {1, 0}: close resets */
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	struct linger lg = { 1, 0 };
	UT_EXPECT_EQ(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	close(c);
	char b[4];
	UT_EXPECT(poll_events(s, POLLIN, 10000) & POLLIN);
	UT_EXPECT_ERR(read(s, b, sizeof(b)), ECONNRESET);
	UT_EXPECT_EQ(read(s, b, sizeof(b)), 0);
	close(s);
	/* closing with unread data resets too */
	UT_ASSERT(in_pair(&c, &s) == 0);
	UT_EXPECT_EQ(write(c, "x", 1), 1);
	UT_EXPECT(poll_events(s, POLLIN, 10000) & POLLIN);
	close(s);
	int ev = poll_events(c, POLLIN, 10000);
	UT_EXPECT(ev & POLLERR);
	UT_EXPECT(ev & POLLHUP);
	UT_EXPECT_ERR(read(c, b, sizeof(b)), ECONNRESET);
	close(c);
}

UT_CASE(test_timeouts)
{
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	struct timeval tv = { 0, 100000 }, out;
	socklen_t len = sizeof(out);
	UT_EXPECT_EQ(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	UT_EXPECT_EQ(getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &out, &len), 0);
	UT_EXPECT_EQ(out.tv_usec, 100000);
	char b[4];
	UT_EXPECT_ERR(read(c, b, sizeof(b)), EAGAIN);
	UT_EXPECT_ERR(recv(c, b, sizeof(b), MSG_DONTWAIT), EAGAIN);
	/* a full send buffer: SO_SNDTIMEO ends the wait with what was sent */
	UT_EXPECT_EQ(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	static char big[1 << 20];
	ssize_t total = 0, w;
	while ((w = write(c, big, sizeof(big))) > 0)
		total += w;
	UT_EXPECT_EQ(w, -1);
	UT_EXPECT_EQ(errno, EAGAIN);
	UT_EXPECT(total > 0);
	UT_EXPECT_EQ(poll_events(c, POLLOUT, 0), 0);
	/* the reader drains it; the writer can go on */
	ssize_t got = 0, r;
	while (got < total && (r = read(s, big, sizeof(big))) > 0)
		got += r;
	UT_EXPECT_EQ(got, total);
	UT_EXPECT(poll_events(c, POLLOUT, 10000) & POLLOUT);
	close(c);
	close(s);
}

UT_CASE(test_peek)
{
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	UT_EXPECT_EQ(write(c, "hello", 5), 5);
	UT_EXPECT_EQ(write(c, "world", 5), 5);
	char b[16] = { 0 };
	/* MSG_WAITALL applies to a peek as well */
	UT_EXPECT_EQ(recv(s, b, 10, MSG_WAITALL | MSG_PEEK), 10);
	UT_EXPECT_EQ(recv(s, b, 10, MSG_PEEK), 10);
	UT_EXPECT_EQ(memcmp(b, "helloworld", 10), 0);
	int avail = -1;
	UT_EXPECT_EQ(ioctl(s, FIONREAD, &avail), 0);
	UT_EXPECT_EQ(avail, 10);
	memset(b, 0, sizeof(b));
	UT_EXPECT_EQ(recv(s, b, 3, 0), 3);
	UT_EXPECT_EQ(memcmp(b, "hel", 3), 0);
	UT_EXPECT_EQ(recv(s, b, 16, 0), 7);
	UT_EXPECT_EQ(memcmp(b, "loworld", 7), 0);
	UT_EXPECT_ERR(recv(s, b, 16, MSG_DONTWAIT), EAGAIN);
	close(c);
	close(s);
}

/* A blocking accept: SIGALRM without SA_RESTART gives EINTR. */
UT_CASE(test_eintr)
{
	int port, l = in_listen(&port, 1);
	UT_ASSERT(l >= 0);
	set_handler(SIGALRM, 0);
	got_sig = 0;
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	UT_EXPECT_ERR(accept(l, NULL, NULL), EINTR);
	UT_EXPECT_EQ(got_sig, 1);
	/* a blocking read too */
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	setitimer(ITIMER_REAL, &it, NULL);
	char b;
	UT_EXPECT_ERR(read(c, &b, 1), EINTR);
	/* SA_RESTART: the read goes on and gets the byte written later */
	set_handler(SIGALRM, SA_RESTART);
	got_sig = 0;
	pid_t pid = fork();
	if (pid == 0) {
		usleep(300000);
		_exit(write(s, "r", 1) == 1 ? 0 : 1);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	UT_EXPECT_EQ(read(c, &b, 1), 1);
	UT_EXPECT_EQ(b, 'r');
	int status;
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT_EQ(got_sig, 1);
	signal(SIGALRM, SIG_DFL);
	close(c);
	close(s);
	close(l);
}

UT_CASE(test_options)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int v = -1, one = 1, zero = 0;
	socklen_t len = sizeof(v);
	UT_EXPECT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
	UT_EXPECT_EQ(v, 0);
	UT_EXPECT_EQ(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	UT_EXPECT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len), 0);
	UT_EXPECT_EQ(v, 1);
	UT_EXPECT_EQ(getsockopt(fd, IPPROTO_IP, IP_TTL, &v, &len), 0);
	UT_EXPECT_EQ(v, 64);
	int ttl = 5;
	UT_EXPECT_EQ(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)), 0);
	UT_EXPECT_EQ(getsockopt(fd, IPPROTO_IP, IP_TTL, &v, &len), 0);
	UT_EXPECT_EQ(v, 5);
	UT_EXPECT_ERR(setsockopt(fd, IPPROTO_IP, IP_TTL, &zero, sizeof(zero)), EINVAL);
	ttl = 256;
	UT_EXPECT_ERR(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)), EINVAL);
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)), 0);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, &len), 0);
	UT_EXPECT_EQ(v, 1);
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len), 0);
	UT_EXPECT_EQ(v, 1);
	int sz = 65536;
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)), 0);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
	UT_EXPECT_EQ(v, 131072);
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)), 0);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len), 0);
	UT_EXPECT_EQ(v, 131072);
	UT_EXPECT_ERR(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, 2), EINVAL);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)), 0);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_BROADCAST, &v, &len), 0);
	UT_EXPECT_EQ(v, 1);
	UT_EXPECT_EQ(getsockopt(fd, IPPROTO_IP, IP_TTL, &v, &len), 0);
	UT_EXPECT_EQ(v, 64);
	close(fd);
}

UT_CASE(test_udp)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	UT_ASSERT(a >= 0 && b >= 0);
	struct sockaddr_in sa = in_addr_lo(0);
	UT_EXPECT_EQ(bind(a, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int pa = in_port(a);
	char buf[64];
	UT_EXPECT_ERR(send(b, "x", 1, 0), EDESTADDRREQ);
	UT_EXPECT_ERR(shutdown(b, SHUT_RD), ENOTCONN);
	UT_EXPECT_EQ(poll_events(a, POLLIN | POLLOUT, 0), POLLOUT);
	sa = in_addr_lo(pa);
	UT_EXPECT_EQ(sendto(b, "hello", 5, 0, (struct sockaddr *)&sa, sizeof(sa)), 5);
	UT_EXPECT_EQ(sendto(b, "second", 6, 0, (struct sockaddr *)&sa, sizeof(sa)), 6);
	int pb = in_port(b);
	UT_EXPECT(pb > 0);                      /* autobound by sendto */
	UT_EXPECT(poll_events(a, POLLIN, 10000) & POLLIN);
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	UT_EXPECT_EQ(recvfrom(a, buf, sizeof(buf), MSG_PEEK, (struct sockaddr *)&from, &fl), 5);
	int avail = -1;
	UT_EXPECT_EQ(ioctl(a, FIONREAD, &avail), 0);
	UT_EXPECT_EQ(avail, 5);
	UT_EXPECT_EQ(recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 5);
	UT_EXPECT_EQ(memcmp(buf, "hello", 5), 0);
	UT_EXPECT_EQ(fl, sizeof(from));
	UT_EXPECT_EQ(ntohs(from.sin_port), pb);
	UT_EXPECT_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	/* a datagram longer than the buffer: cut, MSG_TRUNC */
	struct iovec iov = { buf, 3 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	while (poll_events(a, POLLIN, 10000) == 0)
		;
	UT_EXPECT_EQ(recvmsg(a, &mh, 0), 3);
	UT_EXPECT(mh.msg_flags & MSG_TRUNC);
	UT_EXPECT_ERR(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	/* connected: send/recv, getpeername */
	struct sockaddr_in sb = in_addr_lo(pb);
	UT_EXPECT_EQ(connect(a, (struct sockaddr *)&sb, sizeof(sb)), 0);
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	UT_EXPECT_EQ(getpeername(a, (struct sockaddr *)&peer, &pl), 0);
	UT_EXPECT_EQ(ntohs(peer.sin_port), pb);
	UT_EXPECT_EQ(send(a, "back", 4, 0), 4);
	UT_EXPECT(poll_events(b, POLLIN, 10000) & POLLIN);
	UT_EXPECT_EQ(recv(b, buf, sizeof(buf), 0), 4);
	UT_EXPECT_EQ(memcmp(buf, "back", 4), 0);
	/* errors */
	static char huge[70000];
	UT_EXPECT_ERR(sendto(b, huge, sizeof(huge), 0, (struct sockaddr *)&sa, sizeof(sa)), EMSGSIZE);
	struct sockaddr_in bc = { .sin_family = AF_INET, .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_BROADCAST) };
	UT_EXPECT_ERR(sendto(b, "x", 1, 0, (struct sockaddr *)&bc, sizeof(bc)), EACCES);
	/* a big datagram arrives whole */
	UT_EXPECT_EQ(sendto(b, huge, 60000, 0, (struct sockaddr *)&sa, sizeof(sa)), 60000);
	UT_EXPECT(poll_events(a, POLLIN, 10000) & POLLIN);
	UT_EXPECT_EQ(recv(a, huge, sizeof(huge), 0), 60000);
	/* shutdown of a connected one: reads end */
	UT_EXPECT_EQ(shutdown(a, SHUT_RD), 0);
	UT_EXPECT_EQ(recv(a, buf, sizeof(buf), 0), 0);
	/* a connected socket hears of ICMP port unreachable: ECONNREFUSED */
	int d = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in dead = in_addr_lo(0);
	UT_EXPECT_EQ(bind(d, (struct sockaddr *)&dead, sizeof(dead)), 0);
	dead = in_addr_lo(in_port(d));
	close(d);
	d = socket(AF_INET, SOCK_DGRAM, 0);
	UT_EXPECT_EQ(connect(d, (struct sockaddr *)&dead, sizeof(dead)), 0);
	UT_EXPECT_EQ(send(d, "x", 1, 0), 1);
	UT_EXPECT_EQ(poll_events(d, POLLIN, 10000), POLLERR);
	UT_EXPECT_ERR(recv(d, buf, sizeof(buf), 0), ECONNREFUSED);
	UT_EXPECT_ERR(recv(d, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(d);
	/* AF_UNSPEC dissolves the association */
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	UT_EXPECT_EQ(connect(a, &un, sizeof(un)), 0);
	pl = sizeof(peer);
	UT_EXPECT_ERR(getpeername(a, (struct sockaddr *)&peer, &pl), ENOTCONN);
	close(a);
	close(b);
}

static unsigned short csum(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned long s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (unsigned)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (unsigned)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((unsigned short)~s);
}

/* busybox ping's socket: a raw ICMP echo to 127.0.0.1 and its reply. */
UT_CASE(test_raw_icmp)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0 && errno == EPERM && geteuid() != 0)
		return;                         /* the host run without root */
	UT_ASSERT(fd >= 0);
	unsigned char pkt[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1, 'g', 'o', 'o', 's' };
	unsigned short sum = csum(pkt, sizeof(pkt));
	memcpy(pkt + 2, &sum, 2);
	struct sockaddr_in to = in_addr_lo(0);
	UT_EXPECT_EQ(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)), sizeof(pkt));
	int found = 0;
	for (int i = 0; i < 4 && !found; i++) {
		unsigned char in[128];
		if (poll_events(fd, POLLIN, 10000) <= 0)
			break;
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
		if (n < 20 + 8)
			continue;
		unsigned hl = (in[0] & 15) * 4u;
		/* the request itself may come by first (it is addressed to us) */
		if (in[hl] == 0 && in[hl + 4] == 0x12 && in[hl + 5] == 0x34) {
			found = 1;
			UT_EXPECT_EQ(n, (ssize_t)(hl + sizeof(pkt)));
			UT_EXPECT_EQ(memcmp(in + hl + 8, "goos", 4), 0);
			UT_EXPECT_EQ(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
		}
	}
	UT_EXPECT(found);
	close(fd);
}

/* An ICMP datagram ("ping") socket: the kernel sets id and checksum. */
UT_CASE(test_ping_socket)
{
	int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		return;                         /* the host's ping_group_range */
	UT_ASSERT(fd >= 0);
	unsigned char pkt[12] = { 8, 0, 0, 0, 0, 0, 0, 7, 'p', 'i', 'n', 'g' };
	struct sockaddr_in to = in_addr_lo(0);
	UT_EXPECT_EQ(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)), sizeof(pkt));
	UT_EXPECT(poll_events(fd, POLLIN, 10000) & POLLIN);
	unsigned char in[64];
	ssize_t n = recv(fd, in, sizeof(in), 0);
	UT_EXPECT_EQ(n, sizeof(pkt));
	UT_EXPECT_EQ(in[0], 0);                 /* echo reply, no IP header */
	UT_EXPECT_EQ(in[7], 7);
	UT_EXPECT_EQ(memcmp(in + 8, "ping", 4), 0);
	unsigned char bad[8] = { 13, 0 };       /* not an echo request */
	UT_EXPECT_ERR(sendto(fd, bad, sizeof(bad), 0, (struct sockaddr *)&to, sizeof(to)), EINVAL);
	close(fd);
}

/* Bad user pointers: EFAULT, and nothing lost. */
UT_CASE(test_efault)
{
	int c, s;
	UT_ASSERT(in_pair(&c, &s) == 0);
	void *bad = (void *)8;
	UT_EXPECT_ERR(send(c, bad, 10, 0), EFAULT);
	UT_EXPECT_ERR(connect(c, bad, sizeof(struct sockaddr_in)), EFAULT);
	UT_EXPECT_ERR(getsockname(c, bad, (socklen_t *)16), EFAULT);
	UT_EXPECT_EQ(write(c, "0123456789", 10), 10);
	UT_EXPECT(poll_events(s, POLLIN, 10000) & POLLIN);
	UT_EXPECT_ERR(recv(s, bad, 10, 0), EFAULT);
	char b[10];
	UT_EXPECT_EQ(recv(s, b, 10, MSG_WAITALL), 10);
	UT_EXPECT_EQ(memcmp(b, "0123456789", 10), 0);
	int v;
	socklen_t len = sizeof(v);
	UT_EXPECT_ERR(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, bad, sizeof(int)), EFAULT);
	UT_EXPECT_ERR(getsockopt(c, IPPROTO_IP, IP_TTL, bad, &len), EFAULT);
	close(c);
	close(s);
}

/* SO_SNDBUF bounds what waits unacknowledged (SIOCOUTQ) in a full send
 * buffer; accepted sockets inherit the listener's. */
UT_CASE(test_sndbuf)
{
	int port, l = in_listen(&port, 1);
	UT_ASSERT(l >= 0);
	int sz = 16384, v = 0;
	socklen_t len = sizeof(v);
	UT_EXPECT_EQ(setsockopt(l, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)), 0);
	int c = in_connect(port), s = accept(l, NULL, NULL);
	UT_ASSERT(c >= 0 && s >= 0);
	UT_EXPECT_EQ(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len), 0);
	UT_EXPECT_EQ(v, 2 * sz);
	fcntl(s, F_SETFL, O_NONBLOCK);
	static char big[65536];
	ssize_t w, total = 0;
	while ((w = write(s, big, sizeof(big))) > 0 || (w < 0 && errno == EINTR))
		total += w > 0 ? w : 0;
	UT_EXPECT_EQ(errno, EAGAIN);
	int outq = -1;
	UT_EXPECT_EQ(ioctl(s, TIOCOUTQ, &outq), 0);
	UT_EXPECT(outq > 0);
	/* Linux lets the last write overshoot a little (47616 of 32768 seen) */
	UT_EXPECT(outq <= 4 * sz);
	ssize_t got = 0, r;
	while (got < total && (r = read(c, big, sizeof(big))) > 0)
		got += r;
	UT_EXPECT_EQ(got, total);
	close(c);
	close(s);
	close(l);
}

UT_SUITE("inet",
	 UT_C(test_create), UT_C(test_bind_errors), UT_C(test_names), UT_C(test_errnos),
	 UT_C(test_connect_refused), UT_C(test_nonblock_connect), UT_C(test_transfer),
	 UT_C(test_half_close), UT_C(test_shut_rd), UT_C(test_sigpipe), UT_C(test_reset),
	 UT_C(test_timeouts), UT_C(test_peek), UT_C(test_eintr), UT_C(test_options),
	 UT_C(test_udp), UT_C(test_raw_icmp), UT_C(test_ping_socket), UT_C(test_efault), UT_C(test_sndbuf))
