/* File mappings through the page cache: MAP_SHARED stores seen by read()
 * and by other mappings, write() seen by mappings, MAP_PRIVATE copy on
 * write, fork, msync, truncation and SIGBUS past the end, mmap's errnos,
 * /proc/self/maps, exec of a program over 4 MiB and a shared library the
 * dynamic linker maps from its file. */
#include "utest.h"
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define PG 4096

/* A new file of npages pages, page p filled with 'a' + p. */
static int make_file(const char *path, int npages)
{
	char buf[PG];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (int p = 0; p < npages; p++) {
		memset(buf, 'a' + p, PG);
		if (write(fd, buf, PG) != PG) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static char byte_at(int fd, off_t off)
{
	char c = 0;
	return pread(fd, &c, 1, off) == 1 ? c : -1;
}

UT_CASE(test_shared_mapping_and_read_write)
{
	int fd = make_file("/mmf_shared", 3);
	UT_ASSERT(fd >= 0);
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(m != MAP_FAILED);
	UT_EXPECT_EQ(m[0], 'a');
	UT_EXPECT_EQ(m[2 * PG + 17], 'c');
	/* A store through the mapping is what read() returns at once. */
	m[PG + 5] = 'X';
	UT_EXPECT_EQ(byte_at(fd, PG + 5), 'X');
	/* A write() is what the mapping shows at once. */
	UT_EXPECT_EQ(pwrite(fd, "YZ", 2, 2 * PG + 100), 2);
	UT_EXPECT_EQ(m[2 * PG + 100], 'Y');
	UT_EXPECT_EQ(m[2 * PG + 101], 'Z');
	/* A second mapping (another open file, an offset) shares the pages. */
	int fd2 = open("/mmf_shared", O_RDWR);
	char *m2 = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, PG);
	UT_ASSERT(m2 != MAP_FAILED);
	UT_EXPECT_EQ(m2[5], 'X');
	m2[6] = 'Q';
	UT_EXPECT_EQ(m[PG + 6], 'Q');
	/* The data outlives the mappings and the descriptors. */
	UT_EXPECT_EQ(munmap(m, 3 * PG), 0);
	UT_EXPECT_EQ(munmap(m2, PG), 0);
	close(fd2);
	UT_EXPECT_EQ(byte_at(fd, PG + 6), 'Q');
	close(fd);
	unlink("/mmf_shared");
}

UT_CASE(test_private_copy_on_write)
{
	int fd = make_file("/mmf_private", 2);
	UT_ASSERT(fd >= 0);
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *s = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	UT_ASSERT(p != MAP_FAILED && s != MAP_FAILED);
	UT_EXPECT_EQ(p[10], 'a');
	p[10] = 'P';
	UT_EXPECT_EQ(p[10], 'P');
	UT_EXPECT_EQ(byte_at(fd, 10), 'a');     /* the file is untouched */
	UT_EXPECT_EQ(s[10], 'a');               /* and so is a shared mapping */
	/* A page not yet copied still shows the file (Linux does this). */
	UT_EXPECT_EQ(pwrite(fd, "w", 1, PG + 1), 1);
	UT_EXPECT_EQ(p[PG + 1], 'w');
	/* The copied page no longer does. */
	UT_EXPECT_EQ(pwrite(fd, "v", 1, 11), 1);
	UT_EXPECT_EQ(p[11], 'a');
	UT_EXPECT_EQ(s[11], 'v');
	munmap(p, 2 * PG);
	munmap(s, 2 * PG);
	close(fd);
	unlink("/mmf_private");
}

UT_CASE(test_fork_shares_and_copies)
{
	int fd = make_file("/mmf_fork", 1);
	UT_ASSERT(fd >= 0);
	char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	UT_ASSERT(s != MAP_FAILED && p != MAP_FAILED);
	p[0] = 'p';                             /* the parent's own copy */
	pid_t c = fork();
	if (c == 0) {
		s[1] = 'S';                     /* seen by the parent and the file */
		p[2] = 'C';                     /* seen by nobody else */
		_exit(p[0] == 'p' && s[3] == 'a' ? 0 : 1);
	}
	int st;
	UT_ASSERT(waitpid(c, &st, 0) == c);
	UT_EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	UT_EXPECT_EQ(s[1], 'S');
	UT_EXPECT_EQ(byte_at(fd, 1), 'S');
	UT_EXPECT_EQ(p[2], 'a');
	UT_EXPECT_EQ(byte_at(fd, 2), 'a');
	UT_EXPECT_EQ(p[0], 'p');
	munmap(s, PG);
	munmap(p, PG);
	close(fd);
	unlink("/mmf_fork");
}

UT_CASE(test_msync)
{
	int fd = make_file("/mmf_msync", 2);
	UT_ASSERT(fd >= 0);
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(m != MAP_FAILED);
	m[3] = 'M';
	UT_EXPECT_EQ(msync(m, 2 * PG, MS_SYNC), 0);
	UT_EXPECT_EQ(msync(m, PG, MS_ASYNC), 0);
	UT_EXPECT_EQ(msync(m, PG, MS_INVALIDATE), 0);
	UT_EXPECT_EQ(byte_at(fd, 3), 'M');
	UT_EXPECT_EQ(fsync(fd), 0);
	UT_EXPECT_ERR(msync(m, PG, MS_SYNC | MS_ASYNC), EINVAL);
	UT_EXPECT_ERR(msync(m + 1, PG, MS_SYNC), EINVAL);
	UT_EXPECT_ERR(msync(m, PG, 8), EINVAL);
	munmap(m + PG, PG);
	UT_EXPECT_ERR(msync(m, 2 * PG, MS_SYNC), ENOMEM);
	munmap(m, PG);
	UT_EXPECT_ERR(msync(m, PG, MS_SYNC), ENOMEM);
	close(fd);
	unlink("/mmf_msync");
}

static sigjmp_buf bus_env;
static volatile int bus_code;
static volatile void *bus_addr;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	bus_code = si->si_code;
	bus_addr = si->si_addr;
	siglongjmp(bus_env, 1);
}

/* Read *p; true if that raised SIGBUS (BUS_ADRERR at p). */
static int read_bus(volatile char *p)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO }, old;
	volatile int hit = 0;

	sigaction(SIGBUS, &sa, &old);
	bus_code = 0;
	bus_addr = NULL;
	if (sigsetjmp(bus_env, 1) == 0)
		(void)*p;
	else
		hit = bus_code == BUS_ADRERR && bus_addr == (void *)p;
	sigaction(SIGBUS, &old, NULL);
	return hit;
}

UT_CASE(test_truncate_and_sigbus)
{
	int fd = make_file("/mmf_trunc", 2);
	UT_ASSERT(fd >= 0);
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(m != MAP_FAILED);
	UT_EXPECT_EQ(m[PG + 9], 'b');           /* mapped in now */
	UT_EXPECT(read_bus(m + 2 * PG));        /* a page wholly past the end */
	UT_EXPECT_EQ(ftruncate(fd, 100), 0);
	UT_EXPECT(read_bus(m + PG + 9));        /* dropped from the mapping too */
	UT_EXPECT_EQ(m[99], 'a');
	UT_EXPECT_EQ(m[100], 0);                /* the last page's tail reads zero */
	UT_EXPECT_EQ(m[PG - 1], 0);
	/* Growing the file brings the pages back, as zeros. */
	UT_EXPECT_EQ(ftruncate(fd, 2 * PG), 0);
	UT_EXPECT(!read_bus(m + PG + 9));
	UT_EXPECT_EQ(m[PG + 9], 0);
	m[PG + 10] = 'g';
	UT_EXPECT_EQ(byte_at(fd, PG + 10), 'g');
	/* A private mapping loses its pages past the end as well. */
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	UT_ASSERT(p != MAP_FAILED);
	p[PG] = 'x';
	UT_EXPECT_EQ(ftruncate(fd, PG), 0);
	UT_EXPECT(read_bus(p + PG));
	munmap(p, 2 * PG);
	munmap(m, 3 * PG);
	close(fd);
	unlink("/mmf_trunc");
}

UT_CASE(test_mmap_errors)
{
	int fd = make_file("/mmf_err", 1);
	UT_ASSERT(fd >= 0);
	close(fd);
	int ro = open("/mmf_err", O_RDONLY), wo = open("/mmf_err", O_WRONLY);
	int ap = open("/mmf_err", O_RDWR | O_APPEND);
	UT_ASSERT(ro >= 0 && wo >= 0 && ap >= 0);
	UT_EXPECT(mmap(NULL, PG, PROT_READ, MAP_SHARED, -1, 0) == MAP_FAILED && errno == EBADF);
	UT_EXPECT(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED && errno == EBADF);
	UT_EXPECT(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED && errno == EACCES);
	UT_EXPECT(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED &&
		  errno == EACCES);
	UT_EXPECT(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0) == MAP_FAILED &&
		  errno == EACCES);
	UT_EXPECT(mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 1) == MAP_FAILED && errno == EINVAL);
	UT_EXPECT(mmap(NULL, 0, PROT_READ, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EINVAL);
	/* Read-only shared: mprotect may not add write; private may. */
	char *m = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	UT_ASSERT(m != MAP_FAILED);
	UT_EXPECT_ERR(mprotect(m, PG, PROT_READ | PROT_WRITE), EACCES);
	UT_EXPECT_EQ(m[0], 'a');
	munmap(m, PG);
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	UT_ASSERT(m != MAP_FAILED);
	m[0] = 'z';
	UT_EXPECT_EQ(byte_at(ro, 0), 'a');
	munmap(m, PG);
	/* Things that are not regular files cannot be mapped. */
	int pfd[2];
	UT_ASSERT(pipe(pfd) == 0);
	UT_EXPECT(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0) == MAP_FAILED && errno == ENODEV);
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	UT_EXPECT(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, dir, 0) == MAP_FAILED && errno == ENODEV);
	close(dir), close(pfd[0]), close(pfd[1]);
	close(ro), close(wo), close(ap);
	unlink("/mmf_err");
}

UT_CASE(test_unlinked_file_mapping)
{
	/* The mapping keeps the file (and its data) after close and unlink;
	 * munmap lets it go. */
	int fd = make_file("/mmf_gone", 2);
	UT_ASSERT(fd >= 0);
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	UT_ASSERT(m != MAP_FAILED);
	close(fd);
	UT_EXPECT_EQ(unlink("/mmf_gone"), 0);
	m[PG] = 'k';
	UT_EXPECT_EQ(m[PG + 1], 'b');
	UT_EXPECT_EQ(m[PG], 'k');
	UT_EXPECT_EQ(munmap(m, 2 * PG), 0);
}

/* /proc for the maps checks (the test runner mounts it; a bare boot may not). */
static void ensure_proc(void)
{
	if (access("/proc/self/maps", R_OK) == 0)
		return;
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
}

UT_CASE(test_proc_maps_names_the_file)
{
	ensure_proc();
	int fd = make_file("/mmf_maps", 2);
	UT_ASSERT(fd >= 0);
	struct stat st;
	UT_ASSERT(fstat(fd, &st) == 0);
	char *m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
	UT_ASSERT(m != MAP_FAILED);
	char want[128], line[512];
	snprintf(want, sizeof(want), "%08lx-%08lx r--s %08x %02x:%02x %lu", (unsigned long)m,
		 (unsigned long)m + PG, PG, major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;
	UT_ASSERT(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) && strstr(line, " /mmf_maps\n"))
			found = 1;
	fclose(f);
	if (!found)
		UT_FAIL("no line '%s ... /mmf_maps' in /proc/self/maps", want);
	munmap(m, PG);
	close(fd);
	unlink("/mmf_maps");
}

/* Run path; its exit status, or -1. */
static int run(const char *path)
{
	pid_t c = fork();
	if (c == 0) {
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	int st;
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

UT_CASE(test_exec_program_over_4mib)
{
	struct stat st;
	UT_ASSERT(stat("/bin/bigprog", &st) == 0);
	UT_EXPECT(st.st_size > (4 << 20));
	UT_EXPECT_EQ(run("/bin/bigprog"), 0);
}

UT_CASE(test_shared_library_mapped_from_file)
{
	ensure_proc();
	UT_EXPECT_EQ(run("/bin/uselib"), 0);
}

UT_SUITE("mmap_file", UT_C(test_shared_mapping_and_read_write), UT_C(test_private_copy_on_write),
	 UT_C(test_fork_shares_and_copies), UT_C(test_msync), UT_C(test_truncate_and_sigbus),
	 UT_C(test_mmap_errors), UT_C(test_unlinked_file_mapping),
	 UT_C(test_proc_maps_names_the_file), UT_C(test_exec_program_over_4mib),
	 UT_C(test_shared_library_mapped_from_file))
