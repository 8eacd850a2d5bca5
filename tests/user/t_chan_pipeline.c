/*
 * The zero-copy pipeline demo of the channels issue, as a test: 1 MiB
 * buffers flow through three processes connected by channels,
 *
 *   producer --ch1--> filter --ch2--> consumer
 *
 * The producer fills each buffer and gives it away; the filter transforms
 * it in place and passes it on; the consumer checks it and frees it. No
 * byte is copied: every buffer arrives at the address it was filled at, in
 * the frames it was filled in, so the object space never holds more frames
 * than the buffers the producer allocated, and every frame is recycled
 * once the consumer frees the last buffer. The producer, which keeps
 * nothing on a buffer's pages after sending it, faults if it touches it.
 */
#include "objtest.h"
#include "../../user/libgoos/chan.h"
#include <time.h>

#define BUF_BYTES (1u << 20)
#define BUF_PAGES (BUF_BYTES / 4096)
#define NBUF      24
#define WORDS     (BUF_BYTES / sizeof(uint64_t))

/* The producer's word i of buffer k; the filter adds the stage mark. */
static uint64_t pattern(unsigned k, size_t i)
{
	return ((uint64_t)k << 32) ^ (i * 0x9e3779b97f4a7c15ull);
}

#define FILTER_MARK 0x0101010101010101ull

static int send_buf(int ch, void *buf, unsigned k)
{
	struct goos_range r = { (uintptr_t)buf, BUF_BYTES };
	struct goos_msg m = { .data = (uintptr_t)&k, .len = sizeof(k),
			      .ranges = (uintptr_t)&r, .nranges = 1 };
	return goos_chan_send(ch, &m, 0, NULL);
}

/* The next buffer (and its number in *k), NULL at the end of the channel. */
static uint64_t *recv_buf(int ch, unsigned *k)
{
	struct goos_range r = { 0, 0 };
	struct goos_msg m = { .data = (uintptr_t)k, .len = sizeof(*k),
			      .ranges = (uintptr_t)&r, .nranges = 1 };
	if (goos_chan_recv(ch, &m, 0, NULL) != 1 || m.nranges != 1 || r.len != BUF_BYTES)
		return NULL;
	return (uint64_t *)(uintptr_t)r.addr;
}

static uint64_t space_pages(void)
{
	struct own_stats st;
	return own_stat(0, &st) ? ~0ull : st.space_pages;
}

/* Stage 2: transform in place, pass on. Exit status: 0, or which check
 * failed. */
static int filter(int in, int out, uint64_t limit)
{
	unsigned k;
	uint64_t *b;

	while ((b = recv_buf(in, &k))) {
		if (own_owner(b) != getpid() || own_owner((char *)b + BUF_BYTES - 1) != getpid())
			return 10;
		for (size_t i = 0; i < WORDS; i++)
			b[i] += FILTER_MARK;
		/* Never more frames than the producer's buffers: none were
		 * copied on the way. */
		if (space_pages() > limit)
			return 11;
		if (send_buf(out, b, k))
			return 12;
		if (!faults((volatile char *)b, false))
			return 13;      /* still mapped here after giving it away */
	}
	goos_close(out);
	return 0;
}

/* Stage 3: check and free; the count of buffers seen goes back on done. */
static int consumer(int in, int done)
{
	unsigned k, n = 0;
	uint64_t *b;
	bool seen[NBUF] = { false };

	while ((b = recv_buf(in, &k))) {
		if (k >= NBUF || seen[k])
			return 20;
		seen[k] = true;
		for (size_t i = 0; i < WORDS; i++)
			if (b[i] != pattern(k, i) + FILTER_MARK)
				return 21;
		if (own_free(b, BUF_BYTES))
			return 22;
		n++;
	}
	return goos_send(done, &n, sizeof(n)) ? 23 : 0;
}

static pid_t spawn_stage(int (*fn)(int, int), int a, int b)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(a, b));
	return pid;
}

static uint64_t frame_limit;
static int filter_stage(int a, int b) { return filter(a, b, frame_limit); }

UT_CASE(pipeline_1mib_three_processes)
{
	uint64_t base = space_pages();
	frame_limit = base + (uint64_t)NBUF * BUF_PAGES;
	int ch1 = goos_chan_create(sizeof(unsigned), 2, 0);
	int ch2 = goos_chan_create(sizeof(unsigned), 2, 0);
	int done = goos_chan_create(sizeof(unsigned), 1, 0);
	UT_EXPECT(ch1 >= 0 && ch2 >= 0 && done >= 0);

	pid_t f = spawn_stage(filter_stage, ch1, ch2);
	pid_t c = spawn_stage(consumer, ch2, done);
	UT_EXPECT(f > 0 && c > 0);
	close(ch2);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int sent = 0;
	for (unsigned k = 0; k < NBUF; k++) {
		uint64_t *b = own_alloc(BUF_BYTES);
		if (!b) {
			UT_FAIL("own_alloc: %s", strerror(errno));
			break;
		}
		for (size_t i = 0; i < WORDS; i++)
			b[i] = pattern(k, i);
		if (send_buf(ch1, b, k)) {
			UT_FAIL("send %u: %s", k, strerror(errno));
			break;
		}
		/* The producer kept nothing on these pages: they are gone. */
		UT_EXPECT(faults((volatile char *)b, false));
		UT_EXPECT(faults((volatile char *)b + BUF_BYTES - 1, true));
		sent++;
	}
	goos_close(ch1);

	unsigned got = 0;
	UT_EXPECT_EQ(goos_recv(done, &got, sizeof(got), NULL), (long)sizeof(got));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	UT_EXPECT_EQ(got, (unsigned)sent);
	UT_EXPECT_EQ(sent, NBUF);

	int st;
	UT_EXPECT_EQ(waitpid(f, &st, 0), f);
	UT_EXPECT_EQ(st, 0);
	UT_EXPECT_EQ(waitpid(c, &st, 0), c);
	UT_EXPECT_EQ(st, 0);
	/* Every frame came back once the consumer freed the last buffer. */
	UT_EXPECT_EQ(space_pages(), base);

	double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("    # %d MiB through 3 processes in %.1f ms (filling and checking included)\n",
	       sent, s * 1e3);
	close(ch1);
	close(done);
}

/* A buffer sent whole to a stage that dies before receiving it goes back
 * to nobody: the frames are recycled when the channel is destroyed. */
UT_CASE(pipeline_buffers_freed_when_stage_dies)
{
	uint64_t base = space_pages();
	int ch = goos_chan_create(sizeof(unsigned), 4, 0);
	UT_EXPECT(ch >= 0);
	for (unsigned k = 0; k < 3; k++) {
		uint64_t *b = own_alloc(BUF_BYTES);
		UT_EXPECT(b != NULL);
		if (!b)
			break;
		b[0] = k;
		UT_EXPECT_EQ(send_buf(ch, b, k), 0);
	}
	UT_EXPECT(space_pages() >= base + 3 * BUF_PAGES);
	close(ch);              /* the last holder: the queued messages die */
	UT_EXPECT_EQ(space_pages(), base);
}

UT_SUITE("chan_pipeline", UT_C(pipeline_1mib_three_processes),
	 UT_C(pipeline_buffers_freed_when_stage_dies))
