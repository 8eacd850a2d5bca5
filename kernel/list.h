/* Intrusive doubly linked circular lists (the usual kernel idiom). */
#pragma once

#include <kernel/types.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void __list_insert(struct list_head *n, struct list_head *prev,
				 struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Insert n right after head (stack order). */
static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_insert(n, head, head->next);
}

/* Insert n right before head (queue order). */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_insert(n, head->prev, head);
}

static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* Move every entry of list to between prev and next; list is left empty. */
static inline void __list_splice_init(struct list_head *list, struct list_head *prev,
				      struct list_head *next)
{
	if (list_empty(list))
		return;
	struct list_head *first = list->next, *last = list->prev;
	first->prev = prev;
	prev->next = first;
	last->next = next;
	next->prev = last;
	list_init(list);
}

/* list's entries go to the front of head, in order. */
static inline void list_splice_init(struct list_head *list, struct list_head *head)
{
	__list_splice_init(list, head, head->next);
}

/* list's entries go to the back of head, in order. */
static inline void list_splice_tail_init(struct list_head *list, struct list_head *head)
{
	__list_splice_init(list, head->prev, head);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_entry(pos, head, member)                              \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);      \
	     &pos->member != (head);                                        \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, tmp, head, member)                    \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),      \
	     tmp = list_entry(pos->member.next, __typeof__(*pos), member);  \
	     &pos->member != (head);                                        \
	     pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*tmp), member))
