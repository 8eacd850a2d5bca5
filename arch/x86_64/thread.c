/* Switching, creating and freeing the per-thread machine state. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/thread.h>
#include <asm/trap.h>
#include <kernel/cputime.h>

/* Kernel threads use no FPU and keep FS/GS at 0; user threads load theirs.
 * The FPU is switched eagerly: simple, and XSAVEOPT-class instructions
 * make it cheap (lazy switching also leaked state across tasks on CPUs
 * with speculative bugs). */
void arch_switch_thread(struct arch_thread *prev, struct arch_thread *next)
{
	if (prev->fpu)
		fpu_save(prev->fpu);
	if (next->fpu)
		fpu_restore(next->fpu);
	if (prev->fs_base != next->fs_base)
		wrmsr(MSR_FS_BASE, next->fs_base);
	if (prev->gs_base != next->gs_base)
		wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
}

int arch_thread_init_user(struct arch_thread *th)
{
	th->fpu = kmalloc(fpu_state_size);
	if (!th->fpu)
		return -ENOMEM;
	fpu_init_state(th->fpu);
	th->fs_base = th->gs_base = 0;
	return 0;
}

int arch_thread_copy(struct arch_thread *dst, const struct arch_thread *src)
{
	*dst = *src;
	dst->user_regs = NULL;
	if (!src->fpu)
		return 0;
	/* Zeroed: XSAVE leaves most of the XSAVE header alone, and XRSTOR
	 * faults unless its reserved bytes are zero. */
	dst->fpu = kzalloc(fpu_state_size);
	if (!dst->fpu)
		return -ENOMEM;
	/* The parent's live registers are newer than its saved area. */
	fpu_save(dst->fpu);
	return 0;
}

void arch_thread_free(struct arch_thread *th)
{
	kfree(th->fpu);
	th->fpu = NULL;
}

int arch_set_tls(struct arch_thread *th, int code, uint64_t addr)
{
	/* arch_prctl codes (asm/prctl.h). */
	enum { ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004 };

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= 0x0000800000000000ull)
			return -EPERM;  /* non-canonical or kernel: Linux says EPERM */
		if (code == ARCH_SET_FS) {
			th->fs_base = addr;
			wrmsr(MSR_FS_BASE, addr);
		} else {
			th->gs_base = addr;
			wrmsr(MSR_KERNEL_GS_BASE, addr);
		}
		return 0;
	default:
		return -EINVAL;
	}
}


static void fork_child_start(void *frame)
{
	arch_irq_disable();
	cputime_kernel_exit();
	arch_return_to_user(frame);
}

/*
 * A fork child's kernel stack: a copy of the parent's user frame at the top
 * (with the syscall's result, rax, set to 0 for the child), below it the
 * switch frame that starts the child in fork_child_start.
 */
uint64_t arch_fork_stack(void *kstack_top, const struct trap_frame *parent)
{
	struct trap_frame *tf = (struct trap_frame *)kstack_top - 1;

	*tf = *parent;
	tf->rax = 0;
	return arch_task_init_stack(tf, fork_child_start, tf);
}

/* Point a (new) user thread's first return at rip/rsp with clean registers. */
void arch_user_regs_reset(struct trap_frame *tf, uint64_t rip, uint64_t rsp)
{
	uint64_t cs = tf->cs, ss = tf->ss;

	memset(tf, 0, sizeof(*tf));
	tf->rip = rip;
	tf->rsp = rsp;
	tf->cs = cs;
	tf->ss = ss;
	tf->rflags = 0x202;             /* IF */
	tf->vector = (uint64_t)-1;
	tf->error_code = (uint64_t)-1;  /* nothing to restart */
}

/* Set a not-yet-running thread's TLS base (clone with CLONE_SETTLS). */
int arch_set_tls_of(struct arch_thread *th, uint64_t tls)
{
	if (tls >= 0x0000800000000000ull)
		return -EPERM;
	th->fs_base = tls;
	return 0;
}

/* A fork child given its own stack (clone's newsp). */
void arch_fork_set_sp(void *kstack_top, uint64_t sp)
{
	((struct trap_frame *)kstack_top - 1)->rsp = sp;
}

/*
 * A user task's first kernel stack: an empty user-mode trap frame at the
 * top (where every later entry from user mode puts its frame too), and
 * below it the switch frame that starts fn(arg). Returns the saved rsp.
 */
uint64_t arch_user_task_stack(void *kstack_top, void (*fn)(void *), void *arg,
			      struct trap_frame **frame)
{
	struct trap_frame *tf = (struct trap_frame *)kstack_top - 1;

	memset(tf, 0, sizeof(*tf));
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	tf->rflags = 0x202;
	*frame = tf;
	return arch_task_init_stack(tf, fn, arg);
}

uint64_t arch_get_tls(const struct arch_thread *th, int code)
{
	return code == 0x1003 /* ARCH_GET_FS */ ? th->fs_base : th->gs_base;
}
