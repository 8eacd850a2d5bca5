/*
 * Per-CPU interrupt counts as text, in the format of Linux's
 * /proc/interrupts (the summary lines: local timer, reschedule IPIs, TLB
 * shootdowns), for procfs's /proc/interrupts (fs/proc/).
 */
#pragma once

#include <kernel/types.h>

/* Write the text into buf (NUL-terminated, truncated to len); return its
 * full length, as snprintf does. */
int interrupts_format(char *buf, size_t len);
