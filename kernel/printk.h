/*
 * printk: formatted kernel messages with a log level, time-stamped, kept in
 * the log buffer (dmesg) and written to every registered console.
 */
#pragma once

#include <kernel/types.h>

/* Levels as in Linux: the message starts with "\001" and a digit. */
#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"
#define LOGLEVEL_DEFAULT 6

__printf(1, 2) int printk(const char *fmt, ...);
int vprintk(const char *fmt, va_list ap);

#define pr_emerg(...) printk(KERN_EMERG __VA_ARGS__)
#define pr_err(...)   printk(KERN_ERR __VA_ARGS__)
#define pr_warn(...)  printk(KERN_WARNING __VA_ARGS__)
#define pr_info(...)  printk(KERN_INFO __VA_ARGS__)
#define pr_debug(...) printk(KERN_DEBUG __VA_ARGS__)

/* Formatting (kernel/lib/vsnprintf.c): %d %i %u %x %X %o %c %s %p %%,
 * flags "-+ 0#", width and precision (also "*"), length hh h l ll z t j. */
__printf(3, 0) int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__printf(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);
