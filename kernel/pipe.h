/* Pipes (kernel/pipe.c). */
#pragma once

struct file;

/* A connected read end and write end; flags may hold O_NONBLOCK. */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);
