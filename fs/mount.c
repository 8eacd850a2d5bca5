/*
 * File-system types and mounts. The registry is a list under fs_lock;
 * mounts are a list under mount_lock (both spinlocks, leaves). A mount
 * holds a reference on its mount point's dentry and its super block's
 * root; a path holds one on its mount and its dentry.
 */
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>

static struct spinlock fs_lock = SPINLOCK_INIT("fs_types");
static struct fs_type *fs_types;
static struct spinlock mount_lock = SPINLOCK_INIT("mounts");
static LIST_HEAD(mounts);
static struct mount *root_mount;

int register_filesystem(struct fs_type *type)
{
	spin_lock(&fs_lock);
	for (struct fs_type *t = fs_types; t; t = t->next) {
		if (!strcmp(t->name, type->name)) {
			spin_unlock(&fs_lock);
			return -EBUSY;
		}
	}
	type->next = fs_types;
	fs_types = type;
	spin_unlock(&fs_lock);
	return 0;
}

struct fs_type *find_filesystem(const char *name)
{
	spin_lock(&fs_lock);
	struct fs_type *t = fs_types;
	while (t && strcmp(t->name, name))
		t = t->next;
	spin_unlock(&fs_lock);
	return t;
}

/* A detached mount goes with its last reference. */
static void mount_put(struct mount *m)
{
	if (__atomic_sub_fetch(&m->refcount, 1, __ATOMIC_ACQ_REL) != 0 || !m->detached)
		return;
	d_put(m->root);
	kfree(m);
}

void path_get(const struct path *p)
{
	__atomic_fetch_add(&p->mnt->refcount, 1, __ATOMIC_RELAXED);
	d_get(p->dentry);
}

void path_put(struct path *p)
{
	if (!p->dentry)
		return;
	d_put(p->dentry);
	mount_put(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}

/* The mount on (parent, d), or NULL; the caller holds mount_lock. */
static struct mount *mount_at(struct mount *parent, struct dentry *d)
{
	struct mount *m;
	struct mount *found = NULL;
	/* The most recent mount on a point hides earlier ones. */
	list_for_each_entry(m, &mounts, link)
		if (m->parent == parent && m->mountpoint == d && m != parent)
			found = m;
	return found;
}

void follow_mounts(struct path *p)
{
	while (READ_ONCE(p->dentry->mounted)) {
		spin_lock(&mount_lock);
		struct mount *top = mount_at(p->mnt, p->dentry);
		if (top) {
			__atomic_fetch_add(&top->refcount, 1, __ATOMIC_RELAXED);
			d_get(top->root);
		}
		spin_unlock(&mount_lock);
		if (!top)
			return;
		path_put(p);
		p->mnt = top;
		p->dentry = top->root;
	}
}

void follow_dotdot(struct path *p, const struct path *root)
{
	for (;;) {
		if (p->dentry == root->dentry && p->mnt == root->mnt)
			return;
		if (p->dentry != p->mnt->root)
			break;
		if (p->mnt->parent == p->mnt)
			return;         /* the root of everything */
		struct path up = { p->mnt->parent, p->mnt->mountpoint };
		path_get(&up);
		path_put(p);
		*p = up;
	}
	spin_lock(&dcache_lock);
	struct dentry *parent = p->dentry->parent;
	d_get(parent);
	spin_unlock(&dcache_lock);
	d_put(p->dentry);
	p->dentry = parent;
	follow_mounts(p);
}

static struct mount *new_mount(struct super_block *sb)
{
	struct mount *m = kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	m->sb = sb;
	m->root = sb->root;
	d_get(m->root);
	m->refcount = 1;
	list_init(&m->link);
	__atomic_fetch_add(&sb->active, 1, __ATOMIC_RELAXED);
	return m;
}

static int mount_fs(const char *type, const char *source, unsigned long flags,
		    const void *data, struct mount **out)
{
	struct fs_type *t = find_filesystem(type);
	if (!t)
		return -ENODEV;
	if (flags & MS_RDONLY & ~t->mount_flags)
		return -EINVAL;
	struct super_block *sb;
	int err = t->mount(t, source, flags, data, &sb);
	if (err)
		return err;
	*out = new_mount(sb);
	return *out ? 0 : -ENOMEM;
}

int vfs_mount_root(const char *type)
{
	struct mount *m;
	int err = mount_fs(type, "rootfs", 0, NULL, &m);
	if (err)
		return err;
	m->parent = m;
	m->mountpoint = m->root;
	d_get(m->root);
	spin_lock(&mount_lock);
	list_add_tail(&m->link, &mounts);
	root_mount = m;
	spin_unlock(&mount_lock);
	return 0;
}

struct path vfs_root_path(void)
{
	struct path p = { root_mount, root_mount->root };
	path_get(&p);
	return p;
}

int do_mount(const struct path *at, const char *type, const char *source,
	     unsigned long flags, const void *data)
{
	if (!S_ISDIR(at->dentry->inode->mode))
		return -ENOTDIR;
	struct mount *m;
	int err = mount_fs(type, source, flags, data, &m);
	if (err)
		return err;
	m->parent = at->mnt;
	m->mountpoint = at->dentry;
	d_get(at->dentry);
	__atomic_fetch_add(&at->mnt->refcount, 1, __ATOMIC_RELAXED);
	spin_lock(&mount_lock);
	list_add_tail(&m->link, &mounts);
	at->dentry->mounted++;
	spin_unlock(&mount_lock);
	return 0;
}

/* p is the root of the mount to detach. Busy: paths other than p and the
 * mount's own hold on its root still use it, or mounts sit below it. */
int do_umount(const struct path *p, int flags)
{
	struct mount *m = p->mnt, *c;
	(void)flags;
	if (p->dentry != m->root)
		return -EINVAL;
	if (m == root_mount)
		return -EBUSY;
	spin_lock(&mount_lock);
	list_for_each_entry(c, &mounts, link) {
		if (c->parent == m && c != m) {
			spin_unlock(&mount_lock);
			return -EBUSY;
		}
	}
	/* Our caller's path is one reference, the mount's own another. */
	if (READ_ONCE(m->refcount) > 2) {
		spin_unlock(&mount_lock);
		return -EBUSY;
	}
	list_del(&m->link);
	m->mountpoint->mounted--;
	spin_unlock(&mount_lock);
	struct super_block *sb = m->sb;
	d_put(m->mountpoint);
	mount_put(m->parent);
	/* The caller's path_put drops the last reference and frees it. */
	m->detached = true;
	__atomic_fetch_sub(&m->refcount, 1, __ATOMIC_RELEASE);
	if (__atomic_sub_fetch(&sb->active, 1, __ATOMIC_ACQ_REL) == 0 && sb->ops->put_super)
		sb->ops->put_super(sb);
	return 0;
}

/* ---- listings for /proc (fs/proc/) ---- */

int vfs_fs_type_names(const char **names, int max)
{
	int n = 0;
	spin_lock(&fs_lock);
	for (struct fs_type *t = fs_types; t; t = t->next)
		n++;
	int i = n;
	for (struct fs_type *t = fs_types; t; t = t->next)
		if (--i < max)
			names[i] = t->name;     /* registration order */
	spin_unlock(&fs_lock);
	return MIN(n, max);
}

int vfs_mount_list(struct vfs_mount_info *out, int max)
{
	struct mount *m;
	int n = 0;
	spin_lock(&mount_lock);
	list_for_each_entry(m, &mounts, link) {
		if (n == max)
			break;
		out[n].at = (struct path){ m->parent, m->mountpoint };
		out[n].sb = m->sb;
		path_get(&out[n].at);
		__atomic_fetch_add(&m->refcount, 1, __ATOMIC_RELAXED);
		out[n].mnt = m;
		n++;
	}
	spin_unlock(&mount_lock);
	return n;
}

void vfs_mount_list_put(struct vfs_mount_info *list, int n)
{
	for (int i = 0; i < n; i++) {
		path_put(&list[i].at);
		mount_put(list[i].mnt);
	}
}
