/* The kernel command line: "key", "key=value" words separated by spaces. */
#pragma once

#include <kernel/types.h>

void cmdline_init(const char *line);
const char *cmdline_raw(void);
bool cmdline_has(const char *key);
/* Copy key's value into buf (NUL-terminated); length, or -1 if absent. */
int cmdline_get(const char *key, char *buf, size_t len);
