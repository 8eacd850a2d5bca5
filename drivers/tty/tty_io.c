/*
 * The file side of a terminal: open files of a struct tty, read (with
 * VMIN/VTIME and job control), write (through OPOST), poll and the
 * termios ioctls. The line discipline itself is n_tty.c.
 *
 * Lock order (drivers/tty/tty.h): proc_tree_lock -> tty_list_lock ->
 * tty.lock -> driver locks. tty_list_lock also protects every tty's
 * refcount (opens and closes are rare next to reads and writes).
 */
#include <drivers/tty/tty_internal.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_ACCMODE  03
#define O_WRONLY   01
#define O_NONBLOCK 04000

struct spinlock tty_list_lock = SPINLOCK_INIT("tty_list");
LIST_HEAD(tty_list);

/* Linux's tty_std_termios: ICRNL IXON, OPOST ONLCR, B38400 CS8 CREAD
 * HUPCL, ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN, and the
 * usual control characters (^C ^\ DEL ^U ^D, VMIN 1, ^Q ^S ^Z ^R ^O ^W ^V). */
static const struct termios_k std_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0 },
};

struct tty *tty_alloc(const struct tty_driver *drv, void *driver_data, const char *name,
		      uint32_t dev)
{
	struct tty *tty = kzalloc(sizeof(*tty));
	if (!tty)
		return NULL;
	tty->buf = kmalloc(TTY_BUF);
	tty->bflags = kmalloc(TTY_BUF);
	if (!tty->buf || !tty->bflags) {
		kfree(tty->buf);
		kfree(tty->bflags);
		kfree(tty);
		return NULL;
	}
	tty->drv = drv;
	tty->driver_data = driver_data;
	tty->dev = dev;
	snprintf(tty->name, sizeof(tty->name), "%s", name);
	tty->refcount = 1;
	spin_lock_init(&tty->lock, "tty");
	tty->termios = std_termios;
	tty->ws = (struct winsize_k){ .ws_row = 24, .ws_col = 80 };
	wait_queue_init(&tty->read_wq);
	wait_queue_init(&tty->write_wq);
	mutex_init(&tty->write_mutex, "tty_write");
	spin_lock(&tty_list_lock);
	list_add_tail(&tty->link, &tty_list);
	spin_unlock(&tty_list_lock);
	return tty;
}

void tty_get(struct tty *tty)
{
	spin_lock(&tty_list_lock);
	tty->refcount++;
	spin_unlock(&tty_list_lock);
}

void tty_put(struct tty *tty)
{
	spin_lock(&tty_list_lock);
	bool last = --tty->refcount == 0;
	if (last)
		list_del(&tty->link);
	spin_unlock(&tty_list_lock);
	if (!last)
		return;
	if (tty->drv->destroy)
		tty->drv->destroy(tty);
	kfree(tty->buf);
	kfree(tty->bflags);
	kfree(tty);
}

void tty_wake(struct tty *tty)
{
	spin_lock(&tty->lock);
	bool r = tty->wake_readers, w = tty->wake_writers;
	tty->wake_readers = tty->wake_writers = false;
	spin_unlock(&tty->lock);
	if (r)
		wait_queue_wake_all(&tty->read_wq);
	if (w)
		wait_queue_wake_all(&tty->write_wq);
}

size_t tty_receive(struct tty *tty, const uint8_t *buf, size_t n)
{
	struct tty_recv rv = { 0 };

	spin_lock(&tty->lock);
	size_t done = n_tty_receive(tty, buf, n, &rv);
	spin_unlock(&tty->lock);
	tty_wake(tty);
	/* Echoes went to the device; a pty master reader may be waiting. */
	tty_send_signals(&rv);
	return done;
}

size_t tty_receive_room(struct tty *tty)
{
	spin_lock(&tty->lock);
	size_t room = (tty->termios.c_lflag & ICANON) ? TTY_BUF : TTY_BUF - (tty->head - tty->tail);
	spin_unlock(&tty->lock);
	return room;
}

/* ---- read ---- */

struct read_timer {
	struct timer t;
	struct wait_queue *wq;
	bool fired;
};

static void read_timer_fn(struct timer *t)
{
	struct read_timer *rt = container_of(t, struct read_timer, t);
	WRITE_ONCE(rt->fired, true);
	wait_queue_wake_all(rt->wq);
}

static bool can_read(struct tty *tty, unsigned need)
{
	spin_lock(&tty->lock);
	bool r = tty->hungup || n_tty_available(tty) >= need;
	spin_unlock(&tty->lock);
	return r;
}

static long tty_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct tty *tty = f->private;
	uint8_t chunk[256];
	size_t done = 0;
	long err = tty_job_check(tty, SIGTTIN);
	(void)pos;

	if (err)
		return err;
	if (!len)
		return 0;
	spin_lock(&tty->lock);
	bool canon = tty->termios.c_lflag & ICANON;
	unsigned vmin = canon ? 1 : tty->termios.c_cc[VMIN];
	uint64_t vtime_ns = canon ? 0 : tty->termios.c_cc[VTIME] * 100 * NSEC_PER_MSEC;
	spin_unlock(&tty->lock);
	size_t minimum = MIN((size_t)vmin, len);
	struct read_timer rt = { .wq = &tty->read_wq };
	timer_init(&rt.t, read_timer_fn);
	if (vtime_ns && !vmin)
		timer_arm(&rt.t, time_ns() + vtime_ns);         /* the whole read's limit */

	for (;;) {
		bool eol = false, hungup;
		spin_lock(&tty->lock);
		size_t n = n_tty_copy(tty, chunk, MIN(len - done, sizeof(chunk)), &eol);
		hungup = tty->hungup;
		spin_unlock(&tty->lock);
		if (n && tty->drv->unthrottle)
			tty->drv->unthrottle(tty);
		if (n && copy_to_user((uint8_t *)ubuf + done, chunk, n)) {
			err = -EFAULT;
			break;
		}
		done += n;
		if (n && vtime_ns && vmin)
			timer_arm(&rt.t, time_ns() + vtime_ns);  /* inter-byte timer */
		if (done == len || (canon && eol))
			break;
		if (n)
			continue;               /* more may be buffered */
		if (hungup)
			break;
		if (!canon) {
			if (!vmin && !vtime_ns)
				break;
			if (vmin && done >= minimum)
				break;
			if (!vmin && done)
				break;
			if (READ_ONCE(rt.fired))
				break;
		}
		if (f->flags & O_NONBLOCK) {
			if (!done)
				err = -EAGAIN;
			break;
		}
		err = wait_event_interruptible(&tty->read_wq, can_read(tty, 1) || READ_ONCE(rt.fired));
		if (err)
			break;
	}
	timer_cancel_sync(&rt.t);
	return done ? (long)done : err;
}

/* ---- write ---- */

static bool can_write(struct tty *tty)
{
	spin_lock(&tty->lock);
	bool r = tty->hungup || (!tty->stopped && tty->drv->write_room(tty) >= 2);
	spin_unlock(&tty->lock);
	return r;
}

static long tty_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	struct tty *tty = f->private;
	uint8_t chunk[256];
	size_t done = 0;
	long err = 0;
	(void)pos;

	spin_lock(&tty->lock);
	bool tostop = tty->termios.c_lflag & TOSTOP;
	spin_unlock(&tty->lock);
	if (tostop && (err = tty_job_check(tty, SIGTTOU)))
		return err;
	if (mutex_lock_interruptible(&tty->write_mutex))
		return -ERESTARTSYS;
	while (done < len && !err) {
		size_t n = MIN(len - done, sizeof(chunk)), off = 0;
		if (copy_from_user(chunk, (const uint8_t *)ubuf + done, n)) {
			err = -EFAULT;
			break;
		}
		while (off < n) {
			spin_lock(&tty->lock);
			size_t k = 0;
			if (tty->hungup)
				err = -EIO;
			else if (!tty->stopped)
				k = n_tty_write(tty, chunk + off, n - off);
			spin_unlock(&tty->lock);
			off += k;
			if (err)
				break;
			if (k)
				continue;
			if (f->flags & O_NONBLOCK) {
				err = -EAGAIN;
				break;
			}
			if ((err = wait_event_interruptible(&tty->write_wq, can_write(tty))))
				break;
		}
		done += off;
	}
	mutex_unlock(&tty->write_mutex);
	return done ? (long)done : err;
}

/* ---- poll ---- */

unsigned tty_poll_mask(struct tty *tty)
{
	unsigned mask = 0;
	spin_lock(&tty->lock);
	unsigned need = 1;
	if (!(tty->termios.c_lflag & ICANON) && !tty->termios.c_cc[VTIME] && tty->termios.c_cc[VMIN])
		need = tty->termios.c_cc[VMIN];
	if (n_tty_available(tty) >= need)
		mask |= POLLIN | POLLRDNORM;
	if (tty->hungup)
		mask |= POLLHUP | POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
	else if (!tty->stopped && tty->drv->write_room(tty) >= 2)
		mask |= POLLOUT | POLLWRNORM;
	spin_unlock(&tty->lock);
	return mask;
}

static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = f->private;
	poll_wait(pt, f, &tty->read_wq);
	poll_wait(pt, f, &tty->write_wq);
	return tty_poll_mask(tty);
}

/* ---- ioctls ---- */

static int set_termios(struct tty *tty, const struct termios_k *t, bool flush)
{
	spin_lock(&tty->lock);
	struct termios_k old = tty->termios;
	tty->termios = *t;
	if (flush)
		n_tty_flush_input(tty);
	n_tty_set_termios(tty, &old);
	spin_unlock(&tty->lock);
	tty_wake(tty);
	return 0;
}

/* Bytes a read could return (canonical: complete lines, without the VEOF
 * markers), for TIOCINQ. */
static uint32_t inq(struct tty *tty)
{
	spin_lock(&tty->lock);
	uint32_t n = 0;
	unsigned end = tty->tail + n_tty_available(tty);
	bool canon = tty->termios.c_lflag & ICANON;
	for (unsigned i = tty->tail; i != end; i++)
		n += !(canon && (tty->bflags[i % TTY_BUF] & TTYB_EOF));
	spin_unlock(&tty->lock);
	return n;
}

static long flush(struct tty *tty, unsigned long arg)
{
	if (arg > TCIOFLUSH)
		return -EINVAL;
	spin_lock(&tty->lock);
	if (arg == TCIFLUSH || arg == TCIOFLUSH)
		n_tty_flush_input(tty);
	if ((arg == TCOFLUSH || arg == TCIOFLUSH) && tty->drv->flush_output)
		tty->drv->flush_output(tty);
	tty->wake_writers = true;
	spin_unlock(&tty->lock);
	tty_wake(tty);
	if (tty->drv->unthrottle)
		tty->drv->unthrottle(tty);
	return 0;
}

static long xonc(struct tty *tty, unsigned long arg)
{
	spin_lock(&tty->lock);
	long err = 0;
	uint8_t c;
	switch (arg) {
	case TCOOFF:
		tty->stopped = true;
		break;
	case TCOON:
		tty->stopped = false;
		tty->wake_writers = true;
		break;
	case TCIOFF:
	case TCION:
		c = tty->termios.c_cc[arg == TCIOFF ? VSTOP : VSTART];
		if (c && tty->drv->write_room(tty) >= 1)
			tty->drv->write(tty, &c, 1);
		break;
	default:
		err = -EINVAL;
	}
	spin_unlock(&tty->lock);
	tty_wake(tty);
	return err;
}

/* The ioctls on tty's settings and state. from_master: through a pty's
 * master (no job control, as the master is never a controlling tty). */
long tty_ioctl_common(struct tty *tty, struct file *f, unsigned cmd, unsigned long arg,
		      bool from_master)
{
	void *uarg = (void *)arg;
	long err;

	switch (cmd) {
	case TCGETS:
	case TCGETS2: {
		struct termios2_k t2 = { 0 };
		spin_lock(&tty->lock);
		t2.t = tty->termios;
		spin_unlock(&tty->lock);
		t2.c_ispeed = t2.c_ospeed = 38400;
		size_t n = cmd == TCGETS ? sizeof(struct termios_k) : sizeof(t2);
		return copy_to_user(uarg, &t2, n) ? -EFAULT : 0;
	}
	case TCSETS: case TCSETSW: case TCSETSF:
	case TCSETS2: case TCSETSW2: case TCSETSF2: {
		struct termios2_k t2;
		bool two = cmd == TCSETS2 || cmd == TCSETSW2 || cmd == TCSETSF2;
		if (!from_master && (err = tty_job_check(tty, SIGTTOU)))
			return err;
		if (copy_from_user(&t2, uarg, two ? sizeof(t2) : sizeof(t2.t)))
			return -EFAULT;
		return set_termios(tty, &t2.t, cmd == TCSETSF || cmd == TCSETSF2);
	}
	case TIOCGWINSZ: {
		spin_lock(&tty->lock);
		struct winsize_k ws = tty->ws;
		spin_unlock(&tty->lock);
		return copy_to_user(uarg, &ws, sizeof(ws)) ? -EFAULT : 0;
	}
	case TIOCSWINSZ: {
		struct winsize_k ws;
		if (copy_from_user(&ws, uarg, sizeof(ws)))
			return -EFAULT;
		spin_lock(&tty->lock);
		bool changed = memcmp(&ws, &tty->ws, sizeof(ws)) != 0;
		tty->ws = ws;
		int pgrp = tty->pgrp;
		spin_unlock(&tty->lock);
		if (changed && pgrp)
			kill_pgrp(pgrp, SIGWINCH, 1);
		return 0;
	}
	case TCFLSH:
		if (!from_master && (err = tty_job_check(tty, SIGTTOU)))
			return err;
		return flush(tty, arg);
	case TCXONC:
		if (!from_master && (err = tty_job_check(tty, SIGTTOU)))
			return err;
		return xonc(tty, arg);
	case TCSBRK:
	case TCSBRKP:
		/* Output is handed to the device at once: nothing to drain, and
		 * no break to send on these devices. */
		if (!from_master && (err = tty_job_check(tty, SIGTTOU)))
			return err;
		return 0;
	case TIOCINQ:
		return put_user_u32(inq(tty), uarg) ? -EFAULT : 0;
	case TIOCOUTQ: {
		spin_lock(&tty->lock);
		uint32_t n = tty->drv->chars_in_buffer ? (uint32_t)tty->drv->chars_in_buffer(tty) : 0;
		spin_unlock(&tty->lock);
		return put_user_u32(n, uarg) ? -EFAULT : 0;
	}
	case TIOCGETD:
		return put_user_u32(0, uarg) ? -EFAULT : 0;            /* N_TTY */
	case TIOCSCTTY: case TIOCNOTTY: case TIOCGPGRP: case TIOCSPGRP: case TIOCGSID:
		return tty_ctty_ioctl(tty, f, cmd, arg, from_master);
	default:
		return -ENOTTY;
	}
}

static long tty_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct tty *tty = f->private;
	if (tty->drv->ioctl) {
		long r = tty->drv->ioctl(tty, f, cmd, arg);
		if (r != -ENOIOCTLCMD)
			return r;
	}
	return tty_ioctl_common(tty, f, cmd, arg, false);
}

static void tty_release(struct file *f)
{
	struct tty *tty = f->private;
	spin_lock(&tty->lock);
	unsigned left = --tty->opens;
	spin_unlock(&tty->lock);
	if (tty->drv->close)
		tty->drv->close(tty, left);
	tty_put(tty);
}

static const struct file_ops tty_fops = {
	.read = tty_read,
	.write = tty_write,
	.poll = tty_poll,
	.ioctl = tty_ioctl,
	.release = tty_release,
	.anon_mode = 0020000 | 0620,    /* S_IFCHR */
};

struct tty *tty_from_file(struct file *f)
{
	return f && f->ops == &tty_fops ? f->private : NULL;
}

struct file *tty_open_file(struct tty *tty, unsigned flags, bool noctty)
{
	if (tty->drv->open) {
		int err = tty->drv->open(tty);
		if (err)
			return ERR_PTR(err);
	}
	struct file *f = file_alloc(&tty_fops, tty, flags);
	if (!f)
		return ERR_PTR(-ENOMEM);
	spin_lock(&tty->lock);
	tty->opens++;
	spin_unlock(&tty->lock);
	if (!noctty)
		tty_maybe_acquire(tty);
	return f;
}
