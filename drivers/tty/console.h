/* The console tty (drivers/tty/console.c). */
#pragma once

#include <kernel/types.h>

struct file;

/* A new open file of the console for the kernel (init's fds): never
 * makes it a controlling terminal; NULL on ENOMEM. */
struct file *console_open(unsigned flags);
/* Opening /dev/console or /dev/ttyS0: the file or an ERR_PTR; a session
 * leader without a controlling tty acquires it unless noctty. */
struct file *console_open_dev(unsigned flags, bool noctty);
/* Start the console tty and take serial input (after interrupts are routed). */
void console_input_init(void);
/* Input bytes for the console (the serial port, the PS/2 keyboard);
 * callable from interrupt handlers. */
void tty_console_input(const char *buf, size_t n);
