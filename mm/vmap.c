/*
 * vmap area allocator, ioremap and kernel stacks (see vmap.h).
 *
 * The first VMAP_WINDOW bytes of the vmap area are handed out in page
 * units from a bitmap, first fit. Every area is one guard page followed by
 * its mapped pages; the guard is never mapped, so areas never touch.
 * A second bitmap marks the guard pages: an area runs from after its guard to
 * the next guard or free page, which is how iounmap() and kstack_free()
 * know its size and catch addresses that do not start an area.
 *
 * Locking: vmap_lock protects both bitmaps and is never held while mapping
 * (lock order: vmap_lock, then separately kernel_space.lock -> pmm_lock).
 */
#include <mm/vmap.h>
#include <mm/vmm.h>
#include <mm/pmm.h>
#include <kernel/spinlock.h>
#include <kernel/panic.h>
#include <asm/layout.h>

#define VMAP_WINDOW   GiB(2)
#define VMAP_PAGES    (VMAP_WINDOW >> PAGE_SHIFT)
#define BITS          64
#define KSTACK_PAGES  (KSTACK_SIZE / PAGE_SIZE)

_Static_assert(VMAP_BASE + VMAP_WINDOW <= VMAP_END, "vmap window too big");
_Static_assert(KSTACK_SIZE % PAGE_SIZE == 0, "KSTACK_SIZE must be whole pages");

static struct spinlock vmap_lock = SPINLOCK_INIT("vmap");
static uint64_t vmap_used[VMAP_PAGES / BITS];
static uint64_t vmap_guard[VMAP_PAGES / BITS];
static size_t vmap_used_pages;

static bool test_bit(const uint64_t *map, size_t i)
{
	return map[i / BITS] >> (i % BITS) & 1;
}

static void assign_bit(uint64_t *map, size_t i, bool v)
{
	if (v)
		map[i / BITS] |= 1ULL << (i % BITS);
	else
		map[i / BITS] &= ~(1ULL << (i % BITS));
}

/* First run of n clear bits, or VMAP_PAGES. */
static size_t find_run(size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < VMAP_PAGES; i++) {
		if (run == 0 && vmap_used[i / BITS] == ~0ULL) {
			i += BITS - 1 - i % BITS;
			continue;
		}
		run = test_bit(vmap_used, i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return VMAP_PAGES;
}

/* Virtual address of npages mapped-to-be pages after a guard page; 0 if full. */
static uintptr_t area_alloc(size_t npages)
{
	unsigned long flags;
	size_t first;

	if (npages == 0 || npages >= VMAP_PAGES)
		return 0;
	flags = spin_lock_irqsave(&vmap_lock);
	first = find_run(npages + 1);
	if (first < VMAP_PAGES) {
		for (size_t i = first; i <= first + npages; i++)
			assign_bit(vmap_used, i, true);
		assign_bit(vmap_guard, first, true);
		vmap_used_pages += npages + 1;
	}
	spin_unlock_irqrestore(&vmap_lock, flags);
	if (first == VMAP_PAGES)
		return 0;
	return VMAP_BASE + ((first + 1) << PAGE_SHIFT);
}

/* Index of the first mapped page of the area at va, or VMAP_PAGES if no
 * area starts there. Caller holds vmap_lock. */
static size_t area_index(uintptr_t va)
{
	size_t i = (va - VMAP_BASE) >> PAGE_SHIFT;

	if (va < VMAP_BASE + PAGE_SIZE || i >= VMAP_PAGES || !IS_ALIGNED(va, PAGE_SIZE) ||
	    !test_bit(vmap_guard, i - 1) || !test_bit(vmap_used, i))
		return VMAP_PAGES;
	return i;
}

/* Pages in the area that starts at va; BUGs (unlocked) if there is none. */
static size_t area_size(uintptr_t va)
{
	unsigned long flags;
	size_t i, n = 0;

	flags = spin_lock_irqsave(&vmap_lock);
	for (i = area_index(va); i < VMAP_PAGES && test_bit(vmap_used, i) &&
	     !test_bit(vmap_guard, i); i++)
		n++;
	spin_unlock_irqrestore(&vmap_lock, flags);
	if (n == 0)
		panic("vmap: no area at %#lx", va);
	return n;
}

/* Caller has checked with area_size() that the area exists. */
static void area_free(uintptr_t va, size_t npages)
{
	unsigned long flags;
	size_t i;

	flags = spin_lock_irqsave(&vmap_lock);
	i = area_index(va);
	assign_bit(vmap_guard, i - 1, false);
	for (size_t k = i - 1; k < i + npages; k++)
		assign_bit(vmap_used, k, false);
	vmap_used_pages -= npages + 1;
	spin_unlock_irqrestore(&vmap_lock, flags);
}

size_t vmap_pages_used(void)
{
	return READ_ONCE(vmap_used_pages);
}

void *ioremap(phys_addr_t pa, size_t len)
{
	phys_addr_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t size;
	uintptr_t va;

	if (len == 0 || pa + len < pa)
		return NULL;
	size = ALIGN_UP(pa + len, PAGE_SIZE) - base;
	va = area_alloc(size >> PAGE_SHIFT);
	if (!va)
		return NULL;
	if (vmm_map(&kernel_space, va, base, size,
		    VM_READ | VM_WRITE | VM_NOCACHE | VM_GLOBAL, VMM_MAP_NOREPLACE)) {
		area_free(va, size >> PAGE_SHIFT);
		return NULL;
	}
	return (void *)(va + (pa - base));
}

void iounmap(void *addr)
{
	uintptr_t va = ALIGN_DOWN((uintptr_t)addr, PAGE_SIZE);
	size_t npages = area_size(va);

	vmm_unmap(&kernel_space, va, npages << PAGE_SHIFT);
	area_free(va, npages);
}

/* Unmap the first npages of a stack and give their frames back. */
static void kstack_release(uintptr_t va, size_t npages)
{
	for (size_t i = 0; i < npages; i++) {
		phys_addr_t pa;

		if (vmm_translate(&kernel_space, va + i * PAGE_SIZE, &pa, NULL) == 0)
			pmm_free_frame(pa);
	}
	if (npages)
		vmm_unmap(&kernel_space, va, npages << PAGE_SHIFT);
}

/*
 * A few freed stacks are kept mapped for reuse: fork/exit loops then never
 * unmap kernel memory, which would cost a TLB shootdown of every CPU.
 * Bounded, so the frames held stay small (8 x 16 KiB).
 */
#define KSTACK_CACHE 8
static void *kstack_cache[KSTACK_CACHE];
static unsigned kstack_cached;
static struct spinlock kstack_cache_lock = SPINLOCK_INIT("kstack_cache");

static void *kstack_cache_get(void)
{
	void *top = NULL;
	unsigned long flags = spin_lock_irqsave(&kstack_cache_lock);
	if (kstack_cached)
		top = kstack_cache[--kstack_cached];
	spin_unlock_irqrestore(&kstack_cache_lock, flags);
	return top;
}

static bool kstack_cache_put(void *top)
{
	bool kept = false, twice = false;
	unsigned long flags = spin_lock_irqsave(&kstack_cache_lock);
	for (unsigned i = 0; i < kstack_cached; i++)
		twice |= kstack_cache[i] == top;
	if (!twice && kstack_cached < KSTACK_CACHE) {
		kstack_cache[kstack_cached++] = top;
		kept = true;
	}
	spin_unlock_irqrestore(&kstack_cache_lock, flags);
	BUG_ON(twice);                  /* freed twice (raised unlocked) */
	return kept;
}

static void kstack_destroy(void *top);

void kstack_cache_drain(void)
{
	void *top;
	while ((top = kstack_cache_get()))
		kstack_destroy(top);
}

void *kstack_alloc(void)
{
	void *cached = kstack_cache_get();
	if (cached)
		return cached;

	uintptr_t va = area_alloc(KSTACK_PAGES);
	size_t i;

	if (!va)
		return NULL;
	for (i = 0; i < KSTACK_PAGES; i++) {
		phys_addr_t pa = pmm_alloc_frame();

		if (!pa)
			goto out_release;
		if (vmm_map(&kernel_space, va + i * PAGE_SIZE, pa, PAGE_SIZE,
			    VM_READ | VM_WRITE | VM_GLOBAL, VMM_MAP_NOREPLACE)) {
			pmm_free_frame(pa);
			goto out_release;
		}
	}
	return (void *)(va + KSTACK_SIZE);

out_release:
	kstack_release(va, i);
	area_free(va, KSTACK_PAGES);
	return NULL;
}

void kstack_free(void *top)
{
	uintptr_t va = (uintptr_t)top - KSTACK_SIZE;

	BUG_ON(area_size(va) != KSTACK_PAGES);
	if (!kstack_cache_put(top))
		kstack_destroy(top);
}

static void kstack_destroy(void *top)
{
	uintptr_t va = (uintptr_t)top - KSTACK_SIZE;

	kstack_release(va, KSTACK_PAGES);
	area_free(va, KSTACK_PAGES);
}
