/*
 * ext2 on-disk structures (little-endian, as laid down by mke2fs).
 * Layout facts from "The Second Extended File System" (Poirier) and the
 * kernel.org ext4 "Disk layout" document; offsets are checked below.
 */
#pragma once

#include <kernel/types.h>

#define EXT2_SUPER_MAGIC     0xEF53
#define EXT2_SUPER_OFFSET    1024     /* bytes from the start of the volume */
#define EXT2_SUPER_SIZE      1024
#define EXT2_GOOD_OLD_REV    0
#define EXT2_DYNAMIC_REV     1
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_GOOD_OLD_FIRST_INO  11
#define EXT2_MIN_BLOCK_LOG   10       /* block size = 1024 << s_log_block_size */
#define EXT2_MAX_BLOCK_LOG   12       /* we accept 1, 2 and 4 KiB */

#define EXT2_BAD_INO         1
#define EXT2_ROOT_INO        2

/* s_state */
#define EXT2_VALID_FS        0x0001   /* cleanly unmounted */
#define EXT2_ERROR_FS        0x0002

/* s_feature_compat: all harmless to us (we never touch what they describe). */
#define EXT2_FEATURE_COMPAT_DIR_PREALLOC  0x0001
#define EXT2_FEATURE_COMPAT_EXT_ATTR      0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INODE  0x0010
#define EXT2_FEATURE_COMPAT_DIR_INDEX     0x0020
/* s_feature_incompat */
#define EXT2_FEATURE_INCOMPAT_FILETYPE    0x0002
/* s_feature_ro_compat */
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE   0x0002

#define EXT2_SUPPORTED_INCOMPAT  EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_SUPPORTED_RO_COMPAT (EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | \
				  EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

struct ext2_super_block {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;        /* reserved for the superuser */
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;      /* 1 with 1 KiB blocks, else 0 */
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;                 /* last mount */
	uint32_t s_wtime;                 /* last write */
	uint16_t s_mnt_count;
	int16_t  s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* EXT2_DYNAMIC_REV only */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t  s_uuid[16];
	char     s_volume_name[16];
	char     s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t  s_prealloc_blocks;
	uint8_t  s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t  s_journal_uuid[16];
	uint32_t s_journal_inum;
	uint32_t s_journal_dev;
	uint32_t s_last_orphan;
	uint32_t s_hash_seed[4];
	uint8_t  s_def_hash_version;
	uint8_t  s_jnl_backup_type;
	uint16_t s_desc_size;
	uint32_t s_default_mount_opts;
	uint32_t s_first_meta_bg;
	uint32_t s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint8_t  s_rest[1024 - 336];      /* ext4 fields; preserved untouched */
};

struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_pad;
	uint8_t  bg_reserved[12];
};

#define EXT2_NDIR_BLOCKS 12
#define EXT2_IND_BLOCK   12
#define EXT2_DIND_BLOCK  13
#define EXT2_TIND_BLOCK  14
#define EXT2_N_BLOCKS    15

/* The 128 bytes every revision has; larger inodes keep their tail as is. */
struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;                   /* low 16 bits */
	uint32_t i_size;                  /* low 32 bits */
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;                   /* low 16 bits */
	uint16_t i_links_count;
	uint32_t i_blocks;                /* 512-byte units, indirect blocks too */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high;             /* i_dir_acl in revision 0 */
	uint32_t i_faddr;
	uint8_t  i_frag;
	uint8_t  i_fsize;
	uint16_t i_pad1;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint32_t i_reserved2;
};

/* Fields after the first 128 bytes when s_inode_size > 128. */
#define EXT2_INODE_EXTRA_ISIZE_OFF 128

/* i_flags */
#define EXT2_INDEX_FL 0x00001000          /* hashed directory (dir_index) */

struct ext2_dir_entry {
	uint32_t inode;                   /* 0: unused record */
	uint16_t rec_len;                 /* to the next record, multiple of 4 */
	uint8_t  name_len;
	uint8_t  file_type;               /* high byte of name_len without FILETYPE */
	char     name[];
};

#define EXT2_NAME_LEN 255
#define EXT2_DIR_REC_LEN(name_len) (((name_len) + 8 + 3) & ~3u)

/* file_type values (EXT2_FEATURE_INCOMPAT_FILETYPE) */
enum {
	EXT2_FT_UNKNOWN, EXT2_FT_REG_FILE, EXT2_FT_DIR, EXT2_FT_CHRDEV,
	EXT2_FT_BLKDEV, EXT2_FT_FIFO, EXT2_FT_SOCK, EXT2_FT_SYMLINK,
};

_Static_assert(sizeof(struct ext2_super_block) == EXT2_SUPER_SIZE, "superblock size");
_Static_assert(offsetof(struct ext2_super_block, s_magic) == 56, "s_magic");
_Static_assert(offsetof(struct ext2_super_block, s_rev_level) == 76, "s_rev_level");
_Static_assert(offsetof(struct ext2_super_block, s_first_ino) == 84, "s_first_ino");
_Static_assert(offsetof(struct ext2_super_block, s_feature_compat) == 92, "s_feature_compat");
_Static_assert(offsetof(struct ext2_super_block, s_uuid) == 104, "s_uuid");
_Static_assert(offsetof(struct ext2_super_block, s_last_mounted) == 136, "s_last_mounted");
_Static_assert(offsetof(struct ext2_super_block, s_reserved_gdt_blocks) == 206, "s_reserved_gdt");
_Static_assert(offsetof(struct ext2_super_block, s_hash_seed) == 236, "s_hash_seed");
_Static_assert(offsetof(struct ext2_super_block, s_mkfs_time) == 264, "s_mkfs_time");
_Static_assert(offsetof(struct ext2_super_block, s_rest) == 336, "s_rest");
_Static_assert(sizeof(struct ext2_group_desc) == 32, "group descriptor size");
_Static_assert(offsetof(struct ext2_group_desc, bg_used_dirs_count) == 16, "bg_used_dirs");
_Static_assert(sizeof(struct ext2_inode) == EXT2_GOOD_OLD_INODE_SIZE, "inode size");
_Static_assert(offsetof(struct ext2_inode, i_links_count) == 26, "i_links_count");
_Static_assert(offsetof(struct ext2_inode, i_block) == 40, "i_block");
_Static_assert(offsetof(struct ext2_inode, i_size_high) == 108, "i_size_high");
_Static_assert(offsetof(struct ext2_inode, i_uid_high) == 120, "i_uid_high");
_Static_assert(sizeof(struct ext2_dir_entry) == 8, "directory entry header");
_Static_assert(offsetof(struct ext2_dir_entry, name_len) == 6, "name_len");
