/* Shared between the files of kernel/proc/. */
#pragma once

#include <kernel/proc.h>

extern unsigned max_procs;

struct proc *proc_alloc(struct proc *parent, struct task *t);
void proc_free_locked(struct proc *p);
/* Give a user task a tid from the pid space and put it on p's thread list. */
int proc_add_thread(struct proc *p, struct task *t);
void proc_tid_release_locked(struct task *t);
void proc_tid_set_locked(struct task *t);
void proc_thread_gone_locked(void);     /* a thread left its thread list */
