/*
 * The framebuffer console: what is written shows up as the font's glyph
 * pixels in the right cell and colours, control characters move the cursor
 * as a terminal's would, and scrolling moves the grid and the screen up.
 * Skipped when the loader gave no framebuffer.
 *
 * Checks run with the console locked, so a printk cannot move things in
 * between; KT_EXPECT prints, so verdicts are taken after unlocking.
 */
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <drivers/video/fbcon.h>
#include <drivers/video/font.h>
#include <mm/slab.h>

struct saved_state {
	unsigned long flags;
	unsigned row, col;
	uint8_t fg, bg;
};

static struct fbcon *lock_console(struct ktest *t, struct saved_state *st)
{
	struct fbcon *con = fbcon_get();

	if (!con) {
		ktest_skip(t, "no framebuffer console");
		return NULL;
	}
	st->flags = fbcon_lock(con);
	st->row = con->vt.row;
	st->col = con->vt.col;
	st->fg = con->vt.fg;
	st->bg = con->vt.bg;
	return con;
}

static void unlock_console(struct fbcon *con, struct saved_state *st)
{
	fbcon_set_colors(con, st->fg, st->bg);
	con->vt.row = st->row;
	con->vt.col = st->col;
	fbcon_unlock(con, st->flags);
}

/* How many pixels of cell (row, col) differ from code point ch drawn in
 * colours fg on bg; for VGA text, whether the text cell differs. */
static unsigned cell_mismatches(struct fbcon *con, unsigned row, unsigned col,
				uint32_t ch, uint8_t fg, uint8_t bg)
{
	const struct font *font = con->font;

	if (!font) {
		const volatile uint16_t *vga = (const volatile uint16_t *)con->surface.base;
		uint16_t want = (uint16_t)((bg << 4 | fg) << 8 | (ch < 0x80 ? ch : '?'));
		return vga[row * (con->surface.pitch / 2) + col] != want;
	}

	const uint8_t *bits = font_glyph(font, font_glyph_index(font, ch));
	unsigned bad = 0;
	for (uint32_t y = 0; y < font->height; y++) {
		for (uint32_t x = 0; x < font->width; x++) {
			bool set = bits[y * font->bytes_per_row + x / 8] & (0x80 >> (x % 8));
			uint32_t want = con->palette[set ? fg : bg];
			uint32_t got = fb_get_pixel(&con->surface, col * font->width + x,
						    row * font->height + y);
			bad += got != want;
		}
	}
	return bad;
}

/* A cell away from the cursor, so drawing the cursor does not touch it. */
static unsigned test_row(const struct fbcon *con)
{
	return (con->vt.row + con->rows / 2) % con->rows;
}

static void test_glyph_drawn_in_cell(struct ktest *t)
{
	struct saved_state st;
	struct fbcon *con = lock_console(t, &st);
	if (!con)
		return;

	unsigned row = test_row(con), col = con->cols / 2;
	fbcon_goto(con, row, col);
	fbcon_set_colors(con, FBCON_YELLOW, FBCON_BLUE);
	fbcon_putc(con, 'A');
	struct fbcon_cell c = fbcon_cell_at(con, row, col);
	unsigned bad = cell_mismatches(con, row, col, 'A', FBCON_YELLOW, FBCON_BLUE);
	/* The same glyph in other colours must not match: the check can fail. */
	unsigned bad_other = cell_mismatches(con, row, col, 'A', FBCON_LIGHT_GREY, FBCON_BLACK);
	unsigned bad_other_ch = cell_mismatches(con, row, col, 'B', FBCON_YELLOW, FBCON_BLUE);
	unsigned col_after = con->vt.col;
	unlock_console(con, &st);

	KT_EXPECT_EQ(t, c.ch, 'A');
	KT_EXPECT_EQ(t, c.fg, FBCON_YELLOW);
	KT_EXPECT_EQ(t, c.bg, FBCON_BLUE);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_NE(t, bad_other, 0);
	KT_EXPECT_NE(t, bad_other_ch, 0);
	KT_EXPECT_EQ(t, col_after, col + 1);
}

static void test_utf8_write_path(struct ktest *t)
{
	struct saved_state st;
	struct fbcon *con = lock_console(t, &st);
	if (!con)
		return;
	unsigned row = test_row(con);
	fbcon_goto(con, row, 0);
	fbcon_unlock(con, st.flags);

	/* U+00E9 (e acute) in UTF-8, then a stray continuation byte. */
	fbcon_write(con, "\xc3\xa9\x80z", 4);

	st.flags = fbcon_lock(con);
	struct fbcon_cell c0 = fbcon_cell_at(con, row, 0);
	struct fbcon_cell c1 = fbcon_cell_at(con, row, 1);
	struct fbcon_cell c2 = fbcon_cell_at(con, row, 2);
	unsigned bad = cell_mismatches(con, row, 0, 0xe9, c0.fg, c0.bg);
	unlock_console(con, &st);

	KT_EXPECT_EQ(t, c0.ch, 0xe9);
	KT_EXPECT_EQ(t, c1.ch, 0xfffd);
	KT_EXPECT_EQ(t, c2.ch, 'z');
	KT_EXPECT_EQ(t, bad, 0);
}

static void test_control_characters(struct ktest *t)
{
	struct saved_state st;
	struct fbcon *con = lock_console(t, &st);
	if (!con)
		return;
	unsigned row = test_row(con) % (con->rows - 1);     /* a line below it */
	unsigned tab_col, bs_col, cr_col, wrap_pending_col, wrap_row, wrap_col, lf_row;

	fbcon_goto(con, row, 3);
	fbcon_putc(con, '\t');
	tab_col = con->vt.col;
	fbcon_putc(con, '\b');
	bs_col = con->vt.col;
	fbcon_putc(con, '\r');
	cr_col = con->vt.col;
	fbcon_goto(con, row, con->cols - 1);
	fbcon_putc(con, 'x');
	wrap_pending_col = con->vt.col;
	fbcon_putc(con, 'y');
	wrap_row = con->vt.row;
	wrap_col = con->vt.col;
	struct fbcon_cell y = fbcon_cell_at(con, row + 1, 0);
	fbcon_putc(con, '\n');
	lf_row = con->vt.row;
	unsigned rows = con->rows, cols = con->cols;
	unlock_console(con, &st);

	KT_EXPECT_EQ(t, tab_col, FBCON_TAB_WIDTH);
	KT_EXPECT_EQ(t, bs_col, FBCON_TAB_WIDTH - 1);
	KT_EXPECT_EQ(t, cr_col, 0);
	KT_EXPECT_EQ(t, wrap_pending_col, cols);        /* stays on the line... */
	KT_EXPECT_EQ(t, wrap_row, row + 1);             /* ...until the next character */
	KT_EXPECT_EQ(t, wrap_col, 1);
	KT_EXPECT_EQ(t, y.ch, 'y');
	KT_EXPECT_EQ(t, lf_row, MIN(row + 2, rows - 1));
}

static void test_scroll_moves_grid_up(struct ktest *t)
{
	struct saved_state st;
	struct fbcon *con = fbcon_get();
	if (!con) {
		ktest_skip(t, "no framebuffer console");
		return;
	}
	size_t ncells = (size_t)con->rows * con->cols;
	struct fbcon_cell *before = kmalloc(ncells * sizeof(*before));
	KT_ASSERT(t, before);

	if (!lock_console(t, &st)) {
		kfree(before);
		return;
	}
	unsigned last = con->rows - 1;
	fbcon_goto(con, last, 0);
	fbcon_set_colors(con, FBCON_LIGHT_GREEN, FBCON_RED);
	fbcon_putc(con, 'S');
	fbcon_set_colors(con, st.fg, st.bg);
	memcpy(before, con->vt.cells, ncells * sizeof(*before));

	fbcon_putc(con, '\n');          /* line feed on the last line scrolls */

	unsigned moved_wrong = 0, blank_wrong = 0;
	for (unsigned r = 0; r < last; r++)
		for (unsigned c = 0; c < con->cols; c++) {
			struct fbcon_cell now = fbcon_cell_at(con, r, c);
			struct fbcon_cell was = before[(r + 1) * con->cols + c];
			moved_wrong += now.ch != was.ch || now.fg != was.fg || now.bg != was.bg;
		}
	for (unsigned c = 0; c < con->cols; c++)
		blank_wrong += fbcon_cell_at(con, last, c).ch != ' ';
	/* The screen follows the grid: the S is drawn one line up, and the
	 * bottom line is background where it was. */
	unsigned bad_moved = cell_mismatches(con, last - 1, 0, 'S', FBCON_LIGHT_GREEN, FBCON_RED);
	unsigned bad_blank = cell_mismatches(con, last, 0, ' ', st.fg, st.bg);
	unsigned row_after = con->vt.row;
	unlock_console(con, &st);
	kfree(before);

	KT_EXPECT_EQ(t, row_after, last);
	KT_EXPECT_EQ(t, moved_wrong, 0);
	KT_EXPECT_EQ(t, blank_wrong, 0);
	KT_EXPECT_EQ(t, bad_moved, 0);
	KT_EXPECT_EQ(t, bad_blank, 0);
}

/* Escape sequences through the write path reach the pixels: bold
 * brightens, reverse swaps, underline fills the cell's last pixel row. */
static void test_sgr_drawn(struct ktest *t)
{
	struct saved_state st;
	struct fbcon *con = lock_console(t, &st);
	if (!con)
		return;
	unsigned row = test_row(con);
	fbcon_unlock(con, st.flags);

	char seq[64];
	int n = snprintf(seq, sizeof(seq), "\033[%u;1H\033[1;31;44mB\033[22;7mR\033[0;4mU\033[0m",
			 row + 1);
	fbcon_write(con, seq, (size_t)n);

	st.flags = fbcon_lock(con);
	struct fbcon_cell b = fbcon_cell_at(con, row, 0), u = fbcon_cell_at(con, row, 2);
	unsigned bad_bold = cell_mismatches(con, row, 0, 'B', FBCON_LIGHT_RED, FBCON_BLUE);
	unsigned bad_reverse = cell_mismatches(con, row, 1, 'R', FBCON_BLUE, FBCON_RED);
	unsigned underline_off = 0;
	if (con->font) {
		const struct font *font = con->font;
		uint32_t fg = con->palette[FBCON_LIGHT_GREY];
		for (uint32_t x = 0; x < font->width; x++)
			underline_off += fb_get_pixel(&con->surface, 2 * font->width + x,
						      (row + 1) * font->height - 1) != fg;
	}
	unsigned col_after = con->vt.col;
	unlock_console(con, &st);

	KT_EXPECT_EQ(t, b.attr, VT_ATTR_BOLD);
	KT_EXPECT_EQ(t, b.fg, FBCON_RED);               /* stored as set; drawn bright */
	KT_EXPECT_EQ(t, u.attr, VT_ATTR_UNDERLINE);
	KT_EXPECT_EQ(t, bad_bold, 0);
	KT_EXPECT_EQ(t, bad_reverse, 0);
	KT_EXPECT_EQ(t, underline_off, 0);
	KT_EXPECT_EQ(t, col_after, 3);
}

static const struct ktest_case fbcon_cases[] = {
	KTEST_CASE(test_glyph_drawn_in_cell),
	KTEST_CASE(test_utf8_write_path),
	KTEST_CASE(test_control_characters),
	KTEST_CASE(test_scroll_moves_grid_up),
	KTEST_CASE(test_sgr_drawn),
	{},
};
KTEST_SUITE(fbcon, fbcon_cases);
