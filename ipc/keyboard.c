/*
 * The kernel's keyboard channel (GOOS_KEYBOARD_CHANNEL in
 * include/uapi/goos/chan.h): as in the GoOS seed, a program subscribes by
 * sending the published channel its own channel, and receives key events
 * on it. Keys come from the PS/2 keyboard (drivers/input/ps2kbd.c: press,
 * release, key code, modifiers, character) and from the serial port (one
 * event per byte); the console keeps its input too: these are copies.
 *
 * The interrupt side only fills a ring; the kbd thread, in process
 * context, takes subscriptions and sends events (channel locks are not
 * interrupt-safe). Locking: kbd.lock (irqsave) protects the ring;
 * subscribers belong to the thread alone.
 */
#include <ipc/chan.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <mm/slab.h>

#define KBD_RING     256
#define KBD_MAX_SUBS 32
#define KBD_CAP      16                 /* subscriptions waiting for the thread */

static struct {
	struct spinlock lock;           /* ring, irqsave */
	struct goos_key_event ring[KBD_RING];
	unsigned head, tail;
	unsigned dropped;               /* ring full */
	struct wait_queue wq;           /* the thread sleeps here */
	bool subs_pending;              /* atomic: the channel changed */
	struct wait_entry watch;        /* on the channel's pollq */
	struct chan *chan;
	struct file *subs[KBD_MAX_SUBS];        /* the thread's */
} kbd = {
	.lock = SPINLOCK_INIT("kbd_ring"),
	.wq = WAIT_QUEUE_INIT(kbd.wq),
};

/* Any context: queue one event for the thread; time_ns is stamped here. */
void keyboard_input_event(const struct goos_key_event *ev)
{
	if (!READ_ONCE(kbd.chan))
		return;
	unsigned long flags = spin_lock_irqsave(&kbd.lock);
	if (kbd.head - kbd.tail < KBD_RING) {
		struct goos_key_event *slot = &kbd.ring[kbd.head++ % KBD_RING];
		*slot = *ev;
		slot->time_ns = time_ns();
	} else {
		kbd.dropped++;
	}
	spin_unlock_irqrestore(&kbd.lock, flags);
	wait_queue_wake_all(&kbd.wq);
}

/* Interrupt context: one byte from the serial port, a press of no key. */
void keyboard_input(uint8_t c, unsigned source)
{
	struct goos_key_event ev = { .code = c, .source = source, .value = GOOS_KEY_PRESS };
	keyboard_input_event(&ev);
}

static void kbd_watch(struct wait_entry *e)
{
	__atomic_store_n(&kbd.subs_pending, true, __ATOMIC_SEQ_CST);
	wait_queue_wake_all(&kbd.wq);
}

static bool kbd_work(void)
{
	return READ_ONCE(kbd.head) != READ_ONCE(kbd.tail) ||
	       __atomic_load_n(&kbd.subs_pending, __ATOMIC_SEQ_CST);
}

static void subscribe(struct file *f)
{
	struct chan *c = chan_of_file(f);
	if (!c || (f->flags & 3) == 0 || c == kbd.chan)
		return;                 /* not a channel we may send on */
	for (unsigned i = 0; i < KBD_MAX_SUBS; i++)
		if (!kbd.subs[i]) {
			file_get(f);
			kbd.subs[i] = f;
			return;
		}
}

static bool abandoned(struct file *f);

/* Drop subscribers whose channel was closed or that no one else holds:
 * at every key, and before taking new subscriptions (so dead ones never
 * fill the table when no key comes). */
static void prune(void)
{
	for (unsigned i = 0; i < KBD_MAX_SUBS; i++) {
		struct file *f = kbd.subs[i];
		if (f && (READ_ONCE(chan_of_file(f)->closed) || abandoned(f))) {
			kbd.subs[i] = NULL;
			file_put(f);
		}
	}
}

static void take_subscriptions(void)
{
	__atomic_store_n(&kbd.subs_pending, false, __ATOMIC_SEQ_CST);
	prune();
	struct chan_msg *m;
	while ((m = chan_recv_kernel(kbd.chan))) {
		for (uint32_t i = 0; i < m->nfds; i++)
			subscribe(m->files[i]);
		chan_msg_free(m);
	}
}

/* Is the kernel the last holder of the subscriber's channel? */
static bool abandoned(struct file *f)
{
	struct chan *c = chan_of_file(f);
	return __atomic_load_n(&f->refcount, __ATOMIC_ACQUIRE) == 1 &&
	       READ_ONCE(c->nhandles) == 1 && !READ_ONCE(c->published);
}

static void deliver(const struct goos_key_event *ev)
{
	for (unsigned i = 0; i < KBD_MAX_SUBS; i++) {
		struct file *f = kbd.subs[i];
		if (!f)
			continue;
		/* Cut to what the subscriber's channel takes: a channel sized
		 * for the 16-byte layout before keycode still works. */
		uint32_t len = MIN((uint32_t)sizeof(*ev), chan_of_file(f)->max_msg);
		struct chan_msg *m = kzalloc(sizeof(*m) + sizeof(*ev));
		int r = -ENOMEM;
		if (m) {
			m->data = (char *)(m + 1);
			m->len = len;
			memcpy(m->data, ev, len);
			r = chan_send_kernel(chan_of_file(f), m);
			if (r)
				chan_msg_free(m);       /* full (dropped) or closed */
		}
		if (r == -EPIPE || abandoned(f)) {
			kbd.subs[i] = NULL;
			file_put(f);
		}
	}
}

static void kbd_thread(void *arg)
{
	for (;;) {
		wait_event(&kbd.wq, kbd_work());
		take_subscriptions();
		for (;;) {
			struct goos_key_event ev;
			unsigned long flags = spin_lock_irqsave(&kbd.lock);
			bool any = kbd.head != kbd.tail;
			if (any)
				ev = kbd.ring[kbd.tail++ % KBD_RING];
			spin_unlock_irqrestore(&kbd.lock, flags);
			if (!any)
				break;
			deliver(&ev);
		}
	}
}

void keyboard_init(void)
{
	struct chan *c = chan_alloc(0, KBD_CAP);
	if (!c || chan_publish_kernel(c, GOOS_KEYBOARD_CHANNEL, 0222)) {
		pr_warn("keyboard: no channel\n");
		return;
	}
	kbd.chan = c;                   /* the allocation's reference: kept for ever */
	wait_entry_add(&c->pollq, &kbd.watch, kbd_watch);
	if (!task_create("kbd", kbd_thread, NULL))
		pr_warn("keyboard: no thread\n");
}
