/* The syscall dispatcher: table entries reached by number, -ENOSYS for the
 * rest (reported once), numbers beyond the table. */
#include <kernel/ktest.h>
#include <kernel/errno.h>
#include <kernel/klog.h>
#include <kernel/syscall.h>
#include <kernel/task.h>

static void test_dispatch_by_number(struct ktest *t)
{
	KT_EXPECT_EQ(t, syscall_dispatch(39, 0, 0, 0, 0, 0, 0), current_task()->tid);  /* getpid */
	KT_EXPECT_EQ(t, syscall_dispatch(186, 0, 0, 0, 0, 0, 0), current_task()->tid); /* gettid */
	KT_EXPECT_EQ(t, syscall_dispatch(24, 0, 0, 0, 0, 0, 0), 0);                     /* sched_yield */
}

static void test_enosys_logged_once(struct ktest *t)
{
	uint64_t since = klog_head();

	/* 153 is vhangup: nothing here will ever implement it. */
	KT_EXPECT_EQ(t, syscall_dispatch(153, 0, 0, 0, 0, 0, 0), -ENOSYS);
	KT_EXPECT(t, klog_contains(since, "syscall: vhangup (153) not implemented"));
	since = klog_head();
	KT_EXPECT_EQ(t, syscall_dispatch(153, 0, 0, 0, 0, 0, 0), -ENOSYS);
	KT_EXPECT(t, !klog_contains(since, "vhangup"));
}

static void test_out_of_range(struct ktest *t)
{
	uint64_t since = klog_head();

	KT_EXPECT_EQ(t, syscall_dispatch(100000, 0, 0, 0, 0, 0, 0), -ENOSYS);
	KT_EXPECT_EQ(t, syscall_dispatch(100001, 0, 0, 0, 0, 0, 0), -ENOSYS);
	/* Out-of-table numbers are logged once in all, not once each. */
	KT_EXPECT(t, !klog_contains(since, "(100001)"));
	KT_EXPECT_EQ(t, syscall_dispatch(~0ul, 0, 0, 0, 0, 0, 0), -ENOSYS);
	KT_EXPECT_EQ(t, syscall_dispatch(335, 0, 0, 0, 0, 0, 0), -ENOSYS);  /* a gap in Linux's numbering */
}

static const struct ktest_case syscall_cases[] = {
	KTEST_CASE(test_dispatch_by_number),
	KTEST_CASE(test_enosys_logged_once),
	KTEST_CASE(test_out_of_range),
	{}
};
KTEST_SUITE(syscall, syscall_cases);
