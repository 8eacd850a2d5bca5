/* Device interrupts, machine-independent side (arch/x86_64/irq.c). */
#pragma once

#include <kernel/types.h>

typedef void (*irq_fn_t)(void *data);

/* Route legacy ISA interrupt line irq (e.g. 4 for COM1) to handler, run in
 * interrupt context with interrupts off. 0 or -errno. */
int request_isa_irq(unsigned irq, irq_fn_t handler, void *data);
