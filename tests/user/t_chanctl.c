/*
 * chanctl (user/chanctl.c) against a known state: a channel published
 * with a mode and messages queued, and an object received from this
 * process that leaves one page owned by both (dirty). The tool's lines
 * must say exactly that.
 */
#include "objtest.h"
#include "../../user/libgoos/chan.h"

/* Run /bin/chanctl with args; its standard output in out (NUL-ended),
 * its exit status as the result. */
static int chanctl(char *out, size_t cap, const char *a1, const char *a2)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl("/bin/chanctl", "chanctl", a1, a2, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(p[0], out + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(p[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The line of out whose first field is key. */
static const char *line_of(const char *out, const char *key)
{
	size_t k = strlen(key);
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		while (*l == ' ')
			l++;
		if (!strncmp(l, key, k) && (l[k] == ' ' || l[k] == '\t'))
			return l;
	}
	return NULL;
}

static char out[16384];

UT_CASE(lists_published_channel)
{
	int ch = goos_chan_create(8, 3, 0);
	UT_EXPECT(ch >= 0);
	UT_EXPECT_EQ(goos_chan_publish(ch, "t-chanctl", 0640), 0);
	UT_EXPECT_EQ(goos_send(ch, "one", 3), 0);
	UT_EXPECT_EQ(goos_send(ch, "two", 3), 0);

	UT_EXPECT_EQ(chanctl(out, sizeof(out), "list", NULL), 0);
	const char *l = line_of(out, "t-chanctl");
	UT_EXPECT(l != NULL);
	if (l) {
		int pid;
		unsigned uid, gid, mode, max, cap, queued, holders;
		UT_EXPECT_EQ(sscanf(l, "t-chanctl %d %u %u %o %u %u %u %u", &pid, &uid, &gid,
				    &mode, &max, &cap, &queued, &holders), 8);
		UT_EXPECT_EQ(pid, getpid());
		UT_EXPECT_EQ(uid, getuid());
		UT_EXPECT_EQ(mode, 0640u);
		UT_EXPECT_EQ(max, 8u);
		UT_EXPECT_EQ(cap, 3u);
		UT_EXPECT_EQ(queued, 2u);
		UT_EXPECT_EQ(holders, 1u);
	}
	UT_EXPECT_EQ(goos_chan_unpublish("t-chanctl"), 0);
	UT_EXPECT_EQ(chanctl(out, sizeof(out), NULL, NULL), 0);
	UT_EXPECT(line_of(out, "t-chanctl") == NULL);
	close(ch);
}

/* owned, dirty and pending pages of pid from `chanctl own`. */
static int own_line(int pid, unsigned long long v[5])
{
	char key[16];
	snprintf(key, sizeof(key), "%d", pid);
	const char *l = line_of(out, key);
	if (!l)
		return -1;
	return sscanf(l, "%*d %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4]) == 5
		       ? 0 : -1;
}

UT_CASE(shows_owned_dirty_pending_pages)
{
	int ch = goos_chan_create(8, 2, 0);
	int back = goos_chan_create(8, 1, 0);
	UT_EXPECT(ch >= 0 && back >= 0);
	/* Two small objects on one page; the child receives one of them:
	 * the page is then owned by both, dirty for both. */
	char *a = objalloc(100), *b = objalloc(100);
	UT_EXPECT(a && b);
	if (!a || !b)
		return;
	strcpy(b, "yours");
	pid_t pid = fork();
	if (pid == 0) {
		objalloc_forked_child();
		struct goos_range r;
		struct goos_msg m = { .ranges = (uintptr_t)&r, .nranges = 1 };
		if (goos_chan_recv(ch, &m, 0, NULL) != 1 || strcmp((char *)(uintptr_t)r.addr + OBJ_HDR, "yours"))
			_exit(1);
		goos_send(back, "got", 3);
		char c;
		goos_recv(ch, &c, 1, NULL);      /* until the parent closes */
		_exit(0);
	}
	struct own_range o = objrange(b);
	struct goos_range r = { o.addr, o.len };
	struct goos_msg m = { .ranges = (uintptr_t)&r, .nranges = 1 };
	UT_EXPECT_EQ(goos_chan_send(ch, &m, 0, NULL), 0);
	char got[4];
	UT_EXPECT_EQ(goos_recv(back, got, sizeof(got), NULL), 3);

	/* A whole page sent and still queued: pending for this process. */
	char *big = own_alloc(8192);
	UT_EXPECT(big != NULL);
	int q = goos_chan_create(0, 1, 0);
	struct goos_range rb = { (uintptr_t)big, 8192 };
	struct goos_msg mb = { .ranges = (uintptr_t)&rb, .nranges = 1 };
	UT_EXPECT_EQ(goos_chan_send(q, &mb, 0, NULL), 0);

	unsigned long long me[5], child[5];
	UT_EXPECT_EQ(chanctl(out, sizeof(out), "own", NULL), 0);
	UT_EXPECT_EQ(own_line(getpid(), me), 0);
	UT_EXPECT_EQ(own_line(pid, child), 0);
	/* columns: owned_bytes objects owned dirty pending */
	UT_EXPECT(me[2] >= 1 && me[3] >= 1);
	UT_EXPECT_EQ(me[4], 2ull);
	UT_EXPECT_EQ(child[0], (unsigned long long)o.len);
	UT_EXPECT_EQ(child[1], 1ull);
	UT_EXPECT_EQ(child[2], 1ull);
	UT_EXPECT_EQ(child[3], 1ull);
	UT_EXPECT_EQ(child[4], 0ull);

	char spid[16];
	snprintf(spid, sizeof(spid), "%d", pid);
	UT_EXPECT_EQ(chanctl(out, sizeof(out), "own", spid), 0);
	UT_EXPECT(strstr(out, "DirtyPages:") != NULL);
	unsigned long long dirty = 0;
	const char *d = strstr(out, "DirtyPages:");
	UT_EXPECT(d && sscanf(d, "DirtyPages: %llu", &dirty) == 1 && dirty == 1);
	UT_EXPECT(chanctl(out, sizeof(out), "own", "999999") != 0);

	close(q);
	goos_close(ch);
	int st;
	UT_EXPECT_EQ(waitpid(pid, &st, 0), pid);
	UT_EXPECT_EQ(st, 0);
	objfree(a);
	close(ch);
	close(back);
}

UT_SUITE("chanctl", UT_C(lists_published_channel), UT_C(shows_owned_dirty_pending_pages))
