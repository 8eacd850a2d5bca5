/* The console character device (drivers/tty/console.c). */
#pragma once

struct file;

/* A new open file description of the console. */
struct file *console_open(unsigned flags);
/* Start taking serial input (after interrupts are routed). */
void console_input_init(void);
