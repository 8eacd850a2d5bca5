/*
 * Per-task FPU/SSE/AVX state: what fpu_save() stores, fpu_restore() must
 * bring back exactly, whatever ran in between. The kernel is built without
 * SSE, so the registers are touched here only through inline assembly.
 */
#include <kernel/ktest.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <asm/cpu.h>
#include <asm/fpu.h>

static struct fpu_state *fpu_alloc(void)
{
	/* kmalloc returns at least 64-byte alignment for sizes >= 64 (its
	 * classes are powers of two and objects are size-aligned). */
	return kzalloc(fpu_state_size);
}

/* No clobber lists: -mno-sse leaves the compiler no XMM registers to clobber. */
static void load_xmm0(const uint8_t v[16]) { __asm__ volatile("movdqu (%0), %%xmm0" ::"r"(v) : "memory"); }
static void read_xmm0(uint8_t v[16]) { __asm__ volatile("movdqu %%xmm0, (%0)" ::"r"(v) : "memory"); }
static void load_ymm1(const uint8_t v[32]) { __asm__ volatile("vmovdqu (%0), %%ymm1" ::"r"(v) : "memory"); }
static void read_ymm1(uint8_t v[32]) { __asm__ volatile("vmovdqu %%ymm1, (%0)" ::"r"(v) : "memory"); }

static void test_sse_state_round_trip(struct ktest *t)
{
	struct fpu_state *a = fpu_alloc();
	uint8_t pattern[16], clobber[16], got[16];

	KT_ASSERT(t, a != NULL);
	KT_EXPECT_EQ(t, (uintptr_t)a % 64, 0);
	for (int i = 0; i < 16; i++) {
		pattern[i] = (uint8_t)(0xa0 + i);
		clobber[i] = 0x5a;
	}
	load_xmm0(pattern);
	fpu_save(a);
	load_xmm0(clobber);
	read_xmm0(got);
	KT_EXPECT_EQ(t, memcmp(got, clobber, 16), 0);
	fpu_restore(a);
	read_xmm0(got);
	KT_EXPECT_EQ(t, memcmp(got, pattern, 16), 0);
	/* FXSAVE layout: XMM0 lives at byte 160 of the legacy area. */
	KT_EXPECT_EQ(t, memcmp(&a->area[160], pattern, 16), 0);
	kfree(a);
}

static void test_avx_upper_halves_round_trip(struct ktest *t)
{
	if (!cpu_has(X86_FEATURE_AVX) || !cpu_has(X86_FEATURE_XSAVE)) {
		ktest_skip(t, "no AVX");
		return;
	}
	struct fpu_state *a = fpu_alloc();
	uint8_t pattern[32], zero[32] = { 0 }, got[32];

	KT_ASSERT(t, a != NULL);
	for (int i = 0; i < 32; i++)
		pattern[i] = (uint8_t)(0x11 * (i + 1));
	load_ymm1(pattern);
	fpu_save(a);
	load_ymm1(zero);
	fpu_restore(a);
	read_ymm1(got);
	KT_EXPECT_EQ(t, memcmp(got, pattern, 32), 0);
	kfree(a);
}

static void test_initial_state(struct ktest *t)
{
	struct fpu_state *a = fpu_alloc();
	uint8_t got[16], ones[16];

	KT_ASSERT(t, a != NULL);
	memset(ones, 0xff, 16);
	load_xmm0(ones);
	fpu_init_state(a);
	fpu_restore(a);
	read_xmm0(got);
	for (int i = 0; i < 16; i++)
		KT_EXPECT_EQ(t, got[i], 0);
	uint32_t mxcsr;
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	KT_EXPECT_EQ(t, mxcsr, 0x1f80);
	uint16_t fcw;
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	KT_EXPECT_EQ(t, fcw, 0x037f);
	kfree(a);
}

static const struct ktest_case fpu_cases[] = {
	KTEST_CASE(test_sse_state_round_trip),
	KTEST_CASE(test_avx_upper_halves_round_trip),
	KTEST_CASE(test_initial_state),
	{}
};
KTEST_SUITE(fpu, fpu_cases);
