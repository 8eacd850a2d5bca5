/*
 * Processes: a pid, a place in the process tree, an address space, open
 * files, credentials and limits, and (for now) one thread.
 *
 * Locking: proc_tree_lock protects every proc's parent/children/sibling
 * links, zombie state, exit status and the pid table. A proc's mm, files,
 * cred and rlimits are changed only by its own thread.
 *
 * Lifetime: a proc is created by fork (or proc_create_init for PID 1),
 * becomes a zombie when its thread exits, and is freed by the parent's
 * wait4/waitid (or by init, which adopts orphans). The zombie keeps only
 * its struct proc; everything else is released at exit.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/task.h>
#include <kernel/signal.h>
#include <kernel/cputime.h>
#include <fs/vfs.h>

#define PID_MAX 32768
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ull)
#define NR_OPEN (1u << 20)      /* fs.nr_open: the most descriptors one process may have */

/* Resource numbers (Linux's). */
enum {
	RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE,
	RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS,
	RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE,
	RLIMIT_RTPRIO, RLIMIT_RTTIME,
};

struct rlimit64 {
	uint64_t cur, max;
};

/* Supplementary groups (setgroups(2)): immutable once made, shared by
 * reference (fork copies the pointer), sorted ascending as Linux keeps
 * them, so getgroups returns them sorted. */
struct group_info {
	int refcount;                   /* atomic */
	unsigned ngroups;
	uint32_t gid[];
};

#define NGROUPS_MAX 65536

struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	/* NULL: none. Replaced (never changed in place) under groups_lock
	 * (kernel/proc/cred.c, a leaf spinlock, taken inside proc_tree_lock
	 * by procfs); readers take a reference with cred_groups_get. */
	struct group_info *groups;
};

/* c's supplementary groups with a reference (NULL: none); drop it with
 * groups_put. */
struct group_info *cred_groups_get(const struct cred *c);
void groups_put(struct group_info *g);
/* Is gid one of g's groups (g may be NULL)? */
bool groups_search(const struct group_info *g, uint32_t gid);

struct fd_table;
struct fs_context;

struct proc {
	/* Immutable after creation. */
	int pid;
	uint64_t start_ns;              /* time_ns() at fork (/proc/[pid]/stat starttime) */

	/* Threads (tasks with task->proc == this), under proc_tree_lock
	 * (changes also take siglock). The process ends when the last one
	 * exits. */
	struct list_head threads;
	unsigned nr_threads;
	bool group_exiting;             /* exit_group or a fatal signal: all threads die */
	int group_exit_status;          /* the wait status they die with */

	/* Protected by proc_tree_lock. */
	struct proc *parent;
	struct list_head children;
	struct list_head sibling;       /* in parent->children */
	bool zombie;
	int wait_status;                /* wait4 encoding, valid when zombie */
	int exit_signal;                /* sent to the parent at exit (SIGCHLD) */
	struct proc *vfork_parent;      /* waiting in vfork until we exec or exit */
	bool vfork_done;                /* set in the parent when its vfork child lets go */
	int pgid;                       /* process group (kernel/proc/pgrp.c) */
	int sid;                        /* session: the pid of its leader */

	/* Owned by the process's thread; it changes or clears mm, files and
	 * fs under proc_tree_lock, so others may take references under it
	 * (procfs). */
	struct mm *mm;
	struct fd_table *files;
	struct fs_context *fs;          /* root, cwd, umask (fs/vfs.h); shared by CLONE_FS */
	struct path exe;                /* the program exec loaded (/proc/[pid]/exe); empty for
					 * init's kernel-started image until its first exec */
	struct cred cred;
	struct rlimit64 rlimits[RLIM_NLIMITS];
	char comm[16];

	struct wait_queue child_exit;   /* woken when a child becomes a zombie */
	struct wait_queue thread_exit;  /* woken when one of its threads exits */

	/* Signal state (kernel/signal/): dispositions shared by the threads
	 * and the process-directed pending set, under siglock (irqsave: an
	 * interrupt handler may send a signal). Changes to threads take it
	 * too, so a sender holding only siglock can walk them. Each thread's
	 * mask and own pending set are in its task. */
	struct spinlock siglock;
	struct k_sigaction sigactions[NSIG];
	struct sigpending shared_pending;
	unsigned sigqueue_count;        /* queued siginfos; real-time ones stop at RLIMIT_SIGPENDING */

	/* Job control (kernel/signal/jobctl.c, docs/signals.md), under
	 * siglock; group_stop and cld_notify are also read without it (a
	 * thread's way back to user mode, signal_pending). */
	bool group_stop;                /* a stop took effect: every thread must park */
	bool stop_reported;             /* all threads parked: the stop is complete */
	int stop_sig;                   /* the signal that stopped the group */
	unsigned nr_parked;             /* threads parked in jobctl_park */
	unsigned cont_seq;              /* SIGCONTs received: a stop dequeued before one is void */
	int cld_notify;                 /* CLD_STOPPED/CLD_CONTINUED still to tell the parent, or 0 */
	int wait_report;                /* for WUNTRACED/WCONTINUED: a stopped status
					 * (0x7f | sig << 8), 0xffff (continued), or 0 */
	struct wait_queue jobctl_wait;  /* parked threads sleep on it */

	/* CPU time of exited threads and reaped children, interval timers
	 * (kernel/cputime.h says which lock covers what). */
	struct proc_times times;
};


extern struct spinlock proc_tree_lock;

void proc_init(void);
/* The calling task's process, NULL for kernel threads. */
struct proc *current_proc(void);
struct proc *proc_find(int pid);        /* caller holds proc_tree_lock */
int proc_getpgid(struct proc *p);       /* p's process group (takes proc_tree_lock) */
unsigned proc_count(void);
int proc_last_pid(void);                /* the pid most recently given out */
/* Descriptors p may open: RLIMIT_NOFILE, capped at NR_OPEN. */
unsigned proc_fd_limit(const struct proc *p);

/* Record the program p now runs (exec; takes a reference on path). */
void proc_set_exe(struct proc *p, const struct path *path);
/* p's program with a reference (an empty path if none); caller holds
 * proc_tree_lock. */
struct path proc_exe_get_locked(struct proc *p);

/* Start PID 1 running path from the initramfs: 0 or -errno. */
int proc_start_init(const char *path, const char *const *argv, const char *const *envp);

/* wait status encodings (as <sys/wait.h> decodes them) */
#define W_EXITCODE(code, sig) (((code) & 0xff) << 8 | ((sig) & 0x7f))

/* End the calling process with a wait status (exit_group or a fatal
 * signal): every thread on every CPU dies, the last one out reaps. */
__noreturn void proc_exit(int wait_status);
/* End the calling thread (exit(2)); the last thread ends the process. */
__noreturn void thread_exit(int wait_status);
/* exec: kill the caller's other threads and wait until they are gone;
 * the caller takes the pid as its tid. -EINTR if it is being killed. */
int proc_dethread(void);
/* The thread with this tid (any process), NULL if none; caller holds
 * proc_tree_lock. */
struct task *proc_find_task(int tid);
