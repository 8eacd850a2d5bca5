/* chan_select: Go's select across processes. Uniform choice among ready
 * cases (four always-ready channels, 10,000 selects, each 25% +- 3%),
 * exactly one operation per select, send and receive cases mixed, a
 * default case (DONTWAIT), a timeout, the empty select, a peer completing
 * a blocked select, and the errno paths. */
#include "chan_util.h"

UT_CASE(test_fairness)
{
	int ch[4];
	struct goos_select s;
	int buf[4];

	goos_select_init(&s);
	for (int i = 0; i < 4; i++) {
		ch[i] = goos_chan_create(sizeof(int), 1, 0);
		UT_ASSERT(ch[i] >= 0);
		UT_ASSERT(ct_send_int(ch[i], i) == 0);
		goos_select_recv(&s, ch[i], &buf[i], sizeof(int));
	}
	int count[4] = { 0 };
	for (int n = 0; n < 10000; n++) {
		int r = goos_select_run(&s, GOOS_SELECT_DEFAULT);
		if (r < 0 || r > 3 || buf[r] != r || s.cases[r].result != 1) {
			UT_FAIL("select %d: r=%d errno=%d", n, r, errno);
			break;
		}
		count[r]++;
		ct_send_int(ch[r], r);  /* keep it ready */
	}
	for (int i = 0; i < 4; i++) {
		UT_EXPECT(count[i] >= 2200 && count[i] <= 2800);
		close(ch[i]);
	}
	printf("    # fairness: %d %d %d %d\n", count[0], count[1], count[2], count[3]);
}

/* Exactly one case happens: of two ready sends, one message is queued. */
UT_CASE(test_exactly_one)
{
	int a = goos_chan_create(sizeof(int), 1, 0), b = goos_chan_create(sizeof(int), 1, 0);
	UT_ASSERT(a >= 0 && b >= 0);
	int va = 1, vb = 2;
	for (int n = 0; n < 50; n++) {
		struct goos_select s;
		goos_select_init(&s);
		goos_select_send(&s, a, &va, sizeof(int));
		goos_select_send(&s, b, &vb, sizeof(int));
		int r = goos_select_run(&s, -1);
		UT_ASSERT(r == 0 || r == 1);
		struct goos_chan_info ia, ib;
		goos_chan_info(a, &ia);
		goos_chan_info(b, &ib);
		UT_EXPECT_EQ(ia.queued + ib.queued, 1);
		UT_EXPECT_EQ(r == 0 ? ia.queued : ib.queued, 1);
		UT_EXPECT_EQ(ct_recv_int(r == 0 ? a : b), r == 0 ? 1 : 2);
	}
	close(a);
	close(b);
}

UT_CASE(test_default_and_timeout)
{
	int a = goos_chan_create(sizeof(int), 0, 0), b = goos_chan_create(sizeof(int), 1, 0);
	UT_ASSERT(a >= 0 && b >= 0);
	pid_t holder = ct_holder();
	int x, y = 5;
	struct goos_select s;
	goos_select_init(&s);
	goos_select_recv(&s, a, &x, sizeof(x));
	goos_select_recv(&s, b, &x, sizeof(x));
	goos_select_send(&s, a, &y, sizeof(y));      /* no receiver: not ready */
	UT_EXPECT_ERR(goos_select_run(&s, GOOS_SELECT_DEFAULT), EAGAIN);
	uint64_t t0 = ct_now_ns();
	UT_EXPECT_ERR(goos_select_run(&s, 60000000), ETIMEDOUT);
	uint64_t dt = ct_now_ns() - t0;
	UT_EXPECT(dt >= 60000000ull && dt < 2000000000ull);
	/* A send case becomes ready when there is room. */
	struct goos_select s2;
	goos_select_init(&s2);
	goos_select_recv(&s2, a, &x, sizeof(x));
	goos_select_send(&s2, b, &y, sizeof(y));
	UT_EXPECT_EQ(goos_select_run(&s2, GOOS_SELECT_DEFAULT), 1);
	UT_EXPECT_EQ(ct_recv_int(b), 5);
	/* Nothing queued stayed behind from the cases not taken. */
	struct goos_chan_info info;
	goos_chan_info(a, &info);
	UT_EXPECT_EQ(info.queued + info.recv_waiting + info.send_waiting, 0);
	/* The empty select: a pure sleep. */
	t0 = ct_now_ns();
	struct timespec ts = { 0, 20000000 };
	UT_EXPECT_ERR(goos_chan_select(NULL, 0, 0, &ts), ETIMEDOUT);
	UT_EXPECT(ct_now_ns() - t0 >= 20000000ull);
	UT_EXPECT_ERR(goos_chan_select(NULL, 0, GOOS_CHAN_DONTWAIT, NULL), EAGAIN);
	ct_holder_end(holder);
	close(a);
	close(b);
}

/* A blocked select over receive and send cases is completed by a peer
 * on one channel; the other case does not happen. */
UT_CASE(test_blocked_select_completed_by_peer)
{
	int a = goos_chan_create(sizeof(int), 0, 0), b = goos_chan_create(sizeof(int), 0, 0);
	UT_ASSERT(a >= 0 && b >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(30000);
		int v = ct_recv_int(b); /* takes the select's send */
		_exit(v == 77 ? 0 : 1);
	}
	int x = 0, y = 77;
	struct goos_select s;
	goos_select_init(&s);
	goos_select_recv(&s, a, &x, sizeof(x));
	goos_select_send(&s, b, &y, sizeof(y));
	UT_EXPECT_EQ(goos_select_run(&s, 2000000000), 1);
	UT_EXPECT_EQ(ct_wait(pid), 0);
	/* And the other way: a sender completes a blocked receive case. */
	pid = fork();
	if (pid == 0) {
		usleep(30000);
		_exit(ct_send_int(a, 99) ? 1 : 0);
	}
	goos_select_init(&s);
	goos_select_send(&s, b, &y, sizeof(y));
	goos_select_recv(&s, a, &x, sizeof(x));
	UT_EXPECT_EQ(goos_select_run(&s, 2000000000), 1);
	UT_EXPECT_EQ(x, 99);
	UT_EXPECT_EQ(s.cases[1].result, 1);
	UT_EXPECT_EQ(ct_wait(pid), 0);
	close(a);
	close(b);
}

/* Two processes selecting on the same pair of channels in opposite case
 * order never deadlock and every message arrives once. */
UT_CASE(test_select_ping_pong)
{
	int a = goos_chan_create(sizeof(int), 0, 0), b = goos_chan_create(sizeof(int), 0, 0);
	UT_ASSERT(a >= 0 && b >= 0);
	enum { N = 300 };
	pid_t pid = fork();
	if (pid == 0) {
		int sum = 0;
		for (int i = 0; i < N; i++) {
			int x = 0;
			struct goos_select s;
			goos_select_init(&s);
			goos_select_recv(&s, b, &x, sizeof(x));
			goos_select_recv(&s, a, &x, sizeof(x));
			if (goos_select_run(&s, -1) < 0)
				_exit(2);
			sum += x;
		}
		_exit(sum == N * (N + 1) / 2 ? 0 : 1);
	}
	for (int i = 1; i <= N; i++) {
		struct goos_select s;
		goos_select_init(&s);
		goos_select_send(&s, a, &i, sizeof(i));
		goos_select_send(&s, b, &i, sizeof(i));
		UT_ASSERT(goos_select_run(&s, -1) >= 0);
	}
	UT_EXPECT_EQ(ct_wait(pid), 0);
	close(a);
	close(b);
}

UT_CASE(test_errors)
{
	int a = goos_chan_create(sizeof(int), 1, 0);
	UT_ASSERT(a >= 0);
	int x;
	struct goos_msg m = goos_msg_bytes(&x, sizeof(x));
	struct goos_select_case c = { .fd = a, .op = GOOS_SELECT_RECV, .msg = (uintptr_t)&m };
	UT_EXPECT_ERR(goos_chan_select(&c, GOOS_SELECT_MAX + 1, 0, NULL), EINVAL);
	UT_EXPECT_ERR(goos_chan_select(&c, 1, 0x1000, NULL), EINVAL);
	UT_EXPECT_ERR(goos_chan_select((void *)8, 1, 0, NULL), EFAULT);
	c.op = 3;
	UT_EXPECT_ERR(goos_chan_select(&c, 1, 0, NULL), EINVAL);
	c.op = GOOS_SELECT_RECV;
	c.reserved = 1;
	UT_EXPECT_ERR(goos_chan_select(&c, 1, 0, NULL), EINVAL);
	c.reserved = 0;
	c.fd = 999;
	UT_EXPECT_ERR(goos_chan_select(&c, 1, 0, NULL), EBADF);
	c.fd = a;
	c.msg = 8;
	UT_EXPECT_ERR(goos_chan_select(&c, 1, 0, NULL), EFAULT);
	/* A send to a closed channel in a select: the case fires, -EPIPE. */
	goos_close(a);
	struct goos_select s;
	goos_select_init(&s);
	goos_select_send(&s, a, &x, sizeof(x));
	UT_EXPECT_EQ(goos_select_run(&s, GOOS_SELECT_DEFAULT), 0);
	UT_EXPECT_EQ(s.cases[0].result, -EPIPE);
	close(a);
}

UT_SUITE("chan_select", UT_C(test_fairness), UT_C(test_exactly_one),
	 UT_C(test_default_and_timeout), UT_C(test_blocked_select_completed_by_peer),
	 UT_C(test_select_ping_pong), UT_C(test_errors))
