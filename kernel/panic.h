/* Fatal errors and assertions. */
#pragma once

#include <kernel/types.h>

__noreturn __printf(1, 2) void panic(const char *fmt, ...);
bool panic_in_progress(void);

#define BUG() panic("BUG at %s:%d (%s)", __FILE__, __LINE__, __func__)
#define BUG_ON(cond) do { if (unlikely(cond)) \
	panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); } while (0)
#define WARN_ON(cond) ({ bool __w = !!(cond); if (unlikely(__w)) { \
	printk("\0014WARNING: %s at %s:%d\n", #cond, __FILE__, __LINE__); } __w; })
