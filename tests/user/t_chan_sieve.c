/* Demo and test: the concurrent prime sieve (the program the first Go ran
 * on bare metal) as a pipeline of processes joined by unbuffered
 * channels. A generator sends 2, 3, 4, ...; each filter process takes the
 * first number it gets as its prime, reports it, and passes on what that
 * prime does not divide. Closing a channel stops the stage after it. */
#include "chan_util.h"

enum { NPRIMES = 25 };          /* 2 .. 97 */

/* Stage depth: its prime goes to results; then it forks the next stage
 * (the child becomes stage depth+1 on a new channel) and filters. */
static __attribute__((noreturn)) void stage(int in, int results, int depth)
{
	for (;;) {
		int p = ct_recv_int(in);
		if (p < 0)
			_exit(0);
		ct_send_int(results, p);
		if (depth + 1 == NPRIMES)
			_exit(0);
		int next = goos_chan_create(sizeof(int), 0, GOOS_CHAN_CLOEXEC);
		if (next < 0)
			_exit(1);
		pid_t child = fork();
		if (child == 0) {
			close(in);
			in = next;
			depth++;
			continue;
		}
		int v;
		while ((v = ct_recv_int(in)) >= 0)
			if (v % p && ct_send_int(next, v))
				break;          /* the next stage is done: EPIPE */
		goos_close(next);
		_exit(ct_wait(child) == 0 ? 0 : 1);
	}
}

UT_CASE(test_prime_sieve)
{
	int gen = goos_chan_create(sizeof(int), 0, 0);
	int results = goos_chan_create(sizeof(int), NPRIMES, 0);
	UT_ASSERT(gen >= 0 && results >= 0);
	pid_t first = fork();
	if (first == 0)
		stage(gen, results, 0);
	/* The generator, sending 2, 3, ... until all primes came back. When
	 * the last stage exits, the one before it is alone on its output and
	 * its send fails with EPIPE: the pipeline unwinds stage by stage. */
	int got[NPRIMES], n = 0;
	for (int i = 2; n < NPRIMES; i++) {
		struct goos_select s;
		int v = 0;
		goos_select_init(&s);
		goos_select_send(&s, gen, &i, sizeof(i));
		goos_select_recv(&s, results, &v, sizeof(v));
		int r = goos_select_run(&s, 5000000000ll);
		if (r < 0) {
			UT_FAIL("select: errno %d", errno);
			break;
		}
		if (r == 0 && s.cases[0].result) {
			UT_FAIL("send: %d", s.cases[0].result);
			break;
		}
		if (r == 1) {
			got[n++] = v;
			i--;            /* i was not sent */
		}
	}
	goos_close(gen);
	UT_EXPECT_EQ(ct_wait(first), 0);
	static const int primes[NPRIMES] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41,
					     43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97 };
	for (int i = 0; i < n; i++)
		UT_EXPECT_EQ(got[i], primes[i]);
	UT_EXPECT_EQ(n, NPRIMES);
	close(gen);
	close(results);
}

UT_SUITE("chan_sieve", UT_C(test_prime_sieve))
