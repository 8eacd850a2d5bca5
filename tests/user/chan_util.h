/* Helpers shared by the channel tests (tests/user/t_chan*.c). */
#pragma once

#include "utest.h"
#include "../../user/libgoos/chan.h"
#include <stdint.h>
#include <time.h>

static inline uint64_t ct_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Send / receive one int; recv returns the value, -1 at the end, -2 on error. */
static inline int ct_send_int(int ch, int v)
{
	return goos_send(ch, &v, sizeof(v));
}

static inline int ct_recv_int(int ch)
{
	int v = 0;
	bool ok = false;
	long n = goos_recv(ch, &v, sizeof(v), &ok);
	if (n < 0)
		return -2;
	return ok ? v : -1;
}

/* Wait for pid; its exit status, or -1 if it did not exit normally. */
static inline int ct_wait(pid_t pid)
{
	int st = 0;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Another process holding the channels (so a receive blocks instead of
 * ending): a child that waits to be killed. */
#include <signal.h>
static inline pid_t ct_holder(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static inline void ct_holder_end(pid_t pid)
{
	kill(pid, SIGKILL);
	ct_wait(pid);
}
