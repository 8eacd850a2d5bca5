/* Device interrupts, machine-independent side (arch/x86_64/irq.c). */
#pragma once

#include <kernel/types.h>

typedef void (*irq_fn_t)(void *data);

/* Route legacy ISA interrupt line irq (e.g. 4 for COM1) to handler, run in
 * interrupt context with interrupts off. 0 or -errno. */
int request_isa_irq(unsigned irq, irq_fn_t handler, void *data);

/* A message-signalled interrupt: the device writes `data` (32 bits) to
 * physical address `addr` (PCI Local Bus spec 6.8; the x86 meaning of both
 * is SDM vol. 3, 11.11). */
struct msi_msg {
	uint64_t addr;
	uint32_t data;
};

/* Allocate an interrupt vector, route it to handler (interrupt context,
 * interrupts off; the handler must not sleep) and fill *msg with what the
 * device must write to raise it. Each call targets the next online CPU in
 * turn (CPU 0 first), spreading devices over CPUs. Returns the vector (>= 0) or -errno (-ENOSPC: no free vector). */
int request_msi_irq(irq_fn_t handler, void *data, struct msi_msg *msg);
