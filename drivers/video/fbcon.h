/*
 * The text console on the boot framebuffer ("fb0"): a grid of character
 * cells drawn with console_font on the multiboot2 linear framebuffer, or
 * kept in VGA text memory when the loader left the machine in text mode.
 *
 * Layers: fbcon_write() (bytes) -> the terminal emulator (drivers/video/vt.c:
 * UTF-8, escape sequences, the cell grid) -> the backend that shows a cell
 * (pixels or VGA text).
 */
#pragma once

#include <kernel/types.h>
#include <kernel/boot_info.h>
#include <kernel/console.h>
#include <kernel/spinlock.h>
#include <drivers/video/fbdraw.h>
#include <drivers/video/vt.h>

#define FBCON_TAB_WIDTH VT_TAB_WIDTH

/* The 16 colours of the VGA/ANSI palette; cells hold these indices. */
enum fbcon_color {
	FBCON_BLACK, FBCON_BLUE, FBCON_GREEN, FBCON_CYAN,
	FBCON_RED, FBCON_MAGENTA, FBCON_BROWN, FBCON_LIGHT_GREY,
	FBCON_DARK_GREY, FBCON_LIGHT_BLUE, FBCON_LIGHT_GREEN, FBCON_LIGHT_CYAN,
	FBCON_LIGHT_RED, FBCON_LIGHT_MAGENTA, FBCON_YELLOW, FBCON_WHITE,
};

#define fbcon_cell vt_cell
#define FBCON_REPLY_MAX 64

struct fbcon_ops;

struct fbcon {
	/* Immutable after fbcon_init(). */
	struct console console;
	const struct fbcon_ops *ops;
	unsigned rows, cols;
	struct fb_surface surface;      /* pixel backend */
	const struct font *font;        /* pixel backend */
	uint32_t palette[16];           /* pixel backend: packed colours */
	uint16_t *vga;                  /* VGA text backend: the cells, mapped */

	/* Protected by lock. */
	struct spinlock lock;
	struct vt vt;                   /* the terminal: cells (what is shown), cursor, parser */
	bool cursor_drawn;              /* false between fbcon_lock and fbcon_unlock */
	char reply[FBCON_REPLY_MAX];    /* the terminal's reports, sent as input after unlocking */
	size_t reply_len;
};

/* Set up the console on the loader's framebuffer and register it as "fb0";
 * the kernel log so far is replayed onto it. Needs slab_init() and the
 * vmap area; does nothing without a usable framebuffer. */
void fbcon_init(const struct boot_framebuffer *fb);

/* The console fbcon_init() set up, NULL if none. */
struct fbcon *fbcon_get(void);

/* Whether the terminal asked for application cursor keys (CSI ? 1 h):
 * the keyboard then sends ESC O A rather than ESC [ A. False without fb0. */
bool fbcon_app_cursor_keys(void);

/* Write bytes as a terminal would show them (UTF-8, the VT100 subset of
 * docs/console.md; "\n" starts a new line). Reports the terminal answers
 * (CSI 6n...) go to the console's input (tty_console_input). Takes the
 * console's lock. */
void fbcon_write(struct fbcon *con, const char *s, size_t len);

/*
 * The cell grid. Call these between fbcon_lock() and fbcon_unlock(), which
 * take the lock (irqsave: printk may run in an interrupt) and hide the
 * cursor while the grid changes.
 */
unsigned long fbcon_lock(struct fbcon *con);
void fbcon_unlock(struct fbcon *con, unsigned long flags);

/* Show code point cp at the cursor and advance, wrapping at the last
 * column; handles \n (line feed), \r, \t and \b; other controls are ignored.
 * The cursor is con->vt.row, con->vt.col; colours con->vt.fg, con->vt.bg. */
void fbcon_putc(struct fbcon *con, uint32_t cp);
/* Move the cursor (clamped to the grid). */
void fbcon_goto(struct fbcon *con, unsigned row, unsigned col);
void fbcon_set_colors(struct fbcon *con, uint8_t fg, uint8_t bg);
/* Move every line up by one; the bottom line becomes blank. */
void fbcon_scroll_up(struct fbcon *con);
/* Blank the screen and home the cursor. */
void fbcon_clear(struct fbcon *con);
/* The cell at (row, col), which must be on the grid. */
struct fbcon_cell fbcon_cell_at(const struct fbcon *con, unsigned row, unsigned col);
