/*
 * ext2 file data: the block map (12 direct pointers, then single, double
 * and triple indirect blocks), reads that see holes as zeros, writes that
 * allocate, and truncation that frees data and emptied indirect blocks.
 * i_blocks counts 512-byte units of data and indirect blocks alike.
 * Functions here change the in-memory inode; their callers write it back.
 */
#include <fs/ext2/ext2_int.h>

/* Largest file the block map addresses (and i_blocks can count). */
uint64_t ext2_max_file_size(const struct ext2_fs *fs)
{
	uint64_t p = fs->ptrs_per_block;
	uint64_t blocks = EXT2_NDIR_BLOCKS + p + p * p + p * p * p;
	uint64_t bytes = blocks * fs->block_size;
	uint64_t iblocks_limit = ((1ull << 32) - 1) * 512 - (p + p * p + 1) * fs->block_size;
	uint64_t limit = MIN(bytes, iblocks_limit);

	if (fs->sb.s_rev_level == EXT2_GOOD_OLD_REV)
		limit = MIN(limit, 0x7fffffffull);
	return limit;
}

/* Fast symlinks and device nodes keep other things in i_block. */
bool ext2_has_data_blocks(struct ext2_fs *fs, const struct ext2_inode *raw)
{
	uint32_t fmt = raw->i_mode & EXT2_S_IFMT;
	uint32_t ea = raw->i_file_acl ? fs->block_size / 512 : 0;

	if (fmt == EXT2_S_IFLNK)
		return raw->i_blocks != ea;
	return fmt == EXT2_S_IFREG || fmt == EXT2_S_IFDIR;
}

/*
 * The path through the block map to file block lblk: the i_block slot
 * (index[0]) and the entry to follow in each indirect level. Returns the
 * number of indirect levels (0..3) or -EFBIG.
 */
static int map_path(const struct ext2_fs *fs, uint64_t lblk, uint32_t index[4])
{
	uint64_t p = fs->ptrs_per_block;

	if (lblk < EXT2_NDIR_BLOCKS) {
		index[0] = lblk;
		return 0;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < p) {
		index[0] = EXT2_IND_BLOCK;
		index[1] = lblk;
		return 1;
	}
	lblk -= p;
	if (lblk < p * p) {
		index[0] = EXT2_DIND_BLOCK;
		index[1] = lblk / p;
		index[2] = lblk % p;
		return 2;
	}
	lblk -= p * p;
	if (lblk < p * p * p) {
		index[0] = EXT2_TIND_BLOCK;
		index[1] = lblk / (p * p);
		index[2] = (lblk / p) % p;
		index[3] = lblk % p;
		return 3;
	}
	return -EFBIG;
}

static uint32_t inode_goal(const struct ext2_fs *fs, uint32_t ino)
{
	uint32_t group = (ino - 1) / fs->sb.s_inodes_per_group;

	return fs->sb.s_first_data_block + group * fs->sb.s_blocks_per_group;
}

/* Allocates a block for a map slot, near its left neighbour or parent. */
static int alloc_for_slot(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw,
			  const uint32_t *slots, uint32_t index, uint32_t parent, uint32_t *blk)
{
	uint32_t goal = inode_goal(fs, ino);
	int err;

	if (index > 0 && slots[index - 1])
		goal = slots[index - 1] + 1;
	else if (parent)
		goal = parent + 1;
	if (raw->i_blocks + fs->block_size / 512 < raw->i_blocks)
		return -EFBIG;
	err = ext2_alloc_block(fs, goal, blk);
	if (!err)
		raw->i_blocks += fs->block_size / 512;
	return err;
}

/* Allocates a zeroed indirect block for slots[index] (written by the caller). */
static int new_indirect(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw,
			uint32_t *slots, uint32_t index, uint32_t parent)
{
	uint32_t blk;
	int err = alloc_for_slot(fs, ino, raw, slots, index, parent, &blk);

	if (!err)
		err = ext2_bzero(fs, blk);
	if (!err)
		slots[index] = blk;
	return err;
}

/*
 * Maps lblk. With create, missing indirect blocks are allocated zeroed
 * and a missing data block is allocated (not zeroed: *fresh says so, and
 * the caller writes all of it). raw's i_block/i_blocks change in memory;
 * the caller writes the inode back.
 */
static int bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw, uint64_t lblk,
		bool create, uint32_t *pblk, bool *fresh)
{
	uint32_t index[4], *slots = raw->i_block, parent = 0;
	int depth = map_path(fs, lblk, index), err = 0;
	uint32_t *buf = NULL;

	*pblk = 0;
	if (fresh)
		*fresh = false;
	if (depth < 0)
		return create ? depth : 0;
	if (depth > 0 && !(buf = ext2_blkbuf(fs)))
		return -ENOMEM;
	for (int level = 0; level < depth; level++) {
		uint32_t i = index[level];

		if (!slots[i]) {
			if (!create)
				goto out;
			err = new_indirect(fs, ino, raw, slots, i, parent);
			if (!err && level > 0)
				err = ext2_bwrite(fs, parent, buf);
			if (err)
				goto out;
		}
		parent = slots[i];
		err = ext2_bread(fs, parent, buf);
		if (err)
			goto out;
		slots = buf;
	}
	if (!slots[index[depth]] && create) {
		err = alloc_for_slot(fs, ino, raw, slots, index[depth], parent, &slots[index[depth]]);
		if (!err && depth > 0)
			err = ext2_bwrite(fs, parent, buf);
		if (!err && fresh)
			*fresh = true;
	}
	if (!err)
		*pblk = slots[index[depth]];
out:
	kfree(buf);
	return err;
}

int ext2_bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw, uint64_t lblk,
	      bool create, uint32_t *pblk)
{
	bool fresh;
	int err = bmap(fs, ino, raw, lblk, create, pblk, &fresh);

	if (!err && fresh)
		err = ext2_bzero(fs, *pblk);
	return err;
}

int ext2_file_read(struct ext2_fs *fs, struct ext2_inode *raw, uint64_t off, void *buf, size_t len)
{
	uint64_t size = ext2_isize(raw);
	uint32_t bs = fs->block_size;
	uint8_t *blk;
	size_t done = 0;
	int err = 0;

	if (off >= size)
		return 0;
	len = MIN(len, size - off);
	blk = ext2_blkbuf(fs);
	if (!blk)
		return -ENOMEM;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t in = pos % bs, n = MIN(bs - in, len - done), pblk;

		err = bmap(fs, 0, raw, pos / bs, false, &pblk, NULL);
		if (err)
			break;
		if (pblk == 0) {
			memset((uint8_t *)buf + done, 0, n);
		} else {
			err = ext2_bread(fs, pblk, blk);
			if (err)
				break;
			memcpy((uint8_t *)buf + done, blk + in, n);
		}
		done += n;
	}
	kfree(blk);
	return done ? (int)done : err;
}

/* One block's part of a write: a partly written new block is zero-filled. */
static int write_chunk(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw, uint64_t pos,
		       const uint8_t *src, uint32_t n, uint8_t *blk)
{
	uint32_t bs = fs->block_size, in = pos % bs, pblk;
	bool fresh;
	int err = bmap(fs, ino, raw, pos / bs, true, &pblk, &fresh);

	if (err)
		return err;
	if (n == bs)
		return ext2_bwrite(fs, pblk, src);
	if (fresh)
		memset(blk, 0, bs);
	else if ((err = ext2_bread(fs, pblk, blk)))
		return err;
	memcpy(blk + in, src, n);
	return ext2_bwrite(fs, pblk, blk);
}

/* Writes len bytes at off (len < 2 GiB); raw is updated, not written. */
int ext2_file_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw,
		    uint64_t off, const void *buf, size_t len)
{
	uint64_t max = ext2_max_file_size(fs);
	uint32_t bs = fs->block_size;
	uint8_t *blk;
	size_t done = 0;
	int err = 0;

	if (off >= max && len)
		return -EFBIG;
	len = MIN(len, max - off);
	blk = ext2_blkbuf(fs);
	if (!blk)
		return -ENOMEM;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t n = MIN(bs - pos % bs, len - done);

		err = write_chunk(fs, ino, raw, pos, (const uint8_t *)buf + done, n, blk);
		if (err)
			break;
		done += n;
		if (pos + n > ext2_isize(raw))
			ext2_set_isize(fs, raw, pos + n);
	}
	kfree(blk);
	return done ? (int)done : err;
}

/* ---- truncation ---- */

static void drop_block(struct ext2_fs *fs, struct ext2_inode *raw, uint32_t *slot, int *err)
{
	int e = ext2_free_block(fs, *slot);

	if (e && !*err)
		*err = e;
	*slot = 0;
	raw->i_blocks -= fs->block_size / 512;
}

/*
 * Frees what indirect block blk (depth levels above the data) maps from
 * its file block from on; *empty tells whether it now maps nothing.
 */
static int trunc_indirect(struct ext2_fs *fs, struct ext2_inode *raw, uint32_t blk, int depth,
			  uint64_t from, bool *empty)
{
	uint64_t span = 1;
	uint32_t *map = ext2_blkbuf(fs);
	bool changed = false;
	int err;

	if (!map)
		return -ENOMEM;
	for (int i = 1; i < depth; i++)
		span *= fs->ptrs_per_block;
	err = ext2_bread(fs, blk, map);
	*empty = !err;
	for (uint32_t i = 0; !err && i < fs->ptrs_per_block; i++) {
		uint64_t start = i * span;
		bool sub_empty = true;

		if (map[i] && start + span > from) {
			if (depth > 1)
				err = trunc_indirect(fs, raw, map[i], depth - 1,
						     from > start ? from - start : 0, &sub_empty);
			if (!err && sub_empty) {
				drop_block(fs, raw, &map[i], &err);
				changed = true;
			}
		}
		if (map[i])
			*empty = false;
	}
	if (!err && changed && !*empty)
		err = ext2_bwrite(fs, blk, map);
	kfree(map);
	return err;
}

/* Frees every block at file block first and after. */
int ext2_free_data(struct ext2_fs *fs, struct ext2_inode *raw, uint64_t first)
{
	uint64_t p = fs->ptrs_per_block, base = EXT2_NDIR_BLOCKS, span = p;
	int err = 0;

	for (uint64_t i = first; i < EXT2_NDIR_BLOCKS && !err; i++)
		if (raw->i_block[i])
			drop_block(fs, raw, &raw->i_block[i], &err);
	for (int depth = 1; depth <= 3 && !err; depth++) {
		uint32_t *slot = &raw->i_block[EXT2_IND_BLOCK + depth - 1];
		bool empty;

		if (*slot && first < base + span) {
			err = trunc_indirect(fs, raw, *slot, depth, first > base ? first - base : 0,
					     &empty);
			if (!err && empty)
				drop_block(fs, raw, slot, &err);
		}
		base += span;
		span *= p;
	}
	return err;
}

/* Zeroes the last block past size, so a later extension reads zeros. */
static int zero_tail(struct ext2_fs *fs, struct ext2_inode *raw, uint64_t size)
{
	uint32_t bs = fs->block_size, in = size % bs, pblk;
	uint8_t *blk;
	int err;

	if (in == 0)
		return 0;
	err = bmap(fs, 0, raw, size / bs, false, &pblk, NULL);
	if (err || pblk == 0)
		return err;
	blk = ext2_blkbuf(fs);
	if (!blk)
		return -ENOMEM;
	err = ext2_bread(fs, pblk, blk);
	if (!err) {
		memset(blk + in, 0, bs - in);
		err = ext2_bwrite(fs, pblk, blk);
	}
	kfree(blk);
	return err;
}

/* Sets the size; raw is updated, not written. */
int ext2_itruncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw, uint64_t size)
{
	uint32_t bs = fs->block_size;
	int err = 0;

	if (size > ext2_max_file_size(fs))
		return -EFBIG;
	if (size < ext2_isize(raw) && ext2_has_data_blocks(fs, raw)) {
		err = ext2_free_data(fs, raw, (size + bs - 1) / bs);
		if (!err)
			err = zero_tail(fs, raw, size);
	}
	if (!err)
		ext2_set_isize(fs, raw, size);
	return err;
}
