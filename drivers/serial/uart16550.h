/* 16550 UART (COM1) console. */
#pragma once

void uart_early_init(void);
