/*
 * x86 hardware clocks: the HPET (hpet.c), PIT channel 2 (pit.c) and the
 * TSC calibration against either (tsc.c) that backs kernel/time.h.
 */
#pragma once

#include <kernel/types.h>

/* Map and start the HPET the ACPI HPET table describes. -ENODEV without
 * one (the PIT is used instead), -EIO if its registers look wrong. */
int hpet_init(void);
bool hpet_available(void);
uint64_t hpet_read_counter(void);       /* raw main counter */
uint64_t hpet_counter_mask(void);       /* ~0 or 0xffffffff (32-bit HPET) */
uint64_t hpet_period_fs(void);          /* femtoseconds per tick */
/* Main counter in ns. Wraps after ~5 minutes on 32-bit HPETs, so use it
 * for intervals, via hpet_elapsed_ns(). */
uint64_t hpet_ns(void);
uint64_t hpet_elapsed_ns(uint64_t start_counter, uint64_t end_counter);

#define PIT_HZ 1193182u                 /* 14.31818 MHz / 12 */
/* TSC ticks elapsed while PIT channel 2 counts `count` input clocks
 * (count <= 65535, about 54.9 ms). 0 if the PIT does not seem to count. */
uint64_t pit_tsc_ticks(uint16_t count);
/* Busy-wait on PIT channel 2 (before the TSC is calibrated). */
void pit_delay_us(unsigned us);

/* Measure the TSC frequency (HPET preferred, else PIT); sets tsc_khz and
 * starts time_ns(). 0 or -errno. */
int tsc_calibrate(void);
/* The conversion time_ns() uses, for the vDSO: ns = (tsc - base) * mult >> 32
 * (mult 0 before calibration). */
void tsc_clock_params(uint64_t *base, uint64_t *mult);
