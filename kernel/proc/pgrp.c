/*
 * Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid.
 * A group or session is not an object of its own: it is the set of
 * processes whose pgid (sid) field has that value, under proc_tree_lock,
 * and it exists while one of them does. Groups are looked up by scanning
 * the pid table, which is what kill(-pgrp) and wait4(-pgrp) do too.
 * Orphaned groups and what exits do to them are job control
 * (kernel/proc/jobctl.c); controlling terminals belong to the TTY layer.
 */
#include <kernel/errno.h>
#include <kernel/syscall.h>
#include "internal.h"

int proc_getpgid(struct proc *p)
{
	spin_lock(&proc_tree_lock);
	int pgid = p->pgid;
	spin_unlock(&proc_tree_lock);
	return pgid;
}

/* Is some process (a zombie counts until reaped, as on Linux) in group
 * pgid of session sid (sid < 0: any)? Caller holds proc_tree_lock. */
static bool group_exists(int pgid, int sid)
{
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *q = proc_find(pid);
		if (q && q->pgid == pgid && (sid < 0 || q->sid == sid))
			return true;
	}
	return false;
}

/* pid 0 is the caller; otherwise the process with that pid, or NULL. */
static struct proc *find_target(int pid)
{
	return pid ? proc_find(pid) : current_proc();
}

/* Linux's rules: the target is the caller or a child of it in the same
 * session (ESRCH otherwise, EPERM if in another session), not a session
 * leader (EPERM), and the group it joins is its own pid or an existing
 * group of the caller's session (EPERM). A child that has called execve
 * should give EACCES; exec is not tracked yet, so that case is allowed. */
long sys_setpgid(int pid, int pgid)
{
	struct proc *self = current_proc();
	long err = 0;

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	struct proc *p = find_target(pid);
	if (!pgid && p)
		pgid = p->pid;
	if (!p || (p != self && p->parent != self))
		err = -ESRCH;
	else if (p->sid != self->sid || p->sid == p->pid)
		err = -EPERM;
	else if (pgid != p->pid && !group_exists(pgid, self->sid))
		err = -EPERM;
	else
		p->pgid = pgid;
	spin_unlock(&proc_tree_lock);
	return err;
}

/* getpgid/getsid: pid 0 is the caller; ESRCH for no such process. */
static long get_id(int pid, bool session)
{
	if (pid < 0)
		return -ESRCH;
	spin_lock(&proc_tree_lock);
	struct proc *p = find_target(pid);
	long r = !p ? -ESRCH : session ? p->sid : p->pgid;
	spin_unlock(&proc_tree_lock);
	return r;
}

long sys_getpgid(int pid)
{
	return get_id(pid, false);
}

long sys_getpgrp(void)
{
	return get_id(0, false);
}

long sys_getsid(int pid)
{
	return get_id(pid, true);
}

/* A new session and group led by the caller; EPERM if a group with the
 * caller's pid already exists (it leads one, or once did and members
 * remain), as on Linux. */
long sys_setsid(void)
{
	struct proc *self = current_proc();
	long r;

	spin_lock(&proc_tree_lock);
	if (group_exists(self->pid, -1)) {
		r = -EPERM;
	} else {
		self->pgid = self->sid = self->pid;
		r = self->pid;
	}
	spin_unlock(&proc_tree_lock);
	return r;
}
