/*
 * Host tests of drivers/input/keymap.c: set 1 scancode bytes to key
 * events (make/break, E0 keys, fake shifts, Pause, repeats, stray
 * releases), modifier and lock state, and the bytes each key types as the
 * Linux console would (US layout, Ctrl, Alt as ESC prefix, CapsLock,
 * NumLock on the keypad, the arrow and editing keys' escape sequences).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <drivers/input/keymap.h>
#include <uapi/goos/chan.h>

/* Feed bytes; return the bytes typed by all events, and the last event. */
static struct keymap_event last;
static unsigned nevents;
static char typed[256];
static uint32_t last_ch;
static bool app_cursor;

static void feed(struct keymap_state *st, const uint8_t *b, size_t n)
{
	size_t k = strlen(typed);
	for (size_t i = 0; i < n; i++) {
		struct keymap_event ev;
		if (!keymap_scancode(st, b[i], &ev))
			continue;
		last = ev;
		nevents++;
		char buf[KEYMAP_MAX_BYTES];
		size_t m = keymap_bytes(&ev, app_cursor, buf, &last_ch);
		assert_true(m <= KEYMAP_MAX_BYTES);
		assert_true(k + m < sizeof(typed));
		memcpy(typed + k, buf, m);
		k += m;
		typed[k] = 0;
	}
}

#define FEED(st, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; feed(st, b_, sizeof(b_)); } while (0)

static void reset(struct keymap_state *st)
{
	keymap_init(st);
	memset(typed, 0, sizeof(typed));
	nevents = 0;
}

static void test_make_break(void **state)
{
	struct keymap_state st;
	reset(&st);
	FEED(&st, 0x1e);                /* a down */
	assert_int_equal(last.keycode, KEY_A);
	assert_int_equal(last.value, GOOS_KEY_PRESS);
	assert_int_equal(last_ch, 'a');
	FEED(&st, 0x9e);                /* a up */
	assert_int_equal(last.value, GOOS_KEY_RELEASE);
	assert_int_equal(last_ch, 0);
	FEED(&st, 0x1e, 0x1e, 0x1e, 0x9e);   /* held: repeats */
	assert_int_equal(nevents, 2 + 4);
	assert_string_equal(typed, "aaaa");
	FEED(&st, 0x9e);                /* a release never pressed: nothing */
	assert_int_equal(nevents, 6);
	FEED(&st, 0xfa, 0xfe, 0x00, 0xff, 0x54, 0x7f); /* answers, errors, unknown */
	assert_int_equal(nevents, 6);
}

static void test_repeat_value(void **state)
{
	struct keymap_state st;
	reset(&st);
	FEED(&st, 0x1e);
	FEED(&st, 0x1e);
	assert_int_equal(last.value, GOOS_KEY_REPEAT);
	assert_int_equal(last_ch, 'a');
}

static void test_shift_ctrl_alt(void **state)
{
	struct keymap_state st;
	reset(&st);
	FEED(&st, 0x2a, 0x30, 0xb0, 0x02, 0x82, 0xaa, 0x30, 0xb0);    /* shift b 1, b */
	assert_string_equal(typed, "B!b");
	assert_false(last.mods & GOOS_KEYMOD_SHIFT);
	/* Both shifts, one released: still shifted. */
	FEED(&st, 0x2a, 0x36, 0xaa, 0x1f, 0x9f, 0xb6, 0x1f, 0x9f);
	assert_string_equal(typed, "B!bSs");
	reset(&st);
	FEED(&st, 0x1d, 0x2e, 0xae, 0x9d);     /* ctrl-c */
	assert_int_equal(typed[0], 3);
	FEED(&st, 0xe0, 0x1d, 0x1a, 0x9a, 0xe0, 0x9d);  /* right ctrl-[ */
	assert_int_equal(typed[1], 0x1b);
	assert_int_equal(strlen(typed), 2);
	FEED(&st, 0x38, 0x2d, 0xad, 0xb8);     /* alt-x */
	assert_string_equal(typed + 2, "\033x");
	assert_int_equal(last.mods & GOOS_KEYMOD_ALT, 0);
	reset(&st);
	FEED(&st, 0x1d, 0x39, 0xb9, 0x9d);     /* ctrl-space: NUL */
	assert_int_equal(nevents, 4);
	assert_int_equal(strlen(typed), 0);
	assert_int_equal(last_ch, 0);
	FEED(&st, 0x1d, 0x03, 0x83, 0x04, 0x84, 0x9d);     /* ctrl-2 NUL, ctrl-3 ESC */
	assert_int_equal(typed[0], 0);
	assert_int_equal(typed[1], 0x1b);
}

static void test_special_keys(void **state)
{
	struct keymap_state st;
	reset(&st);
	FEED(&st, 0x1c, 0x9c, 0x0e, 0x8e, 0x0f, 0x8f, 0x01, 0x81);
	assert_string_equal(typed, "\r\x7f\t\033");
}

static void test_capslock(void **state)
{
	struct keymap_state st;
	reset(&st);
	FEED(&st, 0x3a, 0xba, 0x1e, 0x9e, 0x02, 0x82);
	assert_true(last.mods & GOOS_KEYMOD_CAPSLOCK);
	assert_string_equal(typed, "A1");       /* letters only */
	FEED(&st, 0x2a, 0x1e, 0x9e, 0xaa);      /* shift undoes it */
	assert_string_equal(typed, "A1a");
	FEED(&st, 0x3a, 0x3a, 0xba);            /* a held CapsLock toggles once */
	assert_false(last.mods & GOOS_KEYMOD_CAPSLOCK);
	assert_int_equal(keymap_leds(GOOS_KEYMOD_CAPSLOCK | GOOS_KEYMOD_NUMLOCK), 6);
	assert_int_equal(keymap_leds(GOOS_KEYMOD_SCROLLLOCK), 1);
}

static void test_extended_keys(void **state)
{
	struct keymap_state st;
	reset(&st);
	FEED(&st, 0xe0, 0x48, 0xe0, 0xc8);
	assert_int_equal(last.keycode, KEY_UP);
	assert_string_equal(typed, "\033[A");
	reset(&st);
	FEED(&st, 0xe0, 0x50, 0xe0, 0xd0, 0xe0, 0x4d, 0xe0, 0xcd, 0xe0, 0x4b, 0xe0, 0xcb,
	     0xe0, 0x47, 0xe0, 0xc7, 0xe0, 0x4f, 0xe0, 0xcf, 0xe0, 0x49, 0xe0, 0xc9,
	     0xe0, 0x51, 0xe0, 0xd1, 0xe0, 0x52, 0xe0, 0xd2, 0xe0, 0x53, 0xe0, 0xd3);
	assert_string_equal(typed, "\033[B\033[C\033[D\033[1~\033[4~\033[5~\033[6~\033[2~\033[3~");
	assert_int_equal(nevents, 18);
	/* Application cursor keys: arrows as ESC O x, the rest unchanged. */
	reset(&st);
	app_cursor = true;
	FEED(&st, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x4b, 0xe0, 0xcb, 0xe0, 0x47, 0xe0, 0xc7);
	app_cursor = false;
	assert_string_equal(typed, "\033OA\033OD\033[1~");
	/* Fake shifts around an arrow (NumLock on) are dropped. */
	reset(&st);
	FEED(&st, 0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0xaa);
	assert_int_equal(nevents, 2);
	assert_false(last.mods & GOOS_KEYMOD_SHIFT);
	/* Right alt is AltGr, not Alt: no ESC prefix. */
	reset(&st);
	FEED(&st, 0xe0, 0x38, 0x1e, 0x9e, 0xe0, 0xb8);
	assert_string_equal(typed, "a");
	/* The keypad's Enter and slash. */
	reset(&st);
	FEED(&st, 0xe0, 0x1c, 0xe0, 0x9c, 0xe0, 0x35, 0xe0, 0xb5);
	assert_string_equal(typed, "\r/");
	/* Function keys. */
	reset(&st);
	FEED(&st, 0x3b, 0xbb, 0x58, 0xd8);
	assert_string_equal(typed, "\033[[A\033[24~");
}

static void test_keypad_numlock(void **state)
{
	struct keymap_state st;
	reset(&st);
	FEED(&st, 0x47, 0xc7, 0x4e, 0xce, 0x53, 0xd3);  /* 7 + . */
	assert_string_equal(typed, "7+.");
	FEED(&st, 0x45, 0xc5, 0x48, 0xc8);              /* NumLock off, 8: up */
	assert_string_equal(typed, "7+.\033[A");
	assert_false(last.mods & GOOS_KEYMOD_NUMLOCK);
}

static void test_pause(void **state)
{
	struct keymap_state st;
	reset(&st);
	FEED(&st, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e);
	assert_int_equal(nevents, 2);
	assert_int_equal(last.keycode, KEY_A);
	assert_string_equal(typed, "a");
}

/* Any byte stream: bounded output, state consistent. */
static void test_random_bytes(void **state)
{
	struct keymap_state st;
	keymap_init(&st);
	srand(99);
	for (int i = 0; i < 200000; i++) {
		struct keymap_event ev;
		uint8_t b = (uint8_t)rand();
		if (keymap_scancode(&st, b, &ev)) {
			char buf[KEYMAP_MAX_BYTES];
			uint32_t ch;
			assert_true(ev.keycode > 0 && ev.keycode < KEYMAP_MAX_KEYCODE);
			assert_true(ev.value <= GOOS_KEY_REPEAT);
			assert_true(keymap_bytes(&ev, b & 1, buf, &ch) <= KEYMAP_MAX_BYTES);
			assert_true(ch < 0x80);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_break),
		cmocka_unit_test(test_repeat_value),
		cmocka_unit_test(test_shift_ctrl_alt),
		cmocka_unit_test(test_special_keys),
		cmocka_unit_test(test_capslock),
		cmocka_unit_test(test_extended_keys),
		cmocka_unit_test(test_keypad_numlock),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
