/* Helpers shared by the object-space tests (t_objspace, t_chan_own):
 * ownership statistics, MemFree, running a function in a child, and
 * whether an access faults. */
#pragma once
#include "utest.h"
#include "../../user/lib/objalloc.h"
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

static inline struct own_stats stats(int pid)
{
	struct own_stats st;
	memset(&st, 0xff, sizeof(st));
	if (own_stat(pid, &st))
		UT_FAIL("own_stat(%d): %s", pid, strerror(errno));
	return st;
}

/* Mount /proc if nothing is there (run-prog boots without it). */
static inline void proc_ready(void)
{
	struct stat st;

	if (stat("/proc/self", &st) == 0)
		return;
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
}

static inline long memfree_kb(void)
{
	char buf[512];
	FILE *f;
	long kb = -1;

	proc_ready();
	f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "MemFree: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Run fn in a child; its wait status. */
static inline int in_child(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

static sigjmp_buf fault_jmp;

static inline void on_segv(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

/* Whether reading (or writing) the byte at p faults in this process. */
static inline bool faults(volatile char *p, bool write)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	volatile bool faulted = false;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(fault_jmp, 1) == 0) {
		if (write)
			*p = *p;
		else
			(void)*p;
	} else {
		faulted = true;
	}
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

/* Objects for the ring tests: random sizes, contents derived from a seed,
 * and their own address inside, so a receiver can check all of it. */
struct ring_obj {
	uint64_t self, size, seed;
	unsigned char data[];
};

static inline struct ring_obj *ring_new(unsigned *seed)
{
	uint64_t size = sizeof(struct ring_obj) + 1 + rand_r(seed) % 3000;
	if (rand_r(seed) % 16 == 0)
		size += 20000;          /* now and then one with pages of its own */
	struct ring_obj *o = objalloc(size);
	if (!o)
		_exit(40);
	o->self = (uintptr_t)o;
	o->size = size;
	o->seed = rand_r(seed);
	for (uint64_t i = 0; i < size - sizeof(*o); i++)
		o->data[i] = (unsigned char)(o->seed + i);
	return o;
}

static inline bool ring_ok(const struct ring_obj *o)
{
	if (o->self != (uintptr_t)o || objsize(o) != o->size)
		return false;
	for (uint64_t i = 0; i < o->size - sizeof(*o); i++)
		if (o->data[i] != (unsigned char)(o->seed + i))
			return false;
	return true;
}
