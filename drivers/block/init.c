/*
 * Starting the block drivers. Probing reads partition tables, which
 * sleeps, so it runs in a kernel task; the boot flow (CPU 0's idle task,
 * which must not sleep) yields to it until it has exited, so that
 * block_init() returns with every disk present at boot registered and no
 * task of its own left (tests count tasks and frames).
 */
#include <drivers/block/blkdev.h>
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/task.h>
#include <kernel/time.h>

#define PROBE_TIMEOUT_NS (60 * NSEC_PER_SEC)

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
	unsigned tasks = sched_nr_tasks();
	uint64_t end = time_ns() + PROBE_TIMEOUT_NS;

	if (!task_create("block_probe", block_probe_task, NULL)) {
		pr_err("block: cannot start the probe task\n");
		return;
	}
	arch_irq_enable();
	while (sched_nr_tasks() > tasks) {
		if (time_ns() > end) {
			pr_err("block: probing still runs after %llu s; booting on\n",
			       PROBE_TIMEOUT_NS / NSEC_PER_SEC);
			return;
		}
		schedule();
		arch_cpu_relax();
	}
}
