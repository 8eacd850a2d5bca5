/*
 * Physical memory manager (see pmm.h): one buddy zone over frames
 * 0..pmm_max_pfn, fed from memblock's free ranges at pmm_init().
 *
 * Locking: pmm_lock (irqsave, a leaf: nothing is taken under it) protects
 * the zone's free lists and counters and the buddy-owned state of every
 * struct page (flags PG_RESERVED/PG_FREE/PG_HEAD, order, list while free).
 * mem_map, pmm_max_pfn and pmm_total are written once by pmm_init().
 */
#include <mm/pmm.h>
#include <mm/memblock.h>
#include <kernel/spinlock.h>
#include <kernel/printk.h>
#include <kernel/panic.h>
#include <kernel/string.h>

struct page *mem_map;
pfn_t pmm_max_pfn;

static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static struct zone pmm_zone;
static size_t pmm_total;
static bool pmm_up;

static void free_range(uint64_t base, uint64_t end, void *arg)
{
	pfn_t first = base >> PAGE_SHIFT, last = end >> PAGE_SHIFT;

	/* Frame 0 stays reserved so that 0 can mean "no frame". */
	if (first == 0)
		first = 1;
	if (first < last)
		buddy_free_range(&pmm_zone, first, last - first);
}

void pmm_init(void)
{
	uint64_t map_bytes;
	phys_addr_t map_pa;

	BUG_ON(pmm_up);
	pmm_max_pfn = memblock_max_pfn();
	if (pmm_max_pfn == 0)
		panic("pmm: no usable memory");
	map_bytes = pmm_max_pfn * sizeof(struct page);
	/* paging_init() has mapped all RAM, so mem_map may live anywhere. */
	map_pa = memblock_alloc(map_bytes, PAGE_SIZE, MEMBLOCK_ALLOC_ANYWHERE);
	if (!map_pa)
		panic("pmm: no memory for mem_map (%lu KiB)", map_bytes >> 10);
	mem_map = phys_to_virt(map_pa);

	buddy_init(&pmm_zone, mem_map, 0, pmm_max_pfn);
	memblock_seal();
	memblock_for_each_free(free_range, NULL);
	pmm_total = buddy_free_count(&pmm_zone);
	pmm_up = true;

	pr_info("pmm: %lu MiB usable, %zu frames free (%zu MiB), mem_map %lu KiB\n",
		memblock_usable_total() >> 20, pmm_total,
		pmm_total >> (20 - PAGE_SHIFT), map_bytes >> 10);
}

bool pmm_ready(void)
{
	return pmm_up;
}

struct page *pmm_alloc_pages(unsigned order)
{
	unsigned long flags;
	struct page *page;

	if (unlikely(!pmm_up)) {
		pr_warn("pmm: allocation before pmm_init\n");
		return NULL;
	}
	flags = spin_lock_irqsave(&pmm_lock);
	page = buddy_alloc(&pmm_zone, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return page;
}

void pmm_free_pages(struct page *page, unsigned order)
{
	unsigned long flags;

	flags = spin_lock_irqsave(&pmm_lock);
	buddy_free(&pmm_zone, page, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
}

phys_addr_t pmm_alloc_frame(void)
{
	struct page *page = pmm_alloc_pages(0);

	return page ? page_to_phys(page) : 0;
}

phys_addr_t pmm_alloc_zeroed_frame(void)
{
	phys_addr_t pa = pmm_alloc_frame();

	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void pmm_free_frame(phys_addr_t pa)
{
	struct page *page = phys_to_page(pa);

	BUG_ON(!page || (pa & ~PAGE_MASK));
	pmm_free_pages(page, 0);
}

void put_page(struct page *page)
{
	if (__atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		pmm_free_pages(page, 0);
}

size_t pmm_free_frames(void)
{
	return READ_ONCE(pmm_zone.free_pages);
}

size_t pmm_total_frames(void)
{
	return pmm_total;
}
