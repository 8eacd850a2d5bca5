/* Code point -> glyph lookup for the bitmap fonts of drivers/video/font.h. */
#include <drivers/video/font.h>

uint32_t font_glyph_index(const struct font *font, uint32_t cp)
{
	if (!font->unimap)
		return cp < font->glyph_count ? cp : font->replacement;

	size_t lo = 0, hi = font->unimap_len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t c = font->unimap[mid].codepoint;

		if (c == cp)
			return font->unimap[mid].glyph;
		if (c < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return font->replacement;
}
