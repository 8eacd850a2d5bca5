/* Pipes (kernel/pipe.c). */
#pragma once

struct file;
struct pipe;
struct mutex;

/* A connected read end and write end; flags may hold O_NONBLOCK. */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);
/* open(2) of a FIFO whose pipe is *slot (NULL: none open), guarded by
 * lock (the inode's): the new end in *out, or -ENXIO, -ENOMEM, a signal. */
long fifo_open(struct pipe **slot, struct mutex *lock, unsigned flags, struct file **out);

/* fcntl(F_GETPIPE_SZ): the capacity in bytes, or -EBADF if f is no pipe. */
long pipe_capacity(struct file *f);
