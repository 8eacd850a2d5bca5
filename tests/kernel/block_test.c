/*
 * Block layer against disks the test harness made (scripts/mkdisk.py):
 * every disk whose sector 0 starts with "GOOSTEST-MBR"/"GOOSTEST-GPT" is
 * checked for its partitions and its per-sector pattern, then written
 * through the buffer cache and directly, and synced. The harness checks
 * the image bytes after power-off ("written and flushed is on disk").
 * Without such a disk (the ordinary ktest boots) the cases skip.
 *
 * I/O sleeps, so each case runs its body in a kernel task and the boot
 * flow (an idle task) waits for it; the task has exited when the case
 * ends only if it finished in time (a hung device fails the case).
 */
#include <drivers/block/blkdev.h>
#include <drivers/block/crc32.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <mm/slab.h>

#define MAX_TEST_DISKS 4

static uint64_t pattern_word(uint64_t s, unsigned i)
{
	return 0xb10cull << 48 | s << 16 | i;
}

static bool sector_matches(const void *buf, uint64_t s, bool flipped)
{
	const uint64_t *w = buf;
	for (unsigned i = 0; i < 64; i++)
		if (w[i] != (flipped ? ~pattern_word(s, i) : pattern_word(s, i)))
			return false;
	return true;
}

static void fill_flipped(void *buf, uint64_t s)
{
	uint64_t *w = buf;
	for (unsigned i = 0; i < 64; i++)
		w[i] = ~pattern_word(s, i);
}

/* ---- running a body in a task --------------------------------------------- */

struct task_run {
	struct ktest *t;
	void (*body)(struct ktest *t, struct block_device *disk, bool gpt);
	bool done;
};

static bool wait_flag(bool *flag, uint64_t secs)
{
	uint64_t end = time_ns() + secs * NSEC_PER_SEC;
	arch_irq_enable();
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE) && time_ns() < end) {
		schedule();
		arch_cpu_relax();
	}
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

struct found {
	struct block_device *disk[MAX_TEST_DISKS];
	bool gpt[MAX_TEST_DISKS];
	unsigned n;
};

static void find_test_disk(struct block_device *b, void *arg)
{
	struct found *f = arg;
	char *buf;

	if (b->whole != b || f->n == MAX_TEST_DISKS || !(buf = kmalloc(b->block_size)))
		return;
	if (bdev_read(b, 0, buf, b->block_size) == 0 && !memcmp(buf, "GOOSTEST-", 9)) {
		f->gpt[f->n] = !memcmp(buf + 9, "GPT", 3);
		f->disk[f->n++] = b;
	}
	kfree(buf);
}

static void body_task(void *arg)
{
	struct task_run *r = arg;
	struct found f = { .n = 0 };

	bdev_for_each(find_test_disk, &f);
	if (f.n == 0)
		ktest_skip(r->t, "no GOOSTEST disk attached");
	for (unsigned i = 0; i < f.n; i++) {
		printk("    # block_test: %s (%s, %u-byte blocks)\n", f.disk[i]->name,
		       f.gpt[i] ? "GPT" : "MBR", f.disk[i]->block_size);
		r->body(r->t, f.disk[i], f.gpt[i]);
	}
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
}

static void run_on_disks(struct ktest *t,
			 void (*body)(struct ktest *t, struct block_device *disk, bool gpt))
{
	/* Static: a body still running after the timeout must not find its
	 * arguments gone (the case has failed by then). */
	static struct task_run r;

	r = (struct task_run){ t, body, false };

	KT_ASSERT(t, bdev_ready());     /* block_init() ran before the tests */
	KT_ASSERT(t, task_create("block_test", body_task, &r) != NULL);
	KT_ASSERT(t, wait_flag(&r.done, 60));
}

/* ---- cases ------------------------------------------------------------------ */

static void expect_part(struct ktest *t, struct block_device *disk, unsigned n,
			uint64_t start, uint64_t count)
{
	char name[BDEV_NAME_MAX];
	struct block_device *p;

	bdev_part_name(disk->name, n, name);
	p = bdev_get(name);
	KT_ASSERT(t, p != NULL);
	KT_EXPECT(t, p->whole == disk);
	KT_EXPECT_EQ(t, p->start_sect, start);
	KT_EXPECT_EQ(t, p->nr_sectors, count);
}

static void partitions_body(struct ktest *t, struct block_device *disk, bool gpt)
{
	char name[BDEV_NAME_MAX];

	KT_EXPECT_EQ(t, disk->nr_sectors, 16384);
	expect_part(t, disk, 1, 2048, 4096);
	expect_part(t, disk, 2, 6144, 8192);
	bdev_part_name(disk->name, 3, name);
	KT_EXPECT(t, bdev_get(name) == NULL);   /* GPT: absent; MBR: extended, not a device */
	if (!gpt)
		expect_part(t, disk, 5, 14400, 1024);
	bdev_part_name(disk->name, gpt ? 5 : 6, name);
	KT_EXPECT(t, bdev_get(name) == NULL);
}

static void test_partitions(struct ktest *t)
{
	run_on_disks(t, partitions_body);
}

/* Pattern through the disk and through partitions (offsets remapped);
 * out-of-range and misaligned requests fail with the documented errno. */
static void read_body(struct ktest *t, struct block_device *disk, bool gpt)
{
	uint32_t bs = disk->block_size, spb = bs / SECTOR_SIZE;
	char name[BDEV_NAME_MAX];
	uint8_t *buf = kmalloc(16 * SECTOR_SIZE);
	struct block_device *p2;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, bs <= 8 * SECTOR_SIZE);
	KT_EXPECT_EQ(t, bdev_read(disk, 3000, buf, 8 * SECTOR_SIZE), 0);
	for (unsigned i = 0; i < 8; i++)
		KT_EXPECT(t, sector_matches(buf + i * SECTOR_SIZE, 3000 + i, false));
	bdev_part_name(disk->name, 2, name);
	p2 = bdev_get(name);
	if (p2) {
		/* The partition's last block, then one past its end. */
		KT_EXPECT_EQ(t, bdev_read(p2, 8192 - spb, buf, bs), 0);
		for (unsigned i = 0; i < spb; i++)
			KT_EXPECT(t, sector_matches(buf + i * SECTOR_SIZE, 6144 + 8192 - spb + i, false));
		KT_EXPECT_EQ(t, bdev_read(p2, 8192, buf, bs), -ENXIO);
		KT_EXPECT_EQ(t, bdev_read(p2, 8192 - spb, buf, 2 * bs), -ENXIO);
	}
	KT_EXPECT_EQ(t, bdev_read(disk, 0, buf, 100), -EINVAL);
	if (spb > 1)
		KT_EXPECT_EQ(t, bdev_read(disk, 1, buf, bs), -EINVAL);
	KT_EXPECT_EQ(t, bdev_read(disk, 16384, buf, bs), -ENXIO);
	kfree(buf);
}

static void test_read_pattern(struct ktest *t)
{
	run_on_disks(t, read_body);
}

/* 1 MiB at a buffer offset of one block: NVMe needs a PRP list and an
 * offset in PRP1, and the request is split at the disk's max_transfer. */
#define BIG_SECTORS 2048

static void big_read_body(struct ktest *t, struct block_device *disk, bool gpt)
{
	uint32_t bs = disk->block_size;
	uint8_t *mem = kmalloc(BIG_SECTORS * SECTOR_SIZE + bs);
	unsigned bad = 0;

	KT_ASSERT(t, mem != NULL);
	memset(mem, 0, BIG_SECTORS * SECTOR_SIZE + bs);
	KT_EXPECT_EQ(t, bdev_read(disk, 3000, mem + bs, BIG_SECTORS * SECTOR_SIZE), 0);
	for (unsigned i = 0; i < BIG_SECTORS; i++)
		bad += !sector_matches(mem + bs + i * SECTOR_SIZE, 3000 + i, false);
	KT_EXPECT_EQ(t, bad, 0);
	printk("    # block_test: %s: 1 MiB read, max_transfer %u\n", disk->name,
	       disk->max_transfer);
	kfree(mem);
}

static void test_big_read(struct ktest *t)
{
	run_on_disks(t, big_read_body);
}

/* The cache: the same block twice is one buffer; a partition's block is
 * the disk's block. */
static void cache_body(struct ktest *t, struct block_device *disk, bool gpt)
{
	char name[BDEV_NAME_MAX];
	struct block_device *p1;
	struct buf *a, *b;

	bdev_part_name(disk->name, 1, name);
	KT_ASSERT(t, (p1 = bdev_get(name)) != NULL);
	a = bread(p1, 10, 4096);                /* sectors 2128..2135 of the disk */
	KT_ASSERT(t, !IS_ERR(a));
	KT_EXPECT(t, sector_matches(a->data, 2128, false));
	KT_EXPECT(t, sector_matches(a->data + 7 * SECTOR_SIZE, 2135, false));
	brelse(a);
	b = bread(disk, 2128 / 8, 4096);
	KT_ASSERT(t, !IS_ERR(b));
	KT_EXPECT(t, a == b);
	brelse(b);
	KT_EXPECT_EQ(t, PTR_ERR(bread(p1, 4096 / 8, 4096)), -ENXIO);
	KT_EXPECT_EQ(t, PTR_ERR(bread(p1, 0, 1000)), -EINVAL);
	if (disk->block_size > 1024)
		KT_EXPECT_EQ(t, PTR_ERR(bread(p1, 0, 1024)), -EINVAL);
}

static void test_buffer_cache(struct ktest *t)
{
	run_on_disks(t, cache_body);
}

/* Write the complement of the pattern where scripts/mkdisk.py expects it:
 * block 1 (4 KiB) of partition 1 through the cache, sectors 104..111 of
 * partition 2 directly; sync; then read back past the cache. */
static void write_body(struct ktest *t, struct block_device *disk, bool gpt)
{
	if (disk->read_only)
		return;         /* test_read_only */
	char name[BDEV_NAME_MAX];
	struct block_device *p1, *p2;
	uint8_t *buf = kmalloc(8 * SECTOR_SIZE);
	struct buf *b;

	KT_ASSERT(t, buf != NULL);
	bdev_part_name(disk->name, 1, name);
	KT_ASSERT(t, (p1 = bdev_get(name)) != NULL);
	bdev_part_name(disk->name, 2, name);
	KT_ASSERT(t, (p2 = bdev_get(name)) != NULL);

	b = bread(p1, 1, 4096);
	KT_ASSERT(t, !IS_ERR(b));
	for (unsigned i = 0; i < 8; i++)
		fill_flipped(b->data + i * SECTOR_SIZE, 2048 + 8 + i);
	bdirty(b);
	brelse(b);
	for (unsigned i = 0; i < 8; i++)
		fill_flipped(buf + i * SECTOR_SIZE, 6144 + 104 + i);
	KT_EXPECT_EQ(t, bdev_write(p2, 104, buf, 8 * SECTOR_SIZE), 0);
	KT_EXPECT_EQ(t, bdev_sync(p1), 0);

	bcache_shrink();                /* the buffer is clean now: dropped */
	memset(buf, 0, 8 * SECTOR_SIZE);
	KT_EXPECT_EQ(t, bdev_read(disk, 2048 + 8, buf, 8 * SECTOR_SIZE), 0);
	for (unsigned i = 0; i < 8; i++)
		KT_EXPECT(t, sector_matches(buf + i * SECTOR_SIZE, 2048 + 8 + i, true));
	KT_EXPECT_EQ(t, bdev_read(disk, 6144 + 104, buf, 8 * SECTOR_SIZE), 0);
	for (unsigned i = 0; i < 8; i++)
		KT_EXPECT(t, sector_matches(buf + i * SECTOR_SIZE, 6144 + 104 + i, true));
	KT_EXPECT_EQ(t, bdev_read(disk, 2048 + 16, buf, disk->block_size), 0);
	KT_EXPECT(t, sector_matches(buf, 2048 + 16, false));
	kfree(buf);
}

static void test_write_and_sync(struct ktest *t)
{
	run_on_disks(t, write_body);
}

/* Several tasks at once: direct reads of different ranges (requests in
 * flight together) and the same cached block (the buffer's sleeping lock). */
#define IO_TASKS 6
#define IO_ROUNDS 24

static struct wait_queue workers_done = WAIT_QUEUE_INIT(workers_done);

struct io_worker {
	struct block_device *disk;
	unsigned id;
	int bad;                        /* reads that failed or mismatched */
	bool done;
};

static void io_worker(void *arg)
{
	struct io_worker *w = arg;
	uint8_t *buf = kmalloc(8 * SECTOR_SIZE);

	for (unsigned r = 0; buf && r < IO_ROUNDS; r++) {
		uint64_t s = 3000 + (w->id * IO_ROUNDS + r) * 8 % 9000;
		if (bdev_read(w->disk, s, buf, 8 * SECTOR_SIZE))
			w->bad++;
		for (unsigned i = 0; i < 8; i++)
			w->bad += !sector_matches(buf + i * SECTOR_SIZE, s + i, false);
		struct buf *b = bread(w->disk, 4000 / 8, 4096);
		if (IS_ERR(b)) {
			w->bad++;
			continue;
		}
		w->bad += !sector_matches(b->data + 7 * SECTOR_SIZE, 4007, false);
		brelse(b);
	}
	w->bad += !buf;
	kfree(buf);
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
	wait_queue_wake_all(&workers_done);
}

static void concurrent_body(struct ktest *t, struct block_device *disk, bool gpt)
{
	struct io_worker *w = kzalloc(IO_TASKS * sizeof(*w));

	KT_ASSERT(t, w != NULL);
	for (unsigned i = 0; i < IO_TASKS; i++) {
		w[i] = (struct io_worker){ .disk = disk, .id = i };
		if (!task_create("block_io", io_worker, &w[i])) {
			w[i].bad = 1;
			w[i].done = true;
		}
	}
	for (unsigned i = 0; i < IO_TASKS; i++) {
		wait_event(&workers_done, __atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE));
		KT_EXPECT_EQ(t, w[i].bad, 0);
	}
	kfree(w);
}

static void test_concurrent_io(struct ktest *t)
{
	run_on_disks(t, concurrent_body);
}

/* A full cache reuses buffers: the dirty ones are written back first.
 * Sectors 200..263 of partition 2 get the complement only through
 * bdirty() and eviction (no bwrite, no sync of them); scripts/mkdisk.py
 * checks them on the host after the final flush. */
#define EVICT_FIRST   200
#define EVICT_BLOCKS  8

static void eviction_body(struct ktest *t, struct block_device *disk, bool gpt)
{
	if (disk->read_only)
		return;         /* test_read_only */
	char name[BDEV_NAME_MAX];
	struct block_device *p2;
	uint8_t *buf = kmalloc(EVICT_BLOCKS * 4096);
	unsigned bad = 0;

	KT_ASSERT(t, buf != NULL);
	bdev_part_name(disk->name, 2, name);
	KT_ASSERT(t, (p2 = bdev_get(name)) != NULL);
	for (unsigned i = 0; i < EVICT_BLOCKS; i++) {
		struct buf *b = bread(p2, EVICT_FIRST / 8 + i, 4096);
		KT_ASSERT(t, !IS_ERR(b));
		for (unsigned j = 0; j < 8; j++)
			fill_flipped(b->data + j * SECTOR_SIZE, 6144 + EVICT_FIRST + 8 * i + j);
		bdirty(b);
		brelse(b);
	}
	/* More blocks than the cache holds (4 KiB units), holding the plain
	 * pattern: past the tables, below the EBR, and not written so far. */
	unsigned reads = 0;
	for (uint64_t blk = 6; reads < BCACHE_MAX_BUFS + 64 && blk < 14336 / 8; blk++) {
		uint64_t s = blk * 8;
		if (s == 2048 + 8 || s == 6144 + 104 ||
		    (s >= 6144 + EVICT_FIRST && s < 6144 + EVICT_FIRST + 8 * EVICT_BLOCKS))
			continue;
		struct buf *b = bread(disk, blk, 4096);
		reads++;
		if (IS_ERR(b)) {
			bad++;
			continue;
		}
		bad += !sector_matches(b->data, s, false);
		brelse(b);
	}
	KT_EXPECT_EQ(t, reads, BCACHE_MAX_BUFS + 64);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT(t, bcache_nr_bufs() <= BCACHE_MAX_BUFS);
	/* Past the cache: the disk itself has the new bytes. */
	KT_EXPECT_EQ(t, bdev_read(p2, EVICT_FIRST, buf, EVICT_BLOCKS * 4096), 0);
	for (unsigned s = 0; s < EVICT_BLOCKS * 8; s++)
		bad += !sector_matches(buf + s * SECTOR_SIZE, 6144 + EVICT_FIRST + s, true);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, bdev_sync(disk), 0);
	bcache_shrink();
	KT_EXPECT_EQ(t, bcache_nr_bufs(), 0);
	kfree(buf);
}

static void test_eviction_writes_back(struct ktest *t)
{
	run_on_disks(t, eviction_body);
}

/* A disk stamped "R" (mkdisk.py ... ro) is attached read-only: the driver
 * must say so, and writes fail with -EROFS without reaching the device;
 * other disks must be writable. Runs last: it leaves a dirty buffer that
 * cannot be written back. */
static void read_only_body(struct ktest *t, struct block_device *disk, bool gpt)
{
	uint8_t *buf = kmalloc(disk->block_size);
	char name[BDEV_NAME_MAX];
	struct block_device *p1;
	struct buf *b;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, bdev_read(disk, 0, buf, disk->block_size) == 0);
	bool stamped_ro = buf[20] == 'R';
	KT_EXPECT_EQ(t, disk->read_only, stamped_ro);
	if (!stamped_ro || !disk->read_only) {
		kfree(buf);
		return;
	}
	bdev_part_name(disk->name, 1, name);
	KT_ASSERT(t, (p1 = bdev_get(name)) != NULL);
	KT_EXPECT(t, p1->read_only);
	fill_flipped(buf, 3000);
	KT_EXPECT_EQ(t, bdev_write(disk, 3000, buf, disk->block_size), -EROFS);
	b = bread(p1, 1, 4096);
	KT_ASSERT(t, !IS_ERR(b));
	fill_flipped(b->data, 2048 + 8);
	bdirty(b);
	KT_EXPECT_EQ(t, bwrite(b), -EROFS);
	KT_EXPECT(t, b->dirty);
	brelse(b);
	KT_EXPECT_EQ(t, bdev_sync(p1), -EROFS);
	KT_EXPECT_EQ(t, bdev_flush(disk), 0);   /* nothing to flush is fine */
	kfree(buf);
}

static void test_read_only(struct ktest *t)
{
	run_on_disks(t, read_only_body);
}

/* CRC-32 check values (the "123456789" check of the CRC catalogue). */
static void test_crc32(struct ktest *t)
{
	KT_EXPECT_EQ(t, crc32(0, "123456789", 9), 0xcbf43926u);
	KT_EXPECT_EQ(t, crc32(crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
	KT_EXPECT_EQ(t, crc32(0, "", 0), 0);
}

static struct ktest_case block_cases[] = {
	KTEST_CASE(test_crc32),
	KTEST_CASE(test_partitions),
	KTEST_CASE(test_read_pattern),
	KTEST_CASE(test_big_read),
	KTEST_CASE(test_buffer_cache),
	KTEST_CASE(test_concurrent_io),
	KTEST_CASE(test_write_and_sync),
	KTEST_CASE(test_eviction_writes_back),
	KTEST_CASE(test_read_only),
	{},
};
KTEST_SUITE(block, block_cases);
