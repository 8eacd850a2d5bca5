/*
 * Job control between process groups, for the TTY layer and exit:
 * signalling a group, orphaned groups, and the session leader's exit.
 * Stopping and continuing a process is kernel/signal/jobctl.c; the design
 * of both is in docs/signals.md ("Job control").
 *
 * Locking: the plain functions take proc_tree_lock themselves (a
 * spinlock taken with interrupts on: call them from process context,
 * never from an interrupt handler); the _locked ones expect it held.
 */
#pragma once

#include <kernel/types.h>

struct proc;

/*
 * Send sig to every process of group pgid, as kill(-pgid, sig):
 * 0 if at least one process took it, else the last error (-ESRCH: no
 * such group, -EPERM, -EINVAL: bad sig). priv: from the kernel (si_code
 * SI_KERNEL, no permission check; a terminal's ^C, ^Z, hang-up); else as
 * the calling process (SI_USER, kill(2)'s permission rules).
 */
int kill_pgrp(int pgid, int sig, int priv);
int kill_pgrp_locked(int pgid, int sig, int priv);

/*
 * POSIX's orphaned process group: no member has a parent in another
 * group of the same session (a parent that is init, or a zombie member,
 * does not count). A group with no member is orphaned. The TTY layer
 * uses it for background reads and writes (EIO instead of SIGTTIN or
 * SIGTTOU); signal delivery to discard SIGTSTP, SIGTTIN and SIGTTOU.
 */
bool pgrp_is_orphaned(int pgid);
bool pgrp_is_orphaned_locked(int pgid);
/* Is p's own group orphaned? */
bool proc_in_orphaned_pgrp(struct proc *p);

/* Would sig sent to the calling thread do nothing now (it blocks it, or
 * its action is SIG_IGN)? The TTY layer's background access rule: a
 * write goes ahead instead of raising SIGTTOU, a read fails with EIO
 * instead of raising SIGTTIN (kernel/signal/jobctl.c). */
bool current_sig_ignored_or_blocked(int sig);

/*
 * Exit (process_exit calls it under proc_tree_lock, before p's children
 * go to init): each group that p's exit orphans and that has a stopped
 * member gets SIGHUP then SIGCONT (POSIX, as Linux).
 */
void jobctl_exit_locked(struct proc *p);

/*
 * The TTY layer's hook for a session leader's exit; this file declares it
 * weak so the kernel links without a TTY layer (then nothing happens).
 * exit calls it, if defined, for a process whose pid is its sid, while
 * the process still has its pid, pgid and sid and before it becomes a
 * zombie or its children are reparented; in process context, no lock
 * held. The TTY layer should, if the session has a controlling terminal,
 * send SIGHUP (and SIGCONT) to the terminal's foreground group with
 * kill_pgrp(pgid, SIGHUP, 1) and detach the terminal from the session.
 */
void tty_session_hangup(struct proc *leader) __attribute__((weak));
