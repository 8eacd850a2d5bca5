/* Signals: handlers and their frame (registers, SSE state, stack
 * alignment, siginfo, ucontext), faults caught with siglongjmp, masks and
 * the SA_* flags. Interrupted and waiting system calls, sigaltstack,
 * rt_sigreturn with hostile frames, fork and exec are in t_signal_wait.c;
 * sending rules and default actions in t_signal_send.c. */
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

int main(void)
{
	static const struct ut_case cases[] = {
		UT_C(test_registers_survive_handler_sync), UT_C(test_registers_survive_handler_async),
		UT_C(test_siginfo_from_kill_tgkill_sigqueue), UT_C(test_fault_siginfo_and_siglongjmp),
		UT_C(test_fault_blocked_or_ignored_kills), UT_C(test_blocked_signal_stays_pending),
		UT_C(test_sa_mask_and_nodefer), UT_C(test_sa_resethand),
		UT_C(test_unknown_sa_flags_read_back_clear),
	};
	return ut_run("signal", cases, (int)(sizeof(cases) / sizeof(cases[0])));
}
