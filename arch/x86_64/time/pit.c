/*
 * The 8254 PIT's channel 2, the one gated by port 0x61 instead of wired to
 * an interrupt, as a stopwatch: TSC calibration without an HPET and delays
 * before calibration. Channel 0 (the old tick) is never programmed.
 *
 * Locking: none. Used only on the boot CPU during single-threaded boot.
 */
#include <arch/x86_64/time/timer.h>
#include <asm/cpu.h>
#include <asm/io.h>

#define PIT_CH2_DATA   0x42
#define PIT_COMMAND    0x43
/* Channel 2, lobyte/hibyte access, mode 0 (interrupt on terminal count),
 * binary: OUT goes low on the count write and high when it reaches 0. */
#define PIT_CMD_CH2_MODE0 0xb0

#define PORT_B         0x61
#define PORT_B_GATE2   0x01             /* channel 2 counts while set */
#define PORT_B_SPEAKER 0x02             /* keep the speaker off */
#define PORT_B_OUT2    0x20             /* channel 2 output, read-only */

/* Give up waiting after this many polls (a missing PIT reads 0xff or 0). */
#define PIT_MAX_POLLS  10000000u

/* Start channel 2 counting down `count` clocks. */
static void pit_start(uint16_t count)
{
	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_COMMAND, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
}

static bool pit_wait_done(void)
{
	for (uint32_t i = 0; i < PIT_MAX_POLLS; i++)
		if (inb(PORT_B) & PORT_B_OUT2)
			return true;
	return false;
}

uint64_t pit_tsc_ticks(uint16_t count)
{
	uint64_t t0, t1;

	if (count == 0)
		return 0;
	pit_start(count);
	/* OUT2 must be low right after loading the count; high means no PIT. */
	if (inb(PORT_B) & PORT_B_OUT2)
		return 0;
	t0 = rdtsc();
	if (!pit_wait_done())
		return 0;
	t1 = rdtsc();
	return t1 - t0;
}

void pit_delay_us(unsigned us)
{
	while (us) {
		/* One mode-0 run is at most 65535 clocks (54.9 ms). */
		unsigned chunk = us > 50000 ? 50000 : us;
		uint32_t count = (uint32_t)(((uint64_t)chunk * PIT_HZ + 999999) / 1000000);

		pit_start((uint16_t)(count ? count : 1));
		pit_wait_done();
		us -= chunk;
	}
}
