/*
 * Scancode set 1 and the US layout (keymap.h). Facts used: set 1 make
 * codes, break = make | 0x80, extended keys after 0xE0, Pause as
 * E1 1D 45 E1 9D C5, and the "fake shift" codes E0 2A / E0 36 that
 * keyboards wrap around Print Screen and the navigation keys; Linux's
 * KEY_* numbers equal the set 1 make codes for the basic keys. What each
 * key sends is what the Linux console sends (console_codes(4)).
 */
#include <drivers/input/keymap.h>
#include <uapi/goos/chan.h>
#include <kernel/string.h>

/* Extended (E0-prefixed) make codes and their KEY_*. */
static const struct { uint8_t scancode, keycode; } extended[] = {
	{ 0x1c, KEY_KPENTER }, { 0x1d, KEY_RIGHTCTRL }, { 0x35, KEY_KPSLASH },
	{ 0x37, KEY_SYSRQ }, { 0x38, KEY_RIGHTALT }, { 0x47, KEY_HOME },
	{ 0x48, KEY_UP }, { 0x49, KEY_PAGEUP }, { 0x4b, KEY_LEFT },
	{ 0x4d, KEY_RIGHT }, { 0x4f, KEY_END }, { 0x50, KEY_DOWN },
	{ 0x51, KEY_PAGEDOWN }, { 0x52, KEY_INSERT }, { 0x53, KEY_DELETE },
	{ 0x5b, KEY_LEFTMETA }, { 0x5c, KEY_RIGHTMETA }, { 0x5d, KEY_COMPOSE },
};

/* US layout, keycodes 0..57: plain and shifted characters (0: none). */
static const char plain[58] =
	"\0\033" "1234567890-=" "\x7f\t" "qwertyuiop[]" "\r\0" "asdfghjkl;'`" "\0\\"
	"zxcvbnm,./" "\0*\0 ";
static const char shifted[58] =
	"\0\033" "!@#$%^&*()_+" "\x7f\t" "QWERTYUIOP{}" "\r\0" "ASDFGHJKL:\"~" "\0|"
	"ZXCVBNM<>?" "\0*\0 ";

void keymap_init(struct keymap_state *st)
{
	memset(st, 0, sizeof(*st));
	st->mods = GOOS_KEYMOD_NUMLOCK;
}

static uint16_t to_keycode(bool e0, uint8_t make)
{
	if (!e0)
		return make <= 0x58 && make != 0x54 && make != 0x55 ? make : 0;
	for (size_t i = 0; i < sizeof(extended) / sizeof(extended[0]); i++)
		if (extended[i].scancode == make)
			return extended[i].keycode;
	return 0;
}

/* Left and right keys of a modifier are counted: it holds while either does. */
static void count(unsigned *held, bool press)
{
	if (press)
		(*held)++;
	else if (*held)
		(*held)--;
}

static void track_modifiers(struct keymap_state *st, uint16_t key, bool press, bool repeat)
{
	switch (key) {
	case KEY_LEFTSHIFT: case KEY_RIGHTSHIFT:
		if (!repeat)
			count(&st->shift_down, press);
		break;
	case KEY_LEFTCTRL: case KEY_RIGHTCTRL:
		if (!repeat)
			count(&st->ctrl_down, press);
		break;
	case KEY_LEFTMETA: case KEY_RIGHTMETA:
		if (!repeat)
			count(&st->meta_down, press);
		break;
	case KEY_LEFTALT:
		st->mods = press ? st->mods | GOOS_KEYMOD_ALT : st->mods & ~GOOS_KEYMOD_ALT;
		break;
	case KEY_RIGHTALT:
		st->mods = press ? st->mods | GOOS_KEYMOD_ALTGR : st->mods & ~GOOS_KEYMOD_ALTGR;
		break;
	case KEY_CAPSLOCK:
		if (press && !repeat)
			st->mods ^= GOOS_KEYMOD_CAPSLOCK;
		break;
	case KEY_NUMLOCK:
		if (press && !repeat)
			st->mods ^= GOOS_KEYMOD_NUMLOCK;
		break;
	case KEY_SCROLLLOCK:
		if (press && !repeat)
			st->mods ^= GOOS_KEYMOD_SCROLLLOCK;
		break;
	}
	st->mods &= ~(GOOS_KEYMOD_SHIFT | GOOS_KEYMOD_CTRL | GOOS_KEYMOD_META);
	st->mods |= (st->shift_down ? GOOS_KEYMOD_SHIFT : 0) |
		    (st->ctrl_down ? GOOS_KEYMOD_CTRL : 0) |
		    (st->meta_down ? GOOS_KEYMOD_META : 0);
}

int keymap_scancode(struct keymap_state *st, uint8_t byte, struct keymap_event *ev)
{
	if (st->skip) {
		st->skip--;
		return 0;
	}
	if (byte == 0xe0) {
		st->prefix = 0xe0;
		return 0;
	}
	if (byte == 0xe1) {             /* Pause: E1 1D 45 (press) E1 9D C5 (release) */
		st->prefix = 0xe1;
		return 0;
	}
	bool e0 = st->prefix == 0xe0;
	if (st->prefix == 0xe1) {
		st->prefix = 0;
		st->skip = 1;           /* the 45 / C5 that follows */
		if (byte & 0x80)
			return 0;       /* the release half: Pause has no break */
		*ev = (struct keymap_event){ .keycode = KEY_PAUSE, .value = GOOS_KEY_PRESS,
					     .mods = st->mods };
		return 1;
	}
	st->prefix = 0;
	bool press = !(byte & 0x80);
	uint8_t make = byte & 0x7f;
	if (e0 && (make == 0x2a || make == 0x36))
		return 0;               /* fake shifts around extended keys */
	uint16_t key = to_keycode(e0, make);
	if (!key)
		return 0;               /* an answer byte (0xfa, 0xfe...) or unknown */

	uint8_t bit = (uint8_t)(1u << (key % 8));
	bool was_down = st->down[key / 8] & bit;
	bool repeat = press && was_down;
	if (!press && !was_down)
		return 0;               /* a release we never saw pressed */
	if (press)
		st->down[key / 8] |= bit;
	else
		st->down[key / 8] &= (uint8_t)~bit;
	track_modifiers(st, key, press, repeat);
	*ev = (struct keymap_event){ .keycode = key, .mods = st->mods,
				     .value = !press ? GOOS_KEY_RELEASE :
					      repeat ? GOOS_KEY_REPEAT : GOOS_KEY_PRESS };
	return 1;
}

/* Keys that send ESC [ ... as the Linux console does. */
static const char *sequence(uint16_t key, uint32_t mods)
{
	bool num = mods & GOOS_KEYMOD_NUMLOCK;

	switch (key) {
	case KEY_UP: return "\033[A";
	case KEY_DOWN: return "\033[B";
	case KEY_RIGHT: return "\033[C";
	case KEY_LEFT: return "\033[D";
	case KEY_HOME: return "\033[1~";
	case KEY_INSERT: return "\033[2~";
	case KEY_DELETE: return "\033[3~";
	case KEY_END: return "\033[4~";
	case KEY_PAGEUP: return "\033[5~";
	case KEY_PAGEDOWN: return "\033[6~";
	case KEY_F1: return "\033[[A";
	case KEY_F1 + 1: return "\033[[B";
	case KEY_F1 + 2: return "\033[[C";
	case KEY_F1 + 3: return "\033[[D";
	case KEY_F1 + 4: return "\033[[E";
	case KEY_F1 + 5: return "\033[17~";
	case KEY_F1 + 6: return "\033[18~";
	case KEY_F1 + 7: return "\033[19~";
	case KEY_F1 + 8: return "\033[20~";
	case KEY_F10: return "\033[21~";
	case KEY_F11: return "\033[23~";
	case KEY_F12: return "\033[24~";
	/* The keypad without NumLock: the navigation keys. */
	case KEY_KP7: return num ? NULL : "\033[1~";
	case KEY_KP8: return num ? NULL : "\033[A";
	case KEY_KP9: return num ? NULL : "\033[5~";
	case KEY_KP4: return num ? NULL : "\033[D";
	case KEY_KP5: return num ? NULL : "\033[G";
	case KEY_KP6: return num ? NULL : "\033[C";
	case KEY_KP1: return num ? NULL : "\033[4~";
	case KEY_KP2: return num ? NULL : "\033[B";
	case KEY_KP3: return num ? NULL : "\033[6~";
	case KEY_KP0: return num ? NULL : "\033[2~";
	case KEY_KPDOT: return num ? NULL : "\033[3~";
	}
	return NULL;
}

/* The character a key types with these modifiers, 0 if none. */
static uint32_t character(uint16_t key, uint32_t mods)
{
	static const char keypad[] = "789-456+1230.";
	bool shift = mods & GOOS_KEYMOD_SHIFT;
	char c = 0;

	if (key < sizeof(plain)) {
		c = shift ? shifted[key] : plain[key];
		/* CapsLock inverts the case of letters only. */
		if ((mods & GOOS_KEYMOD_CAPSLOCK) && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			c ^= 0x20;
	} else if (key >= KEY_KP7 && key <= KEY_KPDOT) {
		c = keypad[key - KEY_KP7];
	} else if (key == KEY_KPENTER) {
		c = '\r';
	} else if (key == KEY_KPSLASH) {
		c = '/';
	} else if (key == KEY_102ND) {
		c = shift ? '>' : '<';
	}
	if (!c || !(mods & GOOS_KEYMOD_CTRL))
		return (uint8_t)c;
	/* Control: letters and @[\]^_ to C0; the usual extras as on Linux. */
	if (c >= 'a' && c <= 'z')
		return (uint32_t)(c - 'a' + 1);
	if (c >= '@' && c <= '_')
		return (uint32_t)(c - '@');
	switch (c) {
	case ' ': case '2': return 0;           /* NUL: no character to report */
	case '3': return 0x1b;
	case '4': return 0x1c;
	case '5': return 0x1d;
	case '6': return 0x1e;
	case '7': case '/': case '-': return 0x1f;
	case '8': case '\x7f': return 0x7f;
	case '~': case '`': return 0;
	}
	return (uint8_t)c;
}

size_t keymap_bytes(const struct keymap_event *ev, bool app_cursor, char *buf, uint32_t *ch)
{
	size_t n = 0;

	*ch = 0;
	if (ev->value == GOOS_KEY_RELEASE)
		return 0;
	const char *seq = sequence(ev->keycode, ev->mods);
	if (seq) {
		while (*seq && n < KEYMAP_MAX_BYTES)
			buf[n++] = *seq++;
		/* Application cursor keys: the four arrows as ESC O x. */
		if (app_cursor && n == 3 && buf[1] == '[' && buf[2] >= 'A' && buf[2] <= 'D')
			buf[1] = 'O';
		return n;
	}
	uint32_t c = character(ev->keycode, ev->mods);
	bool nul = (ev->mods & GOOS_KEYMOD_CTRL) &&
		   (ev->keycode == KEY_SPACE || ev->keycode == KEY_1 + 1);    /* Ctrl-Space, Ctrl-2 */
	if (!c && !nul)
		return 0;
	if (ev->mods & GOOS_KEYMOD_ALT)
		buf[n++] = '\033';      /* Meta sends an escape prefix */
	buf[n++] = (char)c;             /* NUL for those two */
	*ch = c;
	return n;
}

uint8_t keymap_leds(uint32_t mods)
{
	return (uint8_t)((mods & GOOS_KEYMOD_SCROLLLOCK ? 1 : 0) |
			 (mods & GOOS_KEYMOD_NUMLOCK ? 2 : 0) |
			 (mods & GOOS_KEYMOD_CAPSLOCK ? 4 : 0));
}
