/* Pipes (kernel/pipe.c). */
#pragma once

struct file;

/* A connected read end and write end; flags may hold O_NONBLOCK. */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);
/* fcntl(F_GETPIPE_SZ): the capacity in bytes, or -EBADF if f is no pipe. */
long pipe_capacity(struct file *f);
