/*
 * ELF64 executable parser for exec: validates an image in memory and
 * describes what to map. Pure (no allocation, no kernel state), so the host
 * tests run it on real binaries and on fuzzed headers.
 */
#pragma once

#include <kernel/types.h>
#include <uapi/linux/elf.h>

/* Upper bound on PT_LOAD segments (real programs have 2 to 5). */
#define ELF_MAX_LOAD 16
/* Linux's bound on the program header table: 64 KiB. */
#define ELF_MAX_PHDRS_SIZE 65536
/* PATH_MAX: a PT_INTERP path, NUL included, is at most this long. */
#define ELF_MAX_INTERP 4096
/* First address above user space (47-bit canonical lower half). */
#define ELF_USER_END 0x0000800000000000ull

/* Segment protections, same bits as mmap's PROT_READ/WRITE/EXEC. */
#define ELF_PROT_READ  0x1
#define ELF_PROT_WRITE 0x2
#define ELF_PROT_EXEC  0x4

struct elf_segment {
	uint64_t vaddr;         /* unrelocated (add the load bias for ET_DYN) */
	uint64_t memsz;         /* >= filesz; the rest is zero-filled */
	uint64_t offset;        /* file offset, == vaddr mod PAGE_SIZE */
	uint64_t filesz;        /* offset + filesz <= image size */
	uint64_t align;
	int prot;               /* ELF_PROT_* */
};

struct elf_info {
	uint16_t type;          /* ET_EXEC or ET_DYN */
	uint64_t entry;         /* unrelocated e_entry */
	uint64_t phoff;
	uint16_t phnum;         /* for AT_PHNUM; AT_PHENT is sizeof(struct elf64_phdr) */
	/* Unrelocated address of the program headers in memory (AT_PHDR):
	 * PT_PHDR's p_vaddr, else inside the PT_LOAD that maps e_phoff. */
	bool has_phdr_vaddr;
	uint64_t phdr_vaddr;
	/* PT_INTERP: points into the image, NUL-terminated; NULL if none. */
	const char *interp;
	size_t interp_len;      /* strlen(interp) */
	bool exec_stack;        /* PT_GNU_STACK with PF_X */
	/* Span of all PT_LOAD, page aligned: [span_start, span_end). An ET_DYN
	 * image is placed at bias B with B + span_start page aligned. */
	uint64_t span_start;
	uint64_t span_end;
	unsigned nr_load;
	struct elf_segment load[ELF_MAX_LOAD];  /* ascending vaddr */
	/* elf_parse_head's -EAGAIN: read at least this many bytes of head. */
	uint64_t head_needed;
};

/*
 * Parse and validate an ELF image of size bytes. Returns 0 and fills *out,
 * or:
 *   -ENOEXEC  not an x86-64 ELF executable or shared object (bad ident,
 *             class, byte order, version, machine or type), or structurally
 *             malformed: program header table out of the file or of the
 *             wrong entry size, no PT_LOAD, more than ELF_MAX_LOAD,
 *             PT_LOADs not ascending, segment data beyond the file, a bad
 *             or repeated PT_INTERP.
 *   -EINVAL   a well-formed file whose segments cannot be mapped as asked
 *             (what Linux's exec gets from mmap or its own checks):
 *             p_filesz > p_memsz, p_offset != p_vaddr mod PAGE_SIZE, or a
 *             segment reaching past user space (or wrapping).
 * Never reads outside [image, image + size); image needs no alignment.
 */
int elf_parse(const void *image, size_t size, struct elf_info *out);
/*
 * The same on the first head_len bytes of a file of file_size bytes (exec
 * maps the segments from the page cache, so it reads only the headers):
 * the ELF header, program headers and PT_INTERP string must lie in the
 * head; if they lie in the file but past the head, -EAGAIN with
 * out->head_needed set: read that much and call again.
 */
int elf_parse_head(const void *head, size_t head_len, uint64_t file_size, struct elf_info *out);
