/*
 * Signals: the kernel's side of kill(2), sigaction(2) and delivery on the
 * way back to user mode. Numbers and structures are Linux's (x86-64); a
 * sigset is 64 bits, bit sig-1.
 *
 * kernel/signal/send.c      pending sets, sending, picking the thread
 * kernel/signal/deliver.c   the way back to user mode: actions, restarts
 * kernel/signal/syscalls.c  kill, tgkill, sigaction, sigprocmask, sigaltstack
 * kernel/signal/wait.c      sigsuspend, pause, sigtimedwait
 * kernel/signal/jobctl.c    stopping and continuing the thread group (job control)
 * arch/x86_64/signal.c      the handler's stack frame and rt_sigreturn
 */
#pragma once

#include <kernel/types.h>

struct proc;
struct task;
struct trap_frame;

enum {
	SIGHUP = 1, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
	SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT,
	SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU,
	SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS,
	SIGRTMIN = 32,
};
#define NSIG 64
#define SIGRTMAX NSIG
#define SIGBIT(sig) (1ull << ((sig) - 1))
#define SIGSET_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* sa_handler values */
#define SIG_DFL 0
#define SIG_IGN 1

/* sa_flags (asm/signal.h) */
#define SA_NOCLDSTOP      0x00000001u
#define SA_NOCLDWAIT      0x00000002u
#define SA_SIGINFO        0x00000004u
#define SA_UNSUPPORTED    0x00000400u
#define SA_EXPOSE_TAGBITS 0x00000800u
#define SA_RESTORER       0x04000000u
#define SA_ONSTACK        0x08000000u
#define SA_RESTART        0x10000000u
#define SA_NODEFER        0x40000000u
#define SA_RESETHAND      0x80000000u
/* What rt_sigaction keeps; other bits read back as 0 (Linux 5.11+), so
 * programs can probe for flags this kernel does not know. */
#define SA_KNOWN (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS | \
		  SA_RESTORER | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)

/* si_code values (asm-generic/siginfo.h) */
#define SI_USER    0
#define SI_KERNEL  0x80
#define SI_QUEUE   (-1)
#define SI_TIMER   (-2)
#define SI_TKILL   (-6)
#define ILL_ILLOPN 2
#define FPE_INTDIV 1
#define FPE_FLTDIV 3
#define FPE_FLTOVF 4
#define FPE_FLTUND 5
#define FPE_FLTRES 6
#define FPE_FLTINV 7
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define BUS_ADRERR 2
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

/* siginfo_t, 128 bytes as user space sees it. */
struct siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t _pad0;
	union {
		struct {                        /* SI_USER, SI_TKILL, SI_QUEUE */
			int32_t pid;
			uint32_t uid;
			uint64_t value;         /* sigval of SI_QUEUE */
		} kill;
		struct {                        /* SIGCHLD */
			int32_t pid;
			uint32_t uid;
			int32_t status;
			int32_t _pad;
			int64_t utime, stime;
		} chld;
		struct {                        /* SIGSEGV SIGBUS SIGILL SIGFPE SIGTRAP */
			uint64_t addr;
		} fault;
		uint8_t raw[112];
	};
};
_Static_assert(sizeof(struct siginfo) == 128, "siginfo_t is 128 bytes");
_Static_assert(offsetof(struct siginfo, kill.pid) == 16, "si_pid");
_Static_assert(offsetof(struct siginfo, kill.uid) == 20, "si_uid");
_Static_assert(offsetof(struct siginfo, kill.value) == 24, "si_value");
_Static_assert(offsetof(struct siginfo, chld.status) == 24, "si_status");
_Static_assert(offsetof(struct siginfo, chld.utime) == 32, "si_utime");
_Static_assert(offsetof(struct siginfo, fault.addr) == 16, "si_addr");

/* The kernel's struct sigaction on x86-64 (rt_sigaction's, not libc's). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};
_Static_assert(sizeof(struct k_sigaction) == 32, "kernel sigaction layout");

/* stack_t: sigaltstack(2) and ucontext's uc_stack. */
struct user_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t _pad;
	uint64_t ss_size;
};
_Static_assert(sizeof(struct user_stack) == 24, "stack_t layout");
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

/*
 * A pending set: which signals, and the siginfo of each instance in the
 * order they came (struct sigqueue, kernel/signal/send.c). A standard
 * signal is pending at most once; real-time signals queue. Under the
 * process's siglock; set is also read without it (signal_pending).
 */
struct sigqueue;
struct sigpending {
	uint64_t set;
	struct sigqueue *head;
};

/* A thread's alternate signal stack (sigaltstack). */
struct sig_altstack {
	uint64_t sp, size;
	uint32_t flags;                 /* SS_AUTODISARM, or 0 */
};

/* What restart_syscall(2) does after a call returned -ERESTART_RESTARTBLOCK
 * and no handler ran; fn NULL: fail with EINTR. */
struct restart_block {
	long (*fn)(struct restart_block *rb);
	uint64_t arg[4];
};

/* True when the current task must stop sleeping and head back to user
 * mode: a signal it does not block is pending, or it is being killed. */
bool signal_pending(void);

/*
 * Sending. A signal the target ignores is dropped (unless some thread
 * blocks it); otherwise it becomes pending and a thread that can take it
 * is kicked. 0, -EINVAL (bad number) or -EAGAIN (real-time queue full).
 * Callable from any context, interrupt handlers included; the caller keeps
 * p (t) alive, e.g. by holding proc_tree_lock.
 */
int signal_send(struct proc *p, int sig);               /* si_code SI_KERNEL */
int signal_send_task(struct task *t, int sig);          /* SI_KERNEL, to one thread */
int signal_send_info(struct proc *p, const struct siginfo *info);
int signal_send_task_info(struct task *t, const struct siginfo *info);
/* send_sig(sig, current, 0): SI_USER from the caller itself (SIGPIPE). */
void signal_send_self(int sig);
/* A synchronous fault of the current thread (SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE, SIGTRAP): delivered even when blocked or ignored; then the
 * action goes back to the default, which kills (as Linux). */
void signal_force_fault(int sig, int code, uint64_t addr);
/* Make t notice a pending signal or kill: wake it if it sleeps
 * interruptibly, interrupt its CPU if it runs user code. */
void signal_kick(struct task *t);
/* Would the current thread run a handler for sig now (not blocked, not
 * SIG_DFL or SIG_IGN)? For fault reports. */
bool signal_is_caught(int sig);
/* Change the current thread's blocked set (SIGKILL and SIGSTOP are never
 * blocked); shared signals it now blocks go to a thread that can take them. */
void signal_set_blocked(uint64_t mask);

/* The last step before user mode (arch entry code calls it with the frame
 * it will return through): reschedule if due, deliver pending signals
 * (default action, or a handler frame), finish interrupted system calls
 * (restart or EINTR). May not return (the task exits). Returns with
 * interrupts disabled. */
void user_return_work(struct trap_frame *tf);

/* Process life cycle hooks. */
/* exec: caught signals go back to SIG_DFL, flags and masks cleared, the
 * alternate stack forgotten; ignored ones stay ignored, pending stay. */
void signal_exec_reset(struct proc *p);
/* fork/clone: the child thread's mask and alternate stack (not kept when
 * it shares the address space without vfork, as Linux). */
void signal_clone_thread(struct task *child, const struct task *parent, bool keep_altstack);
/* Add a thread to p->threads (caller holds proc_tree_lock). */
void signal_thread_link(struct proc *p, struct task *t);
/* thread_exit, under proc_tree_lock: take t off p->threads, drop its
 * pending signals, hand shared ones another thread could take to it. */
void signal_thread_unlink(struct proc *p, struct task *t);
/* The process became a zombie (under proc_tree_lock): send the parent its
 * exit_signal with CLD_* info. True if the parent ignores SIGCHLD (SIG_IGN
 * or SA_NOCLDWAIT): then nobody waits and the caller reaps at once. */
bool signal_notify_parent(struct proc *p);

/* Job control (kernel/signal/jobctl.c). For wait: c's stop or
 * continuation report if one of the wanted kinds is there (the wait4
 * status, 0x7f | sig << 8 or 0xffff), else 0; consume: report it once
 * (not WNOWAIT). Caller holds proc_tree_lock. */
int signal_wait_report_locked(struct proc *c, bool stopped, bool continued, bool consume);
/* Is p stopped or stopping (a group stop in effect)? */
bool signal_proc_stopped(struct proc *p);

/*
 * For the arch's frame code (arch_signal_setup, rt_sigreturn):
 * where the handler's frame goes: below user_sp - redzone, or at the top
 * of the alternate stack when the action has SA_ONSTACK and the thread is
 * not on it already. If *must_fit, the whole frame must then lie on the
 * alternate stack (signal_frame_fits), else the handler cannot run.
 */
uint64_t signal_frame_stack(uint64_t user_sp, uint64_t redzone, const struct k_sigaction *ka,
			    bool *must_fit);
bool signal_frame_fits(uint64_t frame_sp);
/* uc_stack for the frame; an SS_AUTODISARM stack is disabled until the
 * handler returns. */
void signal_altstack_save(struct user_stack *uss);
/* rt_sigreturn: uc_stack back (user_sp: the restored stack pointer). */
void signal_altstack_restore(const struct user_stack *uss, uint64_t user_sp);
