/*
 * Symbol lookup for backtraces. The tables are generated from the first
 * link's `nm -n` and linked into the second (see the Makefile); in the first
 * link they are absent, hence the weak references.
 */
#include <kernel/kallsyms.h>
#include <kernel/printk.h>
#include <kernel/string.h>

extern const uint64_t kallsyms_num __attribute__((weak));
extern const uint64_t kallsyms_addrs[] __attribute__((weak));
extern const uint32_t kallsyms_name_offs[] __attribute__((weak));
extern const char kallsyms_names[] __attribute__((weak));
extern char __text_start[], __text_end[];

bool kallsyms_lookup(uintptr_t addr, const char **name, uintptr_t *offset,
		     uintptr_t *size)
{
	if (!&kallsyms_num || kallsyms_num == 0)
		return false;
	if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end)
		return false;

	/* Last symbol whose address is <= addr. */
	uint64_t lo = 0, hi = kallsyms_num;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (kallsyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (kallsyms_addrs[lo] > addr)
		return false;
	uintptr_t end = lo + 1 < kallsyms_num ? kallsyms_addrs[lo + 1]
					      : (uintptr_t)__text_end;
	*name = kallsyms_names + kallsyms_name_offs[lo];
	*offset = addr - kallsyms_addrs[lo];
	*size = end - kallsyms_addrs[lo];
	return true;
}

int kallsyms_format(char *buf, size_t len, uintptr_t addr)
{
	const char *name;
	uintptr_t off, size;

	if (kallsyms_lookup(addr, &name, &off, &size))
		return snprintf(buf, len, "%s+0x%lx/0x%lx", name, off, size);
	return snprintf(buf, len, "0x%016lx", addr);
}

uintptr_t kallsyms_address(const char *name)
{
	if (!&kallsyms_num)
		return 0;
	for (uint64_t i = 0; i < kallsyms_num; i++)
		if (!strcmp(kallsyms_names + kallsyms_name_offs[i], name))
			return kallsyms_addrs[i];
	return 0;
}
