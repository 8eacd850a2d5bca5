/*
 * The console device: what /dev/console and a new process's fds 0, 1 and 2
 * are. Output goes to every kernel console (serial, framebuffer); input
 * comes from the serial port, byte by byte, with no line discipline yet
 * (the TTY issue adds canonical mode, echo and job control).
 *
 * Locking: input_lock (irqsave: the UART interrupt fills the ring).
 */
#include <drivers/tty/console.h>
#include <drivers/serial/uart16550.h>
#include <ipc/chan.h>
#include <kernel/console.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/task.h>
#include <mm/uaccess.h>

#define INPUT_SIZE 1024
#define TIOCGWINSZ 0x5413
#define TCGETS     0x5401
#define FIONREAD   0x541B

static struct {
	struct spinlock lock;
	uint8_t buf[INPUT_SIZE];
	unsigned head, tail;            /* head: next write, tail: next read */
	struct wait_queue readers;
} input = {
	.lock = SPINLOCK_INIT("console_input"),
	.readers = WAIT_QUEUE_INIT(input.readers),
};

void tty_console_input(const char *buf, size_t n)
{
	unsigned long flags = spin_lock_irqsave(&input.lock);
	for (size_t i = 0; i < n && input.head - input.tail < INPUT_SIZE; i++)
		input.buf[input.head++ % INPUT_SIZE] = (uint8_t)buf[i];
	spin_unlock_irqrestore(&input.lock, flags);
	wait_queue_wake_all(&input.readers);
}

static void console_rx(uint8_t c)
{
	tty_console_input((const char *)&c, 1);
	keyboard_input(c, GOOS_KEY_SERIAL);     /* a copy for the keyboard channel */
}

static bool input_ready(void)
{
	return READ_ONCE(input.head) != READ_ONCE(input.tail);
}

static long console_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	uint8_t chunk[64];
	size_t n = 0;

	if (!len)
		return 0;
	long err = wait_event_interruptible(&input.readers, input_ready());
	if (err)
		return err;
	unsigned long flags = spin_lock_irqsave(&input.lock);
	while (n < len && n < sizeof(chunk) && input.tail != input.head)
		chunk[n++] = input.buf[input.tail++ % INPUT_SIZE];
	spin_unlock_irqrestore(&input.lock, flags);
	if (copy_to_user(ubuf, chunk, n))
		return -EFAULT;
	return (long)n;
}

static long console_write_file(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	char chunk[256];
	size_t done = 0;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		if (copy_from_user(chunk, (const char *)ubuf + done, n))
			return done ? (long)done : -EFAULT;
		console_write(chunk, n);
		done += n;
	}
	return (long)done;
}

/* struct winsize and the termios that TCGETS reports (Linux layout). */
struct winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct termios_k {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};
_Static_assert(sizeof(struct termios_k) == 36, "Linux struct termios (TCGETS)");

static long console_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	switch (cmd) {
	case FIONREAD: {
		/* Input bytes waiting (TIOCINQ). */
		unsigned long flags = spin_lock_irqsave(&input.lock);
		uint32_t n = input.head - input.tail;
		spin_unlock_irqrestore(&input.lock, flags);
		return put_user_u32(n, (void *)arg) ? -EFAULT : 0;
	}
	case TIOCGWINSZ: {
		struct winsize ws = { .ws_row = 24, .ws_col = 80 };
		return copy_to_user((void *)arg, &ws, sizeof(ws)) ? -EFAULT : 0;
	}
	case TCGETS: {
		/* Linux's defaults for a serial console: ICRNL IXON, OPOST ONLCR,
		 * B38400 CS8 CREAD HUPCL, ISIG ICANON ECHO... */
		struct termios_k t = {
			.c_iflag = 0x500, .c_oflag = 0x5, .c_cflag = 0xbf,
			.c_lflag = 0x8a3b,
			.c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22 },
		};
		return copy_to_user((void *)arg, &t, sizeof(t)) ? -EFAULT : 0;
	}
	default:
		return -ENOTTY;
	}
}

/* Output never blocks; input is readable once a byte has come in. */
static unsigned console_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, f, &input.readers);
	return POLLOUT | POLLWRNORM | (input_ready() ? POLLIN | POLLRDNORM : 0);
}

static const struct file_ops console_ops = {
	.poll = console_poll,
	.read = console_read,
	.write = console_write_file,
	.ioctl = console_ioctl,
	.anon_mode = 0020000 | 0620,         /* S_IFCHR: a terminal */
};

struct file *console_open(unsigned flags)
{
	return file_alloc(&console_ops, NULL, flags);
}

void console_input_init(void)
{
	uart_enable_rx(console_rx);
}
