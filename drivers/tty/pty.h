/* Pseudo-terminals: /dev/ptmx and devpts (drivers/tty/pty.c). */
#pragma once

/* Register /dev/ptmx (5:2), the slaves (136:N) and the devpts file system. */
void pty_init(void);
