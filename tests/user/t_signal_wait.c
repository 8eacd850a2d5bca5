/* Signals and system calls: EINTR against SA_RESTART, pause, sigsuspend,
 * sigtimedwait and real-time queues, sigaltstack (a stack overflow caught
 * on it), rt_sigreturn with hostile frames, and what fork and exec keep.
 * Handlers and their frames are in t_signal.c. */
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
		UT_C(test_eintr_without_sa_restart), UT_C(test_sa_restart_restarts_read),
		UT_C(test_wait_interrupted), UT_C(test_pause_and_sigsuspend),
		UT_C(test_sigtimedwait), UT_C(test_realtime_signals_queue),
		UT_C(test_sigaltstack), UT_C(test_stack_overflow_on_altstack),
		UT_C(test_hostile_sigreturn), UT_C(test_no_restorer_kills),
		UT_C(test_exec_resets_handlers), UT_C(test_fork_inherits_handlers_not_pending),
	};
	self_path = argv[0];
	if (argc == 2 && !strcmp(argv[1], "--verify-exec"))
		return verify_after_exec();
	return ut_run("signal_wait", cases, (int)(sizeof(cases) / sizeof(cases[0])));
}
