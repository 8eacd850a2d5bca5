/*
 * The console tty: what /dev/console, /dev/ttyS0 and a new init's fds 0,
 * 1 and 2 are. Output goes to every kernel console (serial, framebuffer);
 * input comes from the serial port and the keyboard through
 * tty_console_input, which may run in an interrupt handler: it only puts
 * bytes in the flip ring, and the "ttyd" task feeds them to the line
 * discipline in task context (which can send signals and sleep on locks).
 *
 * Locking: flip.lock (irqsave) protects the flip ring; the tty as any.
 */
#include <drivers/tty/console.h>
#include <drivers/tty/tty_internal.h>
#include <drivers/serial/uart16550.h>
#include <fs/devices.h>
#include <ipc/chan.h>
#include <kernel/console.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/panic.h>
#include <kernel/task.h>

#define FLIP_SIZE 1024

static struct {
	struct spinlock lock;
	uint8_t buf[FLIP_SIZE];
	unsigned head, tail;            /* head: next write, tail: next read */
	struct wait_queue wq;           /* ttyd sleeps here */
} flip = {
	.lock = SPINLOCK_INIT("console_flip"),
	.wq = WAIT_QUEUE_INIT(flip.wq),
};

static struct tty *console_tty;

static size_t con_write(struct tty *tty, const uint8_t *buf, size_t n)
{
	(void)tty;
	console_write_raw((const char *)buf, n);        /* OPOST was applied */
	return n;
}

static size_t con_write_room(struct tty *tty)
{
	(void)tty;
	return (size_t)-1;
}

static const struct tty_driver console_driver = {
	.write = con_write,
	.write_room = con_write_room,
};

void tty_console_input(const char *buf, size_t n)
{
	unsigned long flags = spin_lock_irqsave(&flip.lock);
	for (size_t i = 0; i < n && flip.head - flip.tail < FLIP_SIZE; i++)
		flip.buf[flip.head++ % FLIP_SIZE] = (uint8_t)buf[i];
	spin_unlock_irqrestore(&flip.lock, flags);
	wait_queue_wake_all(&flip.wq);
}

static bool flip_pending(void)
{
	return READ_ONCE(flip.head) != READ_ONCE(flip.tail);
}

/* Feeds the flip ring to the line discipline. Bytes it cannot take (raw
 * mode with a full buffer and no reader) are dropped, as a UART overruns;
 * in canonical mode an over-long line loses its excess the same way. */
static void ttyd(void *arg)
{
	uint8_t chunk[64];
	(void)arg;
	for (;;) {
		wait_event(&flip.wq, flip_pending());
		unsigned long flags = spin_lock_irqsave(&flip.lock);
		size_t n = 0;
		while (n < sizeof(chunk) && flip.tail != flip.head)
			chunk[n++] = flip.buf[flip.tail++ % FLIP_SIZE];
		spin_unlock_irqrestore(&flip.lock, flags);
		tty_receive(console_tty, chunk, n);
	}
}

static void serial_rx(uint8_t c)
{
	char ch = (char)c;
	tty_console_input(&ch, 1);
	keyboard_input(c, GOOS_KEY_SERIAL);     /* a copy for the keyboard channel */
}

struct file *console_open(unsigned flags)
{
	tty_get(console_tty);
	struct file *f = tty_open_file(console_tty, flags, true);
	if (IS_ERR(f)) {
		tty_put(console_tty);
		return NULL;
	}
	return f;
}

struct file *console_open_dev(unsigned flags, bool noctty)
{
	tty_get(console_tty);
	struct file *f = tty_open_file(console_tty, flags, noctty);
	if (IS_ERR(f))
		tty_put(console_tty);
	return f;
}

void console_input_init(void)
{
	/* The serial port's number, as Linux's console on ttyS0 shows. */
	console_tty = tty_alloc(&console_driver, NULL, "console", MKDEV(4, 64));
	if (!console_tty)
		panic("tty: no memory for the console");
	if (!task_create("ttyd", ttyd, NULL))
		panic("tty: cannot start ttyd");
	uart_enable_rx(serial_rx);
}
