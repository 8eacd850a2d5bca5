/*
 * ELF64 parser for exec (kernel/exec/elf.h). Every offset and size comes
 * from the file, so each sum is checked against the image size before use;
 * headers are copied out with memcpy because the image need not be aligned.
 */
#include <kernel/exec/elf.h>
#include <kernel/errno.h>
#include <kernel/string.h>

/* What the parser reads: the first head_len bytes of a file_size file. */
struct elf_src {
	const void *head;
	uint64_t head_len, file_size;
};

/* [off, off + len) lies inside an image of size bytes, without wrapping. */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int check_ident(const struct elf64_hdr *eh)
{
	const unsigned char *id = eh->e_ident;

	if (id[EI_MAG0] != ELFMAG0 || id[EI_MAG1] != ELFMAG1 ||
	    id[EI_MAG2] != ELFMAG2 || id[EI_MAG3] != ELFMAG3)
		return -ENOEXEC;
	if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB ||
	    id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_machine != EM_X86_64)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	return 0;
}

/* [off, off + len) of the file must be in the head the caller read:
 * -ENOEXEC past the file, -EAGAIN (with head_needed) past the head. */
static int in_head(uint64_t off, uint64_t len, const struct elf_src *src, struct elf_info *out)
{
	if (!in_file(off, len, src->file_size))
		return -ENOEXEC;
	if (in_file(off, len, src->head_len))
		return 0;
	out->head_needed = off + len;
	return -EAGAIN;
}

static int check_phdr_table(const struct elf64_hdr *eh, const struct elf_src *src,
			    struct elf_info *out)
{
	uint64_t bytes;

	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0)
		return -ENOEXEC;
	bytes = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (bytes > ELF_MAX_PHDRS_SIZE)
		return -ENOEXEC;
	return in_head(eh->e_phoff, bytes, src, out);
}

static int segment_prot(uint32_t flags)
{
	int prot = 0;

	if (flags & PF_R)
		prot |= ELF_PROT_READ;
	if (flags & PF_W)
		prot |= ELF_PROT_WRITE;
	if (flags & PF_X)
		prot |= ELF_PROT_EXEC;
	return prot;
}

static int add_load(const struct elf64_phdr *ph, size_t size, struct elf_info *out)
{
	struct elf_segment *seg;

	if (ph->p_filesz > ph->p_memsz)
		return -EINVAL;
	if (ph->p_vaddr >= ELF_USER_END || ph->p_memsz > ELF_USER_END - ph->p_vaddr)
		return -EINVAL;
	if ((ph->p_offset & (PAGE_SIZE - 1)) != (ph->p_vaddr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return -ENOEXEC;
	if (out->nr_load == ELF_MAX_LOAD)
		return -ENOEXEC;
	if (out->nr_load > 0 && ph->p_vaddr < out->load[out->nr_load - 1].vaddr)
		return -ENOEXEC;

	seg = &out->load[out->nr_load++];
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->align = ph->p_align;
	seg->prot = segment_prot(ph->p_flags);
	return 0;
}

static int set_interp(const struct elf64_phdr *ph, const struct elf_src *src,
		      struct elf_info *out)
{
	const char *path;
	int err;

	if (out->interp)
		return -ENOEXEC;
	if (ph->p_filesz < 2 || ph->p_filesz > ELF_MAX_INTERP)
		return -ENOEXEC;
	if ((err = in_head(ph->p_offset, ph->p_filesz, src, out)))
		return err;
	path = (const char *)src->head + ph->p_offset;
	if (path[ph->p_filesz - 1] != '\0')
		return -ENOEXEC;
	out->interp = path;
	out->interp_len = strlen(path);
	if (out->interp_len == 0)
		return -ENOEXEC;
	return 0;
}

/* AT_PHDR without PT_PHDR: the PT_LOAD whose file bytes hold the table. */
static void find_phdr_vaddr(const struct elf64_hdr *eh, struct elf_info *out)
{
	uint64_t bytes = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);

	for (unsigned i = 0; i < out->nr_load; i++) {
		const struct elf_segment *s = &out->load[i];

		if (eh->e_phoff >= s->offset && eh->e_phoff - s->offset <= s->filesz &&
		    bytes <= s->filesz - (eh->e_phoff - s->offset)) {
			out->phdr_vaddr = s->vaddr + (eh->e_phoff - s->offset);
			out->has_phdr_vaddr = true;
			return;
		}
	}
}

static void compute_span(struct elf_info *out)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned i = 0; i < out->nr_load; i++) {
		const struct elf_segment *s = &out->load[i];

		if (s->vaddr < lo)
			lo = s->vaddr;
		if (s->vaddr + s->memsz > hi)   /* checked below ELF_USER_END */
			hi = s->vaddr + s->memsz;
	}
	out->span_start = ALIGN_DOWN(lo, PAGE_SIZE);
	out->span_end = ALIGN_UP(hi, PAGE_SIZE);
}

static int parse_phdrs(const struct elf64_hdr *eh, const struct elf_src *src,
		       struct elf_info *out)
{
	int err;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, (const uint8_t *)src->head + eh->e_phoff + (uint64_t)i * sizeof(ph),
		       sizeof(ph));
		switch (ph.p_type) {
		case PT_LOAD:
			err = add_load(&ph, src->file_size, out);
			break;
		case PT_INTERP:
			err = set_interp(&ph, src, out);
			break;
		case PT_GNU_STACK:
			out->exec_stack = (ph.p_flags & PF_X) != 0;
			err = 0;
			break;
		case PT_PHDR:
			out->phdr_vaddr = ph.p_vaddr;
			out->has_phdr_vaddr = true;
			err = 0;
			break;
		default:
			err = 0;
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

int elf_parse_head(const void *head, size_t head_len, uint64_t file_size, struct elf_info *out)
{
	const struct elf_src src = { head, MIN((uint64_t)head_len, file_size), file_size };
	struct elf64_hdr eh;
	int err;

	memset(out, 0, sizeof(*out));
	if (file_size < sizeof(eh))
		return -ENOEXEC;
	if (src.head_len < sizeof(eh)) {
		out->head_needed = sizeof(eh);
		return -EAGAIN;
	}
	memcpy(&eh, head, sizeof(eh));

	err = check_ident(&eh);
	if (err)
		return err;
	err = check_phdr_table(&eh, &src, out);
	if (err)
		return err;
	err = parse_phdrs(&eh, &src, out);
	if (err)
		return err;
	if (out->nr_load == 0)
		return -ENOEXEC;

	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phoff = eh.e_phoff;
	out->phnum = eh.e_phnum;
	if (!out->has_phdr_vaddr)
		find_phdr_vaddr(&eh, out);
	compute_span(out);
	return 0;
}

int elf_parse(const void *image, size_t size, struct elf_info *out)
{
	return elf_parse_head(image, size, size, out);
}
