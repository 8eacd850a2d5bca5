/*
 * The seam between generic kernel code and the machine. Generic code calls
 * only these arch_* hooks; arch/x86_64/ implements them.
 */
#pragma once

#include <kernel/types.h>

struct boot_info;

/* Interrupt state of the current CPU. */
void arch_irq_enable(void);
void arch_irq_disable(void);
unsigned long arch_irq_save(void);              /* disable, return old state */
void arch_irq_restore(unsigned long flags);
bool arch_irqs_enabled(void);

/* Halt until the next interrupt; halt forever with interrupts off. */
void arch_wait_for_interrupt(void);
__noreturn void arch_halt_forever(void);
/* Interrupt CPU cpu so it reschedules (VECTOR_IPI_RESCHED on x86). */
void arch_send_reschedule(unsigned cpu);
uint64_t arch_ipi_count(unsigned cpu);          /* reschedule IPIs taken */
uint64_t arch_tlb_shootdowns_received(unsigned cpu);
/* Start the other CPUs; each enters sched_idle_loop(). */
void arch_smp_boot(void);
/* Stop every other CPU (NMI broadcast once SMP is up). */
void arch_halt_other_cpus(void);

/* arch_cpu_id() and arch_current() (NULL before the scheduler runs) are
 * inline in <asm/current.h>: every system call asks for them. */
#include <asm/current.h>
uint64_t arch_entropy(void);
uint64_t arch_hwcap(void);                      /* AT_HWCAP */
int64_t arch_rtc_read_epoch(void);              /* wall clock, seconds since 1970 */
struct task;
void arch_set_current(struct task *t, uint64_t kernel_stack_top);
unsigned arch_cpu_count(void);                 /* CPUs the firmware lists */
uint64_t arch_tsc_khz(void);                    /* cycle counter rate, 0 if unknown */
void arch_cpu_relax(void);                     /* in spin-wait loops */

/* Boot phases, called by kmain in this order. */
void arch_early_init(void);                     /* CPU features, GDT, IDT */
void arch_init(const struct boot_info *bi);     /* after mm: TSS/IST, ACPI, APIC, timers, PCI */

/* Tasks: save this task's callee-saved registers and stack pointer into
 * *prev_rsp, continue on next_rsp. A new task's stack is prepared by
 * arch_task_init_stack so that switching to it calls fn(arg). */
void arch_context_switch(uint64_t *prev_rsp, uint64_t next_rsp);
uint64_t arch_task_init_stack(void *stack_top, void (*fn)(void *), void *arg);

/* Per-thread machine state (asm/thread.h: struct arch_thread). */
struct arch_thread;
void arch_switch_thread(struct arch_thread *prev, struct arch_thread *next);
int arch_thread_init_user(struct arch_thread *th);     /* fresh FPU state */
int arch_thread_copy(struct arch_thread *dst, const struct arch_thread *src);
void arch_thread_free(struct arch_thread *th);
int arch_set_tls(struct arch_thread *th, int code, uint64_t addr);
int arch_set_tls_of(struct arch_thread *th, uint64_t tls);  /* not the running thread */
uint64_t arch_get_tls(const struct arch_thread *th, int code);

/* User register frames (asm/trap.h: struct trap_frame). */
struct trap_frame;
/* Prepare a fork child's kernel stack to return to user mode with the
 * parent's registers and 0 as the syscall result; returns its saved rsp. */
uint64_t arch_fork_stack(void *kstack_top, const struct trap_frame *parent);
void arch_fork_set_sp(void *kstack_top, uint64_t sp);  /* clone() with a new stack */
/* A new user task's kernel stack: an empty user frame on top (returned in
 * *frame), and fn(arg) to run first. Returns its saved rsp. */
uint64_t arch_user_task_stack(void *kstack_top, void (*fn)(void *), void *arg,
			      struct trap_frame **frame);
/* Leave for user mode through frame (on this task's kernel stack). */
__noreturn void arch_return_to_user(struct trap_frame *frame);
/* Make the frame return to rip with stack rsp and all else cleared (exec). */
void arch_user_regs_reset(struct trap_frame *tf, uint64_t rip, uint64_t rsp);

/*
 * Signals (arch/x86_64/signal.c). A user frame that entered by a system
 * call remembers the call's number, so a call a signal interrupted can
 * be run again.
 */
struct siginfo;
struct k_sigaction;
/* The call the frame entered with, or -1 (an interrupt or exception, or
 * a frame rt_sigreturn restored: nothing to restart). */
long arch_syscall_nr(const struct trap_frame *tf);
long arch_syscall_result(const struct trap_frame *tf);
void arch_syscall_set_result(struct trap_frame *tf, long value);
/* Return to the system call instruction, to make the same call again, or
 * restart_syscall(2) if restart_block. */
void arch_syscall_rewind(struct trap_frame *tf, bool restart_block);
uint64_t arch_user_sp(const struct trap_frame *tf);
/* Can the CPU return to user mode with these registers (rt_sigreturn
 * took them from user memory)? */
bool arch_user_regs_ok(const struct trap_frame *tf);
/* Build a handler's frame on the user stack (siginfo, ucontext with the
 * registers, FPU state and old_mask) and point the registers at
 * ka->handler. 0, or -EFAULT if the frame cannot be written. */
int arch_signal_setup(struct trap_frame *tf, int sig, const struct siginfo *info,
		      const struct k_sigaction *ka, uint64_t old_mask);

/* Leave for user mode at rip with stack rsp (never returns). */
__noreturn void arch_enter_user(uint64_t rip, uint64_t rsp);

/* Run fn on a fresh stack (never returns). */
__noreturn void arch_switch_stack(void *stack_top, void (*fn)(void));

/* Diagnostics: walk frame pointers from the caller and print "symbol+off". */
void arch_dump_stack(void);
/* The same walk into pcs (call sites, innermost first, the caller's own
 * call site first); returns how many. */
unsigned arch_stack_trace(uintptr_t *pcs, unsigned max);

/* Run fn; if it takes an exception in kernel mode, the fault is reported as
 * an oops (full register dump and backtrace) but not fatal: returns the
 * exception vector and fills info. Returns -1 if fn returned normally.
 * For tests of the fault-reporting path. */
struct fault_info {
	unsigned vector;
	uint64_t error_code, addr, ip;
};
int arch_run_catching_faults(void (*fn)(void), struct fault_info *info);

/* The vDSO (arch/x86_64/vdso.c): set up once the clock is calibrated;
 * vdso_map() maps it into a new image and returns the address for
 * AT_SYSINFO_EHDR (0: none); vdso_update_clock() republishes the wall-clock
 * offset and time zone after they change. */
struct mm;
void vdso_init(void);
uintptr_t vdso_map(struct mm *mm);
void vdso_update_clock(int64_t realtime_offset_ns, int32_t tz_minuteswest, int32_t tz_dsttime);

/* Power. */
__noreturn void arch_poweroff(void);
__noreturn void arch_reboot(void);
