/*
 * PID 1: the first user process, started from the initramfs. Its
 * descriptors 0, 1 and 2 are the console. When it exits the machine powers
 * off (see proc_exit), which is what scripts/run-prog and the test runner
 * rely on.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/exec/exec.h>
#include <drivers/tty/console.h>
#include "internal.h"

#define O_RDWR 2

struct init_args {
	const char *path;
	const char *const *argv;
	const char *const *envp;
	struct trap_frame *frame;
};

static struct init_args init_args;

static int open_console_fds(struct proc *p)
{
	struct file *con = console_open(O_RDWR);
	if (!con)
		return -ENOMEM;
	for (int fd = 0; fd < 3; fd++) {
		int r = fd_install(p->files, con, fd, false, FD_MAX_DEFAULT);
		if (r != fd) {
			file_put(con);
			return r < 0 ? r : -EBUSY;
		}
	}
	file_put(con);
	return 0;
}

static void init_main(void *arg)
{
	struct init_args *ia = arg;
	struct task *t = current_task();
	struct proc *p = current_proc();

	t->arch.user_regs = ia->frame;
	int err = open_console_fds(p);
	if (!err)
		err = arch_thread_init_user(&t->arch);
	if (!err)
		err = exec_kernel(ia->path, ia->argv, ia->envp);
	if (err) {
		pr_err("init: cannot run %s: error %d\n", ia->path, err);
		proc_exit(W_EXITCODE(127, 0));
	}
	arch_return_to_user(ia->frame);
}

int proc_start_init(const char *path, const char *const *argv, const char *const *envp)
{
	struct task *t = task_alloc("init");
	if (!t)
		return -ENOMEM;
	struct proc *p = proc_alloc(NULL, t);
	if (IS_ERR(p)) {
		task_free_unstarted(t);
		return PTR_ERR(p);
	}
	BUG_ON(p->pid != 1);
	p->files = fd_table_create();
	p->fs = fs_context_create();
	if (!p->files || !p->fs)
		return -ENOMEM;
	strlcpy(p->comm, "init", sizeof(p->comm));
	init_args = (struct init_args){ .path = path, .argv = argv, .envp = envp };
	t->saved_rsp = arch_user_task_stack(t->kstack_top, init_main, &init_args,
					    &init_args.frame);
	task_start(t);
	return 0;
}
