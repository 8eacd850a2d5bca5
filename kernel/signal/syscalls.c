/*
 * The signal system calls that set state or send: rt_sigaction,
 * rt_sigprocmask, rt_sigpending, kill, tkill, tgkill, rt_sigqueueinfo,
 * rt_tgsigqueueinfo, restart_syscall. Checks and errnos in Linux's order.
 * kill_pgrp (kernel/proc/jobctl.h) is kill(-pgid) for the kernel.
 */
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/proc/jobctl.h>
#include <mm/uaccess.h>
#include "internal.h"

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define INT_MIN_PID (-2147483647 - 1)

static bool action_ignores(const struct k_sigaction *ka, int sig)
{
	enum sig_default act = signal_default_action(sig);
	return ka->handler == SIG_IGN ||
	       (ka->handler == SIG_DFL && (act == SIG_ACT_IGN || act == SIG_ACT_CONT));
}

long sys_rt_sigaction(int sig, const void *uact, void *uoact, size_t sigsetsize)
{
	struct proc *p = current_proc();
	struct k_sigaction act, old;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (uact && copy_from_user(&act, uact, sizeof(act)))
		return -EFAULT;
	if (sig < 1 || sig > NSIG || (uact && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&p->siglock);
	old = p->sigactions[sig - 1];
	if (uact) {
		act.flags &= SA_KNOWN;
		act.mask &= ~SIGSET_UNBLOCKABLE;
		p->sigactions[sig - 1] = act;
		/* POSIX: setting a pending signal to be ignored discards it,
		 * blocked or not. */
		if (action_ignores(&act, sig))
			signal_flush_locked(p, SIGBIT(sig));
	}
	spin_unlock_irqrestore(&p->siglock, flags);
	old.flags &= SA_KNOWN;
	if (uoact && copy_to_user(uoact, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(int how, const uint64_t *uset, uint64_t *uoset, size_t sigsetsize)
{
	struct task *t = current_task();
	uint64_t set, old = t->sigmask;

	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK: set |= old; break;
		case SIG_UNBLOCK: set = old & ~set; break;
		case SIG_SETMASK: break;
		default: return -EINVAL;
		}
		signal_set_blocked(set);
	}
	if (uoset && copy_to_user(uoset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* The blocked signals that are pending (sigpending(2)); sigsetsize may
 * be smaller than the kernel's set, never larger. */
long sys_rt_sigpending(uint64_t *uset, size_t sigsetsize)
{
	struct task *t = current_task();

	if (sigsetsize > sizeof(uint64_t))
		return -EINVAL;
	uint64_t set = signal_pending_set(t) & t->sigmask;
	return copy_to_user(uset, &set, sigsetsize) ? -EFAULT : 0;
}

/* May the caller send sig to q? kill(2): a process may signal itself;
 * root anyone; others those whose real or saved uid is their real or
 * effective uid. SIGCONT goes to anyone in the caller's session. Caller
 * holds proc_tree_lock (sid). */
static int kill_permission(const struct proc *q, int sig)
{
	const struct cred *c = &current_proc()->cred, *tc = &q->cred;

	if (q == current_proc() || c->euid == 0)
		return 0;
	if (c->euid == tc->suid || c->euid == tc->uid || c->uid == tc->suid || c->uid == tc->uid)
		return 0;
	return sig == SIGCONT && q->sid == current_proc()->sid ? 0 : -EPERM;
}

/* Send info (sig 0: only check) to process q; caller holds proc_tree_lock. */
static int send_to_proc(struct proc *q, const struct siginfo *info)
{
	int sig = info->si_signo;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	int err = kill_permission(q, sig);
	if (err || !sig)
		return err;
	return signal_send_info(q, info);
}

/* kill(-1): every process but init and the caller. 0 unless every
 * attempt failed with something other than EPERM; ESRCH if none. */
static int send_to_all(const struct siginfo *info)
{
	int result = 0, count = 0;

	for (int pid = 2; pid < PID_MAX; pid++) {
		struct proc *q = proc_find(pid);
		if (!q || q == current_proc())
			continue;
		int err = send_to_proc(q, info);
		count++;
		if (err != -EPERM)
			result = err;
	}
	return count ? result : -ESRCH;
}

/* Every process of group pgid. 0 if one process took it, else the last
 * error (ESRCH: no such group). check: kill(2)'s permission rules. */
static int send_to_group(int pgid, const struct siginfo *info, bool check)
{
	int result = -ESRCH, sig = info->si_signo;
	bool success = false;

	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *q = proc_find(pid);
		if (!q || q->pgid != pgid)
			continue;
		if (check)
			result = send_to_proc(q, info);
		else
			result = sig ? signal_send_info(q, info) : 0;
		success |= !result;
	}
	return success ? 0 : result;
}

int kill_pgrp_locked(int pgid, int sig, int priv)
{
	struct siginfo info;

	assert_held(&proc_tree_lock);
	if (pgid <= 0)
		return -ESRCH;
	if (priv) {
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = SI_KERNEL;
	} else {
		signal_info_from_current(&info, sig, SI_USER);
	}
	return send_to_group(pgid, &info, !priv);
}

int kill_pgrp(int pgid, int sig, int priv)
{
	spin_lock(&proc_tree_lock);
	int r = kill_pgrp_locked(pgid, sig, priv);
	spin_unlock(&proc_tree_lock);
	return r;
}

long sys_kill(int pid, int sig)
{
	struct siginfo info;
	int err;

	if (pid == INT_MIN_PID)
		return -ESRCH;          /* -pid overflows; Linux says ESRCH */
	signal_info_from_current(&info, sig, SI_USER);
	spin_lock(&proc_tree_lock);
	if (pid > 0) {
		struct proc *q = proc_find(pid);
		err = q ? send_to_proc(q, &info) : -ESRCH;
	} else if (pid == -1) {
		err = send_to_all(&info);
	} else {
		err = send_to_group(pid ? -pid : current_proc()->pgid, &info, true);
	}
	spin_unlock(&proc_tree_lock);
	return err;
}

/* tgkill/tkill/rt_tgsigqueueinfo: to thread tid (of process tgid if
 * tgid > 0). A zombie process still answers for its own pid. */
static int send_to_thread(int tgid, int tid, const struct siginfo *info)
{
	int sig = info->si_signo, err = -ESRCH;

	spin_lock(&proc_tree_lock);
	struct task *t = proc_find_task(tid);
	struct proc *q = t ? t->proc : proc_find(tid);
	if (q && !t && !q->zombie)
		q = NULL;               /* its first thread exited, the others run */
	if (q && (tgid <= 0 || q->pid == tgid)) {
		err = sig < 0 || sig > NSIG ? -EINVAL : kill_permission(q, sig);
		if (!err && sig && t)
			err = signal_send_task_info(t, info);
	}
	spin_unlock(&proc_tree_lock);
	return err;
}

long sys_tkill(int tid, int sig)
{
	struct siginfo info;

	if (tid <= 0)
		return -EINVAL;
	signal_info_from_current(&info, sig, SI_TKILL);
	return send_to_thread(0, tid, &info);
}

long sys_tgkill(int tgid, int tid, int sig)
{
	struct siginfo info;

	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	signal_info_from_current(&info, sig, SI_TKILL);
	return send_to_thread(tgid, tid, &info);
}

/* A siginfo from user space (rt_sigqueueinfo); si_signo is sig. */
static int user_info(struct siginfo *info, int sig, const void *uinfo)
{
	if (copy_from_user(info, uinfo, sizeof(*info)))
		return -EFAULT;
	info->si_signo = sig;
	return 0;
}

/* Not even root may pretend to be the kernel (si_code >= 0) or
 * kill/tgkill (SI_TKILL) towards anyone but itself (its own tid). */
static bool impersonates(const struct siginfo *info, int target, int self_id)
{
	return (info->si_code >= 0 || info->si_code == SI_TKILL) && target != self_id;
}

long sys_rt_sigqueueinfo(int pid, int sig, const void *uinfo)
{
	struct siginfo info;
	int err = user_info(&info, sig, uinfo);

	if (err)
		return err;
	if (impersonates(&info, pid, current_task()->tid))
		return -EPERM;
	spin_lock(&proc_tree_lock);
	struct proc *q = pid > 0 ? proc_find(pid) : NULL;
	err = q ? send_to_proc(q, &info) : -ESRCH;
	spin_unlock(&proc_tree_lock);
	return err;
}

long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const void *uinfo)
{
	struct siginfo info;
	int err = user_info(&info, sig, uinfo);

	if (err)
		return err;
	if (tid <= 0 || tgid <= 0)
		return -EINVAL;
	if (impersonates(&info, tid, current_task()->tid))
		return -EPERM;
	return send_to_thread(tgid, tid, &info);
}

long sys_restart_syscall(void)
{
	struct restart_block *rb = &current_task()->restart;

	return rb->fn ? rb->fn(rb) : -EINTR;
}
