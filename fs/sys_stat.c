/*
 * System calls on attributes: the stat family and statx, access, chmod,
 * chown, utimensat, truncate and fallocate, the sync family, statfs, and
 * memfd_create. Attributes change under the inode's lock; the super
 * block's write_inode (if any) then records them.
 */
#include <fs/vfs.h>
#include <drivers/block/blkdev.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_ACCMODE 3
#define O_RDONLY  0
#define O_RDWR    2
#define O_CLOEXEC 02000000

/* ---- stat ---- */

struct linux_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "struct stat layout");

/* Linux's dev_t encoding of (0, minor) for our anonymous devices. */
static uint64_t encode_dev(uint64_t dev)
{
	return (dev & 0xff) | ((dev & ~0xffull) << 12);
}

/* What fstat shows for f: its inode, or the anonymous file's own mode. */
static void file_stat(struct file *f, struct kstat *st)
{
	if (f->inode) {
		inode_fill_stat(f->inode, st);
		return;
	}
	const struct cred *c = &current_proc()->cred;
	*st = (struct kstat){
		.ino = (uint64_t)(uintptr_t)f->private >> 4, .nlink = 1,
		.mode = f->ops->anon_mode, .uid = c->euid, .gid = c->egid, .blksize = 4096,
	};
}

static int put_stat(const struct kstat *st, void *ubuf)
{
	struct linux_stat s = {
		.dev = encode_dev(st->dev), .ino = st->ino, .nlink = st->nlink,
		.mode = st->mode, .uid = st->uid, .gid = st->gid, .rdev = st->rdev,
		.size = (int64_t)st->size, .blksize = st->blksize, .blocks = (int64_t)st->blocks,
		.atime = st->atime.sec, .atime_nsec = st->atime.nsec,
		.mtime = st->mtime.sec, .mtime_nsec = st->mtime.nsec,
		.ctime = st->ctime.sec, .ctime_nsec = st->ctime.nsec,
	};
	return copy_to_user(ubuf, &s, sizeof(s)) ? -EFAULT : 0;
}

/* stat by name or, with AT_EMPTY_PATH and "", by descriptor. */
static int stat_at(int dirfd, const char *upath, int flags, struct kstat *st)
{
	struct path p;
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	int err = getname(upath, path, flags & AT_EMPTY_PATH);
	if (!err && !*path && dirfd != AT_FDCWD) {
		struct file *f = fd_get(current_proc()->files, dirfd);
		kfree(path);
		if (!f)
			return -EBADF;
		file_stat(f, st);
		file_put(f);
		return 0;
	}
	if (!err)
		err = path_lookupat(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
				    (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0), &p);
	kfree(path);
	if (err)
		return err;
	inode_fill_stat(p.dentry->inode, st);
	path_put(&p);
	return 0;
}

long sys_newfstatat(int dirfd, const char *upath, void *ubuf, int flags)
{
	struct kstat st;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	int err = stat_at(dirfd, upath, flags, &st);
	return err ? err : put_stat(&st, ubuf);
}

long sys_stat(const char *upath, void *ubuf)
{
	return sys_newfstatat(AT_FDCWD, upath, ubuf, 0);
}

long sys_lstat(const char *upath, void *ubuf)
{
	return sys_newfstatat(AT_FDCWD, upath, ubuf, AT_SYMLINK_NOFOLLOW);
}

long sys_fstat(int fd, void *ubuf)
{
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	struct kstat st;
	file_stat(f, &st);
	file_put(f);
	return put_stat(&st, ubuf);
}

struct statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx layout");

#define STATX_BASIC_STATS 0x7ffu
#define STATX__RESERVED   0x80000000u
#define AT_STATX_SYNC_TYPE 0x6000

static struct statx_ts ts(struct vfs_time t)
{
	return (struct statx_ts){ t.sec, (uint32_t)t.nsec, 0 };
}

long sys_statx(int dirfd, const char *upath, int flags, unsigned mask, void *ubuf)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
		return -EINVAL;
	struct kstat st;
	int err = stat_at(dirfd, upath, flags, &st);
	if (err)
		return err;
	uint64_t dev = encode_dev(st.dev);
	struct linux_statx x = {
		.mask = STATX_BASIC_STATS, .blksize = st.blksize, .nlink = (uint32_t)st.nlink,
		.uid = st.uid, .gid = st.gid, .mode = (uint16_t)st.mode, .ino = st.ino,
		.size = st.size, .blocks = st.blocks,
		.atime = ts(st.atime), .ctime = ts(st.ctime), .mtime = ts(st.mtime),
		.rdev_major = (uint32_t)(((st.rdev >> 8) & 0xfff) | ((st.rdev >> 32) & ~0xfffull)),
		.rdev_minor = (uint32_t)((st.rdev & 0xff) | ((st.rdev >> 12) & ~0xffull)),
		.dev_major = (uint32_t)((dev >> 8) & 0xfff),
		.dev_minor = (uint32_t)((dev & 0xff) | ((dev >> 12) & ~0xffull)),
	};
	return copy_to_user(ubuf, &x, sizeof(x)) ? -EFAULT : 0;
}

/* ---- access ---- */

#define F_OK 0

long sys_faccessat2(int dirfd, const char *upath, int mode, int flags)
{
	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path p;
	int err = user_path_at(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
			       (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0), &p);
	if (err)
		return err;
	if (mode != F_OK) {
		/* The real ids unless AT_EACCESS (the walk itself used the
		 * effective ones). */
		struct cred c = current_proc()->cred;
		c.groups = cred_groups_get(&current_proc()->cred);     /* held across the check */
		if (!(flags & AT_EACCESS)) {
			c.fsuid = c.uid;
			c.fsgid = c.gid;
		}
		struct inode *i = p.dentry->inode;
		err = cred_permission(&c, i, mode);
		groups_put(c.groups);
		/* SUSv2: a writable file on a read-only mount is EROFS (devices,
		 * FIFOs and sockets are written elsewhere). */
		bool special = S_ISCHR(i->mode) || S_ISBLK(i->mode) || S_ISFIFO(i->mode) ||
			       (i->mode & S_IFMT) == S_IFSOCK;
		if (!err && (mode & 2) && !special)
			err = mnt_want_write(p.mnt);
	}
	path_put(&p);
	return err;
}

long sys_faccessat(int dirfd, const char *upath, int mode)
{
	return sys_faccessat2(dirfd, upath, mode, 0);
}

long sys_access(const char *upath, int mode)
{
	return sys_faccessat2(AT_FDCWD, upath, mode, 0);
}

/* ---- attribute changes ---- */

static int write_back(struct inode *i)
{
	return i->sb && i->sb->ops->write_inode ? i->sb->ops->write_inode(i) : 0;
}

/* Attribute changes through a read-only mount are EROFS before any
 * other check (Linux's mnt_want_write); m is NULL for files with no
 * path (memfd). */
static int may_change(struct mount *m)
{
	return m ? mnt_want_write(m) : 0;
}

static int chmod_inode(struct mount *m, struct inode *i, uint32_t mode)
{
	int err = may_change(m);
	if (err)
		return err;
	if (!capable_fowner(i))
		return -EPERM;
	mutex_lock(&i->lock);
	const struct cred *c = &current_proc()->cred;
	mode &= 07777;
	/* Only a member of the file's group (or root) may set set-group-ID. */
	if (c->fsuid != 0 && !S_ISDIR(i->mode) && !in_group(i->gid))
		mode &= ~S_ISGID;
	i->mode = (i->mode & S_IFMT) | mode;
	inode_touch(i, INODE_CTIME);
	mutex_unlock(&i->lock);
	return write_back(i);
}

static int chown_inode(struct mount *m, struct inode *i, uint32_t uid, uint32_t gid)
{
	int err = may_change(m);
	if (err)
		return err;
	const struct cred *c = &current_proc()->cred;
	bool root = c->fsuid == 0;
	if (!root) {
		if (uid != (uint32_t)-1 && uid != i->uid)
			return -EPERM;
		if (gid != (uint32_t)-1 && (c->fsuid != i->uid || (gid != i->gid && !in_group(gid))))
			return -EPERM;
		if (uid != (uint32_t)-1 && c->fsuid != i->uid)
			return -EPERM;
	}
	mutex_lock(&i->lock);
	bool changed = (uid != (uint32_t)-1) || (gid != (uint32_t)-1);
	if (uid != (uint32_t)-1)
		i->uid = uid;
	if (gid != (uint32_t)-1)
		i->gid = gid;
	/* A change of owner drops set-user-ID, and set-group-ID when the
	 * group can execute (else it marks mandatory locking). */
	if (changed && !S_ISDIR(i->mode)) {
		i->mode &= ~S_ISUID;
		if (i->mode & 0010)
			i->mode &= ~S_ISGID;
	}
	inode_touch(i, INODE_CTIME);
	mutex_unlock(&i->lock);
	return write_back(i);
}

/* Apply fn to the inode named by (dirfd, path, flags). */
static int on_path(int dirfd, const char *upath, unsigned lookup, struct path *p)
{
	return user_path_at(dirfd, upath, lookup, p);
}

long sys_fchmodat(int dirfd, const char *upath, unsigned mode)
{
	struct path p;
	int err = on_path(dirfd, upath, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = chmod_inode(p.mnt, p.dentry->inode, mode);
	path_put(&p);
	return err;
}

long sys_chmod(const char *upath, unsigned mode)
{
	return sys_fchmodat(AT_FDCWD, upath, mode);
}

static struct inode *fd_inode(int fd, struct file **fp)
{
	struct file *f = fd_get(current_proc()->files, fd);
	*fp = f;
	return f ? f->inode : NULL;
}

long sys_fchmod(int fd, unsigned mode)
{
	struct file *f;
	struct inode *i = fd_inode(fd, &f);
	if (!f)
		return -EBADF;
	long r = i ? chmod_inode(f->path.mnt, i, mode) : -EINVAL;
	file_put(f);
	return r;
}

long sys_fchownat(int dirfd, const char *upath, uint32_t uid, uint32_t gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path p;
	int err = on_path(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
			  (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0), &p);
	if (err)
		return err;
	err = chown_inode(p.mnt, p.dentry->inode, uid, gid);
	path_put(&p);
	return err;
}

long sys_chown(const char *upath, uint32_t uid, uint32_t gid)
{
	return sys_fchownat(AT_FDCWD, upath, uid, gid, 0);
}

long sys_lchown(const char *upath, uint32_t uid, uint32_t gid)
{
	return sys_fchownat(AT_FDCWD, upath, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, uint32_t uid, uint32_t gid)
{
	struct file *f;
	struct inode *i = fd_inode(fd, &f);
	if (!f)
		return -EBADF;
	long r = i ? chown_inode(f->path.mnt, i, uid, gid) : -EINVAL;
	file_put(f);
	return r;
}

#define UTIME_NOW  ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)

struct user_timespec {
	int64_t sec, nsec;
};

static bool ts_valid(const struct user_timespec *t)
{
	return t->nsec == UTIME_NOW || t->nsec == UTIME_OMIT ||
	       (t->nsec >= 0 && t->nsec < 1000000000);
}

static int set_times(struct mount *m, struct inode *i, const struct user_timespec *t)
{
	int err = may_change(m);
	if (err)
		return err;
	bool explicit = t && !((t[0].nsec == UTIME_NOW || t[0].nsec == UTIME_OMIT) &&
			       (t[1].nsec == UTIME_NOW || t[1].nsec == UTIME_OMIT));
	if (explicit && !capable_fowner(i))
		return -EPERM;
	if (!explicit && !capable_fowner(i) && inode_permission(i, MAY_WRITE))
		return -EACCES;
	struct vfs_time now = vfs_now();
	mutex_lock(&i->lock);
	for (int k = 0; k < 2; k++) {
		struct vfs_time *dst = k == 0 ? &i->atime : &i->mtime;
		if (!t || t[k].nsec == UTIME_NOW)
			*dst = now;
		else if (t[k].nsec != UTIME_OMIT)
			*dst = (struct vfs_time){ t[k].sec, t[k].nsec };
	}
	i->ctime = now;
	mutex_unlock(&i->lock);
	return write_back(i);
}

long sys_utimensat(int dirfd, const char *upath, const void *utimes, int flags)
{
	struct user_timespec t[2];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (utimes) {
		if (copy_from_user(t, utimes, sizeof(t)))
			return -EFAULT;
		if (!ts_valid(&t[0]) || !ts_valid(&t[1]))
			return -EINVAL;
		if (t[0].nsec == UTIME_OMIT && t[1].nsec == UTIME_OMIT)
			return 0;
	}
	int err;
	if (!upath) {           /* Linux: the file dirfd itself (futimens) */
		struct file *f;
		struct inode *i = fd_inode(dirfd, &f);
		if (!f)
			return -EBADF;
		err = i ? set_times(f->path.mnt, i, utimes ? t : NULL) : -EINVAL;
		file_put(f);
		return err;
	}
	struct path p;
	err = on_path(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
		      (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0), &p);
	if (err)
		return err;
	err = set_times(p.mnt, p.dentry->inode, utimes ? t : NULL);
	path_put(&p);
	return err;
}

/* ---- size ---- */

static int truncate_inode(struct inode *i, int64_t len)
{
	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(i->mode))
		return -EISDIR;
	if (!S_ISREG(i->mode) || !i->ops->truncate)
		return -EINVAL;
	mutex_lock(&i->lock);
	int err = vfs_truncate_locked(i, (uint64_t)len);
	if (!err)
		inode_touch(i, INODE_MTIME | INODE_CTIME);
	mutex_unlock(&i->lock);
	return err;
}

long sys_truncate(const char *upath, long len)
{
	struct path p;
	int err = on_path(AT_FDCWD, upath, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct inode *i = p.dentry->inode;
	if (len < 0)
		err = -EINVAL;
	else if (S_ISDIR(i->mode))
		err = -EISDIR;
	else if (!S_ISREG(i->mode))
		err = -EINVAL;
	else if (!(err = mnt_want_write(p.mnt)) && !(err = inode_permission(i, MAY_WRITE)))
		err = truncate_inode(i, len);
	path_put(&p);
	return err;
}

long sys_ftruncate(int fd, long len)
{
	struct file *f;
	struct inode *i = fd_inode(fd, &f);
	if (!f)
		return -EBADF;
	long r;
	if (len < 0)
		r = -EINVAL;
	else if (!i || (f->flags & O_ACCMODE) == O_RDONLY)
		r = -EINVAL;
	else
		r = truncate_inode(i, len);
	file_put(f);
	return r;
}

long sys_fallocate(int fd, int mode, long off, long len)
{
	struct file *f;
	struct inode *i = fd_inode(fd, &f);
	if (!f)
		return -EBADF;
	long r;
	if (off < 0 || len <= 0)
		r = -EINVAL;
	else if ((f->flags & O_ACCMODE) == O_RDONLY)
		r = -EBADF;
	else if (mode != 0)
		r = -EOPNOTSUPP;
	else if (!i)
		r = -ESPIPE;
	else if (S_ISDIR(i->mode))
		r = -EISDIR;
	else if (!S_ISREG(i->mode) || !i->ops->fallocate)
		r = -ENODEV;
	else if (off > INT64_MAX - len)
		r = -EFBIG;
	else {
		mutex_lock(&i->lock);
		r = i->ops->fallocate(i, (uint64_t)off, (uint64_t)len);
		if (!r)
			inode_touch(i, INODE_CTIME);
		mutex_unlock(&i->lock);
	}
	file_put(f);
	return r;
}

/* ---- sync: dirty cached pages, attributes, then the file system ---- */

static long sync_file(int fd, bool whole_fs)
{
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	long r = 0;
	if (f->ops->fsync && !whole_fs)
		r = f->ops->fsync(f);   /* a block device: its buffers, not devtmpfs */
	else if (!f->inode && !whole_fs)
		r = -EINVAL;            /* pipes and the like cannot be synced */
	else if (f->inode && whole_fs)
		r = vfs_sync(f->inode->sb);
	else if (f->inode)
		r = vfs_fsync(f->inode);
	file_put(f);
	return r;
}

long sys_fsync(int fd) { return sync_file(fd, false); }
long sys_fdatasync(int fd) { return sync_file(fd, false); }
long sys_syncfs(int fd) { return sync_file(fd, true); }

static void sync_disk(struct block_device *b, void *arg)
{
	if (b->whole == b)
		bdev_sync(b);
}

long sys_sync(void)
{
	struct path root = vfs_root_path();
	vfs_sync(NULL);
	struct super_block *sb = root.mnt->sb;
	if (sb->ops->sync)
		sb->ops->sync(sb);
	path_put(&root);
	bdev_for_each(sync_disk, NULL);         /* what block special files wrote */
	return 0;
}

/* ---- statfs ---- */

struct linux_statfs {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "struct statfs layout");

#define PIPEFS_MAGIC 0x50495045
#define ANON_INODE_FS_MAGIC 0x09041934

/* statfs's f_flags: ST_VALID and what the mount and its super block
 * say (Linux's flags_by_mnt and flags_by_sb). */
static int64_t statfs_flags(struct mount *m)
{
	static const struct { unsigned mnt; int64_t st; } map[] = {
		{ MNT_READONLY, 1 }, { MNT_NOSUID, 2 }, { MNT_NODEV, 4 }, { MNT_NOEXEC, 8 },
		{ MNT_NOATIME, 1024 }, { MNT_NODIRATIME, 2048 }, { MNT_RELATIME, 4096 },
		{ MNT_NOSYMFOLLOW, 8192 },
	};
	int64_t f = 0x20;
	if (!m)
		return f;
	unsigned mf = READ_ONCE(m->flags);
	unsigned long sf = READ_ONCE(m->sb->flags);
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (mf & map[i].mnt)
			f |= map[i].st;
	f |= sf & SB_RDONLY ? 1 : 0;
	f |= sf & SB_SYNCHRONOUS ? 16 : 0;
	f |= sf & SB_MANDLOCK ? 64 : 0;
	return f;
}

static int put_statfs(struct mount *m, struct super_block *sb, const struct file *anon, void *ubuf)
{
	struct kstatfs k = { 0 };
	if (sb) {
		int err = sb->ops->statfs ? sb->ops->statfs(sb, &k) : -ENOSYS;
		if (err)
			return err;
	} else {
		k.type = S_ISFIFO(anon->ops->anon_mode) ? PIPEFS_MAGIC : ANON_INODE_FS_MAGIC;
		k.bsize = k.frsize = 4096;
		k.namelen = NAME_MAX;
	}
	struct linux_statfs s = {
		.type = (int64_t)k.type, .bsize = (int64_t)k.bsize, .blocks = k.blocks,
		.bfree = k.bfree, .bavail = k.bavail, .files = k.files, .ffree = k.ffree,
		.fsid = { sb ? (int32_t)encode_dev(sb->dev) : 0, 0 },
		.namelen = (int64_t)k.namelen, .frsize = (int64_t)k.frsize, .flags = statfs_flags(m),
	};
	return copy_to_user(ubuf, &s, sizeof(s)) ? -EFAULT : 0;
}

long sys_statfs(const char *upath, void *ubuf)
{
	struct path p;
	int err = on_path(AT_FDCWD, upath, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = put_statfs(p.mnt, p.dentry->inode->sb, NULL, ubuf);
	path_put(&p);
	return err;
}

long sys_fstatfs(int fd, void *ubuf)
{
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	int err = put_statfs(f->path.mnt, f->inode ? f->inode->sb : NULL, f, ubuf);
	file_put(f);
	return err;
}

/* ---- memfd ---- */

#define MFD_CLOEXEC       1u
#define MFD_ALLOW_SEALING 2u
#define MFD_NAME_MAX      249

#include <fs/tmpfs.h>

long sys_memfd_create(const char *uname, unsigned flags)
{
	char name[MFD_NAME_MAX + 1];
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	long n = strncpy_from_user(name, uname, sizeof(name));
	if (n < 0)
		return n;
	if (n >= (long)sizeof(name))
		return -EINVAL;
	struct path root = vfs_root_path();
	struct inode *i = tmpfs_new_file(root.mnt->sb, 0777);
	path_put(&root);
	if (!i)
		return -ENOMEM;
	struct file *f = file_alloc(i->fops, NULL, O_RDWR);
	if (!f) {
		inode_put(i);
		return -ENOMEM;
	}
	f->inode = i;
	struct proc *p = current_proc();
	long fd = fd_install(p->files, f, 0, flags & MFD_CLOEXEC, proc_fd_limit(p));
	file_put(f);
	return fd;
}
