/* Consoles: sinks for kernel messages (serial, framebuffer). */
#pragma once

#include <kernel/list.h>

struct console {
	const char *name;
	void (*write)(struct console *con, const char *s, size_t len);
	/* Optional: the bytes exactly as given, for a terminal's output that
	 * its line discipline has already processed (write may turn "\n"
	 * into "\r\n" for kernel messages). Without it, write. */
	void (*write_raw)(struct console *con, const char *s, size_t len);
	struct list_head link;          /* on the console list, printk's lock */
};

void console_register(struct console *con);
/* Raw bytes to every console, not into the kernel log (user output). */
void console_write(const char *s, size_t len);
/* The same with no newline translation (the console tty's output). */
void console_write_raw(const char *s, size_t len);
