/* PC platform bring-up from ACPI: interrupt controllers, timers, PCI,
 * power (arch/x86_64/platform.c). */
#pragma once

struct boot_info;

void platform_init(const struct boot_info *bi);
extern unsigned cpus_online;     /* CPUs running the kernel (SMP raises it) */
void enable_user_protection(void);   /* SMEP/SMAP on this CPU */
void tlb_shootdown_init(void);        /* register the shootdown IPI (mm/tlb.c) */
void tlb_serve_pending(void);         /* flush if another CPU asked (spin loops) */
