/*
 * Interrupt controllers: the legacy 8259 pair (pic.c, only to silence it),
 * each CPU's local APIC (lapic.c: EOI, IPIs, timer) and the IOAPICs that
 * route device interrupts (ioapic.c), all as the ACPI MADT describes them.
 */
#pragma once

#include <kernel/types.h>

/* Vector map. 0x30-0xef belong to irq_alloc_vector() (arch/x86_64/idt.c). */
#define IRQ_VECTOR_BASE     0x20        /* ISA IRQ n -> 0x20 + n via the IOAPIC */
#define IRQ_VECTOR_LEGACY_END 0x30
#define VECTOR_LAPIC_TIMER  0xf0
#define VECTOR_IPI_CALL     0xfd
#define VECTOR_IPI_RESCHED  0xfe
/* The spurious vector must NOT be acknowledged with lapic_eoi() (SDM vol. 3
 * 11.9): it sets no in-service bit, so an EOI would end another interrupt. */
#define VECTOR_SPURIOUS     0xff

/* ---- 8259 PIC ----------------------------------------------------------- */

/* Remap the PICs to IRQ_VECTOR_BASE..+15 (so a stray interrupt cannot look
 * like a CPU exception) and mask every line. */
void pic_disable(void);

/* ---- local APIC --------------------------------------------------------- */

/* Boot CPU: map the xAPIC (or switch to x2APIC mode when the CPU has it),
 * then set this CPU up. 0 or -errno (no APIC: nothing else works). */
int lapic_init(void);
/* Each application processor, once, after the boot CPU's lapic_init(). */
void lapic_init_ap(void);

bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);                /* this CPU's APIC id, also before init */
/* Signal the end of the current interrupt; every vector except spurious. */
void lapic_eoi(void);

/* IPIs to one CPU by APIC id (physical destination). The INIT-SIPI-SIPI
 * timing is the caller's (SMP bring-up). sipi_page: start at page << 12. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi(uint32_t apic_id);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t sipi_page);
/* Fixed IPI / NMI to every CPU but this one. */
void lapic_send_ipi_others(uint8_t vector);
void lapic_send_nmi_others(void);

/* Timer, interrupting at VECTOR_LAPIC_TIMER. Calibrate once after
 * tsc_calibrate() (measures the timer's clock against the TSC). */
int lapic_timer_calibrate(void);
uint64_t lapic_timer_khz(void);         /* after division; 0 if uncalibrated */
/* Fire once after ns (clamped to the 32-bit counter's range, so long
 * timeouts fire early and the caller re-arms). */
void lapic_timer_oneshot(uint64_t ns);
/* Fire once when the TSC reaches `tsc`. -ENODEV without TSC-deadline mode. */
int lapic_timer_deadline(uint64_t tsc);
bool lapic_timer_has_deadline(void);
void lapic_timer_stop(void);

/* ---- IOAPIC ------------------------------------------------------------- */

/* GSI routing flags for ioapic_route_gsi(). */
#define IOAPIC_LEVEL       (1u << 0)    /* default: edge */
#define IOAPIC_ACTIVE_LOW  (1u << 1)    /* default: active high */

/* Map every IOAPIC in the MADT and mask all its pins. */
int ioapic_init(void);
unsigned ioapic_gsi_count(void);        /* highest GSI + 1 */

/* Route a GSI to vector on the CPU with apic_id (< 256: the IOAPIC's
 * destination field is 8 bits without interrupt remapping); masked until
 * ioapic_unmask_gsi(). -ENOENT if no IOAPIC has that GSI. */
int ioapic_route_gsi(uint32_t gsi, uint8_t vector, uint32_t apic_id, unsigned flags);
int ioapic_mask_gsi(uint32_t gsi);
int ioapic_unmask_gsi(uint32_t gsi);

/* ISA IRQ (0-15) -> GSI and routing flags, after MADT overrides. */
uint32_t ioapic_isa_to_gsi(unsigned isa_irq, unsigned *flags);
/* Route ISA IRQ n to vector IRQ_VECTOR_BASE + n on the boot CPU and unmask
 * it; register the handler (irq_register_vector) first. */
int ioapic_enable_isa_irq(unsigned isa_irq);
int ioapic_disable_isa_irq(unsigned isa_irq);
