/*
 * Block devices: the registry (disks and partitions by name), synchronous
 * I/O through the disk's driver, and partition discovery at registration.
 *
 * Lock order: bdev_lock (registry) is a leaf; a disk's io_wait lock is
 * taken by bio_complete() from interrupt context.
 * A partition's I/O is remapped to its disk; bounds are checked here so
 * drivers see only requests inside the disk.
 */
#include <drivers/block/blkdev.h>
#include <drivers/block/part.h>
#include <fs/devices.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <asm/layout.h>

static LIST_HEAD(bdevs);
static struct spinlock bdev_lock = SPINLOCK_INIT("bdev_list");

/*
 * Device numbers, as Linux gives them: a virtio disk vdX is 254:16*X and
 * its partitions 1..15 follow it (254 is virtio-blk's dynamic major on
 * Linux); everything else (NVMe namespaces and their partitions, a virtio
 * partition past 15) takes the next minor of 259, Linux's blkext. Under
 * bdev_lock.
 */
#define VIRTIO_BLK_MAJOR 254
#define BLKEXT_MAJOR     259
#define VIRTIO_MINORS    16

static unsigned next_ext_minor;

static uint32_t pick_devnum(const struct block_device *b)
{
	const char *disk = b->whole->name;
	if (disk[0] == 'v' && disk[1] == 'd' && disk[2] >= 'a' && disk[2] <= 'z' && !disk[3] &&
	    b->partno < VIRTIO_MINORS)
		return MKDEV(VIRTIO_BLK_MAJOR, (unsigned)(disk[2] - 'a') * VIRTIO_MINORS + b->partno);
	unsigned minor = next_ext_minor++;
	return MKDEV(BLKEXT_MAJOR, minor);
}

/* Register b and give it its /dev node (sleeps: call from a task). */
static void bdev_add(struct block_device *b)
{
	unsigned long flags = spin_lock_irqsave(&bdev_lock);
	b->devnum = pick_devnum(b);
	list_add_tail(&b->node, &bdevs);
	spin_unlock_irqrestore(&bdev_lock, flags);
	int err = devfs_add_block(b->name, b->devnum);
	if (err)
		pr_warn("block: %s: no /dev node: %d\n", b->name, err);
}

struct block_device *bdev_by_devnum(uint32_t devnum)
{
	unsigned long flags = spin_lock_irqsave(&bdev_lock);
	struct block_device *b, *found = NULL;

	list_for_each_entry(b, &bdevs, node) {
		if (b->devnum == devnum) {
			found = b;
			break;
		}
	}
	spin_unlock_irqrestore(&bdev_lock, flags);
	return found;
}

struct block_device *bdev_get(const char *name)
{
	unsigned long flags = spin_lock_irqsave(&bdev_lock);
	struct block_device *b, *found = NULL;

	list_for_each_entry(b, &bdevs, node) {
		if (!strcmp(b->name, name)) {
			found = b;
			break;
		}
	}
	spin_unlock_irqrestore(&bdev_lock, flags);
	return found;
}

/* Devices are only ever added at the tail and never removed, so the walk
 * can drop the lock around fn (which may sleep). */
void bdev_for_each(void (*fn)(struct block_device *bdev, void *arg), void *arg)
{
	unsigned long flags = spin_lock_irqsave(&bdev_lock);
	struct list_head *pos = bdevs.next;

	while (pos != &bdevs) {
		struct block_device *b = list_entry(pos, struct block_device, node);
		spin_unlock_irqrestore(&bdev_lock, flags);
		fn(b, arg);
		flags = spin_lock_irqsave(&bdev_lock);
		pos = pos->next;
	}
	spin_unlock_irqrestore(&bdev_lock, flags);
}

void bdev_next_name(const char *prefix, char *name)
{
	for (char c = 'a'; c <= 'z'; c++) {
		snprintf(name, BDEV_NAME_MAX, "%s%c", prefix, c);
		if (!bdev_get(name))
			return;
	}
	snprintf(name, BDEV_NAME_MAX, "%s?", prefix);
}

void bdev_part_name(const char *disk, unsigned partno, char *name)
{
	size_t n = strlen(disk);

	/* Linux: "vda1", but "nvme0n1p1" when the disk's name ends in a digit. */
	snprintf(name, BDEV_NAME_MAX, "%s%s%u", disk,
		 n && disk[n - 1] >= '0' && disk[n - 1] <= '9' ? "p" : "", partno);
}

/* ---- I/O ------------------------------------------------------------------ */

void bio_complete(struct bio *bio, int error)
{
	struct block_device *disk = bio->disk;

	bio->error = error;
	/* After this store the submitter may return and free bio: wake via
	 * the disk, which outlives every request. */
	__atomic_store_n(&bio->done, true, __ATOMIC_RELEASE);
	wait_queue_wake_all(&disk->io_wait);
}

/* Memory a device can DMA to: the direct map and the kernel image (not the
 * vmap area, where kernel stacks live). */
static bool dma_ok(const void *buf, size_t len)
{
	uintptr_t v = (uintptr_t)buf;

	if (v >= KERNEL_VIRT_BASE)
		return v + len >= v;
	return v >= DIRECT_MAP_BASE && v + len <= DIRECT_MAP_BASE + DIRECT_MAP_SIZE;
}

static int submit_wait(struct block_device *disk, struct bio *bio)
{
	int err;

	bio->disk = disk;
	bio->done = false;
	bio->error = 0;
	err = disk->ops->submit(disk, bio);
	if (err)
		return err;
	wait_event(&disk->io_wait, __atomic_load_n(&bio->done, __ATOMIC_ACQUIRE));
	return bio->error;
}

static int bdev_rw(struct block_device *bdev, enum bio_op op, uint64_t sector,
		   void *buf, size_t len)
{
	struct block_device *disk = bdev->whole;
	uint32_t bs_sectors = disk->block_size >> SECTOR_SHIFT;
	uint64_t count = len >> SECTOR_SHIFT;
	size_t chunk = disk->max_transfer ? disk->max_transfer : 0x80000000u;
	int err = 0;

	if (len % disk->block_size || sector % bs_sectors || !dma_ok(buf, len))
		return -EINVAL;
	if (len && (sector >= bdev->nr_sectors || count > bdev->nr_sectors - sector))
		return -ENXIO;
	if (op == BIO_WRITE && disk->read_only)
		return -EROFS;
	/* One bio per chunk the driver accepts, in order, each waited for. */
	for (size_t done = 0; done < len && !err; done += chunk) {
		size_t n = len - done < chunk ? len - done : chunk;
		struct bio bio = {
			.op = op,
			.sector = bdev->start_sect + sector + (done >> SECTOR_SHIFT),
			.buf = (uint8_t *)buf + done,
			.len = (uint32_t)n,
		};
		err = submit_wait(disk, &bio);
	}
	return err;
}

int bdev_read(struct block_device *bdev, uint64_t sector, void *buf, size_t len)
{
	return bdev_rw(bdev, BIO_READ, sector, buf, len);
}

int bdev_write(struct block_device *bdev, uint64_t sector, const void *buf, size_t len)
{
	return bdev_rw(bdev, BIO_WRITE, sector, (void *)buf, len);
}

int bdev_flush(struct block_device *bdev)
{
	struct bio bio = { .op = BIO_FLUSH };
	return submit_wait(bdev->whole, &bio);
}

/* ---- registration ---------------------------------------------------------- */

/* part_parse's reader: logical block lba of the disk (ctx). */
static int scan_read(void *ctx, uint64_t lba, void *buf)
{
	struct block_device *disk = ctx;
	uint32_t bs = disk->block_size;
	return bdev_read(disk, lba * (bs >> SECTOR_SHIFT), buf, bs);
}

static void add_partition(struct block_device *disk, const struct part_info *p)
{
	uint32_t spb = disk->block_size >> SECTOR_SHIFT;
	struct block_device *part = kzalloc(sizeof(*part));

	if (!part)
		return;
	bdev_part_name(disk->name, p->partno, part->name);
	part->block_size = disk->block_size;
	part->read_only = disk->read_only;
	part->start_sect = p->start * spb;
	part->nr_sectors = p->nr_blocks * spb;
	part->whole = disk;
	part->partno = p->partno;
	bdev_add(part);
	pr_info("block: %s: start %llu, %llu sectors\n", part->name,
		(unsigned long long)part->start_sect, (unsigned long long)part->nr_sectors);
}

static void scan_partitions(struct block_device *disk)
{
	static const char *const scheme_name[] = { "none", "MBR", "GPT" };
	struct part_info *parts = kmalloc(PART_MAX * sizeof(*parts));
	void *buf = kmalloc(disk->block_size);
	enum part_scheme scheme;
	int n = -ENOMEM;

	if (parts && buf)
		n = part_parse(scan_read, disk, disk->block_size,
			       disk->nr_sectors / (disk->block_size >> SECTOR_SHIFT),
			       buf, parts, PART_MAX, &scheme);
	if (n < 0)
		pr_warn("block: %s: cannot read the partition table: %d\n", disk->name, n);
	else
		pr_info("block: %s: partition table %s, %d partitions\n", disk->name,
			scheme_name[scheme], n);
	for (int i = 0; i < n; i++)
		add_partition(disk, &parts[i]);
	kfree(parts);
	kfree(buf);
}

int bdev_register_disk(struct block_device *disk)
{
	if (!disk->ops || disk->block_size < SECTOR_SIZE || disk->block_size % SECTOR_SIZE ||
	    disk->max_transfer % disk->block_size)
		return -EINVAL;
	disk->whole = disk;
	disk->start_sect = 0;
	disk->partno = 0;
	wait_queue_init(&disk->io_wait);
	bdev_add(disk);
	pr_info("block: %s: %llu sectors of 512 bytes, block size %u%s\n", disk->name,
		(unsigned long long)disk->nr_sectors, disk->block_size,
		disk->read_only ? ", read-only" : "");
	scan_partitions(disk);
	return 0;
}
