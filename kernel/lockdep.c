/*
 * The debug lock checker (CONFIG_DEBUG_LOCKS; kernel/lockdep.h says what
 * it reports, docs/locking.md how it works).
 *
 * Locks are grouped in classes by name (every wait queue's lock is one
 * class, every pipe's another); an unnamed lock is a class of its own.
 * Each CPU keeps the stack of locks it holds, with the interrupt level
 * each was taken at: a run-queue lock taken by one task and released by
 * the next one on the same CPU stays correct. Taking B while holding A (at
 * the same interrupt level: an interrupt handler's locks do not nest in
 * the ones of the code it interrupted) records the edge A -> B in a global
 * graph; the first time an edge is seen, a search from B for A finds any
 * chain that the new edge closes into a cycle. Nesting two locks of one
 * class is not checked. Trylocks never wait, so they add no edge into the
 * lock tried (later locks taken while holding it do get edges).
 *
 * Everything lives in fixed-size tables: no allocation, and no spinlock
 * but two raw test-and-set words (graph_lock for classes, edges and the
 * report queue; each CPU's stack_lock, for the rare removal of a lock
 * released on another CPU than took it). The hooks run with interrupts
 * off and are not re-entered on a CPU (recursion): locks taken inside the
 * checker (printk's) are not tracked. Reports are queued and printed by
 * the next CPU that holds no lock at all, so printing never waits for a
 * lock the printing CPU holds (printk's own, say). If a table fills up the
 * checker turns itself off, with a message.
 */
#include <kernel/lockdep.h>
#include <kernel/arch.h>
#include <kernel/kallsyms.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

#define MAX_CLASSES  512        /* lock names seen */
#define CLASS_SLOTS  1024       /* hash table of classes, a power of two */
#define MAX_EDGES    4096       /* distinct "A held while taking B" pairs */
#define MAX_HELD     32         /* per CPU, all interrupt levels */
#define MAX_CHAIN    12         /* edges shown of an existing chain */
#define MAX_TRACE    12
#define REPORT_QUEUE 8

enum { USED_IN_IRQ = 1, USED_IRQS_ON = 2 };

struct lock_class {
	const char *name;               /* NULL: an unnamed lock, key is its address */
	const void *key;
	uint16_t first_edge;            /* edges from this class, a list through next */
	uint16_t first_in;              /* edges into it, a list through next_in */
	uint8_t usage;                  /* USED_* */
	bool sleep_reported, irq_reported, irq_dep_reported;
	uintptr_t irq_ip, irqs_on_ip;   /* first taken in interrupt context / with them on */
};

struct dep_edge {
	uint16_t from, to, next, next_in;
	uintptr_t from_ip, to_ip;       /* where from was taken, and to while holding it */
};

struct held_lock {
	struct spinlock *lock;
	uintptr_t ip;
	uint16_t cls;
	uint8_t irq_level;
	bool trylock;
};

struct report {
	enum lockdep_kind kind;
	unsigned cpu;
	uint16_t cls, held_cls;         /* the lock being taken; the held one it inverts with */
	uintptr_t ip, held_ip;
	bool irq_dep;                   /* LOCKDEP_IRQ: an irq-safe -> irq-unsafe chain */
	unsigned chain_len;             /* edges cls -> ... -> held_cls (irq_dep: safe -> unsafe) */
	bool chain_cut;
	uint16_t chain[MAX_CHAIN];
	unsigned nr_held;
	struct held_lock held[MAX_HELD];
	unsigned nr_trace;
	uintptr_t trace[MAX_TRACE];
};

struct lockdep_cpu {
	volatile uint32_t stack_lock;
	unsigned depth;
	struct held_lock held[MAX_HELD];
	unsigned irq_level;             /* interrupt handlers running (nested) */
	unsigned recursion;             /* inside the checker */
};

static struct lockdep_cpu ld_cpus[NR_CPUS];

/* Under graph_lock (entries once published are only read). */
static volatile uint32_t graph_lock;
static struct lock_class classes[MAX_CLASSES];  /* [0] unused: id 0 = none */
static unsigned nr_classes;
static uint16_t class_slots[CLASS_SLOTS];       /* class ids; set with release order */
static struct dep_edge edges[MAX_EDGES];        /* [0] unused */
static unsigned nr_edges;
static uint64_t edge_bits[MAX_CLASSES][MAX_CLASSES / 64];   /* atomic bit set */
static struct report queue[REPORT_QUEUE];
static unsigned queue_head, queue_tail, queue_dropped;
static const char *off_reason;
static bool checker_off;                        /* read without the lock */
static uint16_t bfs_queue[MAX_CLASSES], bfs_via[MAX_CLASSES];
static uint64_t bfs_seen[MAX_CLASSES / 64];

static volatile uint32_t print_lock;            /* one CPU prints the queue */
static struct report printing;                  /* under print_lock */
static unsigned report_count[LOCKDEP_KINDS];    /* atomic */

static void raw_lock(volatile uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (*l)
			arch_cpu_relax();
}

static bool raw_trylock(volatile uint32_t *l)
{
	return !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}

static void raw_unlock(volatile uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static struct lockdep_cpu *this_ld(void)
{
	return &ld_cpus[arch_cpu_id()];
}

static void turn_off_locked(const char *why)
{
	if (!checker_off) {
		off_reason = why;
		WRITE_ONCE(checker_off, true);
	}
}

/* ---- classes ---- */

static uint32_t class_hash(const char *name, const void *key)
{
	uint32_t h = 2166136261u;
	if (!name)
		return (uint32_t)((uintptr_t)key >> 3) * 2654435761u;
	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

static bool class_is(const struct lock_class *k, const char *name, const void *key)
{
	if (!name)
		return !k->name && k->key == key;
	return k->name && (k->name == name || !strcmp(k->name, name));
}

static unsigned class_lookup(const char *name, const void *key, uint32_t h)
{
	for (unsigned i = 0; i < CLASS_SLOTS; i++) {
		unsigned id = __atomic_load_n(&class_slots[(h + i) & (CLASS_SLOTS - 1)],
					      __ATOMIC_ACQUIRE);
		if (!id)
			return 0;
		if (class_is(&classes[id], name, key))
			return id;
	}
	return 0;
}

/* The lock's class id, made on first sight; 0 if the table is full. */
static unsigned class_of(struct spinlock *lock)
{
	const char *name = lock->name;
	const void *key = name ? NULL : lock;
	uint32_t h = class_hash(name, key);
	unsigned id = class_lookup(name, key, h);

	if (id)
		return id;
	raw_lock(&graph_lock);
	id = class_lookup(name, key, h);
	if (!id && nr_classes + 1 < MAX_CLASSES) {
		id = ++nr_classes;
		classes[id].name = name;
		classes[id].key = key;
		unsigned i = h;
		while (class_slots[i & (CLASS_SLOTS - 1)])
			i++;
		__atomic_store_n(&class_slots[i & (CLASS_SLOTS - 1)], (uint16_t)id, __ATOMIC_RELEASE);
	} else if (!id) {
		turn_off_locked("too many lock classes");
	}
	raw_unlock(&graph_lock);
	return id;
}

static const char *class_name(unsigned id)
{
	return classes[id].name ? classes[id].name : "(unnamed)";
}

/* ---- reports ---- */

/* A free queue slot, filled by the caller (graph_lock held); NULL if full. */
static struct report *report_new(struct lockdep_cpu *c, enum lockdep_kind kind)
{
	__atomic_fetch_add(&report_count[kind], 1, __ATOMIC_RELAXED);
	if (queue_tail - queue_head >= REPORT_QUEUE) {
		queue_dropped++;
		return NULL;
	}
	struct report *r = &queue[queue_tail++ % REPORT_QUEUE];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->cpu = (unsigned)(c - ld_cpus);
	raw_lock(&c->stack_lock);
	r->nr_held = c->depth;
	memcpy(r->held, c->held, c->depth * sizeof(c->held[0]));
	raw_unlock(&c->stack_lock);
	r->nr_trace = arch_stack_trace(r->trace, MAX_TRACE);
	return r;
}

unsigned lockdep_reports(enum lockdep_kind kind)
{
	return kind < LOCKDEP_KINDS ? __atomic_load_n(&report_count[kind], __ATOMIC_RELAXED) : 0;
}

void lockdep_stats(unsigned *nclasses, unsigned *ndeps)
{
	*nclasses = READ_ONCE(nr_classes);
	*ndeps = READ_ONCE(nr_edges);
}

static const char *sym(char *buf, size_t len, uintptr_t ip)
{
	kallsyms_format(buf, len, ip);
	return buf;
}

static void print_held(const struct report *r)
{
	char s[128];

	printk(KERN_WARNING "lockdep: locks held by cpu %u:\n", r->cpu);
	for (unsigned i = 0; i < r->nr_held; i++)
		printk(KERN_WARNING "lockdep:   #%u: \"%s\" taken at %s%s%s\n", i,
		       class_name(r->held[i].cls), sym(s, sizeof(s), r->held[i].ip),
		       r->held[i].irq_level ? " (in an interrupt)" : "",
		       r->held[i].trylock ? " (trylock)" : "");
	printk(KERN_WARNING "lockdep: call trace:\n");
	for (unsigned i = 0; i < r->nr_trace; i++)
		printk(KERN_WARNING "lockdep:   %s\n", sym(s, sizeof(s), r->trace[i]));
}

static void print_inversion(const struct report *r)
{
	char line[320], s[128], t[128];
	size_t n = snprintf(line, sizeof(line), "\"%s\" -> \"%s\"", class_name(r->held_cls),
			    class_name(r->cls));
	for (unsigned i = 0; i < r->chain_len && n < sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, " -> \"%s\"", class_name(edges[r->chain[i]].to));
	printk(KERN_WARNING "lockdep: WARNING: possible circular locking dependency: %s%s\n", line,
	       r->chain_cut ? " (chain cut short)" : "");
	printk(KERN_WARNING "lockdep: cpu %u takes \"%s\" at %s\n", r->cpu, class_name(r->cls),
	       sym(s, sizeof(s), r->ip));
	printk(KERN_WARNING "lockdep:   while holding \"%s\", taken at %s\n",
	       class_name(r->held_cls), sym(s, sizeof(s), r->held_ip));
	printk(KERN_WARNING "lockdep: but earlier \"%s\" was held while taking \"%s\":\n",
	       class_name(r->cls), class_name(r->held_cls));
	for (unsigned i = 0; i < r->chain_len; i++) {
		const struct dep_edge *e = &edges[r->chain[i]];
		printk(KERN_WARNING "lockdep:   \"%s\" taken at %s, then \"%s\" at %s\n",
		       class_name(e->from), sym(s, sizeof(s), e->from_ip), class_name(e->to),
		       sym(t, sizeof(t), e->to_ip));
	}
	print_held(r);
}

static void print_sleep(const struct report *r)
{
	char line[320], s[128];
	size_t n = 0;
	line[0] = 0;
	for (unsigned i = 0; i < r->nr_held && n < sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, "%s\"%s\"", i ? ", " : "",
			      class_name(r->held[i].cls));
	printk(KERN_WARNING "lockdep: BUG: schedule() with spinlocks held: %s\n", line);
	printk(KERN_WARNING "lockdep: a task gives up cpu %u at %s\n", r->cpu, sym(s, sizeof(s), r->ip));
	print_held(r);
}

static void print_irq_dep(const struct report *r)
{
	char line[320], s[128], t[128];
	const struct lock_class *safe = &classes[r->held_cls], *unsafe = &classes[r->cls];
	size_t n = snprintf(line, sizeof(line), "\"%s\"", class_name(r->held_cls));
	for (unsigned i = 0; i < r->chain_len && n < sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, " -> \"%s\"", class_name(edges[r->chain[i]].to));
	printk(KERN_WARNING "lockdep: WARNING: irq-safe -> irq-unsafe lock order: %s%s\n", line,
	       r->chain_cut ? " (chain cut short)" : "");
	printk(KERN_WARNING "lockdep:   \"%s\" is taken in interrupt context at %s\n",
	       class_name(r->held_cls), sym(s, sizeof(s), safe->irq_ip));
	printk(KERN_WARNING "lockdep:   \"%s\" is taken with interrupts enabled at %s\n",
	       class_name(r->cls), sym(s, sizeof(s), unsafe->irqs_on_ip));
	for (unsigned i = 0; i < r->chain_len; i++) {
		const struct dep_edge *e = &edges[r->chain[i]];
		printk(KERN_WARNING "lockdep:   \"%s\" taken at %s, then \"%s\" at %s\n",
		       class_name(e->from), sym(s, sizeof(s), e->from_ip), class_name(e->to),
		       sym(t, sizeof(t), e->to_ip));
	}
	printk(KERN_WARNING "lockdep: a CPU holding \"%s\" with interrupts on can be interrupted "
	       "by a handler waiting for \"%s\", whose holder waits for the first\n",
	       class_name(r->cls), class_name(r->held_cls));
	print_held(r);
}

static void print_irq(const struct report *r)
{
	if (r->irq_dep) {
		print_irq_dep(r);
		return;
	}
	char s[128];
	const struct lock_class *k = &classes[r->cls];
	printk(KERN_WARNING "lockdep: WARNING: lock \"%s\" taken in interrupt context and "
	       "with interrupts enabled\n", class_name(r->cls));
	printk(KERN_WARNING "lockdep:   in interrupt context at %s\n", sym(s, sizeof(s), k->irq_ip));
	printk(KERN_WARNING "lockdep:   with interrupts enabled at %s\n",
	       sym(s, sizeof(s), k->irqs_on_ip));
	printk(KERN_WARNING "lockdep: an interrupt on a CPU that holds it there would spin forever\n");
	print_held(r);
}

/* Print what is queued; the caller's CPU holds no lock. */
static void drain_reports(struct lockdep_cpu *c)
{
	if (READ_ONCE(queue_head) == READ_ONCE(queue_tail) && !READ_ONCE(queue_dropped))
		return;
	if (!raw_trylock(&print_lock))
		return;                 /* someone is printing them */
	c->recursion++;
	for (;;) {
		raw_lock(&graph_lock);
		unsigned dropped = queue_dropped;
		queue_dropped = 0;
		bool empty = queue_head == queue_tail;
		if (!empty)
			printing = queue[queue_head++ % REPORT_QUEUE];
		raw_unlock(&graph_lock);
		if (dropped)
			printk(KERN_WARNING "lockdep: %u more reports not shown\n", dropped);
		if (empty)
			break;
		if (printing.kind == LOCKDEP_INVERSION)
			print_inversion(&printing);
		else if (printing.kind == LOCKDEP_SLEEP)
			print_sleep(&printing);
		else
			print_irq(&printing);
	}
	c->recursion--;
	raw_unlock(&print_lock);
}

/* ---- the checks ---- */

static bool edge_known(unsigned from, unsigned to)
{
	return (__atomic_load_n(&edge_bits[from][to / 64], __ATOMIC_RELAXED) >> (to % 64)) & 1;
}

/*
 * Breadth-first from start, along edges (or against them), for the nearest
 * other class that is target or has a usage bit in want (graph_lock
 * held). Returns it (0: none) and the chain of edges from start to it in
 * walking order: its length in *len, the first max edges in path.
 */
static unsigned bfs(unsigned start, bool forward, unsigned target, uint8_t want,
		    uint16_t *path, unsigned max, unsigned *len, bool *cut)
{
	unsigned head = 0, tail = 0;

	memset(bfs_seen, 0, sizeof(bfs_seen));
	bfs_queue[tail++] = (uint16_t)start;
	bfs_seen[start / 64] |= 1ull << (start % 64);
	while (head < tail) {
		unsigned x = bfs_queue[head++];
		unsigned e = forward ? classes[x].first_edge : classes[x].first_in;
		for (; e; e = forward ? edges[e].next : edges[e].next_in) {
			unsigned y = forward ? edges[e].to : edges[e].from;
			if (bfs_seen[y / 64] & (1ull << (y % 64)))
				continue;
			bfs_seen[y / 64] |= 1ull << (y % 64);
			bfs_via[y] = (uint16_t)e;
			if (y != target && !(classes[y].usage & want)) {
				bfs_queue[tail++] = (uint16_t)y;
				continue;
			}
			unsigned n = 0, k;
			for (unsigned z = y; z != start; z = forward ? edges[bfs_via[z]].from :
							      edges[bfs_via[z]].to)
				n++;
			k = n;
			for (unsigned z = y; z != start; z = forward ? edges[bfs_via[z]].from :
							      edges[bfs_via[z]].to)
				if (--k < max)
					path[k] = bfs_via[z];
			*len = MIN(n, max);
			*cut = n > max;
			return y;
		}
	}
	return 0;
}

/* Report an irq-safe -> irq-unsafe chain: edges safe -> ... -> unsafe,
 * given as the (backward) path from a class in the middle to the safe one
 * and the forward path from there to the unsafe one, plus the edge joining
 * them if any. Once per unsafe class. */
static void report_irq_dep(struct lockdep_cpu *c, unsigned safe, unsigned unsafe,
			   const uint16_t *back, unsigned nback, unsigned joint,
			   const uint16_t *fwd, unsigned nfwd, bool cut)
{
	if (classes[unsafe].irq_dep_reported)
		return;
	classes[unsafe].irq_dep_reported = true;
	struct report *r = report_new(c, LOCKDEP_IRQ);
	if (!r)
		return;
	r->irq_dep = true;
	r->cls = (uint16_t)unsafe;
	r->held_cls = (uint16_t)safe;
	r->chain_cut = cut;
	for (unsigned i = nback; i-- > 0 && r->chain_len < MAX_CHAIN;)
		r->chain[r->chain_len++] = back[i];
	if (joint && r->chain_len < MAX_CHAIN)
		r->chain[r->chain_len++] = (uint16_t)joint;
	for (unsigned i = 0; i < nfwd && r->chain_len < MAX_CHAIN; i++)
		r->chain[r->chain_len++] = fwd[i];
	r->chain_cut |= r->chain_len < nback + nfwd + (joint != 0);
}

/* A class taken in interrupt context must not be held (at any distance)
 * while taking one that is taken with interrupts enabled: a CPU holding
 * the second with interrupts on may be interrupted by a handler that
 * waits for the first, whose holder waits for the second. Checked when an
 * edge from -> to is added (joint), or a class gets a usage bit. */
static void check_irq_chain(struct lockdep_cpu *c, unsigned from, unsigned to, unsigned joint)
{
	uint16_t back[MAX_CHAIN], fwd[MAX_CHAIN];
	unsigned nback = 0, nfwd = 0, safe = from, unsafe = to;
	bool cut1 = false, cut2 = false;

	if (!(classes[from].usage & USED_IN_IRQ))
		safe = bfs(from, false, 0, USED_IN_IRQ, back, MAX_CHAIN, &nback, &cut1);
	if (!safe)
		return;
	if (!(classes[to].usage & USED_IRQS_ON))
		unsafe = bfs(to, true, 0, USED_IRQS_ON, fwd, MAX_CHAIN, &nfwd, &cut2);
	if (unsafe && unsafe != safe)
		report_irq_dep(c, safe, unsafe, back, nback, joint, fwd, nfwd, cut1 || cut2);
}

/* Holding h, the CPU takes cls at ip: record h -> cls, after looking for
 * a chain cls -> ... -> h that it would close. */
static void add_edge(struct lockdep_cpu *c, const struct held_lock *h, unsigned cls, uintptr_t ip)
{
	uint16_t path[MAX_CHAIN];
	bool cut = false;

	raw_lock(&graph_lock);
	if (edge_known(h->cls, cls) || checker_off) {
		raw_unlock(&graph_lock);
		return;
	}
	unsigned n = 0;
	if (bfs(cls, true, h->cls, 0, path, MAX_CHAIN, &n, &cut)) {
		struct report *r = report_new(c, LOCKDEP_INVERSION);
		if (r) {
			r->cls = (uint16_t)cls;
			r->ip = ip;
			r->held_cls = h->cls;
			r->held_ip = h->ip;
			r->chain_len = n;
			r->chain_cut = cut;
			memcpy(r->chain, path, n * sizeof(path[0]));
		}
	}
	if (nr_edges + 1 >= MAX_EDGES) {
		turn_off_locked("too many lock dependencies");
	} else {
		unsigned id = ++nr_edges;
		edges[id] = (struct dep_edge){ .from = h->cls, .to = (uint16_t)cls,
					       .next = classes[h->cls].first_edge,
					       .next_in = classes[cls].first_in,
					       .from_ip = h->ip, .to_ip = ip };
		classes[h->cls].first_edge = (uint16_t)id;
		classes[cls].first_in = (uint16_t)id;
		__atomic_fetch_or(&edge_bits[h->cls][cls / 64], 1ull << (cls % 64), __ATOMIC_RELAXED);
		check_irq_chain(c, h->cls, cls, id);
	}
	raw_unlock(&graph_lock);
}

static void check_order(struct lockdep_cpu *c, unsigned cls, uintptr_t ip)
{
	for (unsigned i = 0; i < c->depth; i++) {
		const struct held_lock *h = &c->held[i];
		if (h->irq_level == c->irq_level && h->cls != cls && !edge_known(h->cls, cls))
			add_edge(c, h, cls, ip);
	}
}

/* A class taken in interrupt context must never be taken with interrupts
 * enabled: the interrupt could come while that CPU holds it. */
static void check_irq_usage(struct lockdep_cpu *c, unsigned cls, uintptr_t ip, bool irqs_on)
{
	struct lock_class *k = &classes[cls];
	uint8_t bit = c->irq_level ? USED_IN_IRQ : irqs_on ? USED_IRQS_ON : 0;

	if (!bit || (READ_ONCE(k->usage) & bit))
		return;
	raw_lock(&graph_lock);
	if (!(k->usage & bit)) {
		if (bit == USED_IN_IRQ)
			k->irq_ip = ip;
		else
			k->irqs_on_ip = ip;
		WRITE_ONCE(k->usage, k->usage | bit);
		if (k->usage == (USED_IN_IRQ | USED_IRQS_ON) && !k->irq_reported) {
			k->irq_reported = true;
			struct report *r = report_new(c, LOCKDEP_IRQ);
			if (r) {
				r->cls = (uint16_t)cls;
				r->ip = ip;
			}
		} else if (bit == USED_IN_IRQ) {
			check_irq_chain(c, cls, cls, 0);        /* what it leads to */
		} else {
			check_irq_chain(c, cls, cls, 0);        /* what leads to it */
		}
	}
	raw_unlock(&graph_lock);
}

static bool checking(struct lockdep_cpu *c)
{
	return !c->recursion && !READ_ONCE(checker_off) && !panic_in_progress();
}

/* ---- the hooks ---- */

void lockdep_acquire(struct spinlock *lock, uintptr_t ip, bool trylock)
{
	bool irqs_on = arch_irqs_enabled();
	unsigned long flags = arch_irq_save();
	struct lockdep_cpu *c = this_ld();

	if (!checking(c))
		goto out;
	c->recursion++;
	unsigned cls = class_of(lock);
	if (cls) {
		check_irq_usage(c, cls, ip, irqs_on);
		if (!trylock)
			check_order(c, cls, ip);
		raw_lock(&c->stack_lock);
		if (c->depth < MAX_HELD)
			c->held[c->depth++] = (struct held_lock){ .lock = lock, .ip = ip,
				.cls = (uint16_t)cls, .irq_level = (uint8_t)c->irq_level,
				.trylock = trylock };
		raw_unlock(&c->stack_lock);
		if (c->depth == MAX_HELD) {
			raw_lock(&graph_lock);
			turn_off_locked("too many locks held at once");
			raw_unlock(&graph_lock);
		}
	}
	c->recursion--;
out:
	arch_irq_restore(flags);
}

static bool remove_held(struct lockdep_cpu *c, struct spinlock *lock)
{
	bool found = false;

	raw_lock(&c->stack_lock);
	for (unsigned i = c->depth; i-- > 0;) {
		if (c->held[i].lock == lock) {
			memmove(&c->held[i], &c->held[i + 1], (c->depth - i - 1) * sizeof(c->held[0]));
			c->depth--;
			found = true;
			break;
		}
	}
	raw_unlock(&c->stack_lock);
	return found;
}

void lockdep_release(struct spinlock *lock)
{
	unsigned long flags = arch_irq_save();
	struct lockdep_cpu *c = this_ld();

	if (!checking(c))
		goto out;
	/* Not on this CPU's stack: its holder slept (reported) and woke up
	 * elsewhere. */
	if (!remove_held(c, lock))
		for (unsigned i = 0; i < NR_CPUS; i++)
			if (&ld_cpus[i] != c && READ_ONCE(ld_cpus[i].depth) && remove_held(&ld_cpus[i], lock))
				break;
	if (!c->depth)
		drain_reports(c);
out:
	arch_irq_restore(flags);
}

void __lockdep_irq_enter(void)
{
	this_ld()->irq_level++;
}

void __lockdep_irq_exit(void)
{
	this_ld()->irq_level--;
}

void __lockdep_check_sleep(uintptr_t ip)
{
	unsigned long flags = arch_irq_save();
	struct lockdep_cpu *c = this_ld();

	if (!checking(c))
		goto out;
	if (!c->depth) {
		drain_reports(c);
		goto out;
	}
	c->recursion++;
	raw_lock(&graph_lock);
	bool fresh = false;
	for (unsigned i = 0; i < c->depth; i++) {
		struct lock_class *k = &classes[c->held[i].cls];
		fresh |= !k->sleep_reported;
		k->sleep_reported = true;
	}
	struct report *r = fresh ? report_new(c, LOCKDEP_SLEEP) : NULL;
	if (r)
		r->ip = ip;
	raw_unlock(&graph_lock);
	c->recursion--;
out:
	arch_irq_restore(flags);
}
