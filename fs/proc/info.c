/*
 * procfs: the global files in /proc (proc(5) formats): meminfo, cpuinfo,
 * stat, uptime, loadavg, version, filesystems, mounts, interrupts.
 */
#include <fs/proc/internal.h>
#include <kernel/arch.h>
#include <kernel/cmdline.h>
#include <asm/cpu.h>                    /* /proc/cpuinfo is the machine's, as in Linux */
#include <kernel/cputime.h>
#include <kernel/errno.h>
#include <kernel/interrupts.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/version.h>
#include <mm/pmm.h>
#include <mm/slab.h>

#define USER_HZ 100
#define NS_PER_TICK (1000000000ull / USER_HZ)
#define MAX_CPUS_SHOWN 64

static unsigned long long kb(size_t frames)
{
	return (unsigned long long)frames * (PAGE_SIZE / 1024);
}

static int show_meminfo(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	size_t total = pmm_total_frames(), free = pmm_free_frames();
	/* No page cache or swap: what is free is what is available. */
	pb_printf(b, "MemTotal:       %8llu kB\nMemFree:        %8llu kB\nMemAvailable:   %8llu kB\n",
		  kb(total), kb(free), kb(free));
	pb_printf(b, "Buffers:        %8llu kB\nCached:         %8llu kB\nSwapCached:     %8llu kB\n",
		  0ull, 0ull, 0ull);
	pb_printf(b, "SwapTotal:      %8llu kB\nSwapFree:       %8llu kB\n", 0ull, 0ull);
	return 0;
}

static int show_cpuinfo(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	uint64_t online = sched_online_mask();
	uint64_t khz = arch_tsc_khz();
	unsigned cpus = 0;
	for (uint64_t m = online; m; m &= m - 1)
		cpus++;
	/* The CPUs of one machine are alike: this one's signature (CPUID leaf 1). */
	uint32_t sig, ebx, ecx, edx;
	cpuid_count(1, 0, &sig, &ebx, &ecx, &edx);
	unsigned family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family >= 6)
		model |= ((sig >> 16) & 0xf) << 4;
	for (unsigned c = 0; c < 64; c++) {
		if (!(online & (1ull << c)))
			continue;
		pb_printf(b, "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
			  "model name\t: %s\nstepping\t: %u\n", c, cpu_vendor(), family, model,
			  cpu_brand(), sig & 0xf);
		pb_printf(b, "cpu MHz\t\t: %llu.%03llu\nsiblings\t: %u\n"
			  "core id\t\t: %u\ncpu cores\t: %u\napicid\t\t: %u\n\n",
			  (unsigned long long)(khz / 1000), (unsigned long long)(khz % 1000),
			  cpus, c, cpus, c);
	}
	return 0;
}

/* User and system nanoseconds of every process, living or reaped: a live
 * process's own time plus what its reaped descendants left it. */
static void all_cputime(uint64_t *user, uint64_t *sys, unsigned *running)
{
	*user = *sys = 0;
	*running = 0;
	spin_lock(&proc_tree_lock);
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_find(pid);
		if (!p)
			continue;
		uint64_t u = p->times.dead_utime, s = p->times.dead_stime;
		if (!p->zombie)
			cputime_proc_read_locked(p, &u, &s);
		*user += u + p->times.child_utime;
		*sys += s + p->times.child_stime;
		struct task *t;
		list_for_each_entry(t, &p->threads, thread_link)
			if (READ_ONCE(t->state) == TASK_RUNNABLE)
				(*running)++;
	}
	spin_unlock(&proc_tree_lock);
}

/* /proc/stat. Only idle time is kept per CPU: each CPU's busy time is
 * split between user and system in the proportion of all processes'. */
static int show_stat(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	uint64_t user, sys, now = time_ns(), online = sched_online_mask();
	unsigned running;
	uint64_t cu[MAX_CPUS_SHOWN], cs[MAX_CPUS_SHOWN], ci[MAX_CPUS_SHOWN];
	uint64_t tu = 0, ts = 0, ti = 0;

	all_cputime(&user, &sys, &running);
	for (unsigned c = 0; c < MAX_CPUS_SHOWN; c++) {
		if (!(online & (1ull << c)))
			continue;
		uint64_t idle = MIN(sched_idle_ns(c), now);
		uint64_t busy = now - idle;
		uint64_t frac = user + sys ? user / 1024 * 1024 / ((user + sys) / 1024 + 1) : 0;
		cu[c] = MIN(busy / 1024 * frac + busy % 1024 * frac / 1024, busy);   /* frac/1024 */
		cs[c] = busy - cu[c];
		ci[c] = idle;
		tu += cu[c], ts += cs[c], ti += ci[c];
	}
	pb_printf(b, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", (unsigned long long)(tu / NS_PER_TICK),
		  (unsigned long long)(ts / NS_PER_TICK), (unsigned long long)(ti / NS_PER_TICK));
	for (unsigned c = 0; c < MAX_CPUS_SHOWN; c++)
		if (online & (1ull << c))
			pb_printf(b, "cpu%u %llu 0 %llu %llu 0 0 0 0 0 0\n", c,
				  (unsigned long long)(cu[c] / NS_PER_TICK),
				  (unsigned long long)(cs[c] / NS_PER_TICK),
				  (unsigned long long)(ci[c] / NS_PER_TICK));
	int64_t btime = (clock_realtime_ns() - (int64_t)now) / 1000000000;
	pb_printf(b, "btime %lld\nprocesses %u\nprocs_running %u\nprocs_blocked 0\n",
		  (long long)btime, proc_count(), running);
	return 0;
}

static int show_uptime(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	uint64_t now = time_ns(), idle = 0, online = sched_online_mask();
	for (unsigned c = 0; c < 64; c++)
		if (online & (1ull << c))
			idle += sched_idle_ns(c);
	pb_printf(b, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(now / 1000000000),
		  (unsigned long long)(now / 10000000 % 100), (unsigned long long)(idle / 1000000000),
		  (unsigned long long)(idle / 10000000 % 100));
	return 0;
}

/* The scheduler keeps no load average yet: the three averages read 0.00
 * (as sysinfo's loads do); the runnable and total task counts are real. */
static int show_loadavg(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	uint64_t user, sys;
	unsigned running;
	all_cputime(&user, &sys, &running);
	pb_printf(b, "0.00 0.00 0.00 %u/%u %d\n", running, proc_count(), proc_last_pid());
	return 0;
}

/* The kernel command line as the boot loader gave it, as Linux's. */
static int show_cmdline(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	pb_printf(b, "%s\n", cmdline_raw());
	return 0;
}

static int show_version(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	pb_printf(b, "Linux version %s (%s) #1 SMP\n", KERNEL_RELEASE, KERNEL_NAME);
	return 0;
}

/* "nodev" marks the types that need no block device: all of ours. */
static int show_filesystems(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	const char *names[32];
	int n = vfs_fs_type_names(names, 32);
	for (int i = 0; i < n; i++)
		pb_printf(b, "nodev\t%s\n", names[i]);
	return 0;
}

/* "source mountpoint type options 0 0"; no source is recorded, so the
 * type names it (as "proc" and "devtmpfs" are by convention). */
/* Names in the mount tables escape space, tab, newline and backslash as
 * octal (Linux's mangle). */
static void pb_mangled(struct pbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			pb_printf(b, "\\%03o", (unsigned char)*s);
		else
			pb_bytes(b, s, 1);
	}
}

/* The super block's options, then the mount's, in Linux's order. */
static void pb_sb_opts(struct pbuf *b, unsigned long f)
{
	static const struct { unsigned long flag; const char *name; } opts[] = {
		{ SB_SYNCHRONOUS, ",sync" }, { SB_DIRSYNC, ",dirsync" },
		{ SB_MANDLOCK, ",mand" }, { SB_LAZYTIME, ",lazytime" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (f & opts[i].flag)
			pb_printf(b, "%s", opts[i].name);
}

static void pb_mnt_opts(struct pbuf *b, unsigned f)
{
	static const struct { unsigned flag; const char *name; } opts[] = {
		{ MNT_NOSUID, ",nosuid" }, { MNT_NODEV, ",nodev" }, { MNT_NOEXEC, ",noexec" },
		{ MNT_NOATIME, ",noatime" }, { MNT_NODIRATIME, ",nodiratime" },
		{ MNT_RELATIME, ",relatime" }, { MNT_NOSYMFOLLOW, ",nosymfollow" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (f & opts[i].flag)
			pb_printf(b, "%s", opts[i].name);
}

#define MAX_MOUNTS_SHOWN 256

/* One line per mount, from show_line, for /proc/mounts and mountinfo. */
static int show_mount_table(struct pbuf *b, bool info)
{
	struct vfs_mount_info *list = kmalloc(MAX_MOUNTS_SHOWN * sizeof(*list));
	char *name = kmalloc(PATH_MAX), *root = kmalloc(PATH_MAX);
	int err = 0;
	if (!list || !name || !root) {
		err = -ENOMEM;
		goto out;
	}
	int n = vfs_mount_list(list, MAX_MOUNTS_SHOWN);
	for (int i = 0; i < n; i++) {
		struct vfs_mount_info *m = &list[i];
		if (vfs_path_name(&m->at, name, PATH_MAX) < 0)
			continue;
		const char *dev = m->mnt->devname ? m->mnt->devname : "none";
		bool sb_ro = m->sb_flags & SB_RDONLY;
		if (!info) {
			/* source mountpoint type options 0 0 */
			pb_mangled(b, dev);
			pb_printf(b, " ");
			pb_mangled(b, name);
			pb_printf(b, " %s %s", m->sb->type->name,
				  sb_ro || (m->flags & MNT_READONLY) ? "ro" : "rw");
			pb_sb_opts(b, m->sb_flags);
			pb_mnt_opts(b, m->flags);
			pb_printf(b, " 0 0\n");
			continue;
		}
		/* id parent major:minor root mountpoint mount-options - type
		 * source super-options (proc(5)); no optional fields: every
		 * mount is private. */
		if (d_path_in_fs(m->mnt->root, root, PATH_MAX) < 0)
			continue;
		pb_printf(b, "%d %d 0:%llu ", m->mnt->id, m->parent_id,
			  (unsigned long long)m->sb->dev);
		pb_mangled(b, root);
		pb_printf(b, " ");
		pb_mangled(b, name);
		pb_printf(b, " %s", m->flags & MNT_READONLY ? "ro" : "rw");
		pb_mnt_opts(b, m->flags);
		pb_printf(b, " - %s ", m->sb->type->name);
		pb_mangled(b, dev);
		pb_printf(b, " %s", sb_ro ? "ro" : "rw");
		pb_sb_opts(b, m->sb_flags);
		pb_printf(b, "\n");
	}
	vfs_mount_list_put(list, n);
out:
	kfree(root);
	kfree(name);
	kfree(list);
	return err;
}

int proc_show_mounts(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	return show_mount_table(b, false);
}

int proc_show_mountinfo(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	return show_mount_table(b, true);
}

static int show_interrupts(struct pbuf *b, int pid, int tid)
{
	(void)pid, (void)tid;
	size_t room = b->len < b->cap ? b->cap - b->len : 0;
	int n = interrupts_format(room ? b->buf + b->len : NULL, room);
	if (n < 0)
		return n;
	b->len += (size_t)n;            /* past cap: the open retries with more room */
	return 0;
}

const struct proc_entry proc_root_files[] = {
	{ "channels", S_IFREG | 0444, .show = chan_proc_show },
	{ "cmdline", S_IFREG | 0444, .show = show_cmdline },
	{ "cpuinfo", S_IFREG | 0444, .show = show_cpuinfo },
	{ "filesystems", S_IFREG | 0444, .show = show_filesystems },
	{ "interrupts", S_IFREG | 0444, .show = show_interrupts },
	{ "loadavg", S_IFREG | 0444, .show = show_loadavg },
	{ "meminfo", S_IFREG | 0444, .show = show_meminfo },
	{ "mounts", S_IFREG | 0444, .show = proc_show_mounts },
	{ "net", S_IFDIR | 0555, .iops = &proc_net_iops, .fops = &proc_net_fops },
	{ "objspace", S_IFREG | 0444, .show = proc_show_objspace },
	{ "stat", S_IFREG | 0444, .show = show_stat },
	{ "uptime", S_IFREG | 0444, .show = show_uptime },
	{ "version", S_IFREG | 0444, .show = show_version },
};
const size_t proc_root_nfiles = ARRAY_SIZE(proc_root_files);
