/*
 * libgoos channels: a header-only C library over the channel system calls
 * (docs/channels.md has the Go-to-C table). The raw calls set errno and
 * return -1 like any libc wrapper; the helpers below read like Go:
 *
 *   int ch = goos_make(sizeof(int), 4);            ch := make(chan int, 4)
 *   goos_send(ch, &v, sizeof v);                   ch <- v
 *   goos_recv(ch, &v, sizeof v, &ok);              v, ok := <-ch
 *   goos_close(ch);                                close(ch)
 */
#ifndef LIBGOOS_CHAN_H
#define LIBGOOS_CHAN_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <uapi/goos/chan.h>

/* ---- the system calls ----------------------------------------------------- */

static inline int goos_chan_create(unsigned max_msg, unsigned capacity, int flags)
{
	return (int)syscall(GOOS_NR_chan_create, max_msg, capacity, flags);
}

static inline int goos_chan_send(int fd, const struct goos_msg *m, int flags,
				 const struct timespec *timeout)
{
	return (int)syscall(GOOS_NR_chan_send, fd, m, flags, timeout);
}

/* 1: a message arrived; 0: end of channel. */
static inline int goos_chan_recv(int fd, struct goos_msg *m, int flags,
				 const struct timespec *timeout)
{
	return (int)syscall(GOOS_NR_chan_recv, fd, m, flags, timeout);
}

static inline int goos_chan_close(int fd)
{
	return (int)syscall(GOOS_NR_chan_close, fd);
}

/* The index of the case that happened. */
static inline int goos_chan_select(struct goos_select_case *cases, unsigned n, int flags,
				   const struct timespec *timeout)
{
	return (int)syscall(GOOS_NR_chan_select, cases, n, flags, timeout);
}

static inline int goos_chan_publish(int fd, const char *name, unsigned mode)
{
	return (int)syscall(GOOS_NR_chan_publish, fd, name, mode);
}

static inline int goos_chan_unpublish(const char *name)
{
	return (int)syscall(GOOS_NR_chan_unpublish, name);
}

static inline int goos_chan_open(const char *name, int flags)
{
	return (int)syscall(GOOS_NR_chan_open, name, flags);
}

static inline int goos_chan_info(int fd, struct goos_chan_info *info)
{
	return (int)syscall(GOOS_NR_chan_info, fd, info);
}

/* ---- Go-like helpers -------------------------------------------------------- */

/* make(chan T, capacity) for values of up to elem_size bytes. */
static inline int goos_make(size_t elem_size, unsigned capacity)
{
	return goos_chan_create((unsigned)elem_size, capacity, GOOS_CHAN_CLOEXEC);
}

static inline struct goos_msg goos_msg_bytes(const void *buf, size_t len)
{
	struct goos_msg m = { .data = (uintptr_t)buf, .len = (uint32_t)len };
	return m;
}

/* ch <- v: 0, or -1 with errno (EPIPE: closed). */
static inline int goos_send(int ch, const void *v, size_t len)
{
	struct goos_msg m = goos_msg_bytes(v, len);
	return goos_chan_send(ch, &m, 0, NULL);
}

/* v, ok := <-ch: the message's length (ok) or 0 with *ok false at the end
 * of the channel; -1 with errno on error. */
static inline long goos_recv(int ch, void *v, size_t cap, bool *ok)
{
	struct goos_msg m = goos_msg_bytes(v, cap);
	int r = goos_chan_recv(ch, &m, 0, NULL);
	if (r < 0)
		return -1;
	if (ok)
		*ok = r == 1;
	return r == 1 ? (long)m.len : 0;
}

/* Send descriptor fd (a channel of channels sends channels). */
static inline int goos_send_fd(int ch, int fd)
{
	struct goos_msg m = { .fds = (uintptr_t)&fd, .nfds = 1 };
	return goos_chan_send(ch, &m, 0, NULL);
}

/* Receive one descriptor: the new fd, or -1 (errno; EPIPE at the end). */
static inline int goos_recv_fd(int ch)
{
	int fd = -1;
	struct goos_msg m = { .fds = (uintptr_t)&fd, .nfds = 1,
			      .flags = GOOS_MSG_CMSG_CLOEXEC };
	int r = goos_chan_recv(ch, &m, 0, NULL);
	if (r == 0)
		errno = EPIPE;
	if (r <= 0 || m.nfds != 1)
		return -1;
	return fd;
}

static inline int goos_close(int ch)
{
	return goos_chan_close(ch);
}

/* select { case ...: } built up case by case, run once. */
struct goos_select {
	struct goos_select_case cases[GOOS_SELECT_MAX];
	struct goos_msg msgs[GOOS_SELECT_MAX];
	unsigned n;
};

static inline void goos_select_init(struct goos_select *s)
{
	s->n = 0;
}

/* Add a case; its index (the value goos_select_run returns for it). */
static inline int goos_select_add(struct goos_select *s, int ch, unsigned op,
				  void *buf, size_t len)
{
	unsigned i = s->n++;
	s->msgs[i] = goos_msg_bytes(buf, len);
	s->cases[i] = (struct goos_select_case){ .fd = ch, .op = op,
						 .msg = (uintptr_t)&s->msgs[i] };
	return (int)i;
}

static inline int goos_select_recv(struct goos_select *s, int ch, void *buf, size_t cap)
{
	return goos_select_add(s, ch, GOOS_SELECT_RECV, buf, cap);
}

static inline int goos_select_send(struct goos_select *s, int ch, const void *v, size_t len)
{
	return goos_select_add(s, ch, GOOS_SELECT_SEND, (void *)v, len);
}

/* Run: timeout_ns < 0 waits for ever; GOOS_SELECT_DEFAULT is Go's default
 * case (returns -1, errno EAGAIN, when nothing is ready); otherwise
 * -1/ETIMEDOUT when the time passes. The chosen case's index; for a
 * receive, s->cases[i].result says ok (1) or the end (0). */
#define GOOS_SELECT_DEFAULT (-2)
static inline int goos_select_run(struct goos_select *s, long long timeout_ns)
{
	struct timespec ts = { (time_t)(timeout_ns / 1000000000), (long)(timeout_ns % 1000000000) };
	if (timeout_ns == GOOS_SELECT_DEFAULT)
		return goos_chan_select(s->cases, s->n, GOOS_CHAN_DONTWAIT, NULL);
	return goos_chan_select(s->cases, s->n, 0, timeout_ns < 0 ? NULL : &ts);
}

#endif
