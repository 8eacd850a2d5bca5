/*
 * Local APIC (Intel SDM vol. 3, chapter 11): per-CPU interrupt acceptance,
 * EOI, inter-processor interrupts and the timer. x2APIC mode (registers as
 * MSRs, 32-bit ids) whenever the CPU supports it, else xAPIC through MMIO.
 *
 * Locking: the mode and MMIO base are set by lapic_init() on the boot CPU
 * before any other CPU starts and never change. Each CPU touches only its
 * own APIC; ICR writes run with interrupts off so that an interrupt handler
 * sending an IPI cannot interleave with the two xAPIC ICR halves.
 */
#include <arch/x86_64/apic/apic.h>
#include <drivers/acpi/acpi.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <mm/vmap.h>
#include <asm/cpu.h>
#include <asm/io.h>

/* Register offsets in the xAPIC page; the x2APIC MSR is 0x800 + off / 16. */
#define LAPIC_ID          0x020
#define LAPIC_VERSION     0x030
#define LAPIC_TPR         0x080
#define LAPIC_EOI         0x0b0
#define LAPIC_SVR         0x0f0
#define LAPIC_ESR         0x280
#define LAPIC_ICR_LO      0x300
#define LAPIC_ICR_HI      0x310
#define LAPIC_LVT_TIMER   0x320
#define LAPIC_LVT_THERMAL 0x330
#define LAPIC_LVT_PERF    0x340
#define LAPIC_LVT_LINT0   0x350
#define LAPIC_LVT_LINT1   0x360
#define LAPIC_LVT_ERROR   0x370
#define LAPIC_TIMER_INIT  0x380
#define LAPIC_TIMER_CUR   0x390
#define LAPIC_TIMER_DIV   0x3e0
#define X2APIC_MSR_BASE   0x800
#define X2APIC_MSR_ICR    0x830

#define APIC_BASE_EXTD    (1ull << 10)  /* x2APIC mode */
#define APIC_BASE_ENABLE  (1ull << 11)
#define APIC_BASE_ADDR    0xffffff000ull

#define SVR_ENABLE        (1u << 8)
#define LVT_MASKED        (1u << 16)
#define LVT_LEVEL         (1u << 15)
#define LVT_ACTIVE_LOW    (1u << 13)
#define LVT_DM_NMI        (4u << 8)
#define LVT_TIMER_ONESHOT (0u << 17)
#define LVT_TIMER_DEADLINE (2u << 17)
#define TIMER_DIV_16      0x3           /* divide configuration encoding */

#define ICR_DM_FIXED      (0u << 8)
#define ICR_DM_NMI        (4u << 8)
#define ICR_DM_INIT       (5u << 8)
#define ICR_DM_STARTUP    (6u << 8)
#define ICR_PENDING       (1u << 12)    /* xAPIC only */
#define ICR_ASSERT        (1u << 14)
#define ICR_ALL_BUT_SELF  (3u << 18)

#define TIMER_CALIBRATE_MS 20  /* in all, over 5 windows */

static bool x2apic;
static volatile uint8_t *lapic_mmio;
static bool lapic_ready;
static uint64_t timer_khz;
static uint64_t timer_mult;             /* counts = ns * timer_mult >> 32 */

static uint32_t lapic_read(unsigned reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return mmio_read32(lapic_mmio + reg);
}

static void lapic_write(unsigned reg, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), v);
	else
		mmio_write32(lapic_mmio + reg, v);
}

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

uint32_t lapic_id(void)
{
	uint32_t max, a, b, c, d;

	if (lapic_ready)
		return x2apic ? lapic_read(LAPIC_ID) : lapic_read(LAPIC_ID) >> 24;
	/* Before init: the initial APIC id as CPUID reports it. */
	cpuid_count(0, 0, &max, &b, &c, &d);
	if (max >= 0xb) {
		cpuid_count(0xb, 0, &a, &b, &c, &d);
		if (b)
			return d;       /* full 32-bit x2APIC id */
	}
	cpuid_count(1, 0, &a, &b, &c, &d);
	return b >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/* Program LINT0/LINT1 as the MADT's NMI entries for this CPU say; the
 * other one stays masked (LINT0 is the 8259's ExtINT line, unused). */
static void setup_lint(uint32_t apic_id)
{
	const struct acpi_info *ai = acpi_get_info();
	uint32_t lvt[2] = { LVT_MASKED, LVT_DM_NMI };   /* PC default: NMI on LINT1 */
	uint32_t uid = ACPI_UID_ALL;

	if (ai && ai->nr_lapic_nmis) {
		lvt[1] = LVT_MASKED;
		for (unsigned i = 0; i < ai->nr_cpus; i++)
			if (ai->cpus[i].apic_id == apic_id)
				uid = ai->cpus[i].uid;
		for (unsigned i = 0; i < ai->nr_lapic_nmis; i++) {
			const struct acpi_lapic_nmi *n = &ai->lapic_nmis[i];
			if (n->lint > 1 || (n->uid != ACPI_UID_ALL && n->uid != uid))
				continue;
			/* NMIs are always edge-triggered (SDM 11.5.1). */
			lvt[n->lint] = LVT_DM_NMI |
				((n->flags & ACPI_INTI_POLARITY_MASK) == ACPI_INTI_POLARITY_LOW ?
				 LVT_ACTIVE_LOW : 0);
		}
	}
	lapic_write(LAPIC_LVT_LINT0, lvt[0]);
	lapic_write(LAPIC_LVT_LINT1, lvt[1]);
}

static void enable_mode(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	/* xAPIC -> x2APIC is a legal transition once the APIC is enabled. */
	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
}

static void setup_cpu(void)
{
	unsigned max_lvt;

	enable_mode();
	max_lvt = (lapic_read(LAPIC_VERSION) >> 16) & 0xff;
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	if (max_lvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
	if (max_lvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	/* The ESR latches on write: two writes clear it (SDM 11.5.3). */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_ready = true;
	setup_lint(lapic_id());
	lapic_write(LAPIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
}

int lapic_init(void)
{
	const struct acpi_info *ai = acpi_get_info();
	uint64_t msr;
	phys_addr_t pa;

	if (!cpu_has(X86_FEATURE_APIC))
		return -ENODEV;
	msr = rdmsr(MSR_APIC_BASE);
	x2apic = cpu_has(X86_FEATURE_X2APIC) || (msr & APIC_BASE_EXTD);
	pa = msr & APIC_BASE_ADDR;
	if (ai && ai->has_madt && ai->lapic_address != pa)
		pr_warn("lapic: MADT says %#llx, APIC_BASE MSR %#llx; using the MSR\n",
			(unsigned long long)ai->lapic_address, (unsigned long long)pa);
	if (!x2apic) {
		lapic_mmio = ioremap(pa, PAGE_SIZE);
		if (!lapic_mmio)
			return -ENOMEM;
		if (ai && ai->nr_cpus && ai->cpus[ai->nr_cpus - 1].apic_id > 0xfe)
			pr_warn("lapic: CPUs with ids > 254 need x2APIC, which this CPU lacks\n");
	}
	setup_cpu();
	pr_info("lapic: %s mode, boot CPU APIC id %u, version %#x\n",
		x2apic ? "x2APIC" : "xAPIC", lapic_id(), lapic_read(LAPIC_VERSION) & 0xff);
	return 0;
}

void lapic_init_ap(void)
{
	/* Same mode and timer divider as the boot CPU, so the calibration
	 * done there holds here too. */
	setup_cpu();
}

static void icr_send(uint32_t dest, uint32_t lo)
{
	unsigned long flags = arch_irq_save();

	if (x2apic) {
		/* x2APIC MSR writes are not serializing: make earlier stores
		 * visible before the target can run its handler. */
		__asm__ volatile("mfence" ::: "memory");
		wrmsr(X2APIC_MSR_ICR, (uint64_t)dest << 32 | lo);
	} else {
		/* Wait for the previous IPI to be accepted, not for this one:
		 * nothing needs it delivered on return, and each read of the
		 * ICR is another trip to the (emulated) APIC. */
		while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
			cpu_relax();
		lapic_write(LAPIC_ICR_HI, dest << 24);
		lapic_write(LAPIC_ICR_LO, lo);
	}
	arch_irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, ICR_DM_FIXED | ICR_ASSERT | vector);
}

void lapic_send_nmi(uint32_t apic_id)
{
	icr_send(apic_id, ICR_DM_NMI | ICR_ASSERT);
}

void lapic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, ICR_DM_INIT | ICR_ASSERT);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t sipi_page)
{
	icr_send(apic_id, ICR_DM_STARTUP | ICR_ASSERT | sipi_page);
}

void lapic_send_ipi_others(uint8_t vector)
{
	icr_send(0, ICR_ALL_BUT_SELF | ICR_DM_FIXED | ICR_ASSERT | vector);
}

void lapic_send_nmi_others(void)
{
	icr_send(0, ICR_ALL_BUT_SELF | ICR_DM_NMI | ICR_ASSERT);
}

/* One window: the count and the TSC read back to back at both ends, so a
 * stall of the (virtual) CPU between the two reads is all that can skew
 * it. Returns timer kHz. */
static uint64_t calibrate_sample(uint64_t wait)
{
	uint32_t c0 = lapic_read(LAPIC_TIMER_CUR);
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < wait)
		cpu_relax();
	uint32_t c1 = lapic_read(LAPIC_TIMER_CUR);
	uint64_t t1 = rdtsc();
	return (uint64_t)(c0 - c1) * tsc_khz / (t1 - t0 ? t1 - t0 : 1);
}

/* The median of a few short windows: one stalled window (common under
 * emulation on a busy host) would otherwise make every timer late or early. */
int lapic_timer_calibrate(void)
{
	enum { SAMPLES = 5 };
	uint64_t khz[SAMPLES], wait;

	if (!lapic_ready || !tsc_khz)
		return -ENODEV;
	wait = tsc_khz * TIMER_CALIBRATE_MS / SAMPLES;
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	for (int i = 0; i < SAMPLES; i++) {
		khz[i] = calibrate_sample(wait);
		for (int j = i; j > 0 && khz[j - 1] > khz[j]; j--) {
			uint64_t x = khz[j];
			khz[j] = khz[j - 1];
			khz[j - 1] = x;
		}
	}
	lapic_write(LAPIC_TIMER_INIT, 0);
	timer_khz = khz[SAMPLES / 2];
	if (!timer_khz)
		return -EIO;
	timer_mult = (timer_khz << 32) / 1000000;
	pr_info("lapic: timer %llu kHz (bus clock / 16; median of %d, spread %llu kHz)%s\n",
		(unsigned long long)timer_khz, SAMPLES,
		(unsigned long long)(khz[SAMPLES - 1] - khz[0]),
		lapic_timer_has_deadline() ? ", TSC-deadline mode available" : "");
	return 0;
}

uint64_t lapic_timer_khz(void)
{
	return timer_khz;
}

bool lapic_timer_has_deadline(void)
{
	return cpu_has(X86_FEATURE_TSC_DEADLINE);
}

void lapic_timer_oneshot(uint64_t ns)
{
	uint64_t count = (uint64_t)(((unsigned __int128)ns * timer_mult) >> 32);

	if (count == 0)
		count = 1;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | VECTOR_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
}

int lapic_timer_deadline(uint64_t tsc)
{
	if (!lapic_timer_has_deadline())
		return -ENODEV;
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_DEADLINE | VECTOR_LAPIC_TIMER);
	/* Order the LVT write before the deadline write (SDM 11.5.4.1);
	 * a deadline of 0 would disarm instead of firing at once. */
	__asm__ volatile("mfence" ::: "memory");
	wrmsr(MSR_TSC_DEADLINE, tsc ? tsc : 1);
	return 0;
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (lapic_timer_has_deadline())
		wrmsr(MSR_TSC_DEADLINE, 0);
}
