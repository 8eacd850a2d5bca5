/*
 * The object space and its ownership tracker: the contract between
 * channels (ipc/chan*.c) and ownership transfer (ipc/objspace*.c).
 *
 * A message may carry owned memory ranges. Sending detaches them from the
 * sender into an in-flight bundle that the message owns; receiving attaches
 * the bundle to the receiver at the same addresses; a message destroyed
 * unreceived drops it. The rules (which pages stay mapped, when frames are
 * recycled) live in ipc/objspace.c and docs/channels.md.
 */
#pragma once

#include <kernel/types.h>

struct proc;
struct own_xfer;                 /* ranges in flight, owned by one message */

struct own_range {
	uint64_t addr, len;
};

/* Detach ranges r[0..n) owned by p into a new bundle *out. Pages on which p
 * keeps nothing are unmapped from p. 0, -EPERM (p does not own all of it),
 * -EINVAL (bad range) or -ENOMEM; on error nothing changed. */
int own_send(struct proc *p, const struct own_range *r, unsigned n, struct own_xfer **out);

/* Give the bundle's ranges to p, mapped at their addresses; the bundle is
 * consumed. 0 or -ENOMEM (then the bundle is unchanged and still owned by
 * the caller). isolate: p gets pages no other process can write. */
int own_receive(struct proc *p, struct own_xfer *x, bool isolate);

/* The bundle will never be received (its message was destroyed): drop its
 * ownership; frames nobody owns any more are freed. */
void own_xfer_drop(struct own_xfer *x);

/* Bytes the bundle carries (for statistics and limits). */
uint64_t own_xfer_bytes(const struct own_xfer *x);
