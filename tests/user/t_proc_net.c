/*
 * /proc/net/dev as user space reads it: Linux's two header lines, one
 * "name: 16 counters" line per interface, lo always present; the
 * directory lists it.
 */
#include "utest.h"
#include "proc_util.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

UT_CASE(test_dev_format)
{
	static char buf[8192];
	proc_mounted();
	int n = read_all("/proc/net/dev", buf, sizeof(buf));

	UT_ASSERT(n > 0);
	/* Linux's header, as net/core/net-procfs.c prints it. */
	static const char header[] =
		"Inter-|   Receive                            "
		"                    |  Transmit\n"
		" face |bytes    packets errs drop fifo frame "
		"compressed multicast|bytes    packets errs "
		"drop fifo colls carrier compressed\n";
	UT_EXPECT(!strncmp(buf, header, sizeof(header) - 1));
	int lines = 0, lo = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (++lines <= 2)
			continue;
		char name[32];
		unsigned long long v[16];
		int got = sscanf(line, " %31[^:]: %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
				 "%llu %llu %llu %llu %llu %llu", name, &v[0], &v[1], &v[2], &v[3], &v[4],
				 &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13],
				 &v[14], &v[15]);
		UT_EXPECT_EQ(got, 17);
		UT_EXPECT_EQ(line[6], ':');     /* names right-aligned in 6 columns */
		lo += !strcmp(name, "lo");
	}
	UT_EXPECT_EQ(lo, 1);
}

UT_CASE(test_dir_lists_dev)
{
	proc_mounted();
	DIR *d = opendir("/proc/net");
	struct dirent *e;
	int dev = 0;

	UT_ASSERT(d != NULL);
	while ((e = readdir(d)))
		dev += !strcmp(e->d_name, "dev") && e->d_type == DT_REG;
	closedir(d);
	UT_EXPECT_EQ(dev, 1);
	UT_EXPECT_ERR(open("/proc/net/nonexistent", O_RDONLY), ENOENT);
}

UT_SUITE("proc_net", UT_C(test_dev_format), UT_C(test_dir_lists_dev));
