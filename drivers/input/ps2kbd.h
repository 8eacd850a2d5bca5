/* The i8042 PS/2 keyboard (drivers/input/ps2kbd.c). */
#pragma once

/* Find and set up the controller and keyboard, route IRQ 1; keys then go
 * to the keyboard channel and the console. After keyboard_init(). */
void ps2kbd_init(void);
