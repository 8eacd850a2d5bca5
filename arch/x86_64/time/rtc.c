/*
 * The CMOS real-time clock (MC146818-compatible, ports 0x70/0x71): read
 * once at boot for CLOCK_REALTIME. Registers may be BCD or binary and the
 * hour 12- or 24-hour (status register B); the century comes from the
 * register the FADT names, else 20xx is assumed.
 */
#include <kernel/arch.h>
#include <asm/io.h>
#include <drivers/acpi/acpi.h>

enum { RTC_SEC = 0, RTC_MIN = 2, RTC_HOUR = 4, RTC_DAY = 7, RTC_MON = 8,
       RTC_YEAR = 9, RTC_STATUS_A = 10, RTC_STATUS_B = 11 };

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);                /* bit 7 clear: NMIs stay enabled */
	return inb(0x71);
}

static unsigned bcd(uint8_t v) { return (v & 15) + (v >> 4) * 10; }

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t arch_rtc_read_epoch(void)
{
	const struct acpi_info *ai = acpi_get_info();
	uint8_t century_reg = ai ? ai->century : 0;
	uint8_t r[6], again[6], century = 0;

	/* Read until two reads agree and no update was in progress. */
	for (int tries = 0; tries < 1000; tries++) {
		while (cmos(RTC_STATUS_A) & 0x80)
			;
		r[0] = cmos(RTC_SEC); r[1] = cmos(RTC_MIN); r[2] = cmos(RTC_HOUR);
		r[3] = cmos(RTC_DAY); r[4] = cmos(RTC_MON); r[5] = cmos(RTC_YEAR);
		century = century_reg ? cmos(century_reg) : 0;
		while (cmos(RTC_STATUS_A) & 0x80)
			;
		again[0] = cmos(RTC_SEC); again[1] = cmos(RTC_MIN); again[2] = cmos(RTC_HOUR);
		again[3] = cmos(RTC_DAY); again[4] = cmos(RTC_MON); again[5] = cmos(RTC_YEAR);
		bool same = true;
		for (int i = 0; i < 6; i++)
			same &= r[i] == again[i];
		if (same)
			break;
	}
	uint8_t b = cmos(RTC_STATUS_B);
	bool pm = r[2] & 0x80;
	r[2] &= 0x7f;
	unsigned v[6];
	for (int i = 0; i < 6; i++)
		v[i] = (b & 4) ? r[i] : bcd(r[i]);
	if (century)
		century = (uint8_t)((b & 4) ? century : bcd(century));
	if (!(b & 2) && pm)                     /* 12-hour clock */
		v[2] = (v[2] % 12) + 12;
	else if (!(b & 2) && v[2] == 12)
		v[2] = 0;
	int64_t year = (century ? century : 20) * 100 + v[5];
	return days_from_civil(year, v[4], v[3]) * 86400 + v[2] * 3600 + v[1] * 60 + v[0];
}
