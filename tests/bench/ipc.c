/*
 * Benchmarks of passing data between processes (docs/performance.md):
 * 1-byte round trips over pipes and goos channels pinned to one or two
 * CPUs, and 1 MiB copied through a pipe against 1 MiB given away as owned
 * pages over a channel (docs/objspace.md). The goos ones report n/a on
 * Linux (ENOSYS).
 */
#include "bench.h"

typedef int (*xfer_fn)(int fd, char *c);

static int pipe_put(int fd, char *c) { return write(fd, c, 1) == 1 ? 0 : -1; }
static int pipe_get(int fd, char *c) { return read_full(fd, c, 1); }

static int chan_put(int fd, char *c)
{
	struct goos_msg m = { .data = (uintptr_t)c, .len = 1 };
	return syscall(GOOS_NR_chan_send, fd, &m, 0, NULL) == 0 ? 0 : -1;
}

static int chan_get(int fd, char *c)
{
	struct goos_msg m = { .data = (uintptr_t)c, .len = 1 };
	return syscall(GOOS_NR_chan_recv, fd, &m, 0, NULL) == 1 ? 0 : -1;
}

/* iters round trips of one byte: the caller on CPU 0 sends on a and waits
 * on b, a child pinned to child_cpu answers. */
static int pinned_rtt(long iters, int child_cpu, int a, int b, xfer_fn put, xfer_fn get)
{
	int err = pin_to_cpu0();
	if (err)
		return err;
	char c = 'x';
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		if (pin_to_cpu(child_cpu))
			_exit(1);
		for (long i = 0; i < iters; i++)
			if (get(a, &c) || put(b, &c))
				_exit(1);
		_exit(0);
	}
	for (long i = 0; i < iters && !err; i++)
		if (put(a, &c) || get(b, &c))
			err = EIO;
	if (wait_ok(pid))
		err = EIO;
	unpin();
	return err;
}

/* Pipes: pinned_rtt names a direction by one number (0: to the child,
 * 1: back); a pipe has two ends, so these pick the right one. */
static int pipe_a[2], pipe_b[2];
static int pp_put(int fd, char *c) { return pipe_put(fd == 0 ? pipe_a[1] : pipe_b[1], c); }
static int pp_get(int fd, char *c) { return pipe_get(fd == 0 ? pipe_a[0] : pipe_b[0], c); }

static int pipe_rtt_on(long iters, int child_cpu)
{
	if (pipe(pipe_a) || pipe(pipe_b))
		return errno;
	int err = pinned_rtt(iters, child_cpu, 0, 1, pp_put, pp_get);
	close(pipe_a[0]); close(pipe_a[1]); close(pipe_b[0]); close(pipe_b[1]);
	return err;
}

/* goos only: on Linux chan_create fails with ENOSYS and the figure is n/a. */
static int chan_rtt_on(long iters, int child_cpu)
{
	int a = (int)syscall(GOOS_NR_chan_create, 1, 1, 0);
	if (a < 0)
		return errno;
	int b = (int)syscall(GOOS_NR_chan_create, 1, 1, 0);
	if (b < 0) {
		close(a);
		return errno;
	}
	int err = pinned_rtt(iters, child_cpu, a, b, chan_put, chan_get);
	close(a);
	close(b);
	return err;
}

int b_pipe_rtt_1cpu(long iters) { return pipe_rtt_on(iters, 0); }
int b_pipe_rtt_2cpu(long iters) { return need_two_cpus() ?: pipe_rtt_on(iters, 1); }
int b_chan_rtt_1cpu(long iters) { return chan_rtt_on(iters, 0); }
int b_chan_rtt_2cpu(long iters) { return need_two_cpus() ?: chan_rtt_on(iters, 1); }

/* ---- 1 MiB moved: copied through pipes, or given away by ownership -------
 *
 * Both bounce one 1 MiB buffer between two processes (one iteration is
 * two one-way transfers; the figure is per one-way transfer). The pipe
 * copies the bytes twice (in and out of the kernel); the ownership
 * transfer remaps the buffer's frames from one process to the other. The
 * receiver of an owned buffer reads one word of every page, so mapping
 * it in is counted; the pipe's reader has touched every byte already.
 * Both processes run on CPU 0, so the figures are the work of the
 * transfer, not the latency of waking another CPU. */
#define XFER_BYTES (1u << 20)


static int pipe_1m_side(int rd, int wr, char *buf, long iters, int first)
{
	for (long i = 0; i < iters; i++) {
		if (first && write(wr, buf, XFER_BYTES) != XFER_BYTES)
			return EIO;
		if (read_all(rd, buf, XFER_BYTES))
			return EIO;
		if (!first && write(wr, buf, XFER_BYTES) != XFER_BYTES)
			return EIO;
	}
	return 0;
}

int b_pipe_1m(long iters)
{
	int a[2], b[2], err = 0;
	char *buf = malloc(XFER_BYTES);
	if (!buf || pipe(a) || pipe(b))
		return ENOMEM;
	memset(buf, 'p', XFER_BYTES);
	if ((err = pin_to_cpu0()))
		return err;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(pipe_1m_side(a[0], b[1], buf, iters, 0) ? 1 : 0);
	err = pipe_1m_side(b[0], a[1], buf, iters, 1);
	if (wait_ok(pid))
		err = EIO;
	unpin();
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);
	free(buf);
	return err;
}

/* Give the range away on one channel; take it back from the other. */
static int own_1m_side(int in, int out, void *buf, size_t len, long iters, int first)
{
	struct goos_range r = { (uintptr_t)buf, len };
	for (long i = 0; i < iters; i++) {
		struct goos_msg m = { .ranges = (uintptr_t)&r, .nranges = 1 };
		if (first && syscall(GOOS_NR_chan_send, out, &m, 0, NULL))
			return errno;
		m.nranges = 1;
		if (syscall(GOOS_NR_chan_recv, in, &m, 0, NULL) != 1 || m.nranges != 1 ||
		    r.addr != (uintptr_t)buf || r.len != len)
			return EIO;
		for (size_t off = 0; off < len; off += 4096)
			if (((volatile char *)buf)[off] != 'o')
				return EIO;
		m.nranges = 1;
		if (!first && syscall(GOOS_NR_chan_send, out, &m, 0, NULL))
			return errno;
	}
	return 0;
}

/* goos only: on Linux own_alloc fails with ENOSYS and the figure is n/a. */
static int own_xfer(long iters, size_t len)
{
	char *buf = (char *)syscall(SYS_own_alloc, len);
	if (buf == (char *)-1)
		return errno;
	memset(buf, 'o', len);
	int a = (int)syscall(GOOS_NR_chan_create, 0, 1, 0);
	int b = (int)syscall(GOOS_NR_chan_create, 0, 1, 0);
	if (a < 0 || b < 0)
		return errno;
	int err = pin_to_cpu0();
	if (err)
		return err;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(own_1m_side(a, b, buf, len, iters, 0) ? 1 : 0);
	err = own_1m_side(b, a, buf, len, iters, 1);
	if (wait_ok(pid))
		err = EIO;
	unpin();
	close(a);
	close(b);
	syscall(SYS_own_free, buf, len);
	return err;
}

int b_own_xfer_1m(long iters) { return own_xfer(iters, XFER_BYTES); }
int b_own_xfer_64k(long iters) { return own_xfer(iters, 64 * 1024); }
