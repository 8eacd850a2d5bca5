/*
 * TCP benchmarks (docs/performance.md): over the loopback interface between
 * two processes, and between the guest and a peer scripts/bench.py runs on
 * the host, through an e1000 on QEMU's user network.
 */
#include "bench.h"

/* A connected TCP pair over 127.0.0.1 (c: client, s: accepted), with
 * TCP_NODELAY on both: errno or 0. */
static int tcp_pair(int *c, int *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int one = 1, err = 0;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0)
		return errno;
	*c = -1;
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) || (*c = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(*c, (struct sockaddr *)&a, sizeof(a)) || (*s = accept(l, NULL, NULL)) < 0) {
		err = errno;
		if (*c >= 0)
			close(*c);
	} else {
		setsockopt(*c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(*s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	close(l);
	return err;
}

/* One byte each way over loopback TCP. */
int b_tcp_rtt(long iters)
{
	int c, s, err = tcp_pair(&c, &s);

	if (err)
		return err;
	err = ping_pong(c, s, s, c, iters);
	close(c);
	close(s);
	return err;
}

/* Streaming over loopback TCP: a child writes 64 KiB per iteration, the
 * parent reads it (reported per 64 KiB). */
int b_tcp_stream_64k(long iters)
{
	static char buf[65536];
	int c, s, err = tcp_pair(&c, &s);

	if (err)
		return err;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		close(s);
		for (long i = 0; i < iters; i++) {
			size_t off = 0;
			while (off < sizeof(buf)) {
				ssize_t w = write(c, buf + off, sizeof(buf) - off);
				if (w <= 0)
					_exit(1);
				off += (size_t)w;
			}
		}
		_exit(0);
	}
	close(c);
	for (long i = 0; i < iters && !err; i++) {
		size_t got = 0;
		while (got < sizeof(buf) && !err) {
			ssize_t r = read(s, buf + got, sizeof(buf) - got);
			if (r > 0)
				got += (size_t)r;
			else if (!(r < 0 && errno == EINTR))
				err = EIO;
		}
	}
	close(s);
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		err = EIO;
	return err;
}


/* ---- TCP between the guest and the host, over an e1000 NIC ---------------
 *
 * scripts/bench.py serves on the host's loopback, which QEMU's user network
 * shows the guest as 10.0.2.2 (`host=IP:PORT` on the command line). The
 * first byte of a connection says what the host does: 'S' sink (read to the
 * end, answer the count), 'R' source (send the 8-byte count asked for),
 * 'E' echo. Linux's e1000 driver is a module: the initramfs carries it and
 * init loads it; both kernels then get the same static address. */
static struct sockaddr_in host_addr;

static int host_connect(char mode)
{
	if (!host_addr.sin_port)
		return -(errno = EOPNOTSUPP);
	int s = -1;
	/* The link may still be coming up just after boot: retry a while. */
	for (int tries = 0; tries < 50; tries++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			return -1;
		if (connect(s, (struct sockaddr *)&host_addr, sizeof(host_addr)) == 0)
			break;
		int e = errno;
		close(s);
		s = -1;
		if (e != ENETUNREACH && e != EHOSTUNREACH && e != ECONNREFUSED && e != ETIMEDOUT)
			return -(errno = e);
		usleep(100000);
	}
	if (s < 0)
		return -(errno = ETIMEDOUT);
	int one = 1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (write(s, &mode, 1) != 1) {
		close(s);
		return -(errno = EIO);
	}
	return s;
}


/* Guest to host: iters * 64 KiB into the host's sink. */
int b_tcp_host_send(long iters)
{
	static char buf[65536];
	int s = host_connect('S');
	if (s < 0)
		return errno;
	int err = 0;
	for (long i = 0; i < iters && !err; i++)
		if (full_write(s, buf, sizeof(buf)))
			err = EIO;
	shutdown(s, SHUT_WR);
	uint64_t got = 0;
	if (!err && (read_all(s, (char *)&got, sizeof(got)) || got != (uint64_t)iters * sizeof(buf)))
		err = EIO;
	close(s);
	return err;
}

/* Host to guest: the host sends iters * 64 KiB. */
int b_tcp_host_recv(long iters)
{
	static char buf[65536];
	int s = host_connect('R');
	if (s < 0)
		return errno;
	uint64_t want = (uint64_t)iters * sizeof(buf), got = 0;
	int err = full_write(s, &want, sizeof(want)) ? EIO : 0;
	while (!err && got < want) {
		ssize_t r = read(s, buf, sizeof(buf));
		if (r > 0)
			got += (uint64_t)r;
		else if (!(r < 0 && errno == EINTR))
			err = EIO;
	}
	close(s);
	return err;
}

/* A 1-byte request echoed by the host. */
int b_tcp_host_rtt(long iters)
{
	int s = host_connect('E');
	if (s < 0)
		return errno;
	int err = 0;
	char c = 'x';
	for (long i = 0; i < iters && !err; i++)
		if (write(s, &c, 1) != 1 || read_all(s, &c, 1))
			err = EIO;
	close(s);
	return err;
}

/* As init on Linux: load the e1000 module the initramfs carries. Then give
 * eth0 the address QEMU's user network expects (goos's DHCP has usually
 * done so already) and a default route. */
static void host_net_setup(void)
{
	int fd = open("/e1000.ko", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (syscall(SYS_finit_module, fd, "", 0) == 0)
			say("BENCH_INFO module e1000 loaded\n");
		close(fd);
	}
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "eth0");
	if (ioctl(s, SIOCGIFADDR, &ifr) == 0) {         /* configured */
		close(s);
		return;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(0x0a00020f);         /* 10.0.2.15 */
	ioctl(s, SIOCSIFADDR, &ifr);
	a->sin_addr.s_addr = htonl(0xffffff00);
	ioctl(s, SIOCSIFNETMASK, &ifr);
	ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	ioctl(s, SIOCSIFFLAGS, &ifr);
	struct rtentry rt;
	memset(&rt, 0, sizeof(rt));
	((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
	struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
	gw->sin_family = AF_INET;
	gw->sin_addr.s_addr = htonl(0x0a000202);        /* 10.0.2.2 */
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	ioctl(s, SIOCADDRT, &rt);
	close(s);
}

/* Linux's loopback interface starts down in an initramfs with no
 * scripts: raise it, so the TCP benchmarks run on both kernels. */
static void lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
}


/* "host=IP:PORT" from the command line: where the host's peer listens. */
int net_host_arg(const char *arg)
{
	char ip[32];
	unsigned port;

	if (sscanf(arg, "%31[0-9.]:%u", ip, &port) != 2 ||
	    inet_pton(AF_INET, ip, &host_addr.sin_addr) != 1)
		return -1;
	host_addr.sin_family = AF_INET;
	host_addr.sin_port = htons((uint16_t)port);
	return 0;
}

void net_setup(void)
{
	lo_up();
	if (getpid() == 1 && host_addr.sin_port)
		host_net_setup();
}
