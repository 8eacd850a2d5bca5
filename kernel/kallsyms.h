/* Kernel symbol table embedded in the image (scripts/kallsyms.py). */
#pragma once

#include <kernel/types.h>

/* Find the function containing addr. false if addr is outside kernel text. */
bool kallsyms_lookup(uintptr_t addr, const char **name, uintptr_t *offset,
		     uintptr_t *size);
/* "name+0xoff/0xsize", or the bare hex address when unknown. */
int kallsyms_format(char *buf, size_t len, uintptr_t addr);
/* Address of a symbol by name, 0 if absent. */
uintptr_t kallsyms_address(const char *name);
