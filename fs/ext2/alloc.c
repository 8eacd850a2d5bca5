/*
 * ext2 block and inode allocation over the on-disk bitmaps. Every change
 * updates, in this order, the bitmap block, the group descriptor and the
 * superblock free counts, so the three agree after each call.
 *
 * Policy: a block goes at or after a goal (the block after the file's
 * previous one, or the start of the inode's group), then to the first
 * group after it with room. A directory inode goes to the group with the
 * fewest directories among those with free inodes (spreading the tree), a
 * file inode to its directory's group or the next with room.
 */
#include <fs/ext2/ext2_int.h>

static bool test_bit(const uint8_t *map, uint32_t bit)
{
	return map[bit / 8] & (1u << (bit % 8));
}

static void set_bit(uint8_t *map, uint32_t bit, bool on)
{
	if (on)
		map[bit / 8] |= 1u << (bit % 8);
	else
		map[bit / 8] &= ~(1u << (bit % 8));
}

/* First clear bit in [from, limit), or limit. */
static uint32_t find_clear(const uint8_t *map, uint32_t from, uint32_t limit)
{
	for (uint32_t bit = from; bit < limit; bit++) {
		if (bit % 8 == 0 && map[bit / 8] == 0xff && bit + 8 <= limit) {
			bit += 7;
			continue;
		}
		if (!test_bit(map, bit))
			return bit;
	}
	return limit;
}

static uint32_t blocks_in_group(const struct ext2_fs *fs, uint32_t group)
{
	uint32_t first = fs->sb.s_first_data_block + group * fs->sb.s_blocks_per_group;

	return MIN(fs->sb.s_blocks_per_group, fs->sb.s_blocks_count - first);
}

/* Takes the first free bit at or after from in group's block bitmap. */
static int take_block_in_group(struct ext2_fs *fs, uint32_t group, uint32_t from,
			       uint8_t *map, uint32_t *blk)
{
	uint32_t limit = blocks_in_group(fs, group), bit;
	int err;

	if (fs->gd[group].bg_free_blocks_count == 0)
		return -ENOSPC;
	err = ext2_bread(fs, fs->gd[group].bg_block_bitmap, map);
	if (err)
		return err;
	bit = find_clear(map, from, limit);
	if (bit == limit && from > 0)
		bit = find_clear(map, 0, from);
	if (bit >= limit)
		return -ENOSPC;
	set_bit(map, bit, true);
	err = ext2_bwrite(fs, fs->gd[group].bg_block_bitmap, map);
	if (err)
		return err;
	fs->gd[group].bg_free_blocks_count--;
	fs->sb.s_free_blocks_count--;
	*blk = fs->sb.s_first_data_block + group * fs->sb.s_blocks_per_group + bit;
	err = ext2_write_group(fs, group);
	return err ? err : ext2_write_super(fs);
}

int ext2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
	uint32_t first = fs->sb.s_first_data_block, bpg = fs->sb.s_blocks_per_group;
	uint32_t group, from;
	uint8_t *map;
	int err = -ENOSPC;

	if (fs->sb.s_free_blocks_count == 0)
		return -ENOSPC;
	if (fs->sb.s_free_blocks_count <= fs->sb.s_r_blocks_count &&
	    fs->io.may_use_reserved && !fs->io.may_use_reserved(fs->io.ctx))
		return -ENOSPC;
	if (goal < first || goal >= fs->sb.s_blocks_count)
		goal = first;
	group = (goal - first) / bpg;
	from = (goal - first) % bpg;
	map = ext2_blkbuf(fs);
	if (!map)
		return -ENOMEM;
	for (uint32_t i = 0; i < fs->groups; i++, from = 0) {
		err = take_block_in_group(fs, (group + i) % fs->groups, from, map, blk);
		if (err != -ENOSPC)
			break;
	}
	kfree(map);
	return err;
}

int ext2_free_block(struct ext2_fs *fs, uint32_t blk)
{
	uint32_t first = fs->sb.s_first_data_block, group, bit;
	uint8_t *map;
	int err;

	if (blk < first || blk >= fs->sb.s_blocks_count)
		return -EIO;
	group = (blk - first) / fs->sb.s_blocks_per_group;
	bit = (blk - first) % fs->sb.s_blocks_per_group;
	map = ext2_blkbuf(fs);
	if (!map)
		return -ENOMEM;
	err = ext2_bread(fs, fs->gd[group].bg_block_bitmap, map);
	if (!err && !test_bit(map, bit))
		err = -EIO;                  /* double free: the volume is damaged */
	if (!err) {
		set_bit(map, bit, false);
		err = ext2_bwrite(fs, fs->gd[group].bg_block_bitmap, map);
	}
	kfree(map);
	if (err)
		return err;
	fs->gd[group].bg_free_blocks_count++;
	fs->sb.s_free_blocks_count++;
	err = ext2_write_group(fs, group);
	return err ? err : ext2_write_super(fs);
}

static uint32_t pick_dir_group(const struct ext2_fs *fs)
{
	uint32_t best = fs->groups;

	for (uint32_t g = 0; g < fs->groups; g++) {
		const struct ext2_group_desc *d = &fs->gd[g];

		if (d->bg_free_inodes_count == 0)
			continue;
		if (best == fs->groups ||
		    d->bg_used_dirs_count < fs->gd[best].bg_used_dirs_count ||
		    (d->bg_used_dirs_count == fs->gd[best].bg_used_dirs_count &&
		     d->bg_free_blocks_count > fs->gd[best].bg_free_blocks_count))
			best = g;
	}
	return best;
}

static uint32_t pick_file_group(const struct ext2_fs *fs, uint32_t dir)
{
	uint32_t start = (dir - 1) / fs->sb.s_inodes_per_group;

	for (uint32_t i = 0; i < fs->groups; i++) {
		uint32_t g = (start + i) % fs->groups;

		if (fs->gd[g].bg_free_inodes_count)
			return g;
	}
	return fs->groups;
}

static int take_inode_in_group(struct ext2_fs *fs, uint32_t group, bool is_dir, uint32_t *ino)
{
	uint32_t ipg = fs->sb.s_inodes_per_group, from = 0, bit;
	uint8_t *map = ext2_blkbuf(fs);
	int err;

	if (!map)
		return -ENOMEM;
	if (group == 0)
		from = fs->first_ino - 1;    /* the reserved inodes */
	err = ext2_bread(fs, fs->gd[group].bg_inode_bitmap, map);
	if (err)
		goto out;
	bit = find_clear(map, from, ipg);
	if (bit == ipg) {
		err = -EIO;                  /* the descriptor said there was room */
		goto out;
	}
	set_bit(map, bit, true);
	err = ext2_bwrite(fs, fs->gd[group].bg_inode_bitmap, map);
	if (err)
		goto out;
	fs->gd[group].bg_free_inodes_count--;
	if (is_dir)
		fs->gd[group].bg_used_dirs_count++;
	fs->sb.s_free_inodes_count--;
	*ino = group * ipg + bit + 1;
	err = ext2_write_group(fs, group);
	if (!err)
		err = ext2_write_super(fs);
out:
	kfree(map);
	return err;
}

int ext2_alloc_inode(struct ext2_fs *fs, uint32_t dir, bool is_dir, uint32_t *ino)
{
	uint32_t group;

	if (fs->sb.s_free_inodes_count == 0)
		return -ENOSPC;
	group = is_dir ? pick_dir_group(fs) : pick_file_group(fs, dir);
	if (group == fs->groups)
		return -ENOSPC;
	return take_inode_in_group(fs, group, is_dir, ino);
}

int ext2_free_inode(struct ext2_fs *fs, uint32_t ino, bool is_dir)
{
	uint32_t group = (ino - 1) / fs->sb.s_inodes_per_group;
	uint32_t bit = (ino - 1) % fs->sb.s_inodes_per_group;
	uint8_t *map = ext2_blkbuf(fs);
	int err;

	if (!map)
		return -ENOMEM;
	err = ext2_bread(fs, fs->gd[group].bg_inode_bitmap, map);
	if (!err && !test_bit(map, bit))
		err = -EIO;
	if (!err) {
		set_bit(map, bit, false);
		err = ext2_bwrite(fs, fs->gd[group].bg_inode_bitmap, map);
	}
	kfree(map);
	if (err)
		return err;
	fs->gd[group].bg_free_inodes_count++;
	if (is_dir)
		fs->gd[group].bg_used_dirs_count--;
	fs->sb.s_free_inodes_count++;
	err = ext2_write_group(fs, group);
	return err ? err : ext2_write_super(fs);
}
