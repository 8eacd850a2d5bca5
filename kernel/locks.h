/*
 * Advisory file locks (kernel/locks.c): flock(2) locks and POSIX record
 * locks, and the hooks that drop them when files and descriptors go.
 */
#pragma once

#include <kernel/file.h>

/* The fcntl commands, Linux's numbers. */
#define LOCKS_GETLK  5
#define LOCKS_SETLK  6
#define LOCKS_SETLKW 7

/* F_GETLK, F_SETLK or F_SETLKW on f with the user's struct flock. */
long locks_fcntl(struct file *f, int cmd, void *ufl);
/* A descriptor of f in owner's table was closed (or the table went):
 * owner's record locks on f's object go. */
void locks_remove_posix(struct fd_table *owner, struct file *f);
/* f is being released: its flock lock goes. */
void locks_remove_flock(struct file *f);
