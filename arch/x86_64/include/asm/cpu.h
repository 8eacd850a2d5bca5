/* x86-64 CPU access: control registers, MSRs, CPUID and feature flags. */
#pragma once

#include <kernel/types.h>

#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_SFMASK         0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE      0x1b
#define MSR_TSC_DEADLINE   0x6e0
#define MSR_PAT            0x277

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)

#define CR0_WP (1ul << 16)
#define CR0_MP (1ul << 1)
#define CR0_EM (1ul << 2)
#define CR0_TS (1ul << 3)
#define CR0_NE (1ul << 5)
#define CR4_PAE        (1ul << 5)
#define CR4_PGE        (1ul << 7)
#define CR4_OSFXSR     (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CR4_FSGSBASE   (1ul << 16)
#define CR4_OSXSAVE    (1ul << 18)
#define CR4_SMEP       (1ul << 20)
#define CR4_SMAP       (1ul << 21)

#define RFLAGS_IF (1ul << 9)
#define RFLAGS_AC (1ul << 18)

/* Feature bits: (cpuid leaf index << 5) | bit. See cpu_has(). */
enum cpu_feature {
	/* leaf 1 ECX */
	X86_FEATURE_SSE3 = 0 * 32 + 0,
	X86_FEATURE_X2APIC = 0 * 32 + 21,
	X86_FEATURE_TSC_DEADLINE = 0 * 32 + 24,
	X86_FEATURE_XSAVE = 0 * 32 + 26,
	X86_FEATURE_OSXSAVE = 0 * 32 + 27,
	X86_FEATURE_AVX = 0 * 32 + 28,
	X86_FEATURE_RDRAND = 0 * 32 + 30,
	X86_FEATURE_HYPERVISOR = 0 * 32 + 31,
	/* leaf 1 EDX */
	X86_FEATURE_FPU = 1 * 32 + 0,
	X86_FEATURE_TSC = 1 * 32 + 4,
	X86_FEATURE_MSR = 1 * 32 + 5,
	X86_FEATURE_APIC = 1 * 32 + 9,
	X86_FEATURE_PGE = 1 * 32 + 13,
	X86_FEATURE_PAT = 1 * 32 + 16,
	X86_FEATURE_FXSR = 1 * 32 + 24,
	X86_FEATURE_SSE = 1 * 32 + 25,
	X86_FEATURE_SSE2 = 1 * 32 + 26,
	/* leaf 7.0 EBX */
	X86_FEATURE_FSGSBASE = 2 * 32 + 0,
	X86_FEATURE_SMEP = 2 * 32 + 7,
	X86_FEATURE_INVPCID = 2 * 32 + 10,
	X86_FEATURE_RDSEED = 2 * 32 + 18,
	X86_FEATURE_SMAP = 2 * 32 + 20,
	/* leaf 0x80000001 EDX */
	X86_FEATURE_SYSCALL = 3 * 32 + 11,
	X86_FEATURE_NX = 3 * 32 + 20,
	X86_FEATURE_PDPE1GB = 3 * 32 + 26,
	X86_FEATURE_RDTSCP = 3 * 32 + 27,
	X86_FEATURE_LM = 3 * 32 + 29,
	/* leaf 0x80000007 EDX */
	X86_FEATURE_INVARIANT_TSC = 4 * 32 + 8,
	/* leaf 7.0 ECX */
	X86_FEATURE_RDPID = 5 * 32 + 22,
};

/* Filled once by cpu_init_features() on the boot CPU. */
bool cpu_has(enum cpu_feature f);
void cpu_init_features(void);
const char *cpu_vendor(void);
const char *cpu_brand(void);

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                             \
	static inline uint64_t read_cr##n(void)                            \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_cr##n(uint64_t v)                         \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");   \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void invlpg(uintptr_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }
