/*
 * Exceptions and interrupt dispatch. Every exception in kernel mode is
 * reported precisely (vector, error code, CR2, RIP as symbol+offset,
 * registers, backtrace) in the format Linux uses, then the kernel panics,
 * unless a test asked to catch it (arch_run_catching_faults).
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/kallsyms.h>
#include <kernel/klog.h>
#include <kernel/lockdep.h>
#include <kernel/task.h>
#include <kernel/proc.h>
#include <asm/trap.h>
#include <asm/cpu.h>
#include <asm/setjmp.h>
#include <asm/backtrace.h>
#include <arch/x86_64/apic/apic.h>
#include <asm/extable.h>
#include <asm/layout.h>
#include <mm/mm.h>


static const char *const exception_names[32] = {
	[X86_TRAP_DE] = "divide error",
	[X86_TRAP_DB] = "debug",
	[X86_TRAP_NMI] = "NMI",
	[X86_TRAP_BP] = "int3",
	[X86_TRAP_OF] = "overflow",
	[X86_TRAP_BR] = "bounds",
	[X86_TRAP_UD] = "invalid opcode",
	[X86_TRAP_NM] = "device not available",
	[X86_TRAP_DF] = "double fault",
	[9] = "coprocessor segment overrun",
	[X86_TRAP_TS] = "invalid TSS",
	[X86_TRAP_NP] = "segment not present",
	[X86_TRAP_SS] = "stack segment",
	[X86_TRAP_GP] = "general protection fault",
	[X86_TRAP_PF] = "page fault",
	[X86_TRAP_MF] = "coprocessor error",
	[X86_TRAP_AC] = "alignment check",
	[X86_TRAP_MC] = "machine check",
	[X86_TRAP_XM] = "SIMD exception",
	[X86_TRAP_VE] = "virtualization exception",
	[X86_TRAP_CP] = "control protection",
};

/* A test's request to survive a kernel fault (one at a time; tests run on
 * the boot CPU before SMP). */
static struct arch_jmp_buf *fault_catcher;
static struct fault_info *fault_catch_info;
static int oops_depth;

static void print_symbol_line(const char *label, uint64_t cs, uint64_t addr)
{
	char sym[128];
	kallsyms_format(sym, sizeof(sym), addr);
	printk(KERN_EMERG "%s: %04lx:%s\n", label, cs, sym);
}

static void report_page_fault(const struct trap_frame *tf, uint64_t cr2)
{
	uint64_t e = tf->error_code;
	printk(KERN_EMERG "BUG: unable to handle page fault for address: %016lx\n", cr2);
	printk(KERN_EMERG "#PF: %s %s in %s mode\n",
	       (e & 4) ? "user" : "supervisor",
	       (e & 16) ? "instruction fetch" : (e & 2) ? "write access" : "read access",
	       (e & 4) ? "user" : "kernel");
	printk(KERN_EMERG "#PF: error_code(0x%04lx) - %s\n", e,
	       (e & 8) ? "reserved bit violation" :
	       (e & 1) ? "permissions violation" : "not-present page");
}

void trap_report(const struct trap_frame *tf)
{
	uint64_t cr2 = read_cr2();

	if (tf->vector == X86_TRAP_PF)
		report_page_fault(tf, cr2);
	else
		printk(KERN_EMERG "Oops: %s: %04lx [#%lu]\n",
		       tf->vector < 32 && exception_names[tf->vector] ?
			       exception_names[tf->vector] : "unknown exception",
		       tf->error_code, tf->vector);
	printk(KERN_EMERG "CPU: %u\n", arch_cpu_id());
	print_symbol_line("RIP", tf->cs, tf->rip);
	printk(KERN_EMERG "RSP: %04lx:%016lx EFLAGS: %08lx\n", tf->ss, tf->rsp, tf->rflags);
	printk(KERN_EMERG "RAX: %016lx RBX: %016lx RCX: %016lx\n", tf->rax, tf->rbx, tf->rcx);
	printk(KERN_EMERG "RDX: %016lx RSI: %016lx RDI: %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	printk(KERN_EMERG "RBP: %016lx R08: %016lx R09: %016lx\n", tf->rbp, tf->r8, tf->r9);
	printk(KERN_EMERG "R10: %016lx R11: %016lx R12: %016lx\n", tf->r10, tf->r11, tf->r12);
	printk(KERN_EMERG "R13: %016lx R14: %016lx R15: %016lx\n", tf->r13, tf->r14, tf->r15);
	printk(KERN_EMERG "CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx\n",
	       read_cr0(), cr2, read_cr3(), read_cr4());
	arch_backtrace_from(tf->rbp, tf->rip);
}

int arch_run_catching_faults(void (*fn)(void), struct fault_info *info)
{
	struct arch_jmp_buf jb;
	int v = arch_setjmp(&jb);

	if (v == 0) {
		fault_catch_info = info;
		WRITE_ONCE(fault_catcher, &jb);
		fn();
		WRITE_ONCE(fault_catcher, NULL);
		return -1;
	}
	/* Back from arch_longjmp in kernel_fault(): v is vector + 1. */
	return v - 1;
}

/*
 * mm: a kernel #PF in copy_*_user (only those instructions have exception-
 * table entries). Demand paging and copy-on-write first, in the mm whose
 * tables this CPU has loaded; if that cannot fix it, resume at the fixup, which returns -EFAULT.
 * Other kernel faults on user addresses are bugs and oops below.
 */
static bool uaccess_fault(struct trap_frame *tf)
{
	uintptr_t fixup = extable_fixup(tf->rip);
	uint64_t addr = read_cr2();

	if (tf->vector != X86_TRAP_PF || !fixup)
		return false;
	if (addr < USER_SPACE_END && !(tf->error_code & X86_PF_RSVD) &&
	    handle_user_fault(mm_current(), addr, x86_pf_fault_flags(tf->error_code)) == 0)
		return true;
	tf->rip = fixup;
	return true;
}

static void kernel_fault(struct trap_frame *tf)
{
	struct arch_jmp_buf *jb = READ_ONCE(fault_catcher);

	if (uaccess_fault(tf))
		return;
	if (oops_depth++ > 0) {
		printk_panic_mode();
		printk(KERN_EMERG "fault while reporting a fault (vector %lu at %016lx)\n",
		       tf->vector, tf->rip);
		arch_halt_forever();
	}
	trap_report(tf);
	if (jb) {
		printk(KERN_EMERG "(expected fault caught by test; continuing)\n");
		if (fault_catch_info)
			*fault_catch_info = (struct fault_info){
				.vector = (unsigned)tf->vector, .error_code = tf->error_code,
				.addr = read_cr2(), .ip = tf->rip,
			};
		fault_catcher = NULL;
		oops_depth = 0;
		arch_longjmp(jb, (int)tf->vector + 1);
	}
	panic("Fatal exception");
}

/*
 * An exception in user mode that the kernel does not resolve ends the task
 * with a one-line report and the status a signal death would give (signal
 * delivery proper comes with the signals issue).
 */
static void user_fault(struct trap_frame *tf)
{
	struct task *self = current_task();
	uint64_t cr2 = read_cr2();

	self->arch.user_regs = tf;
	/* Demand paging and copy-on-write. */
	if (tf->vector == X86_TRAP_PF && cr2 < USER_SPACE_END &&
	    !(tf->error_code & X86_PF_RSVD) &&
	    handle_user_fault(current_mm(), cr2, x86_pf_fault_flags(tf->error_code)) == 0)
		return;

	const char *what = exception_names[tf->vector] ? exception_names[tf->vector] : "exception";
	/* SIGSEGV for faults on memory, SIGFPE for arithmetic, SIGILL, SIGTRAP. */
	int sig = tf->vector == X86_TRAP_DE || tf->vector == X86_TRAP_XM ? 8 :
		  tf->vector == X86_TRAP_UD ? 4 :
		  tf->vector == X86_TRAP_BP || tf->vector == X86_TRAP_DB ? 5 : 11;

	printk(KERN_ERR "%s[%d]: %s ip %016lx sp %016lx error %lx addr %016lx: killed (signal %d)\n",
	       self->name, self->tid, what, tf->rip, tf->rsp, tf->error_code,
	       tf->vector == X86_TRAP_PF ? cr2 : 0, sig);
	if (self->proc)
		proc_exit(W_EXITCODE(0, sig));
	task_exit();
}

static void nmi(struct trap_frame *tf)
{
	if (panic_in_progress())
		arch_halt_forever();
	printk(KERN_WARNING "NMI received on CPU %u at %016lx\n", arch_cpu_id(), tf->rip);
}

void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector == X86_TRAP_NMI) {
		nmi(tf);
		return;
	}
	if (tf->cs & 3)
		cputime_kernel_entry();
	if (tf->vector < 32) {
		if (tf->cs & 3) {
			user_fault(tf);
			cputime_kernel_exit();
		} else {
			kernel_fault(tf);
		}
		return;
	}
	if (tf->vector == VECTOR_SPURIOUS)
		return;
	lockdep_irq_enter();
	if (!irq_handle(tf))
		printk(KERN_WARNING "irq: unexpected interrupt vector %lu\n", tf->vector);
	lockdep_irq_exit();
	lapic_eoi();
	/* Preemption happens on the way back to user mode (the kernel itself
	 * is not preempted). */
	if (tf->cs & 3) {
		current_task()->arch.user_regs = tf;
		user_return_work(tf);
		cputime_kernel_exit();
	}
}
