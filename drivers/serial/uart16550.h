/* 16550 UART (COM1) console. */
#pragma once

#include <kernel/types.h>

void uart_early_init(void);
/* Deliver received bytes to handler (interrupt context). 0 or -errno. */
int uart_enable_rx(void (*handler)(uint8_t c));
