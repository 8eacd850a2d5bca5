/*
 * Wait queues: a task sleeps on one until a condition holds (task.h has
 * the wait_event loops). The lost-wake-up race is closed by the order of
 * events: wait_prepare sets SLEEPING (under the queue's lock) before the
 * caller checks its condition; a waker changes the condition before it
 * takes the queue's lock to wake. So either the sleeper sees the condition,
 * or the waker sees it on the queue and makes it RUNNABLE (task_wake on a
 * task that has not switched away yet just sets the state, and schedule()
 * then keeps it running).
 *
 * Wait entries (poll, select, epoll) are callbacks on the same queue: a
 * wake-up runs each under the queue's lock, with interrupts off. Removal
 * takes that lock too, so after wait_entry_remove the callback is done.
 *
 * Lock order: wait_queue.lock -> task.sched_lock -> runqueue.lock (core.c);
 * wait_queue.lock -> whatever a wait entry's callback takes (eventpoll.lock,
 * then other wait queues' locks: docs/poll.md).
 * A task is on a wait queue from wait_prepare to wait_finish, so a waker
 * holding the queue's lock never wakes a task that has exited.
 */
#include "sched.h"

void wait_queue_init(struct wait_queue *wq)
{
	spin_lock_init(&wq->lock, "wait_queue");
	list_init(&wq->waiters);
	list_init(&wq->entries);
}

void wait_prepare(struct wait_queue *wq)
{
	struct task *self = current_task();
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (list_empty(&self->wait_link))
		list_add_tail(&self->wait_link, &wq->waiters);
	WRITE_ONCE(self->state, TASK_SLEEPING);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wait_finish(struct wait_queue *wq)
{
	struct task *self = current_task();
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (!list_empty(&self->wait_link))
		list_del(&self->wait_link);
	spin_unlock_irqrestore(&wq->lock, flags);
	/* Woken or not (the condition came true first), run on. A running
	 * task's cpu is this CPU and stays so. */
	struct runqueue *rq = &rqs[self->cpu];
	flags = spin_lock_irqsave(&rq->lock);
	WRITE_ONCE(self->state, TASK_RUNNABLE);
	spin_unlock_irqrestore(&rq->lock, flags);
}

void wait_queue_wake_all(struct wait_queue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct task *t, *tmp;

	list_for_each_entry_safe(t, tmp, &wq->waiters, wait_link) {
		list_del(&t->wait_link);
		task_wake(t);
	}
	struct wait_entry *e, *etmp;
	list_for_each_entry_safe(e, etmp, &wq->entries, link)
		e->wake(e);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wait_entry_add(struct wait_queue *wq, struct wait_entry *e, void (*wake)(struct wait_entry *e))
{
	e->wake = wake;
	e->wq = wq;
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	list_add_tail(&e->link, &wq->entries);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wait_entry_remove(struct wait_entry *e)
{
	struct wait_queue *wq = e->wq;
	if (!wq)
		return;
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	list_del(&e->link);
	spin_unlock_irqrestore(&wq->lock, flags);
	e->wq = NULL;
}
