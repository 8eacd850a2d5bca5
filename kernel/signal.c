/*
 * Signal dispositions and masks: rt_sigaction and rt_sigprocmask keep and
 * report them exactly as Linux does. Delivery (frames, handlers, default
 * actions other than the fatal ones the fault path takes) arrives with the
 * signals issue; until then nothing is ever pending.
 */
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/uaccess.h>

#define SIGKILL 9
#define SIGSTOP 19
#define NSIG 64
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGSET_UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

/* The kernel's struct sigaction on x86-64 (not libc's). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};
_Static_assert(sizeof(struct k_sigaction) == 32, "kernel sigaction layout");

long sys_rt_sigaction(int sig, const void *uact, void *uoact, size_t sigsetsize)
{
	struct proc *p = current_proc();
	struct k_sigaction act;

	if (sigsetsize != 8)
		return -EINVAL;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (uact && copy_from_user(&act, uact, sizeof(act)))
		return -EFAULT;
	if (uact && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct k_sigaction old = {
		.handler = p->sigactions[sig - 1].handler,
		.flags = p->sigactions[sig - 1].flags,
		.restorer = p->sigactions[sig - 1].restorer,
		.mask = p->sigactions[sig - 1].mask,
	};
	if (uoact && copy_to_user(uoact, &old, sizeof(old)))
		return -EFAULT;
	if (uact) {
		act.mask &= ~SIGSET_UNBLOCKABLE;
		p->sigactions[sig - 1].handler = act.handler;
		p->sigactions[sig - 1].flags = act.flags;
		p->sigactions[sig - 1].restorer = act.restorer;
		p->sigactions[sig - 1].mask = act.mask;
	}
	return 0;
}

long sys_rt_sigprocmask(int how, const uint64_t *uset, uint64_t *uoset, size_t sigsetsize)
{
	struct proc *p = current_proc();
	uint64_t set, old = p->sigmask;

	if (sigsetsize != 8)
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK: p->sigmask |= set; break;
		case SIG_UNBLOCK: p->sigmask &= ~set; break;
		case SIG_SETMASK: p->sigmask = set; break;
		default: return -EINVAL;
		}
		p->sigmask &= ~SIGSET_UNBLOCKABLE;
	}
	if (uoset && copy_to_user(uoset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* exec: caught signals go back to their default action (signal(7)). */
void signal_exec_reset(struct proc *p)
{
	for (int i = 0; i < NSIG; i++)
		if (p->sigactions[i].handler > 1)       /* not SIG_DFL (0) / SIG_IGN (1) */
			memset(&p->sigactions[i], 0, sizeof(p->sigactions[i]));
}
