/* Shared between the files of drivers/tty (not for other subsystems). */
#pragma once

#include <drivers/tty/tty.h>
#include <kernel/proc/jobctl.h>        /* kill_pgrp, pgrp_is_orphaned */

/* What receiving input asks for once tty.lock is dropped. */
struct tty_recv {
	uint64_t sigs;                  /* SIGBIT()s for the foreground group */
	int pgrp;
};

/* n_tty.c (tty.lock held) */
size_t n_tty_receive(struct tty *tty, const uint8_t *buf, size_t n, struct tty_recv *rv);
void n_tty_flush_input(struct tty *tty);
void n_tty_set_termios(struct tty *tty, const struct termios_k *old);
unsigned n_tty_available(struct tty *tty);
size_t n_tty_copy(struct tty *tty, uint8_t *out, size_t len, bool *eol);
size_t n_tty_write(struct tty *tty, const uint8_t *buf, size_t n);

#define ENOIOCTLCMD 515              /* kernel-internal: not this driver's ioctl */

/* tty_io.c */
long tty_ioctl_common(struct tty *tty, struct file *f, unsigned cmd, unsigned long arg,
		      bool from_master);
unsigned tty_poll_mask(struct tty *tty);
/* Wake the queues the last change under tty.lock asked for (lock dropped). */
void tty_wake(struct tty *tty);
extern struct spinlock tty_list_lock;
extern struct list_head tty_list;

/* tty_ctty.c */
/* Job control for the caller on tty: 0 to go on, -EIO, or -ERESTARTSYS
 * after sending sig (SIGTTIN for reads, SIGTTOU for writes and changes)
 * to its background group. */
int tty_job_check(struct tty *tty, int sig);
/* The open rule: a session leader with no controlling tty gets tty. */
void tty_maybe_acquire(struct tty *tty);
/* Is tty the caller's controlling terminal? */
bool tty_is_ctty(struct tty *tty);
long tty_ctty_ioctl(struct tty *tty, struct file *f, unsigned cmd, unsigned long arg,
		    bool from_master);
/* Send the signals r asks for to its group. */
void tty_send_signals(const struct tty_recv *rv);
