/*
 * 16550 UART on COM1 (I/O port 0x3f8): the first console, polled output at
 * 115200 8N1. Input comes with the TTY layer.
 */
#include <kernel/console.h>
#include <drivers/serial/uart16550.h>
#include <asm/io.h>
#include <kernel/errno.h>
#include <kernel/irq.h>

#define COM1 0x3f8

enum uart_reg {
	UART_DATA = 0,          /* DLAB=0: RBR/THR; DLAB=1: divisor low */
	UART_IER = 1,           /* DLAB=1: divisor high */
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_SCR = 7,
};

#define LSR_THRE 0x20           /* transmit holding register empty */
#define LCR_DLAB 0x80

static bool uart_present;
static void (*rx_handler)(uint8_t c);

#define IER_RX_AVAILABLE 0x01
#define LSR_DATA_READY   0x01
#define MCR_OUT2         0x08   /* gates the UART's interrupt line on PCs */

static void uart_putc(char c)
{
	for (int spin = 0; spin < 100000; spin++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

static void uart_write(struct console *con, const char *s, size_t len)
{
	(void)con;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

static void uart_write_raw(struct console *con, const char *s, size_t len)
{
	(void)con;
	for (size_t i = 0; i < len; i++)
		uart_putc(s[i]);
}

static struct console uart_console = {
	.name = "ttyS0", .write = uart_write, .write_raw = uart_write_raw,
};

void uart_early_init(void)
{
	/* The scratch register reads back what we wrote only if a UART is there. */
	outb(COM1 + UART_SCR, 0x5a);
	if (inb(COM1 + UART_SCR) != 0x5a)
		return;
	outb(COM1 + UART_IER, 0x00);            /* no interrupts yet */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, 1);              /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03);            /* 8 data bits, no parity, 1 stop */
	outb(COM1 + UART_FCR, 0xc7);            /* FIFOs on, cleared, 14-byte trigger */
	outb(COM1 + UART_MCR, 0x03);            /* DTR, RTS */
	uart_present = true;
	console_register(&uart_console);
}

static void uart_irq(void *data)
{
	(void)data;
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		uint8_t c = inb(COM1 + UART_DATA);
		if (rx_handler)
			rx_handler(c);
	}
}

int uart_enable_rx(void (*handler)(uint8_t c))
{
	if (!uart_present)
		return -ENODEV;
	rx_handler = handler;
	int err = request_isa_irq(4, uart_irq, NULL);
	if (err)
		return err;
	outb(COM1 + UART_MCR, 0x03 | MCR_OUT2);
	outb(COM1 + UART_IER, IER_RX_AVAILABLE);
	uart_irq(NULL);                 /* anything typed before now */
	return 0;
}
