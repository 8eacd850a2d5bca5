/*
 * The terminal emulator core (vt.h): a byte-level parser after the
 * ECMA-48 / DEC VT100 state diagram (ground, escape, CSI entry, parameter,
 * intermediate and ignore states, control strings), and the grid edits the
 * sequences ask for. Every index into the grid is clamped before use, so
 * no byte stream can move the cursor off the grid.
 */
#include <drivers/video/vt.h>
#include <kernel/string.h>

#define REPLACEMENT_CHAR 0xfffd

enum {
	ST_GROUND,
	ST_ESCAPE,
	ST_ESCAPE_INTERMEDIATE,
	ST_CSI_ENTRY,
	ST_CSI_PARAM,
	ST_CSI_INTERMEDIATE,
	ST_CSI_IGNORE,
	ST_STRING,              /* OSC, DCS, SOS, PM, APC: skipped to BEL or ST */
	ST_STRING_ESC,          /* ESC inside a string: ST if '\' follows */
};

/* ---- the grid ---------------------------------------------------------- */

static struct vt_cell blank(const struct vt *vt)
{
	/* Erased cells take the current background (as the Linux console). */
	return (struct vt_cell){ .ch = ' ', .fg = vt->fg, .bg = vt->bg };
}

static void set_cell(struct vt *vt, unsigned row, unsigned col, struct vt_cell c)
{
	struct vt_cell *p = vt_cell_ptr(vt, row, col);

	if (p->ch == c.ch && p->fg == c.fg && p->bg == c.bg && p->attr == c.attr)
		return;         /* unchanged cells are not redrawn: scrolling stays cheap */
	*p = c;
	if (vt->ops && vt->ops->show)
		vt->ops->show(vt->ctx, row, col);
}

static void fill(struct vt *vt, unsigned row, unsigned from, unsigned to)
{
	struct vt_cell b = blank(vt);

	for (unsigned c = from; c < to && c < vt->cols; c++)
		set_cell(vt, row, c, b);
}

/* Lines top..bottom (inclusive) move up by n; n blank lines enter at the bottom. */
void vt_scroll_up(struct vt *vt, unsigned top, unsigned bottom, unsigned n)
{
	if (bottom >= vt->rows || top > bottom || n == 0)
		return;
	n = MIN(n, bottom - top + 1);
	for (unsigned r = top; r + n <= bottom; r++)
		for (unsigned c = 0; c < vt->cols; c++)
			set_cell(vt, r, c, *vt_cell_ptr(vt, r + n, c));
	for (unsigned r = bottom + 1 - n; r <= bottom; r++)
		fill(vt, r, 0, vt->cols);
}

void vt_scroll_down(struct vt *vt, unsigned top, unsigned bottom, unsigned n)
{
	if (bottom >= vt->rows || top > bottom || n == 0)
		return;
	n = MIN(n, bottom - top + 1);
	for (unsigned r = bottom; r >= top + n; r--)
		for (unsigned c = 0; c < vt->cols; c++)
			set_cell(vt, r, c, *vt_cell_ptr(vt, r - n, c));
	for (unsigned r = top; r < top + n; r++)
		fill(vt, r, 0, vt->cols);
}

static void line_feed(struct vt *vt)
{
	if (vt->row == vt->bottom)
		vt_scroll_up(vt, vt->top, vt->bottom, 1);
	else if (vt->row + 1 < vt->rows)
		vt->row++;
}

static void reverse_index(struct vt *vt)
{
	if (vt->row == vt->top)
		vt_scroll_down(vt, vt->top, vt->bottom, 1);
	else if (vt->row > 0)
		vt->row--;
}

/* The cursor's column for edits: a pending wrap counts as the last column. */
static unsigned edit_col(const struct vt *vt)
{
	return MIN(vt->col, vt->cols - 1);
}

static void insert_chars(struct vt *vt, unsigned n)
{
	unsigned col = edit_col(vt);

	n = MIN(n, vt->cols - col);
	if (n == 0)
		return;
	for (unsigned c = vt->cols - 1; c >= col + n; c--)
		set_cell(vt, vt->row, c, *vt_cell_ptr(vt, vt->row, c - n));
	fill(vt, vt->row, col, col + n);
	vt->col = col;
}

static void delete_chars(struct vt *vt, unsigned n)
{
	unsigned col = edit_col(vt);

	n = MIN(n, vt->cols - col);
	for (unsigned c = col; c + n < vt->cols; c++)
		set_cell(vt, vt->row, c, *vt_cell_ptr(vt, vt->row, c + n));
	fill(vt, vt->row, vt->cols - n, vt->cols);
	vt->col = col;
}

void vt_putc(struct vt *vt, uint32_t cp)
{
	switch (cp) {
	case '\a':
		return;                 /* no bell to ring */
	case '\b':
		vt->col = edit_col(vt);
		if (vt->col > 0)
			vt->col--;
		return;
	case '\t': {
		unsigned next = (edit_col(vt) / VT_TAB_WIDTH + 1) * VT_TAB_WIDTH;
		vt->col = MIN(next, vt->cols - 1);
		return;
	}
	case '\n':
	case '\v':
	case '\f':
		line_feed(vt);
		return;
	case '\r':
		vt->col = 0;
		return;
	}
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return;                 /* other C0 and C1 controls do nothing */
	if (vt->col >= vt->cols) {
		if (vt->autowrap) {
			vt->col = 0;
			line_feed(vt);
		} else {
			vt->col = vt->cols - 1;
		}
	}
	if (vt->insert)
		insert_chars(vt, 1);
	set_cell(vt, vt->row, vt->col,
		 (struct vt_cell){ .ch = cp, .fg = vt->fg, .bg = vt->bg, .attr = vt->attr });
	vt->col++;
}

void vt_goto(struct vt *vt, unsigned row, unsigned col)
{
	vt->row = MIN(row, vt->rows - 1);
	vt->col = MIN(col, vt->cols - 1);
}

void vt_clear(struct vt *vt)
{
	for (unsigned r = 0; r < vt->rows; r++)
		fill(vt, r, 0, vt->cols);
	vt->row = vt->col = 0;
}

static void save_cursor(const struct vt *vt, struct vt_cursor *s)
{
	*s = (struct vt_cursor){ .row = vt->row, .col = vt->col,
				 .fg = vt->fg, .bg = vt->bg, .attr = vt->attr };
}

static void restore_cursor(struct vt *vt, const struct vt_cursor *s)
{
	vt->row = MIN(s->row, vt->rows - 1);
	vt->col = MIN(s->col, vt->cols);
	vt->fg = s->fg & 15;
	vt->bg = s->bg & 15;
	vt->attr = s->attr;
}

/* The alternate screen: the main screen's cells are kept in alt_save and
 * written back (through set_cell, so only what differs is redrawn). */
static void alt_screen(struct vt *vt, bool on, bool cursor)
{
	size_t n = (size_t)vt->rows * vt->cols;

	if (on == vt->alt_active)
		return;
	if (on) {
		if (cursor)
			save_cursor(vt, &vt->alt_cursor);
		if (vt->alt_save)
			memcpy(vt->alt_save, vt->cells, n * sizeof(*vt->cells));
		vt->alt_active = true;
		uint8_t fg = vt->fg, bg = vt->bg;
		vt->fg = VT_DEFAULT_FG;
		vt->bg = VT_DEFAULT_BG;
		unsigned row = vt->row, col = vt->col;
		vt_clear(vt);
		vt->fg = fg;
		vt->bg = bg;
		vt->row = row;
		vt->col = col;
		return;
	}
	vt->alt_active = false;
	if (vt->alt_save) {
		for (unsigned r = 0; r < vt->rows; r++)
			for (unsigned c = 0; c < vt->cols; c++)
				set_cell(vt, r, c, vt->alt_save[(size_t)r * vt->cols + c]);
	}
	if (cursor)
		restore_cursor(vt, &vt->alt_cursor);
}

void vt_reset(struct vt *vt)
{
	vt->fg = VT_DEFAULT_FG;
	vt->bg = VT_DEFAULT_BG;
	vt->attr = 0;
	vt->alt_active = false;
	vt->top = 0;
	vt->bottom = vt->rows - 1;
	vt->cursor_visible = true;
	vt->autowrap = true;
	vt->insert = false;
	vt->app_cursor_keys = false;
	vt->state = ST_GROUND;
	vt->utf8_left = 0;
	vt_clear(vt);
	save_cursor(vt, &vt->saved);
	vt->alt_cursor = vt->saved;
}

void vt_init(struct vt *vt, unsigned rows, unsigned cols, struct vt_cell *cells,
	     struct vt_cell *alt_save, const struct vt_ops *ops, void *ctx)
{
	memset(vt, 0, sizeof(*vt));
	vt->rows = rows;
	vt->cols = cols;
	vt->cells = cells;
	vt->alt_save = alt_save;
	vt->ctx = ctx;
	vt->fg = VT_DEFAULT_FG;
	vt->bg = VT_DEFAULT_BG;
	for (size_t i = 0; i < (size_t)rows * cols; i++)
		cells[i] = blank(vt);
	vt_reset(vt);
	vt->ops = ops;          /* after the blanking: nothing is drawn yet */
}

/* ---- sequences ------------------------------------------------------------ */

/* Parameter i, or def when absent or 0 (ECMA-48: 0 means the default). */
static unsigned param(const struct vt *vt, unsigned i, unsigned def)
{
	unsigned v = i < vt->nparams ? vt->params[i] : 0;
	return v ? v : def;
}

static void reply(struct vt *vt, const char *s, size_t n)
{
	if (vt->ops && vt->ops->reply)
		vt->ops->reply(vt->ctx, s, n);
}

static size_t put_uint(char *p, unsigned v)
{
	char tmp[12];
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		p[k++] = tmp[--n];
	return k;
}

static void device_status(struct vt *vt)
{
	char buf[32];
	size_t n = 0;

	switch (param(vt, 0, 0)) {
	case 5:                         /* status: OK */
		reply(vt, "\033[0n", 4);
		break;
	case 6:                         /* cursor position, 1-based */
		buf[n++] = '\033';
		buf[n++] = '[';
		n += put_uint(buf + n, vt->row + 1);
		buf[n++] = ';';
		n += put_uint(buf + n, edit_col(vt) + 1);
		buf[n++] = 'R';
		reply(vt, buf, n);
		break;
	}
}

/* Map an xterm 256-colour index onto the 16-colour palette (only the first
 * 16 are exact; the rest fall back to the default). */
static uint8_t ansi_to_vga(unsigned ansi)
{
	static const uint8_t map[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };  /* ANSI -> VGA order */
	return map[ansi & 7];
}

static void select_graphic_rendition(struct vt *vt)
{
	if (vt->nparams == 0) {
		vt->params[0] = 0;
		vt->nparams = 1;
	}
	for (unsigned i = 0; i < vt->nparams; i++) {
		unsigned p = vt->params[i];

		if (p == 0) {
			vt->fg = VT_DEFAULT_FG;
			vt->bg = VT_DEFAULT_BG;
			vt->attr = 0;
		} else if (p == 1) {
			vt->attr |= VT_ATTR_BOLD;
		} else if (p == 4) {
			vt->attr |= VT_ATTR_UNDERLINE;
		} else if (p == 7) {
			vt->attr |= VT_ATTR_REVERSE;
		} else if (p == 22) {
			vt->attr &= ~VT_ATTR_BOLD;
		} else if (p == 24) {
			vt->attr &= ~VT_ATTR_UNDERLINE;
		} else if (p == 27) {
			vt->attr &= ~VT_ATTR_REVERSE;
		} else if (p >= 30 && p <= 37) {
			vt->fg = ansi_to_vga(p - 30);
		} else if (p == 39) {
			vt->fg = VT_DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			vt->bg = ansi_to_vga(p - 40);
		} else if (p == 49) {
			vt->bg = VT_DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			vt->fg = ansi_to_vga(p - 90) | 8;
		} else if (p >= 100 && p <= 107) {
			vt->bg = ansi_to_vga(p - 100) | 8;
		} else if (p == 38 || p == 48) {
			/* 38;5;n and 38;2;r;g;b: consume the arguments so they are
			 * not read as attributes; 16-colour indices are honoured. */
			unsigned kind = i + 1 < vt->nparams ? vt->params[i + 1] : 0;
			if (kind == 5 && i + 2 < vt->nparams) {
				unsigned n = vt->params[i + 2];
				if (n < 16) {
					uint8_t c = ansi_to_vga(n) | (n & 8);
					if (p == 38)
						vt->fg = c;
					else
						vt->bg = c;
				}
				i += 2;
			} else if (kind == 2) {
				i = MIN(i + 4, vt->nparams);
			} else {
				i = vt->nparams;        /* malformed: drop the rest */
			}
		}
		/* Anything else (blink, italics, fonts...) is ignored. */
	}
}

static void set_mode(struct vt *vt, bool on)
{
	for (unsigned i = 0; i < vt->nparams; i++) {
		unsigned p = vt->params[i];

		if (vt->marker == 0) {
			if (p == 4)
				vt->insert = on;
			continue;
		}
		if (vt->marker != '?')
			continue;
		switch (p) {
		case 1:
			vt->app_cursor_keys = on;
			break;
		case 7:
			vt->autowrap = on;
			break;
		case 25:
			vt->cursor_visible = on;
			break;
		case 47:
		case 1047:
			alt_screen(vt, on, false);
			break;
		case 1048:
			if (on)
				save_cursor(vt, &vt->saved);
			else
				restore_cursor(vt, &vt->saved);
			break;
		case 1049:
			alt_screen(vt, on, true);
			break;
		}
	}
}

static void erase_display(struct vt *vt)
{
	unsigned col = edit_col(vt);

	switch (param(vt, 0, 0)) {
	case 0:
		fill(vt, vt->row, col, vt->cols);
		for (unsigned r = vt->row + 1; r < vt->rows; r++)
			fill(vt, r, 0, vt->cols);
		break;
	case 1:
		for (unsigned r = 0; r < vt->row; r++)
			fill(vt, r, 0, vt->cols);
		fill(vt, vt->row, 0, col + 1);
		break;
	case 2:
	case 3:
		for (unsigned r = 0; r < vt->rows; r++)
			fill(vt, r, 0, vt->cols);
		break;
	}
}

static void erase_line(struct vt *vt)
{
	unsigned col = edit_col(vt);

	switch (param(vt, 0, 0)) {
	case 0:
		fill(vt, vt->row, col, vt->cols);
		break;
	case 1:
		fill(vt, vt->row, 0, col + 1);
		break;
	case 2:
		fill(vt, vt->row, 0, vt->cols);
		break;
	}
}

/* Cursor up/down stop at the scrolling region's margin when they start
 * inside it, else at the screen's edge (VT100). */
static void cursor_up(struct vt *vt, unsigned n)
{
	unsigned limit = vt->row >= vt->top ? vt->top : 0;

	vt->row = vt->row >= limit + n ? vt->row - n : limit;
	vt->col = edit_col(vt);
}

static void cursor_down(struct vt *vt, unsigned n)
{
	unsigned limit = vt->row <= vt->bottom ? vt->bottom : vt->rows - 1;

	vt->row = vt->row + n <= limit ? vt->row + n : limit;
	vt->col = edit_col(vt);
}

static void set_region(struct vt *vt)
{
	unsigned top = param(vt, 0, 1) - 1;
	unsigned bottom = param(vt, 1, vt->rows) - 1;

	bottom = MIN(bottom, vt->rows - 1);
	if (top >= bottom)
		return;                 /* a region needs two lines at least */
	vt->top = top;
	vt->bottom = bottom;
	vt->row = 0;
	vt->col = 0;
}

static void csi_dispatch(struct vt *vt, uint8_t final)
{
	unsigned n = param(vt, 0, 1);

	if (vt->intermediate)
		return;                 /* none of ours has one */
	if (vt->marker && final != 'h' && final != 'l')
		return;                 /* private sequences other than modes */
	switch (final) {
	case 'A': cursor_up(vt, n); break;
	case 'B': case 'e': cursor_down(vt, n); break;
	case 'C': case 'a': vt->col = MIN(edit_col(vt) + n, vt->cols - 1); break;
	case 'D': vt->col = edit_col(vt) >= n ? edit_col(vt) - n : 0; break;
	case 'E': cursor_down(vt, n); vt->col = 0; break;
	case 'F': cursor_up(vt, n); vt->col = 0; break;
	case 'G': case '`': vt->col = MIN(n - 1, vt->cols - 1); break;
	case 'd': vt->row = MIN(n - 1, vt->rows - 1); vt->col = edit_col(vt); break;
	case 'H': case 'f':
		vt_goto(vt, param(vt, 0, 1) - 1, param(vt, 1, 1) - 1);
		break;
	case 'J': erase_display(vt); break;
	case 'K': erase_line(vt); break;
	case 'L':
		if (vt->row >= vt->top && vt->row <= vt->bottom) {
			vt_scroll_down(vt, vt->row, vt->bottom, n);
			vt->col = 0;
		}
		break;
	case 'M':
		if (vt->row >= vt->top && vt->row <= vt->bottom) {
			vt_scroll_up(vt, vt->row, vt->bottom, n);
			vt->col = 0;
		}
		break;
	case '@': insert_chars(vt, n); break;
	case 'P': delete_chars(vt, n); break;
	case 'X': {
		unsigned col = edit_col(vt);
		fill(vt, vt->row, col, col + MIN(n, vt->cols - col));
		vt->col = col;
		break;
	}
	case 'S': vt_scroll_up(vt, vt->top, vt->bottom, n); break;
	case 'T': vt_scroll_down(vt, vt->top, vt->bottom, n); break;
	case 'm': select_graphic_rendition(vt); break;
	case 'r': set_region(vt); break;
	case 's': save_cursor(vt, &vt->saved); break;
	case 'u': restore_cursor(vt, &vt->saved); break;
	case 'h': set_mode(vt, true); break;
	case 'l': set_mode(vt, false); break;
	case 'n': device_status(vt); break;
	case 'c':
		if (param(vt, 0, 0) == 0)
			reply(vt, "\033[?6c", 5);       /* a VT102 */
		break;
	}
}

static void esc_dispatch(struct vt *vt, uint8_t final)
{
	if (vt->intermediate)
		return;                 /* ESC ( B, ESC # 8...: charsets and tests, ignored */
	switch (final) {
	case '7': save_cursor(vt, &vt->saved); break;
	case '8': restore_cursor(vt, &vt->saved); break;
	case 'D': line_feed(vt); break;
	case 'E': vt->col = 0; line_feed(vt); break;
	case 'M': reverse_index(vt); break;
	case 'c': vt_reset(vt); break;
	}
	/* ESC = / ESC > (keypad modes), ESC H (tab stops) and the rest: ignored. */
}

/* ---- the parser ----------------------------------------------------------- */

static void begin_sequence(struct vt *vt, uint8_t state)
{
	vt->state = state;
	vt->marker = 0;
	vt->intermediate = 0;
	vt->nparams = 0;
	memset(vt->params, 0, sizeof(vt->params));
}

static void add_digit(struct vt *vt, uint8_t b)
{
	if (vt->nparams == 0)
		vt->nparams = 1;
	unsigned *p = &vt->params[vt->nparams - 1];
	*p = *p * 10 + (b - '0');
	if (*p > VT_PARAM_MAX)
		*p = VT_PARAM_MAX;
}

static void next_param(struct vt *vt)
{
	if (vt->nparams == 0)
		vt->nparams = 1;        /* ";5" has an empty first parameter */
	if (vt->nparams < VT_MAX_PARAMS)
		vt->nparams++;
	else
		vt->state = ST_CSI_IGNORE;      /* too many: drop the sequence */
}

static void csi_byte(struct vt *vt, uint8_t b)
{
	if (b >= 0x40 && b <= 0x7e) {
		if (vt->state != ST_CSI_IGNORE)
			csi_dispatch(vt, b);
		vt->state = ST_GROUND;
		return;
	}
	if (vt->state == ST_CSI_IGNORE)
		return;
	if (b >= 0x20 && b <= 0x2f) {
		vt->intermediate = b;
		vt->state = ST_CSI_INTERMEDIATE;
	} else if (vt->state == ST_CSI_INTERMEDIATE) {
		vt->state = ST_CSI_IGNORE;      /* a parameter after an intermediate */
	} else if (b >= '0' && b <= '9') {
		add_digit(vt, b);
		vt->state = ST_CSI_PARAM;
	} else if (b == ';') {
		next_param(vt);
		if (vt->state != ST_CSI_IGNORE)
			vt->state = ST_CSI_PARAM;
	} else if (b >= 0x3c && b <= 0x3f && vt->state == ST_CSI_ENTRY) {
		vt->marker = b;
		vt->state = ST_CSI_PARAM;
	} else {
		vt->state = ST_CSI_IGNORE;      /* ':' sub-parameters, a late marker */
	}
}

static void escape_byte(struct vt *vt, uint8_t b)
{
	if (b >= 0x20 && b <= 0x2f) {
		vt->intermediate = b;
		vt->state = ST_ESCAPE_INTERMEDIATE;
		return;
	}
	if (vt->state == ST_ESCAPE) {
		switch (b) {
		case '[':
			begin_sequence(vt, ST_CSI_ENTRY);
			return;
		case ']': case 'P': case 'X': case '^': case '_':
			vt->state = ST_STRING;
			return;
		}
	}
	if (b >= 0x30 && b <= 0x7e)
		esc_dispatch(vt, b);
	vt->state = ST_GROUND;
}

/* A printable byte in the ground state: UTF-8 decoding. */
static void ground_byte(struct vt *vt, uint8_t b)
{
	if (vt->utf8_left) {
		if ((b & 0xc0) == 0x80) {
			vt->utf8_cp = vt->utf8_cp << 6 | (b & 0x3f);
			if (--vt->utf8_left == 0)
				vt_putc(vt, vt->utf8_cp > 0x10ffff ? REPLACEMENT_CHAR : vt->utf8_cp);
			return;
		}
		vt->utf8_left = 0;      /* truncated sequence; b starts afresh */
		vt_putc(vt, REPLACEMENT_CHAR);
	}
	if (b < 0x80) {
		vt_putc(vt, b);
	} else if ((b & 0xe0) == 0xc0) {
		vt->utf8_cp = b & 0x1f;
		vt->utf8_left = 1;
	} else if ((b & 0xf0) == 0xe0) {
		vt->utf8_cp = b & 0x0f;
		vt->utf8_left = 2;
	} else if ((b & 0xf8) == 0xf0) {
		vt->utf8_cp = b & 0x07;
		vt->utf8_left = 3;
	} else {
		vt_putc(vt, REPLACEMENT_CHAR);
	}
}

static void vt_byte(struct vt *vt, uint8_t b)
{
	/* Strings swallow everything up to BEL or ESC \ (ST). */
	if (vt->state == ST_STRING || vt->state == ST_STRING_ESC) {
		if (b == 0x07 || (vt->state == ST_STRING_ESC && b == '\\'))
			vt->state = ST_GROUND;
		else if (b == 0x18 || b == 0x1a)
			vt->state = ST_GROUND;
		else
			vt->state = b == 0x1b ? ST_STRING_ESC : ST_STRING;
		return;
	}
	/* Anywhere else: ESC starts over, CAN and SUB cancel, other C0
	 * controls act at once, even inside a sequence. */
	if (b == 0x1b) {
		if (vt->utf8_left) {
			vt->utf8_left = 0;
			vt_putc(vt, REPLACEMENT_CHAR);
		}
		begin_sequence(vt, ST_ESCAPE);
		return;
	}
	if (b == 0x18 || b == 0x1a) {
		vt->state = ST_GROUND;
		return;
	}
	if (b < 0x20) {
		if (vt->utf8_left) {
			vt->utf8_left = 0;
			vt_putc(vt, REPLACEMENT_CHAR);
		}
		vt_putc(vt, b);
		return;
	}
	switch (vt->state) {
	case ST_GROUND:
		if (b != 0x7f)
			ground_byte(vt, b);
		return;
	case ST_ESCAPE:
	case ST_ESCAPE_INTERMEDIATE:
		if (b == 0x7f)
			return;
		if (b >= 0x80)
			vt->state = ST_GROUND;  /* not a sequence: drop it */
		else
			escape_byte(vt, b);
		return;
	default:                        /* the CSI states */
		if (b == 0x7f)
			return;
		if (b >= 0x80)
			vt->state = ST_CSI_IGNORE;
		else
			csi_byte(vt, b);
		return;
	}
}

void vt_write(struct vt *vt, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		vt_byte(vt, (uint8_t)s[i]);
}
