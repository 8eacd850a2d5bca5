/* Fake physical memory, table builder and capture loader for test_acpi*.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_acpi_mem.h"

void fake_mem_add(struct fake_mem *fm, phys_addr_t pa, const void *buf, size_t len)
{
	assert_true(fm->n < FAKE_MEM_REGIONS);
	fm->r[fm->n].pa = pa;
	fm->r[fm->n].buf = malloc(len);
	assert_non_null(fm->r[fm->n].buf);
	memcpy(fm->r[fm->n].buf, buf, len);
	fm->r[fm->n].len = len;
	fm->n++;
}

void fake_mem_free(struct fake_mem *fm)
{
	for (unsigned i = 0; i < fm->n; i++)
		free(fm->r[i].buf);
	fm->n = 0;
}

/* Only ranges wholly inside one region are mappable, like a table that
 * claims more length than the firmware actually wrote. */
static const void *fake_map(void *ctx, phys_addr_t pa, size_t len)
{
	struct fake_mem *fm = ctx;

	for (unsigned i = 0; i < fm->n; i++) {
		if (pa >= fm->r[i].pa && pa - fm->r[i].pa <= fm->r[i].len &&
		    len <= fm->r[i].len - (pa - fm->r[i].pa))
			return fm->r[i].buf + (pa - fm->r[i].pa);
	}
	return NULL;
}

struct acpi_mapper fake_mem_mapper(struct fake_mem *fm)
{
	return (struct acpi_mapper){ .map = fake_map, .ctx = fm };
}

void tb_header(struct tb *t, const char *sig, uint8_t revision)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->buf, sig, 4);
	t->buf[8] = revision;
	memcpy(t->buf + 10, "UNITOE", 6);
	memcpy(t->buf + 16, "UNITTABL", 8);
	t->len = 36;
}

void tb_bytes(struct tb *t, const void *p, size_t n)
{
	assert_true(t->len + n <= sizeof(t->buf));
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

void tb_u8(struct tb *t, uint8_t v) { tb_bytes(t, &v, 1); }
void tb_u16(struct tb *t, uint16_t v) { tb_bytes(t, &v, 2); }
void tb_u32(struct tb *t, uint32_t v) { tb_bytes(t, &v, 4); }
void tb_u64(struct tb *t, uint64_t v) { tb_bytes(t, &v, 8); }

void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	p[at] = (uint8_t)-sum;
}

size_t tb_finish(struct tb *t)
{
	uint32_t len = (uint32_t)t->len;

	memcpy(t->buf + 4, &len, 4);
	fix_checksum(t->buf, t->len, 9);
	return t->len;
}

uint8_t *load_table(const char *dir, const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	long n;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s/%s", UNIT_DATA_DIR, dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? n : 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

phys_addr_t load_layout(struct fake_mem *fm, const char *dir)
{
	char path[512], line[128], sig[8];
	unsigned long long pa;
	phys_addr_t rsdp = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/layout", UNIT_DATA_DIR, dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		size_t len;
		uint8_t *buf;

		if (line[0] == '#' || sscanf(line, "%4s %llx", sig, &pa) != 2)
			continue;
		buf = load_table(dir, sig, &len);
		assert_non_null(buf);
		fake_mem_add(fm, pa, buf, len);
		free(buf);
		if (!strcmp(sig, "RSDP"))
			rsdp = pa;
	}
	fclose(f);
	return rsdp;
}
