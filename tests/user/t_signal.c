/* Signals: handlers and their frame (registers, SSE state, stack
 * alignment, siginfo, ucontext), masks, SA_* flags, restarts and EINTR,
 * sigaltstack, sigsuspend, sigtimedwait, real-time queues, faults caught
 * with siglongjmp, and rt_sigreturn with hostile frames. Sending rules and
 * default actions are in t_signal_send.c. */
#include "sigtest.h"
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <ucontext.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
/* ---- every register around a handler ----------------------------------
 * clobber_handler (assembly) records what it was entered with, then
 * destroys every general register, every XMM register, MXCSR and DF before
 * returning through the restorer: rt_sigreturn must bring all of it back.
 * probe_sync raises the signal with a system call (the syscall exit path);
 * probe_async spins until a signal interrupts it (the interrupt path). */

/* What the probes store: 15 GPRs, MXCSR, RFLAGS, 16 XMM registers. */
enum { R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP, R_R8, R_R9, R_R10, R_R11, R_R12,
       R_R13, R_R14, R_R15, R_MXCSR, R_RFLAGS, R_XMM0, R_END = R_XMM0 + 32 };

__attribute__((used)) static volatile uint64_t h_count, h_entry_rsp, h_sig, h_info, h_uc,
	h_rax, h_mxcsr_entry, spin_budget;
__attribute__((used)) static volatile uint32_t h_mxcsr_clobber = 0x7f80;

void clobber_handler(int sig);
void probe_sync(uint64_t *out, long pid, long sig);
void probe_async(uint64_t *out);

#define LOAD_XMM(k) "movabs $0xa5a5a5a50000000" #k ", %rax\n movq %rax, %xmm" #k "\n" \
		    "punpcklqdq %xmm" #k ", %xmm" #k "\n"
#define LOAD_XMM_HI(k, h) "movabs $0xa5a5a5a5000000" #h ", %rax\n movq %rax, %xmm" #k "\n" \
			  "punpcklqdq %xmm" #k ", %xmm" #k "\n"
#define LOAD_ALL_XMM LOAD_XMM(0) LOAD_XMM(1) LOAD_XMM(2) LOAD_XMM(3) LOAD_XMM(4) \
	LOAD_XMM(5) LOAD_XMM(6) LOAD_XMM(7) LOAD_XMM(8) LOAD_XMM(9) LOAD_XMM_HI(10, 0a) \
	LOAD_XMM_HI(11, 0b) LOAD_XMM_HI(12, 0c) LOAD_XMM_HI(13, 0d) LOAD_XMM_HI(14, 0e) \
	LOAD_XMM_HI(15, 0f)
#define STORE_XMM(k) "movdqu %xmm" #k ", " #k "*16+17*8(%rax)\n"
#define STORE_ALL_XMM STORE_XMM(0) STORE_XMM(1) STORE_XMM(2) STORE_XMM(3) STORE_XMM(4) \
	STORE_XMM(5) STORE_XMM(6) STORE_XMM(7) STORE_XMM(8) STORE_XMM(9) STORE_XMM(10) \
	STORE_XMM(11) STORE_XMM(12) STORE_XMM(13) STORE_XMM(14) STORE_XMM(15)
#define SAVE_CALLEE "push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
#define RESTORE_CALLEE "pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
/* After the probe: [rsp] = saved rax, [rsp+8] = saved MXCSR, [rsp+16] = out. */
#define STORE_GPRS                                                              \
	"mov 16(%rsp), %rax\n"                                                  \
	"mov %rbx, 8(%rax)\n mov %rcx, 16(%rax)\n mov %rdx, 24(%rax)\n"         \
	"mov %rsi, 32(%rax)\n mov %rdi, 40(%rax)\n mov %rbp, 48(%rax)\n"        \
	"mov %r8, 56(%rax)\n mov %r9, 64(%rax)\n mov %r10, 72(%rax)\n"          \
	"mov %r11, 80(%rax)\n mov %r12, 88(%rax)\n mov %r13, 96(%rax)\n"        \
	"mov %r14, 104(%rax)\n mov %r15, 112(%rax)\n"                           \
	"pop %rcx\n mov %rcx, 0(%rax)\n"                                        \
	"stmxcsr 120(%rax)\n"                                                   \
	"pushfq\n pop %rcx\n mov %rcx, 128(%rax)\n"                             \
	STORE_ALL_XMM                                                           \
	"ldmxcsr (%rsp)\n add $16, %rsp\n" RESTORE_CALLEE "ret\n"
#define LOAD_GPRS                                                               \
	"movabs $0x1122334455667701, %rbx\n movabs $0x1122334455667703, %rdx\n" \
	"movabs $0x1122334455667706, %rbp\n movabs $0x1122334455667707, %r8\n"  \
	"movabs $0x1122334455667708, %r9\n movabs $0x1122334455667709, %r10\n"  \
	"movabs $0x112233445566770b, %r12\n movabs $0x112233445566770c, %r13\n" \
	"movabs $0x112233445566770d, %r14\n movabs $0x112233445566770e, %r15\n"
/* Prologue: callee-saved, out pointer, caller's MXCSR, then MXCSR with
 * round-down (not the default) so that its restoration shows. */
#define PROLOGUE SAVE_CALLEE "push %rdi\n sub $8, %rsp\n stmxcsr (%rsp)\n" \
	"push $0x3f80\n ldmxcsr (%rsp)\n add $8, %rsp\n"

__asm__(".text\n"
	".globl clobber_handler\n .hidden clobber_handler\n .type clobber_handler,@function\n"
	"clobber_handler:\n"
	"mov %rsp, h_entry_rsp(%rip)\n mov %rdi, h_sig(%rip)\n mov %rsi, h_info(%rip)\n"
	"mov %rdx, h_uc(%rip)\n mov %rax, h_rax(%rip)\n stmxcsr h_mxcsr_entry(%rip)\n"
	"incq h_count(%rip)\n"
	"movabs $0xdeadbeefdeadbeef, %rax\n"
	"mov %rax, %rbx\n mov %rax, %rcx\n mov %rax, %rdx\n mov %rax, %rsi\n mov %rax, %rdi\n"
	"mov %rax, %rbp\n mov %rax, %r8\n mov %rax, %r9\n mov %rax, %r10\n mov %rax, %r11\n"
	"mov %rax, %r12\n mov %rax, %r13\n mov %rax, %r14\n mov %rax, %r15\n"
	"movq %rax, %xmm0\n movq %rax, %xmm1\n movq %rax, %xmm2\n movq %rax, %xmm3\n"
	"movq %rax, %xmm4\n movq %rax, %xmm5\n movq %rax, %xmm6\n movq %rax, %xmm7\n"
	"movq %rax, %xmm8\n movq %rax, %xmm9\n movq %rax, %xmm10\n movq %rax, %xmm11\n"
	"movq %rax, %xmm12\n movq %rax, %xmm13\n movq %rax, %xmm14\n movq %rax, %xmm15\n"
	"ldmxcsr h_mxcsr_clobber(%rip)\n"
	"std\n"
	"ret\n"

	".globl probe_sync\n .hidden probe_sync\n .type probe_sync,@function\n"
	"probe_sync:\n" PROLOGUE
	"mov %rsi, %rdi\n mov %rdx, %rsi\n"
	LOAD_ALL_XMM LOAD_GPRS
	"mov $62, %eax\n syscall\n"                     /* kill(pid, sig) */
	"push %rax\n" STORE_GPRS

	".globl probe_async\n .hidden probe_async\n .type probe_async,@function\n"
	"probe_async:\n" PROLOGUE
	LOAD_ALL_XMM LOAD_GPRS
	"movabs $0x1122334455667700, %rax\n movabs $0x1122334455667702, %rcx\n"
	"movabs $0x1122334455667704, %rsi\n movabs $0x1122334455667705, %rdi\n"
	"movabs $0x112233445566770a, %r11\n"
	"1: cmpq $0, h_count(%rip)\n jne 2f\n decq spin_budget(%rip)\n jnz 1b\n"
	"2: push %rax\n" STORE_GPRS);

static void install_clobber_handler(int sig)
{
	set_handler(sig, clobber_handler, 0);
	h_count = 0;
}

static void expect_frame_entry(int sig)
{
	UT_EXPECT_EQ(h_count, 1);
	UT_EXPECT_EQ(h_sig, sig);
	UT_EXPECT_EQ(h_rax, 0);
	UT_EXPECT_EQ((h_entry_rsp + 8) % 16, 0);        /* as after a call */
	UT_EXPECT_EQ(h_uc - h_entry_rsp, 8);            /* ucontext right after the return address */
	UT_EXPECT_EQ(h_info - h_entry_rsp, 312);        /* then the siginfo */
	UT_EXPECT_EQ(h_mxcsr_entry, 0x1f80);            /* a clean FPU state for the handler */
}

static void expect_regs(const uint64_t *out, bool all)
{
	for (int r = R_RAX; r <= R_R15; r++) {
		if (!all && (r == R_RAX || r == R_RCX || r == R_R11 || r == R_RDI || r == R_RSI))
			continue;       /* the syscall's result, and what SYSCALL itself uses */
		if (out[r] != PATTERN(r))
			UT_FAIL("register %d: %#llx, want %#llx", r, (unsigned long long)out[r],
				(unsigned long long)PATTERN(r));
	}
	UT_EXPECT_EQ(out[R_MXCSR], 0x3f80);
	UT_EXPECT_EQ(out[R_RFLAGS] & 0x400, 0);         /* DF */
	for (int k = 0; k < 16; k++)
		if (out[R_XMM0 + 2 * k] != XPATTERN(k) || out[R_XMM0 + 2 * k + 1] != XPATTERN(k))
			UT_FAIL("xmm%d: %#llx:%#llx", k, (unsigned long long)out[R_XMM0 + 2 * k + 1],
				(unsigned long long)out[R_XMM0 + 2 * k]);
}

UT_CASE(test_registers_survive_handler_sync)
{
	uint64_t out[R_END] = { 0 };

	install_clobber_handler(SIGUSR1);
	probe_sync(out, getpid(), SIGUSR1);
	expect_frame_entry(SIGUSR1);
	expect_regs(out, false);
	UT_EXPECT_EQ(out[R_RAX], 0);                    /* kill's result */
	UT_EXPECT_EQ(out[R_RDI], (uint64_t)getpid());   /* the syscall's arguments stay */
	UT_EXPECT_EQ(out[R_RSI], SIGUSR1);
	reset_handler(SIGUSR1);
}

/* A child signals the parent while it spins in user mode: delivery
 * through an interrupt, and every register back, rcx and r11 included. */
UT_CASE(test_registers_survive_handler_async)
{
	uint64_t out[R_END] = { 0 };
	pid_t parent = getpid();

	install_clobber_handler(SIGUSR2);
	spin_budget = 1ull << 34;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		msleep(20);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	probe_async(out);
	UT_EXPECT(spin_budget != 0);
	expect_frame_entry(SIGUSR2);
	expect_regs(out, true);
	UT_EXPECT_EQ(reap(pid), 0);
	reset_handler(SIGUSR2);
}

/* ---- siginfo and ucontext ----------------------------------------------- */


UT_CASE(test_siginfo_from_kill_tgkill_sigqueue)
{
	set_action(SIGUSR1, record_info, 0);
	got_count = 0;
	UT_EXPECT_EQ(kill(getpid(), SIGUSR1), 0);
	UT_EXPECT_EQ(got_count, 1);
	UT_EXPECT_EQ(got_info.si_signo, SIGUSR1);
	UT_EXPECT_EQ(got_info.si_code, SI_USER);
	UT_EXPECT_EQ(got_info.si_pid, getpid());
	UT_EXPECT_EQ(got_info.si_uid, getuid());

	UT_EXPECT_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1), 0);
	UT_EXPECT_EQ(got_count, 2);
	UT_EXPECT_EQ(got_info.si_code, SI_TKILL);
	UT_EXPECT_EQ(got_info.si_pid, getpid());

	UT_EXPECT_EQ(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 }), 0);
	UT_EXPECT_EQ(got_count, 3);
	UT_EXPECT_EQ(got_info.si_code, SI_QUEUE);
	UT_EXPECT_EQ(got_info.si_value.sival_int, 42);
	UT_EXPECT_EQ(got_info.si_pid, getpid());
	reset_handler(SIGUSR1);
}

/* ---- faults: siginfo, ucontext, recovery with siglongjmp ---------------- */

static sigjmp_buf fault_env;
static volatile struct {
	int sig, code;
	void *addr;
	long trapno, err, cr2, rip;
	bool fp_aligned, fp_magic, mask_usr2;
} fault;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uintptr_t fp = (uintptr_t)uc->uc_mcontext.fpregs;

	fault.sig = sig;
	fault.code = si->si_code;
	fault.addr = si->si_addr;
	fault.trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	fault.err = uc->uc_mcontext.gregs[REG_ERR];
	fault.cr2 = uc->uc_mcontext.gregs[REG_CR2];
	fault.rip = uc->uc_mcontext.gregs[REG_RIP];
	fault.fp_aligned = fp && fp % 64 == 0 && fp > (uintptr_t)uc;
	fault.fp_magic = !(uc->uc_flags & 1) || ((uint32_t *)fp)[464 / 4] == FP_XSTATE_MAGIC1;
	fault.mask_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
	siglongjmp(fault_env, 1);
}

/* Instructions at known addresses. */
void fault_ud2(void);
void fault_div0(void);
void fault_int3(void);
void fault_int3_after(void);
__asm__(".text\n"
	".globl fault_ud2\n .hidden fault_ud2\n fault_ud2: ud2\n ret\n"
	".globl fault_div0\n .hidden fault_div0\n fault_div0: xor %ecx, %ecx\n"
	".globl fault_div0_insn\n .hidden fault_div0_insn\n fault_div0_insn: div %ecx\n ret\n"
	".globl fault_int3\n .hidden fault_int3\n fault_int3: int3\n"
	".globl fault_int3_after\n .hidden fault_int3_after\n fault_int3_after: ret\n");
void fault_div0_insn(void);

static int run_fault(void (*fn)(void))
{
	memset((void *)&fault, 0, sizeof(fault));
	if (sigsetjmp(fault_env, 1) == 0) {
		fn();
		return 0;
	}
	return 1;
}

static char *fault_page;
static void touch_unmapped(void) { *(volatile char *)(fault_page + 4096 + 5) = 1; }
static void write_readonly(void) { *(volatile char *)(fault_page + 17) = 1; }

UT_CASE(test_fault_siginfo_and_siglongjmp)
{
	fault_page = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(fault_page != MAP_FAILED);
	munmap(fault_page + 4096, 4096);
	mprotect(fault_page, 4096, PROT_READ);
	set_action(SIGSEGV, on_fault, 0);
	set_action(SIGILL, on_fault, 0);
	set_action(SIGFPE, on_fault, 0);
	set_action(SIGTRAP, on_fault, 0);

	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	UT_EXPECT_EQ(run_fault(touch_unmapped), 1);
	UT_EXPECT_EQ(fault.sig, SIGSEGV);
	UT_EXPECT_EQ(fault.code, SEGV_MAPERR);
	UT_EXPECT_EQ(fault.addr, fault_page + 4096 + 5);
	UT_EXPECT_EQ(fault.trapno, 14);
	UT_EXPECT_EQ(fault.cr2, (long)(fault_page + 4096 + 5));
	UT_EXPECT((fault.err & 6) == 6);                /* a write, from user mode */
	UT_EXPECT(fault.fp_aligned);
	UT_EXPECT(fault.fp_magic);
	UT_EXPECT(fault.mask_usr2);                     /* uc_sigmask: the interrupted mask */
	sigprocmask(SIG_UNBLOCK, &usr2, NULL);

	/* siglongjmp put the mask back: the same fault is caught again. */
	UT_EXPECT_EQ(run_fault(write_readonly), 1);
	UT_EXPECT_EQ(fault.sig, SIGSEGV);
	UT_EXPECT_EQ(fault.code, SEGV_ACCERR);
	UT_EXPECT_EQ(fault.addr, fault_page + 17);
	UT_EXPECT(!fault.mask_usr2);

	UT_EXPECT_EQ(run_fault(fault_ud2), 1);
	UT_EXPECT_EQ(fault.sig, SIGILL);
	UT_EXPECT_EQ(fault.code, ILL_ILLOPN);
	UT_EXPECT_EQ(fault.addr, (void *)fault_ud2);
	UT_EXPECT_EQ(fault.rip, (long)fault_ud2);
	UT_EXPECT_EQ(fault.trapno, 6);

	UT_EXPECT_EQ(run_fault(fault_div0), 1);
	UT_EXPECT_EQ(fault.sig, SIGFPE);
	UT_EXPECT_EQ(fault.code, FPE_INTDIV);
	UT_EXPECT_EQ(fault.addr, (void *)fault_div0_insn);

	UT_EXPECT_EQ(run_fault(fault_int3), 1);
	UT_EXPECT_EQ(fault.sig, SIGTRAP);
	UT_EXPECT_EQ(fault.code, SI_KERNEL);
	UT_EXPECT_EQ(fault.rip, (long)fault_int3_after);        /* a trap: after the int3 */

	reset_handler(SIGSEGV);
	reset_handler(SIGILL);
	reset_handler(SIGFPE);
	reset_handler(SIGTRAP);
	munmap(fault_page, 4096);
}

/* A fault whose signal is blocked or ignored still kills, with it. */
UT_CASE(test_fault_blocked_or_ignored_kills)
{
	for (int mode = 0; mode < 2; mode++) {
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0) {
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, SIGSEGV);
			if (mode == 0)
				sigprocmask(SIG_BLOCK, &s, NULL);
			else
				signal(SIGSEGV, SIG_IGN);
			volatile int *volatile bad = (int *)8;
			*bad = 1;
			_exit(0);
		}
		int st = reap(pid);
		UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	}
}

/* ---- masks --------------------------------------------------------------- */

static volatile int usr2_count, depth, max_depth, usr2_seen_in_usr1;


UT_CASE(test_blocked_signal_stays_pending)
{
	sigset_t s, pend, old;

	set_handler(SIGUSR1, count_usr1, 0);
	usr1_count = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, &old);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);                /* a standard signal is pending once */
	UT_EXPECT_EQ(usr1_count, 0);
	sigemptyset(&pend);
	UT_EXPECT_EQ(sigpending(&pend), 0);
	UT_EXPECT(sigismember(&pend, SIGUSR1));
	UT_EXPECT(!sigismember(&pend, SIGUSR2));
	sigprocmask(SIG_SETMASK, &old, NULL);   /* delivered before this returns */
	UT_EXPECT_EQ(usr1_count, 1);
	sigemptyset(&pend);
	sigpending(&pend);
	UT_EXPECT(!sigismember(&pend, SIGUSR1));

	/* rt_sigpending: sizes up to 8 bytes; more is EINVAL. */
	uint64_t raw = 1;
	UT_EXPECT_EQ(syscall(SYS_rt_sigpending, &raw, 8), 0);
	UT_EXPECT_EQ(raw, 0);
	UT_EXPECT_ERR(syscall(SYS_rt_sigpending, &raw, 16), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigpending, (void *)8, 8), EFAULT);

	/* SIGKILL and SIGSTOP can be neither blocked nor caught. */
	sigfillset(&s);
	sigprocmask(SIG_BLOCK, &s, &old);
	sigprocmask(SIG_SETMASK, &old, &s);
	UT_EXPECT(!sigismember(&s, SIGKILL));
	UT_EXPECT(!sigismember(&s, SIGSTOP));
	UT_EXPECT(sigismember(&s, SIGTERM));
	struct sigaction sa = { .sa_handler = count_usr1 };
	UT_EXPECT_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	UT_EXPECT_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4), EINVAL);
	reset_handler(SIGUSR1);
}

static void usr1_raises_usr2(int sig)
{
	sigset_t cur;
	(void)sig;
	usr1_count++;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGUSR1) || !sigismember(&cur, SIGUSR2))
		usr1_count += 100;              /* the handler mask is wrong */
	raise(SIGUSR2);
	usr2_seen_in_usr1 = usr2_count;
}

static void count_usr2(int sig) { (void)sig; usr2_count++; }

static void nested_usr1(int sig)
{
	(void)sig;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (++usr1_count < 2)
		raise(SIGUSR1);
	depth--;
}

UT_CASE(test_sa_mask_and_nodefer)
{
	struct sigaction sa = { .sa_handler = usr1_raises_usr2 };
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	set_handler(SIGUSR2, count_usr2, 0);
	usr1_count = usr2_count = 0;
	usr2_seen_in_usr1 = -1;
	raise(SIGUSR1);
	UT_EXPECT_EQ(usr1_count, 1);
	UT_EXPECT_EQ(usr2_seen_in_usr1, 0);     /* held back by sa_mask... */
	UT_EXPECT_EQ(usr2_count, 1);            /* ...and delivered once the handler returned */

	/* Without SA_NODEFER the signal waits for its handler to finish. */
	set_handler(SIGUSR1, nested_usr1, 0);
	usr1_count = depth = max_depth = 0;
	raise(SIGUSR1);
	UT_EXPECT_EQ(usr1_count, 2);
	UT_EXPECT_EQ(max_depth, 1);
	/* With it, the handler interrupts itself. */
	set_handler(SIGUSR1, nested_usr1, SA_NODEFER);
	usr1_count = depth = max_depth = 0;
	raise(SIGUSR1);
	UT_EXPECT_EQ(usr1_count, 2);
	UT_EXPECT_EQ(max_depth, 2);
	reset_handler(SIGUSR1);
	reset_handler(SIGUSR2);
}

static int report_fd = -1;
static void report_usr1(int sig) { (void)sig; if (write(report_fd, "h", 1)) {} }

UT_CASE(test_sa_resethand)
{
	int fds[2];
	UT_ASSERT(pipe(fds) == 0);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct sigaction old;
		report_fd = fds[1];
		set_handler(SIGUSR1, report_usr1, SA_RESETHAND);
		raise(SIGUSR1);
		sigaction(SIGUSR1, NULL, &old);
		if (old.sa_handler != SIG_DFL)
			_exit(3);
		raise(SIGUSR1);                 /* now the default: terminate */
		_exit(4);
	}
	close(fds[1]);
	int st = reap(pid);
	char buf[4];
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	UT_EXPECT_EQ(read(fds[0], buf, sizeof(buf)), 1);        /* the handler ran once */
	close(fds[0]);
}

UT_CASE(test_unknown_sa_flags_read_back_clear)
{
	struct sigaction sa = { .sa_handler = count_usr1, .sa_flags = SA_RESTART | SA_UNSUPPORTED_BIT },
			 old;
	sigemptyset(&sa.sa_mask);
	UT_EXPECT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	UT_EXPECT_EQ(sigaction(SIGUSR1, NULL, &old), 0);
	UT_EXPECT(old.sa_flags & SA_RESTART);
	UT_EXPECT(!(old.sa_flags & SA_UNSUPPORTED_BIT));
	reset_handler(SIGUSR1);
}

/* ---- interrupted system calls ---------------------------------------------
 * A child keeps signalling the parent until the parent writes to its ack
 * pipe, so at least one signal lands while the parent sleeps. If none
 * wakes it within 5 s, giveup() unblocks the parent so the test fails
 * instead of hanging. */

static int giveup_fd = -1;
static pid_t giveup_pid;
static void giveup_write(void) { if (write(giveup_fd, "g", 1)) {} }
static void giveup_kill(void) { kill(giveup_pid, SIGKILL); }

static pid_t start_nagger(int ack[2], int sig, void (*giveup)(void))
{
	pid_t parent = getpid();
	if (pipe2(ack, O_NONBLOCK) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(ack[1]);
		for (int i = 0; i < 500; i++) {
			msleep(10);
			kill(parent, sig);
			if (read(ack[0], &c, 1) >= 0)
				_exit(0);
		}
		if (giveup)
			giveup();
		_exit(0);
	}
	close(ack[0]);
	return pid;
}

static void stop_nagger(pid_t pid, int ack[2])
{
	if (write(ack[1], "a", 1)) {}
	close(ack[1]);
	reap(pid);
}

UT_CASE(test_eintr_without_sa_restart)
{
	int data[2], ack[2];
	char c;

	UT_ASSERT(pipe(data) == 0);
	set_handler(SIGUSR1, count_usr1, 0);
	usr1_count = 0;
	giveup_fd = data[1];
	pid_t pid = start_nagger(ack, SIGUSR1, giveup_write);
	UT_ASSERT(pid > 0);
	errno = 0;
	long r = read(data[0], &c, 1);
	int e = errno;
	stop_nagger(pid, ack);
	UT_EXPECT_EQ(r, -1);
	UT_EXPECT_EQ(e, EINTR);
	UT_EXPECT(usr1_count >= 1);
	close(data[0]);
	close(data[1]);
	reset_handler(SIGUSR1);
}

UT_CASE(test_sa_restart_restarts_read)
{
	int data[2];
	char buf[8];
	pid_t parent = getpid();

	UT_ASSERT(pipe(data) == 0);
	set_handler(SIGUSR1, count_usr1, SA_RESTART);
	usr1_count = 0;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		close(data[0]);
		msleep(30);
		kill(parent, SIGUSR1);
		msleep(30);
		kill(parent, SIGUSR1);
		msleep(30);
		_exit(write(data[1], "data", 4) == 4 ? 0 : 1);
	}
	close(data[1]);
	long r = read(data[0], buf, sizeof(buf));
	UT_EXPECT_EQ(r, 4);
	UT_EXPECT_EQ(usr1_count, 2);
	UT_EXPECT_EQ(reap(pid), 0);
	close(data[0]);
	reset_handler(SIGUSR1);
}

/* wait4 sleeps interruptibly too. */
UT_CASE(test_wait_interrupted)
{
	int hold[2], ack[2];
	char c;

	UT_ASSERT(pipe(hold) == 0);
	pid_t child = fork();
	UT_ASSERT(child >= 0);
	if (child == 0) {
		close(hold[1]);
		_exit(read(hold[0], &c, 1) == 0 ? 0 : 1);      /* until the parent closes */
	}
	close(hold[0]);
	set_handler(SIGUSR1, count_usr1, 0);
	giveup_pid = child;
	pid_t nagger = start_nagger(ack, SIGUSR1, giveup_kill);
	UT_ASSERT(nagger > 0);
	int st;
	errno = 0;
	pid_t r = waitpid(child, &st, 0);
	int e = errno;
	stop_nagger(nagger, ack);
	UT_EXPECT_EQ(r, -1);
	UT_EXPECT_EQ(e, EINTR);
	close(hold[1]);
	if (r == -1)
		UT_EXPECT_EQ(reap(child), 0);
	reset_handler(SIGUSR1);
}

UT_CASE(test_pause_and_sigsuspend)
{
	int ack[2];
	sigset_t block, empty, now;

	set_handler(SIGUSR1, count_usr1, SA_RESTART);   /* still EINTR: these never restart */
	usr1_count = 0;
	pid_t pid = start_nagger(ack, SIGUSR1, NULL);
	UT_ASSERT(pid > 0);
	UT_EXPECT_ERR(pause(), EINTR);
	stop_nagger(pid, ack);
	UT_EXPECT(usr1_count >= 1);

	/* sigsuspend: waits with its mask, returns with the old one. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	usr1_count = 0;
	pid = start_nagger(ack, SIGUSR1, NULL);
	UT_ASSERT(pid > 0);
	sigemptyset(&empty);
	UT_EXPECT_ERR(sigsuspend(&empty), EINTR);
	stop_nagger(pid, ack);
	UT_EXPECT_EQ(usr1_count, 1);
	sigprocmask(SIG_BLOCK, NULL, &now);
	UT_EXPECT(sigismember(&now, SIGUSR1));

	/* Already pending: no wait at all. */
	while (usr1_count < 2) {
		kill(getpid(), SIGUSR1);
		UT_EXPECT_ERR(sigsuspend(&empty), EINTR);
	}
	UT_EXPECT_EQ(usr1_count, 2);
	UT_EXPECT_ERR(syscall(SYS_rt_sigsuspend, &empty, 4), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigsuspend, (void *)8, 8), EFAULT);
	unblock_all();
	reset_handler(SIGUSR1);
}

/* ---- sigtimedwait, real-time queues -------------------------------------- */

UT_CASE(test_sigtimedwait)
{
	sigset_t set;
	siginfo_t si;
	struct timespec ts = { 0, 50 * 1000000L }, zero = { 0, 0 }, bad = { 0, 1000000000L };

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	double t0 = now_ms();
	UT_EXPECT_ERR(sigtimedwait(&set, &si, &ts), EAGAIN);
	UT_EXPECT(now_ms() - t0 >= 40);
	UT_EXPECT_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
	UT_EXPECT_ERR(sigtimedwait(&set, &si, &bad), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 16), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_rt_sigtimedwait, (void *)8, &si, &zero, 8), EFAULT);

	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof(si));
	UT_EXPECT_EQ(sigtimedwait(&set, &si, &zero), SIGUSR1);
	UT_EXPECT_EQ(si.si_signo, SIGUSR1);
	UT_EXPECT_EQ(si.si_code, SI_USER);
	UT_EXPECT_EQ(si.si_pid, getpid());

	/* A blocked SIGCHLD is not ignored, though its default action is
	 * "ignore": sigtimedwait gets it, with the child's exit. */
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		_exit(7);
	struct timespec long_ts = { 10, 0 };
	sigdelset(&set, SIGUSR1);
	memset(&si, 0, sizeof(si));
	UT_EXPECT_EQ(sigtimedwait(&set, &si, &long_ts), SIGCHLD);
	UT_EXPECT_EQ(si.si_code, CLD_EXITED);
	UT_EXPECT_EQ(si.si_pid, pid);
	UT_EXPECT_EQ(si.si_status, 7);
	UT_EXPECT_EQ(reap(pid), 7 << 8);
	unblock_all();
}

static volatile int rt_values[8], rt_n;
static void record_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (rt_n < 8)
		rt_values[rt_n++] = si->si_value.sival_int;
}

UT_CASE(test_realtime_signals_queue)
{
	sigset_t set;
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	int rt = SIGRTMIN + 1;

	sigemptyset(&set);
	sigaddset(&set, rt);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 1; i <= 3; i++)
		UT_EXPECT_EQ(sigqueue(getpid(), rt, (union sigval){ .sival_int = i }), 0);
	for (int i = 1; i <= 3; i++) {
		UT_EXPECT_EQ(sigtimedwait(&set, &si, &zero), rt);
		UT_EXPECT_EQ(si.si_value.sival_int, i);
		UT_EXPECT_EQ(si.si_code, SI_QUEUE);
	}
	UT_EXPECT_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);

	/* Handlers see every instance, in order. */
	set_action(rt, record_rt, 0);
	rt_n = 0;
	for (int i = 1; i <= 4; i++)
		sigqueue(getpid(), rt, (union sigval){ .sival_int = 10 * i });
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	UT_EXPECT_EQ(rt_n, 4);
	for (int i = 0; i < 4 && i < rt_n; i++)
		UT_EXPECT_EQ(rt_values[i], 10 * (i + 1));
	reset_handler(rt);
}

/* ---- sigaltstack ---------------------------------------------------------- */

static char *alt_base;
static size_t alt_size;
static volatile uintptr_t alt_local;
static volatile int alt_flags_inside, alt_eperm_inside;

static void on_altstack(int sig)
{
	volatile char here;
	stack_t cur, other = { .ss_sp = alt_base, .ss_size = alt_size };
	(void)sig;
	alt_local = (uintptr_t)&here;
	sigaltstack(NULL, &cur);
	alt_flags_inside = cur.ss_flags;
	alt_eperm_inside = sigaltstack(&other, NULL) == -1 ? errno : 0;
}

UT_CASE(test_sigaltstack)
{
	stack_t ss, old;

	alt_size = 64 * 1024;
	alt_base = malloc(alt_size);
	UT_ASSERT(alt_base);
	UT_EXPECT_EQ(sigaltstack(NULL, &old), 0);
	UT_EXPECT_EQ(old.ss_flags, SS_DISABLE);

	ss = (stack_t){ .ss_sp = alt_base, .ss_size = 1024 };
	UT_EXPECT_ERR(sigaltstack(&ss, NULL), ENOMEM);           /* < MINSIGSTKSZ */
	ss = (stack_t){ .ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0x10 };
	UT_EXPECT_ERR(sigaltstack(&ss, NULL), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_sigaltstack, (void *)8, NULL), EFAULT);
	ss = (stack_t){ .ss_sp = alt_base, .ss_size = alt_size };
	UT_EXPECT_EQ(sigaltstack(&ss, NULL), 0);
	UT_EXPECT_EQ(sigaltstack(NULL, &old), 0);
	UT_EXPECT_EQ(old.ss_sp, alt_base);
	UT_EXPECT_EQ(old.ss_size, alt_size);
	UT_EXPECT_EQ(old.ss_flags, 0);

	set_handler(SIGUSR1, on_altstack, SA_ONSTACK);
	raise(SIGUSR1);
	UT_EXPECT(alt_local > (uintptr_t)alt_base && alt_local < (uintptr_t)alt_base + alt_size);
	UT_EXPECT_EQ(alt_flags_inside, SS_ONSTACK);
	UT_EXPECT_EQ(alt_eperm_inside, EPERM);

	/* Without SA_ONSTACK the handler stays on the normal stack. */
	set_handler(SIGUSR1, on_altstack, 0);
	raise(SIGUSR1);
	UT_EXPECT(!(alt_local > (uintptr_t)alt_base && alt_local < (uintptr_t)alt_base + alt_size));
	UT_EXPECT_EQ(alt_flags_inside, 0);

	/* SS_AUTODISARM: disabled while the handler runs, back afterwards. */
	ss.ss_flags = SS_AUTODISARM;
	UT_EXPECT_EQ(sigaltstack(&ss, NULL), 0);
	set_handler(SIGUSR1, on_altstack, SA_ONSTACK);
	raise(SIGUSR1);
	UT_EXPECT(alt_local > (uintptr_t)alt_base && alt_local < (uintptr_t)alt_base + alt_size);
	UT_EXPECT_EQ(alt_flags_inside, SS_DISABLE);
	UT_EXPECT_EQ(alt_eperm_inside, 0);              /* not "on" it: may change it */
	UT_EXPECT_EQ(sigaltstack(NULL, &old), 0);
	UT_EXPECT_EQ(old.ss_sp, alt_base);
	UT_EXPECT_EQ((unsigned)old.ss_flags, SS_AUTODISARM);

	ss = (stack_t){ .ss_flags = SS_DISABLE };
	UT_EXPECT_EQ(sigaltstack(&ss, NULL), 0);
	UT_EXPECT_EQ(sigaltstack(NULL, &old), 0);
	UT_EXPECT_EQ(old.ss_flags, SS_DISABLE);
	UT_EXPECT_EQ(old.ss_size, 0);
	reset_handler(SIGUSR1);
	free(alt_base);
}

/* A stack overflow caught on the alternate stack: the classic use. */
static void on_overflow(int sig) { (void)sig; _exit(42); }
static int recurse(volatile char *p, long depth)
{
	volatile char big[4096];
	big[0] = *p;
	if (depth > 1L << 40)
		return 0;
	return recurse(big, depth + 1) + big[1];
}

UT_CASE(test_stack_overflow_on_altstack)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 };
		sigaltstack(&ss, NULL);
		set_handler(SIGSEGV, on_overflow, SA_ONSTACK);
		char c = 0;
		_exit(recurse(&c, 0));
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 42);
}

/* ---- rt_sigreturn with hostile frames ---------------------------------------
 * A frame is 440 bytes: return address, ucontext (flags, link, stack,
 * sigcontext = gregs[23] + fpstate pointer + 8 reserved, mask), siginfo. */

enum { F_GREGS = 6, F_FPSTATE = 6 + 23, F_MASK = 1 + 37, F_WORDS = 55 };

static void do_sigreturn(uint64_t *frame)
{
	__asm__ volatile("mov %0, %%rsp\n mov $15, %%eax\n syscall\n ud2"
			 :: "r"(frame + 1) : "memory");
	__builtin_unreachable();
}

static uint8_t landing_stack[16384] __attribute__((aligned(16)));

__attribute__((used)) static void landing(void)
{
	uint64_t fl;
	uint16_t cs, ss;
	__asm__ volatile("pushfq; pop %0; mov %%cs, %1; mov %%ss, %2" : "=r"(fl), "=r"(cs), "=r"(ss));
	bool ok = ((fl >> 12) & 3) == 0 && (fl & 0x200) && !(fl & 0x4000) && cs == 0x33 && ss == 0x2b;
	syscall(SYS_exit_group, ok ? 42 : 43);
}

static void hostile_sigreturn(int variant)
{
	static uint64_t frame[F_WORDS];
	static uint8_t fpbuf[8192] __attribute__((aligned(64)));

	memset(frame, 0, sizeof(frame));
	memset(fpbuf, 0xff, sizeof(fpbuf));
	/* A plausible XSAVE marker over garbage: header and MXCSR all ones. */
	uint32_t *sw = (uint32_t *)(fpbuf + 464);
	sw[0] = FP_XSTATE_MAGIC1;
	sw[1] = 4096;
	sw[4] = variant == 1 ? 576 : 1024;
	*(uint32_t *)(fpbuf + sw[4]) = 0x46505845;
	uint64_t *g = &frame[F_GREGS];
	g[REG_RIP] = (uint64_t)landing;
	g[REG_RSP] = (uint64_t)(landing_stack + sizeof(landing_stack) - 8);
	g[REG_EFL] = ~(uint64_t)(0x100 | 0x400);        /* all but TF and DF */
	g[REG_CSGSFS] = 0x10 | (0x18ull << 48);         /* kernel CS, kernel SS */
	frame[F_FPSTATE] = (uint64_t)fpbuf;
	if (variant == 2)
		g[REG_RIP] = 0x8000000000000000ull;     /* non-canonical */
	if (variant == 3)
		frame[F_FPSTATE] = 0x10;                /* unreadable */
	if (variant == 4)
		do_sigreturn((uint64_t *)0x1000);       /* the frame itself is unreadable */
	do_sigreturn(frame);
}

UT_CASE(test_hostile_sigreturn)
{
	static const struct { int variant, exit_code, sig; } cases[] = {
		{ 0, 42, 0 }, { 1, 42, 0 }, { 2, 0, SIGSEGV }, { 3, 0, SIGSEGV }, { 4, 0, SIGSEGV },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0)
			hostile_sigreturn(cases[i].variant);
		int st = reap(pid);
		if (cases[i].sig) {
			if (!WIFSIGNALED(st) || WTERMSIG(st) != cases[i].sig)
				UT_FAIL("variant %d: status %#x", cases[i].variant, st);
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != cases[i].exit_code) {
			UT_FAIL("variant %d: status %#x", cases[i].variant, st);
		}
	}
}

/* A handler without SA_RESTORER cannot return on x86-64: SIGSEGV. */
UT_CASE(test_no_restorer_kills)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } ka = {
			(void *)count_usr1, 0, NULL, 0,
		};
		syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
		kill(getpid(), SIGUSR1);
		_exit(0);
	}
	int st = reap(pid);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
}

/* ---- fork and exec ---------------------------------------------------------- */

static const char *self_path;

/* Run by test_exec_resets_handlers in the exec'd image: SIGUSR1 (caught
 * before) is back to SIG_DFL with no flags, SIGUSR2 is still ignored, the
 * mask and the pending SIGTERM survived, the alternate stack did not. */
static int verify_after_exec(void)
{
	struct sigaction sa;
	sigset_t mask, pend;
	stack_t ss;
	int bad = 0;

	sigaction(SIGUSR1, NULL, &sa);
	bad |= (sa.sa_handler != SIG_DFL) << 0;
	bad |= ((sa.sa_flags & ~SA_RESTORER) != 0) << 1;
	sigaction(SIGUSR2, NULL, &sa);
	bad |= (sa.sa_handler != SIG_IGN) << 2;
	sigprocmask(SIG_BLOCK, NULL, &mask);
	bad |= !sigismember(&mask, SIGTERM) << 3;
	sigpending(&pend);
	bad |= !sigismember(&pend, SIGTERM) << 4;
	sigaltstack(NULL, &ss);
	bad |= (ss.ss_flags != SS_DISABLE) << 5;
	return 64 + bad;
}

UT_CASE(test_exec_resets_handlers)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		sigset_t term;
		stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 };
		sigaltstack(&ss, NULL);
		set_handler(SIGUSR1, count_usr1, SA_RESTART | SA_ONSTACK);
		signal(SIGUSR2, SIG_IGN);
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, NULL);
		kill(getpid(), SIGTERM);
		execl(self_path, self_path, "--verify-exec", (char *)NULL);
		_exit(1);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 64);
}

UT_CASE(test_fork_inherits_handlers_not_pending)
{
	sigset_t usr2, pend, mask;
	stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536 }, got;

	UT_ASSERT(ss.ss_sp);
	UT_EXPECT_EQ(sigaltstack(&ss, NULL), 0);
	set_handler(SIGUSR1, count_usr1, 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	kill(getpid(), SIGUSR2);
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		int bad = 0;
		usr1_count = 0;
		raise(SIGUSR1);
		bad |= (usr1_count != 1) << 0;          /* the handler came along */
		sigpending(&pend);
		bad |= sigismember(&pend, SIGUSR2) << 1;        /* pending signals did not */
		sigprocmask(SIG_BLOCK, NULL, &mask);
		bad |= !sigismember(&mask, SIGUSR2) << 2;       /* the mask did */
		sigaltstack(NULL, &got);
		bad |= (got.ss_sp != ss.ss_sp || got.ss_size != ss.ss_size) << 3;
		_exit(bad);
	}
	int st = reap(pid);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	signal(SIGUSR2, SIG_IGN);               /* discards the pending one */
	sigpending(&pend);
	UT_EXPECT(!sigismember(&pend, SIGUSR2));
	unblock_all();
	reset_handler(SIGUSR1);
	reset_handler(SIGUSR2);
	ss = (stack_t){ .ss_flags = SS_DISABLE };
	sigaltstack(&ss, NULL);
}

int main(int argc, char **argv)
{
	static const struct ut_case cases[] = {
		UT_C(test_registers_survive_handler_sync), UT_C(test_registers_survive_handler_async),
		UT_C(test_siginfo_from_kill_tgkill_sigqueue), UT_C(test_fault_siginfo_and_siglongjmp),
		UT_C(test_fault_blocked_or_ignored_kills), UT_C(test_blocked_signal_stays_pending),
		UT_C(test_sa_mask_and_nodefer), UT_C(test_sa_resethand),
		UT_C(test_unknown_sa_flags_read_back_clear), UT_C(test_eintr_without_sa_restart),
		UT_C(test_sa_restart_restarts_read), UT_C(test_wait_interrupted),
		UT_C(test_pause_and_sigsuspend), UT_C(test_sigtimedwait),
		UT_C(test_realtime_signals_queue), UT_C(test_sigaltstack),
		UT_C(test_stack_overflow_on_altstack), 
		
		
		
		UT_C(test_hostile_sigreturn),
		UT_C(test_no_restorer_kills), UT_C(test_exec_resets_handlers),
		UT_C(test_fork_inherits_handlers_not_pending),
	};
	self_path = argv[0];
	if (argc == 2 && !strcmp(argv[1], "--verify-exec"))
		return verify_after_exec();
	return ut_run("signal", cases, (int)(sizeof(cases) / sizeof(cases[0])));
}
