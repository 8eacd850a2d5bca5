/* The console character device (drivers/tty/console.c). */
#pragma once

#include <kernel/types.h>

struct file;

/* A new open file description of the console. */
struct file *console_open(unsigned flags);
/* Bytes typed on a keyboard (or a terminal's report) for the console's
 * readers, as the serial port's are. Any context, interrupts included. */
void tty_console_input(const char *buf, size_t n);
/* Start taking serial input (after interrupts are routed). */
void console_input_init(void);
