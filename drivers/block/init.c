/*
 * Starting the block drivers. Probing reads partition tables, which
 * sleeps, so it runs in a kernel task rather than in the boot flow (CPU
 * 0's idle task, which must not sleep). Interrupts of the devices found
 * go to the CPU that task ran on.
 */
#include <drivers/block/blkdev.h>
#include <kernel/printk.h>
#include <kernel/task.h>

static bool ready;

static void block_probe_task(void *arg)
{
	virtio_blk_init();
	nvme_init();
	__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
}

bool bdev_ready(void)
{
	return __atomic_load_n(&ready, __ATOMIC_ACQUIRE);
}

void block_init(void)
{
	if (!task_create("block_probe", block_probe_task, NULL)) {
		pr_err("block: cannot start the probe task\n");
		__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
	}
}
