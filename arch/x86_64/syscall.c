/* SYSCALL/SYSRET set-up and the C side of the system-call entry. */
#include <kernel/arch.h>
#include <kernel/syscall.h>
#include <asm/cpu.h>
#include <asm/trap.h>
#include <asm/syscall.h>
#include <kernel/task.h>
#include <kernel/signal.h>

void syscall_entry(void);
void syscall_handler(struct trap_frame *tf);

/* RFLAGS bits cleared on entry: TF, IF, DF, IOPL, NT, AC (as Linux). */
#define SYSCALL_RFLAGS_MASK 0x47700

void syscall_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)GDT_USER32_CS << 48) | ((uint64_t)GDT_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_MASK);
}

void syscall_handler(struct trap_frame *tf)
{
	cputime_kernel_entry();
	current_task()->arch.user_regs = tf;
	arch_irq_enable();
	tf->rax = (uint64_t)syscall_dispatch(tf->rax, tf->rdi, tf->rsi, tf->rdx,
					     tf->r10, tf->r8, tf->r9);
	user_return_work(tf);
	arch_irq_disable();
	cputime_kernel_exit();
}
