/* Kernel command-line lookups (kernel/cmdline.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <kernel/cmdline.h>

static void test_lookup(void **state)
{
	char buf[32];

	cmdline_init("console=ttyS0  ktest=pmm,acpi quiet loglevel=7 ktest_extra=1");
	assert_true(cmdline_has("quiet"));
	assert_true(cmdline_has("ktest"));
	assert_false(cmdline_has("quie"));
	assert_false(cmdline_has("console=tty"));
	assert_int_equal(cmdline_get("ktest", buf, sizeof(buf)), 8);
	assert_string_equal(buf, "pmm,acpi");
	assert_int_equal(cmdline_get("quiet", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(cmdline_get("missing", buf, sizeof(buf)), -1);
	assert_int_equal(cmdline_get("console", buf, 4), 5);   /* truncated copy */
	assert_string_equal(buf, "tty");
}

static void test_empty(void **state)
{
	cmdline_init(NULL);
	assert_false(cmdline_has("ktest"));
	assert_string_equal(cmdline_raw(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
