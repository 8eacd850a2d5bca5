/* Process groups and sessions: setpgid/getpgid/getpgrp/setsid/getsid with
 * Linux's errors, kill(-pgrp) and kill(0), wait4 on a group (0, -pgrp) and
 * waitid(P_PGID). */
#include "utest.h"
#include <signal.h>
#include <sys/wait.h>

/* A child that waits for a byte on the pipe (or its end) and exits 0. */
static pid_t parked_child(int p[2])
{
	UT_EXPECT_EQ(pipe(p), 0);
	pid_t c = fork();
	if (c == 0) {
		char b;
		close(p[1]);
		_exit(read(p[0], &b, 1) < 0);
	}
	close(p[0]);
	return c;
}

UT_CASE(test_getters)
{
	UT_EXPECT_EQ(getpgrp(), getpgid(0));
	UT_EXPECT_EQ(getpgid(getpid()), getpgid(0));
	UT_EXPECT_EQ(getsid(0), getsid(getpid()));
	UT_EXPECT(getsid(0) > 0);
	UT_EXPECT_ERR(getpgid(-1), ESRCH);
	UT_EXPECT_ERR(getsid(-1), ESRCH);
	UT_EXPECT_ERR(getpgid(32767), ESRCH);
	UT_EXPECT_ERR(getsid(32767), ESRCH);
	/* A child starts in our group and session. */
	int p[2];
	pid_t c = parked_child(p);
	UT_EXPECT_EQ(getpgid(c), getpgrp());
	UT_EXPECT_EQ(getsid(c), getsid(0));
	close(p[1]);
	int st;
	UT_EXPECT_EQ(waitpid(c, &st, 0), c);
}

UT_CASE(test_setsid)
{
	int q[2];
	UT_ASSERT(pipe(q) == 0);
	pid_t c = fork();
	if (c == 0) {
		pid_t me = getpid();
		int bad = setsid() != me || getsid(0) != me || getpgrp() != me;
		/* A group leader cannot make another session; a session leader
		 * cannot change group. */
		bad |= setsid() != -1 || errno != EPERM;
		bad |= setpgid(0, 0) != -1 || errno != EPERM;
		char b = 0;
		bad |= write(q[1], &b, 1) != 1;
		_exit(bad);
	}
	close(q[1]);
	char b;
	UT_EXPECT_EQ(read(q[0], &b, 1), 1);
	close(q[0]);
	UT_EXPECT_EQ(getsid(c), c);
	UT_EXPECT(getsid(0) != c);
	/* A child in another session: EPERM. */
	UT_EXPECT_ERR(setpgid(c, c), EPERM);
	int st;
	UT_EXPECT_EQ(waitpid(c, &st, 0), c);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

UT_CASE(test_setpgid_and_kill_group)
{
	int p[2];
	pid_t c = parked_child(p);
	UT_EXPECT_ERR(setpgid(-1, 0), EINVAL);
	UT_EXPECT_ERR(setpgid(0, -1), EINVAL);
	if (getppid() > 0)      /* not us, not a child (none when we are init) */
		UT_EXPECT_ERR(setpgid(getppid(), 0), ESRCH);
	UT_EXPECT_ERR(setpgid(32767, 0), ESRCH);
	UT_EXPECT_ERR(setpgid(c, 32767), EPERM);         /* no such group */
	UT_EXPECT_EQ(setpgid(c, 0), 0);                  /* its own group */
	UT_EXPECT_EQ(getpgid(c), c);
	UT_EXPECT_EQ(setpgid(c, getpgrp()), 0);          /* back into ours */
	UT_EXPECT_EQ(getpgid(c), getpgrp());
	UT_EXPECT_EQ(setpgid(c, c), 0);
	UT_EXPECT_EQ(kill(-c, 0), 0);
	UT_EXPECT_EQ(kill(-c, SIGKILL), 0);
	int st;
	UT_EXPECT_EQ(waitpid(-c, &st, 0), c);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	UT_EXPECT_ERR(kill(-c, 0), ESRCH);
	UT_EXPECT_ERR(waitpid(-c, &st, WNOHANG), ECHILD);
	close(p[1]);
}

/* wait4(0) and waitid(P_PGID, 0) see only children in our group. */
UT_CASE(test_wait_by_group)
{
	int pa[2], pb[2];
	pid_t a = parked_child(pa);
	pid_t b = parked_child(pb);
	UT_EXPECT_EQ(setpgid(a, a), 0);
	close(pa[1]);
	close(pb[1]);
	int st;
	UT_EXPECT_EQ(waitpid(0, &st, 0), b);
	UT_EXPECT_ERR(waitpid(0, &st, WNOHANG), ECHILD);
	siginfo_t si;
	UT_EXPECT_ERR(waitid(P_PGID, 0, &si, WEXITED | WNOHANG), ECHILD);
	UT_EXPECT_ERR(waitid(P_PGID, -1, &si, WEXITED), EINVAL);
	UT_EXPECT_EQ(waitid(P_PGID, a, &si, WEXITED), 0);
	UT_EXPECT_EQ(si.si_pid, a);
}

UT_SUITE("pgrp", UT_C(test_getters), UT_C(test_setsid), UT_C(test_setpgid_and_kill_group),
	 UT_C(test_wait_by_group))
