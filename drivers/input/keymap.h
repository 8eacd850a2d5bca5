/*
 * PS/2 keyboard decoding without hardware: scancode set 1 bytes (what an
 * i8042 sends with translation on) to key events, and key events to what
 * a Linux console would type with the US layout. drivers/input/ps2kbd.c
 * feeds it from the interrupt; tests/unit/test_keymap.c from a table.
 */
#pragma once

#include <kernel/types.h>

/* Linux's KEY_* numbers (input-event-codes.h) for the keys we name. */
enum {
	KEY_ESC = 1, KEY_1 = 2, KEY_0 = 11, KEY_MINUS = 12, KEY_EQUAL = 13,
	KEY_BACKSPACE = 14, KEY_TAB = 15, KEY_Q = 16, KEY_LEFTBRACE = 26,
	KEY_RIGHTBRACE = 27, KEY_ENTER = 28, KEY_LEFTCTRL = 29, KEY_A = 30,
	KEY_SEMICOLON = 39, KEY_APOSTROPHE = 40, KEY_GRAVE = 41, KEY_LEFTSHIFT = 42,
	KEY_BACKSLASH = 43, KEY_Z = 44, KEY_SLASH = 53, KEY_RIGHTSHIFT = 54,
	KEY_KPASTERISK = 55, KEY_LEFTALT = 56, KEY_SPACE = 57, KEY_CAPSLOCK = 58,
	KEY_F1 = 59, KEY_F10 = 68, KEY_NUMLOCK = 69, KEY_SCROLLLOCK = 70,
	KEY_KP7 = 71, KEY_KP8, KEY_KP9, KEY_KPMINUS, KEY_KP4, KEY_KP5, KEY_KP6,
	KEY_KPPLUS, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP0, KEY_KPDOT = 83,
	KEY_102ND = 86, KEY_F11 = 87, KEY_F12 = 88,
	KEY_KPENTER = 96, KEY_RIGHTCTRL = 97, KEY_KPSLASH = 98, KEY_SYSRQ = 99,
	KEY_RIGHTALT = 100, KEY_HOME = 102, KEY_UP = 103, KEY_PAGEUP = 104,
	KEY_LEFT = 105, KEY_RIGHT = 106, KEY_END = 107, KEY_DOWN = 108,
	KEY_PAGEDOWN = 109, KEY_INSERT = 110, KEY_DELETE = 111, KEY_PAUSE = 119,
	KEY_LEFTMETA = 125, KEY_RIGHTMETA = 126, KEY_COMPOSE = 127,
	KEYMAP_MAX_KEYCODE = 128,
};

struct keymap_event {
	uint16_t keycode;               /* KEY_* */
	uint8_t value;                  /* GOOS_KEY_RELEASE, _PRESS, _REPEAT */
	uint32_t mods;                  /* GOOS_KEYMOD_* after the event */
};

struct keymap_state {
	uint8_t prefix;                 /* 0, 0xe0, or 0xe1 (Pause) */
	uint8_t skip;                   /* bytes of a Pause sequence still to drop */
	uint32_t mods;                  /* GOOS_KEYMOD_* */
	unsigned shift_down, ctrl_down, meta_down;      /* keys held, left + right */
	uint8_t down[KEYMAP_MAX_KEYCODE / 8];
};

/* Start with NumLock on (keypad digits type digits), nothing held. */
void keymap_init(struct keymap_state *st);

/* One byte from the keyboard: 1 and *ev filled when it completes a key
 * event, 0 when it was a prefix or ignored. Tracks the modifiers; a make
 * code for a key already down is a REPEAT. */
int keymap_scancode(struct keymap_state *st, uint8_t byte, struct keymap_event *ev);

/* What the event types, as the Linux console does it: the bytes for the
 * terminal (characters, ESC [ A for the arrows, ESC O A with
 * app_cursor (DECCKM)...; ESC first with Alt) in buf (at least
 * KEYMAP_MAX_BYTES), their count returned; *ch the one character for the
 * keyboard channel (0 if none). Releases type nothing. */
#define KEYMAP_MAX_BYTES 8
size_t keymap_bytes(const struct keymap_event *ev, bool app_cursor, char *buf, uint32_t *ch);

/* The LED mask for the keyboard's Set LEDs command (0xED) for mods. */
uint8_t keymap_leds(uint32_t mods);
