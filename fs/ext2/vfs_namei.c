/*
 * ext2 under the VFS: directory operations. Each runs one library call
 * under e2->lock, then re-reads the attributes the call changed into the
 * live inodes (ext2v_refresh) and updates the dentry tree after dropping
 * e2->lock (a dropped dentry may take the last inode reference).
 */
#include <fs/ext2/ext2_int.h>
#include <fs/ext2/vfs_int.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

static int ext2v_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct ext2_vfs *e2 = E2(dir->sb);
	uint32_t ino;

	mutex_lock(&e2->lock);
	int err = ext2_lookup(e2->fs, INO(dir), name, strlen(name), &ino);
	if (!err)
		err = ext2v_iget(dir->sb, ino, out);
	mutex_unlock(&e2->lock);
	return err;
}

/* The owner of a new inode: the caller's fsuid, and the directory's group
 * when it is set-group-ID (directories inherit the bit), else fsgid. */
static void new_owner(struct inode *dir, uint32_t *mode, uint32_t *uid, uint32_t *gid)
{
	const struct cred *c = current_cred();
	*uid = c->fsuid;
	*gid = c->fsgid;
	if (dir->mode & S_ISGID) {
		*gid = dir->gid;
		if (S_ISDIR(*mode))
			*mode |= S_ISGID;
	}
}

enum new_kind { NEW_NODE, NEW_DIR, NEW_LINK };

struct new_args {
	enum new_kind kind;
	uint32_t mode, rdev;
	const char *target;
};

/* Make a new inode named d in dir and attach it. dir->lock held. */
static int make_new(struct inode *dir, struct dentry *d, struct new_args *a)
{
	struct ext2_vfs *e2 = E2(dir->sb);
	uint32_t uid, gid, ino;
	struct inode *i = NULL;
	size_t len = strlen(d->name);
	int err;

	if (e2->rdonly)
		return -EROFS;
	new_owner(dir, &a->mode, &uid, &gid);
	mutex_lock(&e2->lock);
	if (a->kind == NEW_DIR)
		err = ext2_mkdir(e2->fs, INO(dir), d->name, len, a->mode, uid, gid, &ino);
	else if (a->kind == NEW_LINK)
		err = ext2_symlink(e2->fs, INO(dir), d->name, len, a->target, uid, gid, &ino);
	else
		err = ext2_mknod(e2->fs, INO(dir), d->name, len, a->mode, uid, gid, a->rdev, &ino);
	if (!err)
		err = ext2v_iget(dir->sb, ino, &i);
	if (!err)
		err = ext2v_refresh(dir);
	mutex_unlock(&e2->lock);
	if (i) {
		d_instantiate(d, i);
		d_add(d);
	}
	return err;
}

static int ext2v_create(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev)
{
	struct new_args a = { NEW_NODE, mode, rdev, NULL };
	return make_new(dir, d, &a);
}

static int ext2v_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	struct new_args a = { NEW_DIR, S_IFDIR | (mode & 07777), 0, NULL };
	return make_new(dir, d, &a);
}

static int ext2v_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	struct new_args a = { NEW_LINK, S_IFLNK | 0777, 0, target };
	return make_new(dir, d, &a);
}

static int ext2v_link(struct inode *target, struct inode *dir, struct dentry *d)
{
	struct ext2_vfs *e2 = E2(dir->sb);
	if (e2->rdonly)
		return -EROFS;
	mutex_lock(&target->lock);
	mutex_lock(&e2->lock);
	int err = ext2_link(e2->fs, INO(target), INO(dir), d->name, strlen(d->name));
	if (!err) {
		ext2v_refresh(target);
		ext2v_refresh(dir);
	}
	mutex_unlock(&e2->lock);
	mutex_unlock(&target->lock);
	if (!err) {
		inode_get(target);
		d_instantiate(d, target);
		d_add(d);
	}
	return err;
}

/* unlink and rmdir: the victim stays allocated while it is live (the
 * dentry holds it); ext2v_evict frees it with the last reference. */
static int remove_entry(struct inode *dir, struct dentry *d, bool is_dir)
{
	struct ext2_vfs *e2 = E2(dir->sb);
	struct inode *victim = d->inode;
	size_t len = strlen(d->name);

	if (e2->rdonly)
		return -EROFS;
	mutex_lock(&e2->lock);
	int err = is_dir ? ext2_rmdir(e2->fs, INO(dir), d->name, len)
			 : ext2_unlink(e2->fs, INO(dir), d->name, len);
	if (!err) {
		ext2v_refresh(dir);
		ext2v_refresh(victim);
	}
	mutex_unlock(&e2->lock);
	if (!err)
		d_drop(d);
	return err;
}

static int ext2v_unlink(struct inode *dir, struct dentry *d)
{
	return remove_entry(dir, d, false);
}

static int ext2v_rmdir(struct inode *dir, struct dentry *d)
{
	return remove_entry(dir, d, true);
}

/* ext2 (like Linux's) knows no RENAME_EXCHANGE: EINVAL, as Linux says. */
static int ext2v_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
			struct dentry *nd, unsigned flags)
{
	struct ext2_vfs *e2 = E2(odir->sb);
	struct inode *moved = od->inode, *replaced = nd->inode;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	if (e2->rdonly)
		return -EROFS;
	mutex_lock(&e2->lock);
	int err = ext2_rename(e2->fs, INO(odir), od->name, strlen(od->name), INO(ndir),
			      nd->name, strlen(nd->name));
	if (!err) {
		ext2v_refresh(odir);
		ext2v_refresh(ndir);
		ext2v_refresh(moved);
		if (replaced)
			ext2v_refresh(replaced);
	}
	mutex_unlock(&e2->lock);
	if (err)
		return err;
	if (replaced)
		d_drop(nd);
	d_move(od, nd->parent, nd->name);
	return 0;
}

static bool ext2v_empty(struct inode *dir, struct dentry *d)
{
	(void)d;
	struct ext2_vfs *e2 = E2(dir->sb);
	mutex_lock(&e2->lock);
	int r = ext2_dir_is_empty(e2->fs, INO(dir));
	mutex_unlock(&e2->lock);
	return r == 1;          /* an unreadable directory is not removed */
}

static long ext2v_readlink(struct inode *i, char *buf, size_t size)
{
	struct ext2_vfs *e2 = E2(i->sb);
	mutex_lock(&e2->lock);
	int64_t n = ext2_readlink(e2->fs, INO(i), buf, size);
	mutex_unlock(&e2->lock);
	return (long)n;
}

/* ---- getdents ---- */

struct dirent64_hdr {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __packed;

struct getdents_ctx {
	char *kbuf;             /* records gather here, copied out unlocked */
	size_t len, done;
	int err;
};

static int emit_dirent(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
		       uint64_t next)
{
	struct getdents_ctx *c = arg;
	char rec[sizeof(struct dirent64_hdr) + NAME_MAX + 1 + 8];
	size_t reclen = ALIGN_UP(sizeof(struct dirent64_hdr) + len + 1, 8);

	if (c->done + reclen > c->len) {
		if (!c->done)
			c->err = -EINVAL;
		return 1;
	}
	memset(rec, 0, reclen);
	struct dirent64_hdr h = { ino, (int64_t)next, (uint16_t)reclen, (uint8_t)type };
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), name, len);
	memcpy(c->kbuf + c->done, rec, reclen);
	c->done += reclen;
	return 0;
}

/* The records are gathered in a kernel buffer under e2->lock and copied
 * out after it: the user buffer may be a mapping of a file of this very
 * volume, whose fault would take e2->lock again. */
#define GETDENTS_MAX 65536
static long ext2v_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct ext2_vfs *e2 = E2(f->inode->sb);
	size_t cap = MIN(len, (size_t)GETDENTS_MAX);
	struct getdents_ctx c = { kmalloc(cap ? cap : 1), cap, 0, 0 };
	uint64_t start = *pos;

	if (!c.kbuf)
		return -ENOMEM;
	mutex_lock(&e2->lock);
	int err = ext2_readdir(e2->fs, INO(f->inode), pos, emit_dirent, &c);
	mutex_unlock(&e2->lock);
	long r = c.done ? (long)c.done : c.err ? c.err : err;
	if (c.done && copy_to_user(ubuf, c.kbuf, c.done)) {
		*pos = start;           /* nothing was returned */
		r = -EFAULT;
	}
	kfree(c.kbuf);
	return r;
}

static long ext2v_dir_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)len, (void)pos;
	return -EISDIR;
}

static long ext2v_dir_size(struct file *f)
{
	return (long)READ_ONCE(f->inode->size);
}

const struct inode_ops ext2v_dir_ops = {
	.lookup = ext2v_lookup,
	.create = ext2v_create,
	.mkdir = ext2v_mkdir,
	.symlink = ext2v_symlink,
	.link = ext2v_link,
	.unlink = ext2v_unlink,
	.rmdir = ext2v_rmdir,
	.rename = ext2v_rename,
	.empty = ext2v_empty,
};
const struct inode_ops ext2v_link_ops = { .readlink = ext2v_readlink };
const struct inode_ops ext2v_special_ops = { 0 };
const struct file_ops ext2v_dir_fops = {
	.read = ext2v_dir_read,
	.getdents = ext2v_getdents,
	.size = ext2v_dir_size,
};
