/*
 * HPET main counter (IA-PC HPET spec 1.0a, section 2.3): a free-running
 * up-counter with a fixed period, used to calibrate the TSC and for delays
 * before that. The comparators are left alone (off after reset).
 *
 * Locking: none; hpet_init() runs once on the boot CPU, the fields below
 * are read-only afterwards and the counter register is read atomically.
 */
#include <arch/x86_64/time/timer.h>
#include <drivers/acpi/acpi.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <mm/vmap.h>
#include <asm/io.h>

#define HPET_GCAP_ID      0x000
#define HPET_GEN_CONF     0x010
#define HPET_MAIN_COUNTER 0x0f0
#define HPET_MMIO_LEN     0x400

#define GCAP_COUNT_SIZE_64  (1u << 13)
#define GCAP_NUM_TIM_SHIFT  8
#define GEN_CONF_ENABLE     (1u << 0)
/* Spec 2.3.4: the period is nonzero and at most 100 ns. */
#define HPET_MAX_PERIOD_FS  100000000ull

static volatile uint8_t *hpet_base;
static uint64_t period_fs;
static uint64_t counter_mask;
static uint64_t ns_mult;                /* ns = ticks * ns_mult >> 32 */

bool hpet_available(void)
{
	return hpet_base != NULL;
}

uint64_t hpet_read_counter(void)
{
	if (counter_mask == 0xffffffffull)
		return mmio_read32(hpet_base + HPET_MAIN_COUNTER);
	return mmio_read64(hpet_base + HPET_MAIN_COUNTER);
}

uint64_t hpet_counter_mask(void) { return counter_mask; }
uint64_t hpet_period_fs(void) { return period_fs; }

static uint64_t ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t hpet_ns(void)
{
	return ticks_to_ns(hpet_read_counter());
}

uint64_t hpet_elapsed_ns(uint64_t start_counter, uint64_t end_counter)
{
	return ticks_to_ns((end_counter - start_counter) & counter_mask);
}

int hpet_init(void)
{
	const struct acpi_info *ai = acpi_get_info();
	volatile uint8_t *base;
	uint64_t cap, hz;

	if (!ai || !ai->has_hpet) {
		pr_warn("hpet: none described by ACPI, falling back to the PIT\n");
		return -ENODEV;
	}
	base = ioremap(ai->hpet_address, HPET_MMIO_LEN);
	if (!base)
		return -ENOMEM;
	cap = mmio_read64(base + HPET_GCAP_ID);
	period_fs = cap >> 32;
	if (period_fs == 0 || period_fs > HPET_MAX_PERIOD_FS) {
		pr_err("hpet: bad period %llu fs at %#llx, not used\n",
		       (unsigned long long)period_fs, (unsigned long long)ai->hpet_address);
		iounmap((void *)base);
		return -EIO;
	}
	counter_mask = (cap & GCAP_COUNT_SIZE_64) ? ~0ull : 0xffffffffull;
	/* ns per tick = period_fs / 1e6; fits: period_fs << 32 < 2^59. */
	ns_mult = (period_fs << 32) / 1000000;
	mmio_write64(base + HPET_GEN_CONF, mmio_read64(base + HPET_GEN_CONF) | GEN_CONF_ENABLE);
	hpet_base = base;
	hz = 1000000000000000ull / period_fs;
	pr_info("hpet: %llu.%06llu MHz, %u-bit counter, %u comparators\n",
		(unsigned long long)(hz / 1000000), (unsigned long long)(hz % 1000000),
		counter_mask == ~0ull ? 64 : 32,
		(unsigned)((cap >> GCAP_NUM_TIM_SHIFT) & 0x1f) + 1);
	return 0;
}
