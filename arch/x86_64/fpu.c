/*
 * FPU/SSE/AVX state. The kernel itself never touches these registers
 * (-mno-sse); user tasks do, so each task owns an XSAVE area that is saved
 * and restored around context switches (and signal frames, later). Where the
 * CPU has no XSAVE we fall back to FXSAVE's 512-byte legacy area.
 */
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <asm/cpu.h>
#include <asm/fpu.h>

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)

static bool use_xsave;
static uint64_t xcr0;
size_t fpu_state_size = 512;

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" ::"c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* Enable the FPU on this CPU: CR0.MP|NE, no emulation, CR4.OSFXSR (+OSXSAVE). */
void fpu_init_cpu(void)
{
	uint64_t cr0 = read_cr0();
	cr0 &= ~(CR0_EM | CR0_TS);
	cr0 |= CR0_MP | CR0_NE;
	write_cr0(cr0);

	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpu_has(X86_FEATURE_XSAVE))
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);

	if (cpu_has(X86_FEATURE_XSAVE)) {
		uint32_t a, b, c, d;
		xcr0 = XCR0_X87 | XCR0_SSE;
		if (cpu_has(X86_FEATURE_AVX))
			xcr0 |= XCR0_AVX;
		xsetbv(0, xcr0);
		/* EBX of leaf 0xD: size needed for the features enabled in XCR0. */
		cpuid_count(0xd, 0, &a, &b, &c, &d);
		fpu_state_size = b;
		use_xsave = true;
	}
	__asm__ volatile("fninit");
}

void fpu_report(void)
{
	pr_info("fpu: %s, state %zu bytes, xcr0=%#lx\n",
		use_xsave ? "xsave" : "fxsave", fpu_state_size, xcr0);
}

/* Areas must be 64-byte aligned (XSAVE) and fpu_state_size long. */
void fpu_save(struct fpu_state *st)
{
	if (use_xsave)
		__asm__ volatile("xsave64 (%0)" ::"r"(st->area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" ::"r"(st->area) : "memory");
}

void fpu_restore(const struct fpu_state *st)
{
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" ::"r"(st->area), "a"((uint32_t)xcr0),
				 "d"((uint32_t)(xcr0 >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" ::"r"(st->area) : "memory");
}

/* The state a new task starts with: x87 default control word, MXCSR with
 * all exceptions masked, everything else zero (XSTATE_BV = x87|SSE). */
void fpu_init_state(struct fpu_state *st)
{
	memset(st->area, 0, fpu_state_size);
	*(uint16_t *)&st->area[0] = 0x037f;             /* FCW */
	*(uint32_t *)&st->area[24] = 0x1f80;            /* MXCSR */
	if (use_xsave)
		*(uint64_t *)&st->area[512] = XCR0_X87 | XCR0_SSE;
}
