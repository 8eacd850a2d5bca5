/*
 * System-call dispatch. kernel/syscalls.tbl lists every Linux x86-64 call;
 * the generated table maps numbers to the sys_* entry points below (each
 * takes its arguments in Linux's order and returns a value or -errno).
 */
#pragma once

#include <kernel/types.h>

typedef long (*syscall_fn_t)(unsigned long, unsigned long, unsigned long,
			     unsigned long, unsigned long, unsigned long);

extern const unsigned syscall_table_size;
extern const syscall_fn_t syscall_table[];
extern const char *const syscall_names[];

/* Run syscall nr with its six arguments; -ENOSYS (logged once) if absent. */
long syscall_dispatch(unsigned long nr, unsigned long a0, unsigned long a1,
		      unsigned long a2, unsigned long a3, unsigned long a4,
		      unsigned long a5);

/* Entry points (one per implemented call, named in syscalls.tbl). */
long sys_getpid(void);
long sys_gettid(void);
long sys_sched_yield(void);
__noreturn long sys_exit(int status);
__noreturn long sys_exit_group(int status);
