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
#include <kernel/signal.h>
#include <kernel/errno.h>
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
 * mm: a kernel #PF in a user-access routine (only those instructions have
 * exception-table entries). Demand paging and copy-on-write first, in the
 * mm whose tables this CPU has loaded, unless the entry says no faults may
 * be served there; if that cannot fix it, resume at the fixup, which
 * returns -EFAULT. Other kernel faults on user addresses are bugs and oops
 * below.
 */
static bool uaccess_fault(struct trap_frame *tf)
{
	const struct extable_entry *e = extable_find(tf->rip);
	uint64_t addr = read_cr2();

	if (tf->vector != X86_TRAP_PF || !e)
		return false;
	if (e->type != EX_UACCESS_NOFAULT && addr < USER_SPACE_END &&
	    !(tf->error_code & X86_PF_RSVD)) {
		/* As interrupted: serving it may sleep (a file's page). */
		if (tf->rflags & RFLAGS_IF)
			arch_irq_enable();
		if (handle_user_fault(mm_current(), addr, x86_pf_fault_flags(tf->error_code)) == 0)
			return true;
	}
	tf->rip = e->fixup;
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

/* Which floating-point exception fired, from the x87 or SSE status:
 * unmasked exception flags, in Linux's order of precedence. */
static int fpe_code(uint64_t vector)
{
	uint32_t err;

	if (vector == X86_TRAP_XM) {
		uint32_t mxcsr;
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		err = ~(mxcsr >> 7) & mxcsr;
	} else {
		uint16_t cw, sw;
		__asm__ volatile("fnstcw %0; fnstsw %1" : "=m"(cw), "=m"(sw));
		err = sw & ~cw;
	}
	if (err & 0x01)
		return FPE_FLTINV;
	if (err & 0x04)
		return FPE_FLTDIV;
	if (err & 0x08)
		return FPE_FLTOVF;
	if (err & 0x12)
		return FPE_FLTUND;
	if (err & 0x20)
		return FPE_FLTRES;
	return 0;               /* spurious: nothing to report */
}

struct fault_signal {
	int sig, code;
	uint64_t addr;
};

/* The signal Linux sends for an exception in user mode. pf_err: what
 * handle_user_fault said about a page fault. */
static struct fault_signal fault_signal(const struct trap_frame *tf, uint64_t cr2, int pf_err)
{
	switch (tf->vector) {
	case X86_TRAP_DE:
		return (struct fault_signal){ SIGFPE, FPE_INTDIV, tf->rip };
	case X86_TRAP_DB:
		return (struct fault_signal){ SIGTRAP,
					      (tf->rflags & 0x100) ? TRAP_TRACE : TRAP_BRKPT, tf->rip };
	case X86_TRAP_BP:
		return (struct fault_signal){ SIGTRAP, SI_KERNEL, 0 };
	case X86_TRAP_UD:
		return (struct fault_signal){ SIGILL, ILL_ILLOPN, tf->rip };
	case X86_TRAP_MF:
	case X86_TRAP_XM:
		return (struct fault_signal){ SIGFPE, fpe_code(tf->vector), tf->rip };
	case 9:
		return (struct fault_signal){ SIGFPE, SI_KERNEL, 0 };
	case X86_TRAP_NP:
	case X86_TRAP_SS:
	case X86_TRAP_MC:
		return (struct fault_signal){ SIGBUS, SI_KERNEL, 0 };
	case X86_TRAP_AC:
		return (struct fault_signal){ SIGBUS, BUS_ADRALN, 0 };
	case X86_TRAP_PF:
		if (pf_err == -ENOMEM)  /* out of memory: the OOM killer's SIGKILL */
			return (struct fault_signal){ SIGKILL, SI_KERNEL, 0 };
		if (pf_err == -EIO)     /* a file mapping past the file's end */
			return (struct fault_signal){ SIGBUS, BUS_ADRERR, cr2 };
		return (struct fault_signal){ SIGSEGV,
					      pf_err == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, cr2 };
	default:                /* #GP, #OF, #BR, #TS...: SIGSEGV without an address */
		return (struct fault_signal){ SIGSEGV, SI_KERNEL, 0 };
	}
}

/*
 * An exception in user mode: demand paging and copy-on-write resolve most
 * page faults; anything else becomes the signal Linux sends for it,
 * forced (a handler may catch it; blocked or ignored, it kills). A fault
 * nobody catches gets a one-line report, as Linux's "segfault at".
 */
static void user_fault(struct trap_frame *tf)
{
	struct task *self = current_task();
	uint64_t cr2 = read_cr2();
	int pf_err = -EFAULT;

	self->arch.user_regs = tf;
	if (tf->vector == X86_TRAP_PF && cr2 < USER_SPACE_END &&
	    !(tf->error_code & X86_PF_RSVD)) {
		/* User mode ran with interrupts on: a file's page may have to
		 * be read in, which sleeps. */
		arch_irq_enable();
		pf_err = handle_user_fault(current_mm(), cr2, x86_pf_fault_flags(tf->error_code));
		if (pf_err == 0)
			return;
	}
	if (!self->proc)
		task_exit();    /* a kernel task never runs user code */

	struct fault_signal fs = fault_signal(tf, cr2, pf_err);
	if (!fs.code && fs.sig == SIGFPE)
		return;
	self->arch.trap_nr = tf->vector;
	self->arch.error_code = tf->error_code;
	self->arch.cr2 = tf->vector == X86_TRAP_PF ? cr2 : 0;
	if (!signal_is_caught(fs.sig)) {
		const char *what = exception_names[tf->vector] ? exception_names[tf->vector]
							       : "exception";
		printk(KERN_INFO "%s[%d]: %s ip %016lx sp %016lx error %lx addr %016lx (signal %d)\n",
		       self->name, self->tid, what, tf->rip, tf->rsp, tf->error_code,
		       tf->vector == X86_TRAP_PF ? cr2 : 0, fs.sig);
	}
	signal_force_fault(fs.sig, fs.code, fs.addr);
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
	if (tf->vector == VECTOR_SPURIOUS)
		return;
	if (tf->cs & 3)
		cputime_kernel_entry();
	if (tf->vector < 32) {
		if (!(tf->cs & 3)) {
			kernel_fault(tf);
			return;
		}
		user_fault(tf);
		user_return_work(tf);
		cputime_kernel_exit();
		return;
	}
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
