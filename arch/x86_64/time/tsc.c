/*
 * The TSC as the kernel clock: calibrate its frequency against the HPET (or
 * PIT channel 2) at boot, then time_ns() is one rdtsc and a multiply-shift.
 * CPUID leaves 0x15/0x16 and the hypervisor leaf are only cross-checks:
 * they are often absent and sometimes wrong.
 *
 * Assumes an invariant TSC, synchronized across CPUs (true on anything
 * recent and in VMs); SMP bring-up should verify that.
 *
 * Locking: none. tsc_khz, tsc_mult and tsc_base are written once by
 * tsc_calibrate() on the boot CPU before other CPUs run; read-only after.
 */
#include <arch/x86_64/time/timer.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <asm/cpu.h>

#define CALIBRATE_ROUNDS 5
#define CALIBRATE_MS     10
#define PIT_COUNT_10MS   11932          /* 10 ms of 1.193182 MHz */
/* Cross-checks that disagree by more than this are reported. */
#define CROSSCHECK_PERMILLE 10

uint64_t tsc_khz;
static uint64_t tsc_mult;               /* ns = ticks * tsc_mult >> 32 */
static uint64_t tsc_base;

void time_early_init(void)
{
	tsc_base = rdtsc();
}

uint64_t time_ns(void)
{
	uint64_t mult = READ_ONCE(tsc_mult);

	if (!mult)
		return 0;
	/* 128-bit product: no overflow until the delta itself wraps. */
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc_base) * mult) >> 32);
}

void tsc_clock_params(uint64_t *base, uint64_t *mult)
{
	*base = tsc_base;
	*mult = READ_ONCE(tsc_mult);
}

/* One round against the HPET: TSC kHz over CALIBRATE_MS. */
static uint64_t round_hpet(void)
{
	uint64_t h0, h1, t0, t1, ns;

	h0 = hpet_read_counter();
	t0 = rdtsc();
	do {
		h1 = hpet_read_counter();
		ns = hpet_elapsed_ns(h0, h1);
	} while (ns < CALIBRATE_MS * NSEC_PER_MSEC);
	t1 = rdtsc();
	return (t1 - t0) * 1000000 / ns;
}

static uint64_t round_pit(void)
{
	uint64_t ticks = pit_tsc_ticks(PIT_COUNT_10MS);

	return ticks * PIT_HZ / ((uint64_t)PIT_COUNT_10MS * 1000);
}

static uint64_t median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static void crosscheck(const char *what, uint64_t khz, uint64_t measured)
{
	uint64_t diff = khz > measured ? khz - measured : measured - khz;

	if (!khz)
		return;
	pr_info("tsc: %s says %llu kHz%s\n", what, (unsigned long long)khz,
		diff * 1000 > measured * CROSSCHECK_PERMILLE ? " - disagrees, ignored" : "");
}

static void crosscheck_cpuid(uint64_t measured)
{
	uint32_t max, a, b, c, d;

	cpuid_count(0, 0, &max, &b, &c, &d);
	if (max >= 0x15) {
		/* TSC Hz = crystal Hz (ECX) * EBX / EAX. */
		cpuid_count(0x15, 0, &a, &b, &c, &d);
		if (a && b && c)
			crosscheck("CPUID 0x15", (uint64_t)c * b / a / 1000, measured);
	}
	if (max >= 0x16) {
		cpuid_count(0x16, 0, &a, &b, &c, &d);
		crosscheck("CPUID 0x16 base frequency", (uint64_t)(a & 0xffff) * 1000, measured);
	}
	if (cpu_has(X86_FEATURE_HYPERVISOR)) {
		/* KVM/VMware timing leaf: EAX = TSC kHz. */
		cpuid_count(0x40000000, 0, &max, &b, &c, &d);
		if (max >= 0x40000010) {
			cpuid_count(0x40000010, 0, &a, &b, &c, &d);
			crosscheck("hypervisor leaf", a, measured);
		}
	}
}

int tsc_calibrate(void)
{
	uint64_t khz[CALIBRATE_ROUNDS], result, spread;
	bool use_hpet = hpet_available();
	unsigned long flags;

	if (!cpu_has(X86_FEATURE_TSC))
		return -ENODEV;
	flags = arch_irq_save();
	for (unsigned i = 0; i < CALIBRATE_ROUNDS; i++)
		khz[i] = use_hpet ? round_hpet() : round_pit();
	arch_irq_restore(flags);
	result = median(khz, CALIBRATE_ROUNDS);
	spread = khz[CALIBRATE_ROUNDS - 1] - khz[0];
	if (!result) {
		pr_err("tsc: calibration failed (no HPET, PIT not counting)\n");
		return -EIO;
	}
	pr_info("tsc: calibrated %llu.%03llu MHz against %s (median of %u, spread %llu kHz)\n",
		(unsigned long long)(result / 1000), (unsigned long long)(result % 1000),
		use_hpet ? "HPET" : "PIT", CALIBRATE_ROUNDS, (unsigned long long)spread);
	crosscheck_cpuid(result);
	if (!cpu_has(X86_FEATURE_INVARIANT_TSC))
		pr_warn("tsc: not marked invariant; time may drift if the clock changes\n");

	if (!tsc_base)
		tsc_base = rdtsc();
	tsc_khz = result;
	/* ns per tick = 1e6 / kHz, in 32.32 fixed point. */
	WRITE_ONCE(tsc_mult, (NSEC_PER_MSEC << 32) / result);
	return 0;
}

void ndelay(unsigned ns)
{
	if (tsc_khz) {
		uint64_t start = rdtsc();
		uint64_t ticks = ((uint64_t)ns * tsc_khz + 999999) / 1000000;
		while (rdtsc() - start < ticks)
			cpu_relax();
	} else if (hpet_available()) {
		uint64_t start = hpet_read_counter();
		while (hpet_elapsed_ns(start, hpet_read_counter()) < ns)
			cpu_relax();
	} else {
		pit_delay_us((ns + 999) / 1000);
	}
}

void udelay(unsigned us)
{
	/* In 1 ms pieces so that ns never overflows 32 bits. */
	while (us > 1000) {
		ndelay(1000 * 1000);
		us -= 1000;
	}
	ndelay(us * 1000);
}

void mdelay(unsigned ms)
{
	while (ms--)
		ndelay(1000 * 1000);
}
