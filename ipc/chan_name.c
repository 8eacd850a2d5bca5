/*
 * The global channel namespace: names under which processes (and the
 * kernel) publish channels, each with an owner uid/gid and a mode checked
 * when another process opens it. A name lives until its publisher
 * unpublishes it or exits (chan_proc_exit), so a restarted service can
 * publish it again. /proc/channels lists them.
 *
 * Locking: chan_names_lock protects the list and every name's fields; it
 * is taken before a channel's lock (ipc/chan.c's order), never inside.
 * Each name holds a channel reference, dropped outside the lock.
 */
#include <ipc/chan.h>
#include <fs/perm.h>
#include <fs/proc/internal.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_ACCMODE 3

struct chan_name {
	struct list_head link;          /* chan_names */
	char name[GOOS_CHAN_NAME_MAX];
	struct chan *chan;              /* a reference */
	uint32_t uid, gid, mode;
	struct proc *publisher;         /* NULL: the kernel */
	int publisher_pid;
};

static struct spinlock chan_names_lock = SPINLOCK_INIT("chan_names");
static LIST_HEAD(chan_names);

static struct chan_name *name_find(const char *name)
{
	struct chan_name *n;
	list_for_each_entry(n, &chan_names, link)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

/* Letters, digits and ._-/ only, so /proc/channels stays one line each. */
static bool name_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-' || *s == '/'))
			return false;
	return true;
}

/* The user's name into buf: 0, -EFAULT, -ENAMETOOLONG, -ENOENT (empty)
 * or -EINVAL (a character outside the allowed set). */
static int name_from_user(char *buf, const char *uname)
{
	long n = strncpy_from_user(buf, uname, GOOS_CHAN_NAME_MAX);
	if (n < 0)
		return (int)n;
	if (n >= (long)GOOS_CHAN_NAME_MAX)
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT;
	return name_valid(buf) ? 0 : -EINVAL;
}

static int name_add(struct chan *c, const char *name, uint32_t mode, struct proc *p)
{
	struct chan_name *n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	strlcpy(n->name, name, sizeof(n->name));
	n->mode = mode & 0777;
	n->publisher = p;
	n->publisher_pid = p ? p->pid : 0;
	n->uid = p ? p->cred.euid : 0;
	n->gid = p ? p->cred.egid : 0;
	n->chan = c;
	spin_lock(&chan_names_lock);
	if (name_find(name)) {
		spin_unlock(&chan_names_lock);
		kfree(n);
		return -EEXIST;
	}
	chan_get(c);
	list_add_tail(&n->link, &chan_names);
	spin_lock(&c->lock);
	c->published++;
	spin_unlock(&c->lock);
	spin_unlock(&chan_names_lock);
	return 0;
}

/* Unlink n (names lock held); the caller frees it with name_free. */
static void name_unlink(struct chan_name *n)
{
	list_del(&n->link);
	spin_lock(&n->chan->lock);
	n->chan->published--;
	spin_unlock(&n->chan->lock);
}

static void name_free(struct chan_name *n)
{
	chan_kick(n->chan);             /* a receiver may be alone now */
	chan_put(n->chan);
	kfree(n);
}

int chan_publish_kernel(struct chan *c, const char *name, uint32_t mode)
{
	return name_add(c, name, mode, NULL);
}

long sys_chan_publish(int fd, const char *uname, unsigned mode)
{
	char name[GOOS_CHAN_NAME_MAX];
	int err = name_from_user(name, uname);
	if (err)
		return err;
	if (mode & ~0777u)
		return -EINVAL;
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	struct chan *c = chan_of_file(f);
	err = c ? name_add(c, name, mode, current_proc()) : -EINVAL;
	file_put(f);
	return err;
}

/* The publisher, root, or the name's owner may withdraw it; the
 * kernel's names stay. */
long sys_chan_unpublish(const char *uname)
{
	char name[GOOS_CHAN_NAME_MAX];
	struct proc *p = current_proc();
	int err = name_from_user(name, uname);
	if (err)
		return err;
	spin_lock(&chan_names_lock);
	struct chan_name *n = name_find(name);
	if (!n)
		err = -ENOENT;
	else if (!n->publisher)
		err = -EPERM;           /* the kernel's own (keyboard) stay */
	else if (n->publisher != p && p->cred.euid != 0 && p->cred.euid != n->uid)
		err = -EPERM;
	else
		name_unlink(n);
	spin_unlock(&chan_names_lock);
	if (!err)
		name_free(n);
	return err;
}

/* Access as for a file: reading is receiving, writing is sending. */
static int name_permission(struct chan_name *n, unsigned acc)
{
	const struct cred *cr = &current_proc()->cred;
	int mask = acc == 0 ? MAY_READ : acc == 1 ? MAY_WRITE : MAY_READ | MAY_WRITE;
	return vfs_permission_check(cr->fsuid, cr->fsgid, NULL, 0, n->mode, n->uid, n->gid, mask);
}

long sys_chan_open(const char *uname, int flags)
{
	char name[GOOS_CHAN_NAME_MAX];
	struct proc *p = current_proc();
	unsigned acc = (unsigned)flags & O_ACCMODE;

	if (flags & ~(O_ACCMODE | GOOS_CHAN_NONBLOCK | GOOS_CHAN_CLOEXEC) || acc == 3)
		return -EINVAL;
	int err = name_from_user(name, uname);
	if (err)
		return err;
	spin_lock(&chan_names_lock);
	struct chan_name *n = name_find(name);
	struct chan *c = NULL;
	if (!n)
		err = -ENOENT;
	else if (!(err = name_permission(n, acc)))
		chan_get(c = n->chan);
	spin_unlock(&chan_names_lock);
	if (err)
		return err;
	struct file *f = chan_file_new(c, acc | (flags & GOOS_CHAN_NONBLOCK));
	chan_put(c);
	if (!f)
		return -ENOMEM;
	int fd = fd_install(p->files, f, 0, flags & GOOS_CHAN_CLOEXEC, proc_fd_limit(p));
	file_put(f);
	return fd;
}

/* The process is exiting: its names go. */
void chan_proc_exit(struct proc *p)
{
	struct chan_name *n, *tmp;
	LIST_HEAD(gone);

	spin_lock(&chan_names_lock);
	list_for_each_entry_safe(n, tmp, &chan_names, link)
		if (n->publisher == p) {
			name_unlink(n);
			list_add_tail(&n->link, &gone);
		}
	spin_unlock(&chan_names_lock);
	list_for_each_entry_safe(n, tmp, &gone, link)
		name_free(n);
}

/* /proc/channels: one line per name. holders: open files on it. */
int chan_proc_show(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	pb_printf(b, "%-24s %6s %5s %5s %4s %7s %8s %6s %7s\n", "name", "pid", "uid",
		  "gid", "mode", "max_msg", "capacity", "queued", "holders");
	spin_lock(&chan_names_lock);
	struct chan_name *n;
	list_for_each_entry(n, &chan_names, link) {
		struct chan *c = n->chan;
		spin_lock(&c->lock);
		pb_printf(b, "%-24s %6d %5u %5u %04o %7u %8u %6u %7u\n", n->name,
			  n->publisher_pid, n->uid, n->gid, n->mode, c->max_msg, c->cap,
			  c->nmsgs, c->nhandles);
		spin_unlock(&c->lock);
	}
	spin_unlock(&chan_names_lock);
	return 0;
}
