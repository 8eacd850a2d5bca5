/*
 * GDT and TSS, one pair per CPU. The TSS holds the kernel stack for entries
 * from user mode (rsp0, set per task by the scheduler) and the IST stacks
 * that #DF, NMI and #MC always switch to, so they work even when the
 * current stack is broken (e.g. a kernel stack overflow into its guard page).
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/panic.h>
#include <asm/trap.h>
#include <asm/gdt.h>
#include <mm/vmap.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

_Static_assert(sizeof(struct tss) == 104, "TSS layout (SDM vol. 3, 8.7)");
_Static_assert(offsetof(struct tss, ist) == 36, "TSS IST offset");

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#define GDT_ENTRIES 10          /* null, 7 segments, 16-byte TSS descriptor */

struct cpu_gdt {
	uint64_t gdt[GDT_ENTRIES];
	struct tss tss;
} __aligned(64);

static struct cpu_gdt cpu_gdts[MAX_CPUS];

/* Access bytes: P=1, DPL, S=1, type. Flags: L=1 for 64-bit code, G=1. */
static const uint64_t gdt_template[7] = {
	0,
	0x00cf9a000000ffff,     /* 0x08 kernel code, 32-bit (unused) */
	0x00af9a000000ffff,     /* 0x10 kernel code, 64-bit */
	0x00cf92000000ffff,     /* 0x18 kernel data */
	0x00cffa000000ffff,     /* 0x20 user code, 32-bit (unused; SYSRET layout) */
	0x00cff2000000ffff,     /* 0x28 user data */
	0x00affa000000ffff,     /* 0x30 user code, 64-bit */
};

static void set_tss_descriptor(uint64_t *gdt, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	gdt[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89ull << 40) |                      /* present, 64-bit TSS */
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[1] = base >> 32;
}

void gdt_init_cpu(unsigned cpu)
{
	struct cpu_gdt *g = &cpu_gdts[cpu];

	memcpy(g->gdt, gdt_template, sizeof(gdt_template));
	g->tss.iomap_base = sizeof(struct tss);         /* no I/O bitmap */
	set_tss_descriptor(&g->gdt[GDT_TSS / 8], &g->tss);
	_Static_assert(GDT_TSS / 8 + 2 <= GDT_ENTRIES, "TSS descriptor fits");

	struct gdt_ptr ptr = { sizeof(g->gdt) - 1, (uint64_t)g->gdt };
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		:
		: "m"(ptr), "i"((uint64_t)GDT_KERNEL_CS), "i"(GDT_KERNEL_DS)
		: "rax", "memory");
	__asm__ volatile("ltr %w0" ::"r"(GDT_TSS));
}

/* Give this CPU's TSS its IST stacks (guarded kernel stacks). */
void tss_init_ist(unsigned cpu)
{
	struct tss *tss = &cpu_gdts[cpu].tss;

	for (unsigned ist = 1; ist <= 3; ist++) {
		void *top = kstack_alloc();
		if (!top)
			panic("tss: no memory for IST stack %u of cpu %u", ist, cpu);
		tss->ist[ist - 1] = (uint64_t)top;
	}
}

void tss_set_kernel_stack(unsigned cpu, uint64_t rsp0)
{
	cpu_gdts[cpu].tss.rsp[0] = rsp0;
}
