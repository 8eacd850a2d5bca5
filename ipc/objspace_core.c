/*
 * The ownership tracker's core (ipc/objspace_core.h): objects in one
 * red-black tree by address, pages in another. Memory grows with the
 * number of byte ranges recorded (one own_obj each, split only where a
 * transfer cuts an object) and the pages allocated, never with bytes moved.
 * No locking here: the caller serialises every call.
 */
#include <ipc/objspace_core.h>
#include <kernel/errno.h>
#include <mm/slab.h>

#define OBJ(n)  container_of(n, struct own_obj, node)
#define PAGE(n) container_of(n, struct own_page, node)
#define PAGE_OF(a) ((a) & ~(uintptr_t)(PAGE_SIZE - 1))

static bool obj_less(const struct rb_node *a, const struct rb_node *b)
{
	return OBJ(a)->addr < OBJ(b)->addr;
}

static bool page_less(const struct rb_node *a, const struct rb_node *b)
{
	return PAGE(a)->va < PAGE(b)->va;
}

void own_space_init(struct own_space *s, uintptr_t base, uintptr_t end,
		    const struct own_space_ops *ops)
{
	s->ops = ops;
	s->base = s->next = base;
	s->end = end;
	rb_tree_init(&s->objs);
	rb_tree_init(&s->pages);
	s->nobjs = s->npages = 0;
	s->gen = 0;
}

void own_holder_init(struct own_holder *h, int pid, bool bundle)
{
	list_init(&h->objs);
	h->bundle = bundle;
	h->pid = pid;
	h->bytes = h->nobjs = 0;
	h->mark = 0;
}

/* The object containing a, else the first one above it; NULL if none. */
static struct own_obj *obj_from(struct own_space *s, uintptr_t a)
{
	struct rb_node *n = s->objs.root, *below = NULL, *above = NULL;

	while (n) {
		if (OBJ(n)->addr <= a) {
			below = n;
			n = n->right;
		} else {
			above = n;
			n = n->left;
		}
	}
	if (below && OBJ(below)->addr + OBJ(below)->len > a)
		return OBJ(below);
	return above ? OBJ(above) : NULL;
}

static struct own_obj *obj_next(struct own_obj *o)
{
	struct rb_node *n = rb_next(&o->node);

	return n ? OBJ(n) : NULL;
}

static struct own_page *page_find(struct own_space *s, uintptr_t va)
{
	struct rb_node *n = s->pages.root;

	while (n) {
		if (PAGE(n)->va == va)
			return PAGE(n);
		n = va < PAGE(n)->va ? n->left : n->right;
	}
	return NULL;
}

static void obj_attach(struct own_space *s, struct own_obj *o, struct own_holder *h)
{
	o->h = h;
	list_add_tail(&o->hnode, &h->objs);
	h->bytes += o->len;
	h->nobjs++;
	rb_insert(&s->objs, &o->node, obj_less);
	s->nobjs++;
}

static void obj_detach(struct own_space *s, struct own_obj *o)
{
	list_del(&o->hnode);
	o->h->bytes -= o->len;
	o->h->nobjs--;
	rb_erase(&s->objs, &o->node);
	s->nobjs--;
}

/* Hand o to h without touching the tree (addresses do not change). */
static void obj_give(struct own_obj *o, struct own_holder *h)
{
	list_del(&o->hnode);
	o->h->bytes -= o->len;
	o->h->nobjs--;
	o->h = h;
	list_add_tail(&o->hnode, &h->objs);
	h->bytes += o->len;
	h->nobjs++;
}

/* Cut o at at (inside it); the upper part goes into spare, same holder. */
static struct own_obj *obj_split(struct own_space *s, struct own_obj *o, uintptr_t at,
				 struct own_obj *spare)
{
	uintptr_t end = o->addr + o->len;

	o->len = at - o->addr;
	o->h->bytes -= end - at;
	spare->addr = at;
	spare->len = end - at;
	obj_attach(s, spare, o->h);
	return spare;
}

static bool range_ok(struct own_space *s, uintptr_t addr, uint64_t len)
{
	return len && addr + len > addr && addr >= s->base && addr + len <= s->end;
}

/* h owns every byte of [addr, addr + len). */
static bool owns_all(struct own_space *s, struct own_holder *h, uintptr_t addr, uint64_t len)
{
	uintptr_t pos = addr, end = addr + len;
	struct own_obj *o = obj_from(s, addr);

	for (; pos < end; o = obj_next(o)) {
		if (!o || o->addr > pos || o->h != h)
			return false;
		pos = o->addr + o->len;
	}
	return true;
}

/*
 * ---- Pages: who maps what ----
 * After objects change hands on a page, sync_page() brings the page tables
 * in line: processes in inv[] that no longer own anything there lose their
 * mapping, every process owner gets the protection the isolation rule
 * allows, and a page nobody owns anything on is freed.
 */

/* Mark the holders owning bytes on pg with a new generation; count the
 * process ones. Returns whether anything at all is on the page. */
static bool scan_page(struct own_space *s, uintptr_t va, unsigned *nproc)
{
	bool any = false;

	s->gen++;
	*nproc = 0;
	for (struct own_obj *o = obj_from(s, va); o && o->addr < va + PAGE_SIZE; o = obj_next(o)) {
		any = true;
		if (o->h->mark != s->gen) {
			o->h->mark = s->gen;
			*nproc += !o->h->bundle;
		}
	}
	return any;
}

static bool may_write(const struct own_page *pg, const struct own_holder *h, unsigned nproc)
{
	return !pg->isolated || pg->writer == h || nproc == 1;
}

static void page_free(struct own_space *s, struct own_page *pg)
{
	rb_erase(&s->pages, &pg->node);
	s->npages--;
	s->ops->put_frame(pg->pa);
	kfree(pg);
}

static int sync_page(struct own_space *s, struct own_page *pg, struct own_holder *const *inv,
		     unsigned ninv)
{
	uintptr_t va = pg->va;
	unsigned nproc;
	bool any = scan_page(s, va, &nproc);
	unsigned long gen = s->gen;
	int err = 0;

	for (unsigned i = 0; i < ninv; i++)
		if (!inv[i]->bundle && inv[i]->mark != gen)
			s->ops->unmap(inv[i], va, pg->pa);
	if (pg->writer && pg->writer->mark != gen)
		pg->writer = NULL;
	if (!any) {
		page_free(s, pg);
		return 0;
	}
	/* Each process owner once: mark them with gen + 1 as they are done. */
	s->gen++;
	for (struct own_obj *o = obj_from(s, va); o && o->addr < va + PAGE_SIZE; o = obj_next(o)) {
		struct own_holder *h = o->h;

		if (h->bundle || h->mark != gen)
			continue;
		h->mark = s->gen;
		int e = s->ops->map(h, va, pg->pa, may_write(pg, h, nproc));
		if (e && !err)
			err = e;
	}
	return err;
}

/* sync_page for a page inside one object o: o's holder is its only owner
 * (the bulk of a large transfer), so no scan is needed. */
static int sync_page_whole(struct own_space *s, struct own_page *pg, struct own_obj *o,
			   struct own_holder *const *inv, unsigned ninv)
{
	struct own_holder *h = o->h;

	for (unsigned i = 0; i < ninv; i++)
		if (!inv[i]->bundle && inv[i] != h)
			s->ops->unmap(inv[i], pg->va, pg->pa);
	if (pg->writer != h)
		pg->writer = NULL;
	return h->bundle ? 0 : s->ops->map(h, pg->va, pg->pa, may_write(pg, h, 1));
}

/* sync_page over every page [addr, addr + len) touches; the first error.
 * Pages and objects are walked in address order, so a transfer costs a
 * tree lookup per object, not per page. */
static int sync_range(struct own_space *s, uintptr_t addr, uint64_t len,
		      struct own_holder *const *inv, unsigned ninv)
{
	struct own_page *pg = NULL;
	struct own_obj *o = NULL;
	int err = 0;

	for (uintptr_t va = PAGE_OF(addr); va < addr + len; va += PAGE_SIZE) {
		if (!pg || pg->va != va)
			pg = page_find(s, va);
		if (!pg)
			continue;      /* cannot happen: objects touched it before the change */
		struct rb_node *next = rb_next(&pg->node);
		if (!o || o->addr > va || o->addr + o->len <= va)
			o = obj_from(s, va);
		int e;
		if (o && o->addr <= va && va + PAGE_SIZE <= o->addr + o->len)
			e = sync_page_whole(s, pg, o, inv, ninv);
		else
			e = sync_page(s, pg, inv, ninv);        /* may free pg */
		if (e && !err)
			err = e;
		pg = next ? PAGE(next) : NULL;
	}
	return err;
}

/* ---- Allocation ---- */

static void alloc_undo(struct own_space *s, struct own_holder *h, struct own_obj *o,
		       uintptr_t addr, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++) {
		struct own_page *pg = page_find(s, addr + i * PAGE_SIZE);
		if (!pg)
			continue;
		s->ops->unmap(h, pg->va, pg->pa);
		page_free(s, pg);
	}
	kfree(o);
}

int own_space_alloc(struct own_space *s, struct own_holder *h, uint64_t len, uintptr_t *addr)
{
	uint64_t npages = ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE;
	uintptr_t a = s->next;
	struct own_obj *o;

	if (!len || ALIGN_UP(len, PAGE_SIZE) < len)
		return -EINVAL;
	if (npages > (s->end - s->next) / PAGE_SIZE)
		return -ENOMEM;
	o = kmalloc(sizeof(*o));
	if (!o)
		return -ENOMEM;
	for (uint64_t i = 0; i < npages; i++) {
		struct own_page *pg = kmalloc(sizeof(*pg));
		phys_addr_t pa = pg ? s->ops->alloc_frame() : 0;

		if (!pa) {
			kfree(pg);
			goto out_undo;
		}
		pg->va = a + i * PAGE_SIZE;
		pg->pa = pa;
		pg->isolated = false;
		pg->writer = NULL;
		rb_insert(&s->pages, &pg->node, page_less);
		s->npages++;
		if (s->ops->map(h, pg->va, pa, true))
			goto out_undo;
	}
	o->addr = a;
	o->len = npages * PAGE_SIZE;
	obj_attach(s, o, h);
	s->next = a + npages * PAGE_SIZE;
	*addr = a;
	return 0;

out_undo:
	alloc_undo(s, h, o, a, npages);
	return -ENOMEM;
}

/* ---- Release and transfer ---- */

/* Carve [addr, addr + len), which from owns whole, into objects of its own
 * (using up to two spares) and give them to to. */
static void carve(struct own_space *s, struct own_holder *to, uintptr_t addr, uint64_t len,
		  struct own_obj **spare)
{
	uintptr_t end = addr + len;
	struct own_obj *o = obj_from(s, addr);

	if (o->addr < addr)
		o = obj_split(s, o, addr, *spare++);
	while (o && o->addr < end) {
		struct own_obj *next;

		if (o->addr + o->len > end)
			obj_split(s, o, end, *spare++);
		next = obj_next(o);
		obj_give(o, to);
		o = next;
	}
}

int own_space_release(struct own_space *s, struct own_holder *h, uintptr_t addr, uint64_t len)
{
	struct own_holder *inv[1] = { h };
	struct own_obj *o;

	if (!range_ok(s, addr, len))
		return -EINVAL;
	if (!owns_all(s, h, addr, len))
		return -EPERM;
	/* Trim the objects at both ends, free those inside: needs no memory. */
	for (o = obj_from(s, addr); o && o->addr < addr + len;) {
		uintptr_t oend = o->addr + o->len;
		struct own_obj *next = obj_next(o);

		if (o->addr < addr && oend > addr + len) {
			/* A hole in the middle: reuse nothing, split needs a record. */
			struct own_obj *tail = kmalloc(sizeof(*tail));
			if (!tail)
				return -ENOMEM;
			obj_split(s, o, addr + len, tail);
			o->len = addr - o->addr;
			h->bytes -= len;
			break;
		}
		if (o->addr < addr) {
			h->bytes -= oend - addr;
			o->len = addr - o->addr;
		} else if (oend > addr + len) {
			/* Only the start moves: re-key in place (order is kept). */
			h->bytes -= addr + len - o->addr;
			o->len = oend - (addr + len);
			o->addr = addr + len;
		} else {
			obj_detach(s, o);
			kfree(o);
		}
		o = next;
	}
	sync_range(s, addr, len, inv, 1);       /* unmaps and frees: cannot fail */
	return 0;
}

static bool ranges_overlap(const struct own_range *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (r[i].addr < r[j].addr + r[j].len && r[j].addr < r[i].addr + r[i].len)
				return true;
	return false;
}

int own_space_move(struct own_space *s, struct own_holder *from, struct own_holder *to,
		   const struct own_range *r, unsigned n)
{
	struct own_holder *inv[2] = { from, to };
	struct own_obj **spare;
	unsigned nspare = 2 * n, used;

	for (unsigned i = 0; i < n; i++)
		if (!range_ok(s, r[i].addr, r[i].len))
			return -EINVAL;
	if (ranges_overlap(r, n))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!owns_all(s, from, r[i].addr, r[i].len))
			return -EPERM;
	spare = kmalloc(sizeof(*spare) * (nspare ? nspare : 1));
	if (!spare)
		return -ENOMEM;
	for (used = 0; used < nspare; used++) {
		spare[used] = kmalloc(sizeof(struct own_obj));
		if (!spare[used])
			goto out_free;
	}
	used = 0;
	for (unsigned i = 0; i < n; i++) {
		struct own_obj *two[2] = { spare[2 * i], spare[2 * i + 1] };
		uint64_t before = s->nobjs;

		carve(s, to, r[i].addr, r[i].len, two);
		/* Spares carve() did not use are freed below. */
		for (uint64_t k = 0; k < s->nobjs - before; k++)
			spare[2 * i + k] = NULL;
	}
	for (unsigned i = 0; i < n; i++)
		sync_range(s, r[i].addr, r[i].len, inv, 2);  /* only unmaps: cannot fail */
	used = nspare;
out_free:
	for (unsigned i = 0; i < used; i++)
		kfree(spare[i]);
	kfree(spare);
	return used == nspare ? 0 : -ENOMEM;
}

/* Sync every page the objects of h touch. */
static int sync_holder(struct own_space *s, struct own_holder *h,
		       struct own_holder *const *inv, unsigned ninv)
{
	struct own_obj *o;
	int err = 0;

	list_for_each_entry(o, &h->objs, hnode) {
		int e = sync_range(s, o->addr, o->len, inv, ninv);
		if (e && !err)
			err = e;
	}
	return err;
}

/* Move every entry of from to the end of to (from ends empty). */
static void list_move_all(struct list_head *from, struct list_head *to)
{
	while (!list_empty(from)) {
		struct list_head *e = from->next;
		list_del(e);
		list_add_tail(e, to);
	}
}

static void give_all(struct own_holder *from, struct own_holder *to)
{
	while (!list_empty(&from->objs))
		obj_give(list_first_entry(&from->objs, struct own_obj, hnode), to);
}

static void isolate_pages(struct own_space *s, struct own_holder *h)
{
	struct own_obj *o;

	list_for_each_entry(o, &h->objs, hnode) {
		for (uintptr_t va = PAGE_OF(o->addr); va < o->addr + o->len; va += PAGE_SIZE) {
			struct own_page *pg = page_find(s, va);

			/* The first isolating receiver may write; once a second
			 * one comes, neither may (unless left sole owner), so
			 * each keeps its guarantee. */
			if (!pg->isolated) {
				pg->isolated = true;
				pg->writer = h;
			} else if (pg->writer != h) {
				pg->writer = NULL;
			}
		}
	}
}

int own_space_take(struct own_space *s, struct own_holder *from, struct own_holder *to,
		   bool isolate)
{
	struct own_holder *inv[2] = { from, to };
	struct list_head moved;

	/* Remember which objects came in: to may own others already. */
	list_init(&moved);
	list_move_all(&to->objs, &moved);
	uint64_t bytes = to->bytes, nobjs = to->nobjs;
	to->bytes = to->nobjs = 0;
	give_all(from, to);
	if (sync_holder(s, to, inv, 2)) {
		give_all(to, from);
		sync_holder(s, from, inv, 2);           /* unmaps only */
		list_move_all(&moved, &to->objs);
		to->bytes = bytes;
		to->nobjs = nobjs;
		return -ENOMEM;
	}
	if (isolate) {
		isolate_pages(s, to);
		sync_holder(s, to, inv, 2);             /* narrows others: cannot fail */
	}
	to->bytes += bytes;
	to->nobjs += nobjs;
	list_move_all(&moved, &to->objs);
	return 0;
}

void own_space_drop(struct own_space *s, struct own_holder *h)
{
	struct own_holder *inv[1] = { h };

	while (!list_empty(&h->objs)) {
		struct own_obj *o = list_first_entry(&h->objs, struct own_obj, hnode);
		uintptr_t addr = o->addr, len = o->len;

		obj_detach(s, o);
		kfree(o);
		sync_range(s, addr, len, inv, 1);
	}
}

struct own_holder *own_space_owner(struct own_space *s, uintptr_t addr)
{
	struct own_obj *o = obj_from(s, addr);

	return o && o->addr <= addr ? o->h : NULL;
}

/* Someone other than h owns bytes on the page at va. */
static bool page_shared(struct own_space *s, struct own_holder *h, uintptr_t va)
{
	for (struct own_obj *o = obj_from(s, va); o && o->addr < va + PAGE_SIZE; o = obj_next(o))
		if (o->h != h)
			return true;
	return false;
}

void own_space_stats(struct own_space *s, struct own_holder *h, int pid, struct own_stats *st)
{
	uintptr_t last_own = 1, last_pend = 1;     /* never a page address */

	st->owned_bytes = h ? h->bytes : 0;
	st->owned_objects = h ? h->nobjs : 0;
	st->owned_pages = st->dirty_pages = st->pending_pages = st->pending_bytes = 0;
	for (struct rb_node *n = rb_first(&s->objs); n; n = rb_next(n)) {
		struct own_obj *o = OBJ(n);
		bool mine = h && o->h == h;
		bool pending = o->h->bundle && o->h->pid == pid;

		if (pending)
			st->pending_bytes += o->len;
		if (!mine && !pending)
			continue;
		for (uintptr_t va = PAGE_OF(o->addr); va < o->addr + o->len; va += PAGE_SIZE) {
			if (mine && va != last_own) {
				last_own = va;
				st->owned_pages++;
				st->dirty_pages += page_shared(s, h, va);
			}
			if (pending && va != last_pend) {
				last_pend = va;
				st->pending_pages++;
			}
		}
	}
}
