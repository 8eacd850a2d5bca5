/* syslog(2) as dmesg uses it: the buffer size, READ_ALL of whole lines in
 * "<level>[seconds] text" form, and the errors for bad arguments. */
#include "utest.h"
#include <string.h>
#include <sys/klog.h>

UT_CASE(test_read_all)
{
	static char buf[256 * 1024];
	int size = klogctl(10, NULL, 0);
	UT_EXPECT(size >= 4096);
	int n = klogctl(3, buf, sizeof(buf));
	UT_ASSERT(n > 0);
	UT_EXPECT(n <= size);
	UT_EXPECT_EQ(buf[0], '<');
	UT_EXPECT_EQ(buf[n - 1], '\n');
	/* A short buffer gets the newest whole lines only. */
	char small[200];
	int m = klogctl(3, small, sizeof(small));
	UT_EXPECT(m >= 0 && m <= (int)sizeof(small));
	if (m > 0) {
		UT_EXPECT_EQ(small[0], '<');
		UT_EXPECT_EQ(small[m - 1], '\n');
	}
}

UT_CASE(test_errors)
{
	char buf[16];
	UT_EXPECT_EQ(klogctl(3, buf, 0), 0);
	UT_EXPECT_ERR(klogctl(3, NULL, 10), EINVAL);
	UT_EXPECT_ERR(klogctl(3, buf, -1), EINVAL);
	UT_EXPECT_ERR(klogctl(3, (char *)8, 4096), EFAULT);
	UT_EXPECT_ERR(klogctl(8, NULL, 0), EINVAL);     /* console level 1..8 */
	UT_EXPECT_ERR(klogctl(8, NULL, 9), EINVAL);
	UT_EXPECT_ERR(klogctl(99, NULL, 0), EINVAL);
	UT_EXPECT_EQ(klogctl(0, NULL, 0), 0);           /* CLOSE, OPEN: nothing to do */
	UT_EXPECT_EQ(klogctl(1, NULL, 0), 0);
}

UT_SUITE("syslog", UT_C(test_read_all), UT_C(test_errors))
