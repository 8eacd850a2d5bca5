/*
 * Multiboot2 boot information parser (Multiboot2 spec, section 3.6). Pure:
 * it reads only the buffer it is given, so host unit tests feed it bytes.
 * Every tag is bounds-checked against the structure's total size.
 */
#include <kernel/boot_info.h>
#include <kernel/errno.h>
#include <kernel/string.h>

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
};

/* UEFI memory types that are not RAM (UEFI spec 2.x, EFI_MEMORY_TYPE). */
enum {
	EFI_RESERVED_MEMORY = 0,
	EFI_UNUSABLE_MEMORY = 8,
	EFI_MMIO = 11,
	EFI_MMIO_PORT_SPACE = 12,
	EFI_PAL_CODE = 13,
};

struct mb2_tag_efi_mmap {
	uint32_t type, size;
	uint32_t descr_size, descr_vers;
} __packed;

/* EFI_MEMORY_DESCRIPTOR (UEFI spec, GetMemoryMap()). */
struct efi_memory_descriptor {
	uint32_t type, pad;
	uint64_t phys_start, virt_start, num_pages, attribute;
} __packed;
_Static_assert(sizeof(struct efi_memory_descriptor) == 40, "EFI memory descriptor");

struct mb2_tag {
	uint32_t type, size;
} __packed;

struct mb2_tag_module {
	uint32_t type, size;
	uint32_t mod_start, mod_end;
	char string[];
} __packed;

struct mb2_tag_mmap {
	uint32_t type, size;
	uint32_t entry_size, entry_version;
} __packed;

struct mb2_mmap_entry {
	uint64_t base_addr, length;
	uint32_t type, reserved;
} __packed;

struct mb2_tag_framebuffer {
	uint32_t type, size;
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, fb_type;
	uint16_t reserved;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
} __packed;

_Static_assert(sizeof(struct mb2_tag_module) == 16, "multiboot2 module tag");
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "multiboot2 mmap tag");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "multiboot2 mmap entry");
_Static_assert(offsetof(struct mb2_tag_framebuffer, bpp) == 28, "multiboot2 fb tag");
_Static_assert(offsetof(struct mb2_tag_framebuffer, red_pos) == 32, "multiboot2 fb tag");

/* Copy a NUL-terminated string from a tag whose payload is payload_len bytes. */
static void copy_tag_string(char *dst, size_t dst_size, const char *src, size_t payload_len)
{
	size_t n = strnlen(src, payload_len);
	if (n >= dst_size)
		n = dst_size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void parse_mmap(const struct mb2_tag_mmap *t, struct boot_info *bi)
{
	if (t->size < sizeof(*t) || t->entry_size < sizeof(struct mb2_mmap_entry))
		return;
	const uint8_t *p = (const uint8_t *)(t + 1);
	const uint8_t *end = (const uint8_t *)t + t->size;
	for (; p + t->entry_size <= end; p += t->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		if (bi->nr_mem == BOOT_MAX_MEM_REGIONS || e->length == 0)
			continue;
		bi->mem[bi->nr_mem++] = (struct boot_mem_region){
			.base = e->base_addr, .len = e->length, .type = e->type,
		};
	}
}

/* Under UEFI the multiboot2 map folds firmware-owned RAM into "reserved",
 * like MMIO; the EFI map still tells them apart, so RAM is counted there. */
static void parse_efi_mmap(const struct mb2_tag_efi_mmap *t, struct boot_info *bi)
{
	if (t->size < sizeof(*t) || t->descr_size < sizeof(struct efi_memory_descriptor))
		return;
	const uint8_t *p = (const uint8_t *)(t + 1);
	const uint8_t *end = (const uint8_t *)t + t->size;
	for (; p + t->descr_size <= end; p += t->descr_size) {
		const struct efi_memory_descriptor *d = (const void *)p;
		switch (d->type) {
		case EFI_RESERVED_MEMORY: case EFI_UNUSABLE_MEMORY: case EFI_MMIO:
		case EFI_MMIO_PORT_SPACE: case EFI_PAL_CODE:
			break;
		default:
			bi->efi_ram_bytes += d->num_pages * 4096;
		}
	}
}

static void parse_framebuffer(const struct mb2_tag_framebuffer *t, struct boot_info *bi)
{
	if (t->size < offsetof(struct mb2_tag_framebuffer, red_pos))
		return;
	bi->fb = (struct boot_framebuffer){
		.addr = t->addr, .pitch = t->pitch, .width = t->width,
		.height = t->height, .bpp = t->bpp, .type = t->fb_type,
	};
	if (t->fb_type == 1 && t->size >= sizeof(*t)) {
		bi->fb.red_pos = t->red_pos;
		bi->fb.red_size = t->red_size;
		bi->fb.green_pos = t->green_pos;
		bi->fb.green_size = t->green_size;
		bi->fb.blue_pos = t->blue_pos;
		bi->fb.blue_size = t->blue_size;
	}
}

static void parse_tag(const struct mb2_tag *tag, struct boot_info *bi)
{
	const char *payload = (const char *)(tag + 1);
	size_t payload_len = tag->size - sizeof(*tag);

	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		copy_tag_string(bi->cmdline, sizeof(bi->cmdline), payload, payload_len);
		break;
	case MB2_TAG_LOADER:
		copy_tag_string(bi->loader, sizeof(bi->loader), payload, payload_len);
		break;
	case MB2_TAG_MODULE: {
		const struct mb2_tag_module *m = (const void *)tag;
		if (tag->size < sizeof(*m) || bi->nr_modules == BOOT_MAX_MODULES ||
		    m->mod_end < m->mod_start)
			break;
		struct boot_module *bm = &bi->modules[bi->nr_modules++];
		bm->start = m->mod_start;
		bm->end = m->mod_end;
		copy_tag_string(bm->name, sizeof(bm->name), m->string, tag->size - sizeof(*m));
		break;
	}
	case MB2_TAG_MMAP:
		parse_mmap((const void *)tag, bi);
		break;
	case MB2_TAG_FRAMEBUFFER:
		parse_framebuffer((const void *)tag, bi);
		break;
	case MB2_TAG_EFI64:
		bi->efi = true;
		break;
	case MB2_TAG_EFI_MMAP:
		parse_efi_mmap((const void *)tag, bi);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		/* Prefer the ACPI 2.0+ copy when GRUB gives both. */
		if (payload_len > sizeof(bi->rsdp) ||
		    (bi->rsdp_len && tag->type == MB2_TAG_ACPI_OLD))
			break;
		memcpy(bi->rsdp, payload, payload_len);
		bi->rsdp_len = (uint32_t)payload_len;
		break;
	}
}

int mb2_parse(const void *mbi, struct boot_info *bi)
{
	const uint8_t *base = mbi;
	uint32_t total = *(const uint32_t *)mbi;

	memset(bi, 0, sizeof(*bi));
	if (total < 16 || total > (1u << 20))
		return -EINVAL;
	bi->mbi_size = total;

	/* Tags start at offset 8 and are 8-byte aligned. */
	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *tag = (const void *)(base + off);
		if (tag->size < sizeof(*tag) || tag->size > total - off)
			return -EINVAL;
		if (tag->type == MB2_TAG_END)
			return 0;
		parse_tag(tag, bi);
		off += (tag->size + 7) & ~7u;
	}
	return -EINVAL;         /* ran off the end without an end tag */
}
