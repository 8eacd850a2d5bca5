/* Shared between the files of kernel/proc/. */
#pragma once

#include <kernel/proc.h>

extern unsigned max_procs;

struct proc *proc_alloc(struct proc *parent, struct task *t);
void proc_free_locked(struct proc *p);
