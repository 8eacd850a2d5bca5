/*
 * In-kernel tests, KUnit style. A suite is registered by KTEST_SUITE() into
 * the .ktest_suites linker section, so adding a test never edits a list.
 * Booting with "ktest" (all suites) or "ktest=a,b" runs them and prints KTAP
 * on the console; scripts/ktap.py parses it.
 *
 *   static void test_foo(struct ktest *t) { KT_EXPECT_EQ(t, 2 + 2, 4); }
 *   static struct ktest_case foo_cases[] = { KTEST_CASE(test_foo), {} };
 *   KTEST_SUITE(foo, foo_cases);
 */
#pragma once

#include <kernel/types.h>

struct ktest {
	const char *name;
	int failures;
	bool skipped;
	const char *skip_reason;
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
};

#define KTEST_CASE(fn) { #fn, fn }
#define KTEST_SUITE(sname, case_array)                                       \
	static const struct ktest_suite __ktest_suite_##sname                \
		__used __section(".ktest_suites") __aligned(8) = {          \
		.name = #sname, .cases = case_array }

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);
void ktest_skip(struct ktest *t, const char *reason);

#define KT_EXPECT(t, cond)                                                   \
	do {                                                                 \
		if (!(cond))                                                 \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #cond); \
	} while (0)

#define KT_EXPECT_EQ(t, a, b)                                                \
	do {                                                                 \
		long long __a = (long long)(a), __b = (long long)(b);        \
		if (__a != __b)                                              \
			ktest_fail(t, __FILE__, __LINE__,                    \
				   "expected %s == %s (%lld != %lld)", #a, #b, __a, __b); \
	} while (0)

#define KT_EXPECT_NE(t, a, b)                                                \
	do {                                                                 \
		long long __a = (long long)(a), __b = (long long)(b);        \
		if (__a == __b)                                              \
			ktest_fail(t, __FILE__, __LINE__,                    \
				   "expected %s != %s (both %lld)", #a, #b, __a); \
	} while (0)

/* Stop the case here if the expectation fails (later steps depend on it). */
#define KT_ASSERT(t, cond)                                                   \
	do {                                                                 \
		if (!(cond)) {                                               \
			ktest_fail(t, __FILE__, __LINE__, "assertion %s", #cond); \
			return;                                              \
		}                                                            \
	} while (0)

/* Run the suites named in filter (comma-separated; NULL or "" = all). */
void ktest_run(const char *filter);

/* "panic_test" on the command line: an uncaught fault (tests/kernel/panic_test.c). */
void panic_test_run(void);
