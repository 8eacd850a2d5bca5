/*
 * Ownership travelling with channel messages (docs/channels.md,
 * docs/objspace.md), end to end: a linked list received at its original
 * addresses, the sender faulting on a page it sent whole, a sender killed
 * while a receiver still reads objects on its dirty pages, and a ring of 8
 * processes passing random objects with ownership conserved throughout.
 * t_objspace covers the same rules through the debug transfer calls.
 */
#include "objtest.h"
#include "../../user/libgoos/chan.h"
#include <sched.h>
#include <time.h>

/* Send the objects' ranges (and their first address as data) on ch. */
static int send_objs(int ch, void **objs, unsigned n)
{
	struct goos_range r[GOOS_MSG_MAX_RANGES];
	uint64_t first = (uintptr_t)objs[0];

	for (unsigned i = 0; i < n; i++) {
		struct own_range o = objrange(objs[i]);
		r[i] = (struct goos_range){ o.addr, o.len };
	}
	struct goos_msg m = { .data = (uintptr_t)&first, .len = sizeof(first),
			      .ranges = (uintptr_t)r, .nranges = n };
	return goos_chan_send(ch, &m, 0, NULL);
}

/* Receive one message carrying ranges: its data word (an address); 0
 * with errno ETIMEDOUT after timeout (NULL: wait). */
static uint64_t recv_objs_timed(int ch, unsigned flags, unsigned *nranges,
				const struct timespec *timeout)
{
	struct goos_range r[GOOS_MSG_MAX_RANGES];
	uint64_t first = 0;
	struct goos_msg m = { .data = (uintptr_t)&first, .len = sizeof(first),
			      .ranges = (uintptr_t)r, .nranges = GOOS_MSG_MAX_RANGES,
			      .flags = flags };
	if (goos_chan_recv(ch, &m, 0, timeout) != 1)
		return 0;
	if (nranges)
		*nranges = m.nranges;
	return first;
}

static uint64_t recv_objs(int ch, unsigned flags, unsigned *nranges)
{
	return recv_objs_timed(ch, flags, nranges, NULL);
}

struct node {
	struct node *next;
	uint64_t value;
};

#define LIST_N 16

static void walk_list(void *arg)
{
	int ch = *(int *)arg;
	unsigned n = 0;
	struct node *head = (struct node *)(uintptr_t)recv_objs(ch, 0, &n);

	if (!head || n != LIST_N)
		_exit(2);
	uint64_t sum = 0, count = 0;
	for (struct node *p = head; p; p = p->next, count++) {
		if (own_owner(p) != getpid())
			_exit(3);
		sum += p->value;
	}
	_exit(count == LIST_N && sum == LIST_N * (LIST_N - 1) / 2 * 7 ? 0 : 4);
}

/* A list built from separately allocated nodes arrives with every pointer
 * still valid: same addresses, same frames, nothing copied. */
UT_CASE(list_received_at_original_addresses)
{
	int ch = goos_chan_create(64, 1, 0);
	UT_ASSERT(ch >= 0);
	pid_t pid = fork();
	if (pid == 0)
		walk_list(&ch);
	void *nodes[LIST_N];
	struct node *head = NULL;
	for (int i = LIST_N - 1; i >= 0; i--) {
		struct node *n = objalloc(sizeof(*n));
		UT_ASSERT(n);
		n->next = head;
		n->value = (uint64_t)i * 7;
		head = n;
		nodes[i] = n;
	}
	UT_EXPECT_EQ(send_objs(ch, nodes, LIST_N), 0);
	int st;
	UT_ASSERT(waitpid(pid, &st, 0) == pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(ch);
}

/* An object big enough for pages of its own: once sent, the sender keeps
 * nothing there and touching it faults; the receiver reads it. */
UT_CASE(sender_faults_on_page_sent_whole)
{
	int ch = goos_chan_create(64, 1, 0);
	UT_ASSERT(ch >= 0);
	char *big = objalloc(3 * 4096);
	UT_ASSERT(big);
	memset(big, 'z', 3 * 4096);
	void *objs[1] = { big };
	UT_EXPECT_EQ(send_objs(ch, objs, 1), 0);
	UT_EXPECT(faults(big + 4096, false));
	UT_EXPECT(faults(big + 2 * 4096, true));
	pid_t pid = fork();
	if (pid == 0) {
		char *got = (char *)(uintptr_t)recv_objs(ch, 0, NULL);
		_exit(got == big && got[4096] == 'z' && got[3 * 4096 - 1] == 'z' ? 0 : 1);
	}
	int st;
	UT_ASSERT(waitpid(pid, &st, 0) == pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(ch);
}

/* The sender keeps an object on the page it shares with the one it sent
 * (a dirty page), then dies by SIGKILL; the receiver still reads its
 * object, and when it is gone too every frame is back. */
UT_CASE(sigkill_while_holding_dirty_pages)
{
	long free0 = memfree_kb();
	UT_ASSERT(free0 > 0);
	uint64_t pages0 = stats(0).space_pages;
	int ch = goos_chan_create(64, 1, 0);
	int go[2];
	UT_ASSERT(ch >= 0 && pipe(go) == 0);

	pid_t sender = fork();
	if (sender == 0) {
		char *kept = objalloc(100), *sent = objalloc(100);
		if (!kept || !sent)
			_exit(1);
		memset(kept, 'k', 100);
		memset(sent, 's', 100);
		void *objs[1] = { sent };
		if (send_objs(ch, objs, 1))
			_exit(2);
		if (kept[99] != 'k')            /* still mapped: the page is dirty */
			_exit(3);
		for (;;)
			pause();
	}
	pid_t receiver = fork();
	if (receiver == 0) {
		volatile char *got = (char *)(uintptr_t)recv_objs(ch, 0, NULL);
		char c;
		if (!got || read(go[0], &c, 1) != 1)   /* the sender is dead now */
			_exit(1);
		for (int i = 0; i < 100; i++)
			if (got[i] != 's')
				_exit(2);
		_exit(own_owner((void *)got) == getpid() ? 0 : 3);
	}
	/* Wait until the message was taken, then kill the sender. */
	for (int i = 0; i < 500 && stats(receiver).owned_bytes == 0; i++)
		usleep(10 * 1000);
	UT_EXPECT(stats(receiver).owned_bytes > 0);
	kill(sender, SIGKILL);
	int st;
	UT_ASSERT(waitpid(sender, &st, 0) == sender);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
		UT_FAIL("sender: wait status %#x", st);
	UT_EXPECT_EQ(write(go[1], "g", 1), 1);
	UT_ASSERT(waitpid(receiver, &st, 0) == receiver);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(ch);
	close(go[0]);
	close(go[1]);
	UT_EXPECT_EQ(stats(0).space_pages, pages0);
	long free1 = memfree_kb();
	if (free1 < free0 - 64)
		UT_FAIL("MemFree %ld kB, was %ld kB", free1, free0);
}

/* ---- the ring ----------------------------------------------------------- */

#define RING_N 8
#define RING_K 4                /* objects each member starts with */

static int ring_ch[RING_N];


static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Member i: pass objects from ring_ch[i] to the next one until the time
 * is up; a quarter are freed and replaced by new ones on the way. */
static void ring_member(int i, double end)
{
	unsigned seed = 4321 + i;
	int next = (i + 1) % RING_N;
	long passed = 0;

	for (int k = 0; k < RING_K; k++) {
		void *o = ring_new(&seed);
		if (send_objs(ring_ch[next], &o, 1))
			_exit(41);
	}
	while (now_s() < end) {
		/* With a timeout: near the end the member before may have
		 * stopped with nothing left for this one. */
		struct timespec tmo = { 0, 200 * 1000 * 1000 };
		struct ring_obj *o = (struct ring_obj *)(uintptr_t)recv_objs_timed(ring_ch[i], 0, NULL, &tmo);
		if (!o && errno == ETIMEDOUT)
			continue;
		if (!o)
			_exit(43);
		if (own_owner(o) != getpid() || !ring_ok(o))
			_exit(45);
		if (rand_r(&seed) % 4 == 0) {
			if (objfree(o))
				_exit(46);
			o = ring_new(&seed);
		}
		void *obj = o;
		if (send_objs(ring_ch[next], &obj, 1))
			_exit(47);
		passed++;
	}
	_exit(passed > 0 ? 0 : 48);
}

/* Eight processes on all CPUs pass objects around a ring of channels (10 s
 * in the static build, 2 s in the others); afterwards the messages still
 * queued are dropped with their channels and the object space holds
 * exactly what it held before. */
UT_CASE(ring_of_8_conserves_ownership)
{
	long free0 = memfree_kb();
	UT_ASSERT(free0 > 0);
	uint64_t pages0 = stats(0).space_pages;
	double secs = strcmp(LINK_MODE, "static") == 0 ? 10 : 2;
	double end = now_s() + secs;
	pid_t pids[RING_N];

	/* Room for every object in flight: no member ever blocks on a send
	 * while its own queue is full, so the ring cannot deadlock. */
	for (int i = 0; i < RING_N; i++)
		UT_ASSERT((ring_ch[i] = goos_chan_create(64, RING_N * RING_K, 0)) >= 0);
	for (int i = 0; i < RING_N; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			ring_member(i, end);
	}
	for (int i = 0; i < RING_N; i++) {
		int st;
		UT_EXPECT_EQ(waitpid(pids[i], &st, 0), pids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			UT_FAIL("member %d: status %#x", i, st);
	}
	struct own_stats st = stats(0);
	UT_EXPECT(st.space_inflight > 0);       /* the objects still queued */
	for (int i = 0; i < RING_N; i++)
		close(ring_ch[i]);              /* destroys them, dropping their ranges */
	st = stats(0);
	UT_EXPECT_EQ(st.space_pages, pages0);
	UT_EXPECT_EQ(st.space_inflight, 0);
	/* The frames are counted exactly above; MemFree also sees the
	 * kernel's slab caches grown for 8 processes and their messages. */
	long free1 = memfree_kb();
	if (free1 < free0 - 256)
		UT_FAIL("MemFree %ld kB, was %ld kB", free1, free0);
}

UT_SUITE("chan_own", UT_C(list_received_at_original_addresses),
	 UT_C(sender_faults_on_page_sent_whole), UT_C(sigkill_while_holding_dirty_pages),
	 UT_C(ring_of_8_conserves_ownership))
