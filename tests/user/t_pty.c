/* Pseudo-terminals and the TTY layer through them: posix_openpt/grantpt/
 * unlockpt/ptsname and openpty, devpts nodes, canonical and raw input
 * (erase, kill, werase, lnext, VEOF, VMIN/VTIME), echo and output
 * processing, signal characters to the foreground group, controlling
 * terminals (TIOCSCTTY, TIOCSPGRP rules, /dev/tty), SIGTTIN/SIGTTOU for a
 * background group, window size and SIGWINCH, hang-up on master close,
 * EIO on the master after the slave closes, poll, and errnos. */
#define _GNU_SOURCE
#include "utest.h"
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

static int pts_ready(void)
{
	struct stat st;
	if (stat("/dev/ptmx", &st)) {
		mkdir("/dev", 0755);
		if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) && errno != EBUSY)
			return -1;
	}
	mkdir("/dev/pts", 0755);
	if (mount("devpts", "/dev/pts", "devpts", 0, NULL) && errno != EBUSY)
		return -1;
	return 0;
}

/* A pair: *m the master, *s the slave (both O_NOCTTY). */
static int pair(int *m, int *s)
{
	if (pts_ready())
		return -1;
	*m = posix_openpt(O_RDWR | O_NOCTTY);
	if (*m < 0 || grantpt(*m) || unlockpt(*m))
		return -1;
	*s = open(ptsname(*m), O_RDWR | O_NOCTTY);
	return *s < 0 ? -1 : 0;
}

/* What the master has to read now (up to size-1 bytes, NUL-terminated). */
static int drain(int m, char *buf, size_t size)
{
	size_t n = 0;
	struct pollfd p = { m, POLLIN, 0 };
	while (n < size - 1 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
		ssize_t r = read(m, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return (int)n;
}

static void set_lflag(int fd, tcflag_t on, tcflag_t off)
{
	struct termios t;
	tcgetattr(fd, &t);
	t.c_lflag = (t.c_lflag | on) & ~off;
	tcsetattr(fd, TCSANOW, &t);
}

UT_CASE(test_open_and_names)
{
	UT_ASSERT(pts_ready() == 0);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	UT_ASSERT(m >= 0);
	UT_EXPECT(isatty(m));
	UT_EXPECT_EQ(grantpt(m), 0);
	char *name = ptsname(m);
	UT_ASSERT(name && strncmp(name, "/dev/pts/", 9) == 0);
	unsigned n = 99999;
	UT_EXPECT_EQ(ioctl(m, TIOCGPTN, &n), 0);
	UT_EXPECT_EQ(n, (unsigned)atoi(name + 9));
	struct stat st;
	UT_ASSERT(stat(name, &st) == 0);
	UT_EXPECT(S_ISCHR(st.st_mode));
	UT_EXPECT_EQ(major(st.st_rdev), 136);
	UT_EXPECT_EQ(minor(st.st_rdev), n);
	UT_EXPECT_EQ(st.st_gid, 5);
	/* Locked until unlockpt. */
	int lock = 0;
	UT_EXPECT_EQ(ioctl(m, TIOCGPTLCK, &lock), 0);
	UT_EXPECT_EQ(lock, 1);
	UT_EXPECT_ERR(open(name, O_RDWR | O_NOCTTY), EIO);
	UT_EXPECT_ERR(ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
	UT_EXPECT_EQ(unlockpt(m), 0);
	int s = open(name, O_RDWR | O_NOCTTY);
	UT_ASSERT(s >= 0);
	UT_EXPECT(isatty(s));
	int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	UT_EXPECT(peer >= 0);
	UT_EXPECT(isatty(peer));
	UT_EXPECT_ERR(ioctl(m, TIOCGPTPEER, 0x40000000), EINVAL);
	close(peer);
	close(s);
	close(m);
	/* The node goes with the master. */
	UT_EXPECT_ERR(stat(name, &st), ENOENT);
	/* openpty does the same steps. */
	int a, b;
	char nm[64];
	UT_ASSERT(openpty(&a, &b, nm, NULL, NULL) == 0);
	UT_EXPECT(isatty(a) && isatty(b));
	UT_EXPECT(strncmp(nm, "/dev/pts/", 9) == 0);
	UT_EXPECT_EQ(write(a, "hi\n", 3), 3);
	char buf[16];
	UT_EXPECT_EQ(read(b, buf, sizeof(buf)), 3);
	close(a);
	close(b);
}

UT_CASE(test_canonical_editing)
{
	int m, s;
	char buf[64], echo[128];
	UT_ASSERT(pair(&m, &s) == 0);
	/* erase */
	UT_EXPECT_EQ(write(m, "ab\x7f" "c\n", 5), 5);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 3);
	UT_EXPECT(memcmp(buf, "ac\n", 3) == 0);
	drain(m, echo, sizeof(echo));
	UT_EXPECT(strcmp(echo, "ab\b \bc\r\n") == 0);
	/* kill (ECHOKE: rubbed out), werase, lnext */
	UT_EXPECT_EQ(write(m, "xyz\x15q\n", 6), 6);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 2);
	UT_EXPECT(memcmp(buf, "q\n", 2) == 0);
	drain(m, echo, sizeof(echo));
	UT_EXPECT(strcmp(echo, "xyz\b \b\b \b\b \bq\r\n") == 0);
	UT_EXPECT_EQ(write(m, "foo bar\x17" "baz\n", 12), 12);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 8);
	UT_EXPECT(memcmp(buf, "foo baz\n", 8) == 0);
	drain(m, echo, sizeof(echo));
	UT_EXPECT_EQ(write(m, "a\x16\x7f\x16\x03\n", 6), 6);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 4);
	UT_EXPECT(memcmp(buf, "a\x7f\x03\n", 4) == 0);
	drain(m, echo, sizeof(echo));
	UT_EXPECT(strcmp(echo, "a^\b^?^\b^C\r\n") == 0);
	/* Lines come one per read; a short buffer leaves the rest. */
	UT_EXPECT_EQ(write(m, "one\ntwo\n", 8), 8);
	UT_EXPECT_EQ(read(s, buf, 2), 2);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 2);
	UT_EXPECT(memcmp(buf, "e\n", 2) == 0);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 4);
	/* VEOF: pushes a partial line; at a line's start it is end of file. */
	UT_EXPECT_EQ(write(m, "abc\x04", 4), 4);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 3);
	UT_EXPECT_EQ(write(m, "\x04", 1), 1);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 0);
	/* A partial line is not readable yet: poll, TIOCINQ, O_NONBLOCK. */
	UT_EXPECT_EQ(write(m, "par", 3), 3);
	struct pollfd p = { s, POLLIN, 0 };
	UT_EXPECT_EQ(poll(&p, 1, 0), 0);
	int inq = -1;
	UT_EXPECT_EQ(ioctl(s, FIONREAD, &inq), 0);
	UT_EXPECT_EQ(inq, 0);
	fcntl(s, F_SETFL, O_NONBLOCK);
	UT_EXPECT_ERR(read(s, buf, sizeof(buf)), EAGAIN);
	fcntl(s, F_SETFL, 0);
	UT_EXPECT_EQ(write(m, "t\n", 2), 2);
	UT_EXPECT_EQ(poll(&p, 1, 0), 1);
	UT_EXPECT_EQ(ioctl(s, TIOCINQ, &inq), 0);
	UT_EXPECT_EQ(inq, 5);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 5);
	/* ICRNL (default), IGNCR, ECHOCTL, ECHONL without ECHO */
	UT_EXPECT_EQ(write(m, "a\r", 2), 2);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 2);
	UT_EXPECT(memcmp(buf, "a\n", 2) == 0);
	struct termios t;
	tcgetattr(s, &t);
	t.c_iflag |= IGNCR;
	tcsetattr(s, TCSANOW, &t);
	UT_EXPECT_EQ(write(m, "a\rb\n", 4), 4);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 3);
	UT_EXPECT(memcmp(buf, "ab\n", 3) == 0);
	drain(m, echo, sizeof(echo));
	UT_EXPECT_EQ(write(m, "\x01\n", 2), 2);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 2);
	drain(m, echo, sizeof(echo));
	UT_EXPECT(strcmp(echo, "^A\r\n") == 0);
	set_lflag(s, ECHONL, ECHO);
	UT_EXPECT_EQ(write(m, "secret\n", 7), 7);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 7);
	drain(m, echo, sizeof(echo));
	UT_EXPECT(strcmp(echo, "\r\n") == 0);
	close(s);
	close(m);
}

UT_CASE(test_raw_vmin_vtime)
{
	int m, s;
	char buf[64];
	UT_ASSERT(pair(&m, &s) == 0);
	struct termios t;
	UT_ASSERT(tcgetattr(s, &t) == 0);
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_iflag &= ~ICRNL;
	t.c_iflag |= INLCR;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	UT_ASSERT(tcsetattr(s, TCSANOW, &t) == 0);
	/* MIN 1 TIME 0: what is there, at least one byte; no line editing. */
	UT_EXPECT_EQ(write(m, "x\x7fy\n", 4), 4);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 4);
	UT_EXPECT(memcmp(buf, "x\x7fy\r", 4) == 0);
	/* MIN 0 TIME 0: never waits. */
	t.c_cc[VMIN] = 0;
	tcsetattr(s, TCSANOW, &t);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 0);
	/* MIN 0 TIME 1: gives up after a tenth of a second. */
	t.c_cc[VTIME] = 1;
	tcsetattr(s, TCSANOW, &t);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 0);
	UT_EXPECT_EQ(write(m, "z", 1), 1);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 1);
	/* MIN 3 TIME 0: readable (poll) only at three bytes. */
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &t);
	UT_EXPECT_EQ(write(m, "ab", 2), 2);
	struct pollfd p = { s, POLLIN, 0 };
	UT_EXPECT_EQ(poll(&p, 1, 0), 0);
	UT_EXPECT_EQ(write(m, "c", 1), 1);
	UT_EXPECT_EQ(poll(&p, 1, 0), 1);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 3);
	/* MIN 3 TIME 1: the inter-byte timer ends a short read. */
	t.c_cc[VTIME] = 1;
	tcsetattr(s, TCSANOW, &t);
	UT_EXPECT_EQ(write(m, "a", 1), 1);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 1);
	/* A full MIN is returned at once. */
	UT_EXPECT_EQ(write(m, "defg", 4), 4);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 4);
	/* Back to canonical: what was typed raw becomes a line. */
	UT_EXPECT_EQ(write(m, "rest", 4), 4);
	set_lflag(s, ICANON, 0);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 4);
	/* TCSETSF flushes pending input; TCFLSH too. */
	UT_EXPECT_EQ(write(m, "junk\n", 5), 5);
	tcgetattr(s, &t);
	UT_EXPECT_EQ(tcsetattr(s, TCSAFLUSH, &t), 0);
	int inq = -1;
	UT_EXPECT_EQ(ioctl(s, TIOCINQ, &inq), 0);
	UT_EXPECT_EQ(inq, 0);
	UT_EXPECT_EQ(write(m, "junk\n", 5), 5);
	UT_EXPECT_EQ(tcflush(s, TCIFLUSH), 0);
	UT_EXPECT_EQ(ioctl(s, TIOCINQ, &inq), 0);
	UT_EXPECT_EQ(inq, 0);
	close(s);
	close(m);
}

UT_CASE(test_output_processing)
{
	int m, s;
	char buf[64];
	UT_ASSERT(pair(&m, &s) == 0);
	UT_EXPECT_EQ(write(s, "x\ny", 3), 3);
	drain(m, buf, sizeof(buf));
	UT_EXPECT(strcmp(buf, "x\r\ny") == 0);
	struct termios t;
	tcgetattr(s, &t);
	t.c_oflag &= ~OPOST;
	tcsetattr(s, TCSANOW, &t);
	UT_EXPECT_EQ(write(s, "x\n", 2), 2);
	drain(m, buf, sizeof(buf));
	UT_EXPECT(strcmp(buf, "x\n") == 0);
	int outq = -1;
	UT_EXPECT_EQ(write(s, "abc", 3), 3);
	UT_EXPECT_EQ(ioctl(s, TIOCOUTQ, &outq), 0);
	UT_EXPECT_EQ(outq, 3);
	drain(m, buf, sizeof(buf));
	/* TCOOFF stops output: a non-blocking write takes nothing. */
	UT_EXPECT_EQ(tcflow(s, TCOOFF), 0);
	fcntl(s, F_SETFL, O_NONBLOCK);
	UT_EXPECT_ERR(write(s, "q", 1), EAGAIN);
	UT_EXPECT_EQ(tcflow(s, TCOON), 0);
	UT_EXPECT_EQ(write(s, "q", 1), 1);
	/* IXON: ^S stops, ^Q starts. */
	UT_EXPECT_EQ(write(m, "\x13", 1), 1);
	UT_EXPECT_ERR(write(s, "r", 1), EAGAIN);
	UT_EXPECT_EQ(write(m, "\x11", 1), 1);
	UT_EXPECT_EQ(write(s, "r", 1), 1);
	drain(m, buf, sizeof(buf));
	UT_EXPECT(strcmp(buf, "qr") == 0);
	close(s);
	close(m);
}

UT_CASE(test_errnos)
{
	int m, s, p[2];
	UT_ASSERT(pair(&m, &s) == 0);
	UT_ASSERT(pipe(p) == 0);
	struct termios t;
	UT_EXPECT_ERR(ioctl(p[0], TCGETS, &t), ENOTTY);
	UT_EXPECT_ERR(tcgetattr(p[0], &t), ENOTTY);
	UT_EXPECT_ERR(ioctl(s, 0x54ff, 0), ENOTTY);
	UT_EXPECT_ERR(ioctl(s, TCGETS, (void *)8), EFAULT);
	UT_EXPECT_ERR(ioctl(s, TCSETS, (void *)8), EFAULT);
	UT_EXPECT_ERR(ioctl(s, TCFLSH, 7), EINVAL);
	UT_EXPECT_ERR(ioctl(s, TCXONC, 9), EINVAL);
	UT_EXPECT_ERR(tcsetattr(s, 7, &t), EINVAL);
	UT_EXPECT_ERR(ioctl(s, TIOCGPTN, &t), ENOTTY);
	/* Not our controlling tty. */
	UT_EXPECT_ERR(tcgetpgrp(s), ENOTTY);
	UT_EXPECT_ERR(tcsetpgrp(s, getpgrp()), ENOTTY);
	UT_EXPECT_ERR(tcgetsid(s), ENOTTY);
	UT_EXPECT_ERR(ioctl(s, TIOCNOTTY), ENOTTY);
	/* Not a session leader. */
	UT_EXPECT_ERR(ioctl(s, TIOCSCTTY, 0), EPERM);
	/* No controlling tty at all. */
	UT_EXPECT_ERR(open("/dev/tty", O_RDWR), ENXIO);
	close(p[0]);
	close(p[1]);
	close(s);
	close(m);
}

/* ---- sessions ---- */

static volatile sig_atomic_t got[65];
static void note(int sig) { got[sig]++; }

static void catch(int sig, bool restart)
{
	struct sigaction sa = { .sa_handler = note, .sa_flags = restart ? SA_RESTART : 0 };
	sigaction(sig, &sa, NULL);
}

/* In a child: a new session whose controlling tty is the slave of m (by
 * opening it as session leader). Returns the slave fd. */
static int become_leader(int m)
{
	UT_CK(setsid() == getpid());
	int s = open(ptsname(m), O_RDWR);
	UT_CK(s >= 0);
	UT_CK(tcgetpgrp(s) == getpid());
	UT_CK(tcgetsid(s) == getpid());
	return s;
}

UT_CASE(test_ctty_rules)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	UT_ASSERT(m >= 0 && pts_ready() == 0 && unlockpt(m) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int s = become_leader(m);
		/* /proc/self/stat: tty_nr (136:N) and tpgid. */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
		FILE *fp = fopen("/proc/self/stat", "r");
		UT_CK(fp);
		int tty_nr = 0, tpgid = 0;
		UT_CK(fscanf(fp, "%*d (%*[^)]) %*c %*d %*d %*d %d %d", &tty_nr, &tpgid) == 2);
		fclose(fp);
		unsigned n;
		UT_CK(ioctl(m, TIOCGPTN, &n) == 0);
		UT_CK((unsigned)tty_nr == makedev(136, n) && tpgid == getpid());
		/* /dev/tty is now this terminal. */
		int t = open("/dev/tty", O_RDWR);
		UT_CK(t >= 0);
		UT_CK(write(t, "via-tty", 7) == 7);
		/* TIOCSCTTY on our own tty is fine; on another pair EPERM. */
		UT_CK(ioctl(s, TIOCSCTTY, 0) == 0);
		int m2 = posix_openpt(O_RDWR | O_NOCTTY);
		UT_CK(m2 >= 0 && unlockpt(m2) == 0);
		int s2 = open(ptsname(m2), O_RDWR | O_NOCTTY);
		UT_CK(s2 >= 0);
		UT_CK(ioctl(s2, TIOCSCTTY, 0) == -1 && errno == EPERM);
		/* tcsetpgrp: bad, missing and foreign groups. */
		UT_CK(tcsetpgrp(s, -1) == -1 && errno == EINVAL);
		UT_CK(tcsetpgrp(s, 30001) == -1 && errno == ESRCH);
		UT_CK(tcsetpgrp(s, getpgid(1)) == -1 && errno == EPERM);
		/* A group of this session becomes the foreground. */
		pid_t kid = fork();
		if (kid == 0) {
			setpgid(0, 0);
			pause();
			_exit(0);
		}
		UT_CK(setpgid(kid, kid) == 0);
		UT_CK(tcsetpgrp(s, kid) == 0);
		UT_CK(tcgetpgrp(s) == kid);
		/* The master sees the same group. */
		UT_CK(tcgetpgrp(m) == kid);
		kill(kid, SIGKILL);
		waitpid(kid, NULL, 0);
		_exit(0);
	}
	UT_EXPECT_CHILD_OK(pid);
	char buf[64];
	drain(m, buf, sizeof(buf));
	UT_EXPECT(strstr(buf, "via-tty") != NULL);
	/* Another session cannot take a tty that a session holds... */
	pid = fork();
	if (pid == 0) {
		int s = become_leader(m);
		pid_t kid = fork();
		if (kid == 0) {
			UT_CK(setsid() > 0);
			UT_CK(ioctl(s, TIOCSCTTY, 0) == -1 && errno == EPERM);
			/* ...and opening it does not make it theirs. */
			int s3 = open(ptsname(m), O_RDWR);
			UT_CK(s3 >= 0);
			UT_CK(tcgetpgrp(s3) == -1 && errno == ENOTTY);
			UT_CK(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
			_exit(0);
		}
		int st;
		UT_CK(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		/* The leader gives it up (its foreground group, its own, gets
		 * SIGHUP and SIGCONT, as on Linux). */
		catch(SIGHUP, true);
		UT_CK(ioctl(s, TIOCNOTTY) == 0);
		UT_CK(got[SIGHUP] == 1);
		UT_CK(tcgetpgrp(s) == -1 && errno == ENOTTY);
		_exit(0);
	}
	UT_EXPECT_CHILD_OK(pid);
	close(m);
}

/* A signal character reaches the foreground group (a child in its own
 * group that catches it and exits with the signal number). */
static int signal_char(int m, int s, char c)
{
	char buf[64];
	drain(m, buf, sizeof(buf));     /* echoes of earlier rounds */
	pid_t kid = fork();
	if (kid == 0) {
		setpgid(0, 0);
		got[SIGINT] = got[SIGQUIT] = got[SIGTSTP] = 0;
		catch(SIGINT, false);
		catch(SIGQUIT, false);
		catch(SIGTSTP, false);
		/* Blocked until sigsuspend: one that comes before cannot be
		 * missed. */
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGQUIT);
		sigaddset(&block, SIGTSTP);
		sigprocmask(SIG_BLOCK, &block, &old);
		char ready = 'r';
		UT_CK(write(s, &ready, 1) == 1);   /* through the tty: "ready" */
		for (;;) {
			sigsuspend(&old);
			for (int sig = 1; sig < 32; sig++)
				if (got[sig])
					_exit(sig);
		}
	}
	setpgid(kid, kid);
	UT_CK(tcsetpgrp(s, kid) == 0);
	UT_CK(read(m, buf, 1) == 1 && buf[0] == 'r');
	UT_CK(write(m, &c, 1) == 1);
	int st;
	UT_CK(waitpid(kid, &st, 0) == kid);
	UT_CK(tcsetpgrp(s, getpgrp()) == 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

UT_CASE(test_signal_chars)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	UT_ASSERT(m >= 0 && pts_ready() == 0 && unlockpt(m) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int s = become_leader(m);
		signal(SIGTTOU, SIG_IGN);
		UT_CK(signal_char(m, s, 0x03) == SIGINT);
		UT_CK(signal_char(m, s, 0x1c) == SIGQUIT);
		UT_CK(signal_char(m, s, 0x1a) == SIGTSTP);
		char buf[64];
		drain(m, buf, sizeof(buf));
		/* ISIG flushes what was typed (unless NOFLSH). */
		UT_CK(write(m, "lost", 4) == 4);
		UT_CK(signal_char(m, s, 0x03) == SIGINT);
		UT_CK(write(m, "kept\n", 5) == 5);
		UT_CK(read(s, buf, sizeof(buf)) == 5 && memcmp(buf, "kept\n", 5) == 0);
		set_lflag(s, NOFLSH, 0);
		UT_CK(write(m, "stay", 4) == 4);
		UT_CK(signal_char(m, s, 0x03) == SIGINT);
		UT_CK(write(m, "\n", 1) == 1);
		UT_CK(read(s, buf, sizeof(buf)) == 5 && memcmp(buf, "stay\n", 5) == 0);
		/* Without ISIG ^C is data. */
		set_lflag(s, 0, ISIG);
		UT_CK(write(m, "\x03\n", 2) == 2);
		UT_CK(read(s, buf, sizeof(buf)) == 2 && buf[0] == 3);
		/* The echo of ^C */
		set_lflag(s, ISIG, 0);
		drain(m, buf, sizeof(buf));
		UT_CK(signal_char(m, s, 0x03) == SIGINT);
		drain(m, buf, sizeof(buf));
		UT_CK(strcmp(buf, "^C") == 0);
		_exit(0);
	}
	UT_EXPECT_CHILD_OK(pid);
	close(m);
}

UT_CASE(test_background_access)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	UT_ASSERT(m >= 0 && pts_ready() == 0 && unlockpt(m) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int s = become_leader(m);
		pid_t kid = fork();
		if (kid == 0) {
			/* A background group of the session (not orphaned: the
			 * leader, its parent, is in another group of it). */
			UT_CK(setpgid(0, 0) == 0);
			struct termios t;
			char c;
			UT_CK(tcgetattr(s, &t) == 0);      /* reading settings is allowed */
			catch(SIGTTOU, false);
			UT_CK(tcsetattr(s, TCSANOW, &t) == -1 && errno == EINTR);
			UT_CK(got[SIGTTOU] == 1);
			UT_CK(tcsetpgrp(s, getpgrp()) == -1 && errno == EINTR);
			UT_CK(got[SIGTTOU] == 2);
			/* Writing is allowed unless TOSTOP. */
			UT_CK(write(s, "w", 1) == 1);
			catch(SIGTTIN, false);
			UT_CK(read(s, &c, 1) == -1 && errno == EINTR);
			UT_CK(got[SIGTTIN] == 1);
			/* Ignored: SIGTTOU lets the change happen; a read gets EIO. */
			signal(SIGTTOU, SIG_IGN);
			UT_CK(tcsetattr(s, TCSANOW, &t) == 0);
			signal(SIGTTIN, SIG_IGN);
			UT_CK(read(s, &c, 1) == -1 && errno == EIO);
			/* Blocked counts as ignored. */
			signal(SIGTTIN, SIG_DFL);
			sigset_t set;
			sigemptyset(&set);
			sigaddset(&set, SIGTTIN);
			sigprocmask(SIG_BLOCK, &set, NULL);
			UT_CK(read(s, &c, 1) == -1 && errno == EIO);
			_exit(0);
		}
		int st;
		UT_CK(waitpid(kid, &st, 0) == kid);
		UT_CK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		/* TOSTOP makes background writes raise SIGTTOU. */
		set_lflag(s, TOSTOP, 0);
		kid = fork();
		if (kid == 0) {
			UT_CK(setpgid(0, 0) == 0);
			catch(SIGTTOU, false);
			UT_CK(write(s, "w", 1) == -1 && errno == EINTR);
			UT_CK(got[SIGTTOU] == 1);
			signal(SIGTTOU, SIG_IGN);
			UT_CK(write(s, "w", 1) == 1);
			_exit(0);
		}
		UT_CK(waitpid(kid, &st, 0) == kid);
		UT_CK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		_exit(0);
	}
	UT_EXPECT_CHILD_OK(pid);
	close(m);
}

UT_CASE(test_winsize)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	UT_ASSERT(m >= 0 && pts_ready() == 0 && unlockpt(m) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		catch(SIGWINCH, true);
		int s = become_leader(m);
		struct winsize ws = { .ws_row = 50, .ws_col = 132 }, got_ws;
		UT_CK(ioctl(m, TIOCSWINSZ, &ws) == 0);
		UT_CK(got[SIGWINCH] == 1);
		UT_CK(ioctl(s, TIOCGWINSZ, &got_ws) == 0);
		UT_CK(got_ws.ws_row == 50 && got_ws.ws_col == 132);
		/* The same size again: no signal. */
		UT_CK(ioctl(s, TIOCSWINSZ, &ws) == 0);
		UT_CK(got[SIGWINCH] == 1);
		_exit(0);
	}
	UT_EXPECT_CHILD_OK(pid);
	close(m);
}

UT_CASE(test_hangup)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	UT_ASSERT(m >= 0 && pts_ready() == 0 && unlockpt(m) == 0);
	int go[2];
	UT_ASSERT(pipe(go) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		catch(SIGHUP, true);
		int s = become_leader(m);
		close(m);
		char c;
		UT_CK(read(go[0], &c, 1) == 0);    /* the parent closed the master */
		UT_CK(got[SIGHUP] >= 1);
		UT_CK(read(s, &c, 1) == 0);        /* end of file */
		UT_CK(write(s, "x", 1) == -1 && errno == EIO);
		struct pollfd p = { s, POLLIN, 0 };
		UT_CK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP));
		/* No longer a controlling tty. */
		UT_CK(open("/dev/tty", O_RDWR) == -1 && errno == ENXIO);
		_exit(0);
	}
	close(go[0]);
	/* Wait until the child's session holds the slave. */
	for (int i = 0; i < 1000; i++) {
		int pg = tcgetpgrp(m);
		if (pg == pid)
			break;
		usleep(10000);
	}
	char name[32];
	snprintf(name, sizeof(name), "%s", ptsname(m));
	close(m);
	close(go[1]);
	UT_EXPECT_CHILD_OK(pid);
	struct stat st;
	UT_EXPECT_ERR(stat(name, &st), ENOENT);
}

UT_CASE(test_slave_close)
{
	int m, s;
	UT_ASSERT(pair(&m, &s) == 0);
	UT_EXPECT_EQ(write(s, "bye", 3), 3);
	close(s);
	char buf[16];
	/* What was written is still read, then EIO. */
	UT_EXPECT_EQ(read(m, buf, sizeof(buf)), 3);
	UT_EXPECT_ERR(read(m, buf, sizeof(buf)), EIO);
	UT_EXPECT_ERR(write(m, "x", 1), EIO);
	struct pollfd p = { m, POLLIN, 0 };
	UT_EXPECT_EQ(poll(&p, 1, 0), 1);
	UT_EXPECT(p.revents & POLLHUP);
	/* Opening the slave again brings it back. */
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	UT_ASSERT(s >= 0);
	UT_EXPECT_EQ(write(m, "ok\n", 3), 3);
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 3);
	close(s);
	close(m);
}

/* A blocked slave read wakes for a line written from another process,
 * and a big write through the master flows with the reader. */
UT_CASE(test_blocking_flow)
{
	int m, s;
	UT_ASSERT(pair(&m, &s) == 0);
	struct termios t;
	tcgetattr(s, &t);
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	pid_t pid = fork();
	if (pid == 0) {
		static char big[100000];
		memset(big, 'b', sizeof(big));
		size_t done = 0;
		while (done < sizeof(big)) {
			ssize_t r = write(m, big + done, sizeof(big) - done);
			UT_CK(r > 0);
			done += (size_t)r;
		}
		_exit(0);
	}
	size_t total = 0;
	char buf[1000];
	while (total < 100000) {
		ssize_t r = read(s, buf, sizeof(buf));
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != 'b')
				UT_FAIL("byte %zu is %d", total + (size_t)i, buf[i]);
		total += (size_t)r;
	}
	UT_EXPECT_EQ(total, 100000);
	UT_EXPECT_CHILD_OK(pid);
	close(s);
	close(m);
}

/* With real stops (kernel/signal/jobctl.c): ^Z stops the foreground job,
 * a background reader stops on SIGTTIN and reads once continued in the
 * foreground; a background group whose session leader is gone (orphaned)
 * gets EIO; the leader's exit hangs up its foreground group. */
UT_CASE(test_job_stops)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	UT_ASSERT(m >= 0 && pts_ready() == 0 && unlockpt(m) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		int s = become_leader(m);
		signal(SIGTTOU, SIG_IGN);       /* the leader moves the foreground */
		char buf[64];
		int st;
		/* ^Z stops the foreground job; SIGCONT resumes it. */
		pid_t kid = fork();
		if (kid == 0) {
			setpgid(0, 0);
			/* Read only in the foreground (else SIGTTIN stops us). */
			for (int i = 0; i < 1000 && tcgetpgrp(s) != getpid(); i++)
				usleep(10000);
			UT_CK(write(s, "r", 1) == 1);
			UT_CK(read(s, buf, sizeof(buf)) == 3);     /* "go\n" after the stop */
			_exit(7);
		}
		setpgid(kid, kid);
		UT_CK(tcsetpgrp(s, kid) == 0);
		UT_CK(read(m, buf, 1) == 1 && buf[0] == 'r');      /* it is reading */
		UT_CK(write(m, "\x1a", 1) == 1);
		UT_CK(waitpid(kid, &st, WUNTRACED) == kid);
		UT_CK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
		UT_CK(kill(kid, SIGCONT) == 0);
		UT_CK(write(m, "go\n", 3) == 3);
		UT_CK(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 7);
		UT_CK(tcsetpgrp(s, getpgrp()) == 0);
		/* A background reader stops on SIGTTIN (default action). */
		kid = fork();
		if (kid == 0) {
			setpgid(0, 0);
			ssize_t n = read(s, buf, sizeof(buf));
			_exit(n == 4 && memcmp(buf, "fg!\n", 4) == 0 ? 8 : 1);
		}
		setpgid(kid, kid);
		UT_CK(waitpid(kid, &st, WUNTRACED) == kid);
		UT_CK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN);
		/* fg: make it the foreground, continue it, type. */
		UT_CK(tcsetpgrp(s, kid) == 0);
		UT_CK(kill(kid, SIGCONT) == 0);
		UT_CK(write(m, "fg!\n", 4) == 4);
		UT_CK(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 8);
		UT_CK(tcsetpgrp(s, getpgrp()) == 0);
		/* An orphaned background group: EIO, no stop. The middle child
		 * makes a group and exits; its child is then in a group with no
		 * parent in the session outside it. */
		int p2[2];
		UT_CK(pipe(p2) == 0);
		pid_t mid = fork();
		if (mid == 0) {
			pid_t parent = getpid();
			pid_t g = fork();
			if (g == 0) {
				setpgid(0, 0);
				close(p2[0]);
				for (int i = 0; i < 1000 && getppid() == parent; i++)
					usleep(10000);
				ssize_t n = read(s, buf, 1);
				char r = n == -1 && errno == EIO ? 'E' : 'x';
				write(p2[1], &r, 1);
				_exit(0);
			}
			_exit(0);
		}
		close(p2[1]);
		UT_CK(waitpid(mid, &st, 0) == mid);
		char r = 0;
		UT_CK(read(p2[0], &r, 1) == 1 && r == 'E');
		_exit(0);
	}
	UT_EXPECT_CHILD_OK(pid);
	close(m);
}

/* The session leader's exit sends SIGHUP to the foreground group of its
 * terminal, and the terminal is free for another session. */
UT_CASE(test_leader_exit_hangup)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	UT_ASSERT(m >= 0 && pts_ready() == 0 && unlockpt(m) == 0);
	int ready[2], report[2];
	UT_ASSERT(pipe(ready) == 0 && pipe(report) == 0);
	pid_t leader = fork();
	if (leader == 0) {
		close(report[0]);
		int s = become_leader(m);
		pid_t kid = fork();
		if (kid == 0) {
			/* In the foreground group; reports the SIGHUP it gets. */
			setpgid(0, 0);
			got[SIGHUP] = 0;
			catch(SIGHUP, true);
			sigset_t block, old;
			sigemptyset(&block);
			sigaddset(&block, SIGHUP);
			sigprocmask(SIG_BLOCK, &block, &old);
			UT_CK(write(ready[1], "r", 1) == 1);
			while (!got[SIGHUP])
				sigsuspend(&old);
			UT_CK(write(report[1], "H", 1) == 1);
			_exit(0);
		}
		setpgid(kid, kid);
		signal(SIGTTOU, SIG_IGN);
		UT_CK(tcsetpgrp(s, kid) == 0);
		char c;
		UT_CK(read(ready[0], &c, 1) == 1);
		_exit(0);                       /* the leader goes: hang-up */
	}
	close(report[1]);
	close(ready[1]);
	int st;
	UT_EXPECT_EQ(waitpid(leader, &st, 0), leader);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char c = 0;
	UT_EXPECT_EQ(read(report[0], &c, 1), 1);
	UT_EXPECT_EQ(c, 'H');
	/* No session has it now. */
	UT_EXPECT_EQ(tcgetpgrp(m), 0);
	close(ready[0]);
	close(report[0]);
	close(m);
}

/* Many pairs made and dropped, used from both ends: nothing accumulates
 * (the runner compares free memory around the suite), and the numbers are
 * given back for reuse. */
UT_CASE(test_many_pairs)
{
	int first = -1;
	for (int i = 0; i < 600; i++) {
		int m, s;
		UT_ASSERT(pair(&m, &s) == 0);
		unsigned n;
		UT_ASSERT(ioctl(m, TIOCGPTN, &n) == 0);
		if (first < 0)
			first = (int)n;
		UT_ASSERT(n < 256);
		char buf[8];
		UT_ASSERT(write(m, "x\n", 2) == 2);
		UT_ASSERT(read(s, buf, sizeof(buf)) == 2);
		UT_ASSERT(write(s, "y", 1) == 1);
		if (i % 2)
			close(s);
		close(m);
		if (!(i % 2))
			close(s);
	}
}

/* epoll sees a tty and a master become ready (the wake-ups reach it). */
UT_CASE(test_epoll)
{
	int m, s;
	UT_ASSERT(pair(&m, &s) == 0);
	int ep = epoll_create1(0);
	UT_ASSERT(ep >= 0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = s }, out[2];
	UT_ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) == 0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = m };
	UT_ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev) == 0);
	set_lflag(s, 0, ECHO);
	UT_EXPECT_EQ(epoll_wait(ep, out, 2, 0), 0);
	UT_EXPECT_EQ(write(m, "part", 4), 4);
	UT_EXPECT_EQ(epoll_wait(ep, out, 2, 0), 0);         /* no line yet */
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		UT_CK(write(m, "\n", 1) == 1);
		_exit(0);
	}
	UT_EXPECT_EQ(epoll_wait(ep, out, 2, 10000), 1);
	UT_EXPECT_EQ(out[0].data.fd, s);
	UT_EXPECT_CHILD_OK(pid);
	char buf[16];
	UT_EXPECT_EQ(read(s, buf, sizeof(buf)), 5);
	UT_EXPECT_EQ(write(s, "o", 1), 1);
	UT_EXPECT_EQ(epoll_wait(ep, out, 2, 10000), 1);
	UT_EXPECT_EQ(out[0].data.fd, m);
	close(ep);
	close(s);
	close(m);
}

UT_SUITE("pty",
	 UT_C(test_open_and_names), UT_C(test_canonical_editing), UT_C(test_raw_vmin_vtime),
	 UT_C(test_output_processing), UT_C(test_errnos), UT_C(test_ctty_rules),
	 UT_C(test_signal_chars), UT_C(test_background_access), UT_C(test_winsize),
	 UT_C(test_hangup), UT_C(test_slave_close), UT_C(test_blocking_flow),
	 UT_C(test_job_stops), UT_C(test_leader_exit_hangup), UT_C(test_many_pairs), UT_C(test_epoll))
