/*
 * Signals: dispositions (rt_sigaction), per-thread masks (rt_sigprocmask),
 * pending sets, and what happens on the way back to user mode.
 *
 * Pending signals are two sets: the thread's own (tgkill, faults) and the
 * process's shared one (kill). Both are changed with atomic operations; a
 * sender then kicks a thread that can take the signal (signal_kick).
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <asm/trap.h>
#include <mm/uaccess.h>
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
	struct task *p = current_task();
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

/* Signals the default action ignores (signal(7): "Ign"); SIGCONT's
 * "continue" means nothing without stopped processes yet. */
#define SIG_DEFAULT_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGCONT))
#define SIG_DFL 0
#define SIG_IGN 1

static uint64_t deliverable(struct task *t)
{
	struct proc *p = t->proc;
	uint64_t pending = READ_ONCE(t->sigpending) | (p ? READ_ONCE(p->shared_pending) : 0);
	return pending & ~t->sigmask;
}

bool signal_pending(void)
{
	struct task *t = current_task();

	/* Pairs with the sender's atomic update before signal_kick: the
	 * sleeper's state change and this read are not reordered. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (READ_ONCE(t->flags) & TASK_F_KILLED)
		return true;
	return t->proc && deliverable(t);
}

void signal_kick(struct task *t)
{
	task_wake(t);
	if (READ_ONCE(t->cpu) != arch_cpu_id())
		arch_send_reschedule(READ_ONCE(t->cpu));
}

static bool ignored(struct proc *p, int sig)
{
	uint64_t h = p->sigactions[sig - 1].handler;
	return h == SIG_IGN || (h == SIG_DFL && (SIGBIT(sig) & SIG_DEFAULT_IGNORE));
}

int signal_send_task(struct task *t, int sig)
{
	struct proc *p = t->proc;

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (!p || ignored(p, sig))
		return 0;
	__atomic_fetch_or(&t->sigpending, SIGBIT(sig), __ATOMIC_SEQ_CST);
	signal_kick(t);
	return 0;
}

int signal_send(struct proc *p, int sig)
{
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (ignored(p, sig))
		return 0;
	__atomic_fetch_or(&p->shared_pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
	spin_lock(&proc_tree_lock);
	struct task *t, *pick = NULL;
	list_for_each_entry(t, &p->threads, thread_link) {
		if (!(t->sigmask & SIGBIT(sig))) {
			pick = t;
			break;
		}
	}
	if (pick)
		signal_kick(pick);
	spin_unlock(&proc_tree_lock);
	return 0;
}

/* Take the lowest deliverable signal off the pending sets: 0 if none. */
static int dequeue_signal(struct task *t)
{
	uint64_t mine = READ_ONCE(t->sigpending) & ~t->sigmask;
	if (mine) {
		int sig = __builtin_ctzll(mine) + 1;
		__atomic_fetch_and(&t->sigpending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
		return sig;
	}
	uint64_t shared = READ_ONCE(t->proc->shared_pending) & ~t->sigmask;
	while (shared) {
		int sig = __builtin_ctzll(shared) + 1;
		uint64_t old = __atomic_fetch_and(&t->proc->shared_pending, ~SIGBIT(sig),
						  __ATOMIC_SEQ_CST);
		if (old & SIGBIT(sig))
			return sig;
		shared &= ~SIGBIT(sig);         /* another thread took it */
	}
	return 0;
}

/* An interrupted system call: with nothing delivered it restarts (Linux
 * does the same when no handler runs), EINTR otherwise. */
static void syscall_interrupted(struct trap_frame *tf, bool handler_runs)
{
	long r = (long)tf->rax;
	if (r != -ERESTARTSYS && r != -ERESTARTNOINTR && r != -ERESTARTNOHAND &&
	    r != -ERESTART_RESTARTBLOCK)
		return;
	tf->rax = (uint64_t)-EINTR;
	(void)handler_runs;
}

void user_return_work(struct trap_frame *tf)
{
	struct task *t = current_task();

	sched_preempt_point();
	if (!t->proc)
		return;
	if (!(READ_ONCE(t->flags) & TASK_F_KILLED) && !deliverable(t)) {
		syscall_interrupted(tf, false);
		return;
	}
	arch_irq_enable();
	if (READ_ONCE(t->flags) & TASK_F_KILLED)
		thread_exit(0);                 /* the group's status applies */
	for (int sig; (sig = dequeue_signal(t)) != 0;) {
		if (ignored(t->proc, sig))
			continue;
		if (sig == SIGKILL || t->proc->sigactions[sig - 1].handler == SIG_DFL)
			proc_exit(W_EXITCODE(0, sig));
		/* A caught signal: handler frames come with the signals work;
		 * until then it stays pending. */
		__atomic_fetch_or(&t->sigpending, SIGBIT(sig), __ATOMIC_SEQ_CST);
		break;
	}
	syscall_interrupted(tf, true);
	arch_irq_disable();
}
