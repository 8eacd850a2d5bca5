/*
 * A terminal emulator core: a VT100/ANSI (ECMA-48) subset over a grid of
 * cells. Pure logic with no hardware and no locks, so the host tests
 * drive it (tests/unit/test_vt.c); drivers/video/fbcon.c puts it on the
 * screen and serializes calls. docs/console.md lists what is understood.
 *
 * Bytes go in through vt_write (UTF-8 and escape sequences); every cell
 * whose content changes is reported through ops->show, and answers to
 * queries (device status reports) through ops->reply.
 */
#pragma once

#include <kernel/types.h>

#define VT_TAB_WIDTH   8
#define VT_MAX_PARAMS  16
#define VT_PARAM_MAX   9999            /* parameters saturate here */

/* vt_cell.attr */
#define VT_ATTR_BOLD      0x1
#define VT_ATTR_UNDERLINE 0x2
#define VT_ATTR_REVERSE   0x4

/* Colours are indices into the 16-colour VGA/ANSI palette (0 black ... 7
 * light grey, 8 dark grey ... 15 white; VGA order, so ANSI red is 4). */
#define VT_DEFAULT_FG  7
#define VT_DEFAULT_BG  0

struct vt_cell {
	uint32_t ch;                    /* Unicode code point; ' ' when blank */
	uint8_t fg, bg;                 /* palette indices as set (bold not applied) */
	uint8_t attr;                   /* VT_ATTR_* */
};

struct vt_ops {
	/* Cell (row, col) now holds something else: draw it. */
	void (*show)(void *ctx, unsigned row, unsigned col);
	/* Bytes the terminal sends back to the host (a report). May be NULL. */
	void (*reply)(void *ctx, const char *s, size_t n);
};

/* What DECSC / CSI s saves. */
struct vt_cursor {
	unsigned row, col;
	uint8_t fg, bg, attr;
};

struct vt {
	/* Fixed by vt_init. */
	unsigned rows, cols;
	struct vt_cell *cells;          /* rows * cols, row-major */
	struct vt_cell *alt_save;       /* rows * cols or NULL: the main screen while the alternate one shows */
	const struct vt_ops *ops;
	void *ctx;

	/* The terminal's state. */
	unsigned row, col;              /* cursor; col == cols: a wrap is pending */
	uint8_t fg, bg, attr;           /* for new characters and erases */
	unsigned top, bottom;           /* scrolling region, inclusive rows */
	bool cursor_visible;            /* DECTCEM */
	bool autowrap;                  /* DECAWM */
	bool insert;                    /* IRM */
	bool app_cursor_keys;           /* DECCKM: the keyboard sends ESC O A for up */
	bool alt_active;                /* the alternate screen is shown */
	struct vt_cursor saved;         /* DECSC / CSI s */
	struct vt_cursor alt_cursor;    /* saved by CSI ? 1049 h */

	/* The parser (vt.c). */
	uint8_t state;
	uint8_t marker;                 /* private marker of a CSI: '?', '>', ... or 0 */
	uint8_t intermediate;           /* the last intermediate byte, 0 if none */
	unsigned nparams;
	unsigned params[VT_MAX_PARAMS];
	uint32_t utf8_cp;
	unsigned utf8_left;             /* continuation bytes still expected */
};

/* Set up vt on caller-provided cells (rows * cols each; alt_save may be
 * NULL: the alternate screen then only clears). Blanks the grid without
 * calling show. */
void vt_init(struct vt *vt, unsigned rows, unsigned cols, struct vt_cell *cells,
	     struct vt_cell *alt_save, const struct vt_ops *ops, void *ctx);

/* Interpret bytes as a terminal would. Any byte sequence is accepted. */
void vt_write(struct vt *vt, const char *s, size_t len);

/* Reset to the power-on state (ESC c): blank screen, default attributes,
 * full scrolling region, cursor home and shown. */
void vt_reset(struct vt *vt);

/* The grid operations the parser uses, for direct callers (kernel tests). */
void vt_putc(struct vt *vt, uint32_t cp);       /* a code point or C0 control */
void vt_goto(struct vt *vt, unsigned row, unsigned col);        /* clamped */
void vt_scroll_up(struct vt *vt, unsigned top, unsigned bottom, unsigned n);
void vt_scroll_down(struct vt *vt, unsigned top, unsigned bottom, unsigned n);
void vt_clear(struct vt *vt);                   /* blank all, cursor home */

static inline struct vt_cell *vt_cell_ptr(const struct vt *vt, unsigned row, unsigned col)
{
	return &vt->cells[(size_t)row * vt->cols + col];
}
