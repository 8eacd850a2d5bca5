/* The kernel log buffer behind printk, read back by dmesg and by tests. */
#pragma once

#include <kernel/types.h>

#define KLOG_BUF_SIZE (128 * 1024)      /* the ring's capacity (syslog SIZE_BUFFER) */

extern int console_loglevel;

/* Copy up to len bytes of log text starting at *pos (advanced); lines are in
 * syslog form "<level>[seconds] text\n". Returns the bytes copied. */
size_t klog_read(char *dst, size_t len, uint64_t *pos);
size_t klog_size(void);
uint64_t klog_head(void);                      /* position of the next byte */
bool klog_contains(uint64_t since, const char *needle);

/* From here on printk ignores its lock: the machine is going down. */
void printk_panic_mode(void);
