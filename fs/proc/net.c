/*
 * /proc/net: the network stack's files in Linux's formats (proc(5)).
 * Each is a show function over a formatter of the network code that
 * knows nothing of procfs (net/net.h), so this file needs no lwIP
 * headers. New files are added to net_files[].
 */
#include <fs/proc/internal.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <net/net.h>

/* A formatter with snprintf's contract (full length returned) into the
 * room left; past cap the open retries with a bigger buffer. */
static int show_formatted(struct pbuf *b, int (*format)(char *buf, size_t room))
{
	size_t room = b->len < b->cap ? b->cap - b->len : 0;
	int n = format(room ? b->buf + b->len : NULL, room);

	if (n < 0)
		return n;
	b->len += (size_t)n;
	return 0;
}

static int show_dev(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	return show_formatted(b, net_dev_format);
}

#define SHOW(name)                                                      \
	static int show_##name(struct pbuf *b, int pid, int tid)        \
	{                                                               \
		(void)pid, (void)tid;                                   \
		return show_formatted(b, net_##name##_format);          \
	}
SHOW(tcp)
SHOW(udp)
SHOW(route)
SHOW(pnp)

static const struct proc_entry net_files[] = {
	{ "dev", S_IFREG | 0444, .show = show_dev },
	{ "pnp", S_IFREG | 0444, .show = show_pnp },
	{ "route", S_IFREG | 0444, .show = show_route },
	{ "tcp", S_IFREG | 0444, .show = show_tcp },
	{ "udp", S_IFREG | 0444, .show = show_udp },
};

static int net_lookup(struct inode *dir, const char *name, struct inode **out)
{
	for (size_t n = 0; n < ARRAY_SIZE(net_files); n++) {
		if (!strcmp(name, net_files[n].name)) {
			*out = proc_inode(dir->sb, &net_files[n], 0, 0);
			return *out ? 0 : -ENOMEM;
		}
	}
	return -ENOENT;
}

/* *pos: 0 ".", 1 "..", then the files. */
static long net_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	size_t done = 0;
	long r = 0;

	while (!r && *pos < 2 + ARRAY_SIZE(net_files)) {
		uint64_t k = *pos;
		if (k < 2)
			r = proc_emit(ubuf, len, &done, k ? ".." : ".", f->inode->ino, S_IFDIR,
				      (int64_t)k + 1);
		else
			r = proc_emit(ubuf, len, &done, net_files[k - 2].name, 0x30000 + k,
				      net_files[k - 2].mode, (int64_t)k + 1);
		if (!r)
			*pos = k + 1;
	}
	return r < 0 ? r : (long)done;
}

const struct inode_ops proc_net_iops = {
	.lookup = net_lookup,
};

const struct file_ops proc_net_fops = {
	.read = proc_dir_read, .getdents = net_getdents, .size = proc_dir_size,
};
