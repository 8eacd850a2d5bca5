/* The ELF64 parser (kernel/exec/elf.c): synthetic images for every error
 * path, real musl binaries checked against readelf, and random mutations of
 * real headers under ASan (an out-of-bounds read fails the test). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kernel/errno.h>
#include <kernel/exec/elf.h>

/* ---- synthetic images ------------------------------------------------- */

#define IMG_SIZE 0x3000

struct img {
	uint8_t *buf;           /* IMG_SIZE bytes, heap: ASan sees overreads */
	struct elf64_hdr *eh;
	struct elf64_phdr *ph;  /* table at offset 64 */
};

static void img_init(struct img *m, int nph)
{
	m->buf = calloc(1, IMG_SIZE);
	m->eh = (struct elf64_hdr *)m->buf;
	m->ph = (struct elf64_phdr *)(m->buf + 64);
	memcpy(m->eh->e_ident, "\x7f" "ELF", 4);
	m->eh->e_ident[EI_CLASS] = ELFCLASS64;
	m->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	m->eh->e_ident[EI_VERSION] = EV_CURRENT;
	m->eh->e_type = ET_EXEC;
	m->eh->e_machine = EM_X86_64;
	m->eh->e_version = EV_CURRENT;
	m->eh->e_entry = 0x401000;
	m->eh->e_phoff = 64;
	m->eh->e_ehsize = 64;
	m->eh->e_phentsize = sizeof(struct elf64_phdr);
	m->eh->e_phnum = nph;
}

static void set_ph(struct img *m, int i, uint32_t type, uint32_t flags, uint64_t off,
		   uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	struct elf64_phdr *p = &m->ph[i];

	p->p_type = type;
	p->p_flags = flags;
	p->p_offset = off;
	p->p_vaddr = p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = 0x1000;
}

/* A typical static program: R (headers), RX text, RW data+bss, GNU_STACK. */
static void img_typical(struct img *m)
{
	img_init(m, 4);
	set_ph(m, 0, PT_LOAD, PF_R, 0, 0x400000, 0x120, 0x120);
	set_ph(m, 1, PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x800, 0x800);
	set_ph(m, 2, PT_LOAD, PF_R | PF_W, 0x2010, 0x403010, 0x100, 0x2000);
	set_ph(m, 3, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
}

static int parse(struct img *m, struct elf_info *info)
{
	return elf_parse(m->buf, IMG_SIZE, info);
}

static void test_typical(void **state)
{
	struct img m;
	struct elf_info info;

	img_typical(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.type, ET_EXEC);
	assert_int_equal(info.entry, 0x401000);
	assert_int_equal(info.phnum, 4);
	assert_int_equal(info.nr_load, 3);
	assert_int_equal(info.load[0].prot, ELF_PROT_READ);
	assert_int_equal(info.load[1].prot, ELF_PROT_READ | ELF_PROT_EXEC);
	assert_int_equal(info.load[2].prot, ELF_PROT_READ | ELF_PROT_WRITE);
	assert_int_equal(info.load[2].memsz, 0x2000);
	assert_int_equal(info.load[2].offset, 0x2010);
	assert_null(info.interp);
	assert_false(info.exec_stack);
	/* No PT_PHDR: the table (64 + 4*56 = 0x120 bytes) is in load[0]. */
	assert_true(info.has_phdr_vaddr);
	assert_int_equal(info.phdr_vaddr, 0x400040);
	assert_int_equal(info.span_start, 0x400000);
	assert_int_equal(info.span_end, 0x406000);   /* 0x403010 + 0x2000 rounded up */
	free(m.buf);
}

static void test_phdr_interp_stack(void **state)
{
	struct img m;
	struct elf_info info;

	img_init(&m, 5);
	m.eh->e_type = ET_DYN;
	m.eh->e_entry = 0x1050;
	set_ph(&m, 0, PT_PHDR, PF_R, 64, 0x40, 5 * 56, 5 * 56);
	set_ph(&m, 1, PT_INTERP, PF_R, 0x200, 0x200, 25, 25);
	strcpy((char *)m.buf + 0x200, "/lib/ld-musl-x86_64.so.1");
	set_ph(&m, 2, PT_LOAD, PF_R | PF_X, 0, 0, 0x1100, 0x1100);
	set_ph(&m, 3, PT_LOAD, PF_R | PF_W, 0x1e00, 0x2e00, 0x200, 0x1300);
	set_ph(&m, 4, PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.type, ET_DYN);
	assert_string_equal(info.interp, "/lib/ld-musl-x86_64.so.1");
	assert_int_equal(info.interp_len, 24);
	assert_true(info.exec_stack);
	assert_int_equal(info.phdr_vaddr, 0x40);
	assert_int_equal(info.span_start, 0);
	assert_int_equal(info.span_end, 0x5000);     /* 0x2e00 + 0x1300 = 0x4100 */

	/* Table not inside any PT_LOAD and no PT_PHDR: no AT_PHDR. */
	set_ph(&m, 0, PT_NULL, 0, 0, 0, 0, 0);
	m.ph[2].p_offset = 0x1000;
	m.ph[2].p_vaddr = 0x1000;
	assert_int_equal(parse(&m, &info), 0);
	assert_false(info.has_phdr_vaddr);
	free(m.buf);
}

typedef void (*mutator)(struct img *m);

#define MUT(name, body) static void name(struct img *m) { body; }
MUT(bad_magic, m->buf[1] = 'e')
MUT(class32, m->eh->e_ident[EI_CLASS] = 1)
MUT(big_endian, m->eh->e_ident[EI_DATA] = ELFDATA2MSB)
MUT(ident_version, m->eh->e_ident[EI_VERSION] = 2)
MUT(e_version, m->eh->e_version = 0)
MUT(machine_i386, m->eh->e_machine = 3)
MUT(type_rel, m->eh->e_type = ET_REL)
MUT(type_core, m->eh->e_type = ET_CORE)
MUT(phentsize, m->eh->e_phentsize = 32)
MUT(phnum_zero, m->eh->e_phnum = 0)
MUT(phoff_past_end, m->eh->e_phoff = IMG_SIZE - 4 * 56 + 1)
MUT(phoff_wraps, m->eh->e_phoff = UINT64_MAX - 8)
MUT(phnum_huge, m->eh->e_phnum = 1171)  /* 65576 bytes of headers */
MUT(no_load, for (int i = 0; i < 3; i++) m->ph[i].p_type = PT_NOTE)
MUT(data_past_end, m->ph[1].p_filesz = m->ph[1].p_memsz = IMG_SIZE - 0x1000 + 1)
MUT(offset_wraps, m->ph[2].p_offset = UINT64_MAX - 0xfef; m->ph[2].p_vaddr = 0x403010)
MUT(descending, m->ph[1].p_vaddr = 0x3ff000)
MUT(interp_unterminated,
    set_ph(m, 3, PT_INTERP, PF_R, 0x200, 0, 4, 4); memcpy(m->buf + 0x200, "/abc", 4))
MUT(interp_too_long, set_ph(m, 3, PT_INTERP, PF_R, 0x200, 0, 4097, 4097))
MUT(interp_empty, set_ph(m, 3, PT_INTERP, PF_R, 0x200, 0, 2, 2))
MUT(interp_past_end, set_ph(m, 3, PT_INTERP, PF_R, IMG_SIZE - 2, 0, 3, 3))
MUT(interp_twice,
    set_ph(m, 0, PT_INTERP, PF_R, 0x200, 0, 3, 3); set_ph(m, 3, PT_INTERP, PF_R, 0x200, 0, 3, 3);
    strcpy((char *)m->buf + 0x200, "/x"))
MUT(filesz_gt_memsz, m->ph[2].p_filesz = 0x2001)
MUT(misaligned, m->ph[1].p_offset = 0x1008)
MUT(vaddr_kernel, m->ph[2].p_vaddr = 0xffff800000003010ull)
MUT(end_past_user, m->ph[2].p_vaddr = ELF_USER_END - 0x1ff0; m->ph[2].p_offset = 0x10)
MUT(memsz_wraps, m->ph[2].p_memsz = UINT64_MAX - 0x100)

static void test_errors(void **state)
{
	static const struct { const char *name; mutator fn; int err; } cases[] = {
		{ "bad_magic", bad_magic, -ENOEXEC }, { "class32", class32, -ENOEXEC },
		{ "big_endian", big_endian, -ENOEXEC },
		{ "ident_version", ident_version, -ENOEXEC },
		{ "e_version", e_version, -ENOEXEC },
		{ "machine_i386", machine_i386, -ENOEXEC },
		{ "type_rel", type_rel, -ENOEXEC }, { "type_core", type_core, -ENOEXEC },
		{ "phentsize", phentsize, -ENOEXEC }, { "phnum_zero", phnum_zero, -ENOEXEC },
		{ "phoff_past_end", phoff_past_end, -ENOEXEC },
		{ "phoff_wraps", phoff_wraps, -ENOEXEC },
		{ "phnum_huge", phnum_huge, -ENOEXEC }, { "no_load", no_load, -ENOEXEC },
		{ "data_past_end", data_past_end, -ENOEXEC },
		{ "offset_wraps", offset_wraps, -ENOEXEC },
		{ "descending", descending, -ENOEXEC },
		{ "interp_unterminated", interp_unterminated, -ENOEXEC },
		{ "interp_too_long", interp_too_long, -ENOEXEC },
		{ "interp_empty", interp_empty, -ENOEXEC },
		{ "interp_past_end", interp_past_end, -ENOEXEC },
		{ "interp_twice", interp_twice, -ENOEXEC },
		{ "filesz_gt_memsz", filesz_gt_memsz, -EINVAL },
		{ "misaligned", misaligned, -EINVAL },
		{ "vaddr_kernel", vaddr_kernel, -EINVAL },
		{ "end_past_user", end_past_user, -EINVAL },
		{ "memsz_wraps", memsz_wraps, -EINVAL },
	};
	struct elf_info info;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct img m;

		img_typical(&m);
		cases[i].fn(&m);
		int got = parse(&m, &info);
		free(m.buf);
		if (got != cases[i].err)
			fail_msg("%s: got %d, want %d", cases[i].name, got, cases[i].err);
	}
}

static void test_limits(void **state)
{
	struct img m;
	struct elf_info info;

	/* Exactly ELF_MAX_LOAD segments parse; one more does not. */
	img_init(&m, ELF_MAX_LOAD + 1);
	for (int i = 0; i <= ELF_MAX_LOAD; i++)
		set_ph(&m, i, PT_LOAD, PF_R, 0, 0x400000 + 0x1000 * i, 0x100, 0x100);
	assert_int_equal(parse(&m, &info), -ENOEXEC);
	m.eh->e_phnum = ELF_MAX_LOAD;
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.nr_load, ELF_MAX_LOAD);
	free(m.buf);

	/* Short files: nothing below a full header; the table must fit. */
	img_typical(&m);
	assert_int_equal(elf_parse(m.buf, 63, &info), -ENOEXEC);
	assert_int_equal(elf_parse(m.buf, 64 + 4 * 56 - 1, &info), -ENOEXEC);
	/* A segment ending exactly at the end of the file is fine. */
	assert_int_equal(elf_parse(m.buf, 0x2110, &info), 0);
	assert_int_equal(elf_parse(m.buf, 0x210f, &info), -ENOEXEC);
	/* The highest user page is usable. */
	m.ph[2].p_vaddr = ELF_USER_END - 0x2000 + 0x10;
	m.ph[2].p_memsz = 0x2000 - 0x10;
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(info.span_end, ELF_USER_END);
	free(m.buf);
}

/* exec parses only the head of the file: segments are checked against the
 * file's size, the headers must be in the head (-EAGAIN says how much). */
static void test_head_only(void **state)
{
	struct img m;
	struct elf_info info;

	img_typical(&m);
	/* The whole table in a short head; segments reach 0x2110 of the file. */
	assert_int_equal(elf_parse_head(m.buf, 0x120, 0x2110, &info), 0);
	assert_int_equal(info.nr_load, 3);
	assert_int_equal(elf_parse_head(m.buf, 0x120, 0x210f, &info), -ENOEXEC);
	/* A head cut inside the table: read up to its end and call again. */
	assert_int_equal(elf_parse_head(m.buf, 0x100, 0x2110, &info), -EAGAIN);
	assert_int_equal(info.head_needed, 0x120);
	assert_int_equal(elf_parse_head(m.buf, 10, 0x2110, &info), -EAGAIN);
	assert_int_equal(info.head_needed, 64);
	/* The same table past the end of the file is malformed, not short. */
	assert_int_equal(elf_parse_head(m.buf, 0x100, 0x100, &info), -ENOEXEC);
	/* A PT_INTERP string past the head. */
	set_ph(&m, 3, PT_INTERP, PF_R, 0x200, 0, 8, 8);
	memcpy(m.buf + 0x200, "/lib/ld", 8);
	assert_int_equal(elf_parse_head(m.buf, 0x120, 0x2110, &info), -EAGAIN);
	assert_int_equal(info.head_needed, 0x208);
	assert_int_equal(elf_parse_head(m.buf, 0x208, 0x2110, &info), 0);
	assert_string_equal(info.interp, "/lib/ld");
	free(m.buf);
}

/* ---- real binaries ---------------------------------------------------- */

struct file {
	uint8_t *data;
	size_t size;
};

static struct file read_file(const char *path)
{
	struct file f = { 0 };
	FILE *fp = fopen(path, "rb");

	if (!fp)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	f.size = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	f.data = malloc(f.size);
	assert_int_equal(fread(f.data, 1, f.size, fp), f.size);
	fclose(fp);
	return f;
}

/* What binutils says about the file, to compare with elf_parse. */
struct reference {
	unsigned nr_load;
	uint64_t entry;
	char interp[256];
	uint64_t vaddr[ELF_MAX_LOAD], memsz[ELF_MAX_LOAD];
};

static void readelf(const char *path, struct reference *r)
{
	char cmd[512], line[512];
	FILE *p;

	memset(r, 0, sizeof(*r));
	snprintf(cmd, sizeof(cmd), "readelf -hlW '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		unsigned long long off, va, pa, fs, ms;

		sscanf(line, " Entry point address: %llx", (unsigned long long *)&r->entry);
		sscanf(line, " [Requesting program interpreter: %255[^]]", r->interp);
		if (sscanf(line, " LOAD %llx %llx %llx %llx %llx", &off, &va, &pa, &fs, &ms) == 5) {
			assert_true(r->nr_load < ELF_MAX_LOAD);
			r->vaddr[r->nr_load] = va;
			r->memsz[r->nr_load++] = ms;
		}
	}
	assert_int_equal(pclose(p), 0);
}

/* Check info against readelf and against the file's own bytes. */
static void check_real(const char *path, const struct file *f, const struct elf_info *info)
{
	struct reference r;
	bool entry_in_x = false, phdr_found = false;

	readelf(path, &r);
	assert_int_equal(info->entry, r.entry);
	assert_int_equal(info->nr_load, r.nr_load);
	assert_string_equal(info->interp ? info->interp : "", r.interp);
	for (unsigned i = 0; i < info->nr_load; i++) {
		const struct elf_segment *s = &info->load[i];

		assert_int_equal(s->vaddr, r.vaddr[i]);
		assert_int_equal(s->memsz, r.memsz[i]);
		if ((s->prot & ELF_PROT_EXEC) && info->entry >= s->vaddr &&
		    info->entry < s->vaddr + s->memsz)
			entry_in_x = true;
		/* The bytes at AT_PHDR, once mapped, are the program headers. */
		if (info->phdr_vaddr >= s->vaddr &&
		    info->phdr_vaddr + info->phnum * 56 <= s->vaddr + s->filesz) {
			uint64_t off = s->offset + (info->phdr_vaddr - s->vaddr);
			assert_memory_equal(f->data + off, f->data + info->phoff,
					    info->phnum * 56);
			phdr_found = true;
		}
	}
	assert_true(entry_in_x);
	assert_true(info->has_phdr_vaddr);
	assert_true(phdr_found);
	assert_false(info->exec_stack);
	assert_int_equal(info->span_start, info->load[0].vaddr & ~0xfffull);
}

static void parse_real(const char *path, struct file *f, struct elf_info *info)
{
	*f = read_file(path);
	assert_int_equal(elf_parse(f->data, f->size, info), 0);
	check_real(path, f, info);
}

static void test_musl_static(void **state)
{
	struct file f;
	struct elf_info info;

	parse_real(USER_BIN_DIR "/hello-static", &f, &info);
	assert_int_equal(info.type, ET_EXEC);
	assert_null(info.interp);
	assert_int_equal(info.span_start, 0x400000);
	free(f.data);
}

static void test_musl_static_pie(void **state)
{
	struct file f;
	struct elf_info info;

	parse_real(USER_BIN_DIR "/hello-static-pie", &f, &info);
	assert_int_equal(info.type, ET_DYN);
	assert_null(info.interp);
	assert_int_equal(info.span_start, 0);
	free(f.data);
}

static void test_musl_dynamic(void **state)
{
	struct file f;
	struct elf_info info;

	parse_real(USER_BIN_DIR "/hello-dynamic", &f, &info);
	assert_int_equal(info.type, ET_DYN);
	assert_string_equal(info.interp, "/lib/ld-musl-x86_64.so.1");
	assert_int_equal(info.span_start, 0);
	free(f.data);
}

static void test_musl_ld_so(void **state)
{
	struct file f;
	struct elf_info info;

	parse_real("/lib/ld-musl-x86_64.so.1", &f, &info);
	assert_int_equal(info.type, ET_DYN);
	assert_null(info.interp);
	assert_int_equal(info.span_start, 0);
	free(f.data);
}

/* ---- fuzzing ---------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const uint64_t interesting[] = {
	0, 1, 0x38, 0x40, 0xfff, 0x1000, 0x7fffffff, 0x80000000, 0xffffffff,
	0x800000000000ull, 0x7fffffffffffffffull, 0xfffffffffffff000ull, UINT64_MAX,
};

/* Mutate the header and program headers of a real binary; elf_parse must
 * stay inside the (exactly sized, heap) buffer and keep its promises. */
static void fuzz_file(const char *path, int rounds)
{
	struct file orig = read_file(path);
	size_t hdrs = 64 + 56 * ((struct elf64_hdr *)orig.data)->e_phnum;
	int ok = 0;

	for (int r = 0; r < rounds; r++) {
		size_t size = orig.size;
		if (rng() % 8 == 0)
			size = rng() % (orig.size + 1);
		uint8_t *buf = malloc(size ? size : 1);
		memcpy(buf, orig.data, size);
		for (int n = 1 + rng() % 4; n > 0 && size > 0; n--) {
			size_t at = rng() % MIN(hdrs, size);
			if (rng() % 2) {
				buf[at] = rng();
			} else {
				uint64_t v = interesting[rng() % ARRAY_SIZE(interesting)];
				memcpy(buf + at, &v, MIN(8, size - at));
			}
		}
		struct elf_info info;
		int err = elf_parse(buf, size, &info);
		if (err == 0) {
			ok++;
			for (unsigned i = 0; i < info.nr_load; i++) {
				const struct elf_segment *s = &info.load[i];
				assert_true(s->offset + s->filesz <= size);
				assert_true(s->filesz <= s->memsz);
				assert_true(s->vaddr + s->memsz <= ELF_USER_END);
			}
			assert_true(info.span_start <= info.span_end);
			if (info.interp)
				assert_int_equal(strlen(info.interp), info.interp_len);
		} else {
			assert_true(err == -ENOEXEC || err == -EINVAL);
		}
		free(buf);
	}
	/* The mutations must leave some images valid, or this tests nothing
	 * past the first check. */
	assert_true(ok > rounds / 20);
	free(orig.data);
}

static void test_fuzz(void **state)
{
	fuzz_file(USER_BIN_DIR "/hello-static", 20000);
	fuzz_file(USER_BIN_DIR "/hello-dynamic", 20000);
	fuzz_file("/lib/ld-musl-x86_64.so.1", 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typical),
		cmocka_unit_test(test_phdr_interp_stack),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_musl_static),
		cmocka_unit_test(test_musl_static_pie),
		cmocka_unit_test(test_musl_dynamic),
		cmocka_unit_test(test_musl_ld_so),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_head_only),
	};
	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
