/*
 * memblock: boot-time physical memory bookkeeping (see memblock.h).
 *
 * Four tables, each sorted; the three range sets are disjoint and merged:
 *   fw_map   the firmware entries as given, for the dump and the direct map;
 *   usable   whole pages of MEM_USABLE RAM not touched by any other entry;
 *   holes    pages touched by non-usable entries (so a later usable entry
 *            that overlaps them cannot resurrect them);
 *   reserved pages nobody may allocate (image, modules, memblock_alloc).
 * Free memory is usable minus reserved.
 *
 * When a table is full we err on the safe side: a set that must not lose
 * anything (holes, reserved) grows a neighbour over the gap, over-reserving;
 * the usable set drops memory instead. Either way no page is handed out
 * that should not be.
 *
 * Locking: none. memblock runs on the boot CPU before interrupts and other
 * CPUs exist, and is sealed by pmm_init().
 */
#include <mm/memblock.h>
#include <kernel/printk.h>
#include <kernel/panic.h>

/* Physical addresses are at most 52 bits on x86-64 (and everywhere else). */
#define PHYS_LIMIT (1ULL << 52)

struct mb_range {
	uint64_t base, end;
};

struct mb_set {
	const char *name;
	bool grow_on_overflow;  /* true: over-cover when full; false: drop */
	unsigned cnt;
	struct mb_range r[MEMBLOCK_MAX_REGIONS];
};

static struct mb_set usable = { .name = "usable" };
static struct mb_set holes = { .name = "holes", .grow_on_overflow = true };
static struct mb_set reserved = { .name = "reserved", .grow_on_overflow = true };
static struct mem_region fw_map[MEMBLOCK_MAX_REGIONS];
static unsigned fw_cnt;
static bool sealed;

static void set_delete(struct mb_set *s, unsigned i, unsigned n)
{
	for (unsigned k = i; k + n < s->cnt; k++)
		s->r[k] = s->r[k + n];
	s->cnt -= n;
}

static void set_insert(struct mb_set *s, unsigned i, uint64_t base, uint64_t end)
{
	for (unsigned k = s->cnt; k > i; k--)
		s->r[k] = s->r[k - 1];
	s->r[i] = (struct mb_range){ base, end };
	s->cnt++;
}

/* Add [base, end), merging with every range it overlaps or touches. */
static void set_add(struct mb_set *s, uint64_t base, uint64_t end)
{
	unsigned i = 0, k;

	if (base >= end)
		return;
	while (i < s->cnt && s->r[i].end < base)
		i++;
	k = i;
	while (k < s->cnt && s->r[k].base <= end)
		k++;
	if (k > i) {
		/* r[i..k-1] overlap or touch: fold them into r[i]. */
		s->r[i].base = MIN(base, s->r[i].base);
		s->r[i].end = MAX(end, s->r[k - 1].end);
		set_delete(s, i + 1, k - 1 - i);
		return;
	}
	if (s->cnt < MEMBLOCK_MAX_REGIONS) {
		set_insert(s, i, base, end);
		return;
	}
	pr_warn("memblock: %s table full at [%#lx-%#lx)\n", s->name, base, end);
	if (!s->grow_on_overflow)
		return;
	/* Cover the gap to the nearer neighbour; the set is full so one exists. */
	if (i == s->cnt || (i > 0 && base - s->r[i - 1].end < s->r[i].base - end))
		i--;
	base = MIN(base, s->r[i].base);
	end = MAX(end, s->r[i].end);
	set_delete(s, i, 1);
	set_add(s, base, end);
}

/* Remove [base, end). Only the usable set loses ranges, so on overflow the
 * upper piece of a split range is dropped. */
static void set_remove(struct mb_set *s, uint64_t base, uint64_t end)
{
	for (unsigned i = 0; i < s->cnt && base < end; i++) {
		struct mb_range *r = &s->r[i];

		if (r->end <= base || r->base >= end)
			continue;
		if (r->base >= base && r->end <= end) {
			set_delete(s, i--, 1);
		} else if (r->base < base && r->end > end) {
			if (s->cnt < MEMBLOCK_MAX_REGIONS) {
				set_insert(s, i + 1, end, r->end);
			} else {
				BUG_ON(s->grow_on_overflow);
				pr_warn("memblock: %s table full, dropping [%#lx-%#lx)\n",
					s->name, end, r->end);
			}
			r->end = base;
			return;
		} else if (r->base < base) {
			r->end = base;
		} else {
			r->base = end;
		}
	}
}

static bool set_contains(const struct mb_set *s, uint64_t addr)
{
	for (unsigned i = 0; i < s->cnt; i++)
		if (addr >= s->r[i].base && addr < s->r[i].end)
			return true;
	return false;
}

/* [base, base+len) clipped to what a physical address can be. */
static uint64_t clip_end(uint64_t base, uint64_t len)
{
	if (base >= PHYS_LIMIT)
		return base;
	return len > PHYS_LIMIT - base ? PHYS_LIMIT : base + len;
}

static void fw_record(uint64_t base, uint64_t len, uint32_t type)
{
	unsigned i = fw_cnt;

	if (fw_cnt == MEMBLOCK_MAX_REGIONS) {
		pr_warn("memblock: firmware map full, entry %#lx+%#lx type %u not listed\n",
			base, len, type);
		return;
	}
	while (i > 0 && fw_map[i - 1].base > base) {
		fw_map[i] = fw_map[i - 1];
		i--;
	}
	fw_map[i] = (struct mem_region){ .base = base, .len = len, .type = type };
	fw_cnt++;
}

void memblock_add(uint64_t base, uint64_t len, uint32_t type)
{
	uint64_t end = clip_end(base, len);

	if (len == 0)
		return;
	fw_record(base, len, type);
	if (type == MEM_USABLE) {
		set_add(&usable, ALIGN_UP(base, PAGE_SIZE), ALIGN_DOWN(end, PAGE_SIZE));
		for (unsigned i = 0; i < holes.cnt; i++)
			set_remove(&usable, holes.r[i].base, holes.r[i].end);
	} else {
		base = ALIGN_DOWN(base, PAGE_SIZE);
		end = ALIGN_UP(end, PAGE_SIZE);
		set_add(&holes, base, end);
		set_remove(&usable, base, end);
	}
}

void memblock_reserve(uint64_t base, uint64_t len)
{
	uint64_t end = clip_end(base, len);

	if (len == 0)
		return;
	set_add(&reserved, ALIGN_DOWN(base, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE));
}

/* Highest aligned block of size bytes inside free memory within [lo, hi). */
static phys_addr_t find_in_range(uint64_t lo, uint64_t hi, uint64_t size,
				 uint64_t align)
{
	unsigned j = reserved.cnt;

	while (hi > lo) {
		uint64_t gap_lo = lo, cand;

		/* j-1: the highest reserved range starting below hi. */
		while (j > 0 && reserved.r[j - 1].base >= hi)
			j--;
		if (j > 0)
			gap_lo = MAX(lo, reserved.r[j - 1].end);
		if (gap_lo < hi && hi - gap_lo >= size) {
			cand = ALIGN_DOWN(hi - size, align);
			if (cand >= gap_lo)
				return cand;
		}
		if (j == 0)
			break;
		hi = reserved.r[--j].base;
	}
	return 0;
}

phys_addr_t memblock_alloc(uint64_t size, uint64_t align, phys_addr_t limit)
{
	if (sealed) {
		pr_warn("memblock: alloc of %#lx bytes after pmm_init\n", size);
		return 0;
	}
	if (size == 0 || size > PHYS_LIMIT || (align & (align - 1)))
		return 0;
	size = ALIGN_UP(size, PAGE_SIZE);
	align = MAX(align, PAGE_SIZE);
	for (unsigned i = usable.cnt; i-- > 0;) {
		uint64_t lo = MAX(usable.r[i].base, PAGE_SIZE);
		uint64_t hi = MIN(usable.r[i].end, limit);
		phys_addr_t pa;

		if (hi <= lo)
			continue;
		pa = find_in_range(lo, hi, size, align);
		if (pa) {
			set_add(&reserved, pa, pa + size);
			return pa;
		}
	}
	return 0;
}

/* Calls fn on each part of range [base, end) not covered by the reserved set. */
static void subtract_reserved(uint64_t base, uint64_t end, memblock_range_fn fn,
			      void *arg)
{
	for (unsigned j = 0; j < reserved.cnt && base < end; j++) {
		const struct mb_range *r = &reserved.r[j];

		if (r->end <= base)
			continue;
		if (r->base >= end)
			break;
		if (r->base > base)
			fn(base, r->base, arg);
		base = r->end;
	}
	if (base < end)
		fn(base, end, arg);
}

void memblock_for_each_free(memblock_range_fn fn, void *arg)
{
	for (unsigned i = 0; i < usable.cnt; i++)
		subtract_reserved(usable.r[i].base, usable.r[i].end, fn, arg);
}

void memblock_for_each_usable(memblock_range_fn fn, void *arg)
{
	for (unsigned i = 0; i < usable.cnt; i++)
		fn(usable.r[i].base, usable.r[i].end, arg);
}

bool memblock_is_usable(phys_addr_t pa)
{
	return set_contains(&usable, pa);
}

bool memblock_is_reserved(phys_addr_t pa)
{
	return set_contains(&reserved, pa);
}

uint64_t memblock_usable_total(void)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < usable.cnt; i++)
		total += usable.r[i].end - usable.r[i].base;
	return total;
}

static void add_size(uint64_t base, uint64_t end, void *arg)
{
	*(uint64_t *)arg += end - base;
}

uint64_t memblock_reserved_total(void)
{
	uint64_t free = 0;

	memblock_for_each_free(add_size, &free);
	return memblock_usable_total() - free;
}

pfn_t memblock_max_pfn(void)
{
	return usable.cnt ? usable.r[usable.cnt - 1].end >> PAGE_SHIFT : 0;
}

unsigned memblock_region_count(void)
{
	return fw_cnt;
}

const struct mem_region *memblock_region(unsigned idx)
{
	return idx < fw_cnt ? &fw_map[idx] : NULL;
}

const char *memblock_type_name(uint32_t type)
{
	static const char *const names[] = {
		[MEM_USABLE] = "usable",
		[MEM_RESERVED] = "reserved",
		[MEM_ACPI_RECLAIM] = "ACPI data",
		[MEM_ACPI_NVS] = "ACPI NVS",
		[MEM_BAD] = "bad RAM",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

void memblock_dump(void)
{
	pr_info("memblock: firmware memory map (%u entries):\n", fw_cnt);
	for (unsigned i = 0; i < fw_cnt; i++) {
		const struct mem_region *m = &fw_map[i];

		pr_info("  [mem 0x%016lx-0x%016lx] %10lu KiB %s (%u)\n", m->base,
			clip_end(m->base, m->len), m->len >> 10,
			memblock_type_name(m->type), m->type);
	}
	for (unsigned i = 0; i < reserved.cnt; i++)
		pr_info("  reserved [0x%016lx-0x%016lx] %10lu KiB\n", reserved.r[i].base,
			reserved.r[i].end, (reserved.r[i].end - reserved.r[i].base) >> 10);
	pr_info("memblock: %lu MiB usable in %u ranges, %lu KiB reserved, max pfn %#lx\n",
		memblock_usable_total() >> 20, usable.cnt,
		memblock_reserved_total() >> 10, memblock_max_pfn());
}

void memblock_seal(void)
{
	sealed = true;
}

void memblock_reset(void)
{
	usable.cnt = holes.cnt = reserved.cnt = 0;
	fw_cnt = 0;
	sealed = false;
}

bool memblock_in_direct_map(uint64_t base, uint64_t len)
{
	uint64_t end = base + len;

	if (end < base)
		return false;
	if (end <= MiB(1))
		return true;
	for (unsigned i = 0; i < memblock_region_count(); i++) {
		const struct mem_region *r = memblock_region(i);
		if (memblock_type_is_ram(r->type) && base >= r->base &&
		    end <= r->base + r->len)
			return true;
	}
	return false;
}
