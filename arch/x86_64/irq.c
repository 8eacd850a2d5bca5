/* request_isa_irq on the PC: IOAPIC pin for the ISA line (with the MADT's
 * overrides) -> vector IRQ_VECTOR_BASE + irq -> handler. */
#include <kernel/irq.h>
#include <kernel/errno.h>
#include <asm/trap.h>
#include <arch/x86_64/apic/apic.h>

#define ISA_IRQS 16

static struct {
	irq_fn_t fn;
	void *data;
} isa_handlers[ISA_IRQS];

static void isa_irq_entry(struct trap_frame *tf, void *arg)
{
	unsigned irq = (unsigned)(uintptr_t)arg;
	isa_handlers[irq].fn(isa_handlers[irq].data);
}

int request_isa_irq(unsigned irq, irq_fn_t handler, void *data)
{
	if (irq >= ISA_IRQS || !handler)
		return -EINVAL;
	isa_handlers[irq].fn = handler;
	isa_handlers[irq].data = data;
	int err = irq_register_vector(IRQ_VECTOR_BASE + irq, isa_irq_entry,
				      (void *)(uintptr_t)irq);
	if (err)
		return err;
	return ioapic_enable_isa_irq(irq);
}
