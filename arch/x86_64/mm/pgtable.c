/*
 * x86-64 page tables behind mm/vmm.h: map, unmap, protect and translate
 * ranges at 4 KiB, 2 MiB and 1 GiB granularity, splitting huge pages when a
 * range cuts one. Pure logic over phys_to_virt(), so host tests run it on
 * an arena; the TLB is reached only through the arch_tlb_* hooks.
 *
 * Page-table pages come from memblock (below BOOT_MAP_LIMIT, which the boot
 * map covers) until pmm_init() has run, then from the pmm. Empty tables are
 * not freed, and a huge mapping never replaces a table (the range is mapped
 * with smaller pages instead), so no table is ever freed: memblock-born
 * tables could not go back to the pmm anyway.
 *
 * Locking: vmm_space.lock protects all tables of its space. Lock order:
 * vmm_space.lock -> pmm_lock.
 */
#include <mm/vmm.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/memblock.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <asm/layout.h>
#include "pgtable.h"

#define PTE_PROT_MASK (PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_G | PTE_NX)
#define UPPER_HALF_START 0xffff800000000000ULL
/* Flushing more pages than this one by one costs more than a full flush. */
#define FLUSH_ALL_THRESHOLD 32

bool pgtable_nx = true;
struct vmm_space kernel_space = { .lock = SPINLOCK_INIT("kernel_space") };

static phys_addr_t pt_alloc(void)
{
	phys_addr_t pa;

	if (pmm_ready())
		return pmm_alloc_zeroed_frame();
	pa = memblock_alloc(PAGE_SIZE, PAGE_SIZE, BOOT_MAP_LIMIT);
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static uint64_t *table_at(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

/* Bits of an entry that points to a lower table: the leaf decides access. */
static uint64_t table_bits(uintptr_t va)
{
	return PTE_P | PTE_RW | (va < USER_SPACE_END ? PTE_US : 0);
}

static uint64_t prot_bits(unsigned prot)
{
	uint64_t e = PTE_P;

	if (prot & VM_WRITE)
		e |= PTE_RW;
	if (prot & VM_USER)
		e |= PTE_US;
	if (prot & VM_NOCACHE)
		e |= PTE_PCD | PTE_PWT;
	if (prot & VM_GLOBAL)
		e |= PTE_G;
	if (!(prot & VM_EXEC) && pgtable_nx)
		e |= PTE_NX;
	return e;
}

static unsigned pte_prot(uint64_t e)
{
	unsigned prot = VM_READ;

	if (e & PTE_RW)
		prot |= VM_WRITE;
	if (!(e & PTE_NX))
		prot |= VM_EXEC;
	if (e & PTE_US)
		prot |= VM_USER;
	if (e & PTE_PCD)
		prot |= VM_NOCACHE;
	if (e & PTE_G)
		prot |= VM_GLOBAL;
	return prot;
}

/* Physical address a leaf at level maps (bit 12 is PAT in huge leaves). */
static phys_addr_t leaf_addr(uint64_t e, int level)
{
	return e & PTE_ADDR & ~(pt_level_size(level) - 1);
}

/* Replace the huge leaf *e at level by a table of 512 leaves one level down
 * with the same translation and bits. */
static int split(uint64_t *e, int level, uintptr_t va)
{
	uint64_t child_size = pt_level_size(level - 1);
	uint64_t flags = *e & ~PTE_ADDR & ~PTE_PS;
	phys_addr_t base = leaf_addr(*e, level);
	phys_addr_t table = pt_alloc();
	uint64_t *child;

	if (!table)
		return -ENOMEM;
	if (level - 1 > 1)
		flags |= PTE_PS;
	child = phys_to_virt(table);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		child[i] = (base + i * child_size) | flags;
	*e = table | table_bits(va);
	arch_tlb_flush_page(ALIGN_DOWN(va, pt_level_size(level)));
	return 0;
}

/*
 * The entry for va at *level, or, without alloc, the first hole or huge
 * leaf above it (then *level says where it stopped). With alloc, missing
 * tables are created and huge leaves on the way split, so the entry is at
 * *level; NULL then means -ENOMEM.
 */
static uint64_t *walk(struct vmm_space *space, uintptr_t va, int *level, bool alloc)
{
	uint64_t *table = phys_to_virt(space->pml4);

	for (int l = PT_LEVELS;; l--) {
		uint64_t *e = &table[pt_index(va, l)];

		if (l == *level)
			return e;
		if (!(*e & PTE_P) || (*e & PTE_PS)) {
			if (!alloc) {
				*level = l;
				return e;
			}
			if (!(*e & PTE_P)) {
				phys_addr_t pa = pt_alloc();

				if (!pa)
					return NULL;
				*e = pa | table_bits(va);
			} else if (split(e, l, va) < 0) {
				return NULL;
			}
		}
		table = table_at(*e);
	}
}

static bool canonical(uintptr_t va)
{
	return va < USER_SPACE_END || va >= UPPER_HALF_START;
}

/* A page-aligned, non-empty range that stays within one canonical half. */
static int check_range(uintptr_t va, size_t len)
{
	uintptr_t last = va + len - 1;

	if (len == 0 || !IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE))
		return -EINVAL;
	if (last < va || !canonical(va) || !canonical(last) ||
	    (va < USER_SPACE_END) != (last < USER_SPACE_END))
		return -EINVAL;
	return 0;
}

/* Biggest leaf level usable at va/pa with len left, as flags allow. */
static int map_level(uintptr_t va, phys_addr_t pa, size_t len, unsigned flags)
{
	for (int l = 3; l > 1; l--) {
		uint64_t size = pt_level_size(l);

		if (!(flags & (l == 3 ? VMM_MAP_HUGE_1G : VMM_MAP_HUGE | VMM_MAP_HUGE_1G)))
			continue;
		if (IS_ALIGNED(va, size) && IS_ALIGNED(pa, size) && len >= size)
			return l;
	}
	return 1;
}

static bool range_empty(struct vmm_space *space, uintptr_t va, size_t len)
{
	while (len) {
		int level = 1;
		uint64_t *e = walk(space, va, &level, false);
		uint64_t span = pt_level_size(level);
		uint64_t chunk = MIN(span - (va & (span - 1)), len);

		if (*e & PTE_P)
			return false;
		va += chunk;
		len -= chunk;
	}
	return true;
}

struct tlb_batch {
	unsigned pages;
};

static void batch_flush(struct tlb_batch *b, uintptr_t va)
{
	if (++b->pages <= FLUSH_ALL_THRESHOLD)
		arch_tlb_flush_page(va);
}

static void batch_finish(struct tlb_batch *b)
{
	if (b->pages > FLUSH_ALL_THRESHOLD)
		arch_tlb_flush_all();
}

/*
 * Unmap (prot == 0) or reprotect the mapped parts of a checked range. A huge
 * leaf the range covers only partly is split down to the biggest pieces
 * that fit.
 */
static int change_range(struct vmm_space *space, uintptr_t va, size_t len,
			unsigned prot)
{
	struct tlb_batch batch = { 0 };
	int err = 0;

	assert_held(&space->lock);
	while (len) {
		int level = 1;
		uint64_t *e = walk(space, va, &level, false);
		uint64_t span = pt_level_size(level);
		uint64_t chunk = MIN(span - (va & (span - 1)), len);

		if ((*e & PTE_P) && chunk != span) {
			/* Cut a huge leaf: go down to a level the range fills. */
			while (level > 1 && (!IS_ALIGNED(va, span) || len < span))
				span = pt_level_size(--level);
			e = walk(space, va, &level, true);
			if (!e) {
				err = -ENOMEM;
				break;
			}
			chunk = span;
		}
		if (*e & PTE_P) {
			if (prot)
				*e = (*e & ~PTE_PROT_MASK) | prot_bits(prot);
			else
				*e = 0;
			batch_flush(&batch, va);
		}
		va += chunk;
		len -= chunk;
	}
	batch_finish(&batch);
	return err;
}

int vmm_space_init(struct vmm_space *space)
{
	space->pml4 = pt_alloc();
	if (!space->pml4)
		return -ENOMEM;
	spin_lock_init(&space->lock, "vmm_space");
	return 0;
}

/* Install one leaf at the biggest level that fits and is free of tables.
 * Returns the bytes mapped, or 0 for -ENOMEM. */
static uint64_t map_one(struct vmm_space *space, uintptr_t va, phys_addr_t pa,
			size_t len, unsigned prot, unsigned flags,
			struct tlb_batch *batch)
{
	int want = map_level(va, pa, len, flags);
	uint64_t *e, old;
	int level;

	assert_held(&space->lock);
	for (;;) {
		level = want;
		e = walk(space, va, &level, true);
		if (!e)
			return 0;
		/* Never drop a table for a huge leaf: map smaller pages instead. */
		if (level == 1 || !(*e & PTE_P) || (*e & PTE_PS))
			break;
		want--;
	}
	old = *e;
	*e = pa | prot_bits(prot) | (level > 1 ? PTE_PS : 0);
	if (old & PTE_P)
		batch_flush(batch, va);
	return pt_level_size(level);
}

int vmm_map(struct vmm_space *space, uintptr_t va, phys_addr_t pa, size_t len,
	    unsigned prot, unsigned flags)
{
	struct tlb_batch batch = { 0 };
	size_t done = 0;
	int err;

	err = check_range(va, len);
	if (err)
		return err;
	if (!IS_ALIGNED(pa, PAGE_SIZE) || pa + len < pa || pa + len > PTE_ADDR + PAGE_SIZE ||
	    !(prot & VM_READ))
		return -EINVAL;

	spin_lock(&space->lock);
	if ((flags & VMM_MAP_NOREPLACE) && !range_empty(space, va, len)) {
		err = -EEXIST;
		goto out_unlock;
	}
	while (done < len) {
		uint64_t n = map_one(space, va + done, pa + done, len - done, prot, flags,
				     &batch);

		if (!n) {
			err = -ENOMEM;
			goto out_undo;
		}
		done += n;
	}
	goto out_unlock;

out_undo:
	/* The range was empty before: leave it so. */
	if ((flags & VMM_MAP_NOREPLACE) && done)
		change_range(space, va, done, 0);
out_unlock:
	batch_finish(&batch);
	spin_unlock(&space->lock);
	return err;
}

int vmm_unmap(struct vmm_space *space, uintptr_t va, size_t len)
{
	int err = check_range(va, len);

	if (err)
		return err;
	spin_lock(&space->lock);
	err = change_range(space, va, len, 0);
	spin_unlock(&space->lock);
	return err;
}

int vmm_protect(struct vmm_space *space, uintptr_t va, size_t len, unsigned prot)
{
	int err = check_range(va, len);

	if (err)
		return err;
	if (!(prot & VM_READ))
		return -EINVAL;
	spin_lock(&space->lock);
	err = change_range(space, va, len, prot);
	spin_unlock(&space->lock);
	return err;
}

int vmm_translate(struct vmm_space *space, uintptr_t va, phys_addr_t *pa,
		  unsigned *prot)
{
	int level = 1;
	uint64_t *e, entry;

	if (!canonical(va))
		return -EFAULT;
	spin_lock(&space->lock);
	e = walk(space, va, &level, false);
	entry = *e;
	spin_unlock(&space->lock);
	if (!(entry & PTE_P))
		return -EFAULT;
	if (pa)
		*pa = leaf_addr(entry, level) + (va & (pt_level_size(level) - 1));
	if (prot)
		*prot = pte_prot(entry);
	return 0;
}

int vmm_populate_top(struct vmm_space *space, uintptr_t start, uintptr_t end)
{
	uint64_t step = pt_level_size(PT_LEVELS);
	uint64_t n = (ALIGN_UP(end, step) - ALIGN_DOWN(start, step)) / step;
	uintptr_t va = ALIGN_DOWN(start, step);
	int err = 0;

	spin_lock(&space->lock);
	for (uint64_t i = 0; i < n; i++, va += step) {
		int level = PT_LEVELS - 1;

		if (!walk(space, va, &level, true)) {
			err = -ENOMEM;
			break;
		}
	}
	spin_unlock(&space->lock);
	return err;
}
