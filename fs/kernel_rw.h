/*
 * An open file's read and write methods on kernel buffers (fs/kernel_rw.c):
 * bytes moved or -errno, as the methods return. The caller has checked
 * the access mode; pos is the offset the method uses and advances.
 */
#pragma once

#include <kernel/file.h>

long kernel_file_read(struct file *f, void *buf, size_t len, uint64_t *pos);
long kernel_file_write(struct file *f, const void *buf, size_t len, uint64_t *pos);
