/*
 * Bitmap console fonts. The kernel's one font, console_font, is generated at
 * build time from a PSF file by scripts/psf2c.py (build/gen/font.c).
 */
#pragma once

#include <kernel/types.h>

/* One code point the font can draw and the glyph that draws it. */
struct font_unimap {
	uint16_t codepoint;
	uint16_t glyph;
};

/*
 * Glyph g's row y is bytes_per_row bytes at
 * glyphs[g * bytes_per_glyph + y * bytes_per_row], most significant bit
 * leftmost; bits past width are padding.
 */
struct font {
	const char *name;
	uint32_t width, height;         /* pixels */
	uint32_t glyph_count;
	uint32_t bytes_per_row;         /* (width + 7) / 8 */
	uint32_t bytes_per_glyph;       /* bytes_per_row * height */
	const uint8_t *glyphs;
	/* Sorted by codepoint; NULL when the font has no Unicode table, and
	 * then code point c is glyph c. */
	const struct font_unimap *unimap;
	uint32_t unimap_len;
	uint32_t replacement;           /* glyph for code points not in the font */
};

extern const struct font console_font;

/* The glyph that draws code point cp (the replacement glyph if none). */
uint32_t font_glyph_index(const struct font *font, uint32_t cp);

static inline const uint8_t *font_glyph(const struct font *font, uint32_t glyph)
{
	return font->glyphs + (size_t)glyph * font->bytes_per_glyph;
}
