/*
 * System calls about the system and the process's own settings: uname,
 * TLS (arch_prctl), set_tid_address, getrandom, resource limits, reboot.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/random.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/version.h>
#include <mm/uaccess.h>
#include <mm/pmm.h>
#include <kernel/time.h>

struct utsname_k {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

static char hostname[65] = "goos";

long sys_uname(void *ubuf)
{
	struct utsname_k u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, "Linux", sizeof(u.sysname));        /* what programs test for */
	strlcpy(u.nodename, hostname, sizeof(u.nodename));
	strlcpy(u.release, KERNEL_RELEASE, sizeof(u.release));
	strlcpy(u.version, "#1 SMP " KERNEL_NAME, sizeof(u.version));
	strlcpy(u.machine, "x86_64", sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(ubuf, &u, sizeof(u)) ? -EFAULT : 0;
}

long sys_sethostname(const char *uname_, int len)
{
	struct proc *p = current_proc();
	char buf[65];

	if (p->cred.euid != 0)
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	if (copy_from_user(buf, uname_, (size_t)len))
		return -EFAULT;
	buf[len] = '\0';
	memcpy(hostname, buf, (size_t)len + 1);
	return 0;
}

#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

long sys_arch_prctl(int code, unsigned long addr)
{
	struct task *t = current_task();

	if (code == ARCH_GET_FS || code == ARCH_GET_GS) {
		uint64_t v = arch_get_tls(&t->arch, code);
		return put_user_u64(v, (void *)addr) ? -EFAULT : 0;
	}
	return arch_set_tls(&t->arch, code, addr);
}

long sys_set_tid_address(int *tidptr)
{
	struct task *t = current_task();
	t->clear_child_tid = (uint64_t)tidptr;
	return t->tid;
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

long sys_getrandom(void *ubuf, size_t len, unsigned flags)
{
	uint8_t chunk[256];
	size_t done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	len = MIN(len, (size_t)0x1ffffff);     /* Linux caps one call at 32 MiB - 1 */
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		random_bytes(chunk, n);
		if (copy_to_user((uint8_t *)ubuf + done, chunk, n)) {
			memset(chunk, 0, sizeof(chunk));
			return done ? (long)done : -EFAULT;
		}
		done += n;
	}
	memset(chunk, 0, sizeof(chunk));
	return (long)done;
}

long sys_prlimit64(int pid, unsigned resource, const void *unew, void *uold)
{
	struct proc *self = current_proc(), *p = self;
	struct rlimit64 nl;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (unew && copy_from_user(&nl, unew, sizeof(nl)))
		return -EFAULT;
	if (unew && nl.cur > nl.max)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	if (pid != 0 && pid != self->pid) {
		p = proc_find(pid);
		if (!p || p->zombie) {
			spin_unlock(&proc_tree_lock);
			return -ESRCH;
		}
		if (self->cred.euid != 0 && self->cred.euid != p->cred.uid) {
			spin_unlock(&proc_tree_lock);
			return -EPERM;
		}
	}
	struct rlimit64 old = p->rlimits[resource];
	if (unew) {
		/* Raising the hard limit needs privilege. */
		if (nl.max > old.max && self->cred.euid != 0) {
			spin_unlock(&proc_tree_lock);
			return -EPERM;
		}
		if (resource == RLIMIT_NOFILE && nl.max > NR_OPEN) {
			spin_unlock(&proc_tree_lock);
			return -EPERM;          /* above fs.nr_open, as Linux */
		}
		p->rlimits[resource] = nl;
	}
	spin_unlock(&proc_tree_lock);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* Unlike prlimit64, where NULL means "not wanted", getrlimit and setrlimit
 * always copy: a NULL pointer is EFAULT (and nothing changes). */
long sys_getrlimit(unsigned resource, void *uold)
{
	struct rlimit64 old;

	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	old = current_proc()->rlimits[resource];
	spin_unlock(&proc_tree_lock);
	return copy_to_user(uold, &old, sizeof(old)) ? -EFAULT : 0;
}

long sys_setrlimit(unsigned resource, const void *unew)
{
	struct rlimit64 nl;

	/* Linux copies before it looks at resource. */
	if (copy_from_user(&nl, unew, sizeof(nl)))
		return -EFAULT;
	return sys_prlimit64(0, resource, unew, NULL);
}

#define LINUX_REBOOT_MAGIC1        0xfee1dead
#define LINUX_REBOOT_MAGIC2        672274793
#define LINUX_REBOOT_CMD_RESTART   0x01234567
#define LINUX_REBOOT_CMD_HALT      0xCDEF0123
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDC
#define LINUX_REBOOT_CMD_CAD_ON    0x89ABCDEF
#define LINUX_REBOOT_CMD_CAD_OFF   0x00000000

long sys_reboot(unsigned magic1, unsigned magic2, unsigned cmd, void *arg)
{
	if (current_proc()->cred.euid != 0)
		return -EPERM;
	if (magic1 != LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != 85072278 &&
	     magic2 != 369367448 && magic2 != 537993216))
		return -EINVAL;
	switch (cmd) {
	case LINUX_REBOOT_CMD_RESTART:
		arch_reboot();
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_POWER_OFF:
		arch_poweroff();
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}

/* struct sysinfo (sysinfo(2)); mem_unit 1: sizes in bytes. */
struct sysinfo_k {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct sysinfo_k) == 112, "struct sysinfo");

long sys_sysinfo(void *uinfo)
{
	struct sysinfo_k si;

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(time_ns() / 1000000000ull);
	si.totalram = pmm_total_frames() * PAGE_SIZE;
	si.freeram = pmm_free_frames() * PAGE_SIZE;
	si.procs = (uint16_t)proc_count();
	unsigned long avg[3];
	loadavg_get(avg);
	for (int i = 0; i < 3; i++)             /* 16 fractional bits (SI_LOAD_SHIFT) */
		si.loads[i] = (uint64_t)avg[i] << (16 - LOADAVG_FSHIFT);
	si.mem_unit = 1;
	return copy_to_user(uinfo, &si, sizeof(si)) ? -EFAULT : 0;
}
