/*
 * Fill the root tmpfs from the initramfs (newc cpio) at boot, as Linux's
 * unpacker does: missing parent directories are made, a later entry
 * replaces an earlier non-directory of the same name, entries sharing an
 * inode number with nlink > 1 become hard links. Runs before any process,
 * as root, alone (the locks are taken anyway, for the ops' assertions).
 */
#include <fs/vfs.h>
#include <fs/cpio.h>
#include <fs/tmpfs.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>

#define MAX_HARDLINKS 64

struct unpack {
	struct dentry *root;
	struct { uint32_t ino; struct inode *inode; } links[MAX_HARDLINKS];
	unsigned nlinks;
};

/* The child dentry named name[0, len) of dir, made a directory if missing. */
static int ensure_dir(struct dentry *dir, const char *name, size_t len, struct dentry **out)
{
	char n[NAME_MAX + 1];
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(n, name, len);
	n[len] = '\0';
	struct inode *di = dir->inode;
	mutex_lock(&di->lock);
	struct dentry *d = NULL;
	int err = lookup_child(dir, n, &d);
	if (!err && !d->inode)
		err = di->ops->mkdir(di, d, 0755);
	if (!err && !S_ISDIR(d->inode->mode))
		err = -ENOTDIR;
	mutex_unlock(&di->lock);
	if (err && d)
		d_put(d);
	if (!err)
		*out = d;
	return err;
}

static uint32_t encode_rdev(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static struct inode *hardlink_of(struct unpack *u, const struct cpio_entry *e)
{
	if (e->nlink < 2 || S_ISDIR(e->mode))
		return NULL;
	for (unsigned k = 0; k < u->nlinks; k++)
		if (u->links[k].ino == e->ino)
			return u->links[k].inode;
	return NULL;
}

/* Make the node for e as d in dir (dir locked, d negative). */
static int make_node(struct unpack *u, struct inode *dir, struct dentry *d,
		     const struct cpio_entry *e)
{
	struct inode *same = hardlink_of(u, e);
	if (same)
		return dir->ops->link(same, dir, d);
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		return dir->ops->mkdir(dir, d, e->mode & 07777);
	case S_IFLNK: {
		char *target = kmalloc(e->size + 1);
		if (!target)
			return -ENOMEM;
		memcpy(target, e->data, e->size);
		target[e->size] = '\0';
		int err = dir->ops->symlink(dir, d, target);
		kfree(target);
		return err;
	}
	default:
		return dir->ops->create(dir, d, e->mode,
					encode_rdev(e->rdev_major, e->rdev_minor));
	}
}

static int place(struct unpack *u, struct dentry *dir, const char *name, const struct cpio_entry *e)
{
	struct inode *di = dir->inode;
	struct dentry *d;
	mutex_lock(&di->lock);
	int err = lookup_child(dir, name, &d);
	if (err)
		goto out_unlock;
	if (d->inode && !(S_ISDIR(d->inode->mode) && S_ISDIR(e->mode))) {
		err = S_ISDIR(d->inode->mode) ? -EEXIST : di->ops->unlink(di, d);
		d_put(d);
		if (!err)
			err = lookup_child(dir, name, &d);
		if (err)
			goto out_unlock;
	}
	if (!d->inode)
		err = make_node(u, di, d, e);
	if (!err) {
		struct inode *i = d->inode;
		i->mode = (i->mode & S_IFMT) | (e->mode & 07777);
		i->uid = e->uid;
		i->gid = e->gid;
		if (S_ISREG(e->mode) && e->size)
			err = tmpfs_write_kernel(i, 0, e->data, e->size);
		i->mtime = (struct vfs_time){ e->mtime, 0 };
		if (!err && e->nlink > 1 && !S_ISDIR(e->mode) && !hardlink_of(u, e) &&
		    u->nlinks < MAX_HARDLINKS) {
			u->links[u->nlinks].ino = e->ino;
			u->links[u->nlinks++].inode = i;
		}
	}
	d_put(d);
out_unlock:
	mutex_unlock(&di->lock);
	return err;
}

static int add_entry(const struct cpio_entry *e, void *arg)
{
	struct unpack *u = arg;
	const char *p = e->name;

	while (*p == '.' && (p[1] == '/' || p[1] == '\0'))
		p += p[1] ? 2 : 1;
	while (*p == '/')
		p++;
	if (!*p) {                      /* "." : the root's own attributes */
		struct inode *r = u->root->inode;
		r->mode = S_IFDIR | (e->mode & 07777);
		r->uid = e->uid;
		r->gid = e->gid;
		return 0;
	}
	struct dentry *dir = u->root;
	d_get(dir);
	int err = 0;
	for (;;) {
		const char *end = strchr(p, '/');
		while (end && end[1] == '/')
			end++;
		if (!end || !end[1]) {
			char name[NAME_MAX + 1];
			size_t len = end ? (size_t)(strchr(p, '/') - p) : strlen(p);
			if (len > NAME_MAX) {
				err = -ENAMETOOLONG;
				break;
			}
			memcpy(name, p, len);
			name[len] = '\0';
			err = place(u, dir, name, e);
			break;
		}
		struct dentry *next;
		err = ensure_dir(dir, p, (size_t)(strchr(p, '/') - p), &next);
		if (err)
			break;
		d_put(dir);
		dir = next;
		p = end + 1;
	}
	d_put(dir);
	return err;
}

int initramfs_unpack(const void *cpio, size_t len)
{
	struct unpack *u = kzalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	struct path root = vfs_root_path();
	u->root = root.dentry;
	int err = cpio_for_each(cpio, len, add_entry, u);
	path_put(&root);
	kfree(u);
	return err;
}
