/*
 * panic: report, stop every CPU, never return. The first CPU to panic owns
 * the console; others that panic at the same time just halt.
 */
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/klog.h>
#include <kernel/arch.h>

static int panicking;

bool panic_in_progress(void)
{
	return READ_ONCE(panicking) != 0;
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	arch_irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		arch_halt_forever();
	arch_halt_other_cpus();
	printk_panic_mode();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", msg);
	arch_dump_stack();
	printk(KERN_EMERG "---[ end Kernel panic - not syncing: %s ]---\n", msg);
	printk(KERN_EMERG "All CPUs halted.\n");
	arch_halt_forever();
}
