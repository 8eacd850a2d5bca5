/*
 * Interface and routing ioctls (netdevice(7), SIOCADDRT/SIOCDELRT of
 * route(8)) over lwIP's netifs: what busybox ifconfig and route use.
 * The socket layer (net/socket.c) sends SIOC* here from any socket's
 * ioctl: the device ones from every family, as Linux's dev_ioctl; the
 * IPv4 address and route ones only from AF_INET sockets, as Linux's
 * devinet_ioctl and ip_rt_ioctl (other families get ENOTTY there).
 *
 * Routing model: lwIP keeps one address, mask and gateway per netif and
 * one default netif. A "connected" route exists for each up interface
 * with an address; the default route is the default netif's gateway
 * (none while that is 0.0.0.0). Everything else a Linux routing table can
 * hold is refused with EOPNOTSUPP.
 *
 * Locking: every netif access is under the lwIP core lock, taken after
 * the user's structure has been copied in and dropped before copying out.
 */
#include <uapi/linux/if.h>
#include <uapi/linux/socket.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/uaccess.h>
#include <net/net.h>
#include <net/lwip/netdev.h>
#include <lwip/tcpip.h>

#define LOOPBACK_MTU 65536      /* lwIP's loopback has no limit (mtu 0); Linux's lo says 64 KiB */

/* The IPv4 address and route commands: Linux's devinet_ioctl and
 * ip_rt_ioctl, reached only from AF_INET sockets. */
static bool is_inet(unsigned cmd)
{
	switch (cmd) {
	case LINUX_SIOCGIFADDR: case LINUX_SIOCSIFADDR: case LINUX_SIOCGIFDSTADDR:
	case LINUX_SIOCGIFBRDADDR: case LINUX_SIOCSIFBRDADDR:
	case LINUX_SIOCGIFNETMASK: case LINUX_SIOCSIFNETMASK:
	case LINUX_SIOCADDRT: case LINUX_SIOCDELRT:
		return true;
	}
	return false;
}

/* Which commands the socket layer hands here for a socket of family. */
bool net_dev_ioctl_handles(unsigned cmd, int family)
{
	switch (cmd) {
	case LINUX_SIOCGIFCONF: case LINUX_SIOCGIFNAME:
	case LINUX_SIOCGIFFLAGS: case LINUX_SIOCSIFFLAGS:
	case LINUX_SIOCGIFMETRIC: case LINUX_SIOCGIFMTU: case LINUX_SIOCSIFMTU:
	case LINUX_SIOCGIFHWADDR: case LINUX_SIOCGIFINDEX:
		return true;
	}
	return is_inet(cmd) && family == LINUX_AF_INET;
}

/* CAP_NET_ADMIN: we have no capabilities, so effective root. */
static bool net_admin(void)
{
	return current_proc()->cred.euid == 0;
}

/* ---- sockaddr_in inside a struct sockaddr ---------------------------------- */

/* The IPv4 address of an AF_INET sockaddr, network order. */
static uint32_t sa_in_addr(const struct linux_sockaddr *sa)
{
	uint32_t a;

	memcpy(&a, sa->sa_data + 2, 4);
	return a;
}

static void sa_in_set(struct linux_sockaddr *sa, uint32_t addr)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_family = LINUX_AF_INET;
	memcpy(sa->sa_data + 2, &addr, 4);
}

static uint32_t ntohl32(uint32_t x)
{
	return __builtin_bswap32(x);
}

/* Linux's bad_mask(): not contiguous ones, or addr has host bits. */
static bool bad_mask(uint32_t mask, uint32_t addr)
{
	uint32_t inv = ~mask;

	if (addr & inv)
		return true;
	inv = ntohl32(inv);
	return (inv & (inv + 1)) != 0;
}

/* Linux's inet_abc_len(): the classful prefix of addr, -1 for class D. */
static int abc_len(uint32_t addr)
{
	uint32_t h = ntohl32(addr);

	if ((h >> 24) == 0 || h == 0xffffffffu)
		return 0;
	if (!(h & 0x80000000u))
		return 8;
	if ((h & 0xc0000000u) == 0x80000000u)
		return 16;
	if ((h & 0xe0000000u) == 0xc0000000u)
		return 24;
	if ((h & 0xf0000000u) == 0xf0000000u)
		return 32;
	return -1;
}

static uint32_t prefix_mask(int len)
{
	return len ? ntohl32(~0u << (32 - len)) : 0;
}

/* ---- interface flags ------------------------------------------------------ */

static short netif_linux_flags(const struct netif *n)
{
	short f = 0;

	if (netif_is_up(n))
		f |= LINUX_IFF_UP;
	if (netif_is_up(n) && netif_is_link_up(n))
		f |= LINUX_IFF_RUNNING;
	if (n->flags & NETIF_FLAG_BROADCAST)
		f |= LINUX_IFF_BROADCAST;
	if (netdev_netif_is_loop(n))
		f |= LINUX_IFF_LOOPBACK;
	if (n->flags & NETIF_FLAG_IGMP)
		f |= LINUX_IFF_MULTICAST;
	return f;
}

static bool netif_has_addr(const struct netif *n)
{
	return !ip4_addr_isany_val(*netif_ip4_addr(n));
}

/* ---- SIOCGIFCONF ------------------------------------------------------------ */

/* Linux's inet_gifconf over every interface: one ifreq per IPv4 address
 * (interfaces without one are not listed), as many as fit whole; a NULL
 * buffer asks for the length needed. */
static long ifconf(void *uarg)
{
	struct linux_ifconf ifc;
	struct linux_ifreq reqs[16];   /* interfaces listed at most */
	unsigned n = 0, want = 0;
	struct netif *netif;

	if (copy_from_user(&ifc, uarg, sizeof(ifc)))
		return -EFAULT;
	LOCK_TCPIP_CORE();
	NETIF_FOREACH_BY_INDEX(netif) {
		if (!netif_has_addr(netif))
			continue;
		want++;
		if (n < ARRAY_SIZE(reqs)) {
			memset(&reqs[n], 0, sizeof(reqs[n]));
			strlcpy(reqs[n].ifr_name, netdev_netif_name(netif), LINUX_IFNAMSIZ);
			sa_in_set(&reqs[n].ifr_addr, ip4_addr_get_u32(netif_ip4_addr(netif)));
			n++;
		}
	}
	UNLOCK_TCPIP_CORE();

	int32_t total = 0;
	if (!ifc.ifc_buf) {
		total = (int32_t)(want * sizeof(struct linux_ifreq));
	} else {
		for (unsigned i = 0; i < n; i++) {
			if (ifc.ifc_len - total < (int32_t)sizeof(struct linux_ifreq))
				break;
			if (copy_to_user((void *)(uintptr_t)(ifc.ifc_buf + (uint64_t)total), &reqs[i],
					 sizeof(reqs[i])))
				return -EFAULT;
			total += (int32_t)sizeof(struct linux_ifreq);
		}
	}
	if (copy_to_user((char *)uarg + offsetof(struct linux_ifconf, ifc_len), &total, sizeof(total)))
		return -EFAULT;
	return 0;
}

/* ---- device ioctls (any socket) --------------------------------------------- */

static int ifname_by_index(struct linux_ifreq *ifr)
{
	struct netif *netif;
	int err = -ENODEV;

	LOCK_TCPIP_CORE();
	NETIF_FOREACH_BY_INDEX(netif) {
		if (ifr->ifr_ifindex > 0 && netif_get_index(netif) == ifr->ifr_ifindex) {
			strlcpy(ifr->ifr_name, netdev_netif_name(netif), LINUX_IFNAMSIZ);
			err = 0;
			break;
		}
	}
	UNLOCK_TCPIP_CORE();
	return err;
}

static int set_flags(struct netif *netif, short flags)
{
	/* Only IFF_UP changes anything; lwIP has no promiscuous, no-ARP or
	 * debug modes to switch, and Linux ignores the read-only bits. */
	if ((flags & LINUX_IFF_UP) && !netif_is_up(netif))
		netif_set_up(netif);
	else if (!(flags & LINUX_IFF_UP) && netif_is_up(netif))
		netif_set_down(netif);
	return 0;
}

static int set_mtu(struct netif *netif, int mtu)
{
	if (netdev_netif_is_loop(netif))
		return -EOPNOTSUPP;
	const struct net_device *dev = netif->state;
	/* Ethernet's minimum (68, IPv4's) up to what the driver's buffers hold. */
	if (mtu < 68 || mtu > dev->mtu)
		return -EINVAL;
	netif->mtu = (u16_t)mtu;
	return 0;
}

/* Core lock held. */
static int dev_ioctl_locked(unsigned cmd, struct linux_ifreq *ifr, struct netif *netif)
{
	switch (cmd) {
	case LINUX_SIOCGIFFLAGS:
		ifr->ifr_flags = netif_linux_flags(netif);
		return 0;
	case LINUX_SIOCSIFFLAGS:
		return set_flags(netif, ifr->ifr_flags);
	case LINUX_SIOCGIFMETRIC:
		ifr->ifr_ifindex = 0;   /* Linux has no interface metric: always 0 */
		return 0;
	case LINUX_SIOCGIFMTU:
		ifr->ifr_mtu = netdev_netif_is_loop(netif) && !netif->mtu ? LOOPBACK_MTU : netif->mtu;
		return 0;
	case LINUX_SIOCSIFMTU:
		return set_mtu(netif, ifr->ifr_mtu);
	case LINUX_SIOCGIFHWADDR:
		memset(&ifr->ifr_addr, 0, sizeof(ifr->ifr_addr));
		if (netdev_netif_is_loop(netif)) {
			ifr->ifr_addr.sa_family = LINUX_ARPHRD_LOOPBACK;
		} else {
			ifr->ifr_addr.sa_family = LINUX_ARPHRD_ETHER;
			memcpy(ifr->ifr_addr.sa_data, netif->hwaddr, netif->hwaddr_len);
		}
		return 0;
	case LINUX_SIOCGIFINDEX:
		ifr->ifr_ifindex = netif_get_index(netif);
		return 0;
	}
	return -ENOTTY;
}

static bool is_set(unsigned cmd)
{
	switch (cmd) {
	case LINUX_SIOCSIFFLAGS: case LINUX_SIOCSIFMTU: case LINUX_SIOCSIFADDR:
	case LINUX_SIOCSIFBRDADDR: case LINUX_SIOCSIFNETMASK:
		return true;
	}
	return false;
}

/* ---- IPv4 address ioctls (AF_INET sockets) ------------------------------------ */

/* Core lock held; the name had no alias (":N") part. */
static int inet_ioctl_locked(unsigned cmd, struct linux_ifreq *ifr, struct netif *netif)
{
	uint32_t addr = ip4_addr_get_u32(netif_ip4_addr(netif));
	uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(netif));
	uint32_t brd = (netif->flags & NETIF_FLAG_BROADCAST) ? (addr | ~mask) : 0;
	uint32_t in = sa_in_addr(&ifr->ifr_addr);
	ip4_addr_t a;

	if (!addr && cmd != LINUX_SIOCSIFADDR)
		return -EADDRNOTAVAIL;
	switch (cmd) {
	case LINUX_SIOCGIFADDR:
	case LINUX_SIOCGIFDSTADDR:      /* not point-to-point: the address itself */
		sa_in_set(&ifr->ifr_addr, addr);
		return 0;
	case LINUX_SIOCGIFBRDADDR:
		sa_in_set(&ifr->ifr_addr, brd);
		return 0;
	case LINUX_SIOCGIFNETMASK:
		sa_in_set(&ifr->ifr_addr, mask);
		return 0;
	case LINUX_SIOCSIFADDR: {
		int len = abc_len(in);
		if (len < 0)
			return -EINVAL;
		if (in == addr)
			return 0;
		/* As Linux: a new address gets its classful mask (ifconfig
		 * sets the netmask after); 0.0.0.0 removes the address. */
		ip4_addr_t m;
		ip4_addr_set_u32(&a, in);
		ip4_addr_set_u32(&m, prefix_mask(len));
		netif_set_addr(netif, &a, &m, netif_ip4_gw(netif));
		return 0;
	}
	case LINUX_SIOCSIFNETMASK:
		if (bad_mask(in, 0))
			return -EINVAL;
		ip4_addr_set_u32(&a, in);
		netif_set_netmask(netif, &a);
		return 0;
	case LINUX_SIOCSIFBRDADDR:
		/* lwIP derives the broadcast address from address and mask. */
		return in == brd ? 0 : -EOPNOTSUPP;
	}
	return -ENOTTY;
}

/* The ifreq commands, with Linux's order of checks: the copy (EFAULT),
 * the privilege (EPERM), the address family (EINVAL), the device (ENODEV). */
static long ifreq_ioctl(unsigned cmd, void *uarg)
{
	struct linux_ifreq ifr;
	long err;

	if (copy_from_user(&ifr, uarg, sizeof(ifr)))
		return -EFAULT;
	ifr.ifr_name[LINUX_IFNAMSIZ - 1] = '\0';
	if (cmd == LINUX_SIOCGIFNAME) {
		err = ifname_by_index(&ifr);
		goto out_copy;
	}
	if (is_set(cmd) && !net_admin())
		return -EPERM;
	if (is_inet(cmd) && cmd != LINUX_SIOCGIFADDR && cmd != LINUX_SIOCGIFDSTADDR &&
	    cmd != LINUX_SIOCGIFBRDADDR && cmd != LINUX_SIOCGIFNETMASK &&
	    ifr.ifr_addr.sa_family != LINUX_AF_INET)
		return -EINVAL;

	/* "eth0:1" is an alias label: the device is eth0, but we have no
	 * aliases, so an address of one does not exist. */
	char *colon = strchr(ifr.ifr_name, ':');
	if (colon)
		*colon = '\0';
	LOCK_TCPIP_CORE();
	struct netif *netif = netdev_netif_find(ifr.ifr_name);
	if (!netif)
		err = -ENODEV;
	else if (!is_inet(cmd))
		err = dev_ioctl_locked(cmd, &ifr, netif);
	else if (colon)
		err = cmd == LINUX_SIOCSIFADDR ? -EOPNOTSUPP : -EADDRNOTAVAIL;
	else
		err = inet_ioctl_locked(cmd, &ifr, netif);
	UNLOCK_TCPIP_CORE();
	if (colon)
		*colon = ':';
out_copy:
	if (!err && !is_set(cmd) && copy_to_user(uarg, &ifr, sizeof(ifr)))
		return -EFAULT;
	return err;
}

/* ---- routes ---------------------------------------------------------------- */

struct route_req {
	uint32_t dst, mask, gw;         /* network order; gw 0: none given */
	struct netif *dev;              /* rt_dev, or NULL */
};

/* Linux's rtentry_to_fib_config checks, then the device name; core lock
 * is taken by the caller after this returns (the name is user memory). */
static int route_parse(unsigned cmd, const struct linux_rtentry *rt, struct route_req *r,
		       char *devname)
{
	if (rt->rt_dst.sa_family != LINUX_AF_INET)
		return -EAFNOSUPPORT;
	r->dst = sa_in_addr(&rt->rt_dst);
	r->mask = ~0u;
	if (!(rt->rt_flags & LINUX_RTF_HOST)) {
		r->mask = sa_in_addr(&rt->rt_genmask);
		if (rt->rt_genmask.sa_family != LINUX_AF_INET &&
		    (r->mask || rt->rt_genmask.sa_family))
			return -EAFNOSUPPORT;
		if (bad_mask(r->mask, r->dst))
			return -EINVAL;
	}
	devname[0] = '\0';
	if (rt->rt_dev) {
		long n = strncpy_from_user(devname, (const char *)(uintptr_t)rt->rt_dev,
					   LINUX_IFNAMSIZ - 1);
		if (n < 0)
			return -EFAULT;
		devname[n] = '\0';
		char *colon = strchr(devname, ':');
		if (colon)
			*colon = '\0';
	}
	r->gw = rt->rt_gateway.sa_family == LINUX_AF_INET ? sa_in_addr(&rt->rt_gateway) : 0;
	if (cmd == LINUX_SIOCADDRT && (rt->rt_flags & LINUX_RTF_GATEWAY) && !r->gw)
		return -EINVAL;
	return 0;
}

static bool on_link(const struct netif *n, uint32_t a)
{
	uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(n));

	return netif_is_up(n) && netif_has_addr(n) && !netdev_netif_is_loop(n) &&
	       (a & mask) == (ip4_addr_get_u32(netif_ip4_addr(n)) & mask);
}

/* The interface whose connected route r is, or NULL. */
static struct netif *connected_route(const struct route_req *r)
{
	struct netif *n;

	NETIF_FOREACH_BY_INDEX(n) {
		uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(n));
		if (on_link(n, r->dst) && r->mask == mask && !r->gw && (!r->dev || r->dev == n))
			return n;
	}
	return NULL;
}

static bool have_default(void)
{
	return netif_default && !ip4_addr_isany_val(*netif_ip4_gw(netif_default));
}

/* Core lock held. */
static int route_add(const struct route_req *r)
{
	if (r->mask)
		return connected_route(r) ? -EEXIST : -EOPNOTSUPP;
	if (!r->gw)
		return -EOPNOTSUPP;     /* lwIP routes off-link only through a gateway */
	struct netif *n = r->dev, *it;
	if (!n) {
		NETIF_FOREACH_BY_INDEX(it)
			if (on_link(it, r->gw)) {
				n = it;
				break;
			}
	}
	if (!n || !on_link(n, r->gw))
		return -ENETUNREACH;
	/* One default gateway: a second (even with another metric) cannot be held. */
	if (have_default())
		return -EEXIST;
	ip4_addr_t gw;
	ip4_addr_set_u32(&gw, r->gw);
	netif_set_gw(n, &gw);
	netif_set_default(n);
	return 0;
}

static int route_del(const struct route_req *r)
{
	if (r->mask || r->dst)
		return connected_route(r) ? -EOPNOTSUPP : -ESRCH;
	if (!have_default() || (r->dev && r->dev != netif_default) ||
	    (r->gw && r->gw != ip4_addr_get_u32(netif_ip4_gw(netif_default))))
		return -ESRCH;
	netif_set_gw(netif_default, IP4_ADDR_ANY4);
	return 0;
}

static long route_ioctl(unsigned cmd, void *uarg)
{
	struct linux_rtentry rt;
	struct route_req r = { 0 };
	char devname[LINUX_IFNAMSIZ];
	int err;

	if (copy_from_user(&rt, uarg, sizeof(rt)))
		return -EFAULT;
	if (!net_admin())
		return -EPERM;
	err = route_parse(cmd, &rt, &r, devname);
	if (err)
		return err;
	LOCK_TCPIP_CORE();
	if (devname[0] && !(r.dev = netdev_netif_find(devname)))
		err = -ENODEV;
	else
		err = cmd == LINUX_SIOCADDRT ? route_add(&r) : route_del(&r);
	UNLOCK_TCPIP_CORE();
	return err;
}

long net_dev_ioctl(unsigned cmd, void *uarg)
{
	switch (cmd) {
	case LINUX_SIOCGIFCONF:
		return ifconf(uarg);
	case LINUX_SIOCADDRT:
	case LINUX_SIOCDELRT:
		return route_ioctl(cmd, uarg);
	}
	return ifreq_ioctl(cmd, uarg);
}
