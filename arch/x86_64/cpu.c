/*
 * CPU identification, feature flags and the arch_* basics of kernel/arch.h
 * (interrupt flag, halting, stack switch). Features are read once on the
 * boot CPU; every CPU is assumed to have the same ones.
 */
#include <kernel/arch.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <asm/cpu.h>
#include <asm/platform.h>

static uint32_t feature_words[6];
static char vendor[13];
static char brand[49];

void cpu_init_features(void)
{
	uint32_t a, b, c, d, max, max_ext;

	cpuid_count(0, 0, &max, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);

	cpuid_count(1, 0, &a, &b, &c, &d);
	feature_words[0] = c;
	feature_words[1] = d;
	if (max >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		feature_words[2] = b;
		feature_words[5] = c;
	}
	cpuid_count(0x80000000, 0, &max_ext, &b, &c, &d);
	if (max_ext >= 0x80000001) {
		cpuid_count(0x80000001, 0, &a, &b, &c, &d);
		feature_words[3] = d;
	}
	if (max_ext >= 0x80000007) {
		cpuid_count(0x80000007, 0, &a, &b, &c, &d);
		feature_words[4] = d;
	}
	if (max_ext >= 0x80000004) {
		uint32_t *p = (uint32_t *)brand;
		for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++, p += 4)
			cpuid_count(leaf, 0, &p[0], &p[1], &p[2], &p[3]);
	}
}

bool cpu_has(enum cpu_feature f)
{
	return feature_words[f / 32] & (1u << (f % 32));
}

const char *cpu_vendor(void) { return vendor; }

const char *cpu_brand(void)
{
	const char *b = brand;
	while (*b == ' ')
		b++;
	return *b ? b : vendor;
}

void arch_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
void arch_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
bool arch_irqs_enabled(void) { return read_rflags() & RFLAGS_IF; }

unsigned long arch_irq_save(void)
{
	unsigned long flags = read_rflags();
	__asm__ volatile("cli" ::: "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

/* Spin-wait loops also serve TLB shootdown requests: a CPU spinning with
 * interrupts off (on a lock whose holder waits for our flush) must not
 * deadlock the holder (arch/x86_64/mm/tlb.c). */
void arch_cpu_relax(void)
{
	tlb_serve_pending();
	cpu_relax();
}

/* sti; hlt is atomic: an interrupt between them still wakes the hlt. */
void arch_wait_for_interrupt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

void arch_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_switch_stack(void *stack_top, void (*fn)(void))
{
	__asm__ volatile(
		"movq %0, %%rsp\n\t"
		"xorl %%ebp, %%ebp\n\t"
		"callq *%1\n\t"
		"ud2"
		:
		: "r"(stack_top), "r"(fn)
		: "memory");
	__builtin_unreachable();
}

/* 64 bits of entropy for seeding: RDSEED, else RDRAND, mixed with the TSC
 * (whose low bits jitter under interrupts and emulation). */
uint64_t arch_entropy(void)
{
	uint64_t v = 0, tsc = rdtsc();
	unsigned char ok = 0;

	for (int tries = 0; tries < 10 && !ok; tries++) {
		if (cpu_has(X86_FEATURE_RDSEED))
			__asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok));
		else if (cpu_has(X86_FEATURE_RDRAND))
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		else
			break;
	}
	return v ^ (tsc * 0x9e3779b97f4a7c15ull) ^ (rdtsc() << 17);
}

/* AT_HWCAP on x86: CPUID leaf 1 EDX, as Linux reports it. */
uint64_t arch_hwcap(void)
{
	return feature_words[1];
}
