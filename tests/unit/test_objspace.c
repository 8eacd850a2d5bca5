/*
 * The ownership tracker core (ipc/objspace_core.c) against a byte-level
 * reference model: random allocate / send / receive (plain and isolating) /
 * release / bundle drop / process exit, with allocation failures injected,
 * and after every step the invariants: each byte's owner matches the
 * model, frames are held exactly for pages someone owns bytes on, a
 * process maps exactly the pages it owns bytes on, nobody else writes a
 * page an isolating receiver still owns bytes on, and nothing leaks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ipc/objspace_core.h>
#include <kernel/errno.h>

#define NPAGES   16              /* the space in the test */
#define SPACE    (NPAGES * PAGE_SIZE)
#define BASE     0x100000ul
#define NPROC    4
#define NBUNDLE  6
#define NOBODY   0               /* model owner ids: 1..NPROC processes, */
#define BUNDLE0  100             /* BUNDLE0 + i bundles */

/* ---- host kmalloc with failure injection ---- */
static int fail_after = -1;      /* fail the (n+1)-th allocation; -1: never */
static long live_allocs;

void *kmalloc(size_t size)
{
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	live_allocs++;
	return malloc(size);
}

void kfree(const void *p)
{
	if (p)
		live_allocs--;
	free((void *)p);
}

/* ---- fake frames and page tables ---- */
static int frames_live;
static phys_addr_t next_frame = 0x1000;
static int frame_fail_after = -1;
/* mapped[p][page]: 0 none, 1 read-only, 2 writable. */
static int mapped[NPROC + 1][NPAGES];
static int map_fail_after = -1;

static phys_addr_t fake_alloc_frame(void)
{
	if (frame_fail_after == 0)
		return 0;
	if (frame_fail_after > 0)
		frame_fail_after--;
	frames_live++;
	next_frame += PAGE_SIZE;
	return next_frame;
}

static void fake_put_frame(phys_addr_t pa)
{
	(void)pa;
	frames_live--;
	assert_true(frames_live >= 0);
}

static unsigned pidx(uintptr_t va)
{
	assert_true(va >= BASE && va < BASE + SPACE);
	return (va - BASE) / PAGE_SIZE;
}

static int fake_map(struct own_holder *h, uintptr_t va, phys_addr_t pa, bool w)
{
	(void)pa;
	assert_false(h->bundle);
	int *m = &mapped[h->pid][pidx(va)];
	if (!*m) {
		if (map_fail_after == 0)
			return -ENOMEM;
		if (map_fail_after > 0)
			map_fail_after--;
	}
	*m = w ? 2 : 1;
	return 0;
}

static void fake_unmap(struct own_holder *h, uintptr_t va, phys_addr_t pa)
{
	(void)pa;
	assert_false(h->bundle);
	mapped[h->pid][pidx(va)] = 0;
}

static const struct own_space_ops fake_ops = {
	fake_alloc_frame, fake_put_frame, fake_map, fake_unmap,
};

/* ---- the model ---- */
static int owner[SPACE];               /* model owner of each byte */
static bool guard[NPAGES][NPROC + 1];  /* isolating receiver r took bytes on the page */
static struct own_space s;
static struct own_holder procs[NPROC + 1];
static struct own_holder bundles[NBUNDLE];
static bool bundle_used[NBUNDLE];
static uintptr_t model_next;

/* What the random runs did, so that a run that exercised nothing fails. */
static struct { unsigned alloc, release, send, recv, isolated, drop, nomem, eperm; } did;

static unsigned rnd(unsigned n) { return (unsigned)random() % n; }

static int holder_id(const struct own_holder *h)
{
	return h->bundle ? BUNDLE0 + (int)(h - bundles) : h->pid;
}

static void check_invariants(void)
{
	/* Objects: disjoint, sorted, owners as the model says. */
	uintptr_t prev_end = BASE;
	uint64_t bytes[NPROC + 1] = { 0 };
	int model_owner_of_tree[SPACE];

	for (unsigned i = 0; i < SPACE; i++)
		model_owner_of_tree[i] = NOBODY;
	for (struct rb_node *n = rb_first(&s.objs); n; n = rb_next(n)) {
		struct own_obj *o = container_of(n, struct own_obj, node);
		assert_true(o->len > 0);
		assert_true(o->addr >= prev_end);
		prev_end = o->addr + o->len;
		for (uintptr_t a = o->addr; a < o->addr + o->len; a++)
			model_owner_of_tree[a - BASE] = holder_id(o->h);
		if (!o->h->bundle)
			bytes[o->h->pid] += o->len;
	}
	assert_memory_equal(model_owner_of_tree, owner, sizeof(owner));
	for (int p = 1; p <= NPROC; p++)
		assert_int_equal(bytes[p], procs[p].bytes);

	/* Frames and mappings, from each page's owner set. */
	unsigned owners[NPAGES] = { 0 };        /* bit p: process p; bit 0: anyone */
	for (unsigned i = 0; i < SPACE; i++) {
		if (owner[i] != NOBODY)
			owners[i / PAGE_SIZE] |= 1;
		if (owner[i] >= 1 && owner[i] <= NPROC)
			owners[i / PAGE_SIZE] |= 1u << owner[i];
	}
	int want_frames = 0;
	for (unsigned pg = 0; pg < NPAGES; pg++) {
		want_frames += owners[pg] & 1;
		unsigned nproc = __builtin_popcount(owners[pg] >> 1);
		for (int p = 1; p <= NPROC; p++) {
			bool owns = owners[pg] & (1u << p);
			assert_int_equal(mapped[p][pg] != 0, owns);
			if (!guard[pg][p])
				continue;
			if (!owns) {
				guard[pg][p] = false;   /* its guarantee ends with its bytes */
				continue;
			}
			for (int q = 1; q <= NPROC; q++)
				if (q != p)
					assert_true(mapped[q][pg] != 2);
		}
		/* Not over-strict: a sole process owner may always write. */
		if (nproc == 1)
			for (int p = 1; p <= NPROC; p++)
				if (owners[pg] & (1u << p))
					assert_int_equal(mapped[p][pg], 2);
	}
	assert_int_equal(frames_live, want_frames);
	assert_int_equal(s.npages, want_frames);
}

/* A random byte range inside the space, biased to what p owns. */
static void pick_range(int p, uintptr_t *addr, uint64_t *len)
{
	unsigned start = rnd(SPACE);
	for (unsigned tries = 0; tries < 64; tries++) {
		unsigned a = rnd(SPACE);
		if (owner[a] == p) {
			start = a;
			break;
		}
	}
	unsigned maxlen = SPACE - start;
	unsigned l = 1 + rnd(rnd(4) == 0 ? MIN(maxlen, 3 * PAGE_SIZE) : MIN(maxlen, 300));
	*addr = BASE + start;
	*len = l;
}

static bool model_owns(int who, uintptr_t addr, uint64_t len)
{
	for (uintptr_t a = addr; a < addr + len; a++)
		if (owner[a - BASE] != who)
			return false;
	return true;
}

static void model_set(uintptr_t addr, uint64_t len, int who)
{
	for (uintptr_t a = addr; a < addr + len; a++)
		owner[a - BASE] = who;
}

static void inject(void)
{
	fail_after = rnd(8) == 0 ? (int)rnd(4) : -1;
	frame_fail_after = rnd(8) == 0 ? (int)rnd(3) : -1;
	map_fail_after = rnd(8) == 0 ? (int)rnd(3) : -1;
}

static void step_alloc(void)
{
	int p = 1 + rnd(NPROC);
	uint64_t len = 1 + rnd(3 * PAGE_SIZE);
	uintptr_t addr;
	int err = own_space_alloc(&s, &procs[p], len, &addr);

	if (err) {
		assert_int_equal(err, -ENOMEM);
		return;
	}
	did.alloc++;
	assert_int_equal(addr, BASE + model_next);
	uint64_t full = ALIGN_UP(len, PAGE_SIZE);
	model_next += full;
	model_set(addr, full, p);
}

static void step_release(void)
{
	int p = 1 + rnd(NPROC);
	uintptr_t addr;
	uint64_t len;
	pick_range(p, &addr, &len);
	int err = own_space_release(&s, &procs[p], addr, len);

	if (!model_owns(p, addr, len)) {
		assert_int_equal(err, -EPERM);
		return;
	}
	if (err) {
		assert_int_equal(err, -ENOMEM);
		return;
	}
	model_set(addr, len, NOBODY);
	did.release++;
}

static void step_send(void)
{
	int p = 1 + rnd(NPROC), b;
	struct own_range r[3];
	unsigned n = 1 + rnd(3);
	bool ok = true;

	for (b = 0; b < NBUNDLE && bundle_used[b]; b++)
		;
	if (b == NBUNDLE)
		return;
	for (unsigned i = 0; i < n; i++) {
		pick_range(p, &r[i].addr, &r[i].len);
		ok &= model_owns(p, r[i].addr, r[i].len);
		for (unsigned j = 0; j < i; j++)
			if (r[i].addr < r[j].addr + r[j].len && r[j].addr < r[i].addr + r[i].len)
				ok = false, n = i + 1;   /* overlapping: EINVAL wins */
	}
	own_holder_init(&bundles[b], p, true);
	int err = own_space_move(&s, &procs[p], &bundles[b], r, n);
	bool overlap = false;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < i; j++)
			if (r[i].addr < r[j].addr + r[j].len && r[j].addr < r[i].addr + r[i].len)
				overlap = true;
	if (overlap) {
		assert_int_equal(err, -EINVAL);
		return;
	}
	if (!ok) {
		assert_int_equal(err, -EPERM);
		did.eperm++;
		return;
	}
	if (err) {
		assert_int_equal(err, -ENOMEM);
		did.nomem++;
		return;
	}
	did.send++;
	for (unsigned i = 0; i < n; i++)
		model_set(r[i].addr, r[i].len, BUNDLE0 + b);
	bundle_used[b] = true;
}

static void step_receive(void)
{
	int b = rnd(NBUNDLE), p = 1 + rnd(NPROC);
	bool isolate = rnd(3) == 0;

	if (!bundle_used[b])
		return;
	if (own_space_take(&s, &bundles[b], &procs[p], isolate)) {
		assert_true(!list_empty(&bundles[b].objs) || bundles[b].bytes == 0);
		return;
	}
	assert_true(list_empty(&bundles[b].objs));
	did.recv++;
	did.isolated += isolate;
	for (unsigned i = 0; i < SPACE; i++) {
		if (owner[i] == BUNDLE0 + b) {
			owner[i] = p;
			if (isolate)
				guard[i / PAGE_SIZE][p] = true;
		}
	}
	bundle_used[b] = false;
}

static void step_drop(void)
{
	int b = rnd(NBUNDLE);

	if (!bundle_used[b])
		return;
	own_space_drop(&s, &bundles[b]);
	did.drop++;
	for (unsigned i = 0; i < SPACE; i++)
		if (owner[i] == BUNDLE0 + b)
			owner[i] = NOBODY;
	bundle_used[b] = false;
}

static void step_exit(void)
{
	int p = 1 + rnd(NPROC);

	own_space_drop(&s, &procs[p]);
	assert_int_equal(procs[p].bytes, 0);
	for (unsigned i = 0; i < SPACE; i++)
		if (owner[i] == p)
			owner[i] = NOBODY;
	for (unsigned pg = 0; pg < NPAGES; pg++)
		guard[pg][p] = false;
	own_holder_init(&procs[p], p, false);   /* a new process, same slot */
}

static void run_sequence(unsigned seed, unsigned steps)
{
	srandom(seed);
	memset(owner, 0, sizeof(owner));
	memset(mapped, 0, sizeof(mapped));
	memset(guard, 0, sizeof(guard));
	memset(bundle_used, 0, sizeof(bundle_used));
	model_next = 0;
	frames_live = 0;
	long allocs0 = live_allocs;
	own_space_init(&s, BASE, BASE + SPACE, &fake_ops);
	for (int p = 1; p <= NPROC; p++)
		own_holder_init(&procs[p], p, false);

	for (unsigned i = 0; i < steps; i++) {
		inject();
		switch (rnd(12)) {
		case 0: case 1: step_alloc(); break;
		case 2: case 3: step_release(); break;
		case 4: case 5: case 6: step_send(); break;
		case 7: case 8: step_receive(); break;
		case 9: step_drop(); break;
		case 10: if (rnd(3) == 0) step_exit(); break;
		default: break;
		}
		fail_after = frame_fail_after = map_fail_after = -1;
		check_invariants();
	}
	/* Everybody exits, every bundle is dropped: nothing may remain. */
	for (int b = 0; b < NBUNDLE; b++)
		if (bundle_used[b])
			own_space_drop(&s, &bundles[b]);
	for (int p = 1; p <= NPROC; p++)
		own_space_drop(&s, &procs[p]);
	assert_int_equal(frames_live, 0);
	assert_int_equal(s.npages, 0);
	assert_int_equal(s.nobjs, 0);
	assert_int_equal(live_allocs, allocs0);
}

static void test_random_sequences(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 80; seed++)
		run_sequence(seed, 100);
	print_message("alloc %u release %u send %u recv %u isolated %u drop %u nomem %u eperm %u\n",
		      did.alloc, did.release, did.send, did.recv, did.isolated, did.drop, did.nomem, did.eperm);
	assert_true(did.alloc > 200 && did.release > 100 && did.send > 300);
	assert_true(did.recv > 200 && did.isolated > 50 && did.drop > 30);
	assert_true(did.nomem > 10 && did.eperm > 50);
}

/* The rules spelled out once, step by step. */
static void test_dirty_page_rules(void **state)
{
	(void)state;
	struct own_holder a, b, x;
	uintptr_t addr;

	memset(mapped, 0, sizeof(mapped));
	frames_live = 0;
	own_space_init(&s, BASE, BASE + SPACE, &fake_ops);
	own_holder_init(&a, 1, false);
	own_holder_init(&b, 2, false);
	assert_int_equal(own_space_alloc(&s, &a, 2 * PAGE_SIZE, &addr), 0);
	assert_int_equal(frames_live, 2);

	/* A keeps bytes on page 0: it stays mapped (dirty); page 1 goes whole. */
	struct own_range r[2] = { { addr + 100, 50 }, { addr + PAGE_SIZE, PAGE_SIZE } };
	own_holder_init(&x, 1, true);
	assert_int_equal(own_space_move(&s, &a, &x, r, 2), 0);
	assert_int_equal(mapped[1][0], 2);
	assert_int_equal(mapped[1][1], 0);
	struct own_stats st;
	own_space_stats(&s, &a, 1, &st);
	assert_int_equal(st.owned_pages, 1);
	assert_int_equal(st.dirty_pages, 1);
	assert_int_equal(st.pending_pages, 2);
	assert_int_equal(st.pending_bytes, 50 + PAGE_SIZE);

	/* Not owned any more: EPERM; outside the space: EINVAL. */
	assert_int_equal(own_space_release(&s, &a, addr + 120, 1), -EPERM);
	assert_int_equal(own_space_move(&s, &a, &x, &(struct own_range){ 1, 1 }, 1), -EINVAL);

	/* B takes it isolated: A may only read page 0 now. */
	assert_int_equal(own_space_take(&s, &x, &b, true), 0);
	assert_int_equal(mapped[2][0], 2);
	assert_int_equal(mapped[2][1], 2);
	assert_int_equal(mapped[1][0], 1);
	assert_int_equal(own_space_owner(&s, addr + 120), &b);

	/* A exits: page 0 lives on for B, then B frees its bytes: all gone. */
	own_space_drop(&s, &a);
	assert_int_equal(frames_live, 2);
	assert_int_equal(mapped[2][0], 2);
	assert_int_equal(own_space_release(&s, &b, addr + 100, 50), 0);
	assert_int_equal(frames_live, 1);
	assert_int_equal(mapped[2][0], 0);
	own_space_drop(&s, &b);
	assert_int_equal(frames_live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirty_page_rules),
		cmocka_unit_test(test_random_sequences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
