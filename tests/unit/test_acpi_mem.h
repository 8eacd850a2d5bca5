/*
 * Host-test helpers for the ACPI parser: a fake physical address space made
 * of exact-size heap copies (so ASan catches any read past a table), a table
 * builder that fills in length and checksum, and a loader for captured tables.
 */
#pragma once

#include <drivers/acpi/acpi.h>

#define FAKE_MEM_REGIONS 32

struct fake_mem {
	struct {
		phys_addr_t pa;
		uint8_t *buf;
		size_t len;
	} r[FAKE_MEM_REGIONS];
	unsigned n;
};

/* Copies buf; the copy is freed by fake_mem_free(). */
void fake_mem_add(struct fake_mem *fm, phys_addr_t pa, const void *buf, size_t len);
void fake_mem_free(struct fake_mem *fm);
struct acpi_mapper fake_mem_mapper(struct fake_mem *fm);

/* Builds one table in a fixed buffer. */
struct tb {
	uint8_t buf[16384];
	size_t len;
};

void tb_header(struct tb *t, const char *sig, uint8_t revision);
void tb_u8(struct tb *t, uint8_t v);
void tb_u16(struct tb *t, uint16_t v);
void tb_u32(struct tb *t, uint32_t v);
void tb_u64(struct tb *t, uint64_t v);
void tb_bytes(struct tb *t, const void *p, size_t n);
/* Patch the header's length and checksum; returns t->len. */
size_t tb_finish(struct tb *t);
/* Make the byte sum zero over [0, len) by adjusting byte `at`. */
void fix_checksum(uint8_t *p, size_t len, size_t at);

/* Captured tables under tests/unit/data/<dir>/: exact-size malloc, or NULL. */
uint8_t *load_table(const char *dir, const char *name, size_t *len);
/* Load every table named in <dir>/layout into fm at its recorded address.
 * Returns the RSDP's address (0 if the layout has none). */
phys_addr_t load_layout(struct fake_mem *fm, const char *dir);

int acpi_captured_tests(void);
