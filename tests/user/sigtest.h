/* Helpers shared by the signal test programs (t_signal*.c). */
#pragma once

#include "utest.h"
#include <signal.h>
#include <time.h>
#define UNUSED __attribute__((unused))

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif
#define SA_UNSUPPORTED_BIT 0x400
#define FP_XSTATE_MAGIC1 0x46505853u
#define PATTERN(k) (0x1122334455667700ull + (k))
#define XPATTERN(k) (0xa5a5a5a500000000ull + (k))

UNUSED static int reap(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

UNUSED static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

UNUSED static void set_action(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { .sa_sigaction = fn, .sa_flags = flags | SA_SIGINFO };
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

UNUSED static void reset_handler(int sig)
{
	signal(sig, SIG_DFL);
}

UNUSED static void unblock_all(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
}

UNUSED static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

UNUSED static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


/* A SA_SIGINFO handler that keeps the last siginfo and counts calls. */
static volatile siginfo_t got_info;
static volatile int got_count;

UNUSED static void record_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_info = *si;
	got_count++;
}

static volatile int usr1_count;
UNUSED static void count_usr1(int sig) { (void)sig; usr1_count++; }
