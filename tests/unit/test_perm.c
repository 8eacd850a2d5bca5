/* The VFS permission rule (fs/perm.c): owner, group and other classes,
 * supplementary groups, and root's overrides, against path_resolution(7)
 * and access(2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <kernel/errno.h>
#include <fs/perm.h>

#define R MAY_READ
#define W MAY_WRITE
#define X MAY_EXEC

static int check(uint32_t fsuid, uint32_t fsgid, uint32_t mode, int mask)
{
	return vfs_permission_check(fsuid, fsgid, NULL, 0, mode, 100, 200, mask);
}

static void test_owner_class_only(void **state)
{
	(void)state;
	/* The owner gets the owner bits even if group/other are wider. */
	assert_int_equal(check(100, 200, S_IFREG | 0077, R), -EACCES);
	assert_int_equal(check(100, 200, S_IFREG | 0400, R), 0);
	assert_int_equal(check(100, 200, S_IFREG | 0400, R | W), -EACCES);
	assert_int_equal(check(100, 200, S_IFREG | 0700, R | W | X), 0);
}

static void test_group_and_other(void **state)
{
	(void)state;
	assert_int_equal(check(5, 200, S_IFREG | 0040, R), 0);
	assert_int_equal(check(5, 200, S_IFREG | 0004, R), -EACCES);   /* group, not other */
	assert_int_equal(check(5, 6, S_IFREG | 0004, R), 0);
	assert_int_equal(check(5, 6, S_IFREG | 0040, R), -EACCES);
	assert_int_equal(check(5, 6, S_IFREG | 0002, W), 0);
	assert_int_equal(check(5, 6, S_IFDIR | 0001, X), 0);
	assert_int_equal(check(5, 6, S_IFDIR | 0770, X), -EACCES);
}

static void test_supplementary_groups(void **state)
{
	(void)state;
	uint32_t groups[] = { 7, 200, 9 };
	assert_int_equal(vfs_permission_check(5, 6, groups, 3, S_IFREG | 0040, 100, 200, R), 0);
	assert_int_equal(vfs_permission_check(5, 6, groups, 1, S_IFREG | 0040, 100, 200, R), -EACCES);
	assert_int_equal(vfs_permission_check(5, 6, groups, 3, S_IFREG | 0004, 100, 200, R), -EACCES);
}

static void test_root(void **state)
{
	(void)state;
	assert_int_equal(check(0, 0, S_IFREG | 0000, R | W), 0);
	assert_int_equal(check(0, 0, S_IFDIR | 0000, X), 0);     /* search any directory */
	assert_int_equal(check(0, 0, S_IFREG | 0644, X), -EACCES);
	assert_int_equal(check(0, 0, S_IFREG | 0001, X), 0);     /* any x bit will do */
	assert_int_equal(check(0, 0, S_IFREG | 0010, R | X), 0);
}

static void test_empty_mask(void **state)
{
	(void)state;
	assert_int_equal(check(5, 6, S_IFREG | 0000, 0), 0);    /* F_OK: existence only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_class_only),
		cmocka_unit_test(test_group_and_other),
		cmocka_unit_test(test_supplementary_groups),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_empty_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
