/*
 * Threads taking the first fault on the same pages at once. A fault on a
 * mapped object (here shared anonymous memory) drops the address space's
 * lock while the object finds the frame; when another thread maps the page
 * meanwhile, the first must notice and simply retry. Once that retry
 * looped for ever with the lock held (the thread never returned to user
 * mode, and everything needing the lock hung), seen as a thread of a new
 * process that never ran in about 1 of 200 tries on 4 CPUs. Here every
 * page of every round is a chance to hit the window.
 */
#include "utest.h"
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define NTHREADS 4
#define NPAGES   128
#define ROUNDS   40
#define PG       4096

static atomic_int go, ready;
static volatile char *area;

static void *toucher(void *arg)
{
	long id = (long)arg;
	atomic_fetch_add(&ready, 1);
	while (!atomic_load(&go))
		;
	/* Everyone walks the same pages in the same order: they meet there. */
	for (int i = 0; i < NPAGES; i++) {
		if (id & 1)
			(void)area[i * PG];             /* a read fault */
		else
			area[i * PG + id] = (char)(id + 1);     /* a write fault */
	}
	return NULL;
}

static void one_round(int flags)
{
	pthread_t th[NTHREADS];

	area = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, flags, -1, 0);
	UT_EXPECT(area != MAP_FAILED);
	if (area == MAP_FAILED)
		return;
	atomic_store(&go, 0);
	atomic_store(&ready, 0);
	for (long i = 0; i < NTHREADS; i++)
		UT_EXPECT_EQ(pthread_create(&th[i], NULL, toucher, (void *)i), 0);
	while (atomic_load(&ready) < NTHREADS)
		;
	atomic_store(&go, 1);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NPAGES; i++)
		for (int t = 0; t < NTHREADS; t += 2)
			UT_EXPECT_EQ(area[i * PG + t], (char)(t + 1));
	munmap((void *)area, NPAGES * PG);
}

UT_CASE(shared_anon_first_touch)
{
	for (int r = 0; r < ROUNDS; r++)
		one_round(MAP_SHARED | MAP_ANONYMOUS);
}

UT_CASE(private_anon_first_touch)
{
	for (int r = 0; r < ROUNDS; r++)
		one_round(MAP_PRIVATE | MAP_ANONYMOUS);
}

UT_SUITE("fault_race", UT_C(shared_anon_first_touch), UT_C(private_anon_first_touch))
