/*
 * ext2 name operations: create, mkdir, symlink, link, unlink, rmdir,
 * rename. Each checks what Linux checks at the file-system level (the VFS
 * still does permissions and path walking), then changes directory
 * entries and link counts. An inode whose last link goes is freed at once
 * unless io->inode_busy says it is open; then the VFS calls ext2_evict.
 */
#include <fs/ext2/ext2_int.h>

/* The name must be new; room says where its record will go. */
static int check_new_name(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
			  struct ext2_dir_slot *room)
{
	if (fs->rdonly)
		return -EROFS;
	return ext2_dir_prepare(fs, dir, name, len, room);
}

static void set_owner(struct ext2_inode *raw, uint32_t uid, uint32_t gid)
{
	raw->i_uid = uid & 0xffff;
	raw->i_uid_high = uid >> 16;
	raw->i_gid = gid & 0xffff;
	raw->i_gid_high = gid >> 16;
}

/* Allocates an inode and fills raw in memory (the caller writes it). */
static int new_inode(struct ext2_fs *fs, uint32_t dir, uint32_t mode, uint32_t uid, uint32_t gid,
		     uint32_t *ino, struct ext2_inode *raw)
{
	int err = ext2_alloc_inode(fs, dir, EXT2_ISDIR(mode), ino);

	if (err)
		return err;
	memset(raw, 0, sizeof(*raw));
	raw->i_mode = mode;
	set_owner(raw, uid, gid);
	raw->i_atime = raw->i_ctime = raw->i_mtime = ext2_now(fs);
	raw->i_links_count = EXT2_ISDIR(mode) ? 2 : 1;
	return 0;
}

/* Undoes new_inode after a later step failed. */
static void drop_new_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw)
{
	raw->i_links_count = 0;
	if (ext2_inew(fs, ino, raw) == 0)
		ext2_evict(fs, ino);
}

static int adjust_links(struct ext2_fs *fs, uint32_t ino, int delta)
{
	struct ext2_inode raw;
	int err = ext2_iget(fs, ino, &raw);

	if (err)
		return err;
	raw.i_links_count += delta;
	raw.i_ctime = ext2_now(fs);
	return ext2_iput(fs, ino, &raw);
}

/* Called when ino's last link went: free it now unless it is open. */
static int release_inode(struct ext2_fs *fs, uint32_t ino)
{
	if (fs->io.inode_busy && fs->io.inode_busy(fs->io.ctx, ino))
		return 0;
	return ext2_evict(fs, ino);
}

/* Linux's encodings: 8-bit major and minor in i_block[0], else i_block[1]. */
static void encode_rdev(struct ext2_inode *raw, uint32_t rdev)
{
	uint32_t major = (rdev >> 8) & 0xfff, minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);

	if (major < 256 && minor < 256)
		raw->i_block[0] = major << 8 | minor;
	else
		raw->i_block[1] = (minor & 0xff) | major << 8 | (minor & ~0xffu) << 12;
}

/* The new inode's name goes into dir last; on failure the inode goes. */
static int link_new(struct ext2_fs *fs, uint32_t dir, const struct ext2_dir_slot *room,
		    const char *name, size_t len, uint32_t ino, struct ext2_inode *raw)
{
	int err = ext2_dir_commit(fs, dir, room, name, len, ino, raw->i_mode);

	if (err)
		drop_new_inode(fs, ino, raw);
	return err;
}

int ext2_mknod(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	       uint32_t mode, uint32_t uid, uint32_t gid, uint32_t rdev, uint32_t *ino)
{
	uint32_t fmt = mode & EXT2_S_IFMT;
	struct ext2_dir_slot room;
	struct ext2_inode raw;
	int err;

	if (fmt == 0)
		mode |= fmt = EXT2_S_IFREG;
	if (fmt != EXT2_S_IFREG && fmt != EXT2_S_IFCHR && fmt != EXT2_S_IFBLK &&
	    fmt != EXT2_S_IFIFO && fmt != EXT2_S_IFSOCK)
		return -EINVAL;
	err = check_new_name(fs, dir, name, len, &room);
	if (!err)
		err = new_inode(fs, dir, mode & (EXT2_S_IFMT | 07777), uid, gid, ino, &raw);
	if (err)
		return err;
	if (fmt == EXT2_S_IFCHR || fmt == EXT2_S_IFBLK)
		encode_rdev(&raw, rdev);
	err = ext2_inew(fs, *ino, &raw);
	return err ? err : link_new(fs, dir, &room, name, len, *ino, &raw);
}

int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	       uint32_t mode, uint32_t uid, uint32_t gid, uint32_t *ino)
{
	struct ext2_inode raw, parent;
	struct ext2_dir_slot room;
	int err = check_new_name(fs, dir, name, len, &room);

	if (!err)
		err = ext2_iget(fs, dir, &parent);
	if (err)
		return err;
	if (parent.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	err = new_inode(fs, dir, EXT2_S_IFDIR | (mode & 07777), uid, gid, ino, &raw);
	if (err)
		return err;
	err = ext2_dir_init(fs, *ino, &raw, dir);
	if (!err)
		err = ext2_inew(fs, *ino, &raw);
	if (!err)
		err = link_new(fs, dir, &room, name, len, *ino, &raw);
	else
		drop_new_inode(fs, *ino, &raw);
	return err ? err : adjust_links(fs, dir, +1);
}

int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 const char *target, uint32_t uid, uint32_t gid, uint32_t *ino)
{
	size_t tlen = strlen(target);
	struct ext2_dir_slot room;
	struct ext2_inode raw;
	int err;

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= fs->block_size)
		return -ENAMETOOLONG;
	err = check_new_name(fs, dir, name, len, &room);
	if (!err)
		err = new_inode(fs, dir, EXT2_S_IFLNK | 0777, uid, gid, ino, &raw);
	if (err)
		return err;
	if (tlen < sizeof(raw.i_block)) {
		memcpy(raw.i_block, target, tlen);
		raw.i_size = tlen;
	} else {
		int n = ext2_file_write(fs, *ino, &raw, 0, target, tlen);

		err = n < 0 ? n : 0;
	}
	if (!err)
		err = ext2_inew(fs, *ino, &raw);
	if (!err)
		return link_new(fs, dir, &room, name, len, *ino, &raw);
	drop_new_inode(fs, *ino, &raw);
	return err;
}

int64_t ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t size)
{
	struct ext2_inode raw;
	int err = ext2_iget(fs, ino, &raw);
	size_t len;

	if (err)
		return err;
	if (!EXT2_ISLNK(raw.i_mode))
		return -EINVAL;
	len = MIN((size_t)raw.i_size, size);
	if (!ext2_has_data_blocks(fs, &raw)) {
		if (raw.i_size >= sizeof(raw.i_block))
			return -EIO;
		memcpy(buf, raw.i_block, len);
		return len;
	}
	return ext2_file_read(fs, &raw, 0, buf, len);
}

int ext2_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir, const char *name, size_t len)
{
	struct ext2_dir_slot room;
	struct ext2_inode raw;
	int err = check_new_name(fs, dir, name, len, &room);

	if (!err)
		err = ext2_iget(fs, ino, &raw);
	if (err)
		return err;
	if (EXT2_ISDIR(raw.i_mode))
		return -EPERM;
	if (raw.i_links_count == 0)
		return -ENOENT;                /* unlinked while open, as Linux's linkat */
	if (raw.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_dir_commit(fs, dir, &room, name, len, ino, raw.i_mode);
	return err ? err : adjust_links(fs, ino, +1);
}

/* Drops one link of ino (all of a directory's); frees it at zero. */
static int drop_link(struct ext2_fs *fs, uint32_t ino, bool whole_dir)
{
	struct ext2_inode raw;
	int err = ext2_iget(fs, ino, &raw);

	if (err)
		return err;
	raw.i_links_count = whole_dir ? 0 : raw.i_links_count - 1;
	raw.i_ctime = ext2_now(fs);
	err = ext2_iput(fs, ino, &raw);
	if (!err && raw.i_links_count == 0)
		err = release_inode(fs, ino);
	return err;
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_dir_slot at;
	struct ext2_inode raw;
	uint32_t ino;
	int err;

	if (fs->rdonly)
		return -EROFS;
	err = ext2_dir_locate(fs, dir, name, len, &at, &ino);
	if (!err)
		err = ext2_iget(fs, ino, &raw);
	if (err)
		return err;
	if (EXT2_ISDIR(raw.i_mode))
		return -EISDIR;
	err = ext2_dir_remove_at(fs, dir, &at);
	return err ? err : drop_link(fs, ino, false);
}

static bool is_dot(const char *name, size_t len)
{
	return len == 1 && name[0] == '.';
}

static bool is_dotdot(const char *name, size_t len)
{
	return len == 2 && name[0] == '.' && name[1] == '.';
}

/* An existing directory that may go: -ENOTDIR, -ENOTEMPTY. */
static int check_removable_dir(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *raw)
{
	int empty;

	if (!EXT2_ISDIR(raw->i_mode))
		return -ENOTDIR;
	empty = ext2_dir_is_empty(fs, ino);
	if (empty < 0)
		return empty;
	return empty ? 0 : -ENOTEMPTY;
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_dir_slot at;
	struct ext2_inode raw;
	uint32_t ino;
	int err;

	if (fs->rdonly)
		return -EROFS;
	if (is_dot(name, len))
		return -EINVAL;
	if (is_dotdot(name, len))
		return -ENOTEMPTY;
	err = ext2_dir_locate(fs, dir, name, len, &at, &ino);
	if (!err)
		err = ext2_iget(fs, ino, &raw);
	if (!err)
		err = check_removable_dir(fs, ino, &raw);
	if (!err)
		err = ext2_dir_remove_at(fs, dir, &at);
	if (!err)
		err = adjust_links(fs, dir, -1);
	return err ? err : drop_link(fs, ino, true);
}

/* -EINVAL when dir is ino or below it (walking ".." up to the root). */
static int check_not_below(struct ext2_fs *fs, uint32_t dir, uint32_t ino)
{
	for (int depth = 0; depth < 65536; depth++) {
		int err;

		if (dir == ino)
			return -EINVAL;
		if (dir == EXT2_ROOT_INO)
			return 0;
		err = ext2_lookup(fs, dir, "..", 2, &dir);
		if (err)
			return err;
	}
	return -ELOOP;
}

struct rename_target {
	uint32_t ino;                     /* 0: the new name does not exist */
	struct ext2_inode raw;
};

/* What rename(2) refuses, given both inodes. */
static int check_rename(struct ext2_fs *fs, uint32_t olddir, uint32_t ino,
			const struct ext2_inode *raw, uint32_t newdir, struct rename_target *tgt)
{
	bool isdir = EXT2_ISDIR(raw->i_mode);
	struct ext2_inode parent;
	int err;

	if (tgt->ino) {
		if (isdir && !EXT2_ISDIR(tgt->raw.i_mode))
			return -ENOTDIR;
		if (!isdir && EXT2_ISDIR(tgt->raw.i_mode))
			return -EISDIR;
		if (isdir && (err = check_removable_dir(fs, tgt->ino, &tgt->raw)))
			return err;
	}
	if (!isdir || olddir == newdir)
		return 0;
	err = check_not_below(fs, newdir, ino);
	if (!err && !tgt->ino && !(err = ext2_iget(fs, newdir, &parent)) &&
	    parent.i_links_count >= EXT2_LINK_MAX)
		err = -EMLINK;
	return err;
}

static int find_target(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		       struct rename_target *tgt)
{
	int err;

	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	tgt->ino = 0;
	err = ext2_lookup(fs, dir, name, len, &tgt->ino);
	if (err == -ENOENT)
		return 0;
	return err ? err : ext2_iget(fs, tgt->ino, &tgt->raw);
}

/* The moved directory's ".." and both parents' link counts. */
static int reparent_dir(struct ext2_fs *fs, uint32_t ino, uint32_t olddir, uint32_t newdir)
{
	int err = ext2_dir_set(fs, ino, "..", 2, newdir, EXT2_S_IFDIR);

	if (!err)
		err = adjust_links(fs, olddir, -1);
	return err ? err : adjust_links(fs, newdir, +1);
}

int ext2_rename(struct ext2_fs *fs, uint32_t olddir, const char *oldname, size_t oldlen,
		uint32_t newdir, const char *newname, size_t newlen)
{
	struct rename_target tgt;
	struct ext2_inode raw;
	uint32_t ino;
	bool isdir;
	int err;

	if (fs->rdonly)
		return -EROFS;
	if (is_dot(oldname, oldlen) || is_dotdot(oldname, oldlen) ||
	    is_dot(newname, newlen) || is_dotdot(newname, newlen))
		return -EBUSY;
	err = ext2_lookup(fs, olddir, oldname, oldlen, &ino);
	if (!err)
		err = ext2_iget(fs, ino, &raw);
	if (!err)
		err = find_target(fs, newdir, newname, newlen, &tgt);
	if (err)
		return err;
	if (tgt.ino == ino)
		return 0;                     /* two links to one inode: nothing to do */
	err = check_rename(fs, olddir, ino, &raw, newdir, &tgt);
	if (err)
		return err;
	isdir = EXT2_ISDIR(raw.i_mode);
	if (tgt.ino)
		err = ext2_dir_set(fs, newdir, newname, newlen, ino, raw.i_mode);
	else
		err = ext2_dir_add(fs, newdir, newname, newlen, ino, raw.i_mode);
	if (!err)
		err = ext2_dir_remove(fs, olddir, oldname, oldlen);
	if (!err && isdir && olddir != newdir)
		err = reparent_dir(fs, ino, olddir, newdir);
	if (!err)
		err = adjust_links(fs, ino, 0);        /* ctime */
	if (!err && tgt.ino && EXT2_ISDIR(tgt.raw.i_mode))
		err = adjust_links(fs, newdir, -1);
	if (!err && tgt.ino)
		err = drop_link(fs, tgt.ino, EXT2_ISDIR(tgt.raw.i_mode));
	return err;
}
