/*
 * The IDT: 256 interrupt gates pointing at the stubs in entry.S, shared by
 * all CPUs. Interrupt gates (not trap gates) so every handler starts with
 * interrupts off; #DF, NMI and #MC run on their own IST stacks.
 */
#include <kernel/types.h>
#include <kernel/errno.h>
#include <kernel/spinlock.h>
#include <asm/trap.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate (SDM vol. 3, 6.14.1)");

#define GATE_INTERRUPT 0x8e     /* present, DPL 0, 64-bit interrupt gate */
#define GATE_USER      0xee     /* DPL 3: int3 and into from user mode */

extern const uint64_t vector_stubs[256];

static struct idt_gate idt[256] __aligned(16);

static struct {
	irq_handler_t handler;
	void *data;
	bool allocated;         /* handed out by irq_alloc_vector() */
} irq_table[256];
static struct spinlock irq_table_lock = SPINLOCK_INIT("irq_table");

#define FIRST_DEVICE_VECTOR 0x30
#define LAST_DEVICE_VECTOR  0xef

static void set_gate(unsigned v, uint64_t addr, uint8_t attr, uint8_t ist)
{
	idt[v] = (struct idt_gate){
		.offset_lo = addr & 0xffff,
		.selector = GDT_KERNEL_CS,
		.ist = ist,
		.type_attr = attr,
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_hi = addr >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, vector_stubs[v], GATE_INTERRUPT, 0);
	set_gate(X86_TRAP_BP, vector_stubs[X86_TRAP_BP], GATE_USER, 0);
	set_gate(X86_TRAP_OF, vector_stubs[X86_TRAP_OF], GATE_USER, 0);
	idt_load();
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" ::"m"(ptr));
}

void idt_set_ist(unsigned vector, unsigned ist)
{
	idt[vector].ist = (uint8_t)ist;
}

int irq_register_vector(unsigned vector, irq_handler_t handler, void *data)
{
	int ret = 0;
	if (vector < 32 || vector > 255)
		return -EINVAL;
	unsigned long flags = spin_lock_irqsave(&irq_table_lock);
	if (irq_table[vector].handler) {
		ret = -EBUSY;
	} else {
		irq_table[vector].data = data;
		irq_table[vector].handler = handler;
	}
	spin_unlock_irqrestore(&irq_table_lock, flags);
	return ret;
}

int irq_alloc_vector(void)
{
	unsigned long flags = spin_lock_irqsave(&irq_table_lock);
	int found = -ENOSPC;
	for (unsigned v = FIRST_DEVICE_VECTOR; v <= LAST_DEVICE_VECTOR; v++) {
		if (!irq_table[v].handler && !irq_table[v].allocated) {
			irq_table[v].allocated = true;
			found = (int)v;
			break;
		}
	}
	spin_unlock_irqrestore(&irq_table_lock, flags);
	return found;
}

/* Called from trap_dispatch for vectors >= 32; false if nobody handles it. */
bool irq_handle(struct trap_frame *tf)
{
	irq_handler_t h = READ_ONCE(irq_table[tf->vector].handler);
	if (!h)
		return false;
	h(tf, irq_table[tf->vector].data);
	return true;
}
