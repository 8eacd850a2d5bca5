/* The system-call dispatcher: table lookup, and -ENOSYS for the rest. */
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/task.h>

/* One bit per syscall number: has its absence been reported yet? */
static uint64_t enosys_reported[(512 + 63) / 64];

static long enosys(unsigned long nr)
{
	/* Numbers past the table share the last bit: logged once in all. */
	unsigned long slot = nr < 511 ? nr : 511;
	uint64_t bit = 1ull << (slot % 64);
	if (__atomic_fetch_or(&enosys_reported[slot / 64], bit, __ATOMIC_RELAXED) & bit)
		return -ENOSYS;
	const char *name = nr < syscall_table_size ? syscall_names[nr] :
		nr - GOOS_SYSCALL_BASE < goos_syscall_table_size ?
		goos_syscall_names[nr - GOOS_SYSCALL_BASE] : NULL;
	if (!name)
		name = "unknown";
	pr_warn("syscall: %s (%lu) not implemented, called by %s[%d]\n", name, nr,
		current_task()->name, current_task()->tid);
	return -ENOSYS;
}

long syscall_dispatch(unsigned long nr, unsigned long a0, unsigned long a1,
		      unsigned long a2, unsigned long a3, unsigned long a4,
		      unsigned long a5)
{
	syscall_fn_t fn = NULL;

	if (nr < syscall_table_size)
		fn = syscall_table[nr];
	else if (nr - GOOS_SYSCALL_BASE < goos_syscall_table_size)
		fn = goos_syscall_table[nr - GOOS_SYSCALL_BASE];
	if (!fn)
		return enosys(nr);
	return fn(a0, a1, a2, a3, a4, a5);
}
