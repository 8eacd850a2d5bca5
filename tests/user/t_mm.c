/* Memory system calls: mmap (anonymous private/shared, fixed, hints),
 * munmap, mprotect, mremap, madvise, brk, with Linux's errno values;
 * bad accesses kill a forked child with SIGSEGV; memory comes back. */
#include "utest.h"
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>

#define PG 4096ul
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static char *map(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Run fn(arg) in a child; return its wait status. */
static int in_child(void (*fn)(volatile char *), volatile char *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return st;
}

static void do_read(volatile char *p) { (void)*p; }
static void do_write(volatile char *p) { *p = 1; }

#define EXPECT_SEGV(fn, p)                                                         \
	do {                                                                       \
		int __st = in_child(fn, p);                                        \
		UT_EXPECT(WIFSIGNALED(__st) && WTERMSIG(__st) == SIGSEGV);         \
	} while (0)
#define EXPECT_OK(fn, p) UT_EXPECT_EQ(in_child(fn, p), 0)

UT_CASE(test_private_vs_shared_across_fork)
{
	volatile int *priv = (volatile int *)map(PG, RW, ANON);
	volatile int *shr = (volatile int *)map(PG, RW, MAP_SHARED | MAP_ANONYMOUS);
	int go[2];
	UT_ASSERT(priv && shr && pipe(go) == 0);
	priv[0] = 1;
	shr[0] = 1;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		char c;
		int bad = priv[0] != 1 || shr[0] != 1;
		priv[0] = 2;
		shr[0] = 2;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)    /* parent has written */
			bad = 1;
		bad |= (priv[0] != 2) << 1;     /* parent's private write not seen */
		bad |= (shr[0] != 3) << 2;      /* parent's shared write seen */
		_exit(bad);
	}
	close(go[0]);
	/* Wait until the child's writes are visible through the shared page. */
	for (long i = 0; i < 10000000 && shr[0] != 2; i++)
		sched_yield();
	UT_EXPECT_EQ(shr[0], 2);
	UT_EXPECT_EQ(priv[0], 1);
	shr[0] = 3;
	priv[0] = 3;
	UT_EXPECT_EQ(write(go[1], "g", 1), 1);
	close(go[1]);
	int st = -1;
	waitpid(pid, &st, 0);
	UT_EXPECT(WIFEXITED(st));
	UT_EXPECT_EQ(WEXITSTATUS(st), 0);
	UT_EXPECT_EQ(shr[0], 3);
	UT_EXPECT_EQ(priv[0], 3);
	munmap((void *)priv, PG);
	munmap((void *)shr, PG);
}

UT_CASE(test_fixed_and_hints)
{
	char *p = map(3 * PG, RW, ANON);
	UT_ASSERT(p);
	memset(p, 'x', 3 * PG);
	/* MAP_FIXED replaces the middle page with fresh zeroes. */
	UT_EXPECT_EQ(mmap(p + PG, PG, RW, ANON | MAP_FIXED, -1, 0), p + PG);
	UT_EXPECT_EQ(p[0], 'x');
	UT_EXPECT_EQ(p[PG], 0);
	UT_EXPECT_EQ(p[2 * PG - 1], 0);
	UT_EXPECT_EQ(p[2 * PG], 'x');
	/* MAP_FIXED_NOREPLACE: EEXIST over anything mapped, even partly. */
	UT_EXPECT_EQ(mmap(p, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), MAP_FAILED);
	UT_EXPECT_EQ(errno, EEXIST);
	UT_EXPECT_EQ(p[0], 'x');
	UT_ASSERT(munmap(p + 2 * PG, PG) == 0);
	UT_EXPECT_ERR((long)mmap(p + PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	UT_EXPECT_EQ(mmap(p + 2 * PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), p + 2 * PG);
	UT_EXPECT_EQ(p[2 * PG], 0);
	UT_ASSERT(munmap(p, 3 * PG) == 0);
	/* A free hint is honoured; a taken one is not. */
	UT_EXPECT_EQ(mmap(p + PG, PG, RW, ANON, -1, 0), p + PG);
	char *q = mmap(p + PG, PG, RW, ANON, -1, 0);
	UT_EXPECT(q != MAP_FAILED && q != p + PG);
	munmap(q, PG);
	munmap(p + PG, PG);
}

UT_CASE(test_mmap_errors)
{
	char *p = map(2 * PG, RW, ANON);
	UT_ASSERT(p);
	UT_EXPECT_ERR((long)mmap(NULL, 0, RW, ANON, -1, 0), EINVAL);
	UT_EXPECT_ERR((long)mmap(p + 1, PG, RW, ANON | MAP_FIXED, -1, 0), EINVAL);
	UT_EXPECT_ERR((long)mmap(NULL, PG, RW, MAP_ANONYMOUS, -1, 0), EINVAL);  /* no type */
	UT_EXPECT_ERR((long)mmap(NULL, PG, RW, ANON, -1, 123), EINVAL);         /* offset */
	/* MAP_SHARED_VALIDATE is for files: anonymous, it is an unknown type. */
	UT_EXPECT_ERR((long)mmap(NULL, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	UT_EXPECT_ERR((long)mmap(NULL, PG, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x40000000,
				 -1, 0), EINVAL);
	UT_EXPECT_ERR((long)mmap(NULL, PG, RW, MAP_SHARED_VALIDATE | 0x40000000, 99, 0), EBADF);
	/* Unknown prot bits are ignored by mmap; PROT_SEM (8) is accepted. */
	char *sem = mmap(NULL, PG, PROT_READ | 0x8, ANON, -1, 0);
	UT_EXPECT(sem != MAP_FAILED);
	UT_EXPECT_EQ(mprotect(sem, PG, PROT_READ | PROT_WRITE | 0x8), 0);
	munmap(sem, PG);
	UT_EXPECT_ERR((long)mmap(NULL, PG, RW, MAP_PRIVATE, 99, 0), EBADF);
	/* Hopelessly large: bigger than user space, or wrapping when rounded. */
	UT_EXPECT_ERR((long)mmap(NULL, 1ul << 47, RW, ANON, -1, 0), ENOMEM);
	UT_EXPECT_ERR((long)mmap(NULL, 1ul << 62, RW, ANON, -1, 0), ENOMEM);
	UT_EXPECT_ERR((long)mmap(NULL, SIZE_MAX - 100, RW, ANON, -1, 0), ENOMEM);
	UT_EXPECT_ERR((long)mmap((void *)(1ul << 47) - PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0),
		      ENOMEM);
	/* munmap: unaligned or empty is EINVAL; nothing mapped is fine. */
	UT_EXPECT_ERR(munmap(p + 1, PG), EINVAL);
	UT_EXPECT_ERR(munmap(p, 0), EINVAL);
	UT_EXPECT_ERR(munmap((void *)0xffffffff80000000ul, PG), EINVAL);
	UT_EXPECT_EQ(munmap(p, 2 * PG), 0);
	UT_EXPECT_EQ(munmap(p, 2 * PG), 0);
}

UT_CASE(test_bad_access_kills)
{
	char *p = map(4 * PG, RW, ANON);
	UT_ASSERT(p);
	memset(p, 'd', 4 * PG);
	EXPECT_OK(do_write, p + PG);
	UT_ASSERT(munmap(p + PG, PG) == 0);
	EXPECT_SEGV(do_read, p + PG);
	EXPECT_SEGV(do_write, p + PG);
	UT_ASSERT(mprotect(p + 2 * PG, PG, PROT_READ) == 0);
	EXPECT_OK(do_read, p + 2 * PG);
	EXPECT_SEGV(do_write, p + 2 * PG);
	UT_ASSERT(mprotect(p + 3 * PG, PG, PROT_NONE) == 0);
	EXPECT_SEGV(do_read, p + 3 * PG);
	EXPECT_SEGV(do_write, p + 3 * PG);
	/* Access comes back with the data intact. */
	UT_ASSERT(mprotect(p + 2 * PG, 2 * PG, RW) == 0);
	UT_EXPECT_EQ(p[2 * PG], 'd');
	UT_EXPECT_EQ(p[4 * PG - 1], 'd');
	p[3 * PG] = 'e';
	UT_EXPECT_EQ(p[3 * PG], 'e');
	/* A fresh PROT_NONE mapping. */
	char *n = map(PG, PROT_NONE, ANON);
	UT_ASSERT(n);
	EXPECT_SEGV(do_read, n);
	munmap(n, PG);
	munmap(p, 4 * PG);
}

UT_CASE(test_mprotect_errors)
{
	char *p = map(3 * PG, RW, ANON);
	UT_ASSERT(p);
	UT_ASSERT(munmap(p + PG, PG) == 0);
	UT_EXPECT_ERR(mprotect(p, 3 * PG, PROT_READ), ENOMEM);          /* hole */
	UT_EXPECT_ERR(mprotect(p + PG, PG, PROT_READ), ENOMEM);         /* unmapped */
	/* Raw calls: musl's mprotect rounds the address down to a page. */
	UT_EXPECT_ERR(syscall(SYS_mprotect, p + 1, PG, PROT_READ), EINVAL);
	UT_EXPECT_ERR(syscall(SYS_mprotect, p, PG, 0x1000), EINVAL);    /* unknown prot */
	UT_EXPECT_ERR(syscall(SYS_mprotect, p, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP),
		      EINVAL);
	UT_EXPECT_ERR(syscall(SYS_mprotect, p, SIZE_MAX - PG, PROT_READ), ENOMEM);  /* wraps */
	UT_EXPECT_EQ(mprotect(p, 0, PROT_READ), 0);
	UT_EXPECT_ERR(mprotect((void *)0xffffffff80000000ul, PG, PROT_READ), ENOMEM);
	munmap(p, 3 * PG);
}

UT_CASE(test_mremap)
{
	char *p = map(4 * PG, RW, ANON);
	UT_ASSERT(p);
	for (unsigned i = 0; i < 4 * PG; i++)
		p[i] = (char)(i * 7);
	/* Block growth in place. */
	char *blk = mmap(p + 4 * PG, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	UT_ASSERT(blk == p + 4 * PG);
	UT_EXPECT_ERR((long)mremap(p, 4 * PG, 64 * PG, 0), ENOMEM);
	char *q = mremap(p, 4 * PG, 64 * PG, MREMAP_MAYMOVE);
	UT_ASSERT(q != MAP_FAILED);
	UT_EXPECT(q != p);
	int bad = 0;
	for (unsigned i = 0; i < 4 * PG; i++)
		bad += q[i] != (char)(i * 7);
	UT_EXPECT_EQ(bad, 0);
	UT_EXPECT_EQ(q[64 * PG - 1], 0);
	q[64 * PG - 1] = 1;
	EXPECT_SEGV(do_read, p);                /* the old range is gone */
	/* Shrink in place. */
	UT_EXPECT_EQ(mremap(q, 64 * PG, 2 * PG, 0), q);
	EXPECT_SEGV(do_read, q + 2 * PG);
	UT_EXPECT_EQ(q[PG], (char)(PG * 7));
	/* Errors. */
	UT_EXPECT_ERR((long)mremap(q + 1, PG, 2 * PG, MREMAP_MAYMOVE), EINVAL);
	UT_EXPECT_ERR((long)mremap(q, PG, 2 * PG, 0x80), EINVAL);
	UT_EXPECT_ERR((long)mremap(q, PG, 2 * PG, MREMAP_FIXED, p), EINVAL);
	UT_EXPECT_ERR((long)mremap(q, PG, 0, MREMAP_MAYMOVE), EINVAL);
	UT_EXPECT_ERR((long)mremap(p, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT);   /* unmapped */
	munmap(q, 2 * PG);
	munmap(blk, PG);
}

UT_CASE(test_madvise)
{
	char *p = map(4 * PG, RW, ANON);
	char *s = map(PG, RW, MAP_SHARED | MAP_ANONYMOUS);
	UT_ASSERT(p && s);
	memset(p, 'm', 4 * PG);
	memset(s, 's', PG);
	UT_EXPECT_EQ(madvise(p + PG, 2 * PG, MADV_DONTNEED), 0);
	UT_EXPECT_EQ(p[0], 'm');
	UT_EXPECT_EQ(p[PG], 0);
	UT_EXPECT_EQ(p[3 * PG - 1], 0);
	UT_EXPECT_EQ(p[3 * PG], 'm');
	/* Shared anonymous memory keeps its data. */
	UT_EXPECT_EQ(madvise(s, PG, MADV_DONTNEED), 0);
	UT_EXPECT_EQ(s[0], 's');
	UT_EXPECT_ERR(madvise(p + 1, PG, MADV_DONTNEED), EINVAL);
	UT_EXPECT_ERR(madvise(p, PG, 12345), EINVAL);
	UT_ASSERT(munmap(p + PG, PG) == 0);
	UT_EXPECT_ERR(madvise(p, 3 * PG, MADV_NORMAL), ENOMEM);
	UT_EXPECT_EQ(madvise(p, 0, MADV_NORMAL), 0);
	munmap(p, 4 * PG);
	munmap(s, PG);
}

UT_CASE(test_brk)
{
	/* Raw brk. musl's malloc keeps metadata below the break and grows it
	 * with brk too; nothing here allocates, and the break is put back. */
	unsigned long cur = syscall(SYS_brk, 0);
	UT_ASSERT(cur != 0);
	UT_EXPECT_EQ(syscall(SYS_brk, 0), cur);
	unsigned long grown = syscall(SYS_brk, cur + 10 * PG);
	UT_EXPECT_EQ(grown, cur + 10 * PG);
	volatile char *b = (volatile char *)cur;
	UT_EXPECT_EQ(b[0], 0);
	UT_EXPECT_EQ(b[10 * PG - 1], 0);
	b[0] = 1;
	b[10 * PG - 1] = 2;
	/* Shrink: the released pages fault, and come back zeroed. */
	UT_EXPECT_EQ(syscall(SYS_brk, cur + PG), cur + PG);
	EXPECT_SEGV(do_read, (volatile char *)(((cur + PG + PG - 1) & ~(PG - 1)) + PG));
	UT_EXPECT_EQ(syscall(SYS_brk, cur + 10 * PG), cur + 10 * PG);
	UT_EXPECT_EQ(b[10 * PG - 1], 0);
	/* Below the start or absurdly high: the break stays. */
	UT_EXPECT_EQ(syscall(SYS_brk, 4096), cur + 10 * PG);
	UT_EXPECT_EQ(syscall(SYS_brk, 1ul << 62), cur + 10 * PG);
	/* In the way of a mapping: refused. */
	unsigned long top = (cur + 20 * PG + PG - 1) & ~(PG - 1);
	void *blk = mmap((void *)top, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	if (blk == (void *)top)
		UT_EXPECT_EQ(syscall(SYS_brk, top + PG), cur + 10 * PG);
	munmap(blk, PG);
	UT_EXPECT_EQ(syscall(SYS_brk, cur), cur);
	/* musl's sbrk(0) is the same query (musl refuses other increments). */
	UT_EXPECT_EQ((unsigned long)sbrk(0), cur);
}

UT_CASE(test_realloc_large)
{
	size_t small = 1 << 20, big = 64 << 20;
	unsigned *a = malloc(small);
	UT_ASSERT(a);
	for (size_t i = 0; i < small / 4; i++)
		a[i] = (unsigned)(i * 2654435761u);
	unsigned *b = realloc(a, big);
	UT_ASSERT(b);
	int bad = 0;
	for (size_t i = 0; i < small / 4; i++)
		bad += b[i] != (unsigned)(i * 2654435761u);
	UT_EXPECT_EQ(bad, 0);
	b[big / 4 - 1] = 5;
	UT_EXPECT_EQ(b[big / 4 - 1], 5);
	free(b);
}

static unsigned long free_ram(void)
{
	struct sysinfo si;
	return sysinfo(&si) == 0 ? si.freeram * si.mem_unit : 0;
}

UT_CASE(test_memory_comes_back)
{
	size_t len = 64ul << 20;
	unsigned long before = free_ram();
	char *p = map(len, RW, ANON);
	UT_ASSERT(p);
	unsigned long mapped = free_ram();
	for (size_t off = 0; off < len; off += PG)
		p[off] = (char)off | 1;
	unsigned long touched = free_ram();
	UT_EXPECT_EQ(munmap(p, len), 0);
	unsigned long after = free_ram();
	printf("    # 64 MiB: free %lu KiB before, %lu mapped, %lu touched, %lu unmapped\n",
	       before >> 10, mapped >> 10, touched >> 10, after >> 10);
	UT_EXPECT(before - mapped < 64 * 1024);         /* mmap itself is lazy */
	UT_EXPECT(before - touched >= len);             /* a frame per page */
	/* Every frame back; at most the page tables (one per 2 MiB) stay. */
	UT_EXPECT(after + (len >> 21) * PG + 4 * PG >= before);
}

UT_SUITE("mm", UT_C(test_private_vs_shared_across_fork), UT_C(test_fixed_and_hints),
	 UT_C(test_mmap_errors), UT_C(test_bad_access_kills), UT_C(test_mprotect_errors),
	 UT_C(test_mremap), UT_C(test_madvise), UT_C(test_brk), UT_C(test_realloc_large),
	 UT_C(test_memory_comes_back))
