/*
 * File-system types and mounts. The registry is a list under fs_lock;
 * mounts are a list under mount_lock (both spinlocks, leaves). A mount
 * holds a reference on its mount point's dentry and on its parent mount
 * while attached, and one on its root always; a path holds one on its
 * mount and its dentry. The last reference to a detached mount frees it
 * and drops its super block's active count (put_super at zero).
 *
 * Flags: a mount's MNT_* (nosuid, nodev, noexec, read-only, atime) and
 * its super block's SB_* (read-only, sync...) change under mount_lock;
 * so do the writer counts, so that "remount read-only" (EBUSY while a
 * file is open for writing) and "open for writing" (EROFS once read-only)
 * cannot both win.
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
	if (__atomic_sub_fetch(&m->refcount, 1, __ATOMIC_ACQ_REL) != 0 || !READ_ONCE(m->detached))
		return;
	struct super_block *sb = m->sb;
	d_put(m->root);
	kfree(m->devname);
	kfree(m);
	if (__atomic_sub_fetch(&sb->active, 1, __ATOMIC_ACQ_REL) == 0 && sb->ops->put_super)
		sb->ops->put_super(sb);
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

bool mount_parent_path(struct mount *m, struct path *out)
{
	spin_lock(&mount_lock);
	bool has = m->parent != m;
	if (has) {
		*out = (struct path){ m->parent, m->mountpoint };
		path_get(out);
	}
	spin_unlock(&mount_lock);
	return has;
}

void follow_dotdot(struct path *p, const struct path *root)
{
	for (;;) {
		if (p->dentry == root->dentry && p->mnt == root->mnt)
			return;
		if (p->dentry != p->mnt->root)
			break;
		struct path up;
		if (!mount_parent_path(p->mnt, &up))
			return;         /* the root of everything, or a detached tree */
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

/* ---- flags and writers ---- */

bool mnt_is_readonly(struct mount *m)
{
	return (READ_ONCE(m->flags) & MNT_READONLY) || (READ_ONCE(m->sb->flags) & SB_RDONLY);
}

int mnt_want_write(struct mount *m)
{
	return mnt_is_readonly(m) ? -EROFS : 0;
}

int mnt_get_write_access(struct mount *m)
{
	int err = 0;
	spin_lock(&mount_lock);
	if ((m->flags & MNT_READONLY) || (m->sb->flags & SB_RDONLY)) {
		err = -EROFS;
	} else {
		m->writers++;
		m->sb->writers++;
	}
	spin_unlock(&mount_lock);
	return err;
}

void mnt_put_write_access(struct mount *m)
{
	spin_lock(&mount_lock);
	m->writers--;
	m->sb->writers--;
	spin_unlock(&mount_lock);
}

static int next_mount_id = 1;           /* under mount_lock */

static struct mount *new_mount(struct super_block *sb, struct dentry *root, const char *devname)
{
	struct mount *m = kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	if (devname) {
		size_t len = strlen(devname);
		m->devname = kmalloc(len + 1);
		if (!m->devname) {
			kfree(m);
			return NULL;
		}
		memcpy(m->devname, devname, len + 1);
	}
	m->sb = sb;
	m->root = root;
	d_get(root);
	m->refcount = 1;
	list_init(&m->link);
	__atomic_fetch_add(&sb->active, 1, __ATOMIC_RELAXED);
	spin_lock(&mount_lock);
	m->id = next_mount_id++;
	spin_unlock(&mount_lock);
	return m;
}

/* A mount never attached (a failed mount): its only reference goes. */
static void discard_mount(struct mount *m)
{
	m->detached = true;
	mount_put(m);
}

/* mount(2)'s MS_* flags as a mount's MNT_* (Linux's path_mount):
 * relatime unless noatime or strictatime is asked. */
#define MS_RDONLY      1
#define MS_NOSUID      2
#define MS_NODEV       4
#define MS_NOEXEC      8
#define MS_NOSYMFOLLOW 256
#define MS_NOATIME     1024
#define MS_NODIRATIME  2048
#define MS_RELATIME    (1 << 21)
#define MS_STRICTATIME (1 << 24)
#define SB_CHANGEABLE  (SB_RDONLY | SB_SYNCHRONOUS | SB_MANDLOCK | SB_DIRSYNC | SB_LAZYTIME)

static unsigned mnt_flags_of(unsigned long ms)
{
	unsigned f = ms & MS_NOATIME ? 0 : MNT_RELATIME;
	f |= ms & MS_NOSUID ? MNT_NOSUID : 0;
	f |= ms & MS_NODEV ? MNT_NODEV : 0;
	f |= ms & MS_NOEXEC ? MNT_NOEXEC : 0;
	f |= ms & MS_NOATIME ? MNT_NOATIME : 0;
	f |= ms & MS_NODIRATIME ? MNT_NODIRATIME : 0;
	f |= ms & MS_RDONLY ? MNT_READONLY : 0;
	f |= ms & MS_NOSYMFOLLOW ? MNT_NOSYMFOLLOW : 0;
	if (ms & MS_STRICTATIME)
		f &= ~(unsigned)(MNT_RELATIME | MNT_NOATIME);
	return f;
}

static int mount_fs(const char *type, const char *source, unsigned long flags,
		    const void *data, struct mount **out)
{
	struct fs_type *t = find_filesystem(type);
	if (!t)
		return -ENODEV;
	struct super_block *sb;
	int err = t->mount(t, source, flags, data, &sb);
	if (err)
		return err;
	*out = new_mount(sb, sb->root, source);
	if (!*out)
		return -ENOMEM;
	spin_lock(&mount_lock);
	(*out)->flags = mnt_flags_of(flags);
	if (READ_ONCE(sb->active) == 1)         /* a new super block takes the SB_* asked */
		sb->flags = flags & SB_CHANGEABLE;
	spin_unlock(&mount_lock);
	return 0;
}

int vfs_mount_root(const char *type)
{
	struct mount *m;
	dcache_init();
	int err = mount_fs(type, "rootfs", 0, NULL, &m);
	if (err)
		return err;
	m->flags = 0;                   /* made by the kernel, not mount(2): no atime flag */
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

/* Attach m at at (a directory for a directory, a file for a file). */
static int attach_mount(struct mount *m, const struct path *at)
{
	if (S_ISDIR(at->dentry->inode->mode) != S_ISDIR(m->root->inode->mode))
		return -ENOTDIR;
	spin_lock(&mount_lock);
	if (at->mnt->detached) {        /* Linux's check_mnt: not in the namespace */
		spin_unlock(&mount_lock);
		return -EINVAL;
	}
	m->parent = at->mnt;
	m->mountpoint = at->dentry;
	d_get(at->dentry);              /* the caller's path holds both already */
	__atomic_fetch_add(&at->mnt->refcount, 1, __ATOMIC_RELAXED);
	list_add_tail(&m->link, &mounts);
	at->dentry->mounted++;
	spin_unlock(&mount_lock);
	return 0;
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
	/* The same file system twice on the same place is refused. */
	if (at->mnt->sb == m->sb && at->mnt->root == at->dentry)
		err = -EBUSY;
	else
		err = attach_mount(m, at);
	if (err)
		discard_mount(m);
	return err;
}

int do_bind_mount(const struct path *at, const struct path *from)
{
	if (READ_ONCE(from->mnt->detached))
		return -EINVAL;
	struct mount *m = new_mount(from->mnt->sb, from->dentry, from->mnt->devname);
	if (!m)
		return -ENOMEM;
	spin_lock(&mount_lock);
	m->flags = from->mnt->flags;    /* a bind copies the flags; remount changes them */
	spin_unlock(&mount_lock);
	int err = attach_mount(m, at);
	if (err)
		discard_mount(m);
	return err;
}

#define MS_BIND 4096

int do_remount(const struct path *p, unsigned long ms)
{
	struct mount *m = p->mnt;
	if (p->dentry != m->root || READ_ONCE(m->detached))
		return -EINVAL;
	unsigned f = mnt_flags_of(ms);
	int err = 0;
	spin_lock(&mount_lock);
	/* Without an atime flag a remount keeps the mount's atime policy. */
	if (!(ms & (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)))
		f = (f & ~(unsigned)MNT_ATIME_MASK) | (m->flags & MNT_ATIME_MASK);
	bool to_ro = (f & MNT_READONLY) && !(m->flags & MNT_READONLY);
	if (to_ro && m->writers)
		err = -EBUSY;
	if (!err && !(ms & MS_BIND)) {
		struct super_block *sb = m->sb;
		if ((ms & SB_RDONLY) && !(sb->flags & SB_RDONLY) && sb->writers)
			err = -EBUSY;
		else
			sb->flags = (sb->flags & ~SB_CHANGEABLE) | (ms & SB_CHANGEABLE);
	}
	if (!err)
		m->flags = f;
	spin_unlock(&mount_lock);
	return err;
}

/* Take m and every mount below it off the tree onto dead (mount_lock
 * held); each keeps its references until release_detached. */
static void detach_tree_locked(struct mount *m, struct list_head *dead)
{
	struct mount *c, *tmp, *cur;
	list_del(&m->link);
	list_add_tail(&m->link, dead);
	m->mountpoint->mounted--;
	WRITE_ONCE(m->detached, true);  /* its references are dropped later */
	/* Breadth-first: what was appended to dead is scanned in turn. */
	list_for_each_entry(cur, dead, link) {
		list_for_each_entry_safe(c, tmp, &mounts, link) {
			if (c->parent == cur && c != cur) {
				list_del(&c->link);
				list_add_tail(&c->link, dead);
				c->mountpoint->mounted--;
				WRITE_ONCE(c->detached, true);
			}
		}
	}
}

/* Drop what each detached mount held: its place (mount point and parent
 * mount) and its own reference. dead is in tree order, so a parent was
 * marked detached before its children let go of it; a mount still used
 * (the caller's path, a cwd inside a lazily detached tree) stays until
 * its last path_put. */
static void release_detached(struct list_head *dead)
{
	struct mount *m, *tmp;
	list_for_each_entry_safe(m, tmp, dead, link) {
		spin_lock(&mount_lock);
		struct mount *parent = m->parent;
		struct dentry *mp = m->mountpoint;
		m->parent = m;
		m->mountpoint = m->root;
		list_del(&m->link);
		list_init(&m->link);
		WRITE_ONCE(m->detached, true);
		spin_unlock(&mount_lock);
		d_put(mp);
		mount_put(parent);
		mount_put(m);
	}
}

/* Linux's umount2: EINVAL unless p is a mount's root; MNT_EXPIRE marks
 * the first time (EAGAIN) and unmounts the second if nothing used it;
 * MNT_DETACH takes the tree off at once and leaves it to its last user;
 * otherwise a mount in use or with mounts below it is EBUSY. MNT_FORCE
 * asks the file system to abort its operations: none here has any, so
 * it is a plain umount (as for Linux's tmpfs). */
#define MNT_FORCE  1
#define MNT_DETACH 2
#define MNT_EXPIRE 4

int do_umount(const struct path *p, int flags)
{
	struct mount *m = p->mnt, *c;
	struct list_head dead;

	list_init(&dead);

	if (p->dentry != m->root || READ_ONCE(m->detached))
		return -EINVAL;
	if (m == root_mount)
		return flags & MNT_EXPIRE ? -EINVAL : -EBUSY;
	spin_lock(&mount_lock);
	if (m->detached) {              /* a concurrent umount won */
		spin_unlock(&mount_lock);
		return -EINVAL;
	}
	if (!(flags & MNT_DETACH)) {
		/* Our caller's path is one reference, the mount's own another;
		 * a mount below holds one more. */
		bool busy = READ_ONCE(m->refcount) > 2;
		list_for_each_entry(c, &mounts, link)
			busy |= c->parent == m && c != m;
		if (busy) {
			spin_unlock(&mount_lock);
			return -EBUSY;
		}
		if ((flags & MNT_EXPIRE) && !m->expiry_mark) {
			m->expiry_mark = true;
			spin_unlock(&mount_lock);
			return -EAGAIN;
		}
	}
	detach_tree_locked(m, &dead);
	spin_unlock(&mount_lock);
	release_detached(&dead);
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
		out[n].parent_id = m->parent->id;
		out[n].flags = m->flags;
		out[n].sb_flags = m->sb->flags;
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
