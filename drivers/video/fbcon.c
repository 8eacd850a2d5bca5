/*
 * Framebuffer text console "fb0": the kernel log and the console's output
 * on the screen GRUB set up. fbcon_write() hands bytes to the terminal
 * emulator (drivers/video/vt.c), which keeps the cells in RAM (the copy
 * that scrolling reads: framebuffer memory is uncached and very slow to
 * read back) and reports each changed cell; a backend shows one cell at a
 * time: glyph pixels (drivers/video/fbdraw.c) or a VGA text cell.
 *
 * Locking: printk calls the console write with its log lock held, which
 * serializes kernel messages; con->lock (irqsave) protects the grid for the
 * writers that do not come through printk (the TTY layer, tests).
 * Lock order: printk's log_lock -> con->lock. Nothing here calls printk
 * with con->lock held; the terminal's reports are queued under con->lock
 * and handed to tty_console_input after it is dropped.
 */
#include <drivers/video/fbcon.h>
#include <drivers/video/font.h>
#include <drivers/tty/console.h>
#include <kernel/errno.h>
#include <kernel/klog.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/vmap.h>
#include <asm/io.h>

struct fbcon_ops {
	/* Show the grid's cell at (row, col), as the cursor if cursor is set. */
	void (*show)(struct fbcon *con, unsigned row, unsigned col, bool cursor);
};

/* The VGA/ANSI palette as 0xRRGGBB, in enum fbcon_color order. */
static const uint32_t palette_rgb[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

static struct fbcon fbcon0;
static bool fbcon0_ready;

/* ---- backends ------------------------------------------------------------ */

static inline struct vt_cell *cell_ptr(const struct fbcon *con, unsigned row, unsigned col)
{
	return vt_cell_ptr(&con->vt, row, col);
}

/* A cell's colours as drawn: bold brightens the eight dark colours,
 * reverse video (and the cursor) swaps foreground and background. */
static void cell_colors(struct vt_cell c, bool cursor, uint8_t *fg, uint8_t *bg)
{
	uint8_t f = c.fg & 15, b = c.bg & 15;

	if ((c.attr & VT_ATTR_BOLD) && f < 8)
		f |= 8;
	if (!!(c.attr & VT_ATTR_REVERSE) != cursor) {
		uint8_t t = f;
		f = b;
		b = t;
	}
	*fg = f;
	*bg = b;
}

static void pixel_show(struct fbcon *con, unsigned row, unsigned col, bool cursor)
{
	const struct font *font = con->font;
	struct vt_cell c = *cell_ptr(con, row, col);
	uint8_t fg, bg;

	cell_colors(c, cursor, &fg, &bg);
	fb_draw_glyph(&con->surface, col * font->width, row * font->height, font,
		      font_glyph_index(font, c.ch), con->palette[fg], con->palette[bg]);
	if (c.attr & VT_ATTR_UNDERLINE)
		fb_fill_rect(&con->surface, col * font->width, (row + 1) * font->height - 1,
			     font->width, 1, con->palette[fg]);
}

static const struct fbcon_ops pixel_ops = { .show = pixel_show };

#define VGA_CRTC_INDEX 0x3d4
#define VGA_CRTC_DATA 0x3d5
#define VGA_CRTC_CURSOR_START 0x0a
#define VGA_CRTC_CURSOR_HIGH 0x0e
#define VGA_CRTC_CURSOR_LOW 0x0f
#define VGA_CURSOR_DISABLE 0x20

/* VGA text memory holds code page 437; beyond ASCII we show '?'. */
static uint8_t vga_char(uint32_t cp)
{
	return cp >= 0x20 && cp < 0x7f ? (uint8_t)cp : '?';
}

/* Text cells are (attribute << 8 | character); the cursor is the
 * hardware's (underline has no VGA colour-mode equivalent: not shown). */
static void vga_show(struct fbcon *con, unsigned row, unsigned col, bool cursor)
{
	struct vt_cell c = *cell_ptr(con, row, col);
	unsigned index = row * (con->surface.pitch / 2) + col;
	uint8_t fg, bg;

	cell_colors(c, false, &fg, &bg);
	uint16_t attr = (uint16_t)(bg << 4 | fg);
	((volatile uint16_t *)con->surface.base)[index] = (uint16_t)(attr << 8 | vga_char(c.ch));
	if (cursor) {
		outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_LOW);
		outb(VGA_CRTC_DATA, (uint8_t)index);
		outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_HIGH);
		outb(VGA_CRTC_DATA, (uint8_t)(index >> 8));
	}
}

static const struct fbcon_ops vga_ops = { .show = vga_show };

/* ---- the terminal's hooks ------------------------------------------------------ */

static void vt_show(void *ctx, unsigned row, unsigned col)
{
	struct fbcon *con = ctx;

	con->ops->show(con, row, col, false);
}

/* Called with con->lock held: kept until fbcon_write unlocks. */
static void vt_reply(void *ctx, const char *s, size_t n)
{
	struct fbcon *con = ctx;

	if (n > sizeof(con->reply) - con->reply_len)
		return;                 /* a flood of queries: drop the excess */
	memcpy(con->reply + con->reply_len, s, n);
	con->reply_len += n;
}

static const struct vt_ops fbcon_vt_ops = { .show = vt_show, .reply = vt_reply };

/* ---- the cell grid --------------------------------------------------------- */

static void draw_cursor(struct fbcon *con, bool on)
{
	struct vt *vt = &con->vt;

	if (con->ops == &vga_ops && !panic_in_progress()) {
		/* The hardware cursor: shown or hidden as the terminal says. */
		outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_START);
		uint8_t v = inb(VGA_CRTC_DATA) & ~VGA_CURSOR_DISABLE;
		outb(VGA_CRTC_DATA, v | (vt->cursor_visible ? 0 : VGA_CURSOR_DISABLE));
	}
	con->ops->show(con, vt->row, MIN(vt->col, vt->cols - 1), on && vt->cursor_visible);
	con->cursor_drawn = on;
}

unsigned long fbcon_lock(struct fbcon *con)
{
	/* A panic may have interrupted the lock's holder, which will never
	 * run again: take the lock over so the report still reaches the screen. */
	unsigned long flags = 0;

	if (!panic_in_progress()) {
		flags = spin_lock_irqsave(&con->lock);
	} else if (!spin_trylock(&con->lock)) {
		spin_lock_init(&con->lock, "fbcon");
		spin_lock(&con->lock);
	}

	if (con->cursor_drawn)
		draw_cursor(con, false);
	return flags;
}

void fbcon_unlock(struct fbcon *con, unsigned long flags)
{
	draw_cursor(con, true);
	spin_unlock_irqrestore(&con->lock, flags);
}

void fbcon_scroll_up(struct fbcon *con)
{
	assert_held(&con->lock);
	vt_scroll_up(&con->vt, 0, con->rows - 1, 1);
}

void fbcon_putc(struct fbcon *con, uint32_t cp)
{
	assert_held(&con->lock);
	vt_putc(&con->vt, cp);
}

void fbcon_goto(struct fbcon *con, unsigned row, unsigned col)
{
	assert_held(&con->lock);
	vt_goto(&con->vt, row, col);
}

void fbcon_set_colors(struct fbcon *con, uint8_t fg, uint8_t bg)
{
	assert_held(&con->lock);
	con->vt.fg = fg & 15;
	con->vt.bg = bg & 15;
}

void fbcon_clear(struct fbcon *con)
{
	assert_held(&con->lock);
	vt_clear(&con->vt);
}

struct fbcon_cell fbcon_cell_at(const struct fbcon *con, unsigned row, unsigned col)
{
	return *cell_ptr(con, row, col);
}

/* ---- the write path ------------------------------------------------------------ */

/* "\n" is shown as "\r\n" (the kernel log and programs alike, as ONLCR). */
static void write_locked(struct fbcon *con, const char *s, size_t len)
{
	size_t from = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		vt_write(&con->vt, s + from, i - from);
		vt_write(&con->vt, "\r\n", 2);
		from = i + 1;
	}
	vt_write(&con->vt, s + from, len - from);
}

void fbcon_write(struct fbcon *con, const char *s, size_t len)
{
	char reply[FBCON_REPLY_MAX];
	unsigned long flags = fbcon_lock(con);

	write_locked(con, s, len);
	size_t n = con->reply_len;
	memcpy(reply, con->reply, n);
	con->reply_len = 0;
	fbcon_unlock(con, flags);
	if (n && !panic_in_progress())
		tty_console_input(reply, n);    /* as if typed: the answer to a query */
}

static void fbcon_console_write(struct console *c, const char *s, size_t len)
{
	fbcon_write(container_of(c, struct fbcon, console), s, len);
}

/*
 * Show what the log holds from before fb0 existed, as printk would have:
 * lines are "<level>[time] text\n"; drop the "<level>" and the lines at or
 * above console_loglevel. Reads the log in chunks without con->lock held
 * (lock order).
 */
static void replay_log(struct fbcon *con)
{
	enum { LINE_START, LEVEL, LEVEL_END, TEXT } state = LINE_START;
	bool shown = true;
	uint64_t pos = 0;
	char buf[256];
	size_t n;

	while ((n = klog_read(buf, sizeof(buf), &pos)) > 0) {
		unsigned long flags = fbcon_lock(con);

		for (size_t i = 0; i < n; i++) {
			char ch = buf[i];

			switch (state) {
			case LINE_START:
				state = ch == '<' ? LEVEL : TEXT;
				shown = true;
				if (state == LEVEL)
					continue;
				break;
			case LEVEL:
				shown = ch - '0' < console_loglevel;
				state = LEVEL_END;
				continue;
			case LEVEL_END:
				state = TEXT;
				if (ch == '>')
					continue;
				break;
			case TEXT:
				break;
			}
			if (shown)
				write_locked(con, &ch, 1);
			if (ch == '\n')
				state = LINE_START;
		}
		fbcon_unlock(con, flags);
	}
}

/* ---- setup --------------------------------------------------------------- */

static int pixel_setup(struct fbcon *con, const struct boot_framebuffer *fb)
{
	const struct font *font = &console_font;

	con->surface = (struct fb_surface){
		.pitch = fb->pitch, .width = fb->width, .height = fb->height, .bpp = fb->bpp,
		.red_pos = fb->red_pos, .red_size = fb->red_size,
		.green_pos = fb->green_pos, .green_size = fb->green_size,
		.blue_pos = fb->blue_pos, .blue_size = fb->blue_size,
	};
	if (!fb_surface_supported(&con->surface))
		return -EINVAL;
	if (fb->width < font->width || fb->height < font->height)
		return -EINVAL;
	con->surface.base = ioremap(fb->addr, (size_t)fb->pitch * fb->height);
	if (!con->surface.base)
		return -ENOMEM;
	con->font = font;
	con->cols = fb->width / font->width;
	con->rows = fb->height / font->height;
	for (unsigned i = 0; i < 16; i++)
		con->palette[i] = fb_pack_rgb(&con->surface, palette_rgb[i]);
	/* The cells cover all but the margins right and below; clear those too. */
	fb_fill_rect(&con->surface, 0, 0, fb->width, fb->height, con->palette[FBCON_BLACK]);
	con->ops = &pixel_ops;
	return 0;
}

/* Multiboot2 EGA text: width and height are in characters, pitch in bytes. */
static int vga_setup(struct fbcon *con, const struct boot_framebuffer *fb)
{
	if (fb->bpp != 16 || fb->width == 0 || fb->height == 0 || fb->pitch < fb->width * 2)
		return -EINVAL;
	con->surface = (struct fb_surface){
		.pitch = fb->pitch, .width = fb->width, .height = fb->height, .bpp = 16,
	};
	con->surface.base = ioremap(fb->addr, (size_t)fb->pitch * fb->height);
	if (!con->surface.base)
		return -ENOMEM;
	con->cols = fb->width;
	con->rows = fb->height;
	con->ops = &vga_ops;
	return 0;
}

bool fbcon_app_cursor_keys(void)
{
	return READ_ONCE(fbcon0_ready) && READ_ONCE(fbcon0.vt.app_cursor_keys);
}

struct fbcon *fbcon_get(void)
{
	return READ_ONCE(fbcon0_ready) ? &fbcon0 : NULL;
}

void fbcon_init(const struct boot_framebuffer *fb)
{
	struct fbcon *con = &fbcon0;
	int err;

	if (!fb->addr || fbcon0_ready)
		return;
	if (fb->type == 1)
		err = pixel_setup(con, fb);
	else if (fb->type == 2)
		err = vga_setup(con, fb);
	else
		return;
	if (err) {
		pr_warn("fbcon: cannot use the %ux%u %u bpp framebuffer (type %u): %d\n",
			fb->width, fb->height, fb->bpp, fb->type, err);
		return;
	}

	size_t ncells = (size_t)con->rows * con->cols;
	struct vt_cell *cells = kmalloc(ncells * sizeof(*cells));
	struct vt_cell *alt_save = kmalloc(ncells * sizeof(*alt_save));
	if (!cells || !alt_save) {
		pr_warn("fbcon: no memory for %zu cells\n", ncells);
		kfree(cells);
		kfree(alt_save);
		goto out_unmap;
	}
	spin_lock_init(&con->lock, "fbcon");
	vt_init(&con->vt, con->rows, con->cols, cells, alt_save, &fbcon_vt_ops, con);
	for (size_t i = 0; i < ncells; i++)
		con->ops->show(con, i / con->cols, i % con->cols, false);

	replay_log(con);
	con->console = (struct console){ .name = "fb0", .write = fbcon_console_write };
	WRITE_ONCE(fbcon0_ready, true);
	console_register(&con->console);
	if (con->ops == &pixel_ops)
		pr_info("fbcon: %ux%u %u bpp framebuffer at %#llx: %ux%u cells, font %s\n",
			fb->width, fb->height, fb->bpp, (unsigned long long)fb->addr,
			con->cols, con->rows, con->font->name);
	else
		pr_info("fbcon: VGA text mode at %#llx: %ux%u cells\n",
			(unsigned long long)fb->addr, con->cols, con->rows);
	return;

out_unmap:
	iounmap(con->surface.base);
}
