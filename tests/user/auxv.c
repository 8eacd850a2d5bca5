/*
 * Prints the auxiliary vector the kernel gave this program, found the way a
 * C runtime finds it (past envp's NULL), using the types from our uapi
 * header. Exits 1 if AT_PAGESZ, AT_RANDOM or AT_ENTRY is missing.
 */
#include <stdio.h>
#include <uapi/linux/elf.h>

extern char **environ;

int main(void)
{
	char **p = environ;
	int seen = 0;

	while (*p)
		p++;
	for (struct elf64_auxv *a = (struct elf64_auxv *)(p + 1); a->a_type != AT_NULL; a++) {
		printf("auxv %2llu = %#llx\n", (unsigned long long)a->a_type,
		       (unsigned long long)a->a_val);
		if (a->a_type == AT_PAGESZ || a->a_type == AT_RANDOM || a->a_type == AT_ENTRY)
			seen++;
	}
	return seen == 3 ? 0 : 1;
}
