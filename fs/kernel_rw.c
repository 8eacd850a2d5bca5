/*
 * Reads and writes of open files on kernel buffers. A file's read and
 * write methods take user pointers and move the bytes with copy_to_user /
 * copy_from_user only (the contract in kernel/file.h); sendfile and
 * copy_file_range reuse them on a kernel bounce buffer by opening a
 * window on that buffer for the calling task (task.kernel_uaccess_*) for
 * the length of the call: the range check in mm/uaccess.h accepts
 * exactly that buffer, besides user memory. This is Linux's old
 * set_fs(KERNEL_DS) narrowed to one buffer, so a method that copied from
 * some other address it was handed could still not reach kernel memory.
 * The window belongs to the task, so it follows the call across sleeps
 * (a full pipe) and never shows to other tasks; it is closed before
 * returning, so user mode never runs with it.
 */
#include <fs/kernel_rw.h>
#include <kernel/task.h>
#include <mm/uaccess.h>

bool uaccess_kernel_window(uintptr_t a, size_t n)
{
	struct task *t = current_task();
	return t && a >= t->kernel_uaccess_start && a + n <= t->kernel_uaccess_end;
}

/* Run one method call with the window open on [buf, buf + len). */
#define WITH_KERNEL_WINDOW(buf, len, expr) ({                           \
		struct task *__t = current_task();                      \
		uintptr_t __s = __t->kernel_uaccess_start;              \
		uintptr_t __e = __t->kernel_uaccess_end;                \
		__t->kernel_uaccess_start = (uintptr_t)(buf);           \
		__t->kernel_uaccess_end = (uintptr_t)(buf) + (len);     \
		long __r = (expr);                                      \
		__t->kernel_uaccess_start = __s;                        \
		__t->kernel_uaccess_end = __e;                          \
		__r; })

long kernel_file_read(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	if (!f->ops->read)
		return -EINVAL;
	return WITH_KERNEL_WINDOW(buf, len, f->ops->read(f, buf, len, pos));
}

long kernel_file_write(struct file *f, const void *buf, size_t len, uint64_t *pos)
{
	if (!f->ops->write)
		return -EINVAL;
	return WITH_KERNEL_WINDOW(buf, len, f->ops->write(f, buf, len, pos));
}
