/* The channel namespace: publish, open by name with the owner's mode
 * (EACCES for another user), EEXIST, unpublish (EPERM for others), the
 * name withdrawn when its publisher exits, /proc/channels, and the
 * kernel's keyboard channel being there. */
#include "chan_util.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define NAME "test/t_chan_name"

/* /proc mounted (run-prog boots without it). */
static void proc_ready(void)
{
	struct stat st;
	if (stat("/proc/self", &st) == 0)
		return;
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
}

static bool proc_lists(const char *name)
{
	char buf[4096];
	proc_ready();
	int fd = open("/proc/channels", O_RDONLY);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return strstr(buf, name) != NULL;
}

UT_CASE(test_publish_open)
{
	int ch = goos_chan_create(sizeof(int), 2, 0);
	UT_ASSERT(ch >= 0);
	UT_EXPECT_EQ(goos_chan_publish(ch, NAME, 0600), 0);
	UT_EXPECT_ERR(goos_chan_publish(ch, NAME, 0600), EEXIST);
	UT_EXPECT(proc_lists(NAME));
	int w = goos_chan_open(NAME, GOOS_CHAN_WRONLY), r = goos_chan_open(NAME, GOOS_CHAN_RDONLY);
	UT_ASSERT(w >= 0 && r >= 0);
	UT_EXPECT_EQ(ct_send_int(w, 31), 0);
	UT_EXPECT_EQ(ct_recv_int(ch), 31);
	UT_EXPECT_EQ(ct_send_int(ch, 32), 0);
	UT_EXPECT_EQ(ct_recv_int(r), 32);
	/* Access modes: reading is receiving, writing is sending. */
	UT_EXPECT_ERR(ct_send_int(r, 1), EBADF);
	int v;
	struct goos_msg m = goos_msg_bytes(&v, sizeof(v));
	UT_EXPECT_ERR(goos_chan_recv(w, &m, 0, NULL), EBADF);
	UT_EXPECT_ERR(goos_chan_close(r), EBADF);
	struct goos_chan_info info;
	UT_EXPECT_EQ(goos_chan_info(ch, &info), 0);
	UT_EXPECT_EQ(info.published, 1);
	UT_EXPECT_EQ(info.handles, 3);
	close(w);
	close(r);
	UT_EXPECT_EQ(goos_chan_unpublish(NAME), 0);
	UT_EXPECT_ERR(goos_chan_unpublish(NAME), ENOENT);
	UT_EXPECT_ERR(goos_chan_open(NAME, GOOS_CHAN_RDWR), ENOENT);
	UT_EXPECT(!proc_lists(NAME));
	close(ch);
}

UT_CASE(test_errors)
{
	int ch = goos_chan_create(8, 1, 0);
	UT_ASSERT(ch >= 0);
	char longname[GOOS_CHAN_NAME_MAX + 1];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[GOOS_CHAN_NAME_MAX] = 0;
	UT_EXPECT_ERR(goos_chan_publish(ch, longname, 0600), ENAMETOOLONG);
	UT_EXPECT_ERR(goos_chan_publish(ch, "", 0600), ENOENT);
	UT_EXPECT_ERR(goos_chan_publish(ch, "bad name", 0600), EINVAL);
	UT_EXPECT_ERR(goos_chan_publish(ch, NAME, 01000), EINVAL);
	UT_EXPECT_ERR(goos_chan_publish(ch, (void *)8, 0600), EFAULT);
	UT_EXPECT_ERR(goos_chan_publish(0, NAME, 0600), EINVAL);
	UT_EXPECT_ERR(goos_chan_publish(999, NAME, 0600), EBADF);
	UT_EXPECT_ERR(goos_chan_open("no-such-channel", 0), ENOENT);
	UT_EXPECT_ERR(goos_chan_open(NAME, 3), EINVAL);
	UT_EXPECT_ERR(goos_chan_open(NAME, 0x10), EINVAL);
	close(ch);
}

/* A non-root process: EACCES per the mode; EPERM to unpublish. */
UT_CASE(test_permissions)
{
	int ch = goos_chan_create(sizeof(int), 1, 0);
	UT_ASSERT(ch >= 0);
	UT_ASSERT(goos_chan_publish(ch, NAME, 0602) == 0);    /* others may send only */
	pid_t pid = fork();
	if (pid == 0) {
		int bad = 0;
		if (setgid(1000) || setuid(1000))
			_exit(100);
		bad |= !(goos_chan_open(NAME, GOOS_CHAN_RDONLY) == -1 && errno == EACCES) << 0;
		bad |= !(goos_chan_open(NAME, GOOS_CHAN_RDWR) == -1 && errno == EACCES) << 1;
		int w = goos_chan_open(NAME, GOOS_CHAN_WRONLY);
		bad |= (w < 0) << 2;
		bad |= (ct_send_int(w, 5) != 0) << 3;
		bad |= !(goos_chan_unpublish(NAME) == -1 && errno == EPERM) << 4;
		_exit(bad);
	}
	UT_EXPECT_EQ(ct_wait(pid), 0);
	UT_EXPECT_EQ(ct_recv_int(ch), 5);
	UT_EXPECT_EQ(goos_chan_unpublish(NAME), 0);
	UT_ASSERT(goos_chan_publish(ch, NAME, 0600) == 0);
	pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(100);
		_exit(goos_chan_open(NAME, GOOS_CHAN_WRONLY) == -1 && errno == EACCES ? 0 : 1);
	}
	UT_EXPECT_EQ(ct_wait(pid), 0);
	UT_EXPECT_EQ(goos_chan_unpublish(NAME), 0);
	close(ch);
}

/* The name goes when its publisher exits, so a new one can take it; a
 * receiver on it then sees the end once no one else holds the channel. */
UT_CASE(test_withdrawn_on_exit)
{
	int ready = goos_chan_create(0, 0, 0);
	UT_ASSERT(ready >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		int ch = goos_chan_create(sizeof(int), 1, GOOS_CHAN_CLOEXEC);
		if (goos_chan_publish(ch, NAME, 0666))
			_exit(1);
		ct_send_int(ch, 8);
		goos_send(ready, NULL, 0);      /* published */
		usleep(30000);
		_exit(0);
	}
	UT_EXPECT_EQ(goos_recv(ready, NULL, 0, NULL), 0);
	int ch = goos_chan_open(NAME, GOOS_CHAN_RDONLY);
	UT_ASSERT(ch >= 0);
	UT_EXPECT_EQ(ct_recv_int(ch), 8);
	UT_EXPECT_EQ(ct_recv_int(ch), -1);      /* publisher gone: the end, not a hang */
	UT_EXPECT_EQ(ct_wait(pid), 0);
	UT_EXPECT_ERR(goos_chan_open(NAME, GOOS_CHAN_RDONLY), ENOENT);
	int again = goos_chan_create(8, 1, 0);
	UT_EXPECT_EQ(goos_chan_publish(again, NAME, 0600), 0);
	UT_EXPECT_EQ(goos_chan_unpublish(NAME), 0);
	close(again);
	close(ch);
	close(ready);
}

UT_SUITE("chan_name", UT_C(test_publish_open), UT_C(test_errors), UT_C(test_permissions),
	 UT_C(test_withdrawn_on_exit))
