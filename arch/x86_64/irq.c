/*
 * Device interrupts on the PC.
 *   request_isa_irq: IOAPIC pin for the ISA line (with the MADT's overrides)
 *     -> vector IRQ_VECTOR_BASE + irq -> handler.
 *   request_msi_irq: a vector from irq_alloc_vector() -> handler; the device
 *     writes the vector number to the local APIC's MSI window of a CPU
 *     chosen round-robin among the online ones (spreading devices).
 * Locking: the vector table's own lock (idt.c); the ISA table is written
 * once per line before the line is unmasked; msi_next_cpu is atomic.
 */
#include <kernel/irq.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/task.h>
#include <asm/percpu.h>
#include <mm/slab.h>
#include <asm/trap.h>
#include <arch/x86_64/apic/apic.h>

#define ISA_IRQS 16

/* MSI address/data on x86 (SDM vol. 3, 11.11.1-2): fixed delivery, edge,
 * physical destination mode, destination APIC id in address bits 19:12. */
#define MSI_ADDR_BASE        0xfee00000u
#define MSI_ADDR_DEST_SHIFT  12

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

/* One per MSI vector handed out; never freed (drivers do not unbind). */
struct msi_handler {
	irq_fn_t fn;
	void *data;
};

static void msi_irq_entry(struct trap_frame *tf, void *arg)
{
	struct msi_handler *h = arg;
	h->fn(h->data);
}

static unsigned msi_next_cpu;

/* The next online CPU in turn, as an APIC id. */
static uint32_t pick_msi_cpu(void)
{
	uint64_t online = sched_online_mask();
	unsigned n = __atomic_fetch_add(&msi_next_cpu, 1, __ATOMIC_RELAXED);

	for (unsigned i = 0; i < 64; i++) {
		unsigned cpu = (n + i) % 64;
		if (online & (1ull << cpu))
			return percpu_apic_id(cpu);
	}
	return lapic_id();      /* before the scheduler knows any CPU */
}

int request_msi_irq(irq_fn_t handler, void *data, struct msi_msg *msg)
{
	uint32_t dest = pick_msi_cpu();
	struct msi_handler *h;
	int vector, err;

	if (!handler || !msg)
		return -EINVAL;
	/* Without interrupt remapping the destination field is 8 bits. */
	if (dest > 0xff)
		return -ENOSPC;
	h = kmalloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fn = handler;
	h->data = data;
	vector = irq_alloc_vector();
	if (vector < 0) {
		kfree(h);
		return vector;
	}
	err = irq_register_vector((unsigned)vector, msi_irq_entry, h);
	if (err) {
		kfree(h);
		return err;
	}
	msg->addr = MSI_ADDR_BASE | dest << MSI_ADDR_DEST_SHIFT;
	msg->data = (uint32_t)vector;
	return vector;
}
