/*
 * Opening files by name: the per-process file-system context (root, cwd,
 * umask), open/openat/creat, lseek and getdents64. Reading and writing
 * regular files: fs/file_rw.c.
 *
 * fs_context.lock (a spinlock) protects root and cwd; whoever reads them
 * takes references before dropping it.
 */
#include <fs/vfs.h>
#include <fs/devices.h>
#include <drivers/block/blkdev.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/pipe.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_ACCMODE   03
#define O_RDONLY    0
#define O_WRONLY    1
#define O_RDWR      2
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000
#define O_PATH      010000000
#define __O_TMPFILE 020000000
#define O_TMPFILE   (__O_TMPFILE | O_DIRECTORY)
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

/* ---- per-process context ---- */

struct fs_context *fs_context_create(void)
{
	struct fs_context *fs = kzalloc(sizeof(*fs));
	if (!fs)
		return NULL;
	spin_lock_init(&fs->lock, "fs_context");
	fs->refcount = 1;
	fs->root = vfs_root_path();
	fs->cwd = vfs_root_path();
	fs->umask = 022;
	return fs;
}

struct fs_context *fs_context_copy(struct fs_context *src)
{
	struct fs_context *fs = kzalloc(sizeof(*fs));
	if (!fs)
		return NULL;
	spin_lock_init(&fs->lock, "fs_context");
	fs->refcount = 1;
	spin_lock(&src->lock);
	fs->root = src->root;
	fs->cwd = src->cwd;
	path_get(&fs->root);
	path_get(&fs->cwd);
	spin_unlock(&src->lock);
	fs->umask = READ_ONCE(src->umask);
	return fs;
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || __atomic_sub_fetch(&fs->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	kfree(fs);
}

struct fs_context *current_fs(void)
{
	return current_proc()->fs;
}

/* ---- open ---- */

/* Files whose writes go to a driver or a pipe, not to the file system. */
static bool is_special(uint32_t mode)
{
	uint32_t t = mode & S_IFMT;
	return t == S_IFCHR || t == S_IFBLK || t == S_IFIFO || t == S_IFSOCK;
}

/* What the mount says about opening p (Linux's may_open): device nodes
 * on a nodev mount are EACCES; writing or truncating a file through a
 * read-only mount is EROFS. */
static int may_open_mount(const struct path *p, unsigned flags)
{
	uint32_t mode = p->dentry->inode->mode;
	if ((S_ISCHR(mode) || S_ISBLK(mode)) && (READ_ONCE(p->mnt->flags) & MNT_NODEV))
		return -EACCES;
	if (!is_special(mode) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return mnt_want_write(p->mnt);
	return 0;
}

static int may_open(struct inode *i, unsigned flags)
{
	int acc = (int)(flags & O_ACCMODE);
	int mask = (acc == O_RDONLY ? MAY_READ : acc == O_WRONLY ? MAY_WRITE :
		    MAY_READ | MAY_WRITE) | (flags & O_TRUNC ? MAY_WRITE : 0);
	return inode_permission(i, mask);
}

long vfs_open(const struct path *p, unsigned flags, struct file **out)
{
	struct inode *i = p->dentry->inode;
	unsigned acc = flags & O_ACCMODE;
	struct file *f;
	long err = 0;

	if (S_ISLNK(i->mode))
		return -ELOOP;
	if (S_ISDIR(i->mode) && (acc != O_RDONLY || (flags & O_CREAT)))
		return -EISDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(i->mode))
		return -ENOTDIR;
	if (!S_ISDIR(i->mode) && !S_ISREG(i->mode) && !S_ISFIFO(i->mode) && !S_ISCHR(i->mode) &&
	    !S_ISBLK(i->mode) && !i->ops->open)
		return -ENXIO;          /* a device with no driver behind it */
	/* Writers of files kept by the file system are counted on the mount
	 * (EROFS if read-only; a remount read-only is EBUSY while they are). */
	bool writer = acc != O_RDONLY && !is_special(i->mode);
	if (writer) {
		err = mnt_get_write_access(p->mnt);
		if (err)
			return err;
	}
	if (S_ISREG(i->mode) && (flags & O_TRUNC) && acc != O_RDONLY && i->ops->truncate) {
		mutex_lock(&i->lock);
		err = vfs_truncate_locked(i, 0);
		if (!err)
			inode_touch(i, INODE_MTIME | INODE_CTIME);
		mutex_unlock(&i->lock);
		if (err)
			goto out_writer;
	}
	unsigned kept = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
	if (S_ISFIFO(i->mode)) {
		err = fifo_open(&i->fifo, &i->lock, kept, &f);
		if (err)
			return err;
	} else if (S_ISCHR(i->mode) && !i->ops->open) {
		err = chrdev_open(i->rdev, kept | (flags & O_NOCTTY), &f);     /* fs/chrdev.c */
		if (err)
			return err;
	} else if (S_ISBLK(i->mode) && !i->ops->open) {
		long err = blkdev_open(i->rdev, kept, &f);     /* drivers/block/bfile.c */
		if (err)
			return err;
	} else {
		f = i->ops->open ? i->ops->open(i, kept) : file_alloc(i->fops, NULL, kept);
		if (!f || IS_ERR(f)) {
			err = f ? PTR_ERR(f) : -ENOMEM;
			goto out_writer;
		}
	}
	f->mnt_write = writer;
	inode_get(i);
	f->inode = i;
	f->path = *p;
	path_get(&f->path);
	*out = f;
	return 0;

out_writer:
	if (writer)
		mnt_put_write_access(p->mnt);
	return err;
}

/* Create name in parent (locked) as a regular file unless it exists. */
static int open_create(struct path *parent, const char *last, bool trailing, unsigned flags,
		       uint32_t mode, struct path *out, bool *created)
{
	struct inode *dir = parent->dentry->inode;
	struct dentry *d;
	int err;

	mutex_lock(&dir->lock);
	err = lookup_child(parent->dentry, last, &d);
	if (err)
		goto out_unlock;
	if (!d->inode) {
		if (trailing)
			err = -EISDIR;
		else if (dir->nlink == 0)
			err = -ENOENT;          /* the directory was removed */
		else if ((err = mnt_want_write(parent->mnt)))
			;
		else if (!(err = inode_permission(dir, MAY_WRITE | MAY_EXEC)))
			/* Linux's lookup_open: no ->create is EACCES here (mknod's EPERM). */
			err = dir->ops->create ? dir->ops->create(dir, d, S_IFREG | mode, 0) : -EACCES;
		if (err) {
			d_put(d);
			goto out_unlock;
		}
		*created = true;
	} else if (flags & O_EXCL) {
		d_put(d);
		err = -EEXIST;
		goto out_unlock;
	}
	out->mnt = parent->mnt;
	out->dentry = d;
	__atomic_fetch_add(&out->mnt->refcount, 1, __ATOMIC_RELAXED);
out_unlock:
	mutex_unlock(&dir->lock);
	if (!err)
		follow_mounts(out);
	return err;
}

static int open_path(int dirfd, const char *path, unsigned flags, uint32_t mode,
		     struct path *out, bool *created)
{
	unsigned lf = (flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW) | (flags & O_DIRECTORY ? LOOKUP_DIRECTORY : 0);
	if (!(flags & O_CREAT))
		return path_lookupat(dirfd, path, lf, out);

	struct path parent;
	char last[NAME_MAX + 1];
	bool trailing;
	int err = path_parentat(dirfd, path, &parent, last, &trailing);
	if (err)
		return err;
	if (!strcmp(last, ".") || !strcmp(last, ".."))
		err = -EISDIR;
	else
		err = open_create(&parent, last, trailing, flags, mode, out, created);
	path_put(&parent);
	if (err || *created)
		return err;
	/* It existed: a symlink is followed (or refused) as without O_CREAT. */
	if (S_ISLNK(out->dentry->inode->mode)) {
		path_put(out);
		if (flags & O_NOFOLLOW)
			return -ELOOP;
		return path_lookupat(dirfd, path, lf, out);
	}
	return 0;
}

/* The unnamed file of O_TMPFILE in dir: an unhashed dentry "#ino" under dir names it for the
 * open file, so fstat, fchmod and /proc/self/fd work; linkat(AT_EMPTY_PATH)
 * gives it a real name unless O_EXCL. Linux's order of errors: ENOTDIR or
 * ENOENT from the walk, EROFS, EACCES, EOPNOTSUPP. */
static long open_tmpfile(int dirfd, const char *path, unsigned flags, uint32_t mode,
			 struct file **out)
{
	struct path dir;
	long err = path_lookupat(dirfd, path, (flags & O_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
				 LOOKUP_DIRECTORY, &dir);
	if (err)
		return err;
	struct inode *di = dir.dentry->inode, *i = NULL;
	if ((err = mnt_want_write(dir.mnt)) || (err = inode_permission(di, MAY_WRITE | MAY_EXEC)))
		goto out_dir;
	if (!di->ops->tmpfile) {
		err = -EOPNOTSUPP;
		goto out_dir;
	}
	mutex_lock(&di->lock);
	err = di->nlink == 0 ? -ENOENT : di->ops->tmpfile(di, mode, &i);
	mutex_unlock(&di->lock);
	if (err)
		goto out_dir;
	i->linkable = !(flags & O_EXCL);
	char name[24];
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)i->ino);
	struct path p = { dir.mnt, d_alloc(dir.dentry, name, strlen(name)) };
	if (!p.dentry) {
		inode_put(i);
		err = -ENOMEM;
		goto out_dir;
	}
	d_instantiate(p.dentry, i);     /* the dentry holds the creation reference */
	__atomic_fetch_add(&p.mnt->refcount, 1, __ATOMIC_RELAXED);
	err = vfs_open(&p, flags & ~(O_TMPFILE | O_EXCL), out);
	path_put(&p);
out_dir:
	path_put(&dir);
	return err;
}

/* Linux's build_open_flags for O_TMPFILE: with O_DIRECTORY, without
 * O_CREAT, and for writing. */
static int tmpfile_flags_ok(unsigned flags)
{
	if ((flags & (O_TMPFILE | O_CREAT)) != O_TMPFILE)
		return -EINVAL;
	return (flags & O_ACCMODE) == O_RDONLY ? -EINVAL : 0;
}

long do_openat(int dirfd, const char *path, unsigned flags, uint32_t mode, struct file **out)
{
	struct path p;
	bool created = false;

	mode = mode & 07777 & ~READ_ONCE(current_fs()->umask);
	if (flags & __O_TMPFILE) {
		int err = tmpfile_flags_ok(flags);
		return err ? err : open_tmpfile(dirfd, path, flags, mode, out);
	}
	int err = open_path(dirfd, path, flags, mode, &p, &created);
	if (err)
		return err;
	struct inode *i = p.dentry->inode;
	if ((flags & O_NOFOLLOW) && S_ISLNK(i->mode))
		err = -ELOOP;
	else if (!created && !S_ISLNK(i->mode) && !(err = may_open_mount(&p, flags)))
		err = may_open(i, flags);
	if (!err)
		err = (int)vfs_open(&p, flags, out);
	path_put(&p);
	return err;
}

long sys_openat(int dirfd, const char *upath, int flags, unsigned mode)
{
	struct proc *p = current_proc();
	char *path = kmalloc(PATH_MAX);
	struct file *f;

	if (!path)
		return -ENOMEM;
	long r = getname(upath, path, false);
	if (!r)
		r = do_openat(dirfd, path, (unsigned)flags, mode, &f);
	kfree(path);
	if (r)
		return r;
	r = fd_install(p->files, f, 0, flags & O_CLOEXEC, proc_fd_limit(p));
	file_put(f);
	return r;
}

long sys_open(const char *upath, int flags, unsigned mode)
{
	return sys_openat(AT_FDCWD, upath, flags, mode);
}

long sys_creat(const char *upath, unsigned mode)
{
	return sys_openat(AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* ---- reading and seeking ---- */

long sys_getdents64(int fd, void *ubuf, unsigned count)
{
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	long r = f->ops->getdents ? f->ops->getdents(f, ubuf, count, &f->pos) : -ENOTDIR;
	file_put(f);
	return r;
}

long sys_lseek(int fd, long off, int whence)
{
	struct file *f = fd_get(current_proc()->files, fd);
	long r;

	if (!f)
		return -EBADF;
	if (!f->ops->size) {
		file_put(f);
		return -ESPIPE;
	}
	spin_lock(&f->pos_lock);
	long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->pos :
		    whence == SEEK_END ? f->ops->size(f) : -1;
	if (base < 0 && whence != SEEK_SET)
		r = -EINVAL;
	else if (off > 0 && base > INT64_MAX - off)
		r = -EOVERFLOW;
	else if (base + off < 0)
		r = -EINVAL;
	else
		r = (long)(f->pos = (uint64_t)(base + off));
	spin_unlock(&f->pos_lock);
	file_put(f);
	return r;
}

/* ---- names ---- */

int vfs_path_name(const struct path *p, char *buf, size_t size)
{
	struct fs_context *fs = current_fs();
	struct path root, cur = *p;
	char *tmp = kmalloc(PATH_MAX);
	size_t pos = PATH_MAX - 1;
	int err = 0;

	if (!tmp)
		return -ENOMEM;
	spin_lock(&fs->lock);
	root = fs->root;
	path_get(&root);
	spin_unlock(&fs->lock);
	path_get(&cur);
	tmp[pos] = '\0';
	while (!(cur.dentry == root.dentry && cur.mnt == root.mnt)) {
		if (cur.dentry == cur.mnt->root) {
			struct path up;
			if (!mount_parent_path(cur.mnt, &up))
				break;          /* outside our root (chroot): stop at the top */
			path_put(&cur);
			cur = up;
			continue;
		}
		spin_lock(&dcache_lock);
		size_t l = strlen(cur.dentry->name);
		if (l + 1 > pos) {
			spin_unlock(&dcache_lock);
			err = -ENAMETOOLONG;
			break;
		}
		pos -= l;
		memcpy(tmp + pos, cur.dentry->name, l);
		tmp[--pos] = '/';
		struct dentry *parent = cur.dentry->parent;
		d_get(parent);
		spin_unlock(&dcache_lock);
		d_put(cur.dentry);
		cur.dentry = parent;
	}
	if (!err && pos == PATH_MAX - 1)
		tmp[--pos] = '/';
	if (!err && PATH_MAX - pos > size)
		err = -ERANGE;
	if (!err)
		memcpy(buf, tmp + pos, PATH_MAX - pos);
	path_put(&cur);
	path_put(&root);
	kfree(tmp);
	return err;
}
