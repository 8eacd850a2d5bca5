/*
 * Reads and writes of open files on kernel buffers. A file's read and
 * write methods take user pointers and move the bytes with copy_to_user /
 * copy_from_user only (the contract in kernel/file.h); sendfile and
 * copy_file_range reuse them on a kernel bounce buffer by marking the
 * task (task.kernel_uaccess) for the length of the call, so that the
 * range check in mm/uaccess.h accepts the kernel address (what Linux once
 * did with set_fs(KERNEL_DS)). The mark belongs to the task, so it follows
 * the call across sleeps (a full pipe) and never leaks to other tasks; it
 * is cleared before returning, so user space never runs with it.
 */
#include <fs/kernel_rw.h>
#include <kernel/task.h>
#include <mm/uaccess.h>

bool uaccess_kernel_allowed(void)
{
	struct task *t = current_task();
	return t && t->kernel_uaccess;
}

/* Run one method call with the mark set (restored, so calls may nest). */
#define WITH_KERNEL_UACCESS(expr) ({                            \
		struct task *__t = current_task();              \
		bool __old = __t->kernel_uaccess;               \
		__t->kernel_uaccess = true;                     \
		long __r = (expr);                              \
		__t->kernel_uaccess = __old;                    \
		__r; })

long kernel_file_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	if (!f->ops->read)
		return -EINVAL;
	return WITH_KERNEL_UACCESS(f->ops->read(f, buf, len, pos));
}

long kernel_file_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	if (!f->ops->write)
		return -EINVAL;
	return WITH_KERNEL_UACCESS(f->ops->write(f, buf, len, pos));
}
