/*
 * Synthetic read-only files whose text a kernel function generates (the
 * /proc files that exist before procfs does). The text is generated once
 * per open, so a reader sees one consistent snapshot however it reads.
 */
#pragma once

#include <kernel/types.h>

struct file;

/* Like snprintf: write at most len bytes (NUL-terminated), return the
 * full length of the text. */
typedef int (*genfile_fn)(char *buf, size_t len);

/* A new open file (one reference) holding gen's text now; NULL on ENOMEM. */
struct file *genfile_open(genfile_fn gen, unsigned flags);
