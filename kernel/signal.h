/*
 * Signals: the kernel's side of kill(2), tgkill(2) and delivery on the way
 * back to user mode. Numbers are Linux's (x86-64). Bit sig-1 of a sigset.
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
#define SIGBIT(sig) (1ull << ((sig) - 1))

/* True when the current task must stop sleeping and head back to user
 * mode: a signal it does not block is pending, or it is being killed. */
bool signal_pending(void);
/* Send sig to process p (kill(2)): any thread that does not block it
 * takes it. 0 or -errno. */
int signal_send(struct proc *p, int sig);
/* Send sig to thread t (tgkill(2)). */
int signal_send_task(struct task *t, int sig);
/* Make t notice a pending signal or kill: wake it if it sleeps
 * interruptibly, interrupt its CPU if it runs user code. */
void signal_kick(struct task *t);
/* The last step before user mode (arch entry code calls it with the frame
 * it will return through): reschedule if due, then act on pending signals
 * and kills. May not return (the task exits). */
void user_return_work(struct trap_frame *tf);
/* exec: caught signals go back to their default action. */
void signal_exec_reset(struct proc *p);
