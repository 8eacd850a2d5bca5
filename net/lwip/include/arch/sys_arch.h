/*
 * lwIP's OS emulation layer for goos (lwIP doc/sys_arch.txt): semaphores,
 * mutexes and mailboxes are kernel objects (net/lwip/sys_arch.c) reached
 * through pointers, so an lwIP handle is one word and "invalid" is NULL.
 * Threads are kernel tasks.
 */
#pragma once

struct lwip_sem;
struct lwip_mbox;
struct mutex;
struct task;

typedef struct lwip_sem *sys_sem_t;
typedef struct mutex *sys_mutex_t;
typedef struct lwip_mbox *sys_mbox_t;
typedef struct task *sys_thread_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL  NULL

#define sys_sem_valid(s)             (*(s) != NULL)
#define sys_sem_valid_val(s)         ((s) != NULL)
#define sys_sem_set_invalid(s)       (*(s) = NULL)
#define sys_sem_set_invalid_val(s)   ((s) = NULL)
#define sys_mutex_valid(m)           (*(m) != NULL)
#define sys_mutex_set_invalid(m)     (*(m) = NULL)
#define sys_mbox_valid(m)            (*(m) != NULL)
#define sys_mbox_valid_val(m)        ((m) != NULL)
#define sys_mbox_set_invalid(m)      (*(m) = NULL)
#define sys_mbox_set_invalid_val(m)  ((m) = NULL)

/* SYS_ARCH_PROTECT: one global, recursive, interrupt-disabling lock (lwIP
 * takes it from the NIC interrupt handlers' tcpip_try_callback too). */
typedef unsigned long sys_prot_t;
