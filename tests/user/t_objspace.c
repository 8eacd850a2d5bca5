/*
 * The object space (docs/objspace.md): allocation, errors, ownership moving
 * between processes with the debug transfer calls (own_xsend/own_xrecv, the
 * kernel's own_send/own_receive without a channel), the sender faulting on
 * a page it sent whole, dirty pages, isolation, a linked list walked at its
 * original addresses in the receiver, and cleanup at exit and SIGKILL with
 * the frame counts back where they started.
 */
#include "objtest.h"
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/auxv.h>
#include <sys/stat.h>

static int pipefd[2];

static void touch_read(void *p) { _exit(*(volatile char *)p == 0 ? 1 : 2); }

UT_CASE(alloc_and_errors)
{
	uint64_t pages0 = stats(0).space_pages;
	char *p = own_alloc(3 * 4096 - 5);

	UT_ASSERT(p != NULL);
	UT_EXPECT((uintptr_t)p >= OBJSPACE_BASE && (uintptr_t)p < OBJSPACE_END);
	UT_EXPECT_EQ((uintptr_t)p % 4096, 0);
	UT_EXPECT_EQ(p[0] | p[3 * 4096 - 1], 0);        /* zeroed, whole pages */
	memset(p, 0x5a, 3 * 4096);
	struct own_stats st = stats(0);
	UT_EXPECT_EQ(st.owned_bytes, 3 * 4096);
	UT_EXPECT_EQ(st.owned_pages, 3);
	UT_EXPECT_EQ(st.space_pages, pages0 + 3);
	UT_EXPECT_EQ(own_owner(p + 100), getpid());

	errno = 0;
	UT_EXPECT(own_alloc(0) == NULL && errno == EINVAL);
	UT_EXPECT_ERR(own_free(p, 0), EINVAL);
	UT_EXPECT_ERR(own_free((void *)0x10000, 16), EINVAL);
	UT_EXPECT_ERR(own_free(p + 3 * 4096, 16), EPERM);   /* nobody's */
	UT_EXPECT_ERR(own_owner((void *)0x10000), EINVAL);
	UT_EXPECT_ERR(own_stat(-1, &st), EINVAL);
	UT_EXPECT_ERR(own_stat(0, (void *)8), EFAULT);
	UT_EXPECT_ERR(own_xsend(NULL, 0), EINVAL);
	UT_EXPECT_ERR(own_xsend((void *)8, 1), EFAULT);
	UT_EXPECT_ERR(own_xrecv(-1, 0), EBADF);
	UT_EXPECT_ERR(own_xrecv(0, 2), EINVAL);
	UT_EXPECT_ERR(own_xdrop(63), EBADF);
	/* The space is reserved: mmap and munmap keep out of it. */
	UT_EXPECT(mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED);
	UT_EXPECT_ERR(munmap(p, 4096), EINVAL);
	UT_EXPECT_ERR(mprotect(p, 4096, PROT_READ), ENOMEM);
	UT_EXPECT_ERR(madvise(p, 4096, MADV_DONTNEED), ENOMEM);
	UT_EXPECT_EQ(p[5], 0x5a);                          /* still there */
	void *m = mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	UT_EXPECT(m != MAP_FAILED && m != p);
	munmap(m, 4096);

	/* A forked child inherits descriptors, not ownership: nothing mapped. */
	int s = in_child(touch_read, p);
	UT_EXPECT(WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV);

	/* Freeing the middle page unmaps it; the others stay. */
	UT_EXPECT_EQ(own_free(p + 4096, 4096), 0);
	UT_EXPECT_EQ(stats(0).space_pages, pages0 + 2);
	UT_EXPECT_EQ(own_owner(p + 4096), -1);
	UT_EXPECT_EQ(p[0] + p[2 * 4096], 2 * 0x5a);
	UT_EXPECT_ERR(own_free(p, 2 * 4096), EPERM);        /* a hole in it */
	UT_EXPECT_EQ(own_free(p, 4096), 0);
	UT_EXPECT_EQ(own_free(p + 2 * 4096, 4096), 0);
	UT_EXPECT_EQ(stats(0).space_pages, pages0);
	UT_EXPECT_EQ(stats(0).owned_bytes, 0);
}

UT_CASE(sender_faults_on_page_sent_whole)
{
	uint64_t pages0 = stats(0).space_pages;
	char *p = own_alloc(4096);
	UT_ASSERT(p != NULL);
	strcpy(p, "whole page");
	struct own_range r = { (uintptr_t)p, 4096 };
	int h = own_xsend(&r, 1);
	UT_ASSERT(h >= 0);
	UT_EXPECT_EQ(own_owner(p), 0);                      /* in flight */
	UT_EXPECT_EQ(stats(0).pending_pages, 1);
	UT_EXPECT_EQ(stats(0).owned_pages, 0);
	UT_EXPECT_ERR(own_xsend(&r, 1), EPERM);             /* not ours now */
	UT_EXPECT_ERR(own_free(p, 4096), EPERM);
	UT_EXPECT(faults(p, false));                        /* unmapped from us */
	/* Received back: the same frame, the same bytes, at the same address. */
	UT_EXPECT_EQ(own_xrecv(h, 0), 0);
	UT_EXPECT(strcmp(p, "whole page") == 0);
	UT_EXPECT_ERR(own_xrecv(h, 0), EBADF);              /* consumed */
	/* Dropped in flight: the frame goes. */
	h = own_xsend(&r, 1);
	UT_ASSERT(h >= 0);
	UT_EXPECT_EQ(own_xdrop(h), 0);
	UT_EXPECT_EQ(stats(0).space_pages, pages0);
}

struct node {
	struct node *next;
	int value;
};

static void recv_list(void *arg)
{
	int h;
	struct node *head;

	(void)arg;
	if (read(pipefd[0], &h, sizeof(h)) != sizeof(h) ||
	    read(pipefd[0], &head, sizeof(head)) != sizeof(head))
		_exit(10);
	if (own_xrecv(h, 0))
		_exit(11);
	int sum = 0, n = 0;
	for (struct node *x = head; x; x = x->next, n++)
		sum += x->value;
	if (n != 20 || sum != 190)
		_exit(12);
	if (stats(0).owned_objects == 0)
		_exit(13);
	_exit(0);       /* exits owning them: the kernel drops them */
}

UT_CASE(linked_list_received_at_original_addresses)
{
	uint64_t pages0 = stats(0).space_pages;
	struct node *head = NULL;
	struct own_range r[20];
	UT_ASSERT(pipe(pipefd) == 0);
	for (int i = 0; i < 20; i++) {
		struct node *x = objalloc(sizeof(*x));
		UT_ASSERT(x != NULL);
		x->value = i;
		x->next = head;
		head = x;
		r[i] = objrange(x);
	}
	int *keep = objalloc(sizeof(int));      /* stays here, on the same page */
	UT_ASSERT(keep != NULL);
	*keep = 7;
	int h = own_xsend(r, 20);
	UT_ASSERT(h >= 0);
	UT_EXPECT(stats(0).dirty_pages >= 1);   /* keep shares the page */
	UT_EXPECT_EQ(write(pipefd[1], &h, sizeof(h)), sizeof(h));
	UT_EXPECT_EQ(write(pipefd[1], &head, sizeof(head)), sizeof(head));
	int s = in_child(recv_list, NULL);
	UT_EXPECT(WIFEXITED(s) && WEXITSTATUS(s) == 0);
	UT_EXPECT_EQ(own_owner(head), -1);       /* the receiver exited */
	UT_EXPECT(faults((char *)head, false) == ((((uintptr_t)head ^ (uintptr_t)keep) >> 12) != 0));
	*keep += 1;                              /* still ours, still writable */
	UT_EXPECT_EQ(*keep, 8);
	UT_EXPECT_EQ(objfree(keep), 0);
	obj_retire_chunk();
	UT_EXPECT_EQ(stats(0).space_pages, pages0);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Receives isolated, tells the parent, then waits to be killed. */
static void recv_isolated_and_wait(void *arg)
{
	int h = *(int *)arg;
	char ok = own_xrecv(h, OWN_ISOLATE) == 0 ? 'y' : 'n';
	if (write(pipefd[1], &ok, 1) != 1)
		_exit(20);
	for (;;)
		pause();
}

UT_CASE(isolation_and_sigkill_with_dirty_pages)
{
	long free0 = memfree_kb();
	UT_ASSERT(free0 > 0);
	uint64_t pages0 = stats(0).space_pages;
	char *p = own_alloc(2 * 4096);
	UT_ASSERT(p != NULL);
	strcpy(p, "mine");
	strcpy(p + 2048, "theirs");
	struct own_range r[2] = { { (uintptr_t)p + 2048, 2048 }, { (uintptr_t)p + 4096, 4096 } };
	int h = own_xsend(r, 2);
	UT_ASSERT(h >= 0);
	UT_ASSERT(pipe(pipefd) == 0);
	pid_t pid = fork();
	if (pid == 0)
		recv_isolated_and_wait(&h);
	char ok = 0;
	UT_EXPECT_EQ(read(pipefd[0], &ok, 1), 1);
	UT_EXPECT_EQ(ok, 'y');
	UT_EXPECT_EQ(own_owner(p + 2048), pid);
	struct own_stats them = stats(pid);
	UT_EXPECT_EQ(them.owned_pages, 2);
	UT_EXPECT_EQ(them.dirty_pages, 1);
	UT_EXPECT_EQ(stats(0).dirty_pages, 1);
	/* Isolated: we may still read our object on the shared page, but
	 * no longer write it (the receiver's guarantee). */
	UT_EXPECT(strcmp(p, "mine") == 0);
	UT_EXPECT(!faults(p, false));
	UT_EXPECT(faults(p, true));
	int s;

	kill(pid, SIGKILL);
	UT_EXPECT_EQ(waitpid(pid, &s, 0), pid);
	UT_EXPECT(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
	/* Its clean page is gone, the dirty one lives on for us. */
	UT_EXPECT_EQ(stats(0).space_pages, pages0 + 1);
	UT_EXPECT(strcmp(p, "mine") == 0);
	UT_EXPECT(!faults(p, true));        /* sole owner: writable again */
	strcpy(p, "mine again");
	UT_EXPECT_EQ(own_free(p, 2048), 0);
	UT_EXPECT_EQ(stats(0).space_pages, pages0);
	close(pipefd[0]);
	close(pipefd[1]);
	long free1 = memfree_kb();
	if (free1 < free0 - 64)             /* page tables and slabs may move a little */
		UT_FAIL("MemFree %ld kB, was %ld kB", free1, free0);
}

/* Receives a dirty and a clean page, says so, waits to be killed. */
static void hold_until_killed(void *arg)
{
	recv_isolated_and_wait(arg);
}

UT_CASE(sigkill_loop_leaks_nothing)
{
	uint64_t pages0 = stats(0).space_pages;
	long free0 = memfree_kb();
	UT_ASSERT(free0 > 0);
	for (int i = 0; i < 24; i++) {
		char *p = own_alloc(2 * 4096);
		UT_ASSERT(p != NULL);
		struct own_range r[2] = { { (uintptr_t)p + 100, 3000 }, { (uintptr_t)p + 4096, 4096 } };
		int h = own_xsend(r, 2);
		UT_ASSERT(h >= 0);
		UT_ASSERT(pipe(pipefd) == 0);
		pid_t pid = fork();
		if (pid == 0)
			hold_until_killed(&h);
		char ok = 0;
		UT_EXPECT_EQ(read(pipefd[0], &ok, 1), 1);
		UT_EXPECT_EQ(stats(pid).dirty_pages, 1);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		UT_EXPECT_EQ(own_free(p, 100), 0);
		UT_EXPECT_EQ(own_free(p + 3100, 4096 - 3100), 0);
		close(pipefd[0]);
		close(pipefd[1]);
	}
	UT_EXPECT_EQ(stats(0).space_pages, pages0);
	long free1 = memfree_kb();
	printf("    # MemFree %ld kB before, %ld kB after 24 rounds\n", free0, free1);
	if (free1 < free0 - 48)             /* a frame a round would be 96 kB */
		UT_FAIL("MemFree %ld kB, was %ld kB", free1, free0);
}

static void alloc_and_exit(void *arg)
{
	(void)arg;
	char *p = own_alloc(1 << 20);
	if (!p)
		_exit(30);
	memset(p, 1, 1 << 20);
	_exit(0);       /* without freeing */
}

UT_CASE(exit_frees_everything)
{
	long free0 = memfree_kb();
	UT_ASSERT(free0 > 0);
	uint64_t pages0 = stats(0).space_pages;
	for (int i = 0; i < 4; i++) {
		int s = in_child(alloc_and_exit, NULL);
		UT_EXPECT(WIFEXITED(s) && WEXITSTATUS(s) == 0);
	}
	UT_EXPECT_EQ(stats(0).space_pages, pages0);
	long free1 = memfree_kb();
	UT_EXPECT(free1 >= free0 - 64);     /* 4 MiB leaked would show */
	UT_EXPECT_ERR(own_stat(99999, &(struct own_stats){ 0 }), ESRCH);
	/* /proc/self/objspace agrees with own_stat. */
	char *p = own_alloc(4096);
	UT_ASSERT(p != NULL);
	FILE *f = fopen("/proc/self/objspace", "r");
	UT_ASSERT(f != NULL);
	char line[128];
	long pages = -1;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "OwnedPages: %ld", &pages);
	fclose(f);
	UT_EXPECT_EQ(pages, 1);
	f = fopen("/proc/objspace", "r");
	UT_ASSERT(f != NULL);
	int mine = 0;
	while (fgets(line, sizeof(line), f)) {
		int pid;
		if (sscanf(line, "%d", &pid) == 1 && pid == getpid())
			mine = 1;
	}
	fclose(f);
	UT_EXPECT(mine);
	UT_EXPECT_EQ(own_free(p, 4096), 0);
}


/* ---- a ring of processes passing objects by pointer ---- */
#define RING_N      4
#define RING_K      4           /* objects each member starts */
#define RING_ROUNDS 300         /* messages each member handles */

struct ring_msg {
	int handle;
	uint64_t ptr;
};

static int ring_pipe[RING_N][2];


static void ring_send(int to, struct ring_obj *o)
{
	struct own_range r = objrange(o);
	struct ring_msg m = { own_xsend(&r, 1), (uintptr_t)o };

	if (m.handle < 0)
		_exit(41);
	if (write(ring_pipe[to][1], &m, sizeof(m)) != sizeof(m))
		_exit(42);
}

static void ring_member(int i)
{
	unsigned seed = 1234 + i;
	int next = (i + 1) % RING_N;

	for (int k = 0; k < RING_K; k++)
		ring_send(next, ring_new(&seed));
	for (int round = 0; round < RING_ROUNDS; round++) {
		struct ring_msg m;
		if (read(ring_pipe[i][0], &m, sizeof(m)) != sizeof(m))
			_exit(43);
		/* Not isolated: that would make our sender's chunk page
		 * read-only for it (isolation has its own case). */
		if (own_xrecv(m.handle, 0))
			_exit(44);
		struct ring_obj *o = (struct ring_obj *)(uintptr_t)m.ptr;
		if (own_owner(o) != getpid() || !ring_ok(o))
			_exit(45);
		if (rand_r(&seed) % 4 == 0) {
			if (objfree(o))
				_exit(46);
			o = ring_new(&seed);
		}
		ring_send(next, o);
	}
	_exit(0);
}

UT_CASE(ring_conserves_ownership)
{
	long free0 = memfree_kb();
	UT_ASSERT(free0 > 0);
	uint64_t pages0 = stats(0).space_pages;
	pid_t pids[RING_N];

	for (int i = 0; i < RING_N; i++)
		UT_ASSERT(pipe(ring_pipe[i]) == 0);
	for (int i = 0; i < RING_N; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			ring_member(i);
	}
	for (int i = 0; i < RING_N; i++) {
		int st;
		UT_EXPECT_EQ(waitpid(pids[i], &st, 0), pids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			UT_FAIL("member %d: status %#x", i, st);
	}
	/* Messages nobody read: their bundles are still in flight. */
	int dropped = 0;
	for (int i = 0; i < RING_N; i++) {
		struct ring_msg m;
		close(ring_pipe[i][1]);
		while (read(ring_pipe[i][0], &m, sizeof(m)) == sizeof(m)) {
			UT_EXPECT_EQ(own_owner((void *)(uintptr_t)m.ptr), 0);
			UT_EXPECT_EQ(own_xdrop(m.handle), 0);
			dropped++;
		}
		close(ring_pipe[i][0]);
	}
	UT_EXPECT_EQ(dropped, RING_N * RING_K);
	struct own_stats st = stats(0);
	UT_EXPECT_EQ(st.space_pages, pages0);
	UT_EXPECT_EQ(st.space_inflight, 0);
	long free1 = memfree_kb();
	if (free1 < free0 - 64)
		UT_FAIL("MemFree %ld kB, was %ld kB", free1, free0);
}

/* Run as the image a test execs (OBJSPACE_EXEC=1): exec dropped what the
 * old image owned, so the new one must own nothing. */
__attribute__((constructor)) static void exec_probe(void)
{
	const char *v = getenv("OBJSPACE_EXEC");
	struct own_stats st;

	if (v && !strcmp(v, "1"))
		_exit(own_stat(0, &st) == 0 && st.owned_bytes == 0 && st.owned_pages == 0 ? 0 : 50);
}

static void alloc_and_exec(void *arg)
{
	(void)arg;
	const char *self = (const char *)getauxval(AT_EXECFN);
	char *p = own_alloc(16 * 4096);
	char *argv[] = { (char *)self, NULL }, *envp[] = { "OBJSPACE_EXEC=1", NULL };

	if (!p || !self)
		_exit(51);
	memset(p, 3, 16 * 4096);
	execve(self, argv, envp);
	_exit(52);
}

UT_CASE(exec_drops_ownership)
{
	uint64_t pages0 = stats(0).space_pages;
	int s = in_child(alloc_and_exec, NULL);

	UT_EXPECT(WIFEXITED(s) && WEXITSTATUS(s) == 0);
	UT_EXPECT_EQ(stats(0).space_pages, pages0);
}

UT_SUITE("objspace",
	 UT_C(alloc_and_errors),
	 UT_C(sender_faults_on_page_sent_whole),
	 UT_C(linked_list_received_at_original_addresses),
	 UT_C(isolation_and_sigkill_with_dirty_pages),
	 UT_C(exit_frees_everything),
	 UT_C(exec_drops_ownership),
	 UT_C(sigkill_loop_leaks_nothing),
	 UT_C(ring_conserves_ownership))
