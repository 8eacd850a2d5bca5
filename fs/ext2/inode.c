/*
 * ext2 inodes: reading and writing the inode table, sizes, and the public
 * inode calls (getattr, setattr, read, write, truncate, evict) on top of
 * the block map in file.c.
 */
#include <fs/ext2/ext2_int.h>

/* Where inode ino lives: block of the inode table and byte offset in it. */
static int inode_location(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint32_t *off)
{
	uint32_t group, index;
	uint64_t byte;

	if (ino == 0 || ino > fs->sb.s_inodes_count)
		return -EIO;
	group = (ino - 1) / fs->sb.s_inodes_per_group;
	index = (ino - 1) % fs->sb.s_inodes_per_group;
	byte = (uint64_t)index * fs->inode_size;
	*blk = fs->gd[group].bg_inode_table + byte / fs->block_size;
	*off = byte % fs->block_size;
	return 0;
}

/* Read the block holding inode ino into a new block buffer (*bufp, freed
 * by the caller, also on error); *off is the inode's offset in it. */
static int inode_block(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint32_t *off,
		       uint8_t **bufp)
{
	int err = inode_location(fs, ino, blk, off);

	*bufp = NULL;
	if (err)
		return err;
	*bufp = ext2_blkbuf(fs);
	if (!*bufp)
		return -ENOMEM;
	return ext2_bread(fs, *blk, *bufp);
}

int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw)
{
	uint32_t blk, off;
	uint8_t *buf;
	int err = inode_block(fs, ino, &blk, &off, &buf);

	if (!err)
		memcpy(raw, buf + off, sizeof(*raw));
	kfree(buf);
	return err;
}

/* Writes the first 128 bytes; fresh also zeroes the rest of a large inode
 * and records the extra size Linux expects (the fixed ext4 fields). */
static int inode_write(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *raw, bool fresh)
{
	uint32_t blk, off;
	uint8_t *buf;
	int err = inode_block(fs, ino, &blk, &off, &buf);

	if (!err) {
		if (fresh)
			memset(buf + off, 0, fs->inode_size);
		memcpy(buf + off, raw, sizeof(*raw));
		err = ext2_bwrite(fs, blk, buf);
	}
	kfree(buf);
	return err;
}

int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *raw)
{
	return inode_write(fs, ino, raw, false);
}

int ext2_inew(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *raw)
{
	return inode_write(fs, ino, raw, true);
}

uint64_t ext2_isize(const struct ext2_inode *raw)
{
	uint64_t size = raw->i_size;

	if (EXT2_ISREG(raw->i_mode))
		size |= (uint64_t)raw->i_size_high << 32;
	return size;
}

/* Sizes from 2 GiB on need the large_file feature (set on first use). */
void ext2_set_isize(struct ext2_fs *fs, struct ext2_inode *raw, uint64_t size)
{
	raw->i_size = (uint32_t)size;
	if (!EXT2_ISREG(raw->i_mode))
		return;
	raw->i_size_high = size >> 32;
	if (size > 0x7fffffffu &&
	    !(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
		fs->sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		ext2_write_super(fs);
	}
}

static bool ino_valid(const struct ext2_fs *fs, uint32_t ino)
{
	return ino == EXT2_ROOT_INO || (ino >= fs->first_ino && ino <= fs->sb.s_inodes_count);
}

static uint32_t decode_rdev(const struct ext2_inode *raw)
{
	uint32_t old = raw->i_block[0], dev = raw->i_block[1];

	if (old)                          /* 8-bit major and minor */
		return ((old >> 8) & 0xff) << 8 | (old & 0xff);
	return dev;                       /* major 12 bits at 8, minor 8 + 12 */
}

int ext2_getattr(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *st)
{
	struct ext2_inode raw;
	uint32_t fmt;
	int err;

	if (!ino_valid(fs, ino))
		return -EIO;
	err = ext2_iget(fs, ino, &raw);
	if (err)
		return err;
	fmt = raw.i_mode & EXT2_S_IFMT;
	st->ino = ino;
	st->mode = raw.i_mode;
	st->nlink = raw.i_links_count;
	st->uid = raw.i_uid | (uint32_t)raw.i_uid_high << 16;
	st->gid = raw.i_gid | (uint32_t)raw.i_gid_high << 16;
	st->size = ext2_isize(&raw);
	st->blocks = raw.i_blocks;
	st->atime = raw.i_atime;
	st->mtime = raw.i_mtime;
	st->ctime = raw.i_ctime;
	st->rdev = (fmt == EXT2_S_IFCHR || fmt == EXT2_S_IFBLK) ? decode_rdev(&raw) : 0;
	st->blksize = fs->block_size;
	return 0;
}

/* An inode about to be changed: -EROFS on a read-only volume, -EIO for a
 * number outside the inode table. */
static int iget_to_change(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw)
{
	if (fs->rdonly)
		return -EROFS;
	if (!ino_valid(fs, ino))
		return -EIO;
	return ext2_iget(fs, ino, raw);
}

int ext2_setattr(struct ext2_fs *fs, uint32_t ino, const struct ext2_setattr *attr)
{
	struct ext2_inode raw;
	int err;

	err = iget_to_change(fs, ino, &raw);
	if (err)
		return err;
	if (attr->valid & EXT2_ATTR_SIZE) {
		if (EXT2_ISDIR(raw.i_mode))
			return -EISDIR;
		if (!EXT2_ISREG(raw.i_mode))
			return -EINVAL;
		err = ext2_itruncate(fs, ino, &raw, attr->size);
		raw.i_mtime = ext2_now(fs);
	}
	if (attr->valid & EXT2_ATTR_MODE)
		raw.i_mode = (raw.i_mode & EXT2_S_IFMT) | (attr->mode & 07777);
	if (attr->valid & EXT2_ATTR_UID) {
		raw.i_uid = attr->uid & 0xffff;
		raw.i_uid_high = attr->uid >> 16;
	}
	if (attr->valid & EXT2_ATTR_GID) {
		raw.i_gid = attr->gid & 0xffff;
		raw.i_gid_high = attr->gid >> 16;
	}
	if (attr->valid & EXT2_ATTR_ATIME)
		raw.i_atime = attr->atime;
	if (attr->valid & EXT2_ATTR_MTIME)
		raw.i_mtime = attr->mtime;
	raw.i_ctime = (attr->valid & EXT2_ATTR_CTIME) ? attr->ctime : ext2_now(fs);
	int werr = ext2_iput(fs, ino, &raw);
	return err ? err : werr;
}

int64_t ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len)
{
	struct ext2_inode raw;
	int err;

	if (!ino_valid(fs, ino))
		return -EIO;
	err = ext2_iget(fs, ino, &raw);
	if (err)
		return err;
	if (EXT2_ISDIR(raw.i_mode))
		return -EISDIR;
	if (!EXT2_ISREG(raw.i_mode))
		return -EINVAL;
	len = MIN(len, (size_t)0x7ffff000);
	return ext2_file_read(fs, &raw, off, buf, len);
}

int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
	struct ext2_inode raw;
	int n, err;

	err = iget_to_change(fs, ino, &raw);
	if (err)
		return err;
	if (EXT2_ISDIR(raw.i_mode))
		return -EISDIR;
	if (!EXT2_ISREG(raw.i_mode))
		return -EINVAL;
	if (len == 0)
		return 0;
	len = MIN(len, (size_t)0x7ffff000);
	n = ext2_file_write(fs, ino, &raw, off, buf, len);
	raw.i_mtime = raw.i_ctime = ext2_now(fs);
	err = ext2_iput(fs, ino, &raw);
	return n < 0 ? n : err ? err : n;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size)
{
	struct ext2_setattr attr = { .valid = EXT2_ATTR_SIZE, .size = size };

	return ext2_setattr(fs, ino, &attr);
}

/* Drops an extended-attribute block reference (header: magic, refcount). */
static int release_xattr_block(struct ext2_fs *fs, struct ext2_inode *raw)
{
	uint32_t *hdr = ext2_blkbuf(fs);
	int err;

	if (!hdr)
		return -ENOMEM;
	err = ext2_bread(fs, raw->i_file_acl, hdr);
	if (!err && hdr[0] == 0xEA020000 && hdr[1] > 1) {
		hdr[1]--;
		err = ext2_bwrite(fs, raw->i_file_acl, hdr);
	} else if (!err) {
		err = ext2_free_block(fs, raw->i_file_acl);
	}
	kfree(hdr);
	if (!err) {
		raw->i_blocks -= fs->block_size / 512;
		raw->i_file_acl = 0;
	}
	return err;
}

int ext2_evict(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode raw;
	int err;

	err = iget_to_change(fs, ino, &raw);
	if (err)
		return err;
	if (raw.i_links_count != 0)
		return -EBUSY;
	if (ext2_has_data_blocks(fs, &raw))
		err = ext2_free_data(fs, &raw, 0);
	if (!err && raw.i_file_acl)
		err = release_xattr_block(fs, &raw);
	if (err)
		return err;
	raw.i_dtime = ext2_now(fs);
	raw.i_size = 0;
	raw.i_size_high = 0;
	err = ext2_iput(fs, ino, &raw);
	return err ? err : ext2_free_inode(fs, ino, EXT2_ISDIR(raw.i_mode));
}
