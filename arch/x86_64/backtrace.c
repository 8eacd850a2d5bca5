/*
 * Stack backtraces by frame pointer (the kernel is built with
 * -fno-omit-frame-pointer): each frame is [saved rbp][return address].
 * Frames are only followed upwards and within one kernel stack's reach, so a
 * corrupt chain ends the walk instead of faulting.
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/kallsyms.h>
#include <asm/layout.h>
#include <asm/backtrace.h>

#define MAX_FRAMES 32
#define MAX_FRAME_SPAN (4 * KSTACK_SIZE)

static bool frame_ok(uintptr_t rbp, uintptr_t prev)
{
	return rbp >= 0xffff800000000000ul && (rbp & 7) == 0 && rbp > prev &&
	       (prev == 0 || rbp - prev < MAX_FRAME_SPAN);
}

static void print_frame(uintptr_t addr)
{
	char sym[128];
	kallsyms_format(sym, sizeof(sym), addr);
	printk(KERN_EMERG " %s\n", sym);
}

void arch_backtrace_from(uintptr_t rbp, uintptr_t rip)
{
	printk(KERN_EMERG "Call Trace:\n");
	if (rip)
		print_frame(rip);
	uintptr_t prev = 0;
	for (int i = 0; i < MAX_FRAMES && frame_ok(rbp, prev); i++) {
		const uintptr_t *frame = (const uintptr_t *)rbp;
		uintptr_t ret = frame[1];
		if (!ret)
			break;
		/* Return addresses point after the call; -1 names the caller. */
		print_frame(ret - 1);
		prev = rbp;
		rbp = frame[0];
	}
}

unsigned arch_stack_trace(uintptr_t *pcs, unsigned max)
{
	uintptr_t rbp = (uintptr_t)__builtin_frame_address(0), prev = 0;
	unsigned n = 0;

	while (n < max && frame_ok(rbp, prev)) {
		const uintptr_t *frame = (const uintptr_t *)rbp;
		if (!frame[1])
			break;
		pcs[n++] = frame[1] - 1;        /* in the call instruction */
		prev = rbp;
		rbp = frame[0];
	}
	return n;
}

void arch_dump_stack(void)
{
	arch_backtrace_from((uintptr_t)__builtin_frame_address(0), 0);
}
