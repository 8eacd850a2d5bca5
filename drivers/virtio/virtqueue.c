/*
 * Split virtqueues (virtio 1.2, 2.7): the driver puts chains of
 * descriptors in the available ring; the device returns their heads in the
 * used ring. Free descriptors form a list through .next.
 *
 * Locking: vq->lock (irqsave) protects the free list, last_used, cookies
 * and the driver's writes to the avail ring.
 */
#include <drivers/virtio/virtio.h>
#include <kernel/errno.h>
#include <mm/phys.h>
#include <asm/io.h>

void virtq_init(struct virtqueue *vq)
{
	spin_lock_init(&vq->lock, "virtqueue");
	for (uint16_t i = 0; i < vq->size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = vq->size;
	vq->last_used = 0;
}

static uint16_t take_desc(struct virtqueue *vq)
{
	uint16_t d = vq->free_head;
	vq->free_head = vq->desc[d].next;
	vq->num_free--;
	return d;
}

int virtq_submit(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned n, void *cookie)
{
	unsigned long flags = spin_lock_irqsave(&vq->lock);
	uint16_t head, prev = 0;

	if (n == 0 || vq->num_free < n) {
		spin_unlock_irqrestore(&vq->lock, flags);
		return n ? -ENOSPC : -EINVAL;
	}
	head = vq->free_head;
	for (unsigned i = 0; i < n; i++) {
		uint16_t d = take_desc(vq);
		vq->desc[d] = (struct vring_desc){
			.addr = virt_to_phys(bufs[i].addr),
			.len = bufs[i].len,
			.flags = bufs[i].device_writes ? VRING_DESC_F_WRITE : 0,
		};
		if (i)
			vq->desc[prev].flags |= VRING_DESC_F_NEXT, vq->desc[prev].next = d;
		prev = d;
	}
	vq->cookie[head] = cookie;
	vq->avail->ring[vq->avail->idx % vq->size] = head;
	/* The device must see the ring entry before the index (2.7.13). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->avail->idx++;
	/* ...and the index before the notification. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->notify)
		mmio_write16(vq->notify, vq->index);
	else
		outw(vq->notify_port, vq->index);
	spin_unlock_irqrestore(&vq->lock, flags);
	return 0;
}

static void free_chain(struct virtqueue *vq, uint16_t head)
{
	uint16_t d = head;

	for (;;) {
		vq->num_free++;
		if (!(vq->desc[d].flags & VRING_DESC_F_NEXT))
			break;
		d = vq->desc[d].next;
	}
	vq->desc[d].next = vq->free_head;
	vq->free_head = head;
}

void *virtq_get_used(struct virtqueue *vq, uint32_t *len)
{
	unsigned long flags = spin_lock_irqsave(&vq->lock);
	void *cookie = NULL;

	/* An entry naming no chain of ours (a device bug) is skipped. */
	while (!cookie && vq->last_used != READ_ONCE(vq->used->idx)) {
		/* Read the element only after seeing the index move. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		struct vring_used_elem e = vq->used->ring[vq->last_used % vq->size];
		vq->last_used++;
		if (e.id < vq->size && vq->cookie[e.id]) {
			cookie = vq->cookie[e.id];
			vq->cookie[e.id] = NULL;
			*len = e.len;
			free_chain(vq, (uint16_t)e.id);
		}
	}
	spin_unlock_irqrestore(&vq->lock, flags);
	return cookie;
}
