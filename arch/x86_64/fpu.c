/*
 * FPU/SSE/AVX state. The kernel itself never touches these registers
 * (-mno-sse); user tasks do, so each task owns an XSAVE area that is saved
 * and restored around context switches and written to signal frames. Where the
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
static uint32_t mxcsr_mask;     /* MXCSR bits the CPU accepts (FXSAVE's MXCSR_MASK) */
size_t fpu_state_size = 512;

/* Offsets in the FXSAVE/XSAVE image (Intel SDM vol. 1, 10.5.1 and 13.4). */
#define FX_MXCSR      24
#define FX_MXCSR_MASK 28
#define XSAVE_HEADER  512       /* XSTATE_BV, XCOMP_BV, 48 reserved bytes */
#define XSAVE_HEADER_SIZE 64

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
	if (!mxcsr_mask) {
		static uint8_t fx[512] __aligned(16);
		__asm__ volatile("fxsave64 %0" : "=m"(fx));
		mxcsr_mask = *(uint32_t *)&fx[FX_MXCSR_MASK];
		if (!mxcsr_mask)
			mxcsr_mask = 0xffbf;    /* the default when the CPU reports 0 */
	}
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

bool fpu_uses_xsave(void)
{
	return use_xsave;
}

uint64_t fpu_xfeatures(void)
{
	return use_xsave ? xcr0 : XCR0_X87 | XCR0_SSE;
}

/*
 * An image that came from user memory (a signal frame) made safe for
 * fpu_restore, which must never fault in the kernel: MXCSR bits the CPU
 * rejects are cleared and, for XSAVE, the header is what XRSTOR accepts
 * in the standard format (no feature outside XCR0 and xfeatures, no
 * compaction, reserved bytes zero). Components not in xfeatures go back
 * to their initial state.
 */
void fpu_sanitize(struct fpu_state *st, uint64_t xfeatures)
{
	uint32_t *mxcsr = (uint32_t *)&st->area[FX_MXCSR];

	*mxcsr &= mxcsr_mask;
	if (!use_xsave)
		return;
	uint64_t *hdr = (uint64_t *)&st->area[XSAVE_HEADER];
	hdr[0] &= xcr0 & xfeatures;
	memset(&hdr[1], 0, XSAVE_HEADER_SIZE - 8);
}

/* The XSAVE header's XSTATE_BV (0 without XSAVE). */
uint64_t *fpu_xstate_bv(struct fpu_state *st)
{
	return use_xsave ? (uint64_t *)&st->area[XSAVE_HEADER] : NULL;
}
