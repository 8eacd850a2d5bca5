/*
 * MBR and GPT parsing (part.h). Field layouts are checked with
 * _Static_assert against the specifications; all multi-byte fields are
 * little-endian, as is the machine.
 *
 * Locking: none (pure function of the disk's contents).
 */
#include <drivers/block/crc32.h>
#include <drivers/block/part.h>
#include <kernel/errno.h>
#include <kernel/string.h>

/* ---- MBR ---------------------------------------------------------------- */

struct mbr_entry {
	uint8_t status;
	uint8_t chs_first[3];
	uint8_t type;
	uint8_t chs_last[3];
	uint32_t lba_start;
	uint32_t nr_sectors;
} __packed;
_Static_assert(sizeof(struct mbr_entry) == 16, "MBR partition entry");

#define MBR_TABLE_OFF   446
#define MBR_SIG_OFF     510
#define MBR_TYPE_GPT    0xee    /* protective MBR */
#define MBR_MAX_LOGICAL 60      /* EBR chain length we follow */

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

static bool mbr_signed(const uint8_t *b)
{
	return b[MBR_SIG_OFF] == 0x55 && b[MBR_SIG_OFF + 1] == 0xaa;
}

static void mbr_entries(const uint8_t *b, struct mbr_entry e[4])
{
	memcpy(e, b + MBR_TABLE_OFF, 4 * sizeof(*e));
}

struct part_list {
	struct part_info *out;
	unsigned n, max;
	uint64_t nr_blocks;
};

static void add_part(struct part_list *l, unsigned partno, uint64_t start,
		     uint64_t count, uint8_t type)
{
	if (count == 0 || start == 0 || start >= l->nr_blocks ||
	    count > l->nr_blocks - start || l->n >= l->max)
		return;
	l->out[l->n++] = (struct part_info){ partno, start, count, type };
}

/* Logical partitions: a chain of EBRs; in each, entry 0 is a partition
 * relative to this EBR and entry 1 the next EBR relative to the extended
 * partition's start. */
static int mbr_logical(part_read_fn read, void *ctx, uint8_t *buf, uint64_t ext_start,
		       struct part_list *l)
{
	uint64_t ebr = ext_start;
	struct mbr_entry e[4];

	for (unsigned i = 0; i < MBR_MAX_LOGICAL; i++) {
		int err = read(ctx, ebr, buf);
		if (err)
			return err;
		if (!mbr_signed(buf))
			break;
		mbr_entries(buf, e);
		if (e[0].type && !is_extended(e[0].type))
			add_part(l, 5 + i, ebr + e[0].lba_start, e[0].nr_sectors, e[0].type);
		if (!is_extended(e[1].type) || e[1].lba_start == 0)
			break;
		ebr = ext_start + e[1].lba_start;
		if (ebr >= l->nr_blocks)
			break;
	}
	return 0;
}

/* buf holds block 0 with a valid signature and no protective entry. */
static int mbr_parse(part_read_fn read, void *ctx, uint8_t *buf, struct part_list *l)
{
	struct mbr_entry e[4];
	int err;

	mbr_entries(buf, e);
	for (unsigned i = 0; i < 4; i++)
		if (e[i].type && !is_extended(e[i].type))
			add_part(l, i + 1, e[i].lba_start, e[i].nr_sectors, e[i].type);
	for (unsigned i = 0; i < 4; i++)
		if (is_extended(e[i].type) && e[i].lba_start &&
		    (err = mbr_logical(read, ctx, buf, e[i].lba_start, l)))
			return err;
	return 0;
}

/* ---- GPT ---------------------------------------------------------------- */

struct gpt_header {
	char signature[8];              /* "EFI PART" */
	uint32_t revision;
	uint32_t header_size;
	uint32_t header_crc32;
	uint32_t reserved;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	uint8_t disk_guid[16];
	uint64_t entries_lba;
	uint32_t nr_entries;
	uint32_t entry_size;
	uint32_t entries_crc32;
} __packed;
_Static_assert(sizeof(struct gpt_header) == 92, "UEFI 2.10, table 5.5");
_Static_assert(offsetof(struct gpt_header, entries_lba) == 72, "UEFI 2.10, table 5.5");

struct gpt_entry {
	uint8_t type_guid[16];
	uint8_t unique_guid[16];
	uint64_t first_lba;
	uint64_t last_lba;              /* inclusive */
	uint64_t attributes;
	uint16_t name[36];              /* UTF-16LE */
} __packed;
_Static_assert(sizeof(struct gpt_entry) == 128, "UEFI 2.10, table 5.6");

#define GPT_MAX_ENTRIES 1024            /* more than any tool writes */

/* Read and check the header at lba into *h. */
static int gpt_header_at(part_read_fn read, void *ctx, uint32_t bs, uint8_t *buf,
			 uint64_t lba, uint64_t nr_blocks, struct gpt_header *h)
{
	int err = read(ctx, lba, buf);
	uint32_t want;

	if (err)
		return err;
	memcpy(h, buf, sizeof(*h));
	if (memcmp(h->signature, "EFI PART", 8) || h->header_size < sizeof(*h) ||
	    h->header_size > bs || h->my_lba != lba)
		return -EINVAL;
	want = h->header_crc32;
	memset(buf + offsetof(struct gpt_header, header_crc32), 0, 4);
	if (crc32(0, buf, h->header_size) != want)
		return -EINVAL;
	if (h->entry_size < sizeof(struct gpt_entry) || h->entry_size % 8 ||
	    h->entry_size > bs || bs % h->entry_size || h->nr_entries > GPT_MAX_ENTRIES)
		return -EINVAL;
	/* The entry array must lie on the disk (else reading it would fail
	 * like a device error). */
	uint64_t eblocks = ((uint64_t)h->nr_entries * h->entry_size + bs - 1) / bs;
	if (h->entries_lba == 0 || h->entries_lba >= nr_blocks || eblocks > nr_blocks - h->entries_lba)
		return -EINVAL;
	return 0;
}

/* One pass over the entry array: with l == NULL only the CRC is checked. */
static int gpt_entries(part_read_fn read, void *ctx, uint32_t bs, uint8_t *buf,
		       const struct gpt_header *h, struct part_list *l)
{
	uint32_t per_block = bs / h->entry_size, crc = 0;
	uint64_t nblocks = (h->nr_entries + per_block - 1) / per_block;
	unsigned idx = 0;

	for (uint64_t b = 0; b < nblocks; b++) {
		int err = read(ctx, h->entries_lba + b, buf);
		if (err)
			return err;
		for (uint32_t i = 0; i < per_block && idx < h->nr_entries; i++, idx++) {
			const uint8_t *raw = buf + i * h->entry_size;
			struct gpt_entry e;

			crc = crc32(crc, raw, h->entry_size);
			if (!l)
				continue;
			memcpy(&e, raw, sizeof(e));
			static const uint8_t unused[16];
			if (memcmp(e.type_guid, unused, 16) && e.last_lba >= e.first_lba)
				add_part(l, idx + 1, e.first_lba, e.last_lba - e.first_lba + 1, 0);
		}
	}
	return !l && crc != h->entries_crc32 ? -EINVAL : 0;
}

/* Primary header at LBA 1, else the backup in the last block. */
static int gpt_parse(part_read_fn read, void *ctx, uint32_t bs, uint8_t *buf,
		     struct part_list *l)
{
	uint64_t where[2] = { 1, l->nr_blocks - 1 };
	struct gpt_header h;
	int err = -EINVAL;

	for (unsigned i = 0; i < 2; i++) {
		err = gpt_header_at(read, ctx, bs, buf, where[i], l->nr_blocks, &h);
		if (err == 0)
			err = gpt_entries(read, ctx, bs, buf, &h, NULL);
		if (err == 0)
			return gpt_entries(read, ctx, bs, buf, &h, l);
		if (err != -EINVAL)
			return err;     /* an I/O error: do not guess */
	}
	return err;
}

int part_parse(part_read_fn read, void *ctx, uint32_t block_size, uint64_t nr_blocks,
	       void *buf, struct part_info *out, unsigned max, enum part_scheme *scheme)
{
	struct part_list l = { out, 0, max, nr_blocks };
	struct mbr_entry e[4];
	int err;

	*scheme = PART_NONE;
	if (nr_blocks < 2 || block_size < 512)
		return 0;
	if ((err = read(ctx, 0, buf)))
		return err;
	if (!mbr_signed(buf))
		return 0;
	mbr_entries(buf, e);
	for (unsigned i = 0; i < 4; i++) {
		if (e[i].type != MBR_TYPE_GPT)
			continue;
		err = gpt_parse(read, ctx, block_size, buf, &l);
		if (err == -EINVAL)
			return 0;       /* protective MBR but no valid GPT */
		if (err)
			return err;
		*scheme = PART_GPT;
		return (int)l.n;
	}
	if ((err = mbr_parse(read, ctx, buf, &l)))
		return err;
	*scheme = PART_MBR;
	return (int)l.n;
}
