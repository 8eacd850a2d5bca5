/*
 * Framebuffer console drawing (drivers/video/fbdraw.c, font.c): colour
 * packing for the channel layouts GRUB reports, glyph blits at 16, 24 and
 * 32 bpp into a buffer with canaries around the cell, clipping, glyph
 * lookup, and the font scripts/psf2c.py generated for the kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <drivers/video/fbdraw.h>
#include <drivers/video/font.h>

#define CANARY 0xa5

/* Two glyphs 10 pixels wide (two bytes per row), 3 rows high. */
static const uint8_t test_glyphs[2 * 6] = {
	/* 0: a frame */ 0xff, 0xc0, 0x80, 0x40, 0xff, 0xc0,
	/* 1: a diagonal, bit 9 set in row 2 */ 0x80, 0x00, 0x08, 0x00, 0x00, 0x40,
};
static const struct font_unimap test_map[] = { { 'A', 1 }, { 0xe9, 0 }, { 0x2500, 1 } };
static const struct font test_font = {
	.name = "test", .width = 10, .height = 3, .glyph_count = 2,
	.bytes_per_row = 2, .bytes_per_glyph = 6, .glyphs = test_glyphs,
	.unimap = test_map, .unimap_len = 3, .replacement = 0,
};

static bool glyph_bit(const struct font *f, uint32_t g, uint32_t x, uint32_t y)
{
	return font_glyph(f, g)[y * f->bytes_per_row + x / 8] & (0x80 >> (x % 8));
}

/* A surface of w x h pixels with 3 bytes of padding per line. */
static struct fb_surface make_surface(uint8_t *buf, size_t size, uint32_t w, uint32_t h,
				      uint8_t bpp)
{
	struct fb_surface s = {
		.base = buf, .pitch = w * (bpp / 8) + 3, .width = w, .height = h, .bpp = bpp,
	};
	assert_true(s.pitch * h <= size);
	memset(buf, CANARY, size);
	return s;
}

static void expect_glyph(const struct fb_surface *s, uint32_t x0, uint32_t y0,
			 uint32_t glyph, uint32_t fg, uint32_t bg)
{
	for (uint32_t y = 0; y < s->height; y++) {
		for (uint32_t x = 0; x < s->width; x++) {
			bool inside = x >= x0 && x < x0 + test_font.width &&
				      y >= y0 && y < y0 + test_font.height;
			if (!inside)
				continue;
			uint32_t want = glyph_bit(&test_font, glyph, x - x0, y - y0) ? fg : bg;
			assert_int_equal(fb_get_pixel(s, x, y), want);
		}
	}
}

/* Every byte outside the w x h cell at (x0, y0) still holds the canary. */
static void expect_untouched_outside(const struct fb_surface *s, size_t size,
				     uint32_t x0, uint32_t y0, uint32_t w, uint32_t h)
{
	unsigned bytes_pp = s->bpp / 8;
	for (size_t off = 0; off < size; off++) {
		size_t y = off / s->pitch, xb = off % s->pitch;
		bool inside = y >= y0 && y < y0 + h &&
			      xb >= x0 * bytes_pp && xb < (x0 + w) * bytes_pp;
		if (!inside)
			assert_int_equal(s->base[off], CANARY);
	}
}

static void test_pack_rgb(void **state)
{
	struct fb_surface xrgb = { .bpp = 32, .red_pos = 16, .red_size = 8,
				   .green_pos = 8, .green_size = 8, .blue_pos = 0, .blue_size = 8 };
	struct fb_surface xbgr = { .bpp = 32, .red_pos = 0, .red_size = 8,
				   .green_pos = 8, .green_size = 8, .blue_pos = 16, .blue_size = 8 };
	struct fb_surface rgb565 = { .bpp = 16, .red_pos = 11, .red_size = 5,
				     .green_pos = 5, .green_size = 6, .blue_pos = 0, .blue_size = 5 };
	struct fb_surface rgb555 = { .bpp = 16, .red_pos = 10, .red_size = 5,
				     .green_pos = 5, .green_size = 5, .blue_pos = 0, .blue_size = 5 };

	assert_int_equal(fb_pack_rgb(&xrgb, 0x123456), 0x123456);
	assert_int_equal(fb_pack_rgb(&xbgr, 0x123456), 0x563412);
	assert_int_equal(fb_pack_rgb(&rgb565, 0xffffff), 0xffff);
	assert_int_equal(fb_pack_rgb(&rgb565, 0xff0000), 0xf800);
	assert_int_equal(fb_pack_rgb(&rgb565, 0x00ff00), 0x07e0);
	assert_int_equal(fb_pack_rgb(&rgb565, 0x0000ff), 0x001f);
	assert_int_equal(fb_pack_rgb(&rgb565, 0x808080), 0x8410);
	assert_int_equal(fb_pack_rgb(&rgb555, 0xffffff), 0x7fff);
}

static void test_supported_layouts(void **state)
{
	struct fb_surface s = { .pitch = 4096, .width = 1024, .height = 768, .bpp = 32,
				.red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8,
				.blue_size = 8 };
	assert_true(fb_surface_supported(&s));
	s.bpp = 24;
	assert_true(fb_surface_supported(&s));
	s.bpp = 8;
	assert_false(fb_surface_supported(&s));
	s.bpp = 32;
	s.pitch = 4092;                 /* shorter than a line */
	assert_false(fb_surface_supported(&s));
	s.pitch = 4096;
	s.red_pos = 28;                 /* channel beyond the pixel */
	assert_false(fb_surface_supported(&s));
}

static void check_glyph_at_depth(uint8_t bpp, uint32_t fg, uint32_t bg)
{
	uint8_t buf[24 * 8 * 4 + 64];
	struct fb_surface s = make_surface(buf, sizeof(buf), 24, 8, bpp);

	fb_draw_glyph(&s, 5, 2, &test_font, 1, fg, bg);
	expect_glyph(&s, 5, 2, 1, fg, bg);
	expect_untouched_outside(&s, sizeof(buf), 5, 2, test_font.width, test_font.height);
}

static void test_glyph_32bpp(void **state)
{
	check_glyph_at_depth(32, 0x00ffff55, 0x000000aa);
}

static void test_glyph_24bpp(void **state)
{
	uint8_t buf[16 * 4 * 3 + 64];
	struct fb_surface s = make_surface(buf, sizeof(buf), 16, 4, 24);

	check_glyph_at_depth(24, 0xaabbcc, 0x112233);
	/* Little-endian bytes: the top-left pixel of glyph 1 is set. */
	fb_draw_glyph(&s, 0, 0, &test_font, 1, 0xaabbcc, 0x112233);
	assert_int_equal(buf[0], 0xcc);
	assert_int_equal(buf[1], 0xbb);
	assert_int_equal(buf[2], 0xaa);
	assert_int_equal(buf[3], 0x33);         /* pixel 1 is background */
	assert_int_equal(buf[4], 0x22);
	assert_int_equal(buf[5], 0x11);
}

static void test_glyph_16bpp(void **state)
{
	check_glyph_at_depth(16, 0xf800, 0x001f);
}

static void test_glyph_clipped_at_edges(void **state)
{
	uint8_t buf[12 * 4 * 4 + 64];
	struct fb_surface s = make_surface(buf, sizeof(buf), 12, 4, 32);

	/* Three columns and two rows of the glyph fit. */
	fb_draw_glyph(&s, 9, 2, &test_font, 0, 1, 2);
	expect_untouched_outside(&s, sizeof(buf), 9, 2, 3, 2);
	assert_int_equal(fb_get_pixel(&s, 9, 2), 1);
	assert_int_equal(fb_get_pixel(&s, 11, 3), 2);
	/* Entirely off the surface, or a glyph the font lacks: nothing drawn. */
	memset(buf, CANARY, sizeof(buf));
	fb_draw_glyph(&s, 12, 0, &test_font, 0, 1, 2);
	fb_draw_glyph(&s, 0, 4, &test_font, 0, 1, 2);
	fb_draw_glyph(&s, 0, 0, &test_font, 2, 1, 2);
	expect_untouched_outside(&s, sizeof(buf), 0, 0, 0, 0);
}

static void test_fill_rect_clipped(void **state)
{
	uint8_t buf[8 * 4 * 2 + 64];
	struct fb_surface s = make_surface(buf, sizeof(buf), 8, 4, 16);

	fb_fill_rect(&s, 6, 1, 100, 100, 0x1234);
	expect_untouched_outside(&s, sizeof(buf), 6, 1, 2, 3);
	assert_int_equal(fb_get_pixel(&s, 7, 3), 0x1234);
	assert_int_equal(fb_get_pixel(&s, 6, 1), 0x1234);
}

static void test_glyph_lookup(void **state)
{
	struct font identity = test_font;

	assert_int_equal(font_glyph_index(&test_font, 'A'), 1);
	assert_int_equal(font_glyph_index(&test_font, 0xe9), 0);
	assert_int_equal(font_glyph_index(&test_font, 0x2500), 1);
	identity.replacement = 1;
	assert_int_equal(font_glyph_index(&identity, 'B'), 1);      /* not in the map */
	identity.unimap = NULL;
	identity.unimap_len = 0;
	identity.replacement = 0;
	assert_int_equal(font_glyph_index(&identity, 1), 1);        /* no map: identity */
	assert_int_equal(font_glyph_index(&identity, 'A'), 0);      /* beyond the glyphs */
}

/* The kernel's font as scripts/psf2c.py converted it. */
static void test_generated_font(void **state)
{
	const struct font *f = &console_font;

	assert_true(f->width > 0 && f->height > 0);
	assert_int_equal(f->bytes_per_row, (f->width + 7) / 8);
	assert_int_equal(f->bytes_per_glyph, f->bytes_per_row * f->height);
	assert_true(f->replacement < f->glyph_count);
	for (uint32_t i = 1; i < f->unimap_len; i++)
		assert_true(f->unimap[i - 1].codepoint < f->unimap[i].codepoint);
	for (uint32_t i = 0; i < f->unimap_len; i++)
		assert_true(f->unimap[i].glyph < f->glyph_count);

	/* Printable ASCII: distinct glyphs, all but the space with ink. */
	uint32_t space = font_glyph_index(f, ' ');
	for (uint32_t cp = '!'; cp < 0x7f; cp++) {
		uint32_t g = font_glyph_index(f, cp);
		const uint8_t *bits = font_glyph(f, g);
		bool ink = false;

		assert_int_not_equal(g, space);
		assert_int_not_equal(g, font_glyph_index(f, cp == '!' ? '"' : cp - 1));
		for (uint32_t b = 0; b < f->bytes_per_glyph; b++)
			ink |= bits[b] != 0;
		assert_true(ink);
	}
	const uint8_t *sp = font_glyph(f, space);
	for (uint32_t b = 0; b < f->bytes_per_glyph; b++)
		assert_int_equal(sp[b], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_rgb),
		cmocka_unit_test(test_supported_layouts),
		cmocka_unit_test(test_glyph_32bpp),
		cmocka_unit_test(test_glyph_24bpp),
		cmocka_unit_test(test_glyph_16bpp),
		cmocka_unit_test(test_glyph_clipped_at_edges),
		cmocka_unit_test(test_fill_rect_clipped),
		cmocka_unit_test(test_glyph_lookup),
		cmocka_unit_test(test_generated_font),
	};
	return cmocka_run_group_tests_name("fbcon", tests, NULL, NULL);
}
