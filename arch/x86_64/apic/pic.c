/*
 * The 8259A pair: we use IOAPICs, so the PICs are only reprogrammed to
 * harmless vectors and masked. Reprogramming first matters: their BIOS
 * vectors 0x08-0x0f overlap CPU exceptions, and a spurious IRQ 7/15 can
 * arrive even when everything is masked.
 */
#include <arch/x86_64/apic/apic.h>
#include <asm/io.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT_ICW4 0x11             /* edge, cascade, ICW4 follows */
#define ICW3_MASTER    0x04             /* slave on IR2 */
#define ICW3_SLAVE     0x02             /* cascade identity 2 */
#define ICW4_8086      0x01

/* Old PICs need a moment between writes; port 0x80 is the classic pause. */
static void pic_write(uint16_t port, uint8_t v)
{
	outb(port, v);
	outb(0x80, 0);
}

void pic_disable(void)
{
	pic_write(PIC1_CMD, ICW1_INIT_ICW4);
	pic_write(PIC2_CMD, ICW1_INIT_ICW4);
	pic_write(PIC1_DATA, IRQ_VECTOR_BASE);
	pic_write(PIC2_DATA, IRQ_VECTOR_BASE + 8);
	pic_write(PIC1_DATA, ICW3_MASTER);
	pic_write(PIC2_DATA, ICW3_SLAVE);
	pic_write(PIC1_DATA, ICW4_8086);
	pic_write(PIC2_DATA, ICW4_8086);
	pic_write(PIC1_DATA, 0xff);
	pic_write(PIC2_DATA, 0xff);
}
