/*
 * Pixel-level drawing for the framebuffer console (drivers/video/fbcon.c):
 * colour packing from the boot loader's channel layout and glyph blits.
 * Nothing here locks or allocates; callers serialize.
 */
#include <drivers/video/fbdraw.h>

/* Scale an 8-bit channel to size bits and shift it into place. */
static uint32_t pack_channel(uint32_t v8, uint8_t pos, uint8_t size)
{
	if (size == 0)
		return 0;
	if (size < 8)
		v8 >>= 8 - size;
	else if (size > 8)
		v8 <<= size - 8;
	return v8 << pos;
}

uint32_t fb_pack_rgb(const struct fb_surface *s, uint32_t rgb)
{
	return pack_channel((rgb >> 16) & 0xff, s->red_pos, s->red_size) |
	       pack_channel((rgb >> 8) & 0xff, s->green_pos, s->green_size) |
	       pack_channel(rgb & 0xff, s->blue_pos, s->blue_size);
}

static bool channel_fits(uint8_t pos, uint8_t size, uint8_t bpp)
{
	return size <= 16 && pos + size <= bpp;
}

bool fb_surface_supported(const struct fb_surface *s)
{
	if (s->bpp != 16 && s->bpp != 24 && s->bpp != 32)
		return false;
	if (s->pitch < s->width * (s->bpp / 8u))
		return false;
	return channel_fits(s->red_pos, s->red_size, s->bpp) &&
	       channel_fits(s->green_pos, s->green_size, s->bpp) &&
	       channel_fits(s->blue_pos, s->blue_size, s->bpp);
}

static inline uint8_t *pixel_addr(const struct fb_surface *s, uint32_t x, uint32_t y)
{
	return s->base + (size_t)y * s->pitch + (size_t)x * (s->bpp / 8u);
}

/* Pixels are little-endian in memory at every depth. */
static inline void store(uint8_t *p, uint8_t bpp, uint32_t px)
{
	switch (bpp) {
	case 32:
		__builtin_memcpy(p, &px, 4);    /* one store; pitch need not be aligned */
		break;
	case 24:
		p[0] = (uint8_t)px;
		p[1] = (uint8_t)(px >> 8);
		p[2] = (uint8_t)(px >> 16);
		break;
	case 16: {
		uint16_t v = (uint16_t)px;
		__builtin_memcpy(p, &v, 2);
		break;
	}
	}
}

void fb_put_pixel(const struct fb_surface *s, uint32_t x, uint32_t y, uint32_t px)
{
	store(pixel_addr(s, x, y), s->bpp, px);
}

uint32_t fb_get_pixel(const struct fb_surface *s, uint32_t x, uint32_t y)
{
	const uint8_t *p = pixel_addr(s, x, y);
	uint32_t px = 0;

	__builtin_memcpy(&px, p, s->bpp / 8u);  /* little-endian, like store() */
	return px;
}

void fb_fill_rect(const struct fb_surface *s, uint32_t x, uint32_t y,
		  uint32_t w, uint32_t h, uint32_t px)
{
	if (x >= s->width || y >= s->height)
		return;
	w = MIN(w, s->width - x);
	h = MIN(h, s->height - y);
	for (uint32_t row = 0; row < h; row++) {
		uint8_t *p = pixel_addr(s, x, y + row);
		for (uint32_t col = 0; col < w; col++, p += s->bpp / 8u)
			store(p, s->bpp, px);
	}
}

void fb_draw_glyph(const struct fb_surface *s, uint32_t x, uint32_t y,
		   const struct font *font, uint32_t glyph, uint32_t fg, uint32_t bg)
{
	if (x >= s->width || y >= s->height || glyph >= font->glyph_count)
		return;
	uint32_t w = MIN(font->width, s->width - x);
	uint32_t h = MIN(font->height, s->height - y);
	const uint8_t *bits = font_glyph(font, glyph);
	unsigned bytes_pp = s->bpp / 8u;

	for (uint32_t row = 0; row < h; row++, bits += font->bytes_per_row) {
		uint8_t *p = pixel_addr(s, x, y + row);
		for (uint32_t col = 0; col < w; col++, p += bytes_pp) {
			bool set = bits[col / 8] & (0x80 >> (col % 8));
			store(p, s->bpp, set ? fg : bg);
		}
	}
}
