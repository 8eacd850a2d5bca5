/* The vDSO: found through AT_SYSINFO_EHDR, its functions agree with the
 * syscalls they replace, it shows in /proc/self/maps, and it is shared
 * read-only (a process that makes its copy writable changes only its own). */
#include "utest.h"
#include <elf.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

typedef int (*cgt_fn)(clockid_t, struct timespec *);
typedef int (*gtod_fn)(struct timeval *, struct timezone *);
typedef time_t (*time_fn)(time_t *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

/* A symbol of the vDSO by name, through its DT_HASH table as musl does. */
static void *vdso_sym(const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	if (!eh)
		return NULL;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	uintptr_t base = 0;
	const Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !base)
			base = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)((const char *)eh + ph[i].p_offset);
	}
	if (!dyn)
		return NULL;
	const char *str = NULL;
	const Elf64_Sym *sym = NULL;
	const uint32_t *hash = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_STRTAB)
			str = (const char *)(base + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_SYMTAB)
			sym = (const Elf64_Sym *)(base + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const uint32_t *)(base + dyn->d_un.d_ptr);
	}
	if (!str || !sym || !hash)
		return NULL;
	for (uint32_t i = 0; i < hash[1]; i++)
		if (sym[i].st_shndx != SHN_UNDEF && !strcmp(str + sym[i].st_name, name))
			return (void *)(base + sym[i].st_value);
	return NULL;
}

static long long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

UT_CASE(test_auxv_points_at_an_elf)
{
	const unsigned char *p = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	UT_ASSERT(p);
	UT_EXPECT(!memcmp(p, ELFMAG, SELFMAG));
	UT_EXPECT_EQ(((const Elf64_Ehdr *)p)->e_type, ET_DYN);
	UT_EXPECT(vdso_sym("__vdso_clock_gettime"));
	UT_EXPECT(vdso_sym("__vdso_gettimeofday"));
	UT_EXPECT(vdso_sym("__vdso_time"));
	UT_EXPECT(vdso_sym("__vdso_getcpu"));
	UT_EXPECT(!vdso_sym("no_such_symbol"));
}

/* Each clock read through the vDSO falls between two syscall reads. */
UT_CASE(test_clock_gettime_agrees_with_syscall)
{
	cgt_fn cgt = (cgt_fn)vdso_sym("__vdso_clock_gettime");
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
					    CLOCK_BOOTTIME };
	UT_ASSERT(cgt);
	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec a, b, c;
		UT_EXPECT_EQ(syscall(SYS_clock_gettime, clocks[i], &a), 0);
		UT_EXPECT_EQ(cgt(clocks[i], &b), 0);
		UT_EXPECT_EQ(syscall(SYS_clock_gettime, clocks[i], &c), 0);
		UT_EXPECT(b.tv_nsec >= 0 && b.tv_nsec < 1000000000);
		if (ts_ns(&a) > ts_ns(&b) || ts_ns(&b) > ts_ns(&c))
			UT_FAIL("clock %d: %lld, vdso %lld, %lld", (int)clocks[i], ts_ns(&a),
				ts_ns(&b), ts_ns(&c));
	}
	/* The coarse clocks may lag by up to a tick on Linux; here they are
	 * exact, so only check they are close. */
	struct timespec m, mc;
	UT_EXPECT_EQ(cgt(CLOCK_MONOTONIC_COARSE, &mc), 0);
	UT_EXPECT_EQ(cgt(CLOCK_MONOTONIC, &m), 0);
	UT_EXPECT(ts_ns(&m) - ts_ns(&mc) >= 0 && ts_ns(&m) - ts_ns(&mc) < 1000000000LL);
}

/* What the vDSO does not answer itself it passes to the kernel: CPU-time
 * clocks work, bad ids give the syscall's raw -EINVAL. */
UT_CASE(test_clock_gettime_falls_back)
{
	cgt_fn cgt = (cgt_fn)vdso_sym("__vdso_clock_gettime");
	struct timespec ts = { -1, -1 };
	UT_ASSERT(cgt);
	UT_EXPECT_EQ(cgt(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	UT_EXPECT(ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts_ns(&ts) > 0);
	UT_EXPECT_EQ(cgt(CLOCK_THREAD_CPUTIME_ID, &ts), 0);
	UT_EXPECT_EQ(cgt(12345, &ts), -EINVAL);
	UT_EXPECT_EQ(cgt(-1, &ts), -EINVAL);
	/* And musl's clock_gettime, which goes through the vDSO, agrees. */
	errno = 0;
	UT_EXPECT_EQ(clock_gettime(12345, &ts), -1);
	UT_EXPECT_EQ(errno, EINVAL);
}

UT_CASE(test_gettimeofday_and_time)
{
	gtod_fn gtod = (gtod_fn)vdso_sym("__vdso_gettimeofday");
	time_fn tm = (time_fn)vdso_sym("__vdso_time");
	UT_ASSERT(gtod && tm);
	struct timeval a, b;
	UT_EXPECT_EQ(syscall(SYS_gettimeofday, &a, NULL), 0);
	UT_EXPECT_EQ(gtod(&b, NULL), 0);
	long long ua = a.tv_sec * 1000000LL + a.tv_usec, ub = b.tv_sec * 1000000LL + b.tv_usec;
	UT_EXPECT(ub >= ua && ub - ua < 1000000);
	UT_EXPECT(b.tv_usec >= 0 && b.tv_usec < 1000000);
	UT_EXPECT_EQ(gtod(NULL, NULL), 0);
	time_t t0 = syscall(SYS_time, NULL), t1, t2 = tm(&t1);
	UT_EXPECT_EQ(t1, t2);
	UT_EXPECT(t2 >= t0 && t2 - t0 <= 1);
}

/* settimeofday and clock_settime (root) move the vDSO's clock and time
 * zone too, at once. */
UT_CASE(test_setting_the_clock_is_seen)
{
	cgt_fn cgt = (cgt_fn)vdso_sym("__vdso_clock_gettime");
	gtod_fn gtod = (gtod_fn)vdso_sym("__vdso_gettimeofday");
	UT_ASSERT(cgt && gtod);
	if (geteuid() != 0)
		return;
	struct timespec r0, r1, now;
	UT_EXPECT_EQ(cgt(CLOCK_REALTIME, &r0), 0);
	struct timespec later = { r0.tv_sec + 86400, r0.tv_nsec };
	UT_EXPECT_EQ(syscall(SYS_clock_settime, CLOCK_REALTIME, &later), 0);
	UT_EXPECT_EQ(cgt(CLOCK_REALTIME, &r1), 0);
	long long d = ts_ns(&r1) - ts_ns(&r0);
	UT_EXPECT(d > 86399 * 1000000000LL && d < 86401 * 1000000000LL);
	UT_EXPECT_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &now), 0);
	now.tv_sec -= 86400;
	UT_EXPECT_EQ(syscall(SYS_clock_settime, CLOCK_REALTIME, &now), 0);

	struct timezone tz = { -60, 1 }, got = { 0, 0 };
	UT_EXPECT_EQ(syscall(SYS_settimeofday, NULL, &tz), 0);
	UT_EXPECT_EQ(gtod(NULL, &got), 0);
	UT_EXPECT_EQ(got.tz_minuteswest, -60);
	UT_EXPECT_EQ(got.tz_dsttime, 1);
	tz = (struct timezone){ 0, 0 };
	UT_EXPECT_EQ(syscall(SYS_settimeofday, NULL, &tz), 0);
	UT_EXPECT_EQ(gtod(NULL, &got), 0);
	UT_EXPECT_EQ(got.tz_minuteswest, 0);
}

UT_CASE(test_getcpu_matches_affinity)
{
	getcpu_fn gc = (getcpu_fn)vdso_sym("__vdso_getcpu");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t old;
	UT_ASSERT(gc);
	UT_ASSERT(sched_getaffinity(0, sizeof(old), &old) == 0);
	for (long c = 0; c < ncpu && c < 8; c++) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		UT_ASSERT(sched_setaffinity(0, sizeof(one), &one) == 0);
		unsigned cpu = 999, node = 999;
		UT_EXPECT_EQ(gc(&cpu, &node, NULL), 0);
		UT_EXPECT_EQ(cpu, c);
		UT_EXPECT_EQ(node, 0);
		UT_EXPECT_EQ(sched_getcpu(), c);
		UT_EXPECT_EQ(gc(NULL, NULL, NULL), 0);
	}
	sched_setaffinity(0, sizeof(old), &old);
}

/* The [vvar] and [vdso] lines, and where they are: AT_SYSINFO_EHDR is the
 * start of [vdso], [vvar] the page below it. */
UT_CASE(test_maps_show_vdso)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f) {       /* run alone (scripts/run-prog), without the test runner's /proc */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
		f = fopen("/proc/self/maps", "r");
	}
	char line[256];
	unsigned long vdso = 0, vvar = 0, vvar_end = 0;
	UT_ASSERT(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
			continue;
		if (strstr(line, "[vdso]")) {
			vdso = lo;
			UT_EXPECT(!strcmp(perms, "r-xp"));
		} else if (strstr(line, "[vvar]")) {
			vvar = lo;
			vvar_end = hi;
			UT_EXPECT(!strcmp(perms, "r--p"));
		}
	}
	fclose(f);
	UT_EXPECT_EQ(vdso, getauxval(AT_SYSINFO_EHDR));
	UT_EXPECT(vvar && vvar_end == vdso);
}

/* Writing the vDSO faults; a process that makes its copy writable and
 * scribbles on it changes nobody else's (a private copy on write). */
UT_CASE(test_vdso_is_private_and_read_only)
{
	unsigned char *v = (unsigned char *)getauxval(AT_SYSINFO_EHDR);
	UT_ASSERT(v);
	unsigned char first = v[0];
	pid_t pid = fork();
	if (pid == 0) {
		v[0] = 0;               /* SIGSEGV: the mapping is read-only */
		_exit(0);
	}
	int st;
	UT_ASSERT(waitpid(pid, &st, 0) == pid);
	UT_EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);

	pid = fork();
	if (pid == 0) {
		if (mprotect(v, 4096, PROT_READ | PROT_WRITE | PROT_EXEC))
			_exit(2);
		v[0] = 0;
		_exit(v[0] == 0 ? 0 : 3);
	}
	UT_ASSERT(waitpid(pid, &st, 0) == pid);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	UT_EXPECT_EQ(v[0], first);
	UT_EXPECT_EQ(first, 0x7f);

	/* A new process still gets a clean one, and the clock still works. */
	struct timespec ts;
	UT_EXPECT_EQ(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
}

UT_SUITE("vdso", UT_C(test_auxv_points_at_an_elf), UT_C(test_clock_gettime_agrees_with_syscall),
	 UT_C(test_clock_gettime_falls_back), UT_C(test_gettimeofday_and_time),
	 UT_C(test_setting_the_clock_is_seen), UT_C(test_getcpu_matches_affinity),
	 UT_C(test_maps_show_vdso), UT_C(test_vdso_is_private_and_read_only))
