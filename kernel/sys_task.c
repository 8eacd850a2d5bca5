/*
 * System calls about the calling task and process.
 */
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <kernel/proc.h>

long sys_getpid(void)
{
	struct proc *p = current_proc();
	return p ? p->pid : current_task()->tid;
}

long sys_getppid(void)
{
	struct proc *p = current_proc();
	if (!p)
		return 0;
	spin_lock(&proc_tree_lock);
	int ppid = p->parent ? p->parent->pid : 0;
	spin_unlock(&proc_tree_lock);
	return ppid;
}

long sys_gettid(void)
{
	return current_task()->tid;
}

long sys_sched_yield(void)
{
	sched_yield();
	return 0;
}
