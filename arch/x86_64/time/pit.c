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
#define PIT_CMD_CH2_LATCH 0x80          /* channel 2, counter latch */

#define PORT_B         0x61
#define PORT_B_GATE2   0x01             /* channel 2 counts while set */
#define PORT_B_SPEAKER 0x02             /* keep the speaker off */
#define PORT_B_OUT2    0x20             /* channel 2 output, read-only */

/* Give up waiting after this many polls (a missing PIT reads 0xff or 0). */
#define PIT_MAX_POLLS  10000000u
/* A (count, TSC) sample: the two count reads around the TSC read may differ
 * by this many clocks (~8 us), and that many attempts are made. */
#define SAMPLE_SLACK   10
#define SAMPLE_TRIES   1000
/* Shorter measurements would be dominated by the sampling slack. */
#define MIN_MEASURE_COUNT 1000

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

/* Latch channel 2's count and read it (lobyte, hibyte). */
static uint16_t pit_read_count(void)
{
	outb(PIT_COMMAND, PIT_CMD_CH2_LATCH);
	uint8_t lo = inb(PIT_CH2_DATA);
	uint8_t hi = inb(PIT_CH2_DATA);
	return (uint16_t)(lo | hi << 8);
}

/*
 * The count and the TSC at one moment: the TSC read between two count
 * reads that agree within SAMPLE_SLACK clocks (a few microseconds). A VM's
 * vCPU can be descheduled between any two instructions; such a sample is
 * retried rather than used.
 */
static bool pit_sample(uint16_t *count, uint64_t *tsc)
{
	for (unsigned i = 0; i < SAMPLE_TRIES; i++) {
		uint16_t a = pit_read_count();
		uint64_t t = rdtsc();
		uint16_t b = pit_read_count();
		if (a >= b && a - b <= SAMPLE_SLACK) {
			*count = a;
			*tsc = t;
			return true;
		}
	}
	return false;
}

/*
 * TSC ticks per `count` PIT clocks. Both ends are (count, TSC) pairs taken
 * together, so a late poll (a descheduled vCPU) adds to both sides of the
 * ratio instead of skewing it; the end is taken before the count reaches
 * zero (mode 0 then wraps to 0xffff), and a wrap seen anyway retries.
 */
uint64_t pit_tsc_ticks(uint16_t count)
{
	if (count < MIN_MEASURE_COUNT)
		return 0;
	for (unsigned attempt = 0; attempt < 4; attempt++) {
		uint16_t c0, c1;
		uint64_t t0, t1;

		pit_start(count);
		/* OUT2 must be low right after loading the count; high means no PIT. */
		if (inb(PORT_B) & PORT_B_OUT2)
			return 0;
		if (!pit_sample(&c0, &t0))
			return 0;
		uint32_t polls = 0;
		do {
			if (++polls > PIT_MAX_POLLS)
				return 0;       /* not counting: no PIT */
			c1 = pit_read_count();
		} while (c1 > count / 8 && c1 <= c0);
		if (!pit_sample(&c1, &t1) || c1 >= c0 || inb(PORT_B) & PORT_B_OUT2)
			continue;       /* reached zero (and wrapped) meanwhile: again */
		return (t1 - t0) * count / (uint64_t)(c0 - c1);
	}
	return 0;
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
