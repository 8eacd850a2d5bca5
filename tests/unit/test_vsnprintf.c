/* printk formatting: kernel/lib/vsnprintf.c against C99 semantics. The
 * kernel's functions are renamed here (see vsnprintf.mk) so the host libc's
 * own snprintf stays the reference. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* The build renames the kernel's functions with -D; undo that here so
 * snprintf below is the host libc's reference implementation. */
#undef snprintf
#undef vsnprintf
int snprintf(char *buf, size_t size, const char *fmt, ...);

int kernel_snprintf(char *buf, size_t size, const char *fmt, ...);

#define CHECK(fmt, ...)                                                       \
	do {                                                                  \
		char want[128], got[128];                                     \
		int wn = snprintf(want, sizeof(want), fmt, __VA_ARGS__);      \
		int gn = kernel_snprintf(got, sizeof(got), fmt, __VA_ARGS__); \
		assert_string_equal(got, want);                               \
		assert_int_equal(gn, wn);                                     \
	} while (0)

static void test_integers(void **state)
{
	CHECK("%d %i %u", 42, -17, 3000000000u);
	CHECK("%x %X %o", 0xbeefu, 0xbeefu, 0755u);
	CHECK("%ld %lu %lx", -1234567890123L, 18446744073709551615UL, 0xffffffff80000000UL);
	CHECK("%lld %llu", -9223372036854775807LL - 1, 12345678901234567890ULL);
	CHECK("%hhd %hd %hhu", 300, 70000, 257);
	CHECK("%zu %zd %td", (size_t)99, (ssize_t)-5, (ptrdiff_t)-7);
	CHECK("%d", 0);
}

static void test_flags_width_precision(void **state)
{
	CHECK("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	CHECK("[%016lx] [%#x] [%#o] [%#X]", 0xabcUL, 255u, 8u, 255u);
	CHECK("[%.3d] [%8.3d] [%-8.3d|] [%.0d]", 7, 7, 7, 0);
	CHECK("[%*d] [%-*d] [%.*d]", 6, 1, 6, 1, 4, 1);
	CHECK("[%*d]", -6, 1);
	CHECK("[%#x] [%#o] [%#x]", 0u, 0u, 5u);
	CHECK("[%+05d] [%-+5d]", -3, 3);
}

static void test_strings_chars(void **state)
{
	CHECK("[%s] [%10s] [%-10s] [%.2s]", "abc", "abc", "abc", "abc");
	CHECK("[%c%c%c]", 'o', 'k', '!');
	CHECK("[%5c] [%-5c]", 'x', 'y');
	CHECK("100%% %s", "sure");
}

static void test_pointer(void **state)
{
	char got[64];
	kernel_snprintf(got, sizeof(got), "%p", (void *)0xffffffff80201000UL);
	assert_string_equal(got, "0xffffffff80201000");
}

static void test_truncation(void **state)
{
	char buf[8];
	int n = kernel_snprintf(buf, sizeof(buf), "%s", "0123456789");
	assert_int_equal(n, 10);
	assert_string_equal(buf, "0123456");
	/* size 0 writes nothing but still counts */
	n = kernel_snprintf(NULL, 0, "%d", 12345);
	assert_int_equal(n, 5);
	n = kernel_snprintf(buf, 1, "abc");
	assert_int_equal(n, 3);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_flags_width_precision),
		cmocka_unit_test(test_strings_chars),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests_name("vsnprintf", tests, NULL, NULL);
}
