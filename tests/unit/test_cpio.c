/* The newc cpio reader (fs/cpio.c) on archives that GNU cpio makes at test
 * time from a directory with files, a symlink and subdirectories, and on
 * truncated and corrupted copies of them. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <kernel/errno.h>
#include <fs/cpio.h>

#define MTIME 1700000000

struct archive {
	uint8_t *data;
	size_t size;
};

struct seen {
	int n;
	char name[16][64];
	uint32_t mode[16], mtime[16], uid[16], gid[16], nlink[16];
	char data[16][64];
	size_t size[16];
	int stop_at;            /* return 7 from this call (1-based), 0: never */
	const uint8_t *lo, *hi; /* archive bounds: data must lie inside */
};

static int collect(const struct cpio_entry *e, void *arg)
{
	struct seen *s = arg;
	int i = s->n++;

	assert_true(i < 16);
	assert_true((const uint8_t *)e->name >= s->lo && (const uint8_t *)e->data + e->size <= s->hi);
	assert_int_equal(strlen(e->name), e->namelen);
	snprintf(s->name[i], 64, "%s", e->name);
	s->mode[i] = e->mode;
	s->mtime[i] = e->mtime;
	s->uid[i] = e->uid;
	s->gid[i] = e->gid;
	s->nlink[i] = e->nlink;
	s->size[i] = e->size;
	memcpy(s->data[i], e->data, MIN(e->size, 63));
	s->data[i][MIN(e->size, 63)] = 0;
	return s->n == s->stop_at ? 7 : 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* Make the tree and pack it with `cpio -o -H format`. */
static struct archive make_archive(const char *format)
{
	char dir[] = "/tmp/goos-cpio.XXXXXX", path[256], cmd[512];
	struct archive a;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bin", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc", dir);
	assert_int_equal(mkdir(path, 0750), 0);
	snprintf(path, sizeof(path), "%s/etc/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/bin/tool", dir);
	write_file(path, "abcde", 0755);
	snprintf(path, sizeof(path), "%s/etc/sub/motd", dir);
	write_file(path, "hello, world\n", 0644);
	snprintf(path, sizeof(path), "%s/empty", dir);
	write_file(path, "", 0600);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("bin/tool", path), 0);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && chmod 0755 . && find . -mindepth 1 -exec touch -h -d @%d {} + && "
		 "find . -mindepth 1 | LC_ALL=C sort | cpio -o -H %s --quiet > ../%s.cpio && "
		 "cd / && rm -rf %s", dir, MTIME, format, dir + 5, dir);
	assert_int_equal(system(cmd), 0);

	snprintf(path, sizeof(path), "%s.cpio", dir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	a.size = ftell(f);
	fseek(f, 0, SEEK_SET);
	a.data = malloc(a.size);
	assert_int_equal(fread(a.data, 1, a.size, f), a.size);
	fclose(f);
	unlink(path);
	return a;
}

static int run(const struct archive *a, size_t len, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	s->lo = a->data;
	s->hi = a->data + len;
	return cpio_for_each(a->data, len, collect, s);
}

static const struct {
	const char *name;
	uint32_t mode;
	const char *data;
} expect[] = {
	{ "bin", 040755, "" },
	{ "bin/tool", 0100755, "abcde" },
	{ "empty", 0100600, "" },
	{ "etc", 040750, "" },
	{ "etc/sub", 040700, "" },
	{ "etc/sub/motd", 0100644, "hello, world\n" },
	{ "link", 0120777, "bin/tool" },
};
#define NR_EXPECT 7

static void check_tree(const struct seen *s)
{
	assert_int_equal(s->n, NR_EXPECT);
	for (int i = 0; i < NR_EXPECT; i++) {
		assert_string_equal(s->name[i], expect[i].name);
		assert_int_equal(s->mode[i], expect[i].mode);
		assert_int_equal(s->size[i], strlen(expect[i].data));
		assert_string_equal(s->data[i], expect[i].data);
		assert_int_equal(s->mtime[i], MTIME);
		assert_int_equal(s->uid[i], getuid());
		assert_int_equal(s->gid[i], getgid());
	}
	assert_int_equal(s->nlink[0], 2);       /* bin: itself and "." */
	assert_int_equal(s->nlink[3], 3);       /* etc: plus sub's ".." */
	assert_int_equal(s->nlink[1], 1);
}

static void test_newc(void **state)
{
	struct archive a = make_archive("newc");
	struct seen s;

	assert_memory_equal(a.data, "070701", 6);
	assert_int_equal(run(&a, a.size, &s), 0);
	check_tree(&s);
	free(a.data);
}

static void test_crc(void **state)
{
	struct archive a = make_archive("crc");
	struct seen s;

	assert_memory_equal(a.data, "070702", 6);
	assert_int_equal(run(&a, a.size, &s), 0);
	check_tree(&s);
	/* A flipped data byte breaks the checksum; fn is never called. */
	uint8_t *motd = memmem(a.data, a.size, "hello, world", 12);
	assert_non_null(motd);
	motd[0] = 'j';
	assert_int_equal(run(&a, a.size, &s), -EINVAL);
	assert_int_equal(s.n, 0);
	free(a.data);

	/* In newc the check field is not used: the change goes through. */
	a = make_archive("newc");
	motd = memmem(a.data, a.size, "hello, world", 12);
	motd[0] = 'j';
	assert_int_equal(run(&a, a.size, &s), 0);
	assert_string_equal(s.data[5], "jello, world\n");
	free(a.data);
}

static void test_stop(void **state)
{
	struct archive a = make_archive("newc");
	struct seen s;

	memset(&s, 0, sizeof(s));
	s.stop_at = 3;
	s.lo = a.data;
	s.hi = a.data + a.size;
	assert_int_equal(cpio_for_each(a.data, a.size, collect, &s), 7);
	assert_int_equal(s.n, 3);
	free(a.data);
}

/* End of the archive proper: past the trailer's (padded) name. */
static size_t trailer_end(const struct archive *a)
{
	uint8_t *t = memmem(a->data, a->size, "TRAILER!!!", 10);

	assert_non_null(t);
	return ((t - a->data) + 11 + 3) & ~(size_t)3;
}

static void test_truncated(void **state)
{
	struct archive a = make_archive("newc");
	size_t end = trailer_end(&a);
	struct seen s;

	assert_true(a.size % 512 == 0 && a.size > end);  /* cpio pads with NULs */
	assert_int_equal(run(&a, end, &s), 0);
	assert_int_equal(s.n, NR_EXPECT);
	assert_int_equal(run(&a, 0, &s), 0);
	assert_int_equal(s.n, 0);
	for (size_t len = 1; len < end; len++) {
		/* Copy into an exactly sized buffer so ASan sees overreads. */
		struct archive cut = { malloc(len), len };
		memcpy(cut.data, a.data, len);
		int err = run(&cut, len, &s);
		free(cut.data);
		if (err != -EINVAL || s.n != 0)
			fail_msg("cut at %zu: got %d after %d entries", len, err, s.n);
	}
	free(a.data);
}

static void test_malformed(void **state)
{
	struct archive a = make_archive("newc");
	struct seen s;
	char saved[8];

	/* Fields of the first entry ("bin"): magic at 0, mode at 14,
	 * filesize at 54, namesize at 94. */
	static const struct { size_t off; const char *bytes; } bad[] = {
		{ 0, "070707" },        /* odc magic */
		{ 5, "3" },
		{ 14, "0000g1ed" },
		{ 14, "0x0041ed" },
		{ 14, " 00041ed" },
		{ 54, "ffffffff" },     /* data past the end */
		{ 94, "00000000" },     /* no name */
		{ 94, "00000001" },     /* only the NUL */
		{ 94, "00000003" },     /* 'n' where the NUL should be */
		{ 94, "00000005" },     /* a NUL inside: "bin\0" + padding */
		{ 94, "7fffffff" },
		{ 110 + 1, "\0" },      /* NUL inside the name */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i].bytes) ? strlen(bad[i].bytes) : 1;
		memcpy(saved, a.data + bad[i].off, n);
		memcpy(a.data + bad[i].off, bad[i].bytes, n);
		int err = run(&a, a.size, &s);
		memcpy(a.data + bad[i].off, saved, n);
		if (err != -EINVAL || s.n != 0)
			fail_msg("case %zu: got %d after %d entries", i, err, s.n);
	}
	assert_int_equal(run(&a, a.size, &s), 0);

	/* GNU cpio writes upper-case hex; lower-case is as good. */
	assert_memory_equal(a.data + 14, "000041ED", 8);
	memcpy(a.data + 14, "000041ed", 8);
	assert_int_equal(run(&a, a.size, &s), 0);
	assert_int_equal(s.mode[0], 040755);

	/* Garbage after the trailer. */
	a.data[trailer_end(&a) + 4] = 'x';
	assert_int_equal(run(&a, a.size, &s), -EINVAL);
	assert_int_equal(s.n, 0);
	free(a.data);
}

static void test_concatenated(void **state)
{
	struct archive a = make_archive("newc"), b = make_archive("crc");
	struct archive both = { malloc(a.size + b.size), a.size + b.size };
	struct seen s;

	memcpy(both.data, a.data, a.size);
	memcpy(both.data + a.size, b.data, b.size);
	assert_int_equal(run(&both, both.size, &s), 0);
	assert_int_equal(s.n, 2 * NR_EXPECT);
	assert_string_equal(s.name[NR_EXPECT + 6], "link");
	free(a.data);
	free(b.data);
	free(both.data);
}

static void test_fuzz(void **state)
{
	struct archive a = make_archive("newc");
	size_t end = trailer_end(&a);
	uint64_t x = 0x2545f4914f6cdd1dull;
	struct seen s;
	int ok = 0;

	for (int r = 0; r < 20000; r++) {
		struct archive m = { malloc(end), end };
		memcpy(m.data, a.data, end);
		for (int k = 0; k < 3; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			m.data[x % end] = "0123456789abcdefFg\0 "[(x >> 32) % 20];
		}
		int err = run(&m, m.size, &s);
		assert_true(err == 0 || err == -EINVAL);
		ok += err == 0;
		free(m.data);
	}
	assert_true(ok > 100);
	free(a.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newc),
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_fuzz),
	};
	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
