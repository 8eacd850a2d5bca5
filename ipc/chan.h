/*
 * Channels inside the kernel (ipc/chan*.c): the object behind a channel
 * descriptor, its messages, and the waiters of chan_select. The locking
 * rules are in ipc/chan.c's opening comment and docs/channels.md.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <kernel/poll.h>
#include <ipc/objspace.h>
#include <uapi/goos/chan.h>

struct file;
struct proc;

/* A message: inline bytes, descriptors (file references) and an owned
 * bundle. Owned by exactly one of: the sending call, a channel's buffer,
 * a waiting receiver's case, the receiving call. */
struct chan_msg {
	struct list_head link;          /* in chan.msgs while buffered */
	uint32_t len, nfds, nranges;
	struct file **files;            /* nfds references */
	struct own_range *ranges;       /* what the sender named, for the receiver */
	struct own_xfer *xfer;          /* NULL when nranges == 0 */
	char *data;
};

struct chan {
	/* Immutable after creation. */
	uint32_t max_msg, cap;

	int refcount;                   /* atomic: handles, names, kernel users */
	struct wait_queue pollq;        /* poll/epoll: woken after every change */

	struct spinlock lock;           /* everything below */
	struct list_head msgs;          /* buffered struct chan_msg, oldest first */
	unsigned nmsgs;
	struct list_head recvq, sendq;  /* struct chan_case of blocked selects */
	struct list_head handles;       /* struct chan_handle: every file on it */
	unsigned nhandles;
	unsigned published;             /* names (ipc/chan_name.c) */
	bool closed;
};

/* A struct file on a channel: file->private. */
struct chan_handle {
	struct chan *chan;
	struct file *file;
	struct list_head link;          /* chan.handles, under chan.lock */
};

/* One waiting chan_select call (Go's sudog set): claimed exactly once,
 * by CAS of state from WAITING to DONE (a peer completed one case) or
 * CANCELLED (its owner gave up). */
enum { W_SCANNING, W_WAITING, W_DONE, W_CANCELLED };
struct chan_waiter {
	struct poll_waiter pw;          /* task, triggered: the sleep */
	int state;                      /* atomic */
	int fired;                      /* the case a peer completed (state DONE) */
	bool kicked;                    /* atomic: holders changed, rescan */
};

struct chan_case {
	struct chan *chan;
	struct file *file;              /* the reference this call holds */
	int op;                         /* GOOS_SELECT_RECV / SEND */
	int index;                      /* in the caller's array */
	struct chan_msg *msg;           /* send: to send (NULL once taken); recv: received */
	int result;                     /* recv: 1 message, 0 end; send: 0 or -EPIPE */
	bool alone;                     /* no other holder: recv ends, a blocking send fails */
	unsigned mine;                  /* the caller's references, when alone was computed */
	struct chan_waiter *w;
	struct list_head link;          /* chan.recvq/sendq while blocked */
};

extern const struct file_ops chan_fops;

/* ipc/chan.c */
struct chan *chan_alloc(uint32_t max_msg, uint32_t cap);
void chan_get(struct chan *c);
void chan_put(struct chan *c);
/* A new open file on c (takes a chan reference): NULL on ENOMEM. */
struct file *chan_file_new(struct chan *c, unsigned flags);
/* The channel behind f, or NULL if f is not a channel. */
struct chan *chan_of_file(struct file *f);
int chan_do_close(struct chan *c);
/* c->lock held: claim the first live waiter on q (a recvq or sendq), and
 * after completing its case, wake it. */
struct chan_case *chan_claim_peer(struct list_head *q);
void chan_finish_peer(struct chan_case *k);
void chan_msg_free(struct chan_msg *m);
void chan_wake_pollers(struct chan *c);
/* A reference to c was dropped: wake blocked callers that may now be
 * alone on it, to check again. */
void chan_kick(struct chan *c);
/* References to c held by the calling process: its descriptors plus the
 * transient ones its current call holds. */
unsigned chan_my_refs(struct chan *c, unsigned transient);
/* All references to c: its files' counts plus its names. c->lock held. */
unsigned chan_all_refs(struct chan *c);

/* ipc/chan_select.c: run cases[0..n) (messages already built): the index
 * of the case that happened, -EAGAIN (nonblock), -ETIMEDOUT, -EINTR.
 * deadline: monotonic ns, UINT64_MAX for none. */
int chan_select_run(struct chan_case *cases, unsigned n, bool nonblock, uint64_t deadline);
/* Kernel senders: buffer m on c without blocking (0, -EAGAIN, -EPIPE). */
int chan_send_kernel(struct chan *c, struct chan_msg *m);
/* Kernel receivers: take a buffered message or NULL. */
struct chan_msg *chan_recv_kernel(struct chan *c);

/* ipc/keyboard.c: publish the keyboard channel; feed it a key (any
 * context; source GOOS_KEY_*). */
void keyboard_init(void);
void keyboard_input(uint8_t c, unsigned source);
/* One key event (struct goos_key_event; time_ns is filled in) for the
 * keyboard channel's subscribers. Any context, interrupts included. */
void keyboard_input_event(const struct goos_key_event *ev);

/* ipc/chan_name.c */
void chan_proc_exit(struct proc *p);
int chan_publish_kernel(struct chan *c, const char *name, uint32_t mode);
