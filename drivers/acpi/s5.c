/*
 * Find the \_S5 (soft-off) sleep type values in the DSDT without an AML
 * interpreter, by pattern-matching the encoding ACPI 6.5 chapter 20 gives
 * for `Name (_S5, Package () { SLP_TYPa, SLP_TYPb, ... })`:
 *
 *   NameOp(0x08) ['\'] "_S5_" PackageOp(0x12) PkgLength NumElements elems...
 *
 * Limits, deliberately accepted: _S5 defined as a Method (returns a package
 * at run time), built from named constants, or only in an SSDT is not found;
 * if several _S5 objects exist (inside If blocks), the first in table order
 * wins. Every read is bounds-checked, so arbitrary bytes are safe input.
 */
#include <drivers/acpi/acpi.h>
#include <kernel/errno.h>
#include <kernel/string.h>

#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_NAME_OP     0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP  0x12
#define AML_ROOT_CHAR   0x5c            /* '\' */
#define AML_ONES_OP     0xff

/* Read one integer data object at p[*pos]; advances *pos. */
static int aml_integer(const uint8_t *p, size_t len, size_t *pos, uint64_t *val)
{
	size_t i = *pos, n;

	if (i >= len)
		return -EINVAL;
	switch (p[i]) {
	case AML_ZERO_OP: *val = 0; *pos = i + 1; return 0;
	case AML_ONE_OP: *val = 1; *pos = i + 1; return 0;
	case AML_ONES_OP: *val = ~0ull; *pos = i + 1; return 0;
	case AML_BYTE_PREFIX: n = 1; break;
	case AML_WORD_PREFIX: n = 2; break;
	case AML_DWORD_PREFIX: n = 4; break;
	case AML_QWORD_PREFIX: n = 8; break;
	default: return -EINVAL;
	}
	if (n > len - i - 1)
		return -EINVAL;
	*val = 0;
	for (size_t b = 0; b < n; b++)
		*val |= (uint64_t)p[i + 1 + b] << (8 * b);
	*pos = i + 1 + n;
	return 0;
}

/* Decode the package that should follow "_S5_" at p[pos]. */
static int s5_package(const uint8_t *p, size_t len, size_t pos,
		      uint8_t *typa, uint8_t *typb)
{
	uint64_t a, b;
	unsigned count;

	if (pos >= len || p[pos] != AML_PACKAGE_OP)
		return -EINVAL;
	pos++;
	if (pos >= len)
		return -EINVAL;
	/* PkgLength: bits 7:6 of the lead byte count the bytes that follow. */
	pos += 1 + (p[pos] >> 6);
	if (pos >= len)
		return -EINVAL;
	count = p[pos++];
	if (count < 1 || aml_integer(p, len, &pos, &a) != 0)
		return -EINVAL;
	/* SLP_TYPb defaults to SLP_TYPa when the package has one element. */
	if (count < 2 || aml_integer(p, len, &pos, &b) != 0)
		b = a;
	/* SLP_TYP is a 3-bit field of PM1 control. */
	*typa = a & 7;
	*typb = b & 7;
	return 0;
}

int acpi_find_s5(const void *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
	const uint8_t *p = aml;

	for (size_t i = 1; i + 4 <= len; i++) {
		bool named;

		if (memcmp(p + i, "_S5_", 4) != 0)
			continue;
		named = p[i - 1] == AML_NAME_OP ||
			(i >= 2 && p[i - 1] == AML_ROOT_CHAR && p[i - 2] == AML_NAME_OP);
		if (named && s5_package(p, len, i + 4, slp_typa, slp_typb) == 0)
			return 0;
	}
	return -ENOENT;
}
