/*
 * procfs: a view of the kernel's state as files (proc(5)). Nothing is
 * stored: each inode names an entry (and a process, a descriptor), and a
 * file's text is made when it is opened, so a reader sees one snapshot
 * however it reads. Lookups build inodes on demand; the entries of a
 * process that is gone fail revalidation and leave the dentry cache, so
 * its directory disappears once it is reaped.
 *
 * Locking: nothing of procfs's own; the show functions take the locks of
 * what they read (proc_tree_lock, mm.lock, mount_lock...).
 */
#include <fs/proc/internal.h>
#include <fs/procfs.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_ACCMODE 3

/* ---- text buffers ---- */

void pb_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = b->len < b->cap ? b->cap - b->len : 0;
	int n = vsnprintf(room ? b->buf + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

void pb_bytes(struct pbuf *b, const void *data, size_t n)
{
	if (b->len < b->cap)
		memcpy(b->buf + b->len, data, MIN(n, b->cap - b->len));
	b->len += n;
}

/* ---- regular files: a snapshot made at open ---- */

struct snapshot {
	size_t len;
	char text[];
};

static long snap_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct snapshot *s = f->private;
	if (*pos >= s->len)
		return 0;
	size_t n = MIN(len, s->len - *pos);
	if (copy_to_user(ubuf, s->text + *pos, n))
		return -EFAULT;
	*pos += n;
	return (long)n;
}

static long snap_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)len, (void)pos;
	return -EIO;                    /* Linux's answer for a file with no write method */
}

static long snap_size(struct file *f)
{
	return (long)((struct snapshot *)f->private)->len;
}

static void snap_release(struct file *f)
{
	kfree(f->private);
}

static const struct file_ops snap_fops = {
	.read = snap_read, .write = snap_write, .size = snap_size, .release = snap_release,
};

/* Make the text, growing the buffer until it fits: 0 or -errno. */
static int snapshot(const struct proc_node *pn, struct snapshot **out)
{
	size_t cap = 2048;
	for (;;) {
		struct snapshot *s = kmalloc(sizeof(*s) + cap);
		if (!s)
			return -ENOMEM;
		struct pbuf b = { s->text, cap, 0 };
		int err = pn->e->show(&b, pn->pid, pn->fd);
		if (err || b.len < cap) {       /* == cap: snprintf's NUL cut the text */
			s->len = b.len;
			if (err)
				kfree(s);
			else
				*out = s;
			return err;
		}
		kfree(s);
		cap = b.len + 256;
	}
}

static struct file *proc_file_open(struct inode *i, unsigned flags)
{
	struct snapshot *s;
	int err = snapshot(PN(i), &s);
	if (err)
		return ERR_PTR(err);
	struct file *f = file_alloc(&snap_fops, s, flags);
	if (!f)
		kfree(s);
	return f;
}

static const struct inode_ops proc_file_iops = {
	.open = proc_file_open,
};

/* ---- symbolic links ---- */

static long proc_readlink(struct inode *i, char *buf, size_t size)
{
	return PN(i)->e->link(PN(i)->pid, PN(i)->fd, buf, size);
}

static const struct inode_ops proc_link_iops = {
	.readlink = proc_readlink,
};

/* ---- inodes ---- */

struct inode *proc_inode(struct super_block *sb, const struct proc_entry *e, int pid, int fd)
{
	struct proc_node *pn = kzalloc(sizeof(*pn));
	struct inode *i = pn ? inode_new(sb, e->mode) : NULL;
	if (!i) {
		kfree(pn);
		return NULL;
	}
	*pn = (struct proc_node){ e, pid, fd };
	i->fs_private = pn;
	if (S_ISDIR(e->mode)) {
		i->ops = e->iops;
		i->fops = e->fops;
		i->nlink = 2;
	} else if (S_ISLNK(e->mode)) {
		i->ops = &proc_link_iops;
		i->size = 64;
	} else {
		i->ops = &proc_file_iops;
	}
	if (pid)
		proc_pid_owner(pid, &i->uid, &i->gid);
	return i;
}

static void proc_evict(struct inode *i)
{
	kfree(i->fs_private);
}

void proc_prune(struct dentry *d)
{
	for (;;) {
		spin_lock(&dcache_lock);
		struct dentry *c = d;
		while (!list_empty(&c->children))
			c = list_first_entry(&c->children, struct dentry, sibling);
		d_get(c);               /* the shrinker may evict it once unlocked */
		spin_unlock(&dcache_lock);
		d_drop(c);
		d_put(c);
		if (c == d)
			return;
	}
}

/* ---- directory records ---- */

struct dirent64_hdr {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __packed;

long proc_emit(void *ubuf, size_t len, size_t *done, const char *name, uint64_t ino,
	       uint32_t mode, int64_t next)
{
	char rec[sizeof(struct dirent64_hdr) + NAME_MAX + 1 + 8];
	size_t nl = strlen(name), reclen = ALIGN_UP(sizeof(struct dirent64_hdr) + nl + 1, 8);
	if (*done + reclen > len)
		return *done ? 1 : -EINVAL;
	memset(rec, 0, reclen);
	struct dirent64_hdr h = { ino, next, (uint16_t)reclen, (uint8_t)((mode & S_IFMT) >> 12) };
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), name, nl);
	if (copy_to_user((uint8_t *)ubuf + *done, rec, reclen))
		return -EFAULT;
	*done += reclen;
	return 0;
}

/* ---- the root directory: the global files, self, one directory per process ---- */

static long self_link(int pid, int fd, char *buf, size_t size)
{
	(void)pid, (void)fd;
	struct proc *p = current_proc();
	if (!p)
		return -ENOENT;
	char tmp[16];
	int n = snprintf(tmp, sizeof(tmp), "%d", p->pid);
	memcpy(buf, tmp, MIN(size, (size_t)n));
	return MIN((long)size, n);
}

static const struct proc_entry self_entry = { "self", S_IFLNK | 0777, .link = self_link };
static const struct proc_entry pid_dir_entry = {
	"", S_IFDIR | 0555, .iops = &proc_pid_iops, .fops = &proc_pid_fops,
};

static int root_lookup(struct inode *dir, const char *name, struct inode **out)
{
	const struct proc_entry *e = NULL;
	int pid = 0;

	if (!strcmp(name, "self")) {
		e = &self_entry;
	} else if ((pid = proc_parse_pid(name)) > 0) {
		if (!proc_pid_alive(pid))
			return -ENOENT;
		e = &pid_dir_entry;
	} else {
		pid = 0;
		for (size_t n = 0; n < proc_root_nfiles && !e; n++)
			if (!strcmp(name, proc_root_files[n].name))
				e = &proc_root_files[n];
	}
	if (!e)
		return -ENOENT;
	*out = proc_inode(dir->sb, e, pid, 0);
	return *out ? 0 : -ENOMEM;
}

/* A process directory stays while its process does (zombies included). */
static bool root_revalidate(struct inode *dir, struct dentry *d)
{
	(void)dir;
	int pid = d->inode ? PN(d->inode)->pid : 0;
	if (!pid || proc_pid_alive(pid))
		return true;
	proc_prune(d);
	return false;
}

/* *pos: 0 ".", 1 "..", 2 "self", then the files, then 1000 + pid. */
static long root_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct inode *dir = f->inode;
	size_t done = 0;
	long r = 0;
	uint64_t nfixed = 3 + proc_root_nfiles;

	while (!r && *pos < nfixed) {
		uint64_t k = *pos;
		if (k < 2)
			r = proc_emit(ubuf, len, &done, k ? ".." : ".", dir->ino, S_IFDIR, (int64_t)k + 1);
		else if (k == 2)
			r = proc_emit(ubuf, len, &done, "self", 0x10000, S_IFLNK, 3);
		else
			r = proc_emit(ubuf, len, &done, proc_root_files[k - 3].name, 0x10000 + k,
				      proc_root_files[k - 3].mode, (int64_t)k + 1);
		if (!r)
			*pos = k + 1 == nfixed ? 1000 : k + 1;
	}
	if (*pos < 1000 && !r)
		*pos = 1000;
	while (!r && *pos < 1000 + PID_MAX) {
		int pid = (int)(*pos - 1000);
		if (pid && proc_pid_alive(pid)) {
			char name[16];
			snprintf(name, sizeof(name), "%d", pid);
			r = proc_emit(ubuf, len, &done, name, 0x20000 + (uint64_t)pid, S_IFDIR,
				      (int64_t)*pos + 1);
		}
		if (!r)
			(*pos)++;
	}
	return r < 0 ? r : (long)done;
}

static long dir_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)len, (void)pos;
	return -EISDIR;
}

static long dir_size(struct file *f)
{
	(void)f;
	return 0;
}

static const struct inode_ops root_iops = {
	.lookup = root_lookup,
	.revalidate = root_revalidate,
};

static const struct file_ops root_fops = {
	.read = dir_read, .getdents = root_getdents, .size = dir_size,
};

static const struct proc_entry root_entry = {
	"/", S_IFDIR | 0555, .iops = &root_iops, .fops = &root_fops,
};

/* ---- super block ---- */

static int proc_statfs(struct super_block *sb, struct kstatfs *st)
{
	(void)sb;
	*st = (struct kstatfs){ .type = PROC_MAGIC, .bsize = 4096, .namelen = NAME_MAX, .frsize = 4096 };
	return 0;
}

static void proc_put_super(struct super_block *sb)
{
	proc_prune(sb->root);
	d_put(sb->root);
}

static const struct super_ops proc_super_ops = {
	.evict = proc_evict,
	.statfs = proc_statfs,
	.put_super = proc_put_super,
};

static uint64_t next_dev = 0x10000;    /* apart from tmpfs's small numbers */

static int proc_mount(struct fs_type *type, const char *source, unsigned long flags,
		      const void *data, struct super_block **out)
{
	(void)source, (void)flags, (void)data;
	struct super_block *sb = kzalloc(sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	sb->type = type;
	sb->ops = &proc_super_ops;
	sb->magic = PROC_MAGIC;
	sb->dev = __atomic_fetch_add(&next_dev, 1, __ATOMIC_RELAXED);
	mutex_init(&sb->rename_lock, "s_rename");
	struct inode *root = proc_inode(sb, &root_entry, 0, 0);
	sb->root = root ? d_alloc_root(root) : NULL;
	if (!sb->root) {
		inode_put(root);
		kfree(sb);
		return -ENOMEM;
	}
	*out = sb;
	return 0;
}

struct fs_type proc_fs_type = {
	.name = "proc",
	.mount = proc_mount,
};
