/*
 * Channels: the user ABI (docs/channels.md specifies every call). Go's
 * channels and select between processes, reached through descriptors.
 * Compiles with musl-gcc and in the kernel; layouts are fixed below.
 */
#ifndef _UAPI_GOOS_CHAN_H
#define _UAPI_GOOS_CHAN_H

#include <stdint.h>

/* System call numbers: well above Linux's range (1024..1055 channels,
 * 1056..1087 the object space, ipc/objspace.h). */
#define GOOS_NR_chan_create    1024
#define GOOS_NR_chan_send      1025
#define GOOS_NR_chan_recv      1026
#define GOOS_NR_chan_close     1027
#define GOOS_NR_chan_select    1028
#define GOOS_NR_chan_publish   1029
#define GOOS_NR_chan_unpublish 1030
#define GOOS_NR_chan_open      1031
#define GOOS_NR_chan_info      1032

/* Limits (EINVAL past them; EMSGSIZE for a message longer than the
 * channel's maximum). */
#define GOOS_CHAN_MAX_MSG      65536u  /* largest max_msg for chan_create */
#define GOOS_CHAN_MAX_CAP      4096u   /* largest buffered capacity */
#define GOOS_MSG_MAX_FDS       16u     /* descriptors in one message */
#define GOOS_MSG_MAX_RANGES    16u     /* owned ranges in one message */
#define GOOS_SELECT_MAX        64u     /* cases in one chan_select */
#define GOOS_CHAN_NAME_MAX     64u     /* published name, with its NUL */

/* chan_create / chan_open flags (Linux's O_* values). */
#define GOOS_CHAN_NONBLOCK     04000           /* O_NONBLOCK */
#define GOOS_CHAN_CLOEXEC      02000000        /* O_CLOEXEC */
/* chan_open access (Linux's O_ACCMODE values). */
#define GOOS_CHAN_RDONLY       0               /* may receive */
#define GOOS_CHAN_WRONLY       1               /* may send */
#define GOOS_CHAN_RDWR         2

/* chan_send / chan_recv / chan_select flags. */
#define GOOS_CHAN_DONTWAIT     0x40            /* MSG_DONTWAIT: EAGAIN instead of blocking */

/* goos_msg.flags: in, for a receive. */
#define GOOS_MSG_ISOLATE       0x1     /* received ranges on pages nobody else can write */
#define GOOS_MSG_CMSG_CLOEXEC  0x2     /* received descriptors get FD_CLOEXEC */
/* goos_msg.flags: out, after a receive. */
#define GOOS_MSG_TRUNC         0x100   /* data longer than the buffer: cut */
#define GOOS_MSG_CTRUNC        0x200   /* more descriptors/ranges than room: the rest dropped */

/* An owned range [addr, addr+len) in the object space (ipc/objspace.h). */
struct goos_range {
	uint64_t addr;
	uint64_t len;
};

/* One message, described by the caller. Send: data/len, fds/nfds,
 * ranges/nranges are read. Receive: data/len, fds/nfds, ranges/nranges are
 * buffers and their capacities; on return len, nfds, nranges say what
 * arrived (len the message's full length even if cut) and flags has
 * GOOS_MSG_TRUNC / GOOS_MSG_CTRUNC. */
struct goos_msg {
	uint64_t data;          /* void * */
	uint64_t fds;           /* int * */
	uint64_t ranges;        /* struct goos_range * */
	uint32_t len;
	uint32_t nfds;
	uint32_t nranges;
	uint32_t flags;
};

/* One case of chan_select. */
#define GOOS_SELECT_RECV       1
#define GOOS_SELECT_SEND       2
struct goos_select_case {
	int32_t fd;
	uint32_t op;            /* GOOS_SELECT_RECV or GOOS_SELECT_SEND */
	uint64_t msg;           /* struct goos_msg * */
	int32_t result;         /* out, the chosen case: recv 1 message, 0 end of channel */
	uint32_t reserved;      /* must be 0 */
};

/* chan_info: a channel's state now. */
struct goos_chan_info {
	uint32_t max_msg;
	uint32_t capacity;
	uint32_t queued;        /* buffered messages */
	uint32_t closed;        /* chan_close was called */
	uint32_t handles;       /* open descriptions (files) on it */
	uint32_t published;     /* names it is published under */
	uint32_t recv_waiting;  /* blocked receivers (tasks in chan_recv/chan_select) */
	uint32_t send_waiting;
};

/* The kernel's keyboard channel, published as GOOS_KEYBOARD_CHANNEL (mode
 * 0222: anyone may send). A program subscribes by sending it a message
 * carrying one channel descriptor (opened for sending); the kernel then
 * sends that channel one struct goos_key_event per key event, without
 * blocking (events that find no room in a full channel are dropped: use a
 * buffered one). Each event is cut to the subscriber channel's max_msg,
 * so a channel made for the first 16 bytes (the layout before keycode was
 * added) keeps working. A subscription ends when the channel is closed
 * (chan_close) or the kernel is the last holder of it. */
#define GOOS_KEYBOARD_CHANNEL  "keyboard"
#define GOOS_KEY_SERIAL        0x1     /* goos_key_event.source: the serial port */
#define GOOS_KEY_PS2           0x2     /* goos_key_event.source: the i8042 PS/2 keyboard */

/* goos_key_event.value, as Linux's input_event.value for EV_KEY. */
#define GOOS_KEY_RELEASE       0
#define GOOS_KEY_PRESS         1
#define GOOS_KEY_REPEAT        2       /* typematic repeat of a key held down */

/* goos_key_event.mods: the modifier state after the event. */
#define GOOS_KEYMOD_SHIFT      0x01    /* either shift */
#define GOOS_KEYMOD_CTRL       0x02    /* either control */
#define GOOS_KEYMOD_ALT        0x04    /* left alt */
#define GOOS_KEYMOD_ALTGR      0x08    /* right alt */
#define GOOS_KEYMOD_META       0x10    /* either "Windows" key */
#define GOOS_KEYMOD_CAPSLOCK   0x20    /* locks: on */
#define GOOS_KEYMOD_NUMLOCK    0x40
#define GOOS_KEYMOD_SCROLLLOCK 0x80

struct goos_key_event {
	uint64_t time_ns;       /* CLOCK_MONOTONIC when it arrived */
	uint32_t code;          /* the character the key typed (Unicode; serial: the
				 * byte, escape sequences byte by byte); 0 for a
				 * release or a key that types no character */
	uint32_t source;        /* GOOS_KEY_* */
	/* From here on: PS/2 keys (serial bytes have keycode 0, value PRESS). */
	uint16_t keycode;       /* Linux's KEY_* number (input-event-codes.h): KEY_A = 30, KEY_UP = 103... */
	uint8_t value;          /* GOOS_KEY_RELEASE, _PRESS or _REPEAT */
	uint8_t reserved0;
	uint32_t mods;          /* GOOS_KEYMOD_* */
	uint64_t reserved1;     /* 0 */
};

_Static_assert(sizeof(struct goos_key_event) == 32, "goos_key_event layout");
_Static_assert(__builtin_offsetof(struct goos_key_event, keycode) == 16, "goos_key_event layout");
_Static_assert(sizeof(struct goos_range) == 16, "goos_range layout");
_Static_assert(sizeof(struct goos_msg) == 40, "goos_msg layout");
_Static_assert(__builtin_offsetof(struct goos_msg, len) == 24, "goos_msg layout");
_Static_assert(__builtin_offsetof(struct goos_msg, flags) == 36, "goos_msg layout");
_Static_assert(sizeof(struct goos_select_case) == 24, "goos_select_case layout");
_Static_assert(__builtin_offsetof(struct goos_select_case, msg) == 8, "goos_select_case layout");
_Static_assert(__builtin_offsetof(struct goos_select_case, result) == 16, "goos_select_case layout");
_Static_assert(sizeof(struct goos_chan_info) == 32, "goos_chan_info layout");

#endif
