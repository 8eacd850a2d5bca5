/*
 * ext2 mount, unmount, sync and statfs; the block I/O helpers every other
 * file uses. The superblock and group descriptors live in struct ext2_fs
 * and are written back whenever they change (ext2_write_super/_group).
 */
#include <fs/ext2/ext2_int.h>

int ext2_bread(struct ext2_fs *fs, uint32_t blk, void *buf)
{
	if (blk == 0 || blk >= fs->sb.s_blocks_count)
		return -EIO;
	return fs->io.read(fs->io.ctx, blk, fs->block_size, buf);
}

int ext2_bwrite(struct ext2_fs *fs, uint32_t blk, const void *buf)
{
	if (blk == 0 || blk >= fs->sb.s_blocks_count)
		return -EIO;
	fs->miss.valid = false;
	return fs->io.write(fs->io.ctx, blk, fs->block_size, buf);
}

void *ext2_blkbuf(struct ext2_fs *fs)
{
	return kmalloc(fs->block_size);
}

int ext2_bzero(struct ext2_fs *fs, uint32_t blk)
{
	void *buf = kzalloc(fs->block_size);
	int err;

	if (!buf)
		return -ENOMEM;
	err = ext2_bwrite(fs, blk, buf);
	kfree(buf);
	return err;
}

uint32_t ext2_now(struct ext2_fs *fs)
{
	return fs->io.now ? fs->io.now(fs->io.ctx) : 0;
}

/* The superblock is bytes 1024..2047 of the volume, whatever the block size. */
static int super_io(struct ext2_fs *fs, bool write)
{
	uint32_t bs = fs->block_size ? fs->block_size : EXT2_SUPER_SIZE;
	uint32_t blk = EXT2_SUPER_OFFSET / bs, off = EXT2_SUPER_OFFSET % bs;
	uint8_t *buf = kmalloc(bs);
	int err;

	if (!buf)
		return -ENOMEM;
	err = fs->io.read(fs->io.ctx, blk, bs, buf);
	if (!err && write) {
		memcpy(buf + off, &fs->sb, sizeof(fs->sb));
		fs->miss.valid = false;
		err = fs->io.write(fs->io.ctx, blk, bs, buf);
	} else if (!err) {
		memcpy(&fs->sb, buf + off, sizeof(fs->sb));
	}
	kfree(buf);
	return err;
}

int ext2_write_super(struct ext2_fs *fs)
{
	fs->sb.s_wtime = ext2_now(fs);
	return super_io(fs, true);
}

static uint32_t gdt_start(const struct ext2_fs *fs)
{
	return fs->sb.s_first_data_block + 1;
}

/* Rewrites the descriptor block that holds group's descriptor. */
int ext2_write_group(struct ext2_fs *fs, uint32_t group)
{
	uint32_t per_block = fs->block_size / sizeof(struct ext2_group_desc);
	uint32_t first = group - group % per_block;
	uint32_t n = MIN(per_block, fs->groups - first);
	uint8_t *buf = kzalloc(fs->block_size);
	int err;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, &fs->gd[first], n * sizeof(struct ext2_group_desc));
	err = ext2_bwrite(fs, gdt_start(fs) + group / per_block, buf);
	kfree(buf);
	return err;
}

/* Each group's bitmaps and inode table lie inside the group (no flex_bg). */
static int check_groups(const struct ext2_fs *fs)
{
	const struct ext2_super_block *sb = &fs->sb;
	uint32_t itable = ((uint64_t)sb->s_inodes_per_group * fs->inode_size + fs->block_size - 1) /
			  fs->block_size;

	for (uint32_t g = 0; g < fs->groups; g++) {
		const struct ext2_group_desc *d = &fs->gd[g];
		uint64_t first = sb->s_first_data_block + (uint64_t)g * sb->s_blocks_per_group;
		uint64_t end = MIN(first + sb->s_blocks_per_group, (uint64_t)sb->s_blocks_count);

		if (d->bg_block_bitmap < first || d->bg_block_bitmap >= end ||
		    d->bg_inode_bitmap < first || d->bg_inode_bitmap >= end ||
		    d->bg_inode_table < first || (uint64_t)d->bg_inode_table + itable > end)
			return -EINVAL;
	}
	return 0;
}

static int read_groups(struct ext2_fs *fs)
{
	uint32_t per_block = fs->block_size / sizeof(struct ext2_group_desc);
	uint8_t *buf;
	int err = 0;

	fs->gdt_blocks = (fs->groups + per_block - 1) / per_block;
	fs->gd = kmalloc((size_t)fs->gdt_blocks * fs->block_size);
	if (!fs->gd)
		return -ENOMEM;
	buf = (uint8_t *)fs->gd;
	for (uint32_t i = 0; i < fs->gdt_blocks && !err; i++)
		err = ext2_bread(fs, gdt_start(fs) + i, buf + (size_t)i * fs->block_size);
	return err ? err : check_groups(fs);
}

/* Geometry and features; -EINVAL for anything we cannot handle. */
static int check_super(struct ext2_fs *fs, unsigned flags)
{
	struct ext2_super_block *sb = &fs->sb;

	if (sb->s_magic != EXT2_SUPER_MAGIC || sb->s_rev_level > EXT2_DYNAMIC_REV)
		return -EINVAL;
	if (sb->s_log_block_size > EXT2_MAX_BLOCK_LOG - EXT2_MIN_BLOCK_LOG)
		return -EINVAL;
	fs->block_size = 1024u << sb->s_log_block_size;
	fs->ptrs_per_block = fs->block_size / 4;
	if (sb->s_rev_level == EXT2_GOOD_OLD_REV) {
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		if (sb->s_feature_incompat & ~EXT2_SUPPORTED_INCOMPAT)
			return -EINVAL;
		fs->inode_size = sb->s_inode_size;
		fs->first_ino = sb->s_first_ino;
		if (fs->first_ino < EXT2_GOOD_OLD_FIRST_INO || fs->first_ino > sb->s_inodes_count)
			return -EINVAL;
		fs->filetype = sb->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
		if (sb->s_feature_ro_compat & ~EXT2_SUPPORTED_RO_COMPAT)
			fs->rdonly = true;
	}
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->block_size ||
	    (fs->inode_size & (fs->inode_size - 1)))
		return -EINVAL;
	if (sb->s_blocks_per_group == 0 || sb->s_blocks_per_group > fs->block_size * 8 ||
	    sb->s_inodes_per_group == 0 || sb->s_inodes_per_group > fs->block_size * 8 ||
	    sb->s_first_data_block >= sb->s_blocks_count ||
	    sb->s_first_data_block != (fs->block_size == 1024 ? 1u : 0u))
		return -EINVAL;
	fs->groups = (sb->s_blocks_count - sb->s_first_data_block + sb->s_blocks_per_group - 1) /
		     sb->s_blocks_per_group;
	if ((uint64_t)fs->groups * sb->s_inodes_per_group != sb->s_inodes_count)
		return -EINVAL;
	if (flags & EXT2_MOUNT_RDONLY)
		fs->rdonly = true;
	return 0;
}

int ext2_mount(const struct ext2_io *io, unsigned flags, struct ext2_fs **out)
{
	struct ext2_fs *fs = kzalloc(sizeof(*fs));
	int err;

	if (!fs)
		return -ENOMEM;
	fs->io = *io;
	err = super_io(fs, false);
	if (!err)
		err = check_super(fs, flags);
	if (!err)
		err = read_groups(fs);
	if (err)
		goto out_free;
	if (!fs->rdonly) {
		fs->mount_state = fs->sb.s_state;
		fs->sb.s_state &= ~EXT2_VALID_FS;
		fs->sb.s_mnt_count++;
		fs->sb.s_mtime = ext2_now(fs);
		err = ext2_write_super(fs);
		if (!err)
			err = fs->io.flush(fs->io.ctx);
		if (err)
			goto out_free;
	}
	*out = fs;
	return 0;

out_free:
	kfree(fs->gd);
	kfree(fs);
	return err;
}

int ext2_sync(struct ext2_fs *fs)
{
	return fs->io.flush(fs->io.ctx);
}

int ext2_unmount(struct ext2_fs *fs)
{
	int err = 0;

	if (!fs->rdonly) {
		fs->sb.s_state = fs->mount_state;   /* clean only if it was */
		err = ext2_write_super(fs);
	}
	if (!err)
		err = fs->io.flush(fs->io.ctx);
	kfree(fs->gd);
	kfree(fs);
	return err;
}

bool ext2_is_rdonly(const struct ext2_fs *fs)
{
	return fs->rdonly;
}

uint32_t ext2_block_size(const struct ext2_fs *fs)
{
	return fs->block_size;
}

static bool is_power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

/* Groups 0, 1 and powers of 3, 5 and 7 hold superblock backups (sparse_super). */
static bool group_has_super(const struct ext2_fs *fs, uint32_t group)
{
	if (!(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER) || group <= 1)
		return true;
	return is_power_of(group, 3) || is_power_of(group, 5) || is_power_of(group, 7);
}

/* Blocks taken by metadata: superblock copies, descriptors, bitmaps, inode tables. */
static uint64_t overhead_blocks(const struct ext2_fs *fs)
{
	uint64_t itable = ((uint64_t)fs->sb.s_inodes_per_group * fs->inode_size +
			   fs->block_size - 1) / fs->block_size;
	uint64_t total = fs->sb.s_first_data_block;

	for (uint32_t g = 0; g < fs->groups; g++) {
		if (group_has_super(fs, g))
			total += 1 + fs->gdt_blocks + fs->sb.s_reserved_gdt_blocks;
		total += 2 + itable;
	}
	return total;
}

/* Linux's default ("bsddf") figures: the metadata overhead is not counted. */
void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st)
{
	const struct ext2_super_block *sb = &fs->sb;
	uint64_t free = sb->s_free_blocks_count;

	st->block_size = fs->block_size;
	st->blocks = sb->s_blocks_count - overhead_blocks(fs);
	st->free_blocks = free;
	st->avail_blocks = free > sb->s_r_blocks_count ? free - sb->s_r_blocks_count : 0;
	st->files = sb->s_inodes_count;
	st->free_files = sb->s_free_inodes_count;
	st->name_max = EXT2_NAME_LEN;
}
