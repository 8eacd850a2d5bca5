/* The kernel's keyboard channel: published by the kernel under
 * GOOS_KEYBOARD_CHANNEL, 0222 (a non-root user may subscribe but not
 * receive from it), not removable, and a subscription (a message carrying
 * a channel) is taken by the kernel thread. Key delivery is tested by the
 * kbd-ps2 boots (tests/user/kbd_ps2.c, typed at through QEMU's QMP). */
#include "chan_util.h"

UT_CASE(test_keyboard_published)
{
	int kb = goos_chan_open(GOOS_KEYBOARD_CHANNEL, GOOS_CHAN_WRONLY);
	UT_ASSERT(kb >= 0);
	struct goos_chan_info info;
	UT_EXPECT_EQ(goos_chan_info(kb, &info), 0);
	UT_EXPECT_EQ(info.published, 1);
	UT_EXPECT_EQ(info.max_msg, 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(100);
		_exit(goos_chan_open(GOOS_KEYBOARD_CHANNEL, GOOS_CHAN_RDONLY) == -1 &&
		      errno == EACCES ? 0 : 1);
	}
	UT_EXPECT_EQ(ct_wait(pid), 0);
	UT_EXPECT_ERR(goos_chan_unpublish(GOOS_KEYBOARD_CHANNEL), EPERM);       /* even root */
	close(kb);
}

/* Subscribing: the kernel thread takes the message (the queue empties)
 * and, holding the subscriber's channel, counts as another holder. */
UT_CASE(test_subscribe_taken)
{
	int kb = goos_chan_open(GOOS_KEYBOARD_CHANNEL, GOOS_CHAN_WRONLY);
	int mine = goos_chan_create(sizeof(struct goos_key_event), 64, 0);
	UT_ASSERT(kb >= 0 && mine >= 0);
	UT_EXPECT_EQ(goos_send_fd(kb, mine), 0);
	struct goos_chan_info info;
	int i;
	for (i = 0; i < 500; i++) {
		goos_chan_info(kb, &info);
		if (info.queued == 0)
			break;
		usleep(1000);
	}
	UT_EXPECT_EQ(info.queued, 0);
	/* A receive with a timeout: no key arrives in a test boot, and the
	 * kernel is another holder, so this times out rather than ending. */
	struct goos_key_event ev;
	struct goos_msg m = goos_msg_bytes(&ev, sizeof(ev));
	struct timespec ts = { 0, 20000000 };
	UT_EXPECT_ERR(goos_chan_recv(mine, &m, 0, &ts), ETIMEDOUT);
	goos_close(mine);               /* ends the subscription at the next key */
	close(mine);
	close(kb);
}

UT_SUITE("chan_kbd", UT_C(test_keyboard_published), UT_C(test_subscribe_taken))
