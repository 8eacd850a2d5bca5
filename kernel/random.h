/* The kernel's random numbers: a ChaCha20 generator seeded from the CPU's
 * hardware random sources and timing jitter (kernel/random.c). */
#pragma once

#include <kernel/types.h>

void random_init(void);
void random_bytes(void *buf, size_t len);
uint64_t random_u64(void);
