/*
 * The scheduler's system calls: nice values (getpriority, setpriority),
 * policies and priorities (sched_setscheduler and friends), CPU affinity
 * (sched_setaffinity, sched_getaffinity) and getcpu. Argument checks,
 * their order and the errnos follow Linux; attr.c makes the changes.
 *
 * Targets are threads: a pid argument is a tid (0: the calling thread), as
 * on Linux, where nice, policy and affinity are per thread. They are
 * looked up and changed under proc_tree_lock, so they cannot exit meanwhile.
 *
 * Privilege is euid 0 (there are no capabilities yet): it stands for
 * CAP_SYS_NICE.
 */
#include "sched.h"
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <mm/uaccess.h>

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

struct sched_param_k {
	int32_t sched_priority;
};

static const struct cred *my_cred(void)
{
	return &current_proc()->cred;
}

static bool privileged(void)
{
	return my_cred()->euid == 0;
}

/* Linux's check_same_owner / set_one_prio_perm: the caller's euid is the
 * target's real or effective uid, or the caller is privileged. */
static bool may_change(const struct task *t)
{
	const struct cred *c = my_cred(), *tc = &t->proc->cred;
	return c->euid == tc->uid || c->euid == tc->euid || privileged();
}

/* The thread a pid argument names (0: the caller); proc_tree_lock held. */
static struct task *find_target(int pid)
{
	assert_held(&proc_tree_lock);
	return pid == 0 ? current_task() : proc_find_task(pid);
}

/* RLIMIT_NICE lets a thread go down to nice 20 - limit (setrlimit(2)). */
static bool nice_within_rlimit(const struct task *t, int nice)
{
	return (uint64_t)(20 - nice) <= t->proc->rlimits[RLIMIT_NICE].cur;
}

/* ---- getpriority / setpriority ------------------------------------------ */

/* Linux's set_one_prio: the errors of later targets override, and one
 * success clears the initial ESRCH. */
static int set_one_nice(struct task *t, int nice, int error)
{
	if (!may_change(t))
		return -EPERM;
	if (nice < t->nice && !nice_within_rlimit(t, nice) && !privileged())
		return -EACCES;
	sched_set_nice(t, nice);
	return error == -ESRCH ? 0 : error;
}

/*
 * Call fn on every thread that (which, who) names; -EINVAL for a bad
 * which. PRIO_PGRP who 0 means the caller's process group, PRIO_USER
 * who 0 the caller's real uid.
 */
static int for_each_target(int which, int who, int (*fn)(struct task *t, int arg, int acc),
			   int arg)
{
	int acc = -ESRCH;

	assert_held(&proc_tree_lock);
	if (which == PRIO_PROCESS) {
		struct task *t = find_target(who);
		return t ? fn(t, arg, acc) : acc;
	}
	if (which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	uint32_t uid = which == PRIO_USER && who == 0 ? my_cred()->uid : (uint32_t)who;
	int pgid = which == PRIO_PGRP && who == 0 ? current_proc()->pgid : who;
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_find(pid);
		if (!p || (which == PRIO_USER && p->cred.uid != uid) ||
		    (which == PRIO_PGRP && p->pgid != pgid))
			continue;
		struct task *t;
		list_for_each_entry(t, &p->threads, thread_link)
			acc = fn(t, arg, acc);
	}
	return acc;
}

static int get_one_prio(struct task *t, int unused, int acc)
{
	int v = 20 - t->nice;           /* 1..40: the raw syscall's encoding */
	return v > acc ? v : acc;
}

long sys_getpriority(int which, int who)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	int r = for_each_target(which, who, get_one_prio, 0);
	spin_unlock(&proc_tree_lock);
	return r;
}

long sys_setpriority(int which, int who, int nice)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	nice = MAX(NICE_MIN, MIN(NICE_MAX, nice));     /* out of range: clamped */
	spin_lock(&proc_tree_lock);
	int r = for_each_target(which, who, set_one_nice, nice);
	spin_unlock(&proc_tree_lock);
	return r;
}

/* ---- policies -------------------------------------------------------------- */

static bool valid_policy(int policy)
{
	return fair_policy(policy) || rt_policy(policy) || policy == SCHED_DEADLINE;
}

/* Linux's user_check_sched_setscheduler, for callers without privilege. */
static int unprivileged_check(struct task *t, int policy, int prio, bool reset)
{
	if (rt_policy(policy)) {
		uint64_t rlim = t->proc->rlimits[RLIMIT_RTPRIO].cur;
		if (policy != t->policy && !rlim)
			return -EPERM;
		if ((uint64_t)prio > (uint64_t)t->rt_priority && (uint64_t)prio > rlim)
			return -EPERM;
	}
	/* Leaving SCHED_IDLE is like lowering nice. */
	if (t->policy == SCHED_IDLE && policy != SCHED_IDLE && !nice_within_rlimit(t, t->nice))
		return -EPERM;
	if (!may_change(t))
		return -EPERM;
	if (t->reset_on_fork && !reset)
		return -EPERM;
	return 0;
}

/* sched_setscheduler (policy >= 0) and sched_setparam (policy -1: keep). */
static long set_scheduler(int pid, int policy, const void *uparam)
{
	struct sched_param_k param;

	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_user(&param, uparam, sizeof(param)))
		return -EFAULT;
	spin_lock(&proc_tree_lock);
	struct task *t = find_target(pid);
	long err = -ESRCH;
	if (!t)
		goto out;
	bool reset = t->reset_on_fork;
	if (policy < 0) {
		policy = t->policy;
	} else {
		reset = policy & SCHED_RESET_ON_FORK;
		policy &= ~SCHED_RESET_ON_FORK;
		err = -EINVAL;
		if (!valid_policy(policy))
			goto out;
	}
	/* The priority is unsigned to Linux: negative ones are too big. */
	uint32_t prio = (uint32_t)param.sched_priority;
	err = -EINVAL;
	if (prio > RT_PRIO_MAX || rt_policy(policy) != (prio != 0))
		goto out;
	if (policy == SCHED_DEADLINE)
		goto out;               /* needs sched_setattr's runtime and deadline */
	if (!privileged()) {
		err = unprivileged_check(t, policy, (int)prio, reset);
		if (err)
			goto out;
	}
	sched_set_policy(t, policy, (int)prio, reset);
	err = 0;
out:
	spin_unlock(&proc_tree_lock);
	return err;
}

long sys_sched_setscheduler(int pid, int policy, const void *uparam)
{
	if (policy < 0)
		return -EINVAL;
	return set_scheduler(pid, policy, uparam);
}

long sys_sched_setparam(int pid, const void *uparam)
{
	return set_scheduler(pid, -1, uparam);
}

long sys_sched_getscheduler(int pid)
{
	if (pid < 0)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	struct task *t = find_target(pid);
	long r = !t ? -ESRCH : t->policy | (t->reset_on_fork ? SCHED_RESET_ON_FORK : 0);
	spin_unlock(&proc_tree_lock);
	return r;
}

long sys_sched_getparam(int pid, void *uparam)
{
	if (!uparam || pid < 0)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	struct task *t = find_target(pid);
	struct sched_param_k param = { t ? t->rt_priority : 0 };
	spin_unlock(&proc_tree_lock);
	if (!t)
		return -ESRCH;
	return copy_to_user(uparam, &param, sizeof(param)) ? -EFAULT : 0;
}

long sys_sched_get_priority_max(int policy)
{
	if (rt_policy(policy))
		return RT_PRIO_MAX;
	return valid_policy(policy) ? 0 : -EINVAL;
}

long sys_sched_get_priority_min(int policy)
{
	if (rt_policy(policy))
		return RT_PRIO_MIN;
	return valid_policy(policy) ? 0 : -EINVAL;
}

long sys_sched_rr_get_interval(int pid, void *uts)
{
	if (pid < 0)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	struct task *t = find_target(pid);
	uint64_t ns = t ? sched_rr_interval_ns(t) : 0;
	spin_unlock(&proc_tree_lock);
	if (!t)
		return -ESRCH;
	struct { int64_t sec, nsec; } ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* ---- affinity ------------------------------------------------------------- */

/* Bytes of a cpu_set_t the kernel reads and writes: one long covers NR_CPUS. */
#define KERNEL_MASK_BYTES sizeof(uint64_t)
_Static_assert(NR_CPUS <= 64, "affinity masks are one uint64_t");

long sys_sched_setaffinity(int pid, unsigned len, const void *umask)
{
	uint64_t mask = 0;

	/* Shorter masks are zero-extended, longer ones cut (CPUs beyond
	 * NR_CPUS cannot exist here). */
	if (copy_from_user(&mask, umask, MIN(len, KERNEL_MASK_BYTES)))
		return -EFAULT;
	spin_lock(&proc_tree_lock);
	struct task *t = find_target(pid);
	long err = -ESRCH;
	if (t)
		err = may_change(t) ? sched_set_affinity(t, mask) : -EPERM;
	spin_unlock(&proc_tree_lock);
	/* Moving ourselves: done on the way back to user mode, where the
	 * reschedule that sched_set_affinity asked for happens. */
	return err;
}

long sys_sched_getaffinity(int pid, unsigned len, void *umask)
{
	/* Linux's checks, with its unsigned int arithmetic. */
	if ((unsigned)(len * 8) < sched_nr_cpus())
		return -EINVAL;
	if (len & (sizeof(long) - 1))
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	struct task *t = find_target(pid);
	uint64_t mask = t ? READ_ONCE(t->cpus_allowed) & sched_online_mask() : 0;
	spin_unlock(&proc_tree_lock);
	if (!t)
		return -ESRCH;
	size_t n = MIN(len, KERNEL_MASK_BYTES);
	return copy_to_user(umask, &mask, n) ? -EFAULT : (long)n;
}

/* getcpu(2): the CPU we run on (stable until we return: the kernel is not
 * preempted); one NUMA node. The third argument is unused since 2.6.24. */
long sys_getcpu(unsigned *ucpu, unsigned *unode, void *unused)
{
	int err = 0;

	if (ucpu)
		err |= put_user_u32(arch_cpu_id(), ucpu);
	if (unode)
		err |= put_user_u32(0, unode);
	return err ? -EFAULT : 0;
}
