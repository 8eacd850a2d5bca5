/* The multiboot2 information parser (kernel/multiboot2.c) on hand-built
 * structures laid out as the Multiboot2 spec (3.6) describes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/boot_info.h>
#include <kernel/errno.h>

struct builder {
	uint8_t buf[4096] __attribute__((aligned(8)));
	uint32_t len;
};

static void *add_tag(struct builder *b, uint32_t type, uint32_t size)
{
	uint8_t *p = b->buf + b->len;
	memcpy(p, &type, 4);
	memcpy(p + 4, &size, 4);
	b->len += (size + 7) & ~7u;
	return p + 8;
}

static void begin(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	b->len = 8;
}

static void finish(struct builder *b)
{
	add_tag(b, 0, 8);
	memcpy(b->buf, &b->len, 4);
}

static void test_full_info(void **state)
{
	struct builder b;
	struct boot_info bi;

	begin(&b);
	strcpy(add_tag(&b, 1, 8 + 12), "ktest quiet");
	strcpy(add_tag(&b, 2, 8 + 10), "GRUB 2.06");
	/* mmap: entry_size 24, version 0, three entries */
	uint8_t *m = add_tag(&b, 6, 16 + 3 * 24);
	uint32_t esz = 24, ever = 0;
	memcpy(m, &esz, 4);
	memcpy(m + 4, &ever, 4);
	uint64_t e[3][3] = { { 0, 0x9fc00, 1 }, { 0x100000, 0x7ee0000, 1 },
			     { 0x100000000ull, 0x180000000ull, 1 } };
	e[1][2] = 1;
	for (int i = 0; i < 3; i++) {
		memcpy(m + 8 + i * 24, &e[i][0], 8);
		memcpy(m + 8 + i * 24 + 8, &e[i][1], 8);
		uint32_t t = i == 1 ? 3 : 1;
		memcpy(m + 8 + i * 24 + 16, &t, 4);
	}
	/* module */
	uint32_t *mod = add_tag(&b, 3, 16 + 10);
	mod[0] = 0x400000;
	mod[1] = 0x480000;
	strcpy((char *)&mod[2], "initramfs");
	/* ACPI old then new: the new one wins */
	memset(add_tag(&b, 14, 8 + 20), 0x11, 20);
	memset(add_tag(&b, 15, 8 + 36), 0x22, 36);
	add_tag(&b, 12, 16);    /* EFI64 system table */
	finish(&b);

	assert_int_equal(mb2_parse(b.buf, &bi), 0);
	assert_string_equal(bi.cmdline, "ktest quiet");
	assert_string_equal(bi.loader, "GRUB 2.06");
	assert_int_equal(bi.nr_mem, 3);
	assert_int_equal(bi.mem[1].base, 0x100000);
	assert_int_equal(bi.mem[1].type, 3);
	assert_int_equal(bi.mem[2].base, 0x100000000ull);
	assert_int_equal(bi.mem[2].len, 0x180000000ull);
	assert_int_equal(bi.nr_modules, 1);
	assert_int_equal(bi.modules[0].start, 0x400000);
	assert_int_equal(bi.modules[0].end, 0x480000);
	assert_string_equal(bi.modules[0].name, "initramfs");
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp[0], 0x22);
	assert_true(bi.efi);
	assert_int_equal(bi.mbi_size, b.len);
}

static void test_framebuffer(void **state)
{
	struct builder b;
	struct boot_info bi;

	begin(&b);
	uint8_t *fb = add_tag(&b, 8, 38);
	uint64_t addr = 0xfd000000;
	uint32_t pitch = 4096, w = 1024, h = 768;
	memcpy(fb, &addr, 8);
	memcpy(fb + 8, &pitch, 4);
	memcpy(fb + 12, &w, 4);
	memcpy(fb + 16, &h, 4);
	fb[20] = 32;    /* bpp */
	fb[21] = 1;     /* RGB */
	uint8_t rgb[6] = { 16, 8, 8, 8, 0, 8 };
	memcpy(fb + 24, rgb, 6);
	finish(&b);

	assert_int_equal(mb2_parse(b.buf, &bi), 0);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.blue_size, 8);
}

static void test_efi_memory_map_counts_ram(void **state)
{
	struct builder b;
	struct boot_info bi;
	/* type, pages: conventional, boot services data, runtime code,
	   reserved, MMIO, ACPI NVS */
	uint32_t types[6] = { 7, 4, 5, 0, 11, 10 };
	uint64_t pages[6] = { 1000, 200, 30, 4000, 65536, 5 };

	begin(&b);
	uint32_t *t = add_tag(&b, 17, 16 + 6 * 48);
	t[0] = 48;      /* descriptor size larger than the struct, as firmware does */
	t[1] = 1;
	for (int i = 0; i < 6; i++) {
		uint8_t *d = (uint8_t *)&t[2] + i * 48;
		memset(d, 0, 48);
		memcpy(d, &types[i], 4);
		memcpy(d + 24, &pages[i], 8);
	}
	finish(&b);
	assert_int_equal(mb2_parse(b.buf, &bi), 0);
	assert_int_equal(bi.efi_ram_bytes, (1000 + 200 + 30 + 5) * 4096ull);
}

static void test_malformed(void **state)
{
	struct builder b;
	struct boot_info bi;

	/* tag running past the total size */
	begin(&b);
	add_tag(&b, 1, 8 + 8);
	finish(&b);
	uint32_t big = 4000;
	memcpy(b.buf + 8 + 4, &big, 4);
	assert_int_equal(mb2_parse(b.buf, &bi), -EINVAL);

	/* zero-size tag would loop forever */
	begin(&b);
	add_tag(&b, 1, 8);
	finish(&b);
	uint32_t zero = 0;
	memcpy(b.buf + 8 + 4, &zero, 4);
	assert_int_equal(mb2_parse(b.buf, &bi), -EINVAL);

	/* no end tag */
	begin(&b);
	add_tag(&b, 2, 8 + 4);
	memcpy(b.buf, &b.len, 4);
	assert_int_equal(mb2_parse(b.buf, &bi), -EINVAL);

	/* absurd total size */
	uint32_t tiny = 4;
	memcpy(b.buf, &tiny, 4);
	assert_int_equal(mb2_parse(b.buf, &bi), -EINVAL);
}

static void test_unterminated_string_is_bounded(void **state)
{
	struct builder b;
	struct boot_info bi;

	begin(&b);
	memset(add_tag(&b, 1, 8 + 16), 'x', 16);       /* no NUL inside the tag */
	finish(&b);
	assert_int_equal(mb2_parse(b.buf, &bi), 0);
	assert_int_equal(strlen(bi.cmdline), 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_info),
		cmocka_unit_test(test_framebuffer),
		cmocka_unit_test(test_efi_memory_map_counts_ram),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unterminated_string_is_bounded),
	};
	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
