/*
 * The object space in the kernel: the tracker core (ipc/objspace_core.c)
 * bound to processes' page tables and the frame allocator, the channel
 * contract (ipc/objspace.h), the process-teardown hook and the own_*
 * system calls. docs/objspace.md has the rules.
 *
 * Lock order: own_lock -> mm->space.lock -> pmm_lock. own_lock guards the
 * whole tracker (both trees, every holder, the debug handles). It is never
 * taken with mm->lock held and never held across copy_*_user. A process's
 * holder is removed (own_proc_exit) before its mm is cleared or replaced,
 * so while own_lock is held every holder's proc->mm is alive.
 */
#include <ipc/objspace.h>
#include <ipc/objspace_core.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/spinlock.h>
#include <kernel/syscall.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

_Static_assert(OBJSPACE_PAGE == PAGE_SIZE, "the space's granularity is the page");
_Static_assert(OBJSPACE_END <= USER_SPACE_END, "the space is user space");

/* A process that owns (or owned) something in the space. */
struct own_proc {
	struct own_holder h;
	struct proc *proc;
	struct list_head node;          /* in own_procs */
};

/* Ranges in flight: owned by one message (or one debug handle). */
struct own_xfer {
	struct own_holder h;
};

static struct spinlock own_lock = SPINLOCK_INIT("own_lock");
/* Protected by own_lock. */
static struct own_space space;
static bool space_ready;
static LIST_HEAD(own_procs);
static uint64_t inflight;               /* bundles not yet received or dropped */

/* ---- the core's callbacks ---- */

static phys_addr_t op_alloc_frame(void)
{
	return pmm_alloc_zeroed_frame();        /* refcount 1: the record's */
}

static void op_put_frame(phys_addr_t pa)
{
	put_page(phys_to_page(pa));
}

static struct mm *holder_mm(struct own_holder *h)
{
	return container_of(h, struct own_proc, h)->proc->mm;
}

/* Each mapping holds its own frame reference, as every user leaf does
 * (mm/page.h), so mm teardown drops it like any other. */
static int op_map(struct own_holder *h, uintptr_t va, phys_addr_t pa, bool writable)
{
	struct mm *mm = holder_mm(h);

	if (!mm)
		return -ENOMEM;
	int r = uvm_map_frame(&mm->space, va, pa, VM_READ | (writable ? VM_WRITE : 0));
	if (r == 1)
		get_page(phys_to_page(pa));
	/* -EEXIST: another frame at va, which the reserved space rules out. */
	return r < 0 ? -ENOMEM : 0;
}

static void op_unmap(struct own_holder *h, uintptr_t va, phys_addr_t pa)
{
	struct mm *mm = holder_mm(h);

	if (mm && uvm_clear_frame(&mm->space, va, pa))
		put_page(phys_to_page(pa));
}

static const struct own_space_ops kernel_ops = {
	.alloc_frame = op_alloc_frame,
	.put_frame = op_put_frame,
	.map = op_map,
	.unmap = op_unmap,
};

static void space_init_locked(void)
{
	if (!space_ready) {
		own_space_init(&space, OBJSPACE_BASE, OBJSPACE_END, &kernel_ops);
		space_ready = true;
	}
}

/* p's holder; created when create is set (NULL: no memory, or none). */
static struct own_proc *proc_holder(struct proc *p, bool create)
{
	struct own_proc *op;

	assert_held(&own_lock);
	space_init_locked();
	list_for_each_entry(op, &own_procs, node)
		if (op->proc == p)
			return op;
	if (!create || !(op = kmalloc(sizeof(*op))))
		return NULL;
	own_holder_init(&op->h, p->pid, false);
	op->proc = p;
	list_add_tail(&op->node, &own_procs);
	return op;
}

bool objspace_reserved(uintptr_t addr, size_t len)
{
	return addr < OBJSPACE_END && addr + len > OBJSPACE_BASE;
}

/* ---- the channel contract (ipc/objspace.h) ---- */

int own_send(struct proc *p, const struct own_range *r, unsigned n, struct own_xfer **out)
{
	struct own_xfer *x = kmalloc(sizeof(*x));
	struct own_proc *op;
	int err;

	if (!x)
		return -ENOMEM;
	own_holder_init(&x->h, p->pid, true);
	spin_lock(&own_lock);
	op = proc_holder(p, false);
	/* Owning nothing: a valid range in the space is EPERM, else EINVAL,
	 * as the core says for an empty holder. */
	if (op) {
		err = own_space_move(&space, &op->h, &x->h, r, n);
	} else {
		struct own_holder none;
		own_holder_init(&none, p->pid, false);
		err = own_space_move(&space, &none, &x->h, r, n);
	}
	if (!err)
		inflight++;
	spin_unlock(&own_lock);
	if (err) {
		kfree(x);
		return err;
	}
	*out = x;
	return 0;
}

int own_receive(struct proc *p, struct own_xfer *x, bool isolate)
{
	struct own_proc *op;
	int err = -ENOMEM;

	spin_lock(&own_lock);
	op = proc_holder(p, true);
	if (op)
		err = own_space_take(&space, &x->h, &op->h, isolate);
	if (!err)
		inflight--;
	spin_unlock(&own_lock);
	if (!err)
		kfree(x);
	return err;
}

void own_xfer_drop(struct own_xfer *x)
{
	spin_lock(&own_lock);
	own_space_drop(&space, &x->h);
	inflight--;
	spin_unlock(&own_lock);
	kfree(x);
}

uint64_t own_xfer_bytes(const struct own_xfer *x)
{
	return x->h.bytes;      /* fixed while in flight */
}

void own_proc_exit(struct proc *p)
{
	struct own_proc *op;

	spin_lock(&own_lock);
	op = space_ready ? proc_holder(p, false) : NULL;
	if (op) {
		own_space_drop(&space, &op->h);
		list_del(&op->node);
	}
	spin_unlock(&own_lock);
	kfree(op);
}

/* ---- statistics ---- */

/* The figures for pid (0: system-wide only); -ESRCH if pid is given, owns
 * nothing and has nothing in flight and no such process lives. */
int own_stats_get(int pid, struct own_stats *st)
{
	struct own_proc *op, *found = NULL;

	spin_lock(&own_lock);
	space_init_locked();
	list_for_each_entry(op, &own_procs, node)
		if (op->h.pid == pid)
			found = op;
	own_space_stats(&space, found ? &found->h : NULL, pid, st);
	st->space_pages = space.npages;
	st->space_objects = space.nobjs;
	st->space_inflight = inflight;
	st->space_base = OBJSPACE_BASE;
	st->space_end = OBJSPACE_END;
	spin_unlock(&own_lock);
	return 0;
}

/* Call fn for each process holder's pid (under own_lock: fn must not
 * sleep or take own_lock). */
void own_for_each_pid(void (*fn)(int pid, void *arg), void *arg)
{
	struct own_proc *op;

	spin_lock(&own_lock);
	list_for_each_entry(op, &own_procs, node)
		fn(op->h.pid, arg);
	spin_unlock(&own_lock);
}

/* ---- system calls ---- */

long sys_own_alloc(uint64_t len)
{
	struct proc *p = current_proc();
	struct own_proc *op;
	uintptr_t addr = 0;
	int err = -ENOMEM;

	if (!len)
		return -EINVAL;
	spin_lock(&own_lock);
	op = proc_holder(p, true);
	if (op)
		err = own_space_alloc(&space, &op->h, len, &addr);
	spin_unlock(&own_lock);
	return err ? err : (long)addr;
}

long sys_own_free(uint64_t addr, uint64_t len)
{
	struct own_proc *op;
	int err;

	spin_lock(&own_lock);
	op = proc_holder(current_proc(), false);
	if (op) {
		err = own_space_release(&space, &op->h, addr, len);
	} else {
		struct own_holder none;
		own_holder_init(&none, 0, false);
		err = own_space_release(&space, &none, addr, len);
	}
	spin_unlock(&own_lock);
	return err;
}

static bool pid_lives(int pid)
{
	bool live;

	spin_lock(&proc_tree_lock);
	live = proc_find(pid) != NULL;
	spin_unlock(&proc_tree_lock);
	return live;
}

long sys_own_stat(int pid, struct own_stats *ust)
{
	struct own_stats st;

	if (pid < 0)
		return -EINVAL;
	if (pid == 0)
		pid = current_proc()->pid;
	else if (!pid_lives(pid))
		return -ESRCH;
	own_stats_get(pid, &st);
	return copy_to_user(ust, &st, sizeof(st)) ? -EFAULT : 0;
}

long sys_own_owner(uint64_t addr)
{
	struct own_holder *h;
	long ret;

	if (!objspace_reserved(addr, 1))
		return -EINVAL;
	spin_lock(&own_lock);
	space_init_locked();
	h = own_space_owner(&space, addr);
	ret = !h ? -ENOENT : h->bundle ? 0 : h->pid;
	spin_unlock(&own_lock);
	return ret;
}

/*
 * ---- the debug transfer path ----
 * own_xsend/own_xrecv/own_xdrop drive own_send/own_receive/own_xfer_drop
 * without a channel: a bundle waits under a small integer handle that any
 * process may receive (tests pass it over a pipe). Handles still held at
 * no one's exit stay until received or dropped, as a queued message would.
 */
#define NR_DEBUG_XFERS 64
static struct own_xfer *debug_xfers[NR_DEBUG_XFERS];   /* under own_lock */

static int debug_put(struct own_xfer *x)
{
	int h = -ENOSPC;

	spin_lock(&own_lock);
	for (int i = 0; i < NR_DEBUG_XFERS; i++) {
		if (!debug_xfers[i]) {
			debug_xfers[i] = x;
			h = i;
			break;
		}
	}
	spin_unlock(&own_lock);
	return h;
}

static struct own_xfer *debug_take(int h)
{
	struct own_xfer *x = NULL;

	if (h < 0 || h >= NR_DEBUG_XFERS)
		return NULL;
	spin_lock(&own_lock);
	x = debug_xfers[h];
	debug_xfers[h] = NULL;
	spin_unlock(&own_lock);
	return x;
}

long sys_own_xsend(const struct own_range *ur, unsigned n)
{
	struct own_range *r;
	struct own_xfer *x;
	long err;

	if (n == 0 || n > OWN_MAX_RANGES)
		return -EINVAL;
	r = kmalloc(n * sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = copy_from_user(r, ur, n * sizeof(*r)) ? -EFAULT : 0;
	if (!err)
		err = own_send(current_proc(), r, n, &x);
	kfree(r);
	if (err)
		return err;
	err = debug_put(x);
	if (err < 0) {
		/* Give it back: the sender owned it a moment ago. */
		if (own_receive(current_proc(), x, false))
			own_xfer_drop(x);
	}
	return err;
}

long sys_own_xrecv(int h, unsigned flags)
{
	struct own_xfer *x;
	int err;

	if (flags & ~OWN_ISOLATE)
		return -EINVAL;
	x = debug_take(h);
	if (!x)
		return -EBADF;
	err = own_receive(current_proc(), x, flags & OWN_ISOLATE);
	if (err && debug_put(x) < 0)
		own_xfer_drop(x);
	return err;
}

long sys_own_xdrop(int h)
{
	struct own_xfer *x = debug_take(h);

	if (!x)
		return -EBADF;
	own_xfer_drop(x);
	return 0;
}
