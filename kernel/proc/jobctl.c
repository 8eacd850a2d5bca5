/*
 * Job control between process groups: orphaned groups (POSIX), and what a
 * process's exit does to them. Groups are the processes whose pgid field
 * has a value (kernel/proc/pgrp.c), found by scanning the pid table under
 * proc_tree_lock. kill_pgrp is in kernel/signal/syscalls.c, next to kill.
 */
#include <kernel/proc/jobctl.h>
#include "internal.h"

/*
 * One pass over group pgid as it will be once `gone` has exited (NULL:
 * as it is): is it orphaned, and is some member stopped? A member's
 * parent counts if it is in another group of the same session, and is
 * neither init nor `gone` (whose children are about to go to init).
 */
static void scan_pgrp_locked(int pgid, const struct proc *gone, bool *orphaned, bool *stopped)
{
	*orphaned = true;
	*stopped = false;
	assert_held(&proc_tree_lock);
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *q = proc_find(pid);
		if (!q || q->pgid != pgid || q == gone || q->zombie)
			continue;
		if (signal_proc_stopped(q))
			*stopped = true;
		struct proc *par = q->parent;
		if (par && par != gone && par->pid != 1 && par->pgid != pgid && par->sid == q->sid)
			*orphaned = false;
	}
}

bool pgrp_is_orphaned_locked(int pgid)
{
	bool orphaned, stopped;

	scan_pgrp_locked(pgid, NULL, &orphaned, &stopped);
	return orphaned;
}

bool pgrp_is_orphaned(int pgid)
{
	spin_lock(&proc_tree_lock);
	bool r = pgrp_is_orphaned_locked(pgid);
	spin_unlock(&proc_tree_lock);
	return r;
}

bool proc_in_orphaned_pgrp(struct proc *p)
{
	spin_lock(&proc_tree_lock);
	bool r = pgrp_is_orphaned_locked(p->pgid);
	spin_unlock(&proc_tree_lock);
	return r;
}

/* Group pgid, not orphaned while p lived, is orphaned by p's exit: if a
 * member is stopped, nobody could continue it, so hang it up and
 * continue it. Only a group with a member whose parent is in another
 * group of the same session can have been kept from being orphaned by p. */
static void hangup_if_orphaned_locked(int pgid, struct proc *p)
{
	bool orphaned, stopped;

	scan_pgrp_locked(pgid, p, &orphaned, &stopped);
	if (orphaned && stopped) {
		kill_pgrp_locked(pgid, SIGHUP, 1);
		kill_pgrp_locked(pgid, SIGCONT, 1);
	}
}

void jobctl_exit_locked(struct proc *p)
{
	struct proc *c;

	assert_held(&proc_tree_lock);
	/* p's own group: p linked it to its parent's group. */
	struct proc *par = p->parent;
	if (par && par->pgid != p->pgid && par->sid == p->sid)
		hangup_if_orphaned_locked(p->pgid, p);
	/* Its children's groups: p linked each one in another group of its
	 * session; they go to init. */
	list_for_each_entry(c, &p->children, sibling) {
		if (!c->zombie && c->pgid != p->pgid && c->sid == p->sid)
			hangup_if_orphaned_locked(c->pgid, p);
	}
}
