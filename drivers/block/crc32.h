/* CRC-32 as in IEEE 802.3, zlib and the UEFI GPT (reflected polynomial
 * 0xedb88320, initial value and final xor all ones). Pure: host-testable. */
#pragma once

#include <kernel/types.h>

/* crc32(0, data, len) for one buffer; pass the previous result as crc to
 * continue over several buffers. */
uint32_t crc32(uint32_t crc, const void *data, size_t len);
