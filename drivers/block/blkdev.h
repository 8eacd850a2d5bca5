/*
 * The block layer: disks and their partitions as struct block_device, I/O
 * requests (struct bio) that drivers complete from their interrupt
 * handlers, and a buffer cache over them.
 *
 *   bdev.c     registry of devices, synchronous read/write/flush
 *   part.c     MBR and GPT partition tables (pure: also built on the host)
 *   crc32.c    the CRC-32 GPT uses
 *   bcache.c   the buffer cache: bread/bwrite/brelse/bdev_sync
 *   init.c     boot-time probing (block_init)
 *   virtio_blk.c  the virtio block driver (drivers/nvme/: the NVMe one)
 *
 * Every I/O function here sleeps until the device answers: call from a
 * task, never from interrupt context or a CPU's idle loop.
 *
 * Units: a "sector" is always 512 bytes (as in Linux), whatever the
 * device's logical block size; transfers must be whole logical blocks.
 * Buffers handed to the block layer must be DMA-able kernel memory:
 * kmalloc, pmm pages or static data, never a (vmap'd) kernel stack.
 */
#pragma once

#include <kernel/list.h>
#include <kernel/task.h>
#include <kernel/types.h>

#define SECTOR_SIZE  512
#define SECTOR_SHIFT 9
#define BDEV_NAME_MAX 16

enum bio_op { BIO_READ, BIO_WRITE, BIO_FLUSH };

/*
 * One request to a whole disk. The submitter fills op/sector/buf/len and
 * sleeps on the disk's io_wait until done; the driver calls bio_complete()
 * exactly once (from any context).
 */
struct bio {
	enum bio_op op;
	uint64_t sector;                /* on the whole disk, 512-byte units */
	void *buf;                      /* DMA-able, len bytes */
	uint32_t len;                   /* multiple of the logical block size */
	struct block_device *disk;
	/* Written by the driver at completion, read by the submitter after done. */
	int error;                      /* 0 or -EIO */
	bool done;
};

struct block_ops {
	/* Queue bio to the device; 0 if queued (completion follows), else
	 * -errno and bio_complete() will not be called. May sleep waiting for
	 * a free slot. A disk without a volatile cache completes BIO_FLUSH at
	 * once. */
	int (*submit)(struct block_device *disk, struct bio *bio);
};

/*
 * A disk (whole == itself) or a partition of one. Registered devices are
 * never freed (no hot unplug), so pointers to them stay valid.
 */
struct block_device {
	/* Immutable once registered. */
	char name[BDEV_NAME_MAX];       /* "vda", "vda1", "nvme0n1p2" */
	uint32_t block_size;            /* logical block size in bytes (>= 512) */
	uint32_t max_transfer;          /* disks: bytes per bio at most, 0: no limit */
	bool read_only;                 /* the device refuses writes (-EROFS) */
	uint64_t nr_sectors;            /* size in 512-byte sectors */
	struct block_device *whole;     /* the disk (itself for a disk) */
	uint64_t start_sect;            /* partition: first sector on the disk */
	unsigned partno;                /* 0 for the disk, 1.. for partitions */
	uint32_t devnum;                /* st_rdev of its /dev node (bdev.c: the scheme) */
	const struct block_ops *ops;    /* disks only */
	void *driver_data;
	struct wait_queue io_wait;      /* disks: woken by bio_complete() */
	struct list_head node;          /* bdev.c's list, under its lock */
};

/* ---- drivers ------------------------------------------------------------ */

/* Register a disk: name, block_size, nr_sectors, ops, driver_data,
 * read_only and max_transfer (a multiple of block_size, or 0) set by the
 * driver. Reads
 * its partition table (sleeps) and registers the partitions. 0 or
 * -EINVAL (bad geometry); a table that cannot be read leaves the disk
 * without partitions. */
int bdev_register_disk(struct block_device *disk);
/* Finish a request; interrupt context allowed. */
void bio_complete(struct bio *bio, int error);
/* The next free name "<prefix><letter>" (vda, vdb...). */
void bdev_next_name(const char *prefix, char *name);

/* ---- users -------------------------------------------------------------- */

/* Look a device up by name ("vda", "vda1"); NULL if none. */
struct block_device *bdev_get(const char *name);
/* Look a device up by its device number (MKDEV, fs/devices.h); NULL if none. */
struct block_device *bdev_by_devnum(uint32_t devnum);
/* The name of partition partno of disk: "vda" 1 -> "vda1", "nvme0n1" 1 ->
 * "nvme0n1p1". name has BDEV_NAME_MAX bytes. */
void bdev_part_name(const char *disk, unsigned partno, char *name);
/* Call fn for each registered device, in registration order. */
void bdev_for_each(void (*fn)(struct block_device *bdev, void *arg), void *arg);

/* Synchronous I/O at sector (relative to bdev, 512-byte units): 0 or
 * -EINVAL (not whole logical blocks, or a buffer the device cannot reach),
 * -ENXIO (beyond the end of bdev), -EROFS (write to a read-only disk),
 * -EIO (the device failed). */
int bdev_read(struct block_device *bdev, uint64_t sector, void *buf, size_t len);
int bdev_write(struct block_device *bdev, uint64_t sector, const void *buf, size_t len);
/* Make completed writes durable (the device's write cache): 0 or -EIO. */
int bdev_flush(struct block_device *bdev);

/* ---- buffer cache (bcache.c) -------------------------------------------- */

/*
 * A cached block of `size` bytes (512..4096, a multiple of the device's
 * block size) at block number blockno in units of size, relative to bdev.
 * bread() returns it locked for the caller (one holder at a time, it
 * sleeps for others); brelse() unlocks it.
 */
struct buf {
	/* Immutable while cached. */
	struct block_device *disk;      /* whole disk: partitions share buffers */
	uint64_t sector;                /* on the disk */
	uint32_t size;
	/* Protected by the cache lock. */
	unsigned refcnt;                /* holders and waiters; 0: on the LRU */
	struct list_head hash_link, lru_link;
	bool locked;                    /* a holder has it (sleeping lock) */
	/* Protected by the buffer's sleeping lock (locked). */
	bool valid;                     /* data holds the block's contents */
	bool dirty;                     /* data newer than the disk */
	uint8_t *data;
};

/* The block, read from disk unless cached. ERR_PTR(-errno) on error:
 * -EINVAL (size not allowed for the device), -ENXIO (block past the end),
 * -EIO (the read failed), -ENOMEM. */
struct buf *bread(struct block_device *bdev, uint64_t blockno, uint32_t size);
/* Like bread but without reading: for a block about to be overwritten
 * whole. The data is zeroed if the block was not cached. */
struct buf *bget(struct block_device *bdev, uint64_t blockno, uint32_t size);
/* Write b to disk now (not durable until bdev_sync/bdev_flush). 0 or
 * -errno as bdev_write; on error b stays dirty. */
int bwrite(struct buf *b);
/* Mark b modified; written by bdev_sync() or when evicted. */
void bdirty(struct buf *b);
/* Unlock b and drop the caller's reference. */
void brelse(struct buf *b);
/* Write every dirty buffer of bdev's disk, then flush the device and wait.
 * 0 or the first -errno met. */
int bdev_sync(struct block_device *bdev);
/* Drop every unreferenced clean buffer (tests, and memory pressure). */
void bcache_shrink(void);
/* Buffers cached now; at most BCACHE_MAX_BUFS unless all are in use. */
#define BCACHE_MAX_BUFS 1024
unsigned bcache_nr_bufs(void);

/* ---- block special files (bfile.c) ------------------------------------- */

struct file;
/* Open the block device with number devnum (an S_IFBLK inode's rdev):
 * 0 with *out, -ENXIO if no device has the number, -ENOMEM. Reads and
 * writes go through the buffer cache; the last close writes it back. */
long blkdev_open(uint32_t devnum, unsigned flags, struct file **out);

/* ---- boot --------------------------------------------------------------- */

/* Boot flow, after sched_init: probe the block drivers (in a kernel task:
 * reading partition tables sleeps) and return when done. bdev_ready():
 * block_init() finished probing (every disk present at boot and its
 * partitions are registered). */
void block_init(void);
bool bdev_ready(void);

/* Driver entry points block_init() calls (each registers a PCI driver). */
void virtio_blk_init(void);
void nvme_init(void);
