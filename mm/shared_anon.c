/*
 * MAP_SHARED anonymous memory: an object holding one frame per page,
 * allocated zeroed on first touch, shared by every area (in every mm) that
 * maps it, so fork()ed processes see each other's writes. The object holds
 * one reference on each of its frames; page-table leaves hold their own.
 *
 * Locking: obj->lock (a leaf lock, under mm->lock) guards frames[].
 */
#include <mm/mm.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <kernel/errno.h>

struct shared_anon {
	int refcount;                   /* atomic: one per area mapping it */
	struct spinlock lock;
	size_t npages;                  /* immutable */
	phys_addr_t frames[];           /* lock: 0 until first touched */
};

void *shared_anon_create(size_t len)
{
	size_t n = len / PAGE_SIZE;
	struct shared_anon *o = kzalloc(sizeof(*o) + n * sizeof(phys_addr_t));

	if (!o)
		return NULL;
	o->refcount = 1;
	o->npages = n;
	spin_lock_init(&o->lock, "shared_anon");
	return o;
}

static void shared_anon_get(void *obj)
{
	struct shared_anon *o = obj;

	__atomic_fetch_add(&o->refcount, 1, __ATOMIC_RELAXED);
}

static void shared_anon_put(void *obj)
{
	struct shared_anon *o = obj;

	if (__atomic_sub_fetch(&o->refcount, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < o->npages; i++)
		if (o->frames[i])
			put_page(phys_to_page(o->frames[i]));
	kfree(o);
}

static int shared_anon_page(void *obj, uint64_t off, unsigned flags, phys_addr_t *pa)
{
	(void)flags;
	struct shared_anon *o = obj;
	size_t i = off / PAGE_SIZE;
	int err = 0;

	if (i >= o->npages)
		return -EFAULT;
	spin_lock(&o->lock);
	if (!o->frames[i])
		o->frames[i] = pmm_alloc_zeroed_frame();
	if (o->frames[i]) {
		*pa = o->frames[i];
		get_page(phys_to_page(*pa));
	} else {
		err = -ENOMEM;
	}
	spin_unlock(&o->lock);
	return err;
}

const struct vm_object_ops shared_anon_ops = {
	.get = shared_anon_get,
	.put = shared_anon_put,
	.page = shared_anon_page,
};
