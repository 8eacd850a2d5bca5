/*
 * Signal frames on x86-64, laid out exactly as Linux's (what musl's and
 * glibc's handlers, unwinders and debuggers read), and rt_sigreturn, which
 * trusts nothing it reads back. Which signal, when, and with what mask is
 * decided in kernel/signal/; this file only knows the machine.
 *
 * The user stack when a handler starts, from high addresses to low:
 *   the interrupted rsp, then 128 bytes of red zone skipped (or the top
 *   of the alternate stack)
 *   the FPU state: the XSAVE image + FP_XSTATE_MAGIC2 (FXSAVE without
 *   XSAVE), 64-byte aligned; sigcontext.fpstate points at it
 *   struct rt_sigframe: the return address (sa_restorer), the ucontext,
 *   the siginfo; rsp points at the return address and rsp + 8 is 16-byte
 *   aligned, as at any function's entry
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/signal.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/task.h>
#include <asm/fpu.h>
#include <asm/trap.h>
#include <mm/uaccess.h>

#define REDZONE 128
#define NR_restart_syscall 219
#define SYSCALL_INSN_LEN 2

/* struct sigcontext (asm/sigcontext.h, 64-bit): the registers in Linux's
 * order, which is also musl's REG_R8... REG_CR2 gregset order. */
struct sigcontext64 {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;               /* user address of the FXSAVE/XSAVE image, or 0 */
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct sigcontext64) == 256, "struct sigcontext");
_Static_assert(offsetof(struct sigcontext64, rip) == 16 * 8, "REG_RIP");
_Static_assert(offsetof(struct sigcontext64, eflags) == 17 * 8, "REG_EFL");
_Static_assert(offsetof(struct sigcontext64, cs) == 18 * 8, "REG_CSGSFS");
_Static_assert(offsetof(struct sigcontext64, err) == 19 * 8, "REG_ERR");
_Static_assert(offsetof(struct sigcontext64, cr2) == 22 * 8, "REG_CR2");
_Static_assert(offsetof(struct sigcontext64, fpstate) == 23 * 8, "fpregs pointer");

/* struct ucontext (asm-generic/ucontext.h, as x86-64 uses it). */
struct ucontext64 {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct user_stack uc_stack;
	struct sigcontext64 uc_mcontext;
	uint64_t uc_sigmask;
};
_Static_assert(offsetof(struct ucontext64, uc_stack) == 16, "uc_stack");
_Static_assert(offsetof(struct ucontext64, uc_mcontext) == 40, "uc_mcontext");
_Static_assert(offsetof(struct ucontext64, uc_sigmask) == 296, "uc_sigmask");
_Static_assert(sizeof(struct ucontext64) == 304, "struct ucontext");

/* uc_flags (asm/ucontext.h) */
#define UC_FP_XSTATE         0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

struct rt_sigframe {
	uint64_t pretcode;              /* where the handler returns: sa_restorer */
	struct ucontext64 uc;
	struct siginfo info;
};
_Static_assert(offsetof(struct rt_sigframe, uc) == 8, "rt_sigframe.uc");
_Static_assert(offsetof(struct rt_sigframe, info) == 312, "rt_sigframe.info");
_Static_assert(sizeof(struct rt_sigframe) == 440, "struct rt_sigframe");

/* struct _fpx_sw_bytes (asm/sigcontext.h): in the FXSAVE image's
 * software-reserved bytes 464..511, it says an XSAVE image follows. */
struct fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;         /* the image + FP_XSTATE_MAGIC2 */
	uint64_t xfeatures;
	uint32_t xstate_size;           /* the image, without magic2 */
	uint32_t padding[7];
};
_Static_assert(sizeof(struct fpx_sw_bytes) == 48, "struct _fpx_sw_bytes");
#define FP_SW_BYTES_OFFSET 464
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define FXSAVE_SIZE      512
#define XSAVE_MIN_SIZE   (512 + 64)     /* legacy area + XSAVE header */
#define XFEATURES_FPSSE  3ull

/* RFLAGS */
#define X86_EFLAGS_CF 0x00000001
#define X86_EFLAGS_PF 0x00000004
#define X86_EFLAGS_AF 0x00000010
#define X86_EFLAGS_ZF 0x00000040
#define X86_EFLAGS_SF 0x00000080
#define X86_EFLAGS_TF 0x00000100
#define X86_EFLAGS_DF 0x00000400
#define X86_EFLAGS_OF 0x00000800
#define X86_EFLAGS_RF 0x00010000
#define X86_EFLAGS_AC 0x00040000
/* What rt_sigreturn may change: the arithmetic flags, DF, TF, RF and AC;
 * never IF, IOPL, NT, VM. */
#define FIX_EFLAGS (X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF | X86_EFLAGS_TF | \
		    X86_EFLAGS_SF | X86_EFLAGS_ZF | X86_EFLAGS_AF | X86_EFLAGS_PF | \
		    X86_EFLAGS_CF | X86_EFLAGS_RF)

long arch_syscall_nr(const struct trap_frame *tf)
{
	return tf->vector == (uint64_t)-1 ? (long)tf->error_code : -1;
}

long arch_syscall_result(const struct trap_frame *tf)
{
	return (long)tf->rax;
}

void arch_syscall_set_result(struct trap_frame *tf, long value)
{
	tf->rax = (uint64_t)value;
}

void arch_syscall_rewind(struct trap_frame *tf, bool restart_block)
{
	tf->rax = restart_block ? NR_restart_syscall : tf->error_code;
	tf->rip -= SYSCALL_INSN_LEN;
}

uint64_t arch_user_sp(const struct trap_frame *tf)
{
	return tf->rsp;
}

static bool canonical(uint64_t a)
{
	return (int64_t)a >> 47 == 0 || (int64_t)a >> 47 == -1;
}

bool arch_user_regs_ok(const struct trap_frame *tf)
{
	/* IRETQ to a non-canonical RIP faults in kernel mode. */
	return canonical(tf->rip) && tf->cs == GDT_USER_CS && tf->ss == GDT_USER_DS;
}

/* The FPU image for the frame's fpstate: this thread's registers, with
 * the _fpx_sw_bytes and magic2 that mark an XSAVE image. */
static int save_fpu(struct task *t, uint64_t ufp)
{
	struct fpu_state *st = t->arch.fpu;
	bool xsave = fpu_uses_xsave();

	fpu_save(st);
	if (copy_to_user((void *)ufp, st->area, fpu_state_size))
		return -EFAULT;
	if (!xsave)
		return 0;
	struct fpx_sw_bytes sw = {
		.magic1 = FP_XSTATE_MAGIC1,
		.extended_size = (uint32_t)fpu_state_size + 4,
		.xfeatures = fpu_xfeatures(),
		.xstate_size = (uint32_t)fpu_state_size,
	};
	/* x87 and SSE always marked present, so that a handler that edits
	 * the legacy area sees its change restored (as Linux). */
	uint64_t bv = *fpu_xstate_bv(st) | XFEATURES_FPSSE;
	if (copy_to_user((void *)(ufp + FP_SW_BYTES_OFFSET), &sw, sizeof(sw)) ||
	    put_user_u64(bv, (void *)(ufp + FXSAVE_SIZE)) ||
	    put_user_u32(FP_XSTATE_MAGIC2, (void *)(ufp + fpu_state_size)))
		return -EFAULT;
	return 0;
}

static void fill_sigcontext(struct sigcontext64 *sc, const struct trap_frame *tf,
			    const struct task *t, uint64_t mask, uint64_t ufp)
{
	*sc = (struct sigcontext64){
		.r8 = tf->r8, .r9 = tf->r9, .r10 = tf->r10, .r11 = tf->r11,
		.r12 = tf->r12, .r13 = tf->r13, .r14 = tf->r14, .r15 = tf->r15,
		.rdi = tf->rdi, .rsi = tf->rsi, .rbp = tf->rbp, .rbx = tf->rbx,
		.rdx = tf->rdx, .rax = tf->rax, .rcx = tf->rcx, .rsp = tf->rsp,
		.rip = tf->rip, .eflags = tf->rflags,
		.cs = (uint16_t)tf->cs, .ss = (uint16_t)tf->ss,
		.err = t->arch.error_code, .trapno = t->arch.trap_nr,
		.oldmask = mask, .cr2 = t->arch.cr2, .fpstate = ufp,
	};
}

int arch_signal_setup(struct trap_frame *tf, int sig, const struct siginfo *info,
		      const struct k_sigaction *ka, uint64_t old_mask)
{
	struct task *t = current_task();
	size_t fpsize = fpu_state_size + (fpu_uses_xsave() ? 4 : 0);
	bool must_fit;

	/* x86-64 has no default return path (Linux's vDSO one is 32-bit
	 * only): a handler without sa_restorer cannot return. */
	if (!(ka->flags & SA_RESTORER))
		return -EFAULT;
	uint64_t sp = signal_frame_stack(tf->rsp, REDZONE, ka, &must_fit);
	if (sp < fpsize + sizeof(struct rt_sigframe) + 128 || sp > USER_SPACE_END)
		return -EFAULT;
	uint64_t ufp = ALIGN_DOWN(sp - fpsize, 64);
	uint64_t frame = ALIGN_DOWN(ufp - sizeof(struct rt_sigframe), 16) - 8;
	if (must_fit && !signal_frame_fits(frame))
		return -EFAULT;         /* it would overflow the alternate stack */
	if (save_fpu(t, ufp))
		return -EFAULT;

	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS |
			(fpu_uses_xsave() ? UC_FP_XSTATE : 0);
	signal_altstack_save(&f.uc.uc_stack);
	fill_sigcontext(&f.uc.uc_mcontext, tf, t, old_mask, ufp);
	f.uc.uc_sigmask = old_mask;
	f.info = *info;
	if (copy_to_user((void *)frame, &f, sizeof(f)))
		return -EFAULT;

	/* handler(sig, &info, &uc); rax = 0 for variadic callers. */
	tf->rdi = (uint64_t)sig;
	tf->rsi = frame + offsetof(struct rt_sigframe, info);
	tf->rdx = frame + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rip = ka->handler;
	tf->rsp = frame;
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	tf->rflags &= ~(uint64_t)(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF);
	/* The handler starts with a clean FPU (as Linux): default control
	 * words, no pending exceptions. */
	fpu_init_state(t->arch.fpu);
	fpu_restore(t->arch.fpu);
	return 0;
}

/*
 * The FPU registers from the frame's image at ufp (0: none, start clean).
 * An XSAVE image is used when its _fpx_sw_bytes and magic2 say so, else
 * only the 512-byte FXSAVE part, as Linux. 0 or -EFAULT.
 */
static int restore_fpu(struct task *t, uint64_t ufp)
{
	struct fpu_state *st = t->arch.fpu;
	uint64_t features = XFEATURES_FPSSE;
	struct fpx_sw_bytes sw;
	size_t size = FXSAVE_SIZE;
	int err = 0;

	fpu_init_state(st);
	if (!ufp)
		goto out;
	if (copy_from_user(&sw, (const void *)(ufp + FP_SW_BYTES_OFFSET), sizeof(sw))) {
		err = -EFAULT;
		goto out;
	}
	if (fpu_uses_xsave() && sw.magic1 == FP_XSTATE_MAGIC1 &&
	    sw.xstate_size >= XSAVE_MIN_SIZE && sw.xstate_size <= fpu_state_size &&
	    sw.xstate_size <= sw.extended_size) {
		uint32_t magic2;
		if (get_user_u32(&magic2, (const void *)(ufp + sw.xstate_size))) {
			err = -EFAULT;
			goto out;
		}
		if (magic2 == FP_XSTATE_MAGIC2) {
			size = sw.xstate_size;
			features = sw.xfeatures;
		}
	}
	if (copy_from_user(st->area, (const void *)ufp, size)) {
		fpu_init_state(st);
		err = -EFAULT;
		goto out;
	}
	/* A legacy image keeps fpu_init_state's XSAVE header (x87 and SSE
	 * present, the rest initial). */
	fpu_sanitize(st, features);
out:
	fpu_restore(st);
	return err;
}

static void restore_regs(struct trap_frame *tf, const struct sigcontext64 *sc)
{
	tf->r8 = sc->r8; tf->r9 = sc->r9; tf->r10 = sc->r10; tf->r11 = sc->r11;
	tf->r12 = sc->r12; tf->r13 = sc->r13; tf->r14 = sc->r14; tf->r15 = sc->r15;
	tf->rdi = sc->rdi; tf->rsi = sc->rsi; tf->rbp = sc->rbp; tf->rbx = sc->rbx;
	tf->rdx = sc->rdx; tf->rax = sc->rax; tf->rcx = sc->rcx; tf->rsp = sc->rsp;
	tf->rip = sc->rip;
	tf->rflags = (tf->rflags & ~(uint64_t)FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	/* Only the 64-bit user selectors: whatever the frame says, never a
	 * kernel or 32-bit segment (IRETQ would fault on a bad one). */
	tf->cs = GDT_USER_CS;
	tf->ss = GDT_USER_DS;
	tf->error_code = (uint64_t)-1;  /* not a system call to restart */
}

/* rt_sigreturn(2): back to the context the handler interrupted, from the
 * frame at rsp - 8 (the handler's ret popped the return address). */
long sys_rt_sigreturn(void)
{
	struct task *t = current_task();
	struct trap_frame *tf = t->arch.user_regs;
	uint64_t frame = tf->rsp - 8;
	struct rt_sigframe f;

	t->restart.fn = NULL;           /* restart_syscall now fails with EINTR */
	if (copy_from_user(&f, (const void *)frame, sizeof(f)))
		goto bad_frame;
	signal_set_blocked(f.uc.uc_sigmask);
	restore_regs(tf, &f.uc.uc_mcontext);
	if (restore_fpu(t, f.uc.uc_mcontext.fpstate))
		goto bad_frame;
	signal_altstack_restore(&f.uc.uc_stack, tf->rsp);
	return (long)tf->rax;

bad_frame:
	printk(KERN_INFO "%s[%d]: bad frame in rt_sigreturn frame:%016lx ip:%016lx sp:%016lx\n",
	       t->name, t->tid, frame, tf->rip, tf->rsp);
	signal_force_fault(SIGSEGV, SI_KERNEL, 0);
	return 0;
}
