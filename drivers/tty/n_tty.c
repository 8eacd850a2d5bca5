/*
 * N_TTY, the line discipline: what a terminal does with the bytes typed
 * at it (canonical line editing, echo, signal characters, flow control)
 * and with the bytes written to it (output post-processing), and reading
 * the edited input with VMIN/VTIME. Behaviour follows Linux's n_tty as
 * documented in termios(3).
 *
 * The input buffer is a ring of TTY_BUF bytes indexed by free-running
 * counts: tail (read) <= canon_head (end of the last complete line, in
 * canonical mode) <= head (written). A second ring of flags marks line
 * delimiters and the VEOF marker, which ends a line but is never read.
 *
 * Locking: everything here runs with tty.lock held (asserted), except the
 * read and write loops, which take it themselves.
 */
#include <drivers/tty/tty_internal.h>
#include <kernel/errno.h>
#include <kernel/signal.h>
#include <kernel/string.h>

#define L(tty, f) ((tty)->termios.c_lflag & (f))
#define I(tty, f) ((tty)->termios.c_iflag & (f))
#define O(tty, f) ((tty)->termios.c_oflag & (f))
#define CC(tty, i) ((tty)->termios.c_cc[i])

static unsigned used(const struct tty *tty) { return tty->head - tty->tail; }

/* ---- output ---- */

/* What byte c becomes on output (OPOST): 0, 1 or 2 bytes in seq. */
static size_t opost(struct tty *tty, uint8_t c, uint8_t seq[2])
{
	size_t n = 0;
	if (O(tty, OPOST)) {
		if (c == '\n' && O(tty, ONLCR))
			seq[n++] = '\r';
		else if (c == '\r' && O(tty, OCRNL))
			c = '\n';
		else if (c == '\r' && O(tty, ONOCR) && tty->column == 0)
			return 0;
	}
	seq[n++] = c;
	return n;
}

/* Track the output column (for erasing tabs) past the bytes sent. */
static void advance_column(struct tty *tty, const uint8_t *seq, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = seq[i];
		if (c == '\r' || (c == '\n' && O(tty, ONLRET)))
			tty->column = 0;
		else if (c == '\t')
			tty->column = (tty->column | 7) + 1;
		else if (c == '\b')
			tty->column -= tty->column > 0;
		else if (c >= 0x20 && c != 0x7f && (c & 0xc0) != 0x80)
			tty->column++;          /* UTF-8 continuation bytes take no column */
	}
}

/* One byte through OPOST processing to the driver; false if no room. */
static bool out_char(struct tty *tty, uint8_t c)
{
	uint8_t seq[2];
	size_t n = opost(tty, c, seq);
	if (!n)
		return true;
	if (tty->drv->write_room(tty) < n)
		return false;
	tty->drv->write(tty, seq, n);
	advance_column(tty, seq, n);
	return true;
}

/* Echo output: dropped when the device has no room (as Linux drops echoes
 * that do not fit). */
static void echo_raw(struct tty *tty, uint8_t c)
{
	out_char(tty, c);
}

static void echo_str(struct tty *tty, const char *s)
{
	while (*s)
		echo_raw(tty, (uint8_t)*s++);
}

static bool is_ctl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

/* The echo of an input byte: ^X for control characters under ECHOCTL
 * (not tab or newline), else the byte. */
static void echo_char(struct tty *tty, uint8_t c)
{
	if (L(tty, ECHOCTL) && is_ctl(c) && c != '\t' && c != '\n') {
		echo_raw(tty, '^');
		echo_raw(tty, c ^ 0100);
	} else {
		echo_raw(tty, c);
	}
}

/* ---- the input buffer ---- */

static void put_byte(struct tty *tty, uint8_t c, uint8_t flags)
{
	unsigned at = tty->head % TTY_BUF;
	tty->buf[at] = c;
	tty->bflags[at] = flags;
	tty->head++;
}

void n_tty_flush_input(struct tty *tty)
{
	assert_held(&tty->lock);
	tty->head = tty->canon_head = tty->tail;
	tty->lnext = false;
}

/* Columns the echo of byte c took (for erasing it). */
static unsigned echo_width(struct tty *tty, uint8_t c)
{
	if (c == '\t')
		return 0;                       /* handled by the caller */
	if (is_ctl(c))
		return L(tty, ECHOCTL) ? 2 : 0;
	return (c & 0xc0) == 0x80 ? 0 : 1;
}

static void erase_columns(struct tty *tty, unsigned cols)
{
	while (cols--)
		echo_str(tty, "\b \b");
}

/* The column the line being edited would end at before byte index upto:
 * for erasing a tab, replay the line from its start. */
static unsigned line_column(struct tty *tty, unsigned upto)
{
	unsigned col = tty->line_start_col;
	for (unsigned i = tty->canon_head; i != upto; i++) {
		uint8_t c = tty->buf[i % TTY_BUF];
		if (c == '\t')
			col = (col | 7) + 1;
		else
			col += echo_width(tty, c);
	}
	return col;
}

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

static bool is_word(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_' || c >= 0x80;
}

/* VERASE, VWERASE, VKILL in canonical mode: drop bytes of the line being
 * edited and, with ECHOE (ECHOKE for kill), rub them out on the screen. */
static void eraser(struct tty *tty, enum erase_kind kind)
{
	if (tty->head == tty->canon_head)
		return;
	if (kind == ERASE_LINE) {
		if (!L(tty, ECHO)) {
			tty->head = tty->canon_head;
			return;
		}
		if (!L(tty, ECHOK) || !L(tty, ECHOKE) || !L(tty, ECHOE)) {
			tty->head = tty->canon_head;
			echo_char(tty, CC(tty, VKILL));
			if (L(tty, ECHOK))
				echo_raw(tty, '\n');
			return;
		}
	}
	bool seen_word = false;
	while (tty->head != tty->canon_head) {
		unsigned at = tty->head - 1;
		uint8_t c = tty->buf[at % TTY_BUF];
		/* A UTF-8 character goes as a whole. */
		unsigned start = at;
		while ((tty->buf[start % TTY_BUF] & 0xc0) == 0x80 && start != tty->canon_head)
			start--;
		if (kind == ERASE_WORD) {
			if (is_word(c))
				seen_word = true;
			else if (seen_word)
				break;
		}
		unsigned cols = 0;
		if (c == '\t') {
			unsigned after = line_column(tty, tty->head);
			cols = after - line_column(tty, at);
		} else {
			for (unsigned i = start; i != tty->head; i++)
				cols += echo_width(tty, tty->buf[i % TTY_BUF]);
		}
		tty->head = start;
		if (L(tty, ECHO)) {
			if (L(tty, ECHOE) || kind == ERASE_LINE) {
				if (c == '\t') {
					while (cols--)
						echo_raw(tty, '\b');
				} else {
					erase_columns(tty, cols);
				}
			} else if (kind == ERASE_CHAR) {
				echo_char(tty, CC(tty, VERASE));
			}
		}
		if (kind == ERASE_CHAR)
			break;
	}
	if (kind == ERASE_WORD && L(tty, ECHO) && !L(tty, ECHOE))
		echo_char(tty, CC(tty, VWERASE));
}

/* A signal character: flush (unless NOFLSH), echo, and note the signal
 * for the caller to send once tty.lock is dropped. */
static void isig(struct tty *tty, int sig, uint8_t c, struct tty_recv *rv)
{
	if (!L(tty, NOFLSH)) {
		n_tty_flush_input(tty);
		if (tty->drv->flush_output)
			tty->drv->flush_output(tty);
	}
	tty->stopped = false;
	if (L(tty, ECHO))
		echo_char(tty, c);
	rv->sigs |= SIGBIT(sig);
	rv->pgrp = tty->pgrp;
}

/* End a line: the bytes so far become readable in canonical mode. */
static void end_line(struct tty *tty, uint8_t c, uint8_t flags)
{
	put_byte(tty, c, flags | TTYB_DELIM);
	tty->canon_head = tty->head;
	tty->line_start_col = tty->column;
	tty->wake_readers = true;
}

static bool special(struct tty *tty, uint8_t c, uint8_t cc)
{
	return cc != 0 && c == cc;              /* _POSIX_VDISABLE is 0 */
}

/* One input byte; false if it could not be taken (buffer full, raw mode:
 * the sender waits). */
static bool receive_char(struct tty *tty, uint8_t c, struct tty_recv *rv)
{
	bool canon = L(tty, ICANON);

	if (I(tty, ISTRIP))
		c &= 0x7f;
	if (tty->lnext) {
		tty->lnext = false;
		goto literal;
	}
	if (I(tty, IXON)) {
		if (special(tty, c, CC(tty, VSTOP))) {
			tty->stopped = true;
			return true;
		}
		if (special(tty, c, CC(tty, VSTART))) {
			tty->stopped = false;
			tty->wake_writers = true;
			return true;
		}
		if (tty->stopped && I(tty, IXANY)) {
			tty->stopped = false;
			tty->wake_writers = true;
		}
	}
	if (L(tty, ISIG)) {
		if (special(tty, c, CC(tty, VINTR))) {
			isig(tty, SIGINT, c, rv);
			return true;
		}
		if (special(tty, c, CC(tty, VQUIT))) {
			isig(tty, SIGQUIT, c, rv);
			return true;
		}
		if (special(tty, c, CC(tty, VSUSP))) {
			isig(tty, SIGTSTP, c, rv);
			return true;
		}
	}
	if (c == '\r') {
		if (I(tty, IGNCR))
			return true;
		if (I(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(tty, INLCR)) {
		c = '\r';
	}
	if (canon) {
		if (special(tty, c, CC(tty, VERASE))) {
			eraser(tty, ERASE_CHAR);
			return true;
		}
		if (special(tty, c, CC(tty, VKILL))) {
			eraser(tty, ERASE_LINE);
			return true;
		}
		if (L(tty, IEXTEN) && special(tty, c, CC(tty, VWERASE))) {
			eraser(tty, ERASE_WORD);
			return true;
		}
		if (L(tty, IEXTEN) && special(tty, c, CC(tty, VLNEXT))) {
			tty->lnext = true;
			if (L(tty, ECHO) && L(tty, ECHOCTL)) {
				echo_raw(tty, '^');
				echo_raw(tty, '\b');
			}
			return true;
		}
		if (L(tty, IEXTEN) && special(tty, c, CC(tty, VREPRINT))) {
			if (L(tty, ECHO)) {
				echo_char(tty, c);
				echo_raw(tty, '\n');
				tty->line_start_col = tty->column;
				for (unsigned i = tty->canon_head; i != tty->head; i++)
					echo_char(tty, tty->buf[i % TTY_BUF]);
			}
			return true;
		}
		if (c == '\n') {
			if (used(tty) >= TTY_BUF)
				return true;            /* full of complete lines: dropped */
			if (L(tty, ECHO) || L(tty, ECHONL))
				echo_raw(tty, '\n');
			end_line(tty, c, 0);
			return true;
		}
		if (special(tty, c, CC(tty, VEOF))) {
			if (used(tty) >= TTY_BUF)
				return true;
			end_line(tty, c, TTYB_EOF);
			return true;
		}
		if (special(tty, c, CC(tty, VEOL)) || special(tty, c, CC(tty, VEOL2))) {
			if (used(tty) >= TTY_BUF)
				return true;
			if (L(tty, ECHO))
				echo_char(tty, c);
			end_line(tty, c, 0);
			return true;
		}
	}
literal:
	if (canon) {
		/* Keep one byte for the line's delimiter; beyond, drop. */
		if (used(tty) >= TTY_BUF - 1)
			return true;
	} else if (used(tty) >= TTY_BUF) {
		return false;
	}
	if (L(tty, ECHO))
		echo_char(tty, c);
	else if (canon && c == '\n' && L(tty, ECHONL))
		echo_raw(tty, '\n');
	put_byte(tty, c, 0);
	if (!canon)
		tty->wake_readers = true;
	return true;
}

size_t n_tty_receive(struct tty *tty, const uint8_t *buf, size_t n, struct tty_recv *rv)
{
	size_t done = 0;
	assert_held(&tty->lock);
	while (done < n && receive_char(tty, buf[done], rv))
		done++;
	return done;
}

/* The termios changed: switching canonical mode on or off makes what is
 * buffered readable (Linux pushes a partial line when ICANON is set). */
void n_tty_set_termios(struct tty *tty, const struct termios_k *old)
{
	assert_held(&tty->lock);
	if ((old->c_lflag ^ tty->termios.c_lflag) & ICANON) {
		if (L(tty, ICANON) && tty->head != tty->tail)
			tty->bflags[(tty->head - 1) % TTY_BUF] |= TTYB_DELIM;
		tty->canon_head = tty->head;
		tty->line_start_col = tty->column;
		tty->lnext = false;
		tty->wake_readers = true;
	}
	if (!I(tty, IXON) && tty->stopped) {
		tty->stopped = false;
		tty->wake_writers = true;
	}
}

/* ---- reading ---- */

/* Bytes a read may take now (canonical: complete lines only). */
unsigned n_tty_available(struct tty *tty)
{
	assert_held(&tty->lock);
	return L(tty, ICANON) ? tty->canon_head - tty->tail : used(tty);
}

/* Take up to len bytes into out: in canonical mode up to and including the
 * first delimiter (VEOF's marker is consumed but not returned). *eol is
 * set when a line ended (the read returns). */
size_t n_tty_copy(struct tty *tty, uint8_t *out, size_t len, bool *eol)
{
	size_t n = 0;
	bool canon = L(tty, ICANON);
	unsigned limit = canon ? tty->canon_head : tty->head;

	assert_held(&tty->lock);
	*eol = false;
	while (n < len && tty->tail != limit) {
		unsigned at = tty->tail % TTY_BUF;
		uint8_t fl = tty->bflags[at];
		tty->tail++;
		if (canon && (fl & TTYB_EOF)) {
			*eol = true;
			break;
		}
		out[n++] = tty->buf[at];
		if (canon && (fl & TTYB_DELIM)) {
			*eol = true;
			break;
		}
	}
	/* Erase never reaches back past what was read (free-running
	 * counts: compare by difference). */
	if ((int)(tty->canon_head - tty->tail) < 0)
		tty->canon_head = tty->tail;
	return n;
}

/* ---- writing ---- */

/* Post-process and send as much of buf as fits, in pieces of up to 256
 * bytes (one driver call each, not one per byte); bytes consumed. */
size_t n_tty_write(struct tty *tty, const uint8_t *buf, size_t n)
{
	uint8_t out[256];
	size_t done = 0;
	assert_held(&tty->lock);
	size_t room = tty->drv->write_room(tty);
	while (done < n && room) {
		size_t o = 0;
		while (done < n) {
			uint8_t seq[2];
			size_t k = opost(tty, buf[done], seq);
			if (o + k > sizeof(out) || o + k > room)
				break;
			memcpy(out + o, seq, k);
			advance_column(tty, seq, k);    /* ONOCR looks at it */
			o += k;
			done++;
		}
		if (!o)
			break;
		tty->drv->write(tty, out, o);
		room -= o;
	}
	if (tty->head == tty->canon_head)
		tty->line_start_col = tty->column;      /* a prompt before the line */
	return done;
}
