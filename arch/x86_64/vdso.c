/*
 * The vDSO in the kernel: the shared object built from arch/x86_64/vdso/
 * is copied into frames at boot, next to one frame of kernel-published
 * data (the vvar page, vdso/vvar.h), and exec maps both into every new
 * process, [vvar] read-only just below [vdso] read + execute, and passes
 * the vDSO's address as AT_SYSINFO_EHDR.
 *
 * All processes share the same frames through one static mapping object;
 * a process that mprotects its copy writable gets private copies on write
 * like any private mapping.
 *
 * Locking: the frames never change after vdso_init(). The vvar fields are
 * written as described in vvar.h; clock_init() publishes the wall clock
 * (vdso_update_clock) after vdso_init().
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <mm/pmm.h>
#include <asm/cpu.h>
#include <asm/syscall.h>
#include <arch/x86_64/time/timer.h>
#include "vdso/vvar.h"

#define MSR_TSC_AUX 0xc0000103

extern const uint8_t vdso_image_start[], vdso_image_end[];

#define VDSO_MAX_PAGES 4

static phys_addr_t vdso_frames[1 + VDSO_MAX_PAGES];    /* [0] is the vvar page */
static size_t vdso_pages;                               /* of text, after vvar */
static struct vvar *vvar;                               /* through the direct map */

static void vdso_obj_get(void *obj)
{
	(void)obj;
}

static void vdso_obj_put(void *obj)
{
	(void)obj;
}

static int vdso_obj_page(void *obj, uint64_t off, unsigned flags, phys_addr_t *pa)
{
	size_t i = off / PAGE_SIZE;

	(void)obj;
	(void)flags;
	if (i > vdso_pages)
		return -EFAULT;
	*pa = vdso_frames[i];
	get_page(phys_to_page(*pa));
	return 0;
}

static const char *vdso_obj_name(void *obj, uint64_t off)
{
	(void)obj;
	return off == 0 ? "[vvar]" : "[vdso]";
}

static const struct vm_object_ops vdso_ops = {
	.get = vdso_obj_get,
	.put = vdso_obj_put,
	.page = vdso_obj_page,
	.name = vdso_obj_name,
};

/* The object every vDSO area refers to; its identity is all that matters. */
static char vdso_object;

/* This CPU's number where the vDSO's getcpu reads it. */
void vdso_init_cpu(unsigned cpu)
{
	if (cpu_has(X86_FEATURE_RDTSCP) || cpu_has(X86_FEATURE_RDPID))
		wrmsr(MSR_TSC_AUX, cpu);        /* node 0 in bits 12 and up */
}

void vdso_init(void)
{
	size_t size = (size_t)(vdso_image_end - vdso_image_start);

	vdso_pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	if (vdso_pages > VDSO_MAX_PAGES)
		panic("vdso: image of %zu bytes is too large", size);
	for (size_t i = 0; i <= vdso_pages; i++) {
		vdso_frames[i] = pmm_alloc_zeroed_frame();
		if (!vdso_frames[i])
			panic("vdso: out of memory");
	}
	for (size_t i = 0; i < vdso_pages; i++)
		memcpy(phys_to_virt(vdso_frames[1 + i]), vdso_image_start + i * PAGE_SIZE,
		       MIN(PAGE_SIZE, size - i * PAGE_SIZE));

	vvar = phys_to_virt(vdso_frames[0]);
	tsc_clock_params(&vvar->tsc_base, &vvar->tsc_mult);
	if (cpu_has(X86_FEATURE_RDPID))
		vvar->flags |= VVAR_HAVE_RDPID;
	else if (cpu_has(X86_FEATURE_RDTSCP))
		vvar->flags |= VVAR_HAVE_RDTSCP;
	vdso_init_cpu(arch_cpu_id());
	pr_info("vdso: %zu bytes, getcpu by %s\n", size,
		vvar->flags & VVAR_HAVE_RDPID ? "rdpid" :
		vvar->flags & VVAR_HAVE_RDTSCP ? "rdtscp" : "syscall");
}

void vdso_update_clock(int64_t realtime_offset_ns, int32_t tz_minuteswest, int32_t tz_dsttime)
{
	if (!vvar)
		return;
	WRITE_ONCE(vvar->realtime_offset_ns, realtime_offset_ns);
	WRITE_ONCE(vvar->tz_minuteswest, tz_minuteswest);
	WRITE_ONCE(vvar->tz_dsttime, tz_dsttime);
}

uintptr_t vdso_map(struct mm *mm)
{
	size_t len = (1 + vdso_pages) * PAGE_SIZE;
	struct vma t = {
		.flags = MAP_PRIVATE, .ops = &vdso_ops, .obj = &vdso_object,
	};
	uintptr_t base;
	int err;

	if (!vvar)
		return 0;
	spin_lock(&mm->lock);
	base = vma_find_free(&mm->vmas, len, MM_MMAP_MIN_ADDR, mm->mmap_base);
	err = base ? 0 : -ENOMEM;
	if (!err) {
		t.start = base;
		t.end = base + PAGE_SIZE;
		t.prot = PROT_READ;
		t.off = 0;
		err = vma_insert(&mm->vmas, &t);
	}
	if (!err) {
		t.start = base + PAGE_SIZE;
		t.end = base + len;
		t.prot = PROT_READ | PROT_EXEC;
		t.off = PAGE_SIZE;
		err = vma_insert(&mm->vmas, &t);
		if (err)
			vma_remove(&mm->vmas, base, base + PAGE_SIZE);
	}
	spin_unlock(&mm->lock);
	return err ? 0 : base + PAGE_SIZE;
}
