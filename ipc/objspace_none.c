/*
 * TEMPORARY, deleted when the object-space branch is merged: the four
 * functions of ipc/objspace.h with no object space behind them, so the
 * channel branch links on its own. Nothing is owned, so nothing can be
 * sent: own_send fails with EOPNOTSUPP and messages carry no ranges.
 */
#include <ipc/objspace.h>
#include <kernel/errno.h>

int own_send(struct proc *p, const struct own_range *r, unsigned n, struct own_xfer **out)
{
	return -EOPNOTSUPP;
}

int own_receive(struct proc *p, struct own_xfer *x, bool isolate)
{
	return -EOPNOTSUPP;             /* unreachable: no bundle is ever made */
}

void own_xfer_drop(struct own_xfer *x)
{
}

uint64_t own_xfer_bytes(const struct own_xfer *x)
{
	return 0;
}
