/* AF_UNIX sockets: creation errors, options, path and abstract names,
 * autobind, stream connections with their errnos, datagrams and
 * seqpackets (boundaries, truncation), and SO_PEERCRED. */
#include "unix_util.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/time.h>

#define SUN_OFF ((socklen_t)offsetof(struct sockaddr_un, sun_path))

UT_CASE(socket_creation)
{
	UT_EXPECT_ERR(socket(AF_UNIX, 0, 0), ESOCKTNOSUPPORT);
	UT_EXPECT_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	UT_EXPECT_ERR(socket(AF_UNIX, 11, 0), EINVAL);
	UT_EXPECT_ERR(socket(AF_UNIX, SOCK_STREAM | 0x1000, 0), EINVAL);
	UT_EXPECT_ERR(socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
	UT_EXPECT_ERR(socket(46, SOCK_STREAM, 0), EAFNOSUPPORT);
	UT_EXPECT_ERR(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, AF_UNIX);
	UT_ASSERT(fd >= 0);
	struct stat st;
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	UT_EXPECT(S_ISSOCK(st.st_mode));
	UT_EXPECT(fcntl(fd, F_GETFL) & O_NONBLOCK);
	UT_EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);

	/* SOCK_RAW is a datagram socket, as on Linux. */
	fd = socket(AF_UNIX, SOCK_RAW, 0);
	UT_ASSERT(fd >= 0);
	int v = 0;
	socklen_t l = sizeof(v);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l), 0);
	UT_EXPECT_EQ(v, SOCK_DGRAM);
	close(fd);

	/* /proc/self/fd names it socket:[st_ino]. */
	if (stat("/proc/self", &st)) {
		mkdir("/proc", 0555);
		if (mount("proc", "/proc", "proc", 0, NULL) && errno != EBUSY)
			UT_FAIL("mount /proc: %s", strerror(errno));
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char path[64], link[64], want[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	UT_EXPECT_EQ(fstat(fd, &st), 0);
	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)st.st_ino);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	UT_ASSERT(n > 0);
	link[n] = 0;
	UT_EXPECT_EQ(strcmp(link, want), 0);
	close(fd);

	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_ERR(listen(p[0], 1), ENOTSOCK);
	UT_EXPECT_ERR(send(p[1], "x", 1, 0), ENOTSOCK);
	UT_EXPECT_ERR(listen(999, 1), EBADF);
	close(p[0]);
	close(p[1]);
	int *volatile bad = (int *)8;
	UT_EXPECT_ERR(socketpair(AF_UNIX, SOCK_STREAM, 0, bad), EFAULT);
}

static int geti(int fd, int name)
{
	int v = -12345;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, name, &v, &l) || l != sizeof(v))
		return -12345;
	return v;
}

UT_CASE(socket_options)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	UT_ASSERT(fd >= 0);
	UT_EXPECT_EQ(geti(fd, SO_TYPE), SOCK_SEQPACKET);
	UT_EXPECT_EQ(geti(fd, SO_DOMAIN), AF_UNIX);
	UT_EXPECT_EQ(geti(fd, SO_PROTOCOL), 0);
	UT_EXPECT_EQ(geti(fd, SO_ERROR), 0);
	UT_EXPECT_EQ(geti(fd, SO_ACCEPTCONN), 0);
	UT_EXPECT_EQ(geti(fd, SO_SNDBUF), 212992);

	int v = 10000;
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
	UT_EXPECT_EQ(geti(fd, SO_RCVBUF), 20000);
	v = 1;
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
	UT_EXPECT_EQ(geti(fd, SO_SNDBUF), 4608);
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)), 0);
	UT_EXPECT_EQ(geti(fd, SO_KEEPALIVE), 1);
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
	UT_EXPECT_EQ(geti(fd, SO_REUSEADDR), 1);
	UT_EXPECT_ERR(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL);
	UT_EXPECT_ERR(setsockopt(fd, SOL_SOCKET, SO_TYPE, &v, sizeof(v)), ENOPROTOOPT);
	UT_EXPECT_ERR(setsockopt(fd, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT);
	UT_EXPECT_ERR(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, -1), EINVAL);
	UT_EXPECT_ERR(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, (void *)8, sizeof(v)), EFAULT);
	UT_EXPECT_ERR(setsockopt(fd, 6 /* IPPROTO_TCP */, 1, &v, sizeof(v)), EOPNOTSUPP);

	struct timeval tv = { 1, 500000 }, out;
	socklen_t l = sizeof(out);
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &out, &l), 0);
	UT_EXPECT_EQ(l, sizeof(out));
	UT_EXPECT_EQ(out.tv_sec, 1);
	UT_EXPECT_EQ(out.tv_usec, 500000);
	tv.tv_usec = 1000000;
	UT_EXPECT_ERR(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), EDOM);
	UT_EXPECT_ERR(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, 8), EINVAL);

	struct linger lg = { 1, 7 }, lo;
	l = sizeof(lo);
	UT_EXPECT_EQ(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lo, &l), 0);
	UT_EXPECT_EQ(lo.l_onoff, 1);
	UT_EXPECT_EQ(lo.l_linger, 7);

	/* A short buffer gets the first bytes; a negative length is EINVAL. */
	char c[2] = { 9, 9 };
	l = 1;
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_TYPE, c, &l), 0);
	UT_EXPECT_EQ(l, 1);
	UT_EXPECT_EQ(c[0], SOCK_SEQPACKET);
	UT_EXPECT_EQ(c[1], 9);
	l = (socklen_t)-1;
	UT_EXPECT_ERR(getsockopt(fd, SOL_SOCKET, SO_TYPE, c, &l), EINVAL);
	l = sizeof(v);
	UT_EXPECT_ERR(getsockopt(fd, SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT);

	/* Unconnected: no peer credentials. */
	struct ucred uc;
	l = sizeof(uc);
	UT_EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l), 0);
	UT_EXPECT_EQ(uc.pid, 0);
	UT_EXPECT_EQ(uc.uid, (uid_t)-1);
	close(fd);
}

UT_CASE(path_names)
{
	const char *path = "/tmp/t_unix.sock";
	socklen_t len;
	struct sockaddr_un a = un_addr(path, &len);
	unlink(path);
	mode_t old = umask(022);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	UT_ASSERT(s >= 0);
	UT_EXPECT_ERR(listen(s, 1), EINVAL);            /* unbound */
	UT_EXPECT_ERR(bind(s, (struct sockaddr *)&a, 1), EINVAL);
	UT_EXPECT_ERR(bind(s, (struct sockaddr *)&a, sizeof(a) + 1), EINVAL);
	struct sockaddr_un bad = a;
	bad.sun_family = AF_INET;
	UT_EXPECT_ERR(bind(s, (struct sockaddr *)&bad, len), EINVAL);
	/* A longer length than the name: the name ends at its NUL. */
	UT_EXPECT_EQ(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	umask(old);
	/* Bound: the path is tried first (as Linux, which makes the node
	 * before it looks). */
	UT_EXPECT_ERR(bind(s, (struct sockaddr *)&a, len), EADDRINUSE);
	socklen_t l2;
	struct sockaddr_un a2 = un_addr("/tmp/t_unix.sock2", &l2);
	UT_EXPECT_ERR(bind(s, (struct sockaddr *)&a2, l2), EINVAL);
	UT_EXPECT_ERR(access("/tmp/t_unix.sock2", F_OK), ENOENT);
	struct stat st;
	UT_EXPECT_EQ(stat(path, &st), 0);
	UT_EXPECT(S_ISSOCK(st.st_mode));
	UT_EXPECT_EQ(st.st_mode & 0777, 0755);
	UT_EXPECT_ERR(open(path, O_RDWR), ENXIO);

	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	UT_EXPECT_EQ(getsockname(s, (struct sockaddr *)&got, &gl), 0);
	UT_EXPECT_EQ(gl, len);
	UT_EXPECT_EQ(strcmp(got.sun_path, path), 0);

	/* The name is taken while the node exists. */
	int s2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	UT_EXPECT_ERR(bind(s2, (struct sockaddr *)&a, len), EADDRINUSE);

	/* Bound but not listening; then a dgram client is the wrong type. */
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	UT_EXPECT_ERR(connect(c, (struct sockaddr *)&a, len), ECONNREFUSED);
	UT_EXPECT_EQ(listen(s, 4), 0);
	UT_EXPECT_EQ(geti(s, SO_ACCEPTCONN), 1);
	UT_EXPECT_ERR(connect(s2, (struct sockaddr *)&a, len), EPROTOTYPE);
	UT_EXPECT_ERR(connect(c, (struct sockaddr *)&a, 2), EINVAL);
	UT_EXPECT_EQ(connect(c, (struct sockaddr *)&a, len), 0);
	UT_EXPECT_ERR(connect(c, (struct sockaddr *)&a, len), EISCONN);
	UT_EXPECT_ERR(connect(s, (struct sockaddr *)&a, len), EINVAL);  /* listening */
	gl = sizeof(got);
	UT_EXPECT_EQ(getpeername(c, (struct sockaddr *)&got, &gl), 0);
	UT_EXPECT_EQ(gl, len);
	UT_EXPECT_EQ(strcmp(got.sun_path, path), 0);

	/* Accepted: its own name is the listener's, its peer unnamed. */
	struct sockaddr_un pa;
	socklen_t pl = sizeof(pa);
	int a1 = accept(s, (struct sockaddr *)&pa, &pl);
	UT_ASSERT(a1 >= 0);
	UT_EXPECT_EQ(pl, SUN_OFF);
	UT_EXPECT_EQ(pa.sun_family, AF_UNIX);
	gl = sizeof(got);
	UT_EXPECT_EQ(getsockname(a1, (struct sockaddr *)&got, &gl), 0);
	UT_EXPECT_EQ(gl, len);
	gl = sizeof(got);
	UT_EXPECT_EQ(getsockname(c, (struct sockaddr *)&got, &gl), 0);
	UT_EXPECT_EQ(gl, SUN_OFF);

	/* Connecting through the VFS: missing, not a socket, nobody there. */
	socklen_t ml;
	struct sockaddr_un missing = un_addr("/tmp/t_unix.none", &ml);
	int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	UT_EXPECT_ERR(connect(c2, (struct sockaddr *)&missing, ml), ENOENT);
	struct sockaddr_un file = un_addr("/tmp/t_unix.file", &ml);
	close(open("/tmp/t_unix.file", O_CREAT | O_WRONLY, 0666));
	UT_EXPECT_ERR(connect(c2, (struct sockaddr *)&file, ml), ECONNREFUSED);
	unlink("/tmp/t_unix.file");
	close(s);
	UT_EXPECT_ERR(connect(c2, (struct sockaddr *)&a, len), ECONNREFUSED);
	/* Unlinked, the name is free again. */
	UT_EXPECT_EQ(unlink(path), 0);
	UT_EXPECT_EQ(bind(s2, (struct sockaddr *)&a, len), 0);
	unlink(path);
	close(a1);
	close(c);
	close(c2);
	close(s2);
}

UT_CASE(path_permissions)
{
	const char *path = "/tmp/t_unix.perm";
	int s = un_listen(SOCK_STREAM, path, 4);
	UT_ASSERT(s >= 0);
	UT_ASSERT(chmod(path, 0755) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		int c = un_connect(SOCK_STREAM, path);
		_exit(c < 0 && errno == EACCES ? 0 : 1);
	}
	int status;
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT_EQ(status, 0);
	/* With write permission the same user gets through. */
	UT_ASSERT(chmod(path, 0777) == 0);
	pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		_exit(un_connect(SOCK_STREAM, path) >= 0 ? 0 : 1);
	}
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT_EQ(status, 0);
	close(s);
	unlink(path);
}

UT_CASE(abstract_and_autobind)
{
	socklen_t len;
	struct sockaddr_un a = un_addr("@t_unix-abstract", &len);
	int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	UT_ASSERT(s >= 0);
	UT_EXPECT_EQ(bind(s, (struct sockaddr *)&a, len), 0);
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	UT_EXPECT_EQ(getsockname(s, (struct sockaddr *)&got, &gl), 0);
	UT_EXPECT_EQ(gl, len);
	UT_EXPECT_EQ(memcmp(&got, &a, len), 0);
	int s2 = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	UT_EXPECT_ERR(bind(s2, (struct sockaddr *)&a, len), EADDRINUSE);
	/* A prefix of the name is another name. */
	UT_EXPECT_ERR(connect(s2, (struct sockaddr *)&a, len - 1), ECONNREFUSED);
	UT_EXPECT_EQ(listen(s, 2), 0);
	UT_EXPECT_EQ(connect(s2, (struct sockaddr *)&a, len), 0);

	/* Autobind: bind with only the family, "\0" and five hex digits. */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	UT_EXPECT_EQ(bind(d, (struct sockaddr *)&a, SUN_OFF), 0);
	gl = sizeof(got);
	UT_EXPECT_EQ(getsockname(d, (struct sockaddr *)&got, &gl), 0);
	UT_EXPECT_EQ(gl, SUN_OFF + 6);
	UT_EXPECT_EQ(got.sun_path[0], 0);
	for (int i = 1; i < 6; i++)
		UT_EXPECT(strchr("0123456789abcdef", got.sun_path[i]) != NULL);
	/* ... and the autobound name can be sent to. */
	int d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	UT_EXPECT_EQ(sendto(d2, "hi", 2, 0, (struct sockaddr *)&got, gl), 2);
	char buf[8];
	UT_EXPECT_EQ(recv(d, buf, sizeof(buf), 0), 2);
	/* Autobind on a send with SO_PASSCRED set. */
	int one = 1;
	int d3 = socket(AF_UNIX, SOCK_DGRAM, 0);
	UT_EXPECT_EQ(setsockopt(d3, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	UT_EXPECT_EQ(sendto(d3, "x", 1, 0, (struct sockaddr *)&got, gl), 1);
	struct sockaddr_un from;
	socklen_t fl = sizeof(from);
	UT_EXPECT_EQ(recvfrom(d, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 1);
	UT_EXPECT_EQ(fl, SUN_OFF + 6);
	close(d);
	close(d2);
	close(d3);
	close(s);
	close(s2);
	/* Released: the abstract name is free. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	UT_EXPECT_EQ(bind(s, (struct sockaddr *)&a, len), 0);
	close(s);
}

UT_CASE(stream_errors)
{
	int s = un_listen(SOCK_STREAM, "@t_unix-stream", 1);
	UT_ASSERT(s >= 0);
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	char b[4];
	UT_EXPECT_ERR(recv(u, b, 1, 0), EINVAL);
	UT_EXPECT_ERR(send(u, "x", 1, 0), ENOTCONN);
	UT_EXPECT_ERR(accept(u, NULL, NULL), EINVAL);
	struct sockaddr_un g;
	socklen_t gl = sizeof(g);
	UT_EXPECT_ERR(getpeername(u, (struct sockaddr *)&g, &gl), ENOTCONN);
	/* (musl's accept4 retries with accept on EINVAL: call the kernel.) */
	UT_EXPECT_ERR(syscall(SYS_accept4, s, NULL, NULL, 1), EINVAL);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	UT_EXPECT_ERR(accept(d, NULL, NULL), EOPNOTSUPP);
	UT_EXPECT_ERR(listen(d, 1), EOPNOTSUPP);
	close(d);
	/* Non-blocking accept with nothing pending. */
	int fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	UT_EXPECT_ERR(accept(s, NULL, NULL), EAGAIN);
	fcntl(s, F_SETFL, fl);

	/* A backlog of 1 takes two; a third non-blocking connect is EAGAIN. */
	int c1 = un_connect(SOCK_STREAM, "@t_unix-stream");
	int c2 = un_connect(SOCK_STREAM, "@t_unix-stream");
	UT_EXPECT(c1 >= 0 && c2 >= 0);
	socklen_t len;
	struct sockaddr_un a = un_addr("@t_unix-stream", &len);
	int c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	UT_EXPECT_ERR(connect(c3, (struct sockaddr *)&a, len), EAGAIN);

	int a1 = accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	UT_ASSERT(a1 >= 0);
	UT_EXPECT(fcntl(a1, F_GETFL) & O_NONBLOCK);
	UT_EXPECT_EQ(fcntl(a1, F_GETFD), FD_CLOEXEC);
	UT_EXPECT_EQ(connect(c3, (struct sockaddr *)&a, len), 0);      /* room now */
	UT_EXPECT_ERR(sendto(c1, "x", 1, 0, (struct sockaddr *)&a, len), EISCONN);
	UT_EXPECT_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&a, len), EOPNOTSUPP);
	UT_EXPECT_EQ(write(c1, "abc", 3), 3);
	UT_EXPECT_EQ(read(a1, b, 4), 3);
	UT_EXPECT_EQ(memcmp(b, "abc", 3), 0);
	UT_EXPECT_EQ(write(a1, "de", 2), 2);
	UT_EXPECT_EQ(recv(c1, b, 4, 0), 2);
	UT_EXPECT_ERR(recv(a1, b, 4, 0), EAGAIN);
	int n = -1;
	UT_EXPECT_EQ(write(c1, "xyz", 3), 3);
	UT_EXPECT_EQ(ioctl(a1, FIONREAD, &n), 0);
	UT_EXPECT_EQ(n, 3);
	/* Closing the listener hangs up the connections not accepted. */
	close(s);
	UT_EXPECT_ERR(recv(c2, b, 4, 0), ECONNRESET);
	UT_EXPECT_EQ(recv(c2, b, 4, 0), 0);
	UT_EXPECT_ERR(recv(c3, b, 4, 0), ECONNRESET);
	UT_EXPECT_EQ(recv(c3, b, 4, 0), 0);
	UT_EXPECT_EQ(recv(a1, b, 4, 0), 3);
	close(a1);
	close(c1);
	close(c2);
	close(c3);
	close(u);
}

UT_CASE(datagrams)
{
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);
	socklen_t len;
	struct sockaddr_un a = un_addr("@t_unix-dgram", &len);
	UT_ASSERT(bind(r, (struct sockaddr *)&a, len) == 0);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	UT_EXPECT_ERR(send(s, "x", 1, 0), ENOTCONN);
	UT_EXPECT_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&a, 2), EINVAL);
	UT_EXPECT_EQ(sendto(s, "hello", 5, 0, (struct sockaddr *)&a, len), 5);
	UT_EXPECT_EQ(sendto(s, "", 0, 0, (struct sockaddr *)&a, len), 0);
	UT_EXPECT_EQ(sendto(s, "world!", 6, 0, (struct sockaddr *)&a, len), 6);
	char b[16];
	struct sockaddr_un from;
	socklen_t fl = sizeof(from);
	/* One message per read, the rest of a long one cut off. */
	UT_EXPECT_EQ(recvfrom(r, b, 3, 0, (struct sockaddr *)&from, &fl), 3);
	UT_EXPECT_EQ(fl, 0);            /* an unnamed sender */
	UT_EXPECT_EQ(memcmp(b, "hel", 3), 0);
	UT_EXPECT_EQ(recv(r, b, sizeof(b), 0), 0);
	struct iovec iov = { b, 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	UT_EXPECT_EQ(recvmsg(r, &m, MSG_TRUNC), 6);
	UT_EXPECT(m.msg_flags & MSG_TRUNC);
	UT_EXPECT_ERR(recv(r, b, sizeof(b), MSG_DONTWAIT), EAGAIN);

	/* Connected: the default destination; others may not send to a
	 * socket connected elsewhere. */
	UT_EXPECT_EQ(connect(s, (struct sockaddr *)&a, len), 0);
	UT_EXPECT_EQ(send(s, "abc", 3, 0), 3);
	UT_EXPECT_EQ(recv(r, b, sizeof(b), 0), 3);
	int other = socket(AF_UNIX, SOCK_DGRAM, 0);
	UT_EXPECT_EQ(bind(other, (struct sockaddr *)&a, SUN_OFF), 0);
	struct sockaddr_un oa;
	socklen_t ol = sizeof(oa);
	getsockname(other, (struct sockaddr *)&oa, &ol);
	UT_EXPECT_EQ(connect(r, (struct sockaddr *)&oa, ol), 0);
	UT_EXPECT_ERR(send(s, "abc", 3, 0), EPERM);
	struct sockaddr_un un = { .sun_family = AF_UNSPEC };
	UT_EXPECT_EQ(connect(r, (struct sockaddr *)&un, sizeof(un)), 0);
	UT_EXPECT_EQ(send(s, "abc", 3, 0), 3);

	/* Too big for the send buffer. */
	int v = 2048;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	static char big[8192];
	UT_EXPECT_ERR(send(s, big, sizeof(big), 0), EMSGSIZE);

	/* The receiver gone: ECONNREFUSED once, then not connected. */
	close(r);
	UT_EXPECT_ERR(send(s, "x", 1, 0), ECONNREFUSED);
	UT_EXPECT_ERR(send(s, "x", 1, 0), ENOTCONN);
	UT_EXPECT_ERR(sendto(s, "x", 1, 0, (struct sockaddr *)&a, len), ECONNREFUSED);
	close(s);
	close(other);
}

UT_CASE(datagram_queue_limit)
{
	int r = socket(AF_UNIX, SOCK_DGRAM, 0);
	socklen_t len;
	struct sockaddr_un a = un_addr("@t_unix-dq", &len);
	UT_ASSERT(bind(r, (struct sockaddr *)&a, len) == 0);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	UT_ASSERT(connect(s, (struct sockaddr *)&a, len) == 0);
	int sent = 0;
	while (send(s, "m", 1, 0) == 1 && sent < 100)
		sent++;
	UT_EXPECT_EQ(errno, EAGAIN);
	UT_EXPECT_EQ(sent, 11);         /* net.unix.max_dgram_qlen (10) + 1 */
	UT_EXPECT_EQ(un_revents(s) & POLLOUT, 0);
	char c;
	UT_EXPECT_EQ(recv(r, &c, 1, 0), 1);
	UT_EXPECT_EQ(send(s, "m", 1, 0), 1);
	close(s);
	close(r);
}

UT_CASE(seqpackets)
{
	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	UT_EXPECT_EQ(send(sv[0], "one", 3, 0), 3);
	UT_EXPECT_EQ(send(sv[0], "three", 5, 0), 5);
	char b[16];
	UT_EXPECT_EQ(recv(sv[1], b, sizeof(b), 0), 3);
	struct iovec iov = { b, 2 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	UT_EXPECT_EQ(recvmsg(sv[1], &m, 0), 2);
	UT_EXPECT_EQ(m.msg_flags & MSG_TRUNC, MSG_TRUNC);
	UT_EXPECT_ERR(recv(sv[1], b, sizeof(b), MSG_DONTWAIT), EAGAIN);
	close(sv[0]);
	UT_EXPECT_EQ(recv(sv[1], b, sizeof(b), 0), 0);
	UT_EXPECT_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[1]);

	int u = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	UT_EXPECT_ERR(recv(u, b, 1, 0), ENOTCONN);
	UT_EXPECT_ERR(send(u, "x", 1, 0), ENOTCONN);
	close(u);

	int s = un_listen(SOCK_SEQPACKET, "@t_unix-seq", 4);
	UT_ASSERT(s >= 0);
	int c = un_connect(SOCK_SEQPACKET, "@t_unix-seq");
	int a = accept(s, NULL, NULL);
	UT_ASSERT(c >= 0 && a >= 0);
	UT_EXPECT_EQ(send(c, "ab", 2, 0), 2);
	UT_EXPECT_EQ(send(c, "cd", 2, 0), 2);
	UT_EXPECT_EQ(recv(a, b, sizeof(b), 0), 2);
	UT_EXPECT_EQ(recv(a, b, sizeof(b), 0), 2);
	close(a);
	close(c);
	close(s);
}

UT_CASE(peer_credentials)
{
	int s = un_listen(SOCK_STREAM, "@t_unix-cred", 4);
	UT_ASSERT(s >= 0);
	int go[2];
	UT_ASSERT(pipe(go) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(2000) || setuid(1000))
			_exit(2);
		int c = un_connect(SOCK_STREAM, "@t_unix-cred");
		struct ucred uc;
		socklen_t l = sizeof(uc);
		if (c < 0 || getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &l))
			_exit(3);
		char x;
		read(go[0], &x, 1);
		_exit(uc.pid == getppid() && uc.uid == 0 && uc.gid == 0 ? 0 : 4);
	}
	int a = accept(s, NULL, NULL);
	UT_ASSERT(a >= 0);
	struct ucred uc;
	socklen_t l = sizeof(uc);
	UT_EXPECT_EQ(getsockopt(a, SOL_SOCKET, SO_PEERCRED, &uc, &l), 0);
	UT_EXPECT_EQ(l, sizeof(uc));
	UT_EXPECT_EQ(uc.pid, pid);
	UT_EXPECT_EQ(uc.uid, 1000);
	UT_EXPECT_EQ(uc.gid, 2000);
	write(go[1], "x", 1);
	int status;
	UT_EXPECT_EQ(waitpid(pid, &status, 0), pid);
	UT_EXPECT_EQ(status, 0);
	close(a);
	close(s);
	close(go[0]);
	close(go[1]);

	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	l = sizeof(uc);
	UT_EXPECT_EQ(getsockopt(sv[1], SOL_SOCKET, SO_PEERCRED, &uc, &l), 0);
	UT_EXPECT_EQ(uc.pid, getpid());
	close(sv[0]);
	close(sv[1]);
}

/* Garbage pointers in every socket call: EFAULT, never a crash. */
UT_CASE(bad_pointers)
{
	void *const bads[] = { (void *)1, (void *)0xffffffff81000000ul, (void *)0x800000000000ul };
	int sv[2];
	UT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	int l = un_listen(SOCK_STREAM, "@t_unix-bad", 8);
	UT_ASSERT(l >= 0);
	for (unsigned i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		void *b = bads[i];
		socklen_t len = sizeof(struct sockaddr_un);
		int d = socket(AF_UNIX, SOCK_DGRAM, 0);
		UT_EXPECT_ERR(syscall(SYS_bind, d, b, 16), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_connect, d, b, 16), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_sendto, d, "x", 1, 0, b, 16), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_sendto, sv[0], b, 1, 0, NULL, 0), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_sendmsg, sv[0], b, 0), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_recvmsg, sv[1], b, 0), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_getsockname, d, b, &len), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_getsockname, d, &len, b), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_getpeername, sv[0], b, &len), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_getsockopt, d, SOL_SOCKET, SO_TYPE, b, &len), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_getsockopt, d, SOL_SOCKET, SO_TYPE, &len, b), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_setsockopt, d, SOL_SOCKET, SO_RCVTIMEO, b, 16), EFAULT);
		UT_EXPECT_ERR(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, b), EFAULT);
		/* Data waiting: a bad buffer fails and leaves it there. */
		UT_EXPECT_EQ(write(sv[0], "k", 1), 1);
		UT_EXPECT_ERR(syscall(SYS_recvfrom, sv[1], b, 1, 0, NULL, NULL), EFAULT);
		char c = 0;
		UT_EXPECT_EQ(recv(sv[1], &c, 1, 0), 1);
		UT_EXPECT_EQ(c, 'k');
		/* A bad message header pointer inside a good msghdr. */
		struct msghdr m = { .msg_iov = b, .msg_iovlen = 1 };
		UT_EXPECT_ERR(sendmsg(sv[0], &m, 0), EFAULT);
		int c1 = un_connect(SOCK_STREAM, "@t_unix-bad");
		UT_EXPECT_ERR(syscall(SYS_accept, l, b, &len), EFAULT);
		close(c1);
		close(d);
	}
	close(l);
	close(sv[0]);
	close(sv[1]);
}

UT_SUITE("unix", UT_C(socket_creation), UT_C(socket_options), UT_C(path_names),
	 UT_C(path_permissions), UT_C(abstract_and_autobind), UT_C(stream_errors),
	 UT_C(datagrams), UT_C(datagram_queue_limit), UT_C(seqpackets), UT_C(peer_credentials),
	 UT_C(bad_pointers))
