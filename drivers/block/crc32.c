/* CRC-32 (crc32.h), computed a bit at a time from a 16-entry table
 * (nibble-wise): small, and GPT headers are short. */
#include <drivers/block/crc32.h>

#define CRC32_POLY 0xedb88320u

static uint32_t nibble_crc(uint32_t v)
{
	for (int i = 0; i < 4; i++)
		v = (v >> 1) ^ (v & 1 ? CRC32_POLY : 0);
	return v;
}

uint32_t crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ nibble_crc(crc & 0xf);
		crc = (crc >> 4) ^ nibble_crc(crc & 0xf);
	}
	return ~crc;
}
