/*
 * Interface and route ioctls (netdevice(7), SIOCADDRT) and /proc/net's
 * tcp, udp, route and pnp files, as busybox ifconfig and route use them.
 * The device ioctls work on any socket (AF_UNIX here); the IPv4 address
 * and route ones only on AF_INET sockets (Linux answers ENOTTY on
 * others), so those cases run when socket(AF_INET) exists. Expectations
 * are Linux's; the boot may or may not have a NIC, and the cases that
 * depend on one look at what SIOCGIFINDEX says about eth0.
 */
#include "utest.h"
#include <arpa/inet.h>
#include <stdbool.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

static void proc_mounted(void)
{
	struct stat st;

	if (stat("/proc/net", &st) == 0)
		return;
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
}

static int read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return (int)len;
}

static int unix_sock(void)
{
	return socket(AF_UNIX, SOCK_DGRAM, 0);
}

/* -1 when the kernel has no AF_INET yet. */
static int inet_sock(void)
{
	return socket(AF_INET, SOCK_DGRAM, 0);
}

static void set_name(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
}

static bool have_eth0(int fd)
{
	struct ifreq ifr;

	set_name(&ifr, "eth0");
	return ioctl(fd, SIOCGIFINDEX, &ifr) == 0;
}

static uint32_t sin_addr_of(const struct sockaddr *sa)
{
	return ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
}

UT_CASE(test_ifconf_lists_lo)
{
	int fd = unix_sock();
	struct ifreq reqs[16];
	struct ifconf ifc = { .ifc_len = 0, .ifc_req = NULL };

	UT_ASSERT(fd >= 0);
	/* A NULL buffer asks for the size. */
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFCONF, &ifc), 0);
	UT_EXPECT(ifc.ifc_len >= (int)sizeof(struct ifreq));
	UT_EXPECT_EQ(ifc.ifc_len % (int)sizeof(struct ifreq), 0);
	int need = ifc.ifc_len;

	ifc.ifc_len = sizeof(reqs);
	ifc.ifc_req = reqs;
	memset(reqs, 0xaa, sizeof(reqs));
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFCONF, &ifc), 0);
	UT_EXPECT_EQ(ifc.ifc_len, need);
	int lo = 0;
	for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++) {
		UT_EXPECT_EQ(reqs[i].ifr_addr.sa_family, AF_INET);
		if (!strcmp(reqs[i].ifr_name, "lo")) {
			lo++;
			UT_EXPECT_EQ(sin_addr_of(&reqs[i].ifr_addr), htonl(INADDR_LOOPBACK));
			UT_EXPECT_EQ(((struct sockaddr_in *)&reqs[i].ifr_addr)->sin_port, 0);
		}
	}
	UT_EXPECT_EQ(lo, 1);
	UT_EXPECT_EQ(strcmp(reqs[0].ifr_name, "lo"), 0);        /* index order: lo is 1 */

	/* Only whole entries: one byte short of one entry gives none. */
	ifc.ifc_len = sizeof(struct ifreq) - 1;
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFCONF, &ifc), 0);
	UT_EXPECT_EQ(ifc.ifc_len, 0);
	ifc.ifc_len = sizeof(struct ifreq);
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFCONF, &ifc), 0);
	UT_EXPECT_EQ(ifc.ifc_len, (int)sizeof(struct ifreq));

	UT_EXPECT_ERR(ioctl(fd, SIOCGIFCONF, NULL), EFAULT);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFCONF, (void *)8), EFAULT);
	ifc.ifc_len = sizeof(reqs);
	ifc.ifc_req = (struct ifreq *)16;
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFCONF, &ifc), EFAULT);
	close(fd);
}

UT_CASE(test_lo_flags_index_mtu_hwaddr)
{
	int fd = unix_sock();
	struct ifreq ifr;

	UT_ASSERT(fd >= 0);
	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_flags, IFF_UP | IFF_LOOPBACK | IFF_RUNNING);     /* 0x49 */
	UT_EXPECT_EQ(strcmp(ifr.ifr_name, "lo"), 0);

	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFINDEX, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_ifindex, 1);
	UT_EXPECT_EQ(if_nametoindex("lo"), 1);                  /* musl: SIOCGIFINDEX */

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = 1;
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFNAME, &ifr), 0);
	UT_EXPECT_EQ(strcmp(ifr.ifr_name, "lo"), 0);
	char name[IF_NAMESIZE];
	UT_EXPECT(if_indextoname(1, name) && !strcmp(name, "lo"));
	ifr.ifr_ifindex = 0;
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFNAME, &ifr), ENODEV);
	ifr.ifr_ifindex = 4000;
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFNAME, &ifr), ENODEV);

	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFMTU, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_mtu, 65536);
	set_name(&ifr, "lo");
	ifr.ifr_metric = 7;
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFMETRIC, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_metric, 0);

	set_name(&ifr, "lo");
	memset(ifr.ifr_hwaddr.sa_data, 0x55, sizeof(ifr.ifr_hwaddr.sa_data));
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_hwaddr.sa_family, 772);            /* ARPHRD_LOOPBACK */
	for (int i = 0; i < 6; i++)
		UT_EXPECT_EQ(ifr.ifr_hwaddr.sa_data[i], 0);
	close(fd);
}

UT_CASE(test_eth0_if_present)
{
	int fd = unix_sock();
	struct ifreq ifr;

	UT_ASSERT(fd >= 0);
	if (!have_eth0(fd)) {
		printf("    # no eth0 in this boot\n");
		close(fd);
		return;
	}
	set_name(&ifr, "eth0");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFINDEX, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_ifindex, 2);
	set_name(&ifr, "eth0");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	UT_EXPECT((ifr.ifr_flags & (IFF_UP | IFF_BROADCAST | IFF_RUNNING)) ==
		  (IFF_UP | IFF_BROADCAST | IFF_RUNNING));
	UT_EXPECT(!(ifr.ifr_flags & IFF_LOOPBACK));
	set_name(&ifr, "eth0");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_hwaddr.sa_family, 1);              /* ARPHRD_ETHER */
	set_name(&ifr, "eth0");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFMTU, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_mtu, 1500);
	close(fd);
}

UT_CASE(test_errors)
{
	int fd = unix_sock();
	struct ifreq ifr;

	UT_ASSERT(fd >= 0);
	set_name(&ifr, "nosuch0");
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFFLAGS, &ifr), ENODEV);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFINDEX, &ifr), ENODEV);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFMTU, &ifr), ENODEV);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFHWADDR, &ifr), ENODEV);
	UT_EXPECT_EQ(if_nametoindex("nosuch0"), 0);
	/* The 16th byte is forced to NUL: "lo" followed by 14 more letters. */
	memset(ifr.ifr_name, 'x', IFNAMSIZ);
	ifr.ifr_name[0] = 'l', ifr.ifr_name[1] = 'o';
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFFLAGS, &ifr), ENODEV);
	/* An alias label names its device. */
	set_name(&ifr, "lo:1");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	UT_EXPECT(ifr.ifr_flags & IFF_LOOPBACK);

	UT_EXPECT_ERR(ioctl(fd, SIOCGIFFLAGS, NULL), EFAULT);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFFLAGS, (void *)1), EFAULT);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFINDEX, (void *)-4096L), EFAULT);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFNAME, NULL), EFAULT);
	/* Readable but not writable: the answer cannot be stored. */
	struct ifreq *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(ro != MAP_FAILED);
	set_name(ro, "lo");
	UT_ASSERT(mprotect(ro, 4096, PROT_READ) == 0);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFFLAGS, ro), EFAULT);
	struct ifconf *roc = (struct ifconf *)ro;
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFCONF, roc), EFAULT);        /* ifc_len is written back */
	munmap(ro, 4096);

	/* The IPv4 ones are AF_INET's: ENOTTY on an AF_UNIX socket. */
	set_name(&ifr, "lo");
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFADDR, &ifr), ENOTTY);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFNETMASK, &ifr), ENOTTY);
	struct rtentry rt;
	memset(&rt, 0, sizeof(rt));
	UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), ENOTTY);
	/* Not a socket: the interface ioctls are socket ioctls. */
	int p[2];
	UT_ASSERT(pipe(p) == 0);
	UT_EXPECT_ERR(ioctl(p[0], SIOCGIFFLAGS, &ifr), ENOTTY);
	close(p[0]);
	close(p[1]);
	close(fd);
}

static void set_flags_child(void)
{
	int fd = unix_sock();
	struct ifreq ifr;

	if (setuid(1000)) {
		printf("    # setuid: %s\n", strerror(errno));
		_exit(2);
	}
	int bad = 0;
	set_name(&ifr, "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	bad += !(ioctl(fd, SIOCSIFFLAGS, &ifr) == -1 && errno == EPERM);
	set_name(&ifr, "lo");
	ifr.ifr_mtu = 1500;
	bad += !(ioctl(fd, SIOCSIFMTU, &ifr) == -1 && errno == EPERM);
	/* The privilege is checked before the device. */
	set_name(&ifr, "nosuch0");
	bad += !(ioctl(fd, SIOCSIFFLAGS, &ifr) == -1 && errno == EPERM);
	/* Reading needs nothing. */
	set_name(&ifr, "lo");
	bad += ioctl(fd, SIOCGIFFLAGS, &ifr) != 0;
	int in = inet_sock();
	if (in >= 0) {
		struct rtentry rt;
		memset(&rt, 0, sizeof(rt));
		rt.rt_dst.sa_family = AF_INET;
		bad += !(ioctl(in, SIOCADDRT, &rt) == -1 && errno == EPERM);
		bad += !(ioctl(in, SIOCDELRT, &rt) == -1 && errno == EPERM);
		set_name(&ifr, "lo");
		ifr.ifr_addr.sa_family = AF_INET;
		bad += !(ioctl(in, SIOCSIFADDR, &ifr) == -1 && errno == EPERM);
		bad += !(ioctl(in, SIOCSIFNETMASK, &ifr) == -1 && errno == EPERM);
		bad += ioctl(in, SIOCGIFADDR, &ifr) != 0;
	}
	_exit(bad);
}

UT_CASE(test_set_needs_root)
{
	pid_t pid = fork();

	UT_ASSERT(pid >= 0);
	if (pid == 0)
		set_flags_child();
	int st;
	UT_ASSERT(waitpid(pid, &st, 0) == pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
}

/* Root takes lo down and up again: IFF_UP and IFF_RUNNING follow. */
UT_CASE(test_lo_down_up)
{
	int fd = unix_sock();
	struct ifreq ifr;

	UT_ASSERT(fd >= 0);
	set_name(&ifr, "lo");
	ifr.ifr_flags = IFF_LOOPBACK;
	UT_EXPECT_EQ(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_flags, IFF_LOOPBACK);
	set_name(&ifr, "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK;
	UT_EXPECT_EQ(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_flags, IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	/* lo's MTU is not ours to change; a NIC's must stay in 68..1500. */
	set_name(&ifr, "nosuch0");
	ifr.ifr_mtu = 1000;
	UT_EXPECT_ERR(ioctl(fd, SIOCSIFMTU, &ifr), ENODEV);
	if (have_eth0(fd)) {
		set_name(&ifr, "eth0");
		ifr.ifr_mtu = 67;
		UT_EXPECT_ERR(ioctl(fd, SIOCSIFMTU, &ifr), EINVAL);
		ifr.ifr_mtu = 1501;
		UT_EXPECT_ERR(ioctl(fd, SIOCSIFMTU, &ifr), EINVAL);
		ifr.ifr_mtu = 1400;
		UT_EXPECT_EQ(ioctl(fd, SIOCSIFMTU, &ifr), 0);
		UT_EXPECT_EQ(ioctl(fd, SIOCGIFMTU, &ifr), 0);
		UT_EXPECT_EQ(ifr.ifr_mtu, 1400);
		ifr.ifr_mtu = 1500;
		UT_EXPECT_EQ(ioctl(fd, SIOCSIFMTU, &ifr), 0);
	}
	close(fd);
}

UT_CASE(test_inet_addresses)
{
	int fd = inet_sock();
	struct ifreq ifr;

	if (fd < 0) {
		printf("    # no AF_INET sockets (%s): IPv4 address ioctls not run\n",
		       strerror(errno));
		return;
	}
	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFADDR, &ifr), 0);
	UT_EXPECT_EQ(ifr.ifr_addr.sa_family, AF_INET);
	UT_EXPECT_EQ(sin_addr_of(&ifr.ifr_addr), htonl(INADDR_LOOPBACK));
	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFNETMASK, &ifr), 0);
	UT_EXPECT_EQ(sin_addr_of(&ifr.ifr_addr), htonl(0xff000000));
	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFBRDADDR, &ifr), 0);
	UT_EXPECT_EQ(sin_addr_of(&ifr.ifr_addr), 0);             /* lo has no broadcast */
	/* The device ioctls work on AF_INET sockets too. */
	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	UT_EXPECT(ifr.ifr_flags & IFF_LOOPBACK);

	set_name(&ifr, "nosuch0");
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFADDR, &ifr), ENODEV);
	set_name(&ifr, "lo:7");                 /* no such alias */
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFADDR, &ifr), EADDRNOTAVAIL);
	UT_EXPECT_ERR(ioctl(fd, SIOCGIFADDR, (void *)8), EFAULT);
	/* A set with a non-AF_INET address: EINVAL, before the device. */
	set_name(&ifr, "nosuch0");
	ifr.ifr_addr.sa_family = AF_UNIX;
	UT_EXPECT_ERR(ioctl(fd, SIOCSIFADDR, &ifr), EINVAL);
	UT_EXPECT_ERR(ioctl(fd, SIOCSIFNETMASK, &ifr), EINVAL);
	/* Non-contiguous mask; multicast address. */
	set_name(&ifr, "lo");
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xff00ff00);
	UT_EXPECT_ERR(ioctl(fd, SIOCSIFNETMASK, &ifr), EINVAL);
	sin->sin_addr.s_addr = htonl(0xe0000001);
	UT_EXPECT_ERR(ioctl(fd, SIOCSIFADDR, &ifr), EINVAL);
	/* Setting lo's own values changes nothing and succeeds. */
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	UT_EXPECT_EQ(ioctl(fd, SIOCSIFADDR, &ifr), 0);
	sin->sin_addr.s_addr = htonl(0xff000000);
	UT_EXPECT_EQ(ioctl(fd, SIOCSIFNETMASK, &ifr), 0);
	set_name(&ifr, "lo");
	UT_EXPECT_EQ(ioctl(fd, SIOCGIFNETMASK, &ifr), 0);
	UT_EXPECT_EQ(sin_addr_of(&ifr.ifr_addr), htonl(0xff000000));
	close(fd);
}

static void route_set(struct rtentry *rt, uint32_t dst, uint32_t mask, uint32_t gw)
{
	memset(rt, 0, sizeof(*rt));
	((struct sockaddr_in *)&rt->rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt->rt_dst)->sin_addr.s_addr = htonl(dst);
	((struct sockaddr_in *)&rt->rt_genmask)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt->rt_genmask)->sin_addr.s_addr = htonl(mask);
	if (gw) {
		((struct sockaddr_in *)&rt->rt_gateway)->sin_family = AF_INET;
		((struct sockaddr_in *)&rt->rt_gateway)->sin_addr.s_addr = htonl(gw);
		rt->rt_flags = RTF_UP | RTF_GATEWAY;
	} else {
		rt->rt_flags = RTF_UP;
	}
}

UT_CASE(test_routes)
{
	int fd = inet_sock();
	struct rtentry rt;

	if (fd < 0) {
		printf("    # no AF_INET sockets: route ioctls not run\n");
		return;
	}
	UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, NULL), EFAULT);
	route_set(&rt, 0, 0, 0);
	rt.rt_dst.sa_family = AF_UNIX;
	UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), EAFNOSUPPORT);
	route_set(&rt, 0x0a000001, 0xffffff00, 0);      /* host bits under the mask */
	UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), EINVAL);
	route_set(&rt, 0, 0, 0);
	rt.rt_flags |= RTF_GATEWAY;                     /* gateway flag, no gateway */
	UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), EINVAL);
	route_set(&rt, 0, 0, 0xc0000201);
	rt.rt_dev = "nosuch0";
	UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), ENODEV);
	rt.rt_dev = (char *)8;
	UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), EFAULT);
	/* 192.0.2.1 is on no interface's network. */
	route_set(&rt, 0, 0, 0xc0000201);
	UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), ENETUNREACH);
	route_set(&rt, 0, 0, 0xc0000201);
	UT_EXPECT_ERR(ioctl(fd, SIOCDELRT, &rt), ESRCH);
	route_set(&rt, 0xc0000200, 0xffffff00, 0);
	UT_EXPECT_ERR(ioctl(fd, SIOCDELRT, &rt), ESRCH);

	/* With a NIC configured by QEMU's DHCP (10.0.2.15/24 via 10.0.2.2):
	 * delete the default route and put it back. */
	if (have_eth0(fd)) {
		static char buf[4096];
		proc_mounted();
		/* DHCP finishes in the background: give it up to 20 s (a bound
		 * on waiting, not a speed check; ktest net.test_dhcp tests it). */
		for (int i = 0; i < 200; i++) {
			read_all("/proc/net/route", buf, sizeof(buf));
			if (strstr(buf, "eth0\t00000000\t0202000A\t0003\t"))
				break;
			usleep(100000);
		}
		if (strstr(buf, "eth0\t00000000\t0202000A\t0003\t")) {
			route_set(&rt, 0, 0, 0x0a000202);
			UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), EEXIST);
			route_set(&rt, 0, 0, 0);
			UT_EXPECT_EQ(ioctl(fd, SIOCDELRT, &rt), 0);
			UT_EXPECT_ERR(ioctl(fd, SIOCDELRT, &rt), ESRCH);
			read_all("/proc/net/route", buf, sizeof(buf));
			UT_EXPECT(!strstr(buf, "\t00000000\t0202000A\t"));
			route_set(&rt, 0, 0, 0x0a000202);
			UT_EXPECT_EQ(ioctl(fd, SIOCADDRT, &rt), 0);
			read_all("/proc/net/route", buf, sizeof(buf));
			UT_EXPECT(strstr(buf, "eth0\t00000000\t0202000A\t0003\t") != NULL);
			/* The connected route exists already. */
			route_set(&rt, 0x0a000200, 0xffffff00, 0);
			UT_EXPECT_ERR(ioctl(fd, SIOCADDRT, &rt), EEXIST);
		} else {
			printf("    # eth0 has no default route via 10.0.2.2\n");
		}
	}
	close(fd);
}

/* Every line of a Linux /proc/net table is padded to width characters. */
static void expect_padded(const char *buf, int width)
{
	for (const char *l = buf; *l;) {
		const char *nl = strchr(l, '\n');
		UT_ASSERT(nl != NULL);
		UT_EXPECT_EQ(nl - l, width);
		l = nl + 1;
	}
}

UT_CASE(test_proc_net_tables)
{
	static char buf[16384];

	proc_mounted();
	UT_ASSERT(read_all("/proc/net/route", buf, sizeof(buf)) > 0);
	UT_EXPECT(!strncmp(buf, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\t"
			   "Mask\t\tMTU\tWindow\tIRTT ", 72));
	expect_padded(buf, 127);

	UT_ASSERT(read_all("/proc/net/tcp", buf, sizeof(buf)) > 0);
	UT_EXPECT(!strncmp(buf, "  sl  local_address rem_address   st tx_queue rx_queue tr "
			   "tm->when retrnsmt   uid  timeout inode", 95));
	expect_padded(buf, 149);

	UT_ASSERT(read_all("/proc/net/udp", buf, sizeof(buf)) > 0);
	UT_EXPECT(!strncmp(buf, "   sl  local_address rem_address   st tx_queue rx_queue tr "
			   "tm->when retrnsmt   uid  timeout inode ref pointer drops", 111));
	expect_padded(buf, 127);

	/* Without a NIC, no boot-time configuration. */
	UT_ASSERT(read_all("/proc/net/pnp", buf, sizeof(buf)) > 0);
	int fd = unix_sock();
	if (!have_eth0(fd))
		UT_EXPECT_EQ(strcmp(buf, "#MANUAL\n"), 0);
	else
		UT_EXPECT(!strncmp(buf, "#PROTO: DHCP\n", 13) || !strncmp(buf, "#MANUAL\n", 8));
	close(fd);
}

/* A listening TCP socket and a bound UDP socket show up in the tables. */
UT_CASE(test_proc_net_sockets)
{
	static char buf[65536];
	int t = socket(AF_INET, SOCK_STREAM, 0);

	if (t < 0) {
		printf("    # no AF_INET sockets: /proc/net/tcp and udp lines not checked\n");
		return;
	}
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(40123),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	UT_ASSERT(bind(t, (struct sockaddr *)&a, sizeof(a)) == 0);
	UT_ASSERT(listen(t, 5) == 0);
	a.sin_port = htons(40124);
	UT_ASSERT(bind(u, (struct sockaddr *)&a, sizeof(a)) == 0);
	proc_mounted();
	read_all("/proc/net/tcp", buf, sizeof(buf));
	/* 127.0.0.1:40123 is 0100007F:9CBB, LISTEN is 0A. */
	UT_EXPECT(strstr(buf, ": 0100007F:9CBB 00000000:0000 0A ") != NULL);
	read_all("/proc/net/udp", buf, sizeof(buf));
	UT_EXPECT(strstr(buf, ": 0100007F:9CBC 00000000:0000 07 ") != NULL);
	close(t);
	close(u);
	read_all("/proc/net/tcp", buf, sizeof(buf));
	UT_EXPECT(strstr(buf, ": 0100007F:9CBB 00000000:0000 0A ") == NULL);
}

UT_SUITE("netdev", UT_C(test_ifconf_lists_lo), UT_C(test_lo_flags_index_mtu_hwaddr),
	 UT_C(test_eth0_if_present), UT_C(test_errors), UT_C(test_set_needs_root),
	 UT_C(test_lo_down_up), UT_C(test_inet_addresses), UT_C(test_routes),
	 UT_C(test_proc_net_tables), UT_C(test_proc_net_sockets));
