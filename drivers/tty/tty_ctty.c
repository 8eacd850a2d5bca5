/*
 * Controlling terminals and job control on a tty. A tty records the
 * session it controls (tty.session, a sid) and that session's foreground
 * group (tty.pgrp); a process's controlling terminal is the tty whose
 * session is its sid. So a controlling terminal belongs to a session, as
 * POSIX says, and every member of the session sees the same one.
 *
 * Locking: tty_list_lock serializes giving and taking controlling ttys
 * (one per session, one session per tty); the fields themselves are under
 * tty.lock. Signals are sent with neither held.
 */
#include <drivers/tty/tty_internal.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <mm/uaccess.h>

#define O_ACCMODE 03
#define O_WRONLY  01

/* ---- who is asking ---- */

struct ids {
	int pid, pgid, sid;
};

static bool current_ids(struct ids *id)
{
	struct proc *p = current_proc();
	if (!p)
		return false;
	spin_lock(&proc_tree_lock);
	*id = (struct ids){ p->pid, p->pgid, p->sid };
	spin_unlock(&proc_tree_lock);
	return true;
}

bool tty_is_ctty(struct tty *tty)
{
	struct ids id;
	if (!current_ids(&id))
		return false;
	spin_lock(&tty->lock);
	bool r = id.sid && tty->session == id.sid;
	spin_unlock(&tty->lock);
	return r;
}

/* The tty controlling session sid; caller holds tty_list_lock. */
static struct tty *session_tty_locked(int sid)
{
	struct tty *tty;
	list_for_each_entry(tty, &tty_list, link) {
		spin_lock(&tty->lock);
		bool match = tty->session == sid;
		spin_unlock(&tty->lock);
		if (match)
			return tty;
	}
	return NULL;
}

bool tty_session_info(int sid, uint32_t *dev, int *tpgid)
{
	if (sid <= 0)
		return false;
	spin_lock(&tty_list_lock);
	struct tty *tty = session_tty_locked(sid);
	if (tty) {
		*dev = tty->dev;
		spin_lock(&tty->lock);
		*tpgid = tty->pgrp;
		spin_unlock(&tty->lock);
	}
	spin_unlock(&tty_list_lock);
	return tty != NULL;
}

struct tty *tty_current_ctty(void)
{
	struct ids id;
	if (!current_ids(&id))
		return NULL;
	spin_lock(&tty_list_lock);
	struct tty *tty = session_tty_locked(id.sid);
	if (tty)
		tty->refcount++;
	spin_unlock(&tty_list_lock);
	return tty;
}

int tty_job_check(struct tty *tty, int sig)
{
	struct ids id;
	if (!current_ids(&id))
		return 0;
	spin_lock(&tty->lock);
	bool background = id.sid && tty->session == id.sid && tty->pgrp && tty->pgrp != id.pgid;
	spin_unlock(&tty->lock);
	if (!background)
		return 0;
	/* A background reader that cannot be stopped gets EIO; a writer
	 * or changer that ignores or blocks SIGTTOU just goes ahead. */
	if (current_sig_ignored_or_blocked(sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (pgrp_is_orphaned(id.pgid))
		return -EIO;
	kill_pgrp(id.pgid, sig, 1);
	return -ERESTARTSYS;
}

void tty_send_signals(const struct tty_recv *rv)
{
	for (int sig = 1; sig < NSIG && rv->sigs; sig++)
		if ((rv->sigs & SIGBIT(sig)) && rv->pgrp)
			kill_pgrp(rv->pgrp, sig, 1);
}

/* ---- acquiring and losing a controlling terminal ---- */

static void set_ctty_locked(struct tty *tty, const struct ids *id)
{
	spin_lock(&tty->lock);
	tty->session = id->sid;
	tty->pgrp = id->pgid;
	spin_unlock(&tty->lock);
}

void tty_maybe_acquire(struct tty *tty)
{
	struct ids id;
	if (!current_ids(&id) || id.sid != id.pid)
		return;                         /* only a session leader */
	spin_lock(&tty_list_lock);
	spin_lock(&tty->lock);
	bool free = tty->session == 0 && !tty->hungup;
	spin_unlock(&tty->lock);
	if (free && !session_tty_locked(id.sid))
		set_ctty_locked(tty, &id);
	spin_unlock(&tty_list_lock);
}

static bool is_root(void)
{
	return current_proc()->cred.euid == 0;
}

static long tiocsctty(struct tty *tty, struct file *f, unsigned long arg)
{
	struct ids id;
	if (!current_ids(&id))
		return -EPERM;
	long err = 0;
	spin_lock(&tty_list_lock);
	struct tty *mine = session_tty_locked(id.sid);
	spin_lock(&tty->lock);
	int owner = tty->session;
	spin_unlock(&tty->lock);
	if (id.sid == id.pid && mine == tty)
		goto out;                       /* already ours */
	if (id.sid != id.pid || mine) {
		err = -EPERM;
		goto out;
	}
	if (owner && !(arg == 1 && is_root())) {
		err = -EPERM;                   /* another session's: steal only as root */
		goto out;
	}
	if ((f->flags & O_ACCMODE) == O_WRONLY && !is_root()) {
		err = -EPERM;
		goto out;
	}
	set_ctty_locked(tty, &id);
out:
	spin_unlock(&tty_list_lock);
	return err;
}

/* Take tty away from its session; SIGHUP and SIGCONT to the foreground
 * group that was (TIOCNOTTY by the leader, the leader's exit). */
static void disassociate(struct tty *tty)
{
	spin_lock(&tty_list_lock);
	spin_lock(&tty->lock);
	int pgrp = tty->pgrp;
	tty->session = tty->pgrp = 0;
	spin_unlock(&tty->lock);
	spin_unlock(&tty_list_lock);
	if (pgrp) {
		kill_pgrp(pgrp, SIGHUP, 1);
		kill_pgrp(pgrp, SIGCONT, 1);
	}
}

void tty_session_hangup(struct proc *leader)
{
	spin_lock(&tty_list_lock);
	struct tty *tty = session_tty_locked(leader->pid);
	if (tty)
		tty->refcount++;
	spin_unlock(&tty_list_lock);
	if (tty) {
		disassociate(tty);
		tty_put(tty);
	}
}

void tty_hangup(struct tty *tty)
{
	spin_lock(&tty_list_lock);
	spin_lock(&tty->lock);
	int sid = tty->session, pgrp = tty->pgrp;
	tty->session = tty->pgrp = 0;
	tty->hungup = true;
	tty->stopped = false;
	spin_unlock(&tty->lock);
	spin_unlock(&tty_list_lock);
	wait_queue_wake_all(&tty->read_wq);
	wait_queue_wake_all(&tty->write_wq);
	if (sid) {
		spin_lock(&proc_tree_lock);
		struct proc *leader = proc_find(sid);
		if (leader && leader->sid == sid && !leader->zombie) {
			signal_send(leader, SIGHUP);
			signal_send(leader, SIGCONT);
		}
		spin_unlock(&proc_tree_lock);
	}
	if (pgrp) {
		kill_pgrp(pgrp, SIGHUP, 1);
		kill_pgrp(pgrp, SIGCONT, 1);
	}
}

/* ---- the ioctls ---- */

/* Is there a process in group pgrp, and in which session? */
static int pgrp_session(int pgrp)
{
	int sid = 0;
	spin_lock(&proc_tree_lock);
	for (int pid = 1; pid < PID_MAX && !sid; pid++) {
		struct proc *q = proc_find(pid);
		if (q && q->pgid == pgrp)
			sid = q->sid;
	}
	spin_unlock(&proc_tree_lock);
	return sid;
}

static long tiocspgrp(struct tty *tty, unsigned long arg, bool from_master)
{
	struct ids id;
	int32_t pgrp;
	long err = from_master ? 0 : tty_job_check(tty, SIGTTOU);

	if (err)
		return err == -EIO ? -ENOTTY : err;
	if (!current_ids(&id) || !tty_is_ctty(tty))
		return -ENOTTY;
	if (get_user_u32((uint32_t *)&pgrp, (void *)arg))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	int sid = pgrp_session(pgrp);
	if (!sid)
		return -ESRCH;
	if (sid != id.sid)
		return -EPERM;
	spin_lock(&tty->lock);
	if (tty->session == id.sid)
		tty->pgrp = pgrp;
	spin_unlock(&tty->lock);
	return 0;
}

long tty_ctty_ioctl(struct tty *tty, struct file *f, unsigned cmd, unsigned long arg,
		    bool from_master)
{
	struct ids id;
	int32_t v;

	switch (cmd) {
	case TIOCSCTTY:
		return tiocsctty(tty, f, arg);
	case TIOCNOTTY:
		if (!tty_is_ctty(tty) || !current_ids(&id))
			return -ENOTTY;
		/* Only the leader gives the session's tty up here; another
		 * member's TIOCNOTTY succeeds without effect (the controlling
		 * tty is per session in this kernel, not per process). */
		if (id.sid == id.pid)
			disassociate(tty);
		return 0;
	case TIOCGPGRP:
	case TIOCGSID:
		if (!from_master && !tty_is_ctty(tty))
			return -ENOTTY;
		spin_lock(&tty->lock);
		v = cmd == TIOCGPGRP ? tty->pgrp : tty->session;
		spin_unlock(&tty->lock);
		if (cmd == TIOCGSID && !v)
			return -ENOTTY;
		return put_user_u32((uint32_t)v, (void *)arg) ? -EFAULT : 0;
	case TIOCSPGRP:
		return tiocspgrp(tty, arg, from_master);
	}
	return -ENOTTY;
}
