/*
 * Host tests of drivers/block/part.c and crc32.c. Tables are built here
 * byte by byte (MBR with logical partitions, GPT with 512- and 4096-byte
 * blocks) and, when the host has them, by sfdisk and sgdisk, whose
 * output is the independent reference for layout and CRCs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <drivers/block/crc32.h>
#include <drivers/block/part.h>

struct image {
	uint8_t *data;
	uint32_t bs;
	uint64_t nblocks;
	int64_t fail_lba;       /* reads of this block fail with -5, -1: none */
	unsigned reads;
};

static int img_read(void *ctx, uint64_t lba, void *buf)
{
	struct image *im = ctx;

	im->reads++;
	if ((int64_t)lba == im->fail_lba)
		return -5;
	assert_true(lba < im->nblocks);
	memcpy(buf, im->data + lba * im->bs, im->bs);
	return 0;
}

static struct image *new_image(uint32_t bs, uint64_t nblocks)
{
	struct image *im = calloc(1, sizeof(*im));
	im->data = calloc(nblocks, bs);
	im->bs = bs;
	im->nblocks = nblocks;
	im->fail_lba = -1;
	return im;
}

static void free_image(struct image *im)
{
	free(im->data);
	free(im);
}

static int parse(struct image *im, struct part_info *out, enum part_scheme *scheme)
{
	uint8_t *buf = malloc(im->bs);
	int n = part_parse(img_read, im, im->bs, im->nblocks, buf, out, PART_MAX, scheme);
	free(buf);
	return n;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void mbr_set(uint8_t *sector, unsigned slot, uint8_t type, uint32_t start, uint32_t count)
{
	uint8_t *e = sector + 446 + 16 * slot;
	e[4] = type;
	put32(e + 8, start);
	put32(e + 12, count);
	sector[510] = 0x55;
	sector[511] = 0xaa;
}

static void expect_part(const struct part_info *p, unsigned partno, uint64_t start, uint64_t n)
{
	assert_int_equal(p->partno, partno);
	assert_int_equal(p->start, start);
	assert_int_equal(p->nr_blocks, n);
}

/* ---- CRC-32 ------------------------------------------------------------- */

static void test_crc32_vectors(void **state)
{
	assert_int_equal(crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(crc32(0, "", 0), 0);
	assert_int_equal(crc32(0, "a", 1), 0xe8b7be43u);
	assert_int_equal(crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414fa339u);
	/* Continuation equals the one-shot CRC. */
	assert_int_equal(crc32(crc32(0, "12345", 5), "6789", 4), 0xcbf43926u);
}

/* ---- MBR ------------------------------------------------------------------ */

static void test_no_signature(void **state)
{
	struct image *im = new_image(512, 100);
	struct part_info p[PART_MAX];
	enum part_scheme s;

	mbr_set(im->data, 0, 0x83, 10, 20);
	im->data[511] = 0;
	assert_int_equal(parse(im, p, &s), 0);
	assert_int_equal(s, PART_NONE);
	free_image(im);
}

static void test_mbr_primary_and_logical(void **state)
{
	struct image *im = new_image(512, 10000);
	struct part_info p[PART_MAX];
	enum part_scheme s;

	mbr_set(im->data, 0, 0x83, 63, 1000);
	mbr_set(im->data, 2, 0x0f, 2000, 5000);        /* slot 3: extended (LBA) */
	mbr_set(im->data, 3, 0x83, 9000, 2000);        /* past the end: dropped */
	/* EBR chain: logical 5 at 2000+10, next EBR at 2000+3000. */
	mbr_set(im->data + 2000 * 512, 0, 0x83, 10, 500);
	mbr_set(im->data + 2000 * 512, 1, 0x05, 3000, 1000);
	mbr_set(im->data + 5000 * 512, 0, 0x07, 1, 999);
	assert_int_equal(parse(im, p, &s), 3);
	assert_int_equal(s, PART_MBR);
	expect_part(&p[0], 1, 63, 1000);
	assert_int_equal(p[0].mbr_type, 0x83);
	expect_part(&p[1], 5, 2010, 500);
	expect_part(&p[2], 6, 5001, 999);
	assert_int_equal(p[2].mbr_type, 0x07);
	free_image(im);
}

static void test_mbr_ebr_loop_ends(void **state)
{
	struct image *im = new_image(512, 4000);
	struct part_info p[PART_MAX];
	enum part_scheme s;

	mbr_set(im->data, 0, 0x05, 1000, 2000);
	mbr_set(im->data + 1000 * 512, 0, 0x83, 1, 10);
	mbr_set(im->data + 1000 * 512, 1, 0x05, 0, 2000);     /* points at itself */
	assert_int_equal(parse(im, p, &s), 1);
	expect_part(&p[0], 5, 1001, 10);
	free_image(im);
}

static void test_read_error_propagates(void **state)
{
	struct image *im = new_image(512, 4000);
	struct part_info p[PART_MAX];
	enum part_scheme s;

	mbr_set(im->data, 0, 0x05, 1000, 2000);
	im->fail_lba = 1000;
	assert_int_equal(parse(im, p, &s), -5);
	im->fail_lba = 0;
	assert_int_equal(parse(im, p, &s), -5);
	free_image(im);
}

/* ---- GPT ------------------------------------------------------------------ */

/* A GPT with two partitions, primary and backup, on bs-byte blocks. */
static struct image *make_gpt(uint32_t bs, uint64_t nblocks)
{
	struct image *im = new_image(bs, nblocks);
	uint32_t nent = 128, esz = 128;
	uint64_t eblocks = nent * esz / bs;
	uint8_t *ent = calloc(nent, esz);
	static const uint8_t linux_type[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
						0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 };

	memcpy(ent, linux_type, 16);
	put64(ent + 32, 40);
	put64(ent + 40, 59);
	memcpy(ent + 3 * esz, linux_type, 16);          /* entry 4: partition 4 */
	put64(ent + 3 * esz + 32, 60);
	put64(ent + 3 * esz + 40, 99);
	uint32_t ecrc = crc32(0, ent, nent * esz);

	mbr_set(im->data, 0, 0xee, 1, (uint32_t)(nblocks - 1));
	for (int backup = 0; backup < 2; backup++) {
		uint64_t my = backup ? nblocks - 1 : 1, elba = backup ? nblocks - 1 - eblocks : 2;
		uint8_t *h = im->data + my * bs;
		memcpy(h, "EFI PART", 8);
		put32(h + 8, 0x10000);
		put32(h + 12, 92);
		put64(h + 24, my);
		put64(h + 32, backup ? 1 : nblocks - 1);
		put64(h + 40, 2 + eblocks);
		put64(h + 48, nblocks - 2 - eblocks);
		put64(h + 72, elba);
		put32(h + 80, nent);
		put32(h + 84, esz);
		put32(h + 88, ecrc);
		put32(h + 16, crc32(0, h, 92));
		memcpy(im->data + elba * bs, ent, nent * esz);
	}
	free(ent);
	return im;
}

static void test_gpt_512(void **state)
{
	struct image *im = make_gpt(512, 200);
	struct part_info p[PART_MAX];
	enum part_scheme s;

	assert_int_equal(parse(im, p, &s), 2);
	assert_int_equal(s, PART_GPT);
	expect_part(&p[0], 1, 40, 20);
	expect_part(&p[1], 4, 60, 40);
	assert_int_equal(p[0].mbr_type, 0);
	free_image(im);
}

static void test_gpt_4096(void **state)
{
	struct image *im = make_gpt(4096, 200);
	struct part_info p[PART_MAX];
	enum part_scheme s;

	assert_int_equal(parse(im, p, &s), 2);
	assert_int_equal(s, PART_GPT);
	expect_part(&p[1], 4, 60, 40);
	free_image(im);
}

static void test_gpt_bad_primary_uses_backup(void **state)
{
	struct image *im = make_gpt(512, 200);
	struct part_info p[PART_MAX];
	enum part_scheme s;

	im->data[512 + 60] ^= 1;                /* header byte: CRC mismatch */
	assert_int_equal(parse(im, p, &s), 2);
	assert_int_equal(s, PART_GPT);
	expect_part(&p[0], 1, 40, 20);
	free_image(im);

	im = make_gpt(512, 200);
	im->data[2 * 512 + 33] ^= 1;            /* primary entries: CRC mismatch */
	assert_int_equal(parse(im, p, &s), 2);
	free_image(im);
}

static void test_gpt_both_bad(void **state)
{
	struct image *im = make_gpt(512, 200);
	struct part_info p[PART_MAX];
	enum part_scheme s;

	im->data[512 + 60] ^= 1;
	im->data[199 * 512 + 60] ^= 1;
	assert_int_equal(parse(im, p, &s), 0);
	assert_int_equal(s, PART_NONE);
	free_image(im);
}

static void test_gpt_header_fields_checked(void **state)
{
	struct image *im = make_gpt(512, 200);
	struct part_info p[PART_MAX];
	enum part_scheme s;
	uint8_t *h = im->data + 512;

	/* A huge entry count with a correct CRC is still refused (primary),
	 * and the backup is used. */
	put32(h + 80, 100000);
	put32(h + 16, 0);
	put32(h + 16, crc32(0, h, 92));
	assert_int_equal(parse(im, p, &s), 2);
	free_image(im);

	/* Entries said to lie past the end: refused without reading there. */
	im = make_gpt(512, 200);
	h = im->data + 512;
	put64(h + 72, 190);
	put32(h + 16, 0);
	put32(h + 16, crc32(0, h, 92));
	assert_int_equal(parse(im, p, &s), 2);  /* from the backup */
	free_image(im);
}

/* ---- tables made by the host's tools ------------------------------------ */

static bool have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1 || test -x /usr/sbin/%s", tool, tool);
	return system(cmd) == 0;
}

static struct image *load(const char *path, uint64_t nblocks)
{
	struct image *im = new_image(512, nblocks);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(im->data, 512, nblocks, f), nblocks);
	fclose(f);
	return im;
}

static void test_sfdisk_image(void **state)
{
	char path[] = "/tmp/goos-part-XXXXXX";
	struct part_info p[PART_MAX];
	enum part_scheme s;
	char cmd[512];
	int fd;

	if (!have("sfdisk"))
		skip();
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(ftruncate(fd, 8 << 20), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "printf 'label: dos\\nstart=2048,size=4096,type=83\\nstart=6144,size=2048,type=5\\n"
		 "start=6400,size=1000,type=83\\nstart=7500,size=500,type=7\\n' | "
		 "PATH=$PATH:/usr/sbin sfdisk -q %s >/dev/null 2>&1", path);
	assert_int_equal(system(cmd), 0);
	struct image *im = load(path, 16384);
	unlink(path);
	*state = im;
	assert_int_equal(parse(im, p, &s), 3);
	assert_int_equal(s, PART_MBR);
	expect_part(&p[0], 1, 2048, 4096);
	expect_part(&p[1], 5, 6400, 1000);
	expect_part(&p[2], 6, 7500, 500);
}

static void test_sgdisk_image(void **state)
{
	char path[] = "/tmp/goos-part-XXXXXX";
	struct part_info p[PART_MAX];
	enum part_scheme s;
	char cmd[512];
	int fd;

	if (!have("sgdisk"))
		skip();
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(ftruncate(fd, 8 << 20), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "PATH=$PATH:/usr/sbin sgdisk -a 1 -n 1:2048:6143 -n 3:6144:8191 -t 3:ef00 "
		 "-n 2:10000:16000 %s >/dev/null 2>&1", path);
	assert_int_equal(system(cmd), 0);
	struct image *im = load(path, 16384);
	unlink(path);
	*state = im;                    /* freed by the teardown if a check fails */
	assert_int_equal(parse(im, p, &s), 3);
	assert_int_equal(s, PART_GPT);
	/* In entry order: sgdisk puts partition n in entry n. */
	expect_part(&p[0], 1, 2048, 4096);
	expect_part(&p[1], 2, 10000, 6001);
	expect_part(&p[2], 3, 6144, 2048);
	/* Break the primary header: the backup (sgdisk's) still works. */
	im->data[512 + 40] ^= 0xff;
	assert_int_equal(parse(im, p, &s), 3);
	/* And the backup's entries too: nothing valid is left. */
	im->data[(16384 - 33) * 512 + 40] ^= 0xff;
	assert_int_equal(parse(im, p, &s), 0);
}

static int free_state(void **state)
{
	if (*state)
		free_image(*state);
	*state = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_vectors),
		cmocka_unit_test(test_no_signature),
		cmocka_unit_test(test_mbr_primary_and_logical),
		cmocka_unit_test(test_mbr_ebr_loop_ends),
		cmocka_unit_test(test_read_error_propagates),
		cmocka_unit_test(test_gpt_512),
		cmocka_unit_test(test_gpt_4096),
		cmocka_unit_test(test_gpt_bad_primary_uses_backup),
		cmocka_unit_test(test_gpt_both_bad),
		cmocka_unit_test(test_gpt_header_fields_checked),
		cmocka_unit_test_teardown(test_sfdisk_image, free_state),
		cmocka_unit_test_teardown(test_sgdisk_image, free_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
