/*
 * membarrier(2): a memory barrier on every CPU running threads of the
 * caller's process (or on every CPU), so that user-space synchronization
 * (musl's dynamic linker, RCU-style libraries) can make its fast paths
 * barrier-free. Implemented with the acknowledged IPI of TLB shootdowns.
 */
#include <kernel/errno.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <mm/mm.h>
#include <mm/vmm.h>

/* Commands (linux/membarrier.h). */
#define MEMBARRIER_CMD_QUERY                            0
#define MEMBARRIER_CMD_GLOBAL                           (1 << 0)
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED                 (1 << 1)
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED        (1 << 2)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED                (1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED       (1 << 4)

#define SUPPORTED (MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_GLOBAL_EXPEDITED | \
		   MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED | \
		   MEMBARRIER_CMD_PRIVATE_EXPEDITED | \
		   MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)

long sys_membarrier(int cmd, unsigned flags, int cpu_id)
{
	struct mm *mm = current_task()->mm;

	(void)cpu_id;
	if (flags)
		return -EINVAL;         /* MEMBARRIER_CMD_FLAG_CPU goes with rseq only */
	switch (cmd) {
	case MEMBARRIER_CMD_QUERY:
		return SUPPORTED;
	case MEMBARRIER_CMD_GLOBAL:
	case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		arch_sync_cpus(~0ull);
		return 0;
	case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
		if (!mm)
			return -EINVAL;
		__atomic_fetch_or(&mm->membarrier_registered, (unsigned)cmd, __ATOMIC_SEQ_CST);
		return 0;
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
		if (!mm || !(__atomic_load_n(&mm->membarrier_registered, __ATOMIC_SEQ_CST) &
			     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
			return -EPERM;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		arch_sync_cpus(__atomic_load_n(&mm->space.active_cpus, __ATOMIC_SEQ_CST));
		return 0;
	default:
		return -EINVAL;
	}
}
