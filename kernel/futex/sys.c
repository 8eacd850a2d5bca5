/*
 * futex(2): decode the operation and its arguments as Linux does (the
 * timeout is read and checked first, then the clock flag, then the
 * operation), and turn timeouts into monotonic deadlines.
 */
#include <kernel/errno.h>
#include <kernel/syscall.h>
#include <kernel/time.h>
#include <mm/uaccess.h>
#include <uapi/linux/futex.h>
#include "internal.h"

struct futex_timespec {
	int64_t tv_sec, tv_nsec;
};

static bool cmd_has_timeout(int cmd)
{
	return cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
	       cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI;
}

static int64_t add_sat(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

/*
 * The deadline in monotonic ns for the timeout at uts: FUTEX_WAIT's is
 * relative (to CLOCK_MONOTONIC), the others' absolute, on CLOCK_REALTIME
 * with FUTEX_CLOCK_REALTIME (converted now: a later clock_settime does not
 * move it). 0, -EFAULT or -EINVAL.
 */
static int read_deadline(const void *uts, int cmd, int op, int64_t *deadline)
{
	struct futex_timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || (uint64_t)ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	int64_t ns = ts.tv_sec > INT64_MAX / (int64_t)NSEC_PER_SEC - 1 ? INT64_MAX :
		     ts.tv_sec * (int64_t)NSEC_PER_SEC + ts.tv_nsec;
	int64_t now = (int64_t)time_ns();
	if (cmd == FUTEX_WAIT)
		*deadline = add_sat(now, ns);
	else if (op & FUTEX_CLOCK_REALTIME)
		*deadline = ns == INT64_MAX ? INT64_MAX : add_sat(now, ns - clock_realtime_ns());
	else
		*deadline = ns;
	return 0;
}

long sys_futex(uint32_t *uaddr, int op, uint32_t val, unsigned long utime, uint32_t *uaddr2,
	       uint32_t val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool private = op & FUTEX_PRIVATE_FLAG;
	int64_t deadline;
	const int64_t *dl = NULL;

	if (utime && cmd_has_timeout(cmd)) {
		int err = read_deadline((const void *)utime, cmd, op, &deadline);
		if (err)
			return err;
		dl = &deadline;
	}
	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	/* For the requeue and wake-op commands the timeout argument is a
	 * count (val2). */
	int val2 = (int)(uint32_t)utime;

	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, private, val, dl, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, private, val, dl, val3);
	case FUTEX_WAKE:
		return futex_wake(uaddr, private, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, private, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, private, uaddr2, (int)val, val2, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, private, uaddr2, (int)val, val2, &val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, private, uaddr2, (int)val, val2, val3);
	default:
		/* FUTEX_FD is gone; the priority-inheritance commands are not
		 * implemented. */
		return -ENOSYS;
	}
}
