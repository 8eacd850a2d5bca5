/* The initial user stack (kernel/exec/stack.c): built into an exactly sized
 * heap buffer (ASan catches any write outside it) and read back the way
 * musl's _start and __init_libc do: argc at rsp, argv, envp, auxv. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/errno.h>
#include <kernel/exec/stack.h>
#include <uapi/linux/elf.h>

#define TOP 0x7fffffffe000ull

struct stack {
	uint8_t *buf;
	size_t size;
	uint64_t top;
};

static void stack_alloc(struct stack *s, size_t size)
{
	s->buf = malloc(size);
	memset(s->buf, 0xaa, size);
	s->size = size;
	s->top = TOP;
}

/* Host pointer for a user address inside the buffer. */
static void *at(const struct stack *s, uint64_t uaddr)
{
	assert_true(uaddr >= s->top - s->size && uaddr < s->top);
	return s->buf + (uaddr - (s->top - s->size));
}

static uint64_t word(const struct stack *s, uint64_t uaddr)
{
	uint64_t w;

	memcpy(&w, at(s, uaddr), 8);
	return w;
}

static const char *str(const struct stack *s, uint64_t uaddr)
{
	const char *p = at(s, uaddr);

	assert_non_null(memchr(p, 0, s->top - uaddr));  /* terminated inside */
	return p;
}

static struct exec_auxv sample_aux(void)
{
	struct exec_auxv a = {
		.phdr = 0x400040, .phent = 56, .phnum = 6, .pagesz = 4096,
		.base = 0x7f0000001000, .flags = 0, .entry = 0x40102b,
		.uid = 1000, .euid = 1001, .gid = 100, .egid = 101, .secure = 1,
		.hwcap = 0x178bfbff, .clktck = 100,
		.platform = "x86_64", .execfn = "/bin/hello",
	};
	for (int i = 0; i < 16; i++)
		a.random[i] = 0xc0 + i;
	return a;
}

/* Walk from rsp; return the address of auxv[0]. */
static uint64_t walk(const struct stack *s, uint64_t rsp, const char *const *argv,
		     const char *const *envp)
{
	uint64_t argc = word(s, rsp), p = rsp + 8;
	size_t n = 0;

	for (; argv && argv[n]; n++, p += 8)
		assert_string_equal(str(s, word(s, p)), argv[n]);
	assert_int_equal(argc, n);
	assert_int_equal(word(s, p), 0);
	p += 8;
	for (n = 0; envp && envp[n]; n++, p += 8)
		assert_string_equal(str(s, word(s, p)), envp[n]);
	assert_int_equal(word(s, p), 0);
	return p + 8;
}

static bool auxv_get(const struct stack *s, uint64_t av, uint64_t type, uint64_t *val)
{
	for (;; av += 16) {
		uint64_t t = word(s, av);
		if (t == type) {
			*val = word(s, av + 8);
			return true;
		}
		if (t == AT_NULL)
			return false;
	}
}

static const char *const ARGV[] = { "/bin/hello", "a", "bc", NULL };
static const char *const ENVP[] = { "HOME=/", "PATH=/bin", NULL };

static void test_layout(void **state)
{
	struct stack s;
	struct exec_auxv aux = sample_aux();
	struct exec_stack_layout l;

	stack_alloc(&s, 4096);
	int64_t rsp = exec_stack_build(s.buf, s.size, s.top, ARGV, ENVP, &aux, &l);
	/* 8 end + 11 execfn + 17 env + 16 args + 7 platform + 16 random = 75,
	 * rounded to 80; 44 words of tables (argc, 3+1, 2+1, 18 auxv pairs). */
	assert_int_equal(rsp, TOP - 80 - 44 * 8);
	assert_int_equal(l.rsp, rsp);
	assert_int_equal(l.execfn, TOP - 8 - 11);
	assert_int_equal(l.env_start, TOP - 36);
	assert_int_equal(l.env_end, TOP - 19);
	assert_int_equal(l.arg_start, TOP - 52);
	assert_int_equal(l.arg_end, TOP - 36);
	assert_int_equal(l.random, TOP - 75);
	assert_memory_equal(at(&s, l.arg_start), "/bin/hello\0a\0bc\0", 16);
	assert_memory_equal(at(&s, l.env_start), "HOME=/\0PATH=/bin\0", 17);
	assert_int_equal(word(&s, TOP - 8), 0);
	/* Below rsp: untouched. */
	assert_int_equal(*(uint8_t *)at(&s, rsp - 1), 0xaa);

	uint64_t av = walk(&s, rsp, ARGV, ENVP);
	static const uint64_t order[] = {
		AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE,
		AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE,
		AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_NULL,
	};
	for (size_t i = 0; i < sizeof(order) / 8; i++)
		assert_int_equal(word(&s, av + 16 * i), order[i]);
	/* auxv ends right below the padding before the random bytes. */
	assert_int_equal(av + 16 * 18, TOP - 80);

	uint64_t v;
	assert_true(auxv_get(&s, av, AT_PHDR, &v)); assert_int_equal(v, 0x400040);
	assert_true(auxv_get(&s, av, AT_PHENT, &v)); assert_int_equal(v, 56);
	assert_true(auxv_get(&s, av, AT_PHNUM, &v)); assert_int_equal(v, 6);
	assert_true(auxv_get(&s, av, AT_PAGESZ, &v)); assert_int_equal(v, 4096);
	assert_true(auxv_get(&s, av, AT_BASE, &v)); assert_int_equal(v, 0x7f0000001000);
	assert_true(auxv_get(&s, av, AT_ENTRY, &v)); assert_int_equal(v, 0x40102b);
	assert_true(auxv_get(&s, av, AT_UID, &v)); assert_int_equal(v, 1000);
	assert_true(auxv_get(&s, av, AT_EUID, &v)); assert_int_equal(v, 1001);
	assert_true(auxv_get(&s, av, AT_GID, &v)); assert_int_equal(v, 100);
	assert_true(auxv_get(&s, av, AT_EGID, &v)); assert_int_equal(v, 101);
	assert_true(auxv_get(&s, av, AT_SECURE, &v)); assert_int_equal(v, 1);
	assert_true(auxv_get(&s, av, AT_HWCAP, &v)); assert_int_equal(v, 0x178bfbff);
	assert_true(auxv_get(&s, av, AT_CLKTCK, &v)); assert_int_equal(v, 100);
	assert_true(auxv_get(&s, av, AT_RANDOM, &v)); assert_int_equal(v, l.random);
	assert_memory_equal(at(&s, v), aux.random, 16);
	assert_true(auxv_get(&s, av, AT_EXECFN, &v));
	assert_string_equal(str(&s, v), "/bin/hello");
	assert_true(auxv_get(&s, av, AT_PLATFORM, &v));
	assert_string_equal(str(&s, v), "x86_64");
	assert_false(auxv_get(&s, av, AT_SYSINFO_EHDR, &v));
	assert_false(auxv_get(&s, av, AT_HWCAP2, &v));
	assert_false(auxv_get(&s, av, AT_MINSIGSTKSZ, &v));
	free(s.buf);
}

static void test_optional_entries(void **state)
{
	struct stack s;
	struct exec_auxv aux = sample_aux();
	uint64_t v;

	aux.sysinfo_ehdr = 0x7ffff7ffd000;
	aux.minsigstksz = 0xd30;
	aux.hwcap2 = 2;
	stack_alloc(&s, 4096);
	int64_t rsp = exec_stack_build(s.buf, s.size, s.top, ARGV, ENVP, &aux, NULL);
	assert_true(rsp > 0);
	uint64_t av = walk(&s, rsp, ARGV, ENVP);
	assert_int_equal(word(&s, av), AT_SYSINFO_EHDR);
	assert_int_equal(word(&s, av + 16), AT_MINSIGSTKSZ);
	assert_true(auxv_get(&s, av, AT_SYSINFO_EHDR, &v)); assert_int_equal(v, 0x7ffff7ffd000);
	assert_true(auxv_get(&s, av, AT_MINSIGSTKSZ, &v)); assert_int_equal(v, 0xd30);
	assert_true(auxv_get(&s, av, AT_HWCAP2, &v)); assert_int_equal(v, 2);
	free(s.buf);

	/* No platform, no execfn, no argv or envp at all. */
	aux = sample_aux();
	aux.platform = NULL;
	aux.execfn = NULL;
	stack_alloc(&s, 4096);
	rsp = exec_stack_build(s.buf, s.size, s.top, NULL, NULL, &aux, NULL);
	assert_true(rsp > 0);
	av = walk(&s, rsp, NULL, NULL);
	assert_false(auxv_get(&s, av, AT_PLATFORM, &v));
	assert_false(auxv_get(&s, av, AT_EXECFN, &v));
	assert_true(auxv_get(&s, av, AT_RANDOM, &v));
	assert_int_equal(v, TOP - 8 - 16);
	free(s.buf);
}

/* rsp is 16-byte aligned whatever the parity of the word count and the
 * string lengths. */
static void test_alignment(void **state)
{
	static const char *const pool[] = { "", "x", "yy", "zzz", "wwww", "vvvvv", "uuuuuuu" };
	struct exec_auxv aux = sample_aux();

	for (int argc = 0; argc < 6; argc++) {
		for (int envc = 0; envc < 4; envc++) {
			for (int len = 0; len < 7; len++) {
				const char *argv[8] = { 0 }, *envp[8] = { 0 };
				struct stack s;

				for (int i = 0; i < argc; i++)
					argv[i] = pool[(len + i) % 7];
				for (int i = 0; i < envc; i++)
					envp[i] = pool[(len + 2 * i) % 7];
				stack_alloc(&s, 2048);
				int64_t rsp = exec_stack_build(s.buf, s.size, s.top, argv, envp, &aux, NULL);
				assert_true(rsp > 0);
				assert_int_equal(rsp % 16, 0);
				walk(&s, rsp, argv, envp);
				free(s.buf);
			}
		}
	}
}

static void test_e2big(void **state)
{
	struct exec_auxv aux = sample_aux();
	struct stack s;
	int64_t rsp;

	/* The exact fit succeeds; one byte less does not. */
	stack_alloc(&s, 4096);
	rsp = exec_stack_build(s.buf, s.size, s.top, ARGV, ENVP, &aux, NULL);
	size_t need = TOP - rsp;
	free(s.buf);
	stack_alloc(&s, need);
	assert_int_equal(exec_stack_build(s.buf, s.size, s.top, ARGV, ENVP, &aux, NULL), rsp);
	walk(&s, rsp, ARGV, ENVP);
	free(s.buf);
	stack_alloc(&s, need - 1);
	assert_int_equal(exec_stack_build(s.buf, s.size, s.top, ARGV, ENVP, &aux, NULL), -E2BIG);
	free(s.buf);

	/* MAX_ARG_STRLEN counts the NUL: 131071 characters are allowed. */
	char *big = malloc(EXEC_MAX_ARG_STRLEN + 1);
	memset(big, 'a', EXEC_MAX_ARG_STRLEN);
	big[EXEC_MAX_ARG_STRLEN - 1] = '\0';
	const char *argv[] = { "prog", big, NULL };
	stack_alloc(&s, 1 << 20);
	rsp = exec_stack_build(s.buf, s.size, s.top, argv, NULL, &aux, NULL);
	assert_true(rsp > 0);
	walk(&s, rsp, argv, NULL);
	big[EXEC_MAX_ARG_STRLEN - 1] = 'a';
	big[EXEC_MAX_ARG_STRLEN] = '\0';
	assert_int_equal(exec_stack_build(s.buf, s.size, s.top, argv, NULL, &aux, NULL), -E2BIG);
	const char *envp[] = { big, NULL };
	assert_int_equal(exec_stack_build(s.buf, s.size, s.top, NULL, envp, &aux, NULL), -E2BIG);
	aux.execfn = big;
	assert_int_equal(exec_stack_build(s.buf, s.size, s.top, NULL, NULL, &aux, NULL), -E2BIG);
	free(s.buf);
	free(big);

	/* Many empty strings: the pointers alone overflow the buffer. */
	aux = sample_aux();
	static const char *many[1001];
	for (int i = 0; i < 1000; i++)
		many[i] = "";
	stack_alloc(&s, 4096);
	assert_int_equal(exec_stack_build(s.buf, s.size, s.top, many, NULL, &aux, NULL), -E2BIG);
	free(s.buf);
}

static void test_einval(void **state)
{
	struct exec_auxv aux = sample_aux();
	struct stack s;

	stack_alloc(&s, 4096);
	assert_int_equal(exec_stack_build(s.buf, s.size, TOP - 8, ARGV, ENVP, &aux, NULL), -EINVAL);
	assert_int_equal(exec_stack_build(s.buf, s.size, 0x800, ARGV, ENVP, &aux, NULL), -EINVAL);
	/* A stack ending at a low address still works when it fits. */
	int64_t rsp = exec_stack_build(s.buf, s.size, 0x1000, ARGV, ENVP, &aux, NULL);
	assert_int_equal(rsp, 0x1000 - 80 - 44 * 8);
	free(s.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_optional_entries),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_e2big),
		cmocka_unit_test(test_einval),
	};
	return cmocka_run_group_tests_name("stack", tests, NULL, NULL);
}
