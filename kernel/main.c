/*
 * kmain: the boot path after boot.S. In order:
 *   CPU tables -> serial console -> boot info -> memory map (memblock) ->
 *   page tables (direct map, W^X) -> buddy -> slab -> a guarded stack ->
 *   platform (ACPI, APIC, HPET/TSC, PCI) -> tests or idle.
 * docs/architecture.md draws the same path.
 */
#include <ipc/chan.h>
#include <kernel/arch.h>
#include <kernel/boot_info.h>
#include <kernel/cmdline.h>
#include <kernel/interrupts.h>
#include <kernel/ktest.h>
#include <drivers/block/blkdev.h>
#include <net/net.h>
#include <kernel/klog.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/proc.h>
#include <fs/devices.h>
#include <fs/procfs.h>
#include <kernel/futex.h>
#include <kernel/random.h>
#include <fs/vfs.h>
#include <fs/tmpfs.h>
#include <drivers/tty/console.h>
#include <drivers/tty/pty.h>
#include <kernel/time.h>
#include <kernel/version.h>
#include <drivers/serial/uart16550.h>
#include <drivers/video/fbcon.h>
#include <drivers/input/ps2kbd.h>
#include <mm/memblock.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <fs/ext2/ext2_vfs.h>
#include <mm/vmap.h>
#include <mm/vmm.h>
#include <asm/layout.h>

extern char __kernel_start[], __kernel_end[];

static struct boot_info boot_info;

static void parse_boot_info(uint32_t magic, uint32_t mbi_phys)
{
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a multiboot2 loader (magic %#x)", magic);
	if (mbi_phys >= BOOT_MAP_LIMIT)
		panic("multiboot2 info at %#x, beyond the boot mapping", mbi_phys);
	if (mb2_parse(phys_to_virt(mbi_phys), &boot_info) < 0)
		panic("malformed multiboot2 information at %#x", mbi_phys);
	boot_info.mbi_phys = mbi_phys;
}

/* RAM the machine has, firmware-owned parts included: what a user gave QEMU
 * with -m, give or take holes the firmware keeps. */
static uint64_t ram_total_bytes(void)
{
	if (boot_info.efi_ram_bytes)
		return boot_info.efi_ram_bytes;
	uint64_t total = 0;
	for (unsigned i = 0; i < boot_info.nr_mem; i++)
		if (boot_info.mem[i].type == 1 || boot_info.mem[i].type == 3 ||
		    boot_info.mem[i].type == 4)
			total += boot_info.mem[i].len;
	return total;
}

static void setup_memory(void)
{
	for (unsigned i = 0; i < boot_info.nr_mem; i++)
		memblock_add(boot_info.mem[i].base, boot_info.mem[i].len, boot_info.mem[i].type);
	/* Low 1 MiB: real-mode IVT, BDA, EBDA, option ROMs; and the AP trampoline later. */
	memblock_reserve(0, MiB(1));
	memblock_reserve(virt_to_phys(__kernel_start), __kernel_end - __kernel_start);
	memblock_reserve(boot_info.mbi_phys, boot_info.mbi_size);
	for (unsigned i = 0; i < boot_info.nr_modules; i++)
		memblock_reserve(boot_info.modules[i].start,
				 boot_info.modules[i].end - boot_info.modules[i].start);
	memblock_dump();
	pr_info("mem: %llu KiB RAM, %llu KiB usable\n",
		(unsigned long long)ram_total_bytes() / 1024,
		(unsigned long long)memblock_usable_total() / 1024);

	paging_init();
	pmm_init();
	slab_init();
	fbcon_init(&boot_info.fb);
}

/* init= on the command line (default /init); words after " -- " are its
 * arguments. */
static char init_path[256] = "/init";
static char init_cmdline[BOOT_CMDLINE_MAX];
static const char *init_argv[32];
static const char *const init_envp[] = { "HOME=/", "TERM=linux", "PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL };

static void parse_init_args(void)
{
	unsigned argc = 0;

	cmdline_get("init", init_path, sizeof(init_path));
	init_argv[argc++] = init_path;
	const char *dashes = strstr(boot_info.cmdline, " -- ");
	if (dashes) {
		strlcpy(init_cmdline, dashes + 4, sizeof(init_cmdline));
		for (char *p = init_cmdline; *p && argc < ARRAY_SIZE(init_argv) - 1;) {
			while (*p == ' ')
				*p++ = '\0';
			if (!*p)
				break;
			init_argv[argc++] = p;
			while (*p && *p != ' ')
				p++;
		}
	}
	init_argv[argc] = NULL;
}

static void start_userspace(void)
{
	unsigned unpacked = 0;

	if (register_filesystem(&tmpfs_type) || vfs_mount_root("tmpfs"))
		panic("boot: cannot mount the root tmpfs");
	devfs_init();
	pty_init();                     /* drivers/tty/pty.c: /dev/ptmx, devpts */
	ext2_vfs_init();
	if (register_filesystem(&proc_fs_type))
		pr_warn("boot: cannot register procfs\n");
	for (unsigned i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		int err = initramfs_unpack(phys_to_virt(m->start), m->end - m->start);
		if (err)
			pr_err("initramfs: module %u (%s) is not a newc cpio archive: %d\n",
			       i, m->name, err);
		else
			unpacked++;
	}
	if (!unpacked) {
		pr_info("boot: no initramfs; nothing to run. Idle.\n");
		if (cmdline_has("poweroff"))
			arch_poweroff();
		return;
	}
	devfs_mount_at_boot();          /* Linux's devtmpfs.mount=1 */
	parse_init_args();
	int err = proc_start_init(init_path, init_argv, init_envp);
	if (err)
		panic("cannot start init: error %d", err);
}

static __noreturn void kmain_late(void)
{
	arch_init(&boot_info);
	pr_info("platform: cpus=%u ram_kib=%llu tsc_khz=%llu\n", arch_cpu_count(),
		(unsigned long long)ram_total_bytes() / 1024,
		(unsigned long long)arch_tsc_khz());

	sched_init();
	arch_smp_boot();
	vdso_init();
	clock_init();
	proc_init();
	loadavg_init();
	futex_init();
	random_init();
	console_input_init();
	keyboard_init();                /* ipc/keyboard.c: the "keyboard" channel */
	ps2kbd_init();                  /* drivers/input/ps2kbd.c: feeds it and the console */
	block_init();
	net_init();

	if (cmdline_has("panic_test"))
		panic_test_run();

	char filter[128];
	if (cmdline_get("ktest", filter, sizeof(filter)) >= 0) {
		ktest_run(filter);
		arch_poweroff();
	}
	start_userspace();
	sched_idle_loop();
}

void kmain(uint32_t magic, uint32_t mbi_phys);
void kmain(uint32_t magic, uint32_t mbi_phys)
{
	arch_early_init();
	time_early_init();
	uart_early_init();
	pr_info("%s\n", KERNEL_BANNER);

	parse_boot_info(magic, mbi_phys);
	cmdline_init(boot_info.cmdline);
	char level[4];
	if (cmdline_get("loglevel", level, sizeof(level)) > 0)
		console_loglevel = level[0] - '0';
	pr_info("boot: loader \"%s\", %s firmware, command line \"%s\"\n",
		boot_info.loader, boot_info.efi ? "UEFI" : "BIOS", boot_info.cmdline);

	setup_memory();

	void *stack = kstack_alloc();
	if (!stack)
		panic("no memory for the boot stack");
	arch_switch_stack(stack, kmain_late);
}
