/* Per-task FPU/SSE/AVX state (arch/x86_64/fpu.c). */
#pragma once

#include <kernel/types.h>

struct fpu_state {
	uint8_t area[0] __aligned(64);  /* fpu_state_size bytes follow */
};

extern size_t fpu_state_size;

void fpu_init_cpu(void);
void fpu_report(void);
void fpu_init_state(struct fpu_state *st);
void fpu_save(struct fpu_state *st);
void fpu_restore(const struct fpu_state *st);

/* Signal frames (arch/x86_64/signal.c). */
bool fpu_uses_xsave(void);
uint64_t fpu_xfeatures(void);                   /* what an image can hold */
void fpu_sanitize(struct fpu_state *st, uint64_t xfeatures);
uint64_t *fpu_xstate_bv(struct fpu_state *st);  /* NULL without XSAVE */
