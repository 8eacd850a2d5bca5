/*
 * Drawing on a linear direct-colour framebuffer: pixel packing and glyph
 * blits. Pure functions over memory, so the host tests run them on a buffer.
 */
#pragma once

#include <kernel/types.h>
#include <drivers/video/font.h>

/* A linear framebuffer as the boot loader describes it (multiboot2 type 1). */
struct fb_surface {
	uint8_t *base;                  /* first pixel, mapped */
	uint32_t pitch;                 /* bytes per scan line */
	uint32_t width, height;         /* pixels */
	uint8_t bpp;                    /* 16, 24 or 32 */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/* 0xRRGGBB as the surface stores it (the low bpp bits of the result). */
uint32_t fb_pack_rgb(const struct fb_surface *s, uint32_t rgb);

/* Whether fb_draw_glyph and friends can draw on this layout. */
bool fb_surface_supported(const struct fb_surface *s);

/* Store packed pixel value px at (x, y); no bounds check. */
void fb_put_pixel(const struct fb_surface *s, uint32_t x, uint32_t y, uint32_t px);
/* Read back the packed pixel at (x, y) (for tests: the surface is RAM or
 * slow uncached MMIO). */
uint32_t fb_get_pixel(const struct fb_surface *s, uint32_t x, uint32_t y);

/* Fill the w x h rectangle at (x, y), clipped to the surface, with packed pixel px. */
void fb_fill_rect(const struct fb_surface *s, uint32_t x, uint32_t y,
		  uint32_t w, uint32_t h, uint32_t px);

/* Draw glyph number glyph of font with its top-left at (x, y): set bits in
 * packed colour fg, clear bits in bg. Clipped to the surface. */
void fb_draw_glyph(const struct fb_surface *s, uint32_t x, uint32_t y,
		   const struct font *font, uint32_t glyph, uint32_t fg, uint32_t bg);
