/*
 * /proc/interrupts: one column per online CPU, one line per interrupt
 * kind, laid out as Linux does (a "CPUn" header; "LOC:", "RES:", "TLB:"
 * rows of %10u counts and a description). The counts come from where the
 * interrupts are taken: timer_irq_count (kernel/time/timer.c) and the
 * arch's IPI counters; this file only formats them.
 */
#include <kernel/interrupts.h>
#include <stdarg.h>
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/task.h>
#include <kernel/timer.h>

struct out {
	char *buf;
	size_t len, pos;        /* pos counts past len, like snprintf */
};

static __printf(2, 3) void emit(struct out *o, const char *fmt, ...)
{
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	va_list ap;

	va_start(ap, fmt);
	o->pos += (size_t)vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
}

static void row(struct out *o, uint64_t online, const char *name,
		uint64_t (*count)(unsigned cpu), const char *what)
{
	emit(o, "%3s: ", name);
	for (unsigned c = 0; c < NR_CPUS; c++)
		if ((online >> c) & 1)
			emit(o, "%10llu ", (unsigned long long)count(c));
	emit(o, "  %s\n", what);
}

int interrupts_format(char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	uint64_t online = sched_online_mask();

	if (len)
		buf[0] = '\0';
	emit(&o, "%11s", "");
	for (unsigned c = 0; c < NR_CPUS; c++)
		if ((online >> c) & 1)
			emit(&o, "CPU%-8u", c);
	emit(&o, "\n");
	row(&o, online, "LOC", timer_irq_count, "Local timer interrupts");
	row(&o, online, "RES", arch_ipi_count, "Rescheduling interrupts");
	row(&o, online, "TLB", arch_tlb_shootdowns_received, "TLB shootdowns");
	return (int)o.pos;
}
