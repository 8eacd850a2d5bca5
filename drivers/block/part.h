/*
 * Partition tables: the MBR (with logical partitions in an extended one)
 * and the UEFI GPT (UEFI spec 2.10, 5.3), primary header with the backup
 * as fallback, both CRCs checked. Pure logic over a read callback, so the
 * host tests run it against images in memory.
 */
#pragma once

#include <kernel/types.h>

#define PART_MAX 64             /* partitions reported per disk */

struct part_info {
	unsigned partno;        /* Linux numbering: MBR slot 1-4, logical 5..,
				 * GPT entry index + 1 */
	uint64_t start;         /* in logical blocks */
	uint64_t nr_blocks;
	uint8_t mbr_type;       /* 0 for GPT */
};

/* Read logical block lba (block_size bytes) into buf: 0 or -errno. */
typedef int (*part_read_fn)(void *ctx, uint64_t lba, void *buf);

enum part_scheme { PART_NONE, PART_MBR, PART_GPT };

/*
 * Parse the disk's table into out[0..max). buf is a scratch buffer of
 * block_size bytes (>= 512). Returns how many partitions were found (0: no
 * table, or an empty one) or -errno from read; *scheme says which table
 * was used. Partitions that do not fit the disk are left out.
 */
int part_parse(part_read_fn read, void *ctx, uint32_t block_size, uint64_t nr_blocks,
	       void *buf, struct part_info *out, unsigned max, enum part_scheme *scheme);
