/*
 * Readiness: the poll method of a file and the tables that poll, select
 * and epoll hand it. A poll method reports what its file is ready for as a
 * mask of POLL* bits (the same values as EPOLL*), and registers the caller
 * on each wait queue whose wake-ups can change that mask by calling
 * poll_wait(pt, f, wq) (docs/poll.md).
 *
 * Rules for a poll method (struct file_ops.poll):
 *  - pt may be NULL (only the mask is wanted); otherwise call poll_wait
 *    for every queue the file's state changes are announced on, before
 *    reading the state, and wake that queue after every change that can
 *    set a bit (data in, room out, hang-up, error).
 *  - Register on at most two queues per file (an epoll item has room for
 *    two; more makes EPOLL_CTL_ADD fail with ENOMEM).
 *  - Never sleep; the file's own locks may be taken. The registration
 *    lasts until the caller removes it, and the caller keeps a reference
 *    on the file meanwhile, so the queues must live as long as the file.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/task.h>

#define POLLIN     0x0001
#define POLLPRI    0x0002
#define POLLOUT    0x0004
#define POLLERR    0x0008
#define POLLHUP    0x0010
#define POLLNVAL   0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200
#define POLLMSG    0x0400
#define POLLRDHUP  0x2000

struct file;

struct poll_table {
	/* Register the caller on wq; file is the one being polled. */
	void (*queue)(struct poll_table *pt, struct file *file, struct wait_queue *wq);
};

static inline void poll_wait(struct poll_table *pt, struct file *file, struct wait_queue *wq)
{
	if (pt && pt->queue)
		pt->queue(pt, file, wq);
}

/* ---- sleeping until one of several queues is woken (poll, select) ---- */

/* A task waiting on any number of queues: each registration is an entry
 * that holds a reference on its file; a wake-up of any of them sets
 * triggered and wakes the task. */
struct poll_waiter {
	struct poll_table pt;
	struct task *task;
	bool triggered;                 /* atomic: a queue was woken since the last clear */
	int error;                      /* -ENOMEM if a registration failed */
	struct list_head entries;       /* struct poll_entry, owner only */
};

void poll_waiter_init(struct poll_waiter *pw);
/* Remove every registration and drop their file references. */
void poll_waiter_destroy(struct poll_waiter *pw);
/* Sleep until a registered queue is woken (0), the monotonic deadline
 * passes (-ETIMEDOUT; UINT64_MAX: none) or a signal is pending (-EINTR).
 * Clears triggered before returning 0, so the caller rescans. */
int poll_waiter_sleep(struct poll_waiter *pw, uint64_t deadline);

/* The file's readiness mask; no poll method counts as always ready for
 * reading and writing (as Linux's DEFAULT_POLLMASK). */
unsigned file_poll(struct file *f, struct poll_table *pt);

/* fs/epoll.c: f is being released; drop the epoll items watching it. */
void eventpoll_release(struct file *f);

/* ppoll, pselect6, epoll_pwait: put the call's signal mask in place (umask
 * NULL: none; 1 if set, 0 if not, or -EINVAL/-EFAULT), and afterwards put
 * the caller's back, or leave that to signal delivery when the call was
 * interrupted (result -EINTR or -ERESTARTNOHAND). */
int poll_sigmask_set(const uint64_t *umask, size_t sigsetsize, uint64_t *saved);
void poll_sigmask_restore(int set, uint64_t saved, long result);
