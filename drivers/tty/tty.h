/*
 * The TTY layer: a struct tty is one terminal (the console, a pty slave)
 * with its termios, window size, controlling session and foreground
 * process group, and the N_TTY line discipline's input buffer. A driver
 * supplies output (struct tty_driver) and feeds input with tty_receive.
 *
 * drivers/tty/n_tty.c     the line discipline: input editing, echo, output
 *                         post-processing, read and write of the buffer
 * drivers/tty/tty_io.c    the file side: open, read, write, poll, ioctls
 * drivers/tty/tty_ctty.c  controlling terminals and job-control checks
 * drivers/tty/console.c   the console tty (/dev/console, /dev/ttyS0)
 * drivers/tty/pty.c       pseudo-terminals: /dev/ptmx and devpts
 *
 * Lock order: proc_tree_lock -> tty_list_lock -> tty.lock -> a driver's
 * own lock (pty ring lock, printk's log_lock). Signals are sent with no
 * tty lock held (kill_pgrp takes proc_tree_lock).
 */
#pragma once

#include <drivers/tty/termios.h>
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>

#define TTY_BUF 4096                    /* input buffer, a power of two */

struct tty;
struct file;
struct proc;

struct tty_driver {
	/* Output bytes already post-processed; returns how many were taken
	 * (may be fewer when the device's queue is full). Called with
	 * tty.lock held: must not sleep. */
	size_t (*write)(struct tty *tty, const uint8_t *buf, size_t n);
	/* Bytes write would take now ((size_t)-1: no limit). tty.lock held. */
	size_t (*write_room)(struct tty *tty);
	/* Bytes written but not yet taken by the other side (TIOCOUTQ). */
	size_t (*chars_in_buffer)(struct tty *tty);
	/* Input was consumed: the sender may have room again (pty). */
	void (*unthrottle)(struct tty *tty);
	/* Flush output not yet taken (TCOFLUSH; ISIG without NOFLSH). */
	void (*flush_output)(struct tty *tty);
	/* Optional: may this tty be opened now (pty slave: unlocked, master
	 * still there)? 0 or -errno. */
	int (*open)(struct tty *tty);
	/* Optional: an open file was released; left files remain. */
	void (*close)(struct tty *tty, unsigned left);
	/* Optional: driver ioctls; -ENOIOCTLCMD for the generic ones. */
	long (*ioctl)(struct tty *tty, struct file *f, unsigned cmd, unsigned long arg);
	/* Optional: the last reference is gone (free driver_data). */
	void (*destroy)(struct tty *tty);
	bool is_pty_slave;
};

struct tty {
	/* Immutable after creation. */
	const struct tty_driver *drv;
	void *driver_data;
	char name[16];                  /* "console", "pts/3" */
	uint32_t dev;                   /* its device number (/proc/[pid]/stat tty_nr) */
	int refcount;                   /* atomic: open files + tty_list's hold */

	/* Under tty_list_lock. */
	struct list_head link;          /* on tty_list */

	/* Under lock (a spinlock, taken in task context only: interrupt
	 * input goes through the console's flip ring and worker). */
	struct spinlock lock;
	struct termios_k termios;
	struct winsize_k ws;
	int session;                    /* sid whose controlling tty this is, 0: none */
	int pgrp;                       /* foreground process group, 0: none */
	uint8_t *buf;                   /* TTY_BUF bytes of input */
	uint8_t *bflags;                /* per byte: TTYB_DELIM, TTYB_EOF */
	unsigned head, canon_head, tail;        /* byte counts: written, lines end, read */
	bool lnext;                     /* the previous byte was VLNEXT */
	bool stopped;                   /* output stopped by VSTOP (IXON) or TCOOFF */
	bool hungup;                    /* reads end of file, writes EIO */
	bool other_closed;              /* pty master: the slave's last close */
	unsigned column;                /* output column, for erasing tabs */
	unsigned line_start_col;        /* column where the edited line began */
	bool wake_readers, wake_writers;        /* set under lock, acted on after */
	unsigned opens;                 /* open files */
	struct wait_queue read_wq;      /* input, hang-up */
	struct wait_queue write_wq;     /* output room, start */

	struct mutex write_mutex;       /* one writer's bytes stay together */
};

#define TTYB_DELIM 1
#define TTYB_EOF   2

/* Make a tty with Linux's standard termios (one reference). */
struct tty *tty_alloc(const struct tty_driver *drv, void *driver_data, const char *name,
		      uint32_t dev);
void tty_get(struct tty *tty);
void tty_put(struct tty *tty);

/* Feed input bytes through the line discipline (task context). Returns
 * how many were taken (fewer when the buffer is full in raw mode). */
size_t tty_receive(struct tty *tty, const uint8_t *buf, size_t n);
/* Bytes the buffer could take now. */
size_t tty_receive_room(struct tty *tty);

/* A new open file of tty (the caller's reference passes to it unless an
 * error is returned). Handles the controlling-terminal rule: a session
 * leader without one acquires tty unless noctty. */
struct file *tty_open_file(struct tty *tty, unsigned flags, bool noctty);
/* The tty behind a tty file, NULL if f is not one. */
struct tty *tty_from_file(struct file *f);

/* Hang up: readers see end of file, writers EIO; SIGHUP and SIGCONT go to
 * the session leader and the foreground group; the session loses it. */
void tty_hangup(struct tty *tty);
/* Called when a session leader exits (kernel/proc/exit.c via jobctl):
 * its controlling tty's foreground group gets SIGHUP and SIGCONT and the
 * tty is no longer controlling. */
void tty_session_hangup(struct proc *leader);

/* The controlling tty of session sid: its device number and foreground
 * group (/proc/[pid]/stat's tty_nr and tpgid); false if it has none. */
bool tty_session_info(int sid, uint32_t *dev, int *tpgid);
/* /dev/tty: the caller's controlling terminal with a reference, or NULL. */
struct tty *tty_current_ctty(void);
