/*
 * In-kernel tests of memory management on the real machine: the frame
 * allocator over real RAM, kmalloc, the live kernel page tables (W^X of
 * the image, ioremap, guarded stacks, faults on forbidden writes).
 */
#include <kernel/ktest.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/memblock.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <mm/vmap.h>
#include <mm/vmm.h>
#include <asm/layout.h>

#define PF_VECTOR 14
/* Outside the part of the vmap area that vmap.c hands out. */
#define SCRATCH_VA (VMAP_BASE + GiB(64))

/* ---- pmm ---- */

static void test_every_order_restores_count(struct ktest *t)
{
	size_t before = pmm_free_frames();

	for (unsigned order = 0; order < MAX_ORDER; order++) {
		struct page *p = pmm_alloc_pages(order);
		char *va;

		KT_ASSERT(t, p);
		KT_EXPECT_EQ(t, page_to_phys(p) & ((PAGE_SIZE << order) - 1), 0);
		KT_EXPECT_EQ(t, pmm_free_frames(), before - (1ul << order));
		va = page_address(p);
		va[0] = 1;
		va[(PAGE_SIZE << order) - 1] = 2;
		pmm_free_pages(p, order);
		KT_EXPECT_EQ(t, pmm_free_frames(), before);
	}
	KT_EXPECT(t, pmm_alloc_pages(MAX_ORDER) == NULL);
}

#define NFRAMES 256

static void test_frames_usable_and_distinct(struct ktest *t)
{
	static phys_addr_t pa[NFRAMES];
	size_t before = pmm_free_frames();

	for (int i = 0; i < NFRAMES; i++) {
		pa[i] = i % 2 ? pmm_alloc_zeroed_frame() : pmm_alloc_frame();
		KT_ASSERT(t, pa[i]);
		KT_EXPECT(t, memblock_is_usable(pa[i]));
		KT_EXPECT(t, !memblock_is_reserved(pa[i]));
		KT_EXPECT(t, (pa[i] & ~PAGE_MASK) == 0);
		for (int j = 0; j < i; j++)
			KT_EXPECT_NE(t, pa[i], pa[j]);
		if (i % 2) {
			const uint64_t *w = phys_to_virt(pa[i]);

			for (size_t k = 0; k < PAGE_SIZE / 8; k++)
				KT_EXPECT_EQ(t, w[k], 0);
		}
		memset(phys_to_virt(pa[i]), 0xa5, PAGE_SIZE);
	}
	for (int i = 0; i < NFRAMES; i++)
		pmm_free_frame(pa[i]);
	KT_EXPECT_EQ(t, pmm_free_frames(), before);
}

static void test_page_conversions(struct ktest *t)
{
	struct page *p = pmm_alloc_pages(0);
	phys_addr_t pa;

	KT_ASSERT(t, p);
	pa = page_to_phys(p);
	KT_EXPECT(t, phys_to_page(pa) == p);
	KT_EXPECT(t, virt_to_page(page_address(p)) == p);
	KT_EXPECT_EQ(t, virt_to_phys(page_address(p)), pa);
	KT_EXPECT_EQ(t, (uintptr_t)page_address(p), DIRECT_MAP_BASE + pa);
	KT_EXPECT(t, pmm_total_frames() >= pmm_free_frames());
	pmm_free_pages(p, 0);
}

static struct ktest_case pmm_cases[] = {
	KTEST_CASE(test_every_order_restores_count),
	KTEST_CASE(test_frames_usable_and_distinct),
	KTEST_CASE(test_page_conversions),
	{},
};
KTEST_SUITE(pmm, pmm_cases);

/* ---- slab ---- */

static void test_kmalloc_every_class(struct ktest *t)
{
	for (size_t size = KMALLOC_MIN_SIZE; size <= KMALLOC_MAX_CACHE_SIZE; size *= 2) {
		struct kmem_cache_info before, during, after;
		struct slab_stats s_before, s_after;
		struct kmem_cache *cache = kmalloc_cache(size);
		unsigned char *obj[3];

		kmem_cache_info(cache, &before);
		slab_stats(&s_before);
		for (int i = 0; i < 3; i++) {
			obj[i] = kmalloc(size);
			KT_ASSERT(t, obj[i]);
			KT_EXPECT_EQ(t, (uintptr_t)obj[i] % size, 0);
			memset(obj[i], i + 1, size);
		}
		for (int i = 0; i < 3; i++)
			KT_EXPECT(t, obj[i][0] == i + 1 && obj[i][size - 1] == i + 1);
		kmem_cache_info(cache, &during);
		KT_EXPECT_EQ(t, during.inuse, before.inuse + 3);
		for (int i = 0; i < 3; i++)
			kfree(obj[i]);
		kmem_cache_info(cache, &after);
		slab_stats(&s_after);
		KT_EXPECT_EQ(t, after.inuse, before.inuse);
		KT_EXPECT_EQ(t, s_after.bytes_in_use, s_before.bytes_in_use);
	}
}

static void test_kmalloc_large_and_zeroed(struct ktest *t)
{
	size_t before = pmm_free_frames();
	unsigned char *big = kmalloc(3 * PAGE_SIZE + 1);
	unsigned char *z;

	KT_ASSERT(t, big);
	KT_EXPECT_EQ(t, pmm_free_frames(), before - 4);
	memset(big, 0xff, 3 * PAGE_SIZE + 1);
	kfree(big);
	KT_EXPECT_EQ(t, pmm_free_frames(), before);

	z = kzalloc(300);
	KT_ASSERT(t, z);
	for (int i = 0; i < 300; i++)
		KT_EXPECT_EQ(t, z[i], 0);
	kfree(z);
	kfree(NULL);
}

static struct ktest_case slab_cases[] = {
	KTEST_CASE(test_kmalloc_every_class),
	KTEST_CASE(test_kmalloc_large_and_zeroed),
	{},
};
KTEST_SUITE(slab, slab_cases);

/* ---- vmm ---- */

static void test_map_translate_protect_unmap(struct ktest *t)
{
	phys_addr_t pa = pmm_alloc_zeroed_frame(), got;
	volatile uint64_t *va = (volatile uint64_t *)SCRATCH_VA;
	unsigned prot;

	KT_ASSERT(t, pa);
	KT_ASSERT(t, vmm_map(&kernel_space, SCRATCH_VA, pa, PAGE_SIZE, VM_READ | VM_WRITE,
			     VMM_MAP_NOREPLACE) == 0);
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, SCRATCH_VA + 8, &got, &prot), 0);
	KT_EXPECT_EQ(t, got, pa + 8);
	KT_EXPECT_EQ(t, prot, VM_READ | VM_WRITE);
	/* The hardware sees it: a write through the new mapping shows in the direct map. */
	va[1] = 0x1122334455667788ull;
	KT_EXPECT_EQ(t, ((uint64_t *)phys_to_virt(pa))[1], 0x1122334455667788ull);
	KT_EXPECT_EQ(t, vmm_map(&kernel_space, SCRATCH_VA, pa, PAGE_SIZE, VM_READ,
				VMM_MAP_NOREPLACE), -EEXIST);

	KT_EXPECT_EQ(t, vmm_protect(&kernel_space, SCRATCH_VA, PAGE_SIZE, VM_READ), 0);
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, SCRATCH_VA, NULL, &prot), 0);
	KT_EXPECT_EQ(t, prot, VM_READ);
	KT_EXPECT_EQ(t, va[1], 0x1122334455667788ull);

	KT_EXPECT_EQ(t, vmm_unmap(&kernel_space, SCRATCH_VA, PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, SCRATCH_VA, NULL, NULL), -EFAULT);
	KT_EXPECT_EQ(t, vmm_unmap(&kernel_space, SCRATCH_VA, PAGE_SIZE), 0);
	pmm_free_frame(pa);
}

static void test_ioremap_uncached(struct ktest *t)
{
	/* The local APIC page exists on every x86-64 machine; not touched. */
	void *p = ioremap(0xfee00000 + 0x30, 4);
	phys_addr_t pa;
	unsigned prot;

	KT_ASSERT(t, p);
	KT_EXPECT(t, (uintptr_t)p >= VMAP_BASE && (uintptr_t)p < VMAP_END);
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, (uintptr_t)p, &pa, &prot), 0);
	KT_EXPECT_EQ(t, pa, 0xfee00030);
	KT_EXPECT(t, prot & VM_NOCACHE);
	KT_EXPECT(t, !(prot & VM_EXEC));
	iounmap(p);
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, (uintptr_t)p, NULL, NULL), -EFAULT);
}

static int wx_data = 1;
static const int wx_rodata = 2;
static volatile void *fault_target;

static void write_target(void)
{
	*(volatile char *)fault_target = 0;
}

static void test_kernel_image_wx(struct ktest *t)
{
	uintptr_t text = (uintptr_t)&test_kernel_image_wx;
	struct fault_info info;
	phys_addr_t pa;
	unsigned prot;

	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, text, &pa, &prot), 0);
	KT_EXPECT_EQ(t, pa, text - KERNEL_VIRT_BASE);
	KT_EXPECT(t, (prot & VM_EXEC) && !(prot & VM_WRITE));
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, (uintptr_t)&wx_data, NULL, &prot), 0);
	KT_EXPECT(t, (prot & VM_WRITE) && !(prot & VM_EXEC));
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, (uintptr_t)&wx_rodata, NULL, &prot), 0);
	KT_EXPECT(t, !(prot & VM_WRITE) && !(prot & VM_EXEC));
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, (uintptr_t)phys_to_virt(MiB(1)), NULL,
				      &prot), 0);
	KT_EXPECT(t, (prot & VM_WRITE) && !(prot & VM_EXEC));
	/* The old identity map is gone. */
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, MiB(1), NULL, NULL), -EFAULT);

	/* And the CPU enforces it (CR0.WP). */
	fault_target = (void *)text;
	KT_EXPECT_EQ(t, arch_run_catching_faults(write_target, &info), PF_VECTOR);
	fault_target = (void *)&wx_rodata;
	KT_EXPECT_EQ(t, arch_run_catching_faults(write_target, &info), PF_VECTOR);
	KT_EXPECT_EQ(t, info.addr, (uintptr_t)&wx_rodata);
	fault_target = &wx_data;
	KT_EXPECT_EQ(t, arch_run_catching_faults(write_target, &info), -1);
}

static void test_kstack_guard(struct ktest *t)
{
	size_t before;
	struct fault_info info;
	char *top;

	kstack_free(kstack_alloc());   /* tables for the area exist from here */
	kstack_cache_drain();          /* frames kept for reuse are not in use */
	before = pmm_free_frames();
	top = kstack_alloc();
	KT_ASSERT(t, top);
	KT_EXPECT_EQ(t, pmm_free_frames(), before - KSTACK_SIZE / PAGE_SIZE);
	memset(top - KSTACK_SIZE, 0x5a, KSTACK_SIZE);
	KT_EXPECT_EQ(t, vmm_translate(&kernel_space, (uintptr_t)top - KSTACK_SIZE - 1, NULL,
				      NULL), -EFAULT);
	fault_target = top - KSTACK_SIZE - 8;
	KT_EXPECT_EQ(t, arch_run_catching_faults(write_target, &info), PF_VECTOR);
	kstack_free(top);
	kstack_cache_drain();
	KT_EXPECT_EQ(t, pmm_free_frames(), before);
}

static struct ktest_case vmm_cases[] = {
	KTEST_CASE(test_map_translate_protect_unmap),
	KTEST_CASE(test_ioremap_uncached),
	KTEST_CASE(test_kernel_image_wx),
	KTEST_CASE(test_kstack_guard),
	{},
};
KTEST_SUITE(vmm, vmm_cases);
