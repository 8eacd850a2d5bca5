/*
 * Host tests of drivers/video/vt.c, the framebuffer console's terminal:
 * each sequence busybox vi, less, top and ash use is written into a small
 * grid and the resulting text, attributes, cursor and reports are checked;
 * then random byte streams (and random well-formed sequences with extreme
 * parameters) run on a grid with guard cells on both sides, which must
 * stay untouched, with the cursor and region always on the grid.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <drivers/video/vt.h>

#define ROWS 6
#define COLS 10
#define GUARD 64

struct term {
	struct vt vt;
	struct vt_cell mem[GUARD + ROWS * COLS + GUARD];
	struct vt_cell alt[ROWS * COLS];
	unsigned shows;                 /* ops->show calls */
	bool show_out_of_grid;
	char reply[256];
	size_t reply_len;
};

static void show(void *ctx, unsigned row, unsigned col)
{
	struct term *t = ctx;
	t->shows++;
	if (row >= t->vt.rows || col >= t->vt.cols)
		t->show_out_of_grid = true;
}

static void reply(void *ctx, const char *s, size_t n)
{
	struct term *t = ctx;
	if (t->reply_len + n <= sizeof(t->reply)) {
		memcpy(t->reply + t->reply_len, s, n);
		t->reply_len += n;
	}
}

static const struct vt_ops ops = { .show = show, .reply = reply };
static const struct vt_cell guard_cell = { .ch = 0xdead, .fg = 0xee, .bg = 0xee, .attr = 0xee };

static struct term *term_new(void)
{
	struct term *t = calloc(1, sizeof(*t));
	for (unsigned i = 0; i < GUARD; i++)
		t->mem[i] = t->mem[GUARD + ROWS * COLS + i] = guard_cell;
	vt_init(&t->vt, ROWS, COLS, t->mem + GUARD, t->alt, &ops, t);
	return t;
}

static void put(struct term *t, const char *s)
{
	vt_write(&t->vt, s, strlen(s));
}

/* Row r as text, trailing blanks kept (exactly COLS characters; '?' for
 * anything outside ASCII). */
static const char *row_text(struct term *t, unsigned r)
{
	static char buf[COLS + 1];
	for (unsigned c = 0; c < COLS; c++) {
		uint32_t ch = vt_cell_ptr(&t->vt, r, c)->ch;
		buf[c] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	buf[COLS] = 0;
	return buf;
}

static struct vt_cell cell(struct term *t, unsigned r, unsigned c)
{
	return *vt_cell_ptr(&t->vt, r, c);
}

static void expect_cursor(struct term *t, unsigned row, unsigned col)
{
	assert_int_equal(t->vt.row, row);
	assert_int_equal(t->vt.col, col);
}

static void test_text_and_wrap(void **state)
{
	struct term *t = term_new();
	put(t, "hello\r\nworld");
	assert_string_equal(row_text(t, 0), "hello     ");
	assert_string_equal(row_text(t, 1), "world     ");
	expect_cursor(t, 1, 5);
	put(t, "\r\n0123456789");
	expect_cursor(t, 2, 10);        /* wrap pending, still on the line */
	put(t, "X");
	assert_string_equal(row_text(t, 2), "0123456789");
	assert_string_equal(row_text(t, 3), "X         ");
	put(t, "\b\b\bY\tZ");
	assert_string_equal(row_text(t, 3), "Y       Z ");
	put(t, "\a\x01\x7f");           /* BEL, other C0, DEL: nothing shown */
	expect_cursor(t, 3, 9);
	assert_true(t->shows > 0);
	free(t);
}

static void test_utf8(void **state)
{
	struct term *t = term_new();
	put(t, "\xc3\xa9\x80z\xe2\x94\x80");
	assert_int_equal(cell(t, 0, 0).ch, 0xe9);
	assert_int_equal(cell(t, 0, 1).ch, 0xfffd);
	assert_int_equal(cell(t, 0, 2).ch, 'z');
	assert_int_equal(cell(t, 0, 3).ch, 0x2500);
	put(t, "\xe2\x94\033[1;1Hq");   /* a sequence cut by ESC */
	assert_int_equal(cell(t, 0, 4).ch, 0xfffd);
	assert_int_equal(cell(t, 0, 0).ch, 'q');
	free(t);
}

static void test_scroll_at_bottom(void **state)
{
	struct term *t = term_new();
	put(t, "a\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng");
	assert_string_equal(row_text(t, 0), "b         ");
	assert_string_equal(row_text(t, 5), "g         ");
	expect_cursor(t, 5, 1);
	free(t);
}

static void test_cursor_motion(void **state)
{
	struct term *t = term_new();
	put(t, "\033[3;4H");
	expect_cursor(t, 2, 3);
	put(t, "\033[A");
	expect_cursor(t, 1, 3);
	put(t, "\033[2B");
	expect_cursor(t, 3, 3);
	put(t, "\033[5C");
	expect_cursor(t, 3, 8);
	put(t, "\033[99C");
	expect_cursor(t, 3, 9);
	put(t, "\033[3D");
	expect_cursor(t, 3, 6);
	put(t, "\033[99A");
	expect_cursor(t, 0, 6);
	put(t, "\033[99;99f");
	expect_cursor(t, 5, 9);
	put(t, "\033[H");
	expect_cursor(t, 0, 0);
	put(t, "\033[4G");
	expect_cursor(t, 0, 3);
	put(t, "\033[5d");
	expect_cursor(t, 4, 3);
	put(t, "\033[0;0H");            /* 0 means 1 */
	expect_cursor(t, 0, 0);
	put(t, "\033[;7H");             /* empty first parameter */
	expect_cursor(t, 0, 6);
	put(t, "\033[2E");
	expect_cursor(t, 2, 0);
	free(t);
}

static void fill_rows(struct term *t)
{
	put(t, "\033[H" "AAAAAAAAAA" "BBBBBBBBBB" "CCCCCCCCCC" "DDDDDDDDDD" "EEEEEEEEEE" "FFFFFFFFF");
}

static void test_erase(void **state)
{
	struct term *t = term_new();
	fill_rows(t);
	put(t, "\033[2;4H\033[K");
	assert_string_equal(row_text(t, 1), "BBB       ");
	put(t, "\033[3;4H\033[1K");
	assert_string_equal(row_text(t, 2), "    CCCCCC");
	put(t, "\033[4;4H\033[2K");
	assert_string_equal(row_text(t, 3), "          ");
	expect_cursor(t, 3, 3);
	put(t, "\033[5;3H\033[J");
	assert_string_equal(row_text(t, 4), "EE        ");
	assert_string_equal(row_text(t, 5), "          ");
	assert_string_equal(row_text(t, 0), "AAAAAAAAAA");
	put(t, "\033[1;5H\033[1J");
	assert_string_equal(row_text(t, 0), "     AAAAA");
	put(t, "\033[2J");
	for (unsigned r = 0; r < ROWS; r++)
		assert_string_equal(row_text(t, r), "          ");
	expect_cursor(t, 0, 4);         /* ED does not move the cursor */
	free(t);
}

static void test_erase_uses_background(void **state)
{
	struct term *t = term_new();
	put(t, "\033[44m\033[2J\033[0m");
	assert_int_equal(cell(t, 3, 3).bg, 1);     /* ANSI blue is VGA 1 */
	assert_int_equal(cell(t, 3, 3).ch, ' ');
	free(t);
}

static void test_sgr(void **state)
{
	struct term *t = term_new();
	put(t, "\033[1;4;7;31;42mA\033[22;24;27mB\033[39;49mC\033[93;104mD\033[mE");
	struct vt_cell a = cell(t, 0, 0), b = cell(t, 0, 1), c = cell(t, 0, 2);
	struct vt_cell d = cell(t, 0, 3), e = cell(t, 0, 4);
	assert_int_equal(a.attr, VT_ATTR_BOLD | VT_ATTR_UNDERLINE | VT_ATTR_REVERSE);
	assert_int_equal(a.fg, 4);      /* red */
	assert_int_equal(a.bg, 2);      /* green */
	assert_int_equal(b.attr, 0);
	assert_int_equal(b.fg, 4);
	assert_int_equal(c.fg, VT_DEFAULT_FG);
	assert_int_equal(c.bg, VT_DEFAULT_BG);
	assert_int_equal(d.fg, 14);     /* bright yellow */
	assert_int_equal(d.bg, 9);      /* bright blue */
	assert_int_equal(e.fg, VT_DEFAULT_FG);
	assert_int_equal(e.attr, 0);
	/* 38;5;n and 38;2;r;g;b do not leak their arguments as attributes. */
	put(t, "\033[38;5;1;4mF\033[0;38;2;1;4;7mG\033[38;5;200mH");
	assert_int_equal(cell(t, 0, 5).fg, 4);
	assert_int_equal(cell(t, 0, 5).attr, VT_ATTR_UNDERLINE);
	assert_int_equal(cell(t, 0, 6).attr, 0);
	assert_int_equal(cell(t, 0, 7).ch, 'H');
	free(t);
}

static void test_scroll_region(void **state)
{
	struct term *t = term_new();
	fill_rows(t);
	put(t, "\033[2;4r");
	expect_cursor(t, 0, 0);         /* DECSTBM homes the cursor */
	put(t, "\033[4;1H\n");          /* LF on the region's bottom line */
	assert_string_equal(row_text(t, 0), "AAAAAAAAAA");
	assert_string_equal(row_text(t, 1), "CCCCCCCCCC");
	assert_string_equal(row_text(t, 2), "DDDDDDDDDD");
	assert_string_equal(row_text(t, 3), "          ");
	assert_string_equal(row_text(t, 4), "EEEEEEEEEE");
	put(t, "\033[2;1H\033M");       /* reverse index on the top line */
	assert_string_equal(row_text(t, 1), "          ");
	assert_string_equal(row_text(t, 2), "CCCCCCCCCC");
	assert_string_equal(row_text(t, 3), "DDDDDDDDDD");
	assert_string_equal(row_text(t, 4), "EEEEEEEEEE");
	put(t, "\033[3;1H\033[99A");    /* CUU stops at the top margin */
	expect_cursor(t, 1, 0);
	put(t, "\033[r\033[6;1H\033D"); /* reset region; IND at the bottom */
	assert_string_equal(row_text(t, 0), "          ");
	assert_string_equal(row_text(t, 5), "          ");
	put(t, "\033[5;3r");            /* top >= bottom: ignored */
	assert_int_equal(t->vt.top, 0);
	assert_int_equal(t->vt.bottom, ROWS - 1);
	put(t, "\033[3;1Hx\033Ey");
	expect_cursor(t, 3, 1);
	free(t);
}

static void test_insert_delete_lines(void **state)
{
	struct term *t = term_new();
	fill_rows(t);
	put(t, "\033[2;5r\033[3;4H\033[L");
	assert_string_equal(row_text(t, 2), "          ");
	assert_string_equal(row_text(t, 3), "CCCCCCCCCC");
	assert_string_equal(row_text(t, 4), "DDDDDDDDDD");
	assert_string_equal(row_text(t, 5), "FFFFFFFFF ");     /* outside the region */
	expect_cursor(t, 2, 0);
	put(t, "\033[2M");
	assert_string_equal(row_text(t, 2), "DDDDDDDDDD");
	assert_string_equal(row_text(t, 3), "          ");
	assert_string_equal(row_text(t, 4), "          ");
	assert_string_equal(row_text(t, 1), "BBBBBBBBBB");
	put(t, "\033[6;1H\033[L");     /* outside the region: nothing */
	assert_string_equal(row_text(t, 5), "FFFFFFFFF ");
	put(t, "\033[r\033[S");
	assert_string_equal(row_text(t, 0), "BBBBBBBBBB");
	put(t, "\033[T");
	assert_string_equal(row_text(t, 0), "          ");
	assert_string_equal(row_text(t, 1), "BBBBBBBBBB");
	free(t);
}

static void test_insert_delete_chars(void **state)
{
	struct term *t = term_new();
	put(t, "abcdefghij\033[1;3H\033[2@");
	assert_string_equal(row_text(t, 0), "ab  cdefgh");
	put(t, "\033[3P");
	assert_string_equal(row_text(t, 0), "abdefgh   ");
	put(t, "\033[2X");
	assert_string_equal(row_text(t, 0), "ab  fgh   ");
	expect_cursor(t, 0, 2);
	put(t, "\033[99P");
	assert_string_equal(row_text(t, 0), "ab        ");
	put(t, "\033[4hXY\033[4l");     /* insert mode */
	put(t, "\033[1;1HQ");
	assert_string_equal(row_text(t, 0), "QbXY      ");
	put(t, "\033[1;1H12345\033[1;2H\033[4hZ");
	assert_string_equal(row_text(t, 0), "1Z2345    ");
	free(t);
}

static void test_save_restore(void **state)
{
	struct term *t = term_new();
	put(t, "\033[3;5H\033[1;31m\0337\033[H\033[0m\0338X");
	expect_cursor(t, 2, 5);
	assert_int_equal(cell(t, 2, 4).fg, 4);
	assert_int_equal(cell(t, 2, 4).attr, VT_ATTR_BOLD);
	put(t, "\033[0m\033[2;2H\033[s\033[5;5H\033[uY");
	assert_int_equal(cell(t, 1, 1).ch, 'Y');
	free(t);
}

static void test_modes_and_alt_screen(void **state)
{
	struct term *t = term_new();
	put(t, "\033[?1h");
	assert_true(t->vt.app_cursor_keys);
	put(t, "\033[?1l");
	assert_false(t->vt.app_cursor_keys);
	put(t, "\033[?25l");
	assert_false(t->vt.cursor_visible);
	put(t, "\033[?25h");
	assert_true(t->vt.cursor_visible);
	put(t, "main\033[2;3H\033[?1049h");
	assert_true(t->vt.alt_active);
	assert_string_equal(row_text(t, 0), "          ");
	put(t, "\033[Halt");
	assert_string_equal(row_text(t, 0), "alt       ");
	put(t, "\033[?1049l");
	assert_false(t->vt.alt_active);
	assert_string_equal(row_text(t, 0), "main      ");
	expect_cursor(t, 1, 2);
	put(t, "\033[?47hzz\033[?47l");
	assert_string_equal(row_text(t, 0), "main      ");
	/* No autowrap: the last column is overwritten. */
	put(t, "\033[?7l\033[4;1H0123456789ab\033[?7h");
	assert_string_equal(row_text(t, 3), "012345678b");
	assert_string_equal(row_text(t, 4), "          ");
	free(t);
}

static void test_reports(void **state)
{
	struct term *t = term_new();
	put(t, "\033[4;7H\033[6n");
	assert_int_equal(t->reply_len, 6);
	assert_memory_equal(t->reply, "\033[4;7R", 6);
	t->reply_len = 0;
	put(t, "\033[5n\033[c\033[?6n\033[>c");
	assert_int_equal(t->reply_len, 4 + 5);
	assert_memory_equal(t->reply, "\033[0n\033[?6c", 9);
	t->reply_len = 0;
	put(t, "\033[999;999H\033[6n");  /* how busybox asks the size */
	assert_memory_equal(t->reply, "\033[6;10R", 7);
	free(t);
}

static void test_unknown_sequences_ignored(void **state)
{
	struct term *t = term_new();
	/* OSC title (BEL and ST), DCS, charset, keypad, unknown CSI, a
	 * private CSI, sub-parameters, too many parameters, CAN. */
	put(t, "\033]0;title\007a\033]2;x\033\\b\033Pq#0\033\\c\033(0\033)Bd\033=\033>e"
	       "\033[5zf\033[>1;2mg\033[1:2mh"
	       "\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20mi"
	       "\033[1\030j\033[ qk\033#8l");
	assert_string_equal(row_text(t, 0), "abcdefghij");
	assert_string_equal(row_text(t, 1), "kl        ");
	assert_int_equal(cell(t, 0, 8).attr, 0);
	/* C0 controls act inside a sequence. */
	put(t, "\033[2;1H\033[\r2CZ");
	assert_string_equal(row_text(t, 1), "klZ       ");
	free(t);
}

static void test_reset(void **state)
{
	struct term *t = term_new();
	put(t, "xyz\033[2;4r\033[?25l\033[31m\033c");
	assert_string_equal(row_text(t, 0), "          ");
	assert_true(t->vt.cursor_visible);
	assert_int_equal(t->vt.top, 0);
	assert_int_equal(t->vt.bottom, ROWS - 1);
	assert_int_equal(t->vt.fg, VT_DEFAULT_FG);
	expect_cursor(t, 0, 0);
	free(t);
}

static void check_invariants(struct term *t)
{
	for (unsigned i = 0; i < GUARD; i++) {
		assert_memory_equal(&t->mem[i], &guard_cell, sizeof(guard_cell));
		assert_memory_equal(&t->mem[GUARD + ROWS * COLS + i], &guard_cell, sizeof(guard_cell));
	}
	assert_true(t->vt.row < ROWS);
	assert_true(t->vt.col <= COLS);
	assert_true(t->vt.top <= t->vt.bottom && t->vt.bottom < ROWS);
	assert_true(t->vt.nparams <= VT_MAX_PARAMS);
	assert_false(t->show_out_of_grid);
	for (unsigned i = 0; i < ROWS * COLS; i++)
		assert_true(t->mem[GUARD + i].fg < 16 && t->mem[GUARD + i].bg < 16);
}

/* Random bytes, biased towards ESC, '[', digits, ';' and finals so that
 * most of them form (odd) sequences. */
static void test_fuzz_random_bytes(void **state)
{
	static const char bias[] = "\033\033\033[[[;;;??0123456789ABCDEFGHJKLMPXSTdfhlmnrsu@`c78\r\n\b\t";
	srand(12345);
	for (int run = 0; run < 200; run++) {
		struct term *t = term_new();
		char buf[512];
		for (int chunk = 0; chunk < 40; chunk++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = rand() % 3 ? bias[rand() % (sizeof(bias) - 1)] : (char)rand();
			vt_write(&t->vt, buf, sizeof(buf));
			check_invariants(t);
		}
		free(t);
	}
}

/* Well-formed sequences with parameters at the edges (0, 1, the grid's
 * size, huge), in every final. */
static void test_fuzz_sequences(void **state)
{
	static const char finals[] = "ABCDEFGHJKLMPXSTadefhlmnrsu@`c";
	static const unsigned values[] = { 0, 1, 2, ROWS - 1, ROWS, COLS, COLS + 1, 47, 1049,
					   25, 9999, 99999999 };
	srand(777);
	for (int run = 0; run < 300; run++) {
		struct term *t = term_new();
		for (int k = 0; k < 300; k++) {
			char seq[128];
			int n = snprintf(seq, sizeof(seq), "\033[%s", rand() % 4 ? "" : "?");
			int np = rand() % 4;
			for (int i = 0; i < np; i++)
				n += snprintf(seq + n, sizeof(seq) - n, "%s%u", i ? ";" : "",
					      values[rand() % (sizeof(values) / sizeof(values[0]))]);
			n += snprintf(seq + n, sizeof(seq) - n, "%c", finals[rand() % (sizeof(finals) - 1)]);
			if (rand() % 3 == 0)
				n += snprintf(seq + n, sizeof(seq) - n, "x\xc3\xa9\n");
			vt_write(&t->vt, seq, (size_t)n);
			check_invariants(t);
		}
		free(t);
	}
}

/* Degenerate grids (one row, one column, one cell): the same streams
 * never touch a cell past rows * cols. */
static void test_fuzz_tiny_grids(void **state)
{
	static const unsigned dims[][2] = { { 1, 1 }, { 1, COLS }, { ROWS, 1 }, { 2, 2 } };
	srand(4242);
	for (unsigned d = 0; d < sizeof(dims) / sizeof(dims[0]); d++) {
		struct term *t = calloc(1, sizeof(*t));
		unsigned rows = dims[d][0], cols = dims[d][1];
		for (unsigned i = 0; i < sizeof(t->mem) / sizeof(t->mem[0]); i++)
			t->mem[i] = guard_cell;
		vt_init(&t->vt, rows, cols, t->mem + GUARD, t->alt, &ops, t);
		for (int k = 0; k < 20000; k++) {
			char seq[32];
			int n = snprintf(seq, sizeof(seq), "\033[%s%u;%u%c%c", rand() % 3 ? "" : "?",
					 (unsigned)rand() % 4, (unsigned)rand() % 4,
					 "ABCDEFGHJKLMPXSTdfhlmnrsu@`c"[rand() % 28],
					 "x\n\t\b\r\033M"[rand() % 7]);
			vt_write(&t->vt, seq, (size_t)n);
			assert_true(t->vt.row < rows && t->vt.col <= cols);
			assert_true(t->vt.top <= t->vt.bottom && t->vt.bottom < rows);
		}
		for (unsigned i = rows * cols; i < sizeof(t->mem) / sizeof(t->mem[0]) - GUARD; i++)
			assert_memory_equal(&t->mem[GUARD + i], &guard_cell, sizeof(guard_cell));
		for (unsigned i = 0; i < GUARD; i++)
			assert_memory_equal(&t->mem[i], &guard_cell, sizeof(guard_cell));
		assert_false(t->show_out_of_grid);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_wrap),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_scroll_at_bottom),
		cmocka_unit_test(test_cursor_motion),
		cmocka_unit_test(test_erase),
		cmocka_unit_test(test_erase_uses_background),
		cmocka_unit_test(test_sgr),
		cmocka_unit_test(test_scroll_region),
		cmocka_unit_test(test_insert_delete_lines),
		cmocka_unit_test(test_insert_delete_chars),
		cmocka_unit_test(test_save_restore),
		cmocka_unit_test(test_modes_and_alt_screen),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_unknown_sequences_ignored),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_fuzz_random_bytes),
		cmocka_unit_test(test_fuzz_sequences),
		cmocka_unit_test(test_fuzz_tiny_grids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
