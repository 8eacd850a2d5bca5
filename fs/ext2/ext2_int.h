/*
 * Internals shared by the ext2 library files in fs/ext2/. The caller of
 * the public API serializes all calls on one struct ext2_fs.
 */
#pragma once

#include <fs/ext2/ext2.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>

/* Linux mode bits (the ones ext2 stores in i_mode). */
#define EXT2_S_IFMT   0170000
#define EXT2_S_IFSOCK 0140000
#define EXT2_S_IFLNK  0120000
#define EXT2_S_IFREG  0100000
#define EXT2_S_IFBLK  0060000
#define EXT2_S_IFDIR  0040000
#define EXT2_S_IFCHR  0020000
#define EXT2_S_IFIFO  0010000
#define EXT2_ISDIR(m) (((m) & EXT2_S_IFMT) == EXT2_S_IFDIR)
#define EXT2_ISREG(m) (((m) & EXT2_S_IFMT) == EXT2_S_IFREG)
#define EXT2_ISLNK(m) (((m) & EXT2_S_IFMT) == EXT2_S_IFLNK)

#define EXT2_LINK_MAX 32000

struct ext2_fs {
	/* Immutable after mount. */
	struct ext2_io io;
	uint32_t block_size;
	uint32_t ptrs_per_block;          /* block_size / 4 */
	uint32_t groups;
	uint32_t inode_size;
	uint32_t first_ino;
	uint32_t gdt_blocks;              /* blocks holding descriptors */
	bool rdonly;
	bool filetype;                    /* dir entries carry a file type */
	uint16_t mount_state;             /* s_state found at mount, restored at unmount */
	/* The live superblock and descriptors, written through on change. */
	struct ext2_super_block sb;
	struct ext2_group_desc *gd;
	/* Where the last lookup that found nothing (ext2_dir_find) saw room
	 * for the name: the create that usually follows it skips its own
	 * scan of the directory. Any block write forgets it (ext2_bwrite). */
	struct ext2_miss {
		bool valid;
		uint32_t dir;
		uint8_t len;
		char name[255];
		bool found;
		uint32_t pblk, off;
	} miss;
};

/* io.c */
int ext2_bread(struct ext2_fs *fs, uint32_t blk, void *buf);
int ext2_bwrite(struct ext2_fs *fs, uint32_t blk, const void *buf);
int ext2_bzero(struct ext2_fs *fs, uint32_t blk);
void *ext2_blkbuf(struct ext2_fs *fs);
uint32_t ext2_now(struct ext2_fs *fs);

/* super.c */
int ext2_write_super(struct ext2_fs *fs);
int ext2_write_group(struct ext2_fs *fs, uint32_t group);

/* alloc.c */
int ext2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *blk);
int ext2_free_block(struct ext2_fs *fs, uint32_t blk);
int ext2_alloc_inode(struct ext2_fs *fs, uint32_t dir, bool is_dir, uint32_t *ino);
int ext2_free_inode(struct ext2_fs *fs, uint32_t ino, bool is_dir);

/* inode.c: the inode table; file.c: the block map and file data. */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw);
int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *raw);
int ext2_inew(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *raw);
uint64_t ext2_isize(const struct ext2_inode *raw);
void ext2_set_isize(struct ext2_fs *fs, struct ext2_inode *raw, uint64_t size);
/* Physical block of file block lblk; 0 for a hole unless create. */
int ext2_bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw, uint64_t lblk,
	      bool create, uint32_t *pblk);
int ext2_itruncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw, uint64_t size);
int ext2_file_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *raw,
		    uint64_t off, const void *buf, size_t len);
int ext2_file_read(struct ext2_fs *fs, struct ext2_inode *raw,
		   uint64_t off, void *buf, size_t len);
bool ext2_has_data_blocks(struct ext2_fs *fs, const struct ext2_inode *raw);
uint64_t ext2_max_file_size(const struct ext2_fs *fs);
/* Frees every block from file block first on (the map included). */
int ext2_free_data(struct ext2_fs *fs, struct ext2_inode *raw, uint64_t first);

/* dir.c: where a record is (or where a new one will go). */
struct ext2_dir_slot {
	bool found;                       /* prepare: room found in pblk at off */
	uint32_t pblk;
	uint32_t off;
	int32_t prev;                     /* locate: previous record's offset, -1 if first */
};
int ext2_dir_prepare(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		     struct ext2_dir_slot *room);
int ext2_dir_commit(struct ext2_fs *fs, uint32_t dir, const struct ext2_dir_slot *room,
		    const char *name, size_t len, uint32_t ino, uint32_t mode);
int ext2_dir_locate(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		    struct ext2_dir_slot *at, uint32_t *ino);
int ext2_dir_remove_at(struct ext2_fs *fs, uint32_t dir, const struct ext2_dir_slot *at);
int ext2_dir_find(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		  uint32_t *ino, unsigned *ftype);
int ext2_dir_add(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 uint32_t ino, uint32_t mode);
int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
int ext2_dir_set(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		 uint32_t ino, uint32_t mode);
int ext2_dir_is_empty(struct ext2_fs *fs, uint32_t dir);
int ext2_dir_init(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *raw, uint32_t parent);
unsigned ext2_mode_to_ft(uint32_t mode);
