/*
 * System calls about the calling task. Until processes and thread groups
 * exist (kernel/proc, next), a task is its own process: getpid == gettid.
 */
#include <kernel/syscall.h>
#include <kernel/task.h>

long sys_getpid(void)
{
	return current_task()->tid;
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

__noreturn long sys_exit(int status)
{
	struct task *self = current_task();

	self->exit_code = status & 0xff;
	if (self->exit_report)
		*self->exit_report = self->exit_code;
	task_exit();
}

__noreturn long sys_exit_group(int status)
{
	sys_exit(status);
}
