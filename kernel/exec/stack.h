/*
 * The initial user stack of a new program, laid out as Linux does on x86-64
 * (System V psABI 3.4.1). Pure: it fills a kernel buffer that stands for the
 * top of the user stack; exec copies the used part out to user memory.
 *
 *   stack_top ->  8 zero bytes
 *                 AT_EXECFN string
 *                 envp strings (envp[0] lowest), below them argv strings
 *                 AT_PLATFORM string, then the 16 AT_RANDOM bytes
 *                 zero padding so that rsp is 16-byte aligned
 *                 auxv pairs ending with AT_NULL
 *                 envp[], NULL
 *                 argv[], NULL
 *   rsp ->        argc
 */
#pragma once

#include <kernel/types.h>

/* Linux's limit on one argument or environment string, NUL included. */
#define EXEC_MAX_ARG_STRLEN 131072

/* Values for the auxiliary vector. A zero sysinfo_ehdr, hwcap2 or
 * minsigstksz, or a NULL platform or execfn, leaves that entry out. */
struct exec_auxv {
	uint64_t phdr;          /* AT_PHDR: relocated address of the phdrs */
	uint64_t phent;         /* AT_PHENT */
	uint64_t phnum;         /* AT_PHNUM */
	uint64_t pagesz;        /* AT_PAGESZ */
	uint64_t base;          /* AT_BASE: interpreter load address, or 0 */
	uint64_t flags;         /* AT_FLAGS */
	uint64_t entry;         /* AT_ENTRY: the program's (not ld.so's) entry */
	uint64_t uid, euid, gid, egid;
	uint64_t secure;        /* AT_SECURE */
	uint64_t hwcap;         /* AT_HWCAP: CPUID.1:EDX on x86 */
	uint64_t hwcap2;        /* AT_HWCAP2 */
	uint64_t clktck;        /* AT_CLKTCK: 100 */
	uint64_t sysinfo_ehdr;  /* AT_SYSINFO_EHDR: the vDSO */
	uint64_t minsigstksz;   /* AT_MINSIGSTKSZ */
	uint8_t random[16];     /* copied to the stack; AT_RANDOM points there */
	const char *platform;   /* AT_PLATFORM string, "x86_64" */
	const char *execfn;     /* AT_EXECFN string: the path given to execve */
};

/* Where things landed (user addresses), for /proc/<pid>/cmdline and environ. */
struct exec_stack_layout {
	uint64_t rsp;
	uint64_t arg_start, arg_end;    /* argv strings, contiguous */
	uint64_t env_start, env_end;    /* envp strings, contiguous */
	uint64_t execfn;
	uint64_t random;
};

/*
 * Build the stack image in buf, which stands for user addresses
 * [stack_top - size, stack_top); argv and envp are NULL-terminated arrays
 * of kernel strings. Bytes from the returned rsp up to stack_top are
 * written (padding zeroed); bytes below rsp are left alone. Returns rsp
 * (16-byte aligned), or
 *   -E2BIG   a string longer than EXEC_MAX_ARG_STRLEN, or it all does not fit;
 *   -EINVAL  stack_top not 16-byte aligned, or size > stack_top.
 * layout may be NULL.
 */
int64_t exec_stack_build(void *buf, size_t size, uint64_t stack_top,
			 const char *const *argv, const char *const *envp,
			 const struct exec_auxv *aux, struct exec_stack_layout *layout);
