/*
 * Generated files (fs/genfile.h): the snapshot is taken at open and freed
 * with the open file description.
 */
#include <fs/genfile.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

struct snapshot {
	size_t len;
	char text[];
};

static long gen_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct snapshot *s = f->private;

	if (*pos >= s->len)
		return 0;
	size_t n = MIN(len, s->len - *pos);
	if (copy_to_user(ubuf, s->text + *pos, n))
		return -EFAULT;
	*pos += n;
	return (long)n;
}

/* Linux's /proc files without a write method say EIO. */
static long gen_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)len, (void)pos;
	return -EIO;
}

static long gen_size(struct file *f)
{
	return (long)((struct snapshot *)f->private)->len;
}

static void gen_release(struct file *f)
{
	kfree(f->private);
}

static const struct file_ops genfile_ops = {
	.read = gen_read,
	.write = gen_write,
	.size = gen_size,
	.release = gen_release,
};

struct file *genfile_open(genfile_fn gen, unsigned flags)
{
	size_t cap = 1024;

	for (;;) {
		struct snapshot *s = kmalloc(sizeof(*s) + cap);
		if (!s)
			return NULL;
		int n = gen(s->text, cap);
		if (n >= 0 && (size_t)n < cap) {
			s->len = (size_t)n;
			struct file *f = file_alloc(&genfile_ops, s, flags);
			if (!f)
				kfree(s);
			return f;
		}
		kfree(s);
		if (n < 0)
			return NULL;
		cap = (size_t)n + 1;    /* it grew between the two calls: try again */
	}
}
