/* Linux's termios ABI (x86-64): struct termios as the TCGETS family passes
 * it, struct termios2 (TCGETS2), struct winsize, the flag bits, c_cc
 * indices and the tty ioctl numbers. Facts from the Linux ABI. */
#pragma once

#include <kernel/types.h>

#define NCCS_K 19

struct termios_k {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS_K];
};
_Static_assert(sizeof(struct termios_k) == 36, "Linux struct termios (TCGETS)");

struct termios2_k {
	struct termios_k t;
	uint32_t c_ispeed, c_ospeed;
};
_Static_assert(sizeof(struct termios2_k) == 44, "Linux struct termios2 (TCGETS2)");

struct winsize_k {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* c_cc indices */
enum { VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC, VSTART, VSTOP,
       VSUSP, VEOL, VREPRINT, VDISCARD, VWERASE, VLNEXT, VEOL2 };

/* c_iflag */
#define ISTRIP  0000040
#define INLCR   0000100
#define IGNCR   0000200
#define ICRNL   0000400
#define IXON    0002000
#define IXANY   0004000
/* c_oflag */
#define OPOST   0000001
#define ONLCR   0000004
#define OCRNL   0000010
#define ONOCR   0000020
#define ONLRET  0000040
/* c_cflag */
#define CBAUD   0010017
#define B38400  0000017
#define CS8     0000060
#define CREAD   0000200
#define HUPCL   0002000
/* c_lflag */
#define ISIG    0000001
#define ICANON  0000002
#define ECHO    0000010
#define ECHOE   0000020
#define ECHOK   0000040
#define ECHONL  0000100
#define NOFLSH  0000200
#define TOSTOP  0000400
#define ECHOCTL 0001000
#define ECHOPRT 0002000
#define ECHOKE  0004000
#define IEXTEN  0100000

/* ioctls */
#define TCGETS      0x5401
#define TCSETS      0x5402
#define TCSETSW     0x5403
#define TCSETSF     0x5404
#define TCSBRK      0x5409
#define TCXONC      0x540A
#define TCFLSH      0x540B
#define TIOCEXCL    0x540C
#define TIOCNXCL    0x540D
#define TIOCSCTTY   0x540E
#define TIOCGPGRP   0x540F
#define TIOCSPGRP   0x5410
#define TIOCOUTQ    0x5411
#define TIOCGWINSZ  0x5413
#define TIOCSWINSZ  0x5414
#define TIOCINQ     0x541B
#define TIOCNOTTY   0x5422
#define TIOCGETD    0x5424
#define TCSBRKP     0x5425
#define TIOCGSID    0x5429
#define TCGETS2     0x802C542A
#define TCSETS2     0x402C542B
#define TCSETSW2    0x402C542C
#define TCSETSF2    0x402C542D
#define TIOCGPTN    0x80045430
#define TIOCSPTLCK  0x40045431
#define TIOCGPTLCK  0x80045439
#define TIOCGPTPEER 0x5441

/* TCXONC and TCFLSH arguments */
#define TCOOFF 0
#define TCOON  1
#define TCIOFF 2
#define TCION  3
#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2
