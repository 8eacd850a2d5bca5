/*
 * The PS/2 keyboard end to end, run as init by scripts/testrun.py's
 * kbd-ps2 boot: it subscribes to the kernel's keyboard channel (one
 * channel for the full event, one sized for the 16-byte layout older
 * programs use), prints "kbd_ps2: ready keys", and the harness then types
 * through QEMU's monitor (sendkey):
 *
 *   a  shift-b  up  caps_lock  c  caps_lock  shift-c  alt-x  ret
 *
 * It reads events up to the release of Return and the console's bytes up
 * to the '\r' the Return key types, and checks press/release, key codes,
 * modifiers, characters, and the bytes a Linux console would have typed.
 * Prints "kbd_ps2: ok NAME" or "kbd_ps2: not ok NAME: why" per check and
 * exits with the number of failures. Then, with a framebuffer console, it
 * turns on application cursor keys (the harness types up and Return
 * again: ESC O A), and asks the terminal for the cursor position (CSI 6n)
 * and reads the answer back from the console. No timeouts here: if keys or answers never come, the
 * harness's boot times out.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/klog.h>
#include "../../user/libgoos/chan.h"

/* Linux KEY_* numbers (input-event-codes.h). */
#define KEY_X 45
#define KEY_A 30
#define KEY_B 48
#define KEY_C 46
#define KEY_ENTER 28
#define KEY_LEFTSHIFT 42
#define KEY_LEFTALT 56
#define KEY_CAPSLOCK 58
#define KEY_UP 103

#define MAX_EVENTS 64

static int failures;

static void check(const char *name, int ok, const char *why)
{
	if (ok)
		printf("kbd_ps2: ok %s\n", name);
	else
		printf("kbd_ps2: not ok %s: %s\n", name, why);
	failures += !ok;
}

static struct goos_key_event events[MAX_EVENTS];
static unsigned nevents;

/* The index of the n-th (from 0) event for key with value, or -1. */
static int find(unsigned key, unsigned value, unsigned nth)
{
	for (unsigned i = 0; i < nevents; i++)
		if (events[i].keycode == key && events[i].value == value && nth-- == 0)
			return (int)i;
	return -1;
}

static void print_events(void)
{
	for (unsigned i = 0; i < nevents; i++)
		printf("#   event %u: key %u value %u code %#x mods %#x source %u\n", i,
		       events[i].keycode, events[i].value, events[i].code, events[i].mods,
		       events[i].source);
}

static int subscribe(int kb, unsigned max_msg)
{
	int mine = goos_chan_create(max_msg, MAX_EVENTS, 0);
	if (mine < 0 || goos_send_fd(kb, mine) != 0)
		return -1;
	return mine;
}

/* Read console bytes up to and including stop. */
static size_t read_until(char *buf, size_t cap, char stop)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(0, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (buf[n - 1] == stop)
			break;
	}
	return n;
}

/* The framebuffer console's size from the kernel's "fbcon: ... CxR cells"
 * line; false without one. */
static bool fb_size(unsigned *rows, unsigned *cols)
{
	static char log[1 << 16];
	int n = klogctl(3, log, sizeof(log) - 1);       /* SYSLOG_ACTION_READ_ALL */
	char *p = n > 0 ? (log[n] = 0, strstr(log, "fbcon: ")) : NULL;
	char *cells = p ? strstr(p, " cells") : NULL;

	*rows = *cols = 0;
	if (cells) {
		while (cells > p && cells[-1] != ' ')
			cells--;
		sscanf(cells, "%ux%u", cols, rows);
	}
	return *rows && *cols;
}

/* CSI ? 1 h on the framebuffer terminal: the up arrow then types ESC O A
 * (the harness types up, Return after the "ready app-cursor" line). */
static void check_app_cursor(void)
{
	char got[32];
	printf("\033[?1hkbd_ps2: ready app-cursor\n");
	size_t n = read_until(got, sizeof(got), '\r');
	check("app-cursor-keys", n == 4 && memcmp(got, "\033OA\r", 4) == 0, "up is not ESC O A");
	printf("\033[?1l");           /* back to ESC [ A */
}

/* The framebuffer terminal answers a cursor position report as input:
 * written to the console, read back from it. */
static void check_dsr(unsigned rows, unsigned cols)
{
	char want[64], got[64];
	printf("\033[5;7H\033[6n");
	size_t k = read_until(got, sizeof(got), 'R');
	printf("\n");                  /* the harness reads results line by line */
	check("dsr-reply", k == 6 && memcmp(got, "\033[5;7R", 6) == 0, "not ESC[5;7R");
	/* How busybox asks for the size: the far corner, then a report. */
	printf("\033[999;999H\033[6n\033[H\033[2J");
	int w = snprintf(want, sizeof(want), "\033[%u;%uR", rows, cols);
	k = read_until(got, sizeof(got), 'R');
	printf("\n");
	check("dsr-size", k == (size_t)w && memcmp(got, want, k) == 0, "not the screen's size");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int kb = goos_chan_open(GOOS_KEYBOARD_CHANNEL, GOOS_CHAN_WRONLY);
	int full = kb >= 0 ? subscribe(kb, sizeof(struct goos_key_event)) : -1;
	int old = kb >= 0 ? subscribe(kb, 16) : -1;
	check("subscribe", full >= 0 && old >= 0, "chan_open / chan_create / send failed");
	if (full < 0 || old < 0)
		return 1;
	/* Ready once the kernel thread took both subscriptions. */
	struct goos_chan_info info;
	while (goos_chan_info(kb, &info) == 0 && info.queued)
		usleep(1000);

	/* Raw console input, if the console has termios (else it is raw already). */
	struct termios t;
	if (tcgetattr(0, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
	}
	printf("kbd_ps2: ready keys\n");

	for (;;) {
		struct goos_key_event ev;
		struct goos_msg m = goos_msg_bytes(&ev, sizeof(ev));
		if (goos_chan_recv(full, &m, 0, NULL) != 1 || m.len != sizeof(ev)) {
			check("receive", 0, "chan_recv failed or short");
			return 1;
		}
		if (nevents < MAX_EVENTS)
			events[nevents++] = ev;
		if (ev.keycode == KEY_ENTER && ev.value == GOOS_KEY_RELEASE)
			break;
	}
	print_events();

	int ok = 1;
	for (unsigned i = 0; i < nevents; i++)
		ok &= events[i].source == GOOS_KEY_PS2 && events[i].reserved1 == 0 &&
		      events[i].time_ns > 0 && (i == 0 || events[i].time_ns >= events[i - 1].time_ns);
	check("source-and-time", ok, "an event not from PS/2, or time going back");

	int a_down = find(KEY_A, GOOS_KEY_PRESS, 0), a_up = find(KEY_A, GOOS_KEY_RELEASE, 0);
	check("a-press-release", a_down >= 0 && a_up > a_down && events[a_down].code == 'a' &&
	      events[a_up].code == 0 && !(events[a_down].mods & GOOS_KEYMOD_SHIFT),
	      "no press 'a' then release");

	int sh_down = find(KEY_LEFTSHIFT, GOOS_KEY_PRESS, 0);
	int sh_up = find(KEY_LEFTSHIFT, GOOS_KEY_RELEASE, 0);
	int b_down = find(KEY_B, GOOS_KEY_PRESS, 0), b_up = find(KEY_B, GOOS_KEY_RELEASE, 0);
	check("shift-b", sh_down >= 0 && b_down > sh_down && sh_up > b_down && b_up > b_down &&
	      events[b_down].code == 'B' && (events[b_down].mods & GOOS_KEYMOD_SHIFT) &&
	      !(events[sh_up].mods & GOOS_KEYMOD_SHIFT),
	      "shift not held around B, or B not 'B'");

	int up = find(KEY_UP, GOOS_KEY_PRESS, 0);
	check("up-arrow", up >= 0 && events[up].code == 0 && find(KEY_UP, GOOS_KEY_RELEASE, 0) > up,
	      "no press/release of KEY_UP with no character");

	int c1 = find(KEY_C, GOOS_KEY_PRESS, 0), c2 = find(KEY_C, GOOS_KEY_PRESS, 1);
	check("capslock", c1 >= 0 && events[c1].code == 'C' &&
	      (events[c1].mods & GOOS_KEYMOD_CAPSLOCK) && find(KEY_CAPSLOCK, GOOS_KEY_PRESS, 1) >= 0,
	      "c with CapsLock on is not 'C'");
	check("capslock-shift", c2 > c1 && events[c2].code == 'C' &&
	      !(events[c2].mods & GOOS_KEYMOD_CAPSLOCK) && (events[c2].mods & GOOS_KEYMOD_SHIFT),
	      "shift-c after CapsLock off is not 'C'");

	int x = find(KEY_X, GOOS_KEY_PRESS, 0);
	check("alt-x", x >= 0 && events[x].code == 'x' && (events[x].mods & GOOS_KEYMOD_ALT) &&
	      find(KEY_LEFTALT, GOOS_KEY_RELEASE, 0) > x, "alt-x not 'x' with ALT");

	/* The same events, cut to 16 bytes, on the old-layout channel. */
	unsigned same = 0, n16 = 0;
	for (;;) {
		unsigned char buf[32];
		struct goos_msg m = goos_msg_bytes(buf, sizeof(buf));
		struct timespec zero = { 0, 0 };
		if (goos_chan_recv(old, &m, 0, &zero) != 1)
			break;
		if (m.len == 16 && !(m.flags & GOOS_MSG_TRUNC) && n16 < nevents &&
		    memcmp(buf, &events[n16], 16) == 0)
			same++;
		n16++;
	}
	char why[96];
	snprintf(why, sizeof(why), "%u of %u 16-byte events match the %u full ones", same, n16, nevents);
	check("old-layout-subscriber", same == nevents && n16 == nevents, why);

	/* What the console read: the bytes a Linux console types. */
	static const char want[] = "aB\033[ACC\033x\r";
	char got[64];
	size_t n = 0;
	while (n < sizeof(got)) {
		ssize_t r = read(0, got + n, sizeof(got) - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (got[n - 1] == '\r')
			break;
	}
	char shown[200];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 5 < sizeof(shown); i++)
		k += (size_t)snprintf(shown + k, sizeof(shown) - k,
				      got[i] >= 0x20 && got[i] < 0x7f ? "%c" : "\\x%02x",
				      (unsigned char)got[i]);
	shown[k] = 0;
	check("console-bytes", n == strlen(want) && memcmp(got, want, n) == 0, shown);

	/* The terminal's side: only with a framebuffer console. */
	unsigned rows, cols;
	if (fb_size(&rows, &cols)) {
		check_app_cursor();
		check_dsr(rows, cols);
	} else {
		printf("# no framebuffer console: app-cursor and dsr checks skipped\n");
	}
	printf("kbd_ps2: done, %d failed\n", failures);
	return failures;
}
