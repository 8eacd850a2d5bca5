/*
 * ext2_mkfs: lays down an empty ext2 revision 1 volume (filetype,
 * sparse_super and large_file; 128-byte inodes; no resize inode) with a
 * root directory and lost+found, like a minimal mke2fs. Used to format
 * scratch disks and by the in-kernel tests; e2fsck judges it on the host.
 */
#include <fs/ext2/ext2_int.h>

#define MKFS_INODE_SIZE   128
#define MKFS_BYTES_PER_INODE 8192
#define LOST_FOUND_INO    EXT2_GOOD_OLD_FIRST_INO

struct layout {
	uint32_t bs, blocks, first, bpg, groups, ipg, itable_blocks, gdt_blocks;
};

static bool power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

static bool has_super(uint32_t g)
{
	return g <= 1 || power_of(g, 3) || power_of(g, 5) || power_of(g, 7);
}

/* Superblock and descriptor copies, bitmaps, inode table. */
static uint32_t group_overhead(const struct layout *l, uint32_t g)
{
	return (has_super(g) ? 1 + l->gdt_blocks : 0) + 2 + l->itable_blocks;
}

static uint32_t group_start(const struct layout *l, uint32_t g)
{
	return l->first + g * l->bpg;
}

static uint32_t group_blocks(const struct layout *l, uint32_t g)
{
	return MIN(l->bpg, l->blocks - group_start(l, g));
}

static int plan(struct layout *l, uint64_t bytes, uint32_t bs)
{
	uint32_t per_table_block = bs / MKFS_INODE_SIZE, inodes;
	uint64_t blocks = bytes / bs;

	if (bs != 1024 && bs != 2048 && bs != 4096)
		return -EINVAL;
	if (blocks > 0xffffffffull)
		blocks = 0xffffffffull;
	l->bs = bs;
	l->blocks = blocks;
	l->first = bs == 1024 ? 1 : 0;
	l->bpg = bs * 8;
	for (int pass = 0; pass < 2; pass++) {     /* again if the last group was dropped */
		if (l->blocks < l->first + 64)
			return -ENOSPC;
		l->groups = (l->blocks - l->first + l->bpg - 1) / l->bpg;
		inodes = (uint64_t)l->blocks * bs / MKFS_BYTES_PER_INODE;
		l->ipg = (inodes + l->groups - 1) / l->groups;
		l->ipg = ALIGN_UP(MAX(l->ipg, 32u), per_table_block);
		l->ipg = MIN(l->ipg, bs * 8);
		l->itable_blocks = l->ipg / per_table_block;
		l->gdt_blocks = (l->groups * sizeof(struct ext2_group_desc) + bs - 1) / bs;
		uint32_t last = l->groups - 1;
		if (group_blocks(l, last) >= group_overhead(l, last) + 16)
			return 0;
		if (l->groups == 1)
			return -ENOSPC;
		l->blocks = group_start(l, last);
	}
	return 0;
}

static void fill_super(const struct layout *l, struct ext2_super_block *sb, uint32_t now)
{
	memset(sb, 0, sizeof(*sb));
	sb->s_inodes_count = l->ipg * l->groups;
	sb->s_blocks_count = l->blocks;
	sb->s_r_blocks_count = l->blocks / 20;
	sb->s_first_data_block = l->first;
	sb->s_log_block_size = l->bs == 1024 ? 0 : l->bs == 2048 ? 1 : 2;
	sb->s_log_frag_size = sb->s_log_block_size;
	sb->s_blocks_per_group = l->bpg;
	sb->s_frags_per_group = l->bpg;
	sb->s_inodes_per_group = l->ipg;
	sb->s_wtime = sb->s_lastcheck = sb->s_mkfs_time = now;
	sb->s_max_mnt_count = -1;
	sb->s_magic = EXT2_SUPER_MAGIC;
	sb->s_state = EXT2_VALID_FS;
	sb->s_errors = 1;                         /* continue */
	sb->s_rev_level = EXT2_DYNAMIC_REV;
	sb->s_first_ino = EXT2_GOOD_OLD_FIRST_INO;
	sb->s_inode_size = MKFS_INODE_SIZE;
	sb->s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE;
	sb->s_feature_ro_compat = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |
				  EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
	/* A version 4 style UUID from the clock; any distinct value will do. */
	uint32_t x = now * 2654435761u + 0x9e3779b9u;
	for (int i = 0; i < 16; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		sb->s_uuid[i] = x;
	}
	sb->s_uuid[6] = (sb->s_uuid[6] & 0x0f) | 0x40;
	sb->s_uuid[8] = (sb->s_uuid[8] & 0x3f) | 0x80;
}

static void set_bits(uint8_t *map, uint32_t from, uint32_t to)
{
	for (uint32_t b = from; b < to; b++)
		map[b / 8] |= 1u << (b % 8);
}

/* Fills group g's descriptor and writes its bitmaps; used are the blocks
 * and inodes already taken beyond the metadata (group 0: root, lost+found). */
static int write_group(struct ext2_fs *fs, const struct layout *l, uint32_t g,
		       uint32_t used_blocks, uint32_t used_inodes, uint8_t *buf)
{
	struct ext2_group_desc *d = &fs->gd[g];
	uint32_t meta = group_overhead(l, g), start = group_start(l, g);
	uint32_t n = group_blocks(l, g);
	int err;

	d->bg_block_bitmap = start + (has_super(g) ? 1 + l->gdt_blocks : 0);
	d->bg_inode_bitmap = d->bg_block_bitmap + 1;
	d->bg_inode_table = d->bg_inode_bitmap + 1;
	d->bg_free_blocks_count = n - meta - used_blocks;
	d->bg_free_inodes_count = l->ipg - used_inodes;
	memset(buf, 0, l->bs);
	set_bits(buf, 0, meta + used_blocks);
	set_bits(buf, n, l->bs * 8);              /* padding past the group's end */
	err = ext2_bwrite(fs, d->bg_block_bitmap, buf);
	if (err)
		return err;
	memset(buf, 0, l->bs);
	set_bits(buf, 0, used_inodes);
	set_bits(buf, l->ipg, l->bs * 8);
	err = ext2_bwrite(fs, d->bg_inode_bitmap, buf);
	memset(buf, 0, l->bs);
	for (uint32_t i = 0; i < l->itable_blocks && !err; i++)
		err = ext2_bwrite(fs, d->bg_inode_table + i, buf);
	return err;
}

/* Superblock and descriptor copies in every group that has them. */
static int write_supers(struct ext2_fs *fs, const struct layout *l, uint8_t *buf)
{
	int err = 0;

	for (uint32_t g = 0; g < l->groups && !err; g++) {
		uint32_t start = group_start(l, g);

		if (!has_super(g))
			continue;
		memset(buf, 0, l->bs);
		fs->sb.s_block_group_nr = g;
		memcpy(buf + (g == 0 ? EXT2_SUPER_OFFSET % l->bs : 0), &fs->sb, sizeof(fs->sb));
		/* Direct: ext2_bwrite refuses block 0, which holds it with big blocks. */
		err = fs->io.write(fs->io.ctx, start, l->bs, buf);
		for (uint32_t i = 0; i < l->gdt_blocks && !err; i++)
			err = ext2_bwrite(fs, start + 1 + i, (uint8_t *)fs->gd + (size_t)i * l->bs);
	}
	fs->sb.s_block_group_nr = 0;
	return err;
}

/* A directory inode with one block of entries. */
static int write_dir(struct ext2_fs *fs, uint32_t ino, uint32_t blk, uint32_t links,
		     uint32_t mode, uint32_t now, const char *const names[],
		     const uint32_t inos[], int n, uint8_t *buf)
{
	struct ext2_inode raw = {
		.i_mode = EXT2_S_IFDIR | mode, .i_size = fs->block_size,
		.i_atime = now, .i_ctime = now, .i_mtime = now,
		.i_links_count = links, .i_blocks = fs->block_size / 512,
		.i_block = { blk },
	};
	uint32_t off = 0;

	memset(buf, 0, fs->block_size);
	for (int i = 0; i < n; i++) {
		struct ext2_dir_entry *de = (struct ext2_dir_entry *)(buf + off);
		size_t len = strlen(names[i]);

		de->inode = inos[i];
		de->name_len = len;
		de->file_type = EXT2_FT_DIR;
		de->rec_len = i == n - 1 ? fs->block_size - off : EXT2_DIR_REC_LEN(len);
		memcpy(de->name, names[i], len);
		off += de->rec_len;
	}
	int err = ext2_bwrite(fs, blk, buf);
	return err ? err : ext2_inew(fs, ino, &raw);
}

int ext2_mkfs(const struct ext2_io *io, uint64_t bytes, uint32_t block_size)
{
	static const char *const root_names[] = { ".", "..", "lost+found" };
	static const char *const lf_names[] = { ".", ".." };
	struct ext2_fs fs = { .io = *io, .block_size = block_size };
	uint32_t now = io->now ? io->now(io->ctx) : 0, root_blk, lf_blk;
	struct layout l;
	uint8_t *buf;
	int err = plan(&l, bytes, block_size);

	if (err)
		return err;
	fill_super(&l, &fs.sb, now);
	fs.groups = l.groups;
	fs.inode_size = MKFS_INODE_SIZE;
	fs.gd = kzalloc((size_t)l.gdt_blocks * l.bs);
	buf = kmalloc(l.bs);
	if (!fs.gd || !buf) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t g = 0; g < l.groups && !err; g++)
		err = write_group(&fs, &l, g, g == 0 ? 2 : 0, g == 0 ? LOST_FOUND_INO : 0, buf);
	if (err)
		goto out;
	fs.gd[0].bg_used_dirs_count = 2;
	root_blk = group_start(&l, 0) + group_overhead(&l, 0);
	lf_blk = root_blk + 1;
	{
		const uint32_t root_inos[] = { EXT2_ROOT_INO, EXT2_ROOT_INO, LOST_FOUND_INO };
		const uint32_t lf_inos[] = { LOST_FOUND_INO, EXT2_ROOT_INO };

		err = write_dir(&fs, EXT2_ROOT_INO, root_blk, 3, 0755, now, root_names, root_inos,
				3, buf);
		if (!err)
			err = write_dir(&fs, LOST_FOUND_INO, lf_blk, 2, 0700, now, lf_names,
					lf_inos, 2, buf);
	}
	if (err)
		goto out;
	for (uint32_t g = 0; g < l.groups; g++) {
		fs.sb.s_free_blocks_count += fs.gd[g].bg_free_blocks_count;
		fs.sb.s_free_inodes_count += fs.gd[g].bg_free_inodes_count;
	}
	err = write_supers(&fs, &l, buf);
	if (!err)
		err = io->flush(io->ctx);
out:
	kfree(buf);
	kfree(fs.gd);
	return err;
}
