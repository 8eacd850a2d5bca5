/*
 * Page tables of user address spaces (the lower half), behind the uvm_*
 * hooks of mm/mm.h: one 4 KiB leaf at a time, a walk that skips empty
 * tables, and teardown of the lower-half tables. The upper half of every
 * user PML4 is a copy of kernel_space's top-level entries, so all kernel
 * mappings below them are shared.
 *
 * PROT_NONE pages keep their frame in a not-present leaf marked with
 * PTE_PROTNONE (a bit the CPU ignores when P is clear), so that mprotect
 * can give access back without losing data.
 *
 * Locking: space->lock around every table access (mm->lock, if any, is
 * taken before it).
 */
#include <mm/mm.h>
#include <mm/pmm.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include "pgtable.h"

#define PTE_PROTNONE (1ULL << 9)   /* software bit: frame kept, no access */
#define USER_PML4_ENTRIES (PT_ENTRIES / 2)

static uint64_t *table_of(uint64_t entry)
{
	return phys_to_virt(entry & PTE_ADDR);
}

int uvm_space_create(struct vmm_space *space)
{
	uint64_t *dst, *src;
	int err = vmm_space_init(space);

	if (err)
		return err;
	dst = phys_to_virt(space->pml4);
	src = phys_to_virt(kernel_space.pml4);
	spin_lock(&kernel_space.lock);
	for (unsigned i = USER_PML4_ENTRIES; i < PT_ENTRIES; i++)
		dst[i] = src[i];
	spin_unlock(&kernel_space.lock);
	return 0;
}

/* Frees the tables below entry e at level (leaves must be gone already). */
static void free_tables(uint64_t e, int level)
{
	uint64_t *t = table_of(e);

	if (level > 2) {
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			if (t[i] & PTE_P)
				free_tables(t[i], level - 1);
	}
	pmm_free_frame(e & PTE_ADDR);
}

void uvm_space_destroy(struct vmm_space *space)
{
	uint64_t *pml4 = phys_to_virt(space->pml4);

	spin_lock(&space->lock);
	for (unsigned i = 0; i < USER_PML4_ENTRIES; i++) {
		if (pml4[i] & PTE_P)
			free_tables(pml4[i], PT_LEVELS);
		pml4[i] = 0;
	}
	spin_unlock(&space->lock);
	pmm_free_frame(space->pml4);
	space->pml4 = 0;
}

/* The leaf for va, creating tables if alloc (NULL: none / -ENOMEM). */
static uint64_t *leaf(struct vmm_space *space, uintptr_t va, bool alloc)
{
	uint64_t *table = phys_to_virt(space->pml4);

	for (int l = PT_LEVELS; l > 1; l--) {
		uint64_t *e = &table[pt_index(va, l)];

		if (!(*e & PTE_P)) {
			phys_addr_t pa;

			if (!alloc || !(pa = pmm_alloc_zeroed_frame()))
				return NULL;
			*e = pa | PTE_P | PTE_RW | PTE_US;
		}
		table = table_of(*e);
	}
	return &table[pt_index(va, 1)];
}

static bool leaf_used(uint64_t e)
{
	return e & (PTE_P | PTE_PROTNONE);
}

static uint64_t leaf_bits(phys_addr_t pa, unsigned prot)
{
	uint64_t e = pa;

	if (!(prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return e | PTE_PROTNONE;
	e |= PTE_P | PTE_US;
	if (prot & VM_WRITE)
		e |= PTE_RW;
	if (!(prot & VM_EXEC) && pgtable_nx)
		e |= PTE_NX;
	return e;
}

static unsigned leaf_prot(uint64_t e)
{
	if (!(e & PTE_P))
		return 0;
	return VM_READ | (e & PTE_RW ? VM_WRITE : 0) | (e & PTE_NX ? 0 : VM_EXEC);
}

/* Only a present entry can be cached; it is flushed on every CPU that has
 * the space loaded (other threads of the process). */
static void store(struct vmm_space *space, uint64_t *e, uint64_t v, uintptr_t va)
{
	uint64_t old = *e;

	*e = v;
	if (old & PTE_P) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		arch_tlb_flush_user_page(__atomic_load_n(&space->active_cpus, __ATOMIC_SEQ_CST), va);
	}
}

int uvm_set(struct vmm_space *space, uintptr_t va, phys_addr_t pa, unsigned prot)
{
	uint64_t *e;

	BUG_ON(va >= USER_SPACE_END || !IS_ALIGNED(va | pa, PAGE_SIZE));
	spin_lock(&space->lock);
	e = leaf(space, va, true);
	if (e)
		store(space, e, leaf_bits(pa, prot), va);
	spin_unlock(&space->lock);
	return e ? 0 : -ENOMEM;
}

int uvm_get(struct vmm_space *space, uintptr_t va, phys_addr_t *pa, unsigned *prot)
{
	uint64_t *e, v = 0;

	if (va >= USER_SPACE_END)
		return -ENOENT;
	spin_lock(&space->lock);
	e = leaf(space, va, false);
	if (e)
		v = *e;
	spin_unlock(&space->lock);
	if (!leaf_used(v))
		return -ENOENT;
	if (pa)
		*pa = v & PTE_ADDR;
	if (prot)
		*prot = leaf_prot(v);
	return 0;
}

phys_addr_t uvm_clear(struct vmm_space *space, uintptr_t va)
{
	uint64_t *e, old = 0;

	if (va >= USER_SPACE_END)
		return 0;
	spin_lock(&space->lock);
	e = leaf(space, va, false);
	if (e && leaf_used(*e)) {
		old = *e;
		store(space, e, 0, va);
	}
	spin_unlock(&space->lock);
	return leaf_used(old) ? old & PTE_ADDR : 0;
}

int uvm_map_frame(struct vmm_space *space, uintptr_t va, phys_addr_t pa, unsigned prot)
{
	uint64_t *e, want = leaf_bits(pa, prot);
	int r = 0;

	BUG_ON(va >= USER_SPACE_END || !IS_ALIGNED(va | pa, PAGE_SIZE));
	spin_lock(&space->lock);
	e = leaf(space, va, true);
	if (!e) {
		r = -ENOMEM;
	} else if (!leaf_used(*e)) {
		store(space, e, want, va);
		r = 1;
	} else if ((*e & PTE_ADDR) != pa) {
		r = -EEXIST;
	} else if (leaf_prot(*e) != leaf_prot(want)) {
		store(space, e, want, va);
	}
	spin_unlock(&space->lock);
	return r;
}

bool uvm_clear_frame(struct vmm_space *space, uintptr_t va, phys_addr_t pa)
{
	uint64_t *e;
	bool cleared = false;

	if (va >= USER_SPACE_END)
		return false;
	spin_lock(&space->lock);
	e = leaf(space, va, false);
	if (e && leaf_used(*e) && (*e & PTE_ADDR) == pa) {
		store(space, e, 0, va);
		cleared = true;
	}
	spin_unlock(&space->lock);
	return cleared;
}

bool uvm_next(struct vmm_space *space, uintptr_t *va, uintptr_t end,
	      phys_addr_t *pa, unsigned *prot)
{
	uintptr_t a = ALIGN_DOWN(*va, PAGE_SIZE);
	bool found = false;

	end = MIN(end, USER_SPACE_END);
	spin_lock(&space->lock);
	while (a < end && !found) {
		uint64_t *table = phys_to_virt(space->pml4);

		for (int l = PT_LEVELS; l >= 1; l--) {
			if (l == 1) {
				/* Scan the rest of this leaf table in place: an
				 * area whose pages were all unmapped keeps its
				 * (empty) tables, and walking down from the top
				 * for each of their entries made munmap of 64 MiB
				 * cost 200,000 instructions. */
				for (unsigned i = pt_index(a, 1); i < PT_ENTRIES && a < end;
				     i++, a += PAGE_SIZE) {
					uint64_t e = table[i];
					if (leaf_used(e)) {
						*va = a;
						*pa = e & PTE_ADDR;
						*prot = leaf_prot(e);
						found = true;
						break;
					}
				}
				break;
			}
			uint64_t e = table[pt_index(a, l)];
			if (!(e & PTE_P)) {
				/* Nothing mapped in this entry's span: skip it. */
				a = ALIGN_DOWN(a, pt_level_size(l)) + pt_level_size(l);
				break;
			}
			table = table_of(e);
		}
	}
	spin_unlock(&space->lock);
	return found;
}

void arch_switch_mm(phys_addr_t pml4)
{
	if (read_cr3() != pml4)
		write_cr3(pml4);
}
