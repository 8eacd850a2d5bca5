/*
 * A tiny test framework for user-space test programs (musl). Each program
 * is one KTAP suite; tests/user/../user/testrunner.c runs them as PID 1
 * and scripts/testrun.py parses the KTAP.
 *
 *   UT_CASE(test_name) { UT_EXPECT_EQ(getpid() > 0, 1); }
 *   UT_SUITE(suite_name, test_name, other_test);
 *
 * Expectations report file:line and the values; a case fails if any does.
 * UT_EXPECT_ERR(call, E) expects the call to return -1 with errno E (or, for
 * calls returning a negative errno directly, that value).
 */
#pragma once

#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static int ut_failures;
static const char *ut_current;

#define UT_FAIL(fmt, ...)                                                          \
	do {                                                                       \
		printf("    # %s: %s:%d: " fmt "\n", ut_current, __FILE__, __LINE__,   \
		       ##__VA_ARGS__);                                             \
		ut_failures++;                                                     \
	} while (0)

#define UT_EXPECT(cond)                                                            \
	do {                                                                       \
		if (!(cond))                                                       \
			UT_FAIL("expected %s", #cond);                             \
	} while (0)

#define UT_EXPECT_EQ(a, b)                                                         \
	do {                                                                       \
		long long __a = (long long)(a), __b = (long long)(b);              \
		if (__a != __b)                                                    \
			UT_FAIL("expected %s == %s (%lld != %lld)", #a, #b, __a, __b); \
	} while (0)

#define UT_EXPECT_ERR(call, err)                                                   \
	do {                                                                       \
		errno = 0;                                                         \
		long __r = (long)(call);                                           \
		int __e = errno;                                                   \
		if (!(__r == -1 && __e == (err)) && __r != -(long)(err))           \
			UT_FAIL("expected %s to fail with %s (%d); got %ld, errno %d (%s)", \
				#call, #err, err, __r, __e, strerror(__e));        \
	} while (0)

/* Stop the case here if cond is false (later steps depend on it). */
#define UT_ASSERT(cond)                                                            \
	do {                                                                       \
		if (!(cond)) {                                                     \
			UT_FAIL("assertion %s", #cond);                            \
			return;                                                    \
		}                                                                  \
	} while (0)

struct ut_case {
	const char *name;
	void (*fn)(void);
};

/* In a forked child: on a false condition say where and exit 1 (the
 * parent then sees it through UT_EXPECT_CHILD_OK). */
#define UT_CK(cond)                                                                \
	do {                                                                       \
		if (!(cond)) {                                                     \
			printf("    # child: %s:%d: %s (errno %d)\n", __FILE__,         \
			       __LINE__, #cond, errno);                            \
			fflush(stdout);                                            \
			_exit(1);                                                  \
		}                                                                  \
	} while (0)

/* Wait for child pid; a failure unless it exited with status 0. */
#define UT_EXPECT_CHILD_OK(pid)                                                    \
	do {                                                                       \
		int ut_st_ = -1;                                                   \
		if (waitpid((pid), &ut_st_, 0) != (pid) || !WIFEXITED(ut_st_) ||     \
		    WEXITSTATUS(ut_st_) != 0)                                      \
			UT_FAIL("child status %#x", ut_st_);                       \
	} while (0)

#define UT_CASE(name) static void name(void)
#define UT_C(name) { #name, name }

static inline int ut_run(const char *suite, const struct ut_case *cases, int n)
{
	int failed = 0;

#ifndef LINK_MODE
#define LINK_MODE "unknown"
#endif
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("    KTAP version 1\n    # Subtest: %s-%s\n    1..%d\n", suite, LINK_MODE, n);
	for (int i = 0; i < n; i++) {
		ut_current = cases[i].name;
		ut_failures = 0;
		cases[i].fn();
		printf("    %s %d %s\n", ut_failures ? "not ok" : "ok", i + 1, cases[i].name);
		failed += ut_failures != 0;
	}
	fflush(stdout);
	return failed ? 1 : 0;
}

#define UT_SUITE(suite, ...)                                                       \
	int main(void)                                                             \
	{                                                                          \
		static const struct ut_case cases[] = { __VA_ARGS__ };             \
		return ut_run(suite, cases, (int)(sizeof(cases) / sizeof(cases[0]))); \
	}
