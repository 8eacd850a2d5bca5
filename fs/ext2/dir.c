/*
 * ext2 directories: a directory's data blocks hold variable-length
 * records (inode, rec_len, name_len, file_type, name) that tile each
 * block exactly. A removed record is merged into the one before it in
 * its block, or marked unused (inode 0) when it is first; a new record
 * takes an unused record or the slack at the end of a live one, or a new
 * block. We keep no hash index: a directory we change loses EXT2_INDEX_FL
 * (e2fsck and Linux then treat it as the linear list it still is).
 */
#include <fs/ext2/ext2_int.h>

static struct ext2_dir_entry *rec_at(uint8_t *blk, uint32_t off)
{
	return (struct ext2_dir_entry *)(blk + off);
}

/* A record must stay inside the block and hold its name. */
static bool rec_ok(const struct ext2_fs *fs, const struct ext2_dir_entry *de, uint32_t off)
{
	return de->rec_len >= EXT2_DIR_REC_LEN(1) && de->rec_len % 4 == 0 &&
	       off + de->rec_len <= fs->block_size && EXT2_DIR_REC_LEN(de->name_len) <= de->rec_len;
}

static bool rec_matches(const struct ext2_dir_entry *de, const char *name, size_t len)
{
	return de->inode && de->name_len == len && memcmp(de->name, name, len) == 0;
}

unsigned ext2_mode_to_ft(uint32_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:  return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR:  return EXT2_FT_DIR;
	case EXT2_S_IFCHR:  return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK:  return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO:  return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK: return EXT2_FT_SOCK;
	case EXT2_S_IFLNK:  return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

static unsigned ft_to_dt(unsigned ft)
{
	static const uint8_t dt[] = {
		[EXT2_FT_UNKNOWN] = 0, [EXT2_FT_REG_FILE] = 8, [EXT2_FT_DIR] = 4,
		[EXT2_FT_CHRDEV] = 2, [EXT2_FT_BLKDEV] = 6, [EXT2_FT_FIFO] = 1,
		[EXT2_FT_SOCK] = 12, [EXT2_FT_SYMLINK] = 10,
	};

	return ft < ARRAY_SIZE(dt) ? dt[ft] : 0;
}

static void set_rec(struct ext2_fs *fs, struct ext2_dir_entry *de, const char *name, size_t len,
		    uint32_t ino, uint32_t mode)
{
	de->inode = ino;
	de->name_len = len;
	de->file_type = fs->filetype ? ext2_mode_to_ft(mode) : 0;
	memcpy(de->name, name, len);
}

static int get_dir(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw)
{
	int err = ext2_iget(fs, dir, raw);

	if (err)
		return err;
	if (!EXT2_ISDIR(raw->i_mode))
		return -ENOTDIR;
	if (raw->i_links_count == 0)
		return -ENOENT;               /* removed, still open */
	return 0;
}

/* Reads directory block lblk into blk; -EIO for holes and bad records. */
static int read_dir_block(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw,
			  uint32_t lblk, uint8_t *blk, uint32_t *pblk)
{
	int err = ext2_bmap(fs, dir, raw, lblk, false, pblk);

	if (!err && *pblk == 0)
		err = -EIO;
	if (!err)
		err = ext2_bread(fs, *pblk, blk);
	for (uint32_t off = 0; !err && off < fs->block_size; off += rec_at(blk, off)->rec_len)
		if (!rec_ok(fs, rec_at(blk, off), off))
			err = -EIO;
	return err;
}

static uint32_t dir_blocks(const struct ext2_fs *fs, const struct ext2_inode *raw)
{
	return raw->i_size / fs->block_size;
}

/* Room for need bytes in the record at off: unused, or slack after its name. */
static bool rec_has_room(uint8_t *blk, uint32_t off, uint32_t need)
{
	struct ext2_dir_entry *de = rec_at(blk, off);

	if (!de->inode)
		return de->rec_len >= need;
	return de->rec_len - EXT2_DIR_REC_LEN(de->name_len) >= need;
}

/* Finds name; blk is left holding the record's block. With room, a miss
 * also says where a record of need bytes would fit (room->found). */
static int scan_dir(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw, const char *name,
		    size_t len, uint8_t *blk, struct ext2_dir_slot *slot, struct ext2_dir_slot *room)
{
	uint32_t need = EXT2_DIR_REC_LEN(len);

	if (room)
		room->found = false;
	for (uint32_t lblk = 0; lblk < dir_blocks(fs, raw); lblk++) {
		int err = read_dir_block(fs, dir, raw, lblk, blk, &slot->pblk);

		if (err)
			return err;
		slot->prev = -1;
		for (uint32_t off = 0; off < fs->block_size; off += rec_at(blk, off)->rec_len) {
			if (rec_matches(rec_at(blk, off), name, len)) {
				slot->off = off;
				return 0;
			}
			if (room && !room->found && rec_has_room(blk, off, need)) {
				room->found = true;
				room->pblk = slot->pblk;
				room->off = off;
			}
			slot->prev = off;
		}
	}
	return -ENOENT;
}

static int find_rec(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw, const char *name,
		    size_t len, uint8_t *blk, struct ext2_dir_slot *slot)
{
	return scan_dir(fs, dir, raw, name, len, blk, slot, NULL);
}

/* A miss: remember the room for ext2_dir_prepare (see struct ext2_miss). */
static void remember_miss(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
			  const struct ext2_dir_slot *room)
{
	fs->miss = (struct ext2_miss){ .valid = true, .dir = dir, .len = (uint8_t)len,
				       .found = room->found, .pblk = room->pblk, .off = room->off };
	memcpy(fs->miss.name, name, len);
}

static bool recall_miss(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
			struct ext2_dir_slot *room)
{
	if (!fs->miss.valid || fs->miss.dir != dir || fs->miss.len != len ||
	    memcmp(fs->miss.name, name, len))
		return false;
	room->found = fs->miss.found;
	room->pblk = fs->miss.pblk;
	room->off = fs->miss.off;
	return true;
}

static int check_name(size_t len)
{
	if (len == 0)
		return -ENOENT;
	return len > EXT2_NAME_LEN ? -ENAMETOOLONG : 0;
}

/* What the directory operations start with: dir is a live directory
 * (its inode in *raw), and a block buffer (*blk, freed by the caller) to
 * work in; dir_begin first checks the name's length. */
static int dir_and_buf(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw, uint8_t **blk)
{
	int err = get_dir(fs, dir, raw);

	if (err)
		return err;
	*blk = ext2_blkbuf(fs);
	return *blk ? 0 : -ENOMEM;
}

static int dir_begin(struct ext2_fs *fs, uint32_t dir, size_t len, struct ext2_inode *raw,
		     uint8_t **blk)
{
	int err = check_name(len);

	return err ? err : dir_and_buf(fs, dir, raw, blk);
}

int ext2_dir_find(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		  uint32_t *ino, unsigned *ftype)
{
	struct ext2_inode raw;
	struct ext2_dir_slot slot;
	uint8_t *blk;
	int err = dir_begin(fs, dir, len, &raw, &blk);

	if (err)
		return err;
	struct ext2_dir_slot room;
	err = scan_dir(fs, dir, &raw, name, len, blk, &slot, &room);
	if (err == -ENOENT)
		remember_miss(fs, dir, name, len, &room);
	if (!err) {
		*ino = rec_at(blk, slot.off)->inode;
		if (ftype)
			*ftype = rec_at(blk, slot.off)->file_type;
	}
	kfree(blk);
	return err;
}

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
	return ext2_dir_find(fs, dir, name, len, ino, NULL);
}

/* The directory changed: times, and no more hash index. */
static int touch_dir(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw)
{
	raw->i_mtime = raw->i_ctime = ext2_now(fs);
	raw->i_flags &= ~EXT2_INDEX_FL;
	return ext2_iput(fs, dir, raw);
}

/* Puts the new record into the record at off (splitting a live one). */
static struct ext2_dir_entry *claim_rec(uint8_t *blk, uint32_t off)
{
	struct ext2_dir_entry *de = rec_at(blk, off), *nde;
	uint32_t used;

	if (!de->inode)
		return de;
	used = EXT2_DIR_REC_LEN(de->name_len);
	nde = rec_at(blk, off + used);
	nde->rec_len = de->rec_len - used;
	de->rec_len = used;
	return nde;
}

/* Appends a block holding one record that spans it. */
static int add_block(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw, uint8_t *blk,
		     const char *name, size_t len, uint32_t ino, uint32_t mode)
{
	uint32_t lblk = dir_blocks(fs, raw), pblk;
	struct ext2_dir_entry *de = rec_at(blk, 0);
	int err = ext2_bmap(fs, dir, raw, lblk, true, &pblk);

	if (err)
		return err;
	memset(blk, 0, fs->block_size);
	de->rec_len = fs->block_size;
	set_rec(fs, de, name, len, ino, mode);
	err = ext2_bwrite(fs, pblk, blk);
	if (!err)
		raw->i_size += fs->block_size;
	return err;
}

/*
 * Checks that name is new in dir and finds room for its record: a record
 * with space (room->found) or none (a block will be added). Nothing is
 * written, so the caller may allocate the inode before ext2_dir_commit.
 */
int ext2_dir_prepare(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		     struct ext2_dir_slot *room)
{
	uint32_t need = EXT2_DIR_REC_LEN(len), pblk;
	struct ext2_inode raw;
	uint8_t *blk;
	int err = dir_begin(fs, dir, len, &raw, &blk);

	if (err)
		return err;
	if (recall_miss(fs, dir, name, len, room)) {
		kfree(blk);
		return 0;
	}
	room->found = false;
	for (uint32_t lblk = 0; lblk < dir_blocks(fs, &raw) && !err; lblk++) {
		err = read_dir_block(fs, dir, &raw, lblk, blk, &pblk);
		for (uint32_t off = 0; !err && off < fs->block_size; off += rec_at(blk, off)->rec_len) {
			if (rec_matches(rec_at(blk, off), name, len))
				err = -EEXIST;
			else if (!room->found && rec_has_room(blk, off, need)) {
				room->found = true;
				room->pblk = pblk;
				room->off = off;
			}
		}
	}
	kfree(blk);
	return err;
}

/* Writes the record where ext2_dir_prepare found room (dir unchanged since). */
int ext2_dir_commit(struct ext2_fs *fs, uint32_t dir, const struct ext2_dir_slot *room,
		    const char *name, size_t len, uint32_t ino, uint32_t mode)
{
	struct ext2_inode raw;
	uint8_t *blk;
	int err = dir_and_buf(fs, dir, &raw, &blk);

	if (err)
		return err;
	if (room->found) {
		err = ext2_bread(fs, room->pblk, blk);
		if (!err && !rec_has_room(blk, room->off, EXT2_DIR_REC_LEN(len)))
			err = -EIO;
		if (!err) {
			set_rec(fs, claim_rec(blk, room->off), name, len, ino, mode);
			err = ext2_bwrite(fs, room->pblk, blk);
		}
	} else {
		err = add_block(fs, dir, &raw, blk, name, len, ino, mode);
	}
	if (!err)
		err = touch_dir(fs, dir, &raw);
	kfree(blk);
	return err;
}

int ext2_dir_add(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 uint32_t ino, uint32_t mode)
{
	struct ext2_dir_slot room;
	int err = ext2_dir_prepare(fs, dir, name, len, &room);

	return err ? err : ext2_dir_commit(fs, dir, &room, name, len, ino, mode);
}

/* Finds name's record: its inode, and where it is for ext2_dir_remove_at. */
int ext2_dir_locate(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		    struct ext2_dir_slot *at, uint32_t *ino)
{
	struct ext2_inode raw;
	uint8_t *blk;
	int err = dir_begin(fs, dir, len, &raw, &blk);

	if (err)
		return err;
	err = find_rec(fs, dir, &raw, name, len, blk, at);
	if (!err)
		*ino = rec_at(blk, at->off)->inode;
	kfree(blk);
	return err;
}

/* Removes the record ext2_dir_locate found (dir unchanged since). */
int ext2_dir_remove_at(struct ext2_fs *fs, uint32_t dir, const struct ext2_dir_slot *at)
{
	struct ext2_inode raw;
	uint8_t *blk;
	int err = dir_and_buf(fs, dir, &raw, &blk);

	if (err)
		return err;
	err = ext2_bread(fs, at->pblk, blk);
	if (!err) {
		if (at->prev >= 0)
			rec_at(blk, at->prev)->rec_len += rec_at(blk, at->off)->rec_len;
		else
			rec_at(blk, at->off)->inode = 0;
		err = ext2_bwrite(fs, at->pblk, blk);
	}
	if (!err)
		err = touch_dir(fs, dir, &raw);
	kfree(blk);
	return err;
}

int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_dir_slot at;
	uint32_t ino;
	int err = ext2_dir_locate(fs, dir, name, len, &at, &ino);

	return err ? err : ext2_dir_remove_at(fs, dir, &at);
}

/* Points an existing name at another inode (rename over a target, ".."). */
int ext2_dir_set(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 uint32_t ino, uint32_t mode)
{
	struct ext2_inode raw;
	struct ext2_dir_slot slot;
	uint8_t *blk;
	int err = dir_and_buf(fs, dir, &raw, &blk);

	if (err)
		return err;
	err = find_rec(fs, dir, &raw, name, len, blk, &slot);
	if (!err) {
		set_rec(fs, rec_at(blk, slot.off), name, len, ino, mode);
		err = ext2_bwrite(fs, slot.pblk, blk);
	}
	if (!err)
		err = touch_dir(fs, dir, &raw);
	kfree(blk);
	return err;
}

static bool is_dot_or_dotdot(const struct ext2_dir_entry *de)
{
	return (de->name_len == 1 && de->name[0] == '.') ||
	       (de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.');
}

/* 1 when only "." and ".." remain, 0 if not, or -errno. */
int ext2_dir_is_empty(struct ext2_fs *fs, uint32_t dir)
{
	struct ext2_inode raw;
	uint32_t pblk;
	uint8_t *blk;
	int err = ext2_iget(fs, dir, &raw), empty = 1;

	if (err)
		return err;
	blk = ext2_blkbuf(fs);
	if (!blk)
		return -ENOMEM;
	for (uint32_t lblk = 0; lblk < dir_blocks(fs, &raw) && empty == 1; lblk++) {
		err = read_dir_block(fs, dir, &raw, lblk, blk, &pblk);
		if (err) {
			empty = err;
			break;
		}
		for (uint32_t off = 0; off < fs->block_size; off += rec_at(blk, off)->rec_len)
			if (rec_at(blk, off)->inode && !is_dot_or_dotdot(rec_at(blk, off)))
				empty = 0;
	}
	kfree(blk);
	return empty;
}

/* The first block of a new directory: "." and "..". raw is updated, not written. */
int ext2_dir_init(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw, uint32_t parent)
{
	uint8_t *blk = ext2_blkbuf(fs);
	struct ext2_dir_entry *de;
	uint32_t pblk;
	int err;

	if (!blk)
		return -ENOMEM;
	err = ext2_bmap(fs, dir, raw, 0, true, &pblk);
	if (err)
		goto out;
	memset(blk, 0, fs->block_size);
	de = rec_at(blk, 0);
	de->rec_len = EXT2_DIR_REC_LEN(1);
	set_rec(fs, de, ".", 1, dir, EXT2_S_IFDIR);
	de = rec_at(blk, EXT2_DIR_REC_LEN(1));
	de->rec_len = fs->block_size - EXT2_DIR_REC_LEN(1);
	set_rec(fs, de, "..", 2, parent, EXT2_S_IFDIR);
	err = ext2_bwrite(fs, pblk, blk);
	if (!err)
		raw->i_size = fs->block_size;
out:
	kfree(blk);
	return err;
}

/* Emits the live records of one block from byte in on; 1 if emit stopped. */
static int emit_block(struct ext2_fs *fs, uint8_t *blk, uint64_t base, uint32_t in,
		      uint64_t *pos, ext2_emit_t emit, void *arg)
{
	for (uint32_t off = 0; off < fs->block_size; off += rec_at(blk, off)->rec_len) {
		struct ext2_dir_entry *de = rec_at(blk, off);
		unsigned type = fs->filetype ? ft_to_dt(de->file_type) : 0;

		if (off < in || !de->inode)
			continue;
		if (emit(arg, de->name, de->name_len, de->inode, type, base + off + de->rec_len)) {
			*pos = base + off;
			return 1;
		}
	}
	return 0;
}

int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *pos, ext2_emit_t emit, void *arg)
{
	struct ext2_inode raw;
	uint32_t bs = fs->block_size, pblk;
	uint8_t *blk;
	int err = ext2_iget(fs, dir, &raw);

	if (err)
		return err;
	if (!EXT2_ISDIR(raw.i_mode))
		return -ENOTDIR;
	if (raw.i_links_count == 0)
		return 0;                     /* removed while open: empty */
	blk = ext2_blkbuf(fs);
	if (!blk)
		return -ENOMEM;
	while (*pos < raw.i_size) {
		uint64_t base = *pos - *pos % bs;

		err = read_dir_block(fs, dir, &raw, *pos / bs, blk, &pblk);
		if (err || emit_block(fs, blk, base, *pos % bs, pos, emit, arg))
			break;
		*pos = base + bs;
	}
	kfree(blk);
	return err;
}
