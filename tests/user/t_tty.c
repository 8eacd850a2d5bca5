/* The console as a terminal (drivers/tty/console.c): Linux's default
 * termios, which opens make it a controlling terminal (/dev/console never,
 * /dev/ttyS0 for a session leader, TIOCSCTTY), /dev/tty, and the settings
 * round trip. Nobody types at the console in the test image, so input
 * paths are t_pty's and the console-jobctl boot's. */
#define _GNU_SOURCE
#include "utest.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>

static int dev_ready(void)
{
	struct stat st;
	if (stat("/dev/console", &st) == 0)
		return 0;
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) && errno != EBUSY)
		return -1;
	return stat("/dev/console", &st);
}

UT_CASE(test_default_termios)
{
	UT_ASSERT(dev_ready() == 0);
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	UT_ASSERT(fd >= 0);
	struct termios t;
	UT_ASSERT(tcgetattr(fd, &t) == 0);
	UT_EXPECT_EQ(t.c_iflag & (ICRNL | IXON), ICRNL | IXON);
	UT_EXPECT_EQ(t.c_oflag & (OPOST | ONLCR), OPOST | ONLCR);
	UT_EXPECT_EQ(t.c_lflag & (ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN),
		     ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN);
	UT_EXPECT_EQ(t.c_cc[VINTR], 3);
	UT_EXPECT_EQ(t.c_cc[VQUIT], 0x1c);
	UT_EXPECT_EQ(t.c_cc[VERASE], 0x7f);
	UT_EXPECT_EQ(t.c_cc[VKILL], 0x15);
	UT_EXPECT_EQ(t.c_cc[VEOF], 4);
	UT_EXPECT_EQ(t.c_cc[VSUSP], 0x1a);
	UT_EXPECT_EQ(t.c_cc[VMIN], 1);
	UT_EXPECT_EQ(cfgetospeed(&t), B38400);
	/* A setting sticks and is seen through another open file. */
	struct termios u = t;
	u.c_lflag &= ~ECHOCTL;
	UT_EXPECT_EQ(tcsetattr(fd, TCSANOW, &u), 0);
	int fd2 = open("/dev/ttyS0", O_RDONLY | O_NOCTTY);
	UT_ASSERT(fd2 >= 0);
	struct termios v;
	UT_EXPECT_EQ(tcgetattr(fd2, &v), 0);
	UT_EXPECT_EQ(v.c_lflag & ECHOCTL, 0);
	UT_EXPECT_EQ(tcsetattr(fd, TCSANOW, &t), 0);
	struct winsize ws;
	UT_EXPECT_EQ(ioctl(fd, TIOCGWINSZ, &ws), 0);
	UT_EXPECT(ws.ws_row > 0 && ws.ws_col > 0);
	/* Output is always writable; nothing typed. */
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	UT_EXPECT_EQ(poll(&p, 1, 0), 1);
	UT_EXPECT_EQ(p.revents, POLLOUT);
	close(fd2);
	close(fd);
}

UT_CASE(test_console_ctty)
{
	UT_ASSERT(dev_ready() == 0);
	pid_t pid = fork();
	if (pid == 0) {
		UT_CK(setsid() == getpid());
		/* /dev/console is not acquired by opening it... */
		int c = open("/dev/console", O_RDWR);
		UT_CK(c >= 0);
		UT_CK(tcgetpgrp(c) == -1 && errno == ENOTTY);
		UT_CK(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
		/* ...but by TIOCSCTTY. */
		UT_CK(ioctl(c, TIOCSCTTY, 0) == 0);
		UT_CK(tcgetpgrp(c) == getpid());
		/* ps sees it as ttyS0 (4:64), as Linux's serial console. */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
		FILE *fp = fopen("/proc/self/stat", "r");
		UT_CK(fp);
		int tty_nr = 0, tpgid = 0;
		UT_CK(fscanf(fp, "%*d (%*[^)]) %*c %*d %*d %*d %d %d", &tty_nr, &tpgid) == 2);
		fclose(fp);
		UT_CK(tty_nr == (4 << 8 | 64) && tpgid == getpid());
		UT_CK(tcgetsid(c) == getpid());
		int t = open("/dev/tty", O_WRONLY);
		UT_CK(t >= 0);
		UT_CK(isatty(t));
		UT_CK(write(t, "", 0) == 0);
		/* A non-leader in the session sees it, and cannot take it. */
		pid_t kid = fork();
		if (kid == 0) {
			UT_CK(tcgetsid(c) == getppid());
			UT_CK(ioctl(c, TIOCSCTTY, 0) == -1 && errno == EPERM);
			_exit(0);
		}
		int st;
		UT_CK(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		_exit(0);
	}
	UT_EXPECT_CHILD_OK(pid);
	/* The leader's exit let it go: /dev/ttyS0 (not O_NOCTTY) makes it
	 * another session leader's. */
	pid = fork();
	if (pid == 0) {
		UT_CK(setsid() == getpid());
		int s = open("/dev/ttyS0", O_RDWR);
		UT_CK(s >= 0);
		UT_CK(tcgetpgrp(s) == getpid());
		/* O_NOCTTY in another new session: not acquired, and this
		 * session's tty is not stealable without privilege flag 1. */
		pid_t kid = fork();
		if (kid == 0) {
			UT_CK(setsid() == getpid());
			int s2 = open("/dev/ttyS0", O_RDWR);
			UT_CK(s2 >= 0);
			UT_CK(tcgetpgrp(s2) == -1 && errno == ENOTTY);
			UT_CK(ioctl(s2, TIOCSCTTY, 0) == -1 && errno == EPERM);
			_exit(0);
		}
		int st;
		UT_CK(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		signal(SIGHUP, SIG_IGN);
		UT_CK(ioctl(s, TIOCNOTTY) == 0);
		UT_CK(tcgetpgrp(s) == -1 && errno == ENOTTY);
		_exit(0);
	}
	UT_EXPECT_CHILD_OK(pid);
}

UT_SUITE("tty", UT_C(test_default_termios), UT_C(test_console_ctty))
