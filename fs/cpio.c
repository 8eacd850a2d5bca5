/*
 * newc cpio reader (fs/cpio.h). A header is "070701" or "070702" and 13
 * fields of 8 hex digits; the name follows, padded with the header to a
 * multiple of 4 bytes, then the data, padded to a multiple of 4.
 */
#include <fs/cpio.h>
#include <kernel/errno.h>
#include <kernel/string.h>

enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	NR_FIELDS
};

#define S_IFMT  0170000
#define S_IFREG 0100000

static const char TRAILER[] = "TRAILER!!!";

static int hex8(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static size_t pad4(size_t off)
{
	return (off + 3) & ~(size_t)3;
}

/*
 * Decode the entry at *off; on success advance *off past its padded data.
 * *trailer tells whether it was the end marker.
 */
static int read_entry(const uint8_t *buf, size_t len, size_t *off,
		      struct cpio_entry *e, bool *trailer)
{
	const char *h = (const char *)buf + *off;
	uint32_t f[NR_FIELDS];
	size_t pos;

	if (len - *off < CPIO_HEADER_SIZE)
		return -EINVAL;
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return -EINVAL;
	for (int i = 0; i < NR_FIELDS; i++)
		if (hex8(h + 6 + 8 * i, &f[i]))
			return -EINVAL;

	pos = *off + CPIO_HEADER_SIZE;
	if (f[F_NAMESIZE] < 2 || f[F_NAMESIZE] > len - pos)
		return -EINVAL;
	e->name = (const char *)buf + pos;
	e->namelen = f[F_NAMESIZE] - 1;
	if (e->name[e->namelen] != '\0' || strnlen(e->name, e->namelen) != e->namelen)
		return -EINVAL;
	pos = pad4(pos + f[F_NAMESIZE]);
	if (pos > len || f[F_FILESIZE] > len - pos)
		return -EINVAL;

	e->data = buf + pos;
	e->size = f[F_FILESIZE];
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->dev_major = f[F_DEVMAJOR];
	e->dev_minor = f[F_DEVMINOR];
	e->rdev_major = f[F_RDEVMAJOR];
	e->rdev_minor = f[F_RDEVMINOR];

	/* GNU cpio leaves the check at 0 for anything but regular files. */
	if (h[5] == '2' && (e->mode & S_IFMT) == S_IFREG) {
		uint32_t sum = 0;

		for (size_t i = 0; i < e->size; i++)
			sum += ((const uint8_t *)e->data)[i];
		if (sum != f[F_CHECK])
			return -EINVAL;
	}
	*trailer = e->namelen == sizeof(TRAILER) - 1 &&
		   memcmp(e->name, TRAILER, sizeof(TRAILER) - 1) == 0;
	/* The last entry's data padding may be cut off by the end of buf. */
	*off = MIN(pad4(pos + e->size), len);
	return 0;
}

/* One pass over the buffer; fn == NULL only validates. */
static int walk(const uint8_t *buf, size_t len,
		int (*fn)(const struct cpio_entry *e, void *arg), void *arg)
{
	size_t off = 0;
	bool in_archive = false;

	for (;;) {
		struct cpio_entry e;
		bool trailer;
		int err;

		if (!in_archive) {
			while (off < len && buf[off] == '\0')
				off++;
			if (off == len)
				return 0;
			if (off & 3)
				return -EINVAL;
			in_archive = true;
		}
		err = read_entry(buf, len, &off, &e, &trailer);
		if (err)
			return err;
		if (trailer) {
			in_archive = false;
			continue;
		}
		if (fn && (err = fn(&e, arg)) != 0)
			return err;
	}
}

int cpio_for_each(const void *buf, size_t len,
		  int (*fn)(const struct cpio_entry *e, void *arg), void *arg)
{
	int err = walk(buf, len, NULL, NULL);

	if (err)
		return err;
	return walk(buf, len, fn, arg);
}
