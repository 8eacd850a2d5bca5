/*
 * System calls that change names: mkdir, mknod, unlink, rmdir, rename,
 * link, symlink, and those that read them or move the process in the
 * tree: readlink, chdir, fchdir, getcwd, chroot, umask, mount, umount2.
 *
 * Each holds the parent directory's inode.lock across lookup and change
 * (rename: the super block's rename_lock, then both directories).
 */
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

/* A name in a locked parent directory. */
struct target {
	struct path parent;
	struct dentry *d;               /* referenced, maybe negative */
	char last[NAME_MAX + 1];
	bool trailing;                  /* the path ended with '/' */
	bool dots;                      /* the last component is "." or ".." */
};

static int resolve_parent(int dirfd, const char *upath, struct target *t)
{
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	int err = getname(upath, path, false);
	if (!err)
		err = path_parentat(dirfd, path, &t->parent, t->last, &t->trailing);
	kfree(path);
	if (!err)
		t->dots = !strcmp(t->last, ".") || !strcmp(t->last, "..");
	return err;
}

/* Lock the parent and look the last component up (not for dots). */
static int lock_target(struct target *t)
{
	struct inode *dir = t->parent.dentry->inode;
	mutex_lock(&dir->lock);
	int err = lookup_child(t->parent.dentry, t->last, &t->d);
	if (err)
		mutex_unlock(&dir->lock);
	return err;
}

static void unlock_target(struct target *t)
{
	mutex_unlock(&t->parent.dentry->inode->lock);
	d_put(t->d);
}

static struct inode *dir_of(struct target *t)
{
	return t->parent.dentry->inode;
}

/* Sticky directories: only the owner of the file or the directory (or
 * root) may remove or rename an entry. */
static int check_sticky(struct inode *dir, struct inode *victim)
{
	const struct cred *c = &current_proc()->cred;
	if (!(dir->mode & S_ISVTX) || c->fsuid == 0 || c->fsuid == dir->uid ||
	    c->fsuid == victim->uid)
		return 0;
	return -EPERM;
}

static uint32_t apply_umask(uint32_t mode)
{
	return mode & ~READ_ONCE(current_fs()->umask);
}

/* Common to mkdir, mknod, symlink, link: create the missing name. */
static int create_common(int dirfd, const char *upath, struct target *t, bool is_dir)
{
	int err = resolve_parent(dirfd, upath, t);
	if (err)
		return err;
	if (t->dots) {
		path_put(&t->parent);
		return -EEXIST;
	}
	err = lock_target(t);
	if (err) {
		path_put(&t->parent);
		return err;
	}
	if (t->d->inode)
		err = -EEXIST;
	else if (dir_of(t)->nlink == 0)
		err = -ENOENT;          /* the directory was removed */
	else if (t->trailing && !is_dir)
		err = -ENOENT;
	else
		err = inode_permission(dir_of(t), MAY_WRITE | MAY_EXEC);
	if (err) {
		unlock_target(t);
		path_put(&t->parent);
	}
	return err;
}

static void finish(struct target *t)
{
	unlock_target(t);
	path_put(&t->parent);
}

long sys_mkdirat(int dirfd, const char *upath, unsigned mode)
{
	struct target t;
	int err = create_common(dirfd, upath, &t, true);
	if (err)
		return err;
	struct inode *dir = dir_of(&t);
	err = dir->ops->mkdir ? dir->ops->mkdir(dir, t.d, apply_umask(mode & 07777)) : -EPERM;
	finish(&t);
	return err;
}

long sys_mkdir(const char *upath, unsigned mode)
{
	return sys_mkdirat(AT_FDCWD, upath, mode);
}

long sys_mknodat(int dirfd, const char *upath, unsigned mode, unsigned dev)
{
	uint32_t type = mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	switch (type) {
	case S_IFREG: case S_IFIFO: case S_IFSOCK:
		break;
	case S_IFCHR: case S_IFBLK:
		if (current_proc()->cred.euid != 0)
			return -EPERM;
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	struct target t;
	int err = create_common(dirfd, upath, &t, false);
	if (err)
		return err;
	struct inode *dir = dir_of(&t);
	uint32_t rdev = (type == S_IFCHR || type == S_IFBLK) ? dev : 0;
	err = dir->ops->create ? dir->ops->create(dir, t.d, type | apply_umask(mode & 07777), rdev) : -EPERM;
	finish(&t);
	return err;
}

long sys_mknod(const char *upath, unsigned mode, unsigned dev)
{
	return sys_mknodat(AT_FDCWD, upath, mode, dev);
}

long sys_symlinkat(const char *utarget, int dirfd, const char *upath)
{
	char *target = kmalloc(PATH_MAX);
	if (!target)
		return -ENOMEM;
	struct target t;
	int err = getname(utarget, target, false);
	if (!err)
		err = create_common(dirfd, upath, &t, false);
	if (!err) {
		struct inode *dir = dir_of(&t);
		err = dir->ops->symlink ? dir->ops->symlink(dir, t.d, target) : -EPERM;
		finish(&t);
	}
	kfree(target);
	return err;
}

long sys_symlink(const char *utarget, const char *upath)
{
	return sys_symlinkat(utarget, AT_FDCWD, upath);
}

long sys_linkat(int olddirfd, const char *uold, int newdirfd, const char *unew, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	unsigned lf = (flags & AT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0) |
		      (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0);
	struct path old;
	int err = user_path_at(olddirfd, uold, lf, &old);
	if (err)
		return err;
	struct inode *i = old.dentry->inode;
	struct target t;
	/* Linking an open file by descriptor needs CAP_DAC_READ_SEARCH. */
	if ((flags & AT_EMPTY_PATH) && current_cred()->euid != 0) {
		err = -ENOENT;
		goto out_old;
	}
	if (S_ISDIR(i->mode)) {
		err = -EPERM;
		goto out_old;
	}
	err = create_common(newdirfd, unew, &t, false);
	if (err)
		goto out_old;
	struct inode *dir = dir_of(&t);
	if (t.parent.mnt != old.mnt)
		err = -EXDEV;
	else if (READ_ONCE(i->nlink) == 0)
		err = -ENOENT;
	else
		err = dir->ops->link ? dir->ops->link(i, dir, t.d) : -EPERM;
	finish(&t);
out_old:
	path_put(&old);
	return err;
}

long sys_link(const char *uold, const char *unew)
{
	return sys_linkat(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

static bool is_mountpoint(struct dentry *d)
{
	return READ_ONCE(d->mounted) != 0;
}

static int do_unlink(int dirfd, const char *upath)
{
	struct target t;
	int err = resolve_parent(dirfd, upath, &t);
	if (err)
		return err;
	if (t.dots) {
		path_put(&t.parent);
		return -EISDIR;
	}
	err = lock_target(&t);
	if (err) {
		path_put(&t.parent);
		return err;
	}
	struct inode *dir = dir_of(&t), *i = t.d->inode;
	if (!i)
		err = -ENOENT;
	else if (S_ISDIR(i->mode))
		err = -EISDIR;
	else if (t.trailing)
		err = -ENOTDIR;
	else if (!(err = inode_permission(dir, MAY_WRITE | MAY_EXEC)) &&
		 !(err = check_sticky(dir, i)))
		err = is_mountpoint(t.d) ? -EBUSY : dir->ops->unlink(dir, t.d);
	finish(&t);
	return err;
}

static int do_rmdir(int dirfd, const char *upath)
{
	struct target t;
	int err = resolve_parent(dirfd, upath, &t);
	if (err)
		return err;
	if (t.dots) {
		path_put(&t.parent);
		return strcmp(t.last, ".") ? -ENOTEMPTY : -EINVAL;
	}
	err = lock_target(&t);
	if (err) {
		path_put(&t.parent);
		return err;
	}
	struct inode *dir = dir_of(&t), *i = t.d->inode;
	if (!i)
		err = -ENOENT;
	else if (!S_ISDIR(i->mode))
		err = -ENOTDIR;
	else if ((err = inode_permission(dir, MAY_WRITE | MAY_EXEC)) || (err = check_sticky(dir, i)))
		;
	else if (is_mountpoint(t.d))
		err = -EBUSY;
	else {
		mutex_lock(&i->lock);
		err = i->ops->empty(i, t.d) ? dir->ops->rmdir(dir, t.d) : -ENOTEMPTY;
		mutex_unlock(&i->lock);
	}
	finish(&t);
	return err;
}

long sys_unlinkat(int dirfd, const char *upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return flags & AT_REMOVEDIR ? do_rmdir(dirfd, upath) : do_unlink(dirfd, upath);
}

long sys_unlink(const char *upath) { return do_unlink(AT_FDCWD, upath); }
long sys_rmdir(const char *upath) { return do_rmdir(AT_FDCWD, upath); }

/* d is a or below it (the caller holds the rename lock, so the tree
 * above them does not move). */
static bool is_ancestor(struct dentry *a, struct dentry *d)
{
	bool found = false;
	spin_lock(&dcache_lock);
	for (;;) {
		if (d == a) {
			found = true;
			break;
		}
		if (d->parent == d)
			break;
		d = d->parent;
	}
	spin_unlock(&dcache_lock);
	return found;
}

static int rename_checks(struct target *o, struct target *n, unsigned flags)
{
	struct inode *oi = o->d->inode, *ni = n->d->inode;
	struct inode *odir = dir_of(o), *ndir = dir_of(n);
	int err;

	if (!oi)
		return -ENOENT;
	if (o->trailing && !S_ISDIR(oi->mode))
		return -ENOTDIR;
	if ((flags & RENAME_NOREPLACE) && ni)
		return -EEXIST;
	if ((flags & RENAME_EXCHANGE) && !ni)
		return -ENOENT;
	if (n->trailing && !S_ISDIR(oi->mode) && !(flags & RENAME_EXCHANGE))
		return -ENOTDIR;
	if ((err = inode_permission(odir, MAY_WRITE | MAY_EXEC)) ||
	    (err = inode_permission(ndir, MAY_WRITE | MAY_EXEC)) ||
	    (err = check_sticky(odir, oi)) || (ni && (err = check_sticky(ndir, ni))))
		return err;
	if (is_ancestor(o->d, n->parent.dentry))
		return -EINVAL;         /* a directory into itself */
	if (ni && (flags & RENAME_EXCHANGE) && is_ancestor(n->d, o->parent.dentry))
		return -EINVAL;
	if (ni && !(flags & RENAME_EXCHANGE)) {
		if (S_ISDIR(oi->mode) && !S_ISDIR(ni->mode))
			return -ENOTDIR;
		if (!S_ISDIR(oi->mode) && S_ISDIR(ni->mode))
			return -EISDIR;
		if (S_ISDIR(ni->mode) && !ni->ops->empty(ni, n->d))
			return -ENOTEMPTY;
	}
	if (is_mountpoint(o->d) || (ni && is_mountpoint(n->d)))
		return -EBUSY;
	/* A directory that changes parent rewrites its "..": it must be
	 * writable to the caller. */
	if (S_ISDIR(oi->mode) && odir != ndir && (err = inode_permission(oi, MAY_WRITE)))
		return err;
	if (ni && S_ISDIR(ni->mode) && (flags & RENAME_EXCHANGE) && odir != ndir &&
	    (err = inode_permission(ni, MAY_WRITE)))
		return err;
	return 0;
}

static void lock_two(struct inode *a, struct inode *b)
{
	if (a == b) {
		mutex_lock(&a->lock);
		return;
	}
	if (a > b) {
		struct inode *t = a;
		a = b;
		b = t;
	}
	mutex_lock(&a->lock);
	mutex_lock(&b->lock);
}

static void unlock_two(struct inode *a, struct inode *b)
{
	mutex_unlock(&a->lock);
	if (a != b)
		mutex_unlock(&b->lock);
}

long sys_renameat2(int olddirfd, const char *uold, int newdirfd, const char *unew, unsigned flags)
{
	struct target o, n;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;         /* whiteouts are for overlay file systems */
	if ((err = resolve_parent(olddirfd, uold, &o)))
		return err;
	if ((err = resolve_parent(newdirfd, unew, &n)))
		goto out_old;
	if (o.dots || n.dots) {
		err = -EBUSY;
		goto out_new;
	}
	if (o.parent.mnt != n.parent.mnt) {
		err = -EXDEV;
		goto out_new;
	}
	struct super_block *sb = o.parent.mnt->sb;
	struct inode *odir = dir_of(&o), *ndir = dir_of(&n);
	mutex_lock(&sb->rename_lock);
	lock_two(odir, ndir);
	if ((err = lookup_child(o.parent.dentry, o.last, &o.d)))
		goto out_unlock;
	if ((err = lookup_child(n.parent.dentry, n.last, &n.d))) {
		d_put(o.d);
		goto out_unlock;
	}
	err = ndir->nlink == 0 ? -ENOENT : rename_checks(&o, &n, flags);
	if (!err && o.d->inode != n.d->inode)
		err = odir->ops->rename ? odir->ops->rename(odir, o.d, ndir, n.d, flags) : -EPERM;
	d_put(o.d);
	d_put(n.d);
out_unlock:
	unlock_two(odir, ndir);
	mutex_unlock(&sb->rename_lock);
out_new:
	path_put(&n.parent);
out_old:
	path_put(&o.parent);
	return err;
}

long sys_renameat(int olddirfd, const char *uold, int newdirfd, const char *unew)
{
	return sys_renameat2(olddirfd, uold, newdirfd, unew, 0);
}

long sys_rename(const char *uold, const char *unew)
{
	return sys_renameat2(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

long sys_readlinkat(int dirfd, const char *upath, char *ubuf, int size)
{
	if (size <= 0)
		return -EINVAL;
	struct path p;
	int err = user_path_at(dirfd, upath, LOOKUP_EMPTY, &p);
	if (err)
		return err;
	struct inode *i = p.dentry->inode;
	long r;
	char *buf = NULL;
	if (!S_ISLNK(i->mode)) {
		r = -EINVAL;
	} else if (!(buf = kmalloc(PATH_MAX))) {
		r = -ENOMEM;
	} else {
		mutex_lock(&i->lock);
		r = i->ops->readlink(i, buf, MIN((size_t)size, (size_t)PATH_MAX));
		inode_touch(i, INODE_ATIME);
		mutex_unlock(&i->lock);
		if (r > 0 && copy_to_user(ubuf, buf, (size_t)r))
			r = -EFAULT;
	}
	kfree(buf);
	path_put(&p);
	return r;
}

long sys_readlink(const char *upath, char *ubuf, int size)
{
	return sys_readlinkat(AT_FDCWD, upath, ubuf, size);
}

/* Replace *slot (cwd or root) with p. */
static void set_fs_path(struct path *slot, struct path *p)
{
	struct fs_context *fs = current_fs();
	spin_lock(&fs->lock);
	struct path old = *slot;
	*slot = *p;
	spin_unlock(&fs->lock);
	path_put(&old);
}

static int enter_dir(struct path *p, struct path *slot)
{
	int err = S_ISDIR(p->dentry->inode->mode) ? inode_permission(p->dentry->inode, MAY_EXEC) : -ENOTDIR;
	if (err) {
		path_put(p);
		return err;
	}
	set_fs_path(slot, p);
	return 0;
}

long sys_chdir(const char *upath)
{
	struct path p;
	int err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	return err ? err : enter_dir(&p, &current_fs()->cwd);
}

long sys_fchdir(int fd)
{
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	struct path p = f->path;
	file_put(f);
	if (!p.dentry)
		return -ENOTDIR;
	path_get(&p);
	return enter_dir(&p, &current_fs()->cwd);
}

long sys_chroot(const char *upath)
{
	struct path p;
	int err = user_path_at(AT_FDCWD, upath, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	if (current_proc()->cred.euid != 0) {
		err = inode_permission(p.dentry->inode, MAY_EXEC);
		path_put(&p);
		return err ? err : -EPERM;
	}
	return enter_dir(&p, &current_fs()->root);
}

long sys_getcwd(char *ubuf, unsigned long size)
{
	struct fs_context *fs = current_fs();
	struct path cwd;
	spin_lock(&fs->lock);
	cwd = fs->cwd;
	path_get(&cwd);
	spin_unlock(&fs->lock);

	char *buf = kmalloc(PATH_MAX);
	long r = buf ? 0 : -ENOMEM;
	bool removed = cwd.dentry->parent != cwd.dentry && !READ_ONCE(cwd.dentry->hashed);
	if (!r && removed)
		r = -ENOENT;
	if (!r)
		r = vfs_path_name(&cwd, buf, MIN(size, (unsigned long)PATH_MAX));
	if (!r) {
		size_t len = strlen(buf) + 1;
		r = copy_to_user(ubuf, buf, len) ? -EFAULT : (long)len;
	}
	kfree(buf);
	path_put(&cwd);
	return r;
}

long sys_umask(unsigned mask)
{
	return __atomic_exchange_n(&current_fs()->umask, mask & 0777, __ATOMIC_RELAXED);
}

#define MS_SILENT    32768
#define MS_MGC_MSK   0xffff0000ul
#define MS_MGC_VAL   0xc0ed0000ul       /* the old magic in the top half: ignored */
#define MNT_FORCE       1
#define MNT_DETACH      2
#define MNT_EXPIRE      4
#define UMOUNT_NOFOLLOW 8

long sys_mount(const char *usource, const char *utarget, const char *utype,
	       unsigned long flags, const void *data)
{
	char type[64], source[256] = "none";
	(void)data;

	if (current_proc()->cred.euid != 0)
		return -EPERM;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	/* Only plain new mounts so far: read-only, nosuid, noexec..., remount,
	 * bind and move would have to be enforced, so they are refused. */
	if (flags & ~(MS_SILENT | MS_RDONLY))
		return -EINVAL;         /* MS_RDONLY: the fs_type checks (mount_fs) */
	long n = strncpy_from_user(type, utype, sizeof(type));
	if (n < 0)
		return n;
	if (n >= (long)sizeof(type))
		return -ENODEV;
	if (usource && (n = strncpy_from_user(source, usource, sizeof(source))) < 0)
		return n;
	struct path at;
	int err = user_path_at(AT_FDCWD, utarget, LOOKUP_FOLLOW, &at);
	if (err)
		return err;
	struct inode *dir = at.dentry->inode;
	mutex_lock(&dir->lock);
	err = do_mount(&at, type, source, flags, data);
	mutex_unlock(&dir->lock);
	path_put(&at);
	return err;
}

long sys_umount2(const char *utarget, int flags)
{
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	if (current_proc()->cred.euid != 0)
		return -EPERM;
	struct path p;
	int err = user_path_at(AT_FDCWD, utarget, flags & UMOUNT_NOFOLLOW ? 0 : LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = do_umount(&p, flags);
	path_put(&p);
	return err;
}
