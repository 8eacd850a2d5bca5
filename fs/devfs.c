/*
 * devfs: the memory devices (null, zero, full, random, urandom), the
 * terminals (tty, console, ttyS0: all the serial console today) and kmsg,
 * registered by number with the character-device registry (fs/chrdev.c),
 * and devtmpfs, a tmpfs whose nodes for them are made when it is first
 * mounted. As in Linux there is one devtmpfs instance: every mount of it
 * shows the same tree, which lives as long as the kernel.
 *
 * Locking: devtmpfs_sb is set once under devfs_lock; the nodes are ordinary
 * tmpfs inodes (chmod, chown, unlink work on them as on any file).
 */
#include <fs/devices.h>
#include <fs/tmpfs.h>
#include <fs/vfs.h>
#include <drivers/tty/console.h>
#include <drivers/tty/tty.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/klog.h>
#include <kernel/printk.h>
#include <kernel/random.h>
#include <kernel/string.h>
#include <kernel/timer.h>
#include <kernel/time.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define O_NONBLOCK 04000

/* ---- memory devices ---- */

static long null_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)len, (void)pos;
	return 0;
}

/* Writes to null, zero, random and urandom are consumed. (Linux mixes
 * what is written to random into its pool without crediting entropy;
 * our generator reseeds from the hardware only.) */
static long sink_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)pos;
	return (long)len;
}

static long full_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)len, (void)pos;
	return -ENOSPC;
}

static long zero_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	static const uint8_t zeros[256];
	size_t done = 0;
	(void)f, (void)pos;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(zeros));
		if (copy_to_user((uint8_t *)ubuf + done, zeros, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

/* random and urandom are the same seeded ChaCha20 stream (random never
 * blocks once seeded, and random_init seeds it before user space runs). */
static long random_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	uint8_t chunk[256];
	size_t done = 0;
	(void)f, (void)pos;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		random_bytes(chunk, n);
		if (copy_to_user((uint8_t *)ubuf + done, chunk, n)) {
			memset(chunk, 0, sizeof(chunk));
			return done ? (long)done : -EFAULT;
		}
		done += n;
	}
	memset(chunk, 0, sizeof(chunk));
	return (long)done;
}

/* lseek on these succeeds and does nothing useful, as in Linux. */
static long zero_size(struct file *f)
{
	(void)f;
	return 0;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = sink_write, .size = zero_size,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = sink_write, .size = zero_size,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .size = zero_size,
};
static const struct file_ops random_fops = {
	.read = random_read, .write = sink_write, .size = zero_size,
};

static struct file *mem_open(uint32_t dev, unsigned flags)
{
	switch (MINOR(dev)) {
	case 3: return file_alloc(&null_fops, NULL, flags);
	case 5: return file_alloc(&zero_fops, NULL, flags);
	case 7: return file_alloc(&full_fops, NULL, flags);
	default: return file_alloc(&random_fops, NULL, flags);     /* 8, 9 */
	}
}

#define O_NOCTTY 0400

/* /dev/console never becomes a controlling tty by being opened (Linux's
 * rule; TIOCSCTTY makes it one); /dev/ttyS0, the same tty here, does. */
static struct file *console_dev_open(uint32_t dev, unsigned flags)
{
	bool noctty = (flags & O_NOCTTY) || dev == MKDEV(5, 1);
	return console_open_dev(flags & ~O_NOCTTY, noctty);
}

/* /dev/tty: the caller's controlling terminal, ENXIO without one. */
static struct file *ctty_open(uint32_t dev, unsigned flags)
{
	(void)dev;
	struct tty *tty = tty_current_ctty();
	if (!tty)
		return ERR_PTR(-ENXIO);
	struct file *f = tty_open_file(tty, flags & ~O_NOCTTY, true);
	if (IS_ERR(f))
		tty_put(tty);
	return f;
}

/* ---- kmsg: the kernel log, one record per read ---- */

#define KMSG_LINE 1024

struct kmsg_reader {
	uint64_t pos;                   /* byte position in the log */
	uint64_t seq;                   /* records this reader has passed */
};

/* The next complete line at r->pos into line (NUL-terminated, at most
 * KMSG_LINE - 1 bytes): its length, 0 if none yet, -EPIPE if the log
 * overwrote what r had not read (r then skips to the next whole line). */
static long kmsg_next_line(struct kmsg_reader *r, char *line)
{
	uint64_t want = r->pos, at = r->pos;
	size_t n = klog_read(line, KMSG_LINE - 1, &at);
	if (at - n != want) {
		/* Overwritten: resynchronize after the first newline. */
		const char *nl = memchr(line, '\n', n);
		r->pos = nl ? at - n + (uint64_t)(nl - line) + 1 : at;
		return -EPIPE;
	}
	const char *nl = memchr(line, '\n', n);
	if (!nl)
		return n == KMSG_LINE - 1 ? (long)n : 0;     /* a huge line: in pieces */
	n = (size_t)(nl - line) + 1;
	line[n] = '\0';
	return (long)n;
}

/* "<6>[    1.234567] text\n" -> "6,seq,1234567,-;text\n". */
static int kmsg_format(const char *line, uint64_t seq, char *out, size_t size)
{
	unsigned level = 6;
	unsigned long long sec = 0, usec = 0;
	const char *p = line;

	if (p[0] == '<' && p[1] >= '0' && p[1] <= '7' && p[2] == '>') {
		level = (unsigned)(p[1] - '0');
		p += 3;
	}
	if (*p == '[') {
		for (p++; *p == ' '; p++)
			;
		for (; *p >= '0' && *p <= '9'; p++)
			sec = sec * 10 + (unsigned)(*p - '0');
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				usec = usec * 10 + (unsigned)(*p - '0');
		if (*p == ']')
			p++;
		if (*p == ' ')
			p++;
	}
	return snprintf(out, size, "%u,%llu,%llu,-;%s", level, (unsigned long long)seq,
			sec * 1000000 + usec, p);
}

static long kmsg_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct kmsg_reader *r = f->private;
	char *line = kmalloc(2 * KMSG_LINE);
	long n;
	(void)pos;

	if (!line)
		return -ENOMEM;
	/* No wait queue in printk: poll the log every 20 ms until a line. */
	while ((n = kmsg_next_line(r, line)) == 0) {
		if (f->flags & O_NONBLOCK) {
			n = -EAGAIN;
			goto out;
		}
		if (sleep_until_interruptible(time_ns() + 20000000)) {
			n = -ERESTARTSYS;
			goto out;
		}
	}
	if (n < 0)
		goto out;
	char *rec = line + KMSG_LINE;
	int m = kmsg_format(line, r->seq, rec, KMSG_LINE);
	m = MIN(m, KMSG_LINE - 1);
	if ((size_t)m > len) {
		n = -EINVAL;            /* Linux: the buffer must hold a whole record */
		goto out;
	}
	if (copy_to_user(ubuf, rec, (size_t)m)) {
		n = -EFAULT;
		goto out;
	}
	r->pos += (uint64_t)n;
	r->seq++;
	n = m;
out:
	kfree(line);
	return n;
}

/* A write is one log message; "<N>" in front chooses its level (Linux's
 * default for /dev/kmsg writers is 4, KERN_WARNING). */
static long kmsg_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	char buf[480];
	size_t n = MIN(len, sizeof(buf) - 1);
	const char *text = buf;
	int level = 4;
	(void)f, (void)pos;

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = '\0';
	if (buf[0] == '<' && buf[1] >= '0' && buf[1] <= '9') {
		char *p = buf + 1;
		unsigned pri = 0;
		while (*p >= '0' && *p <= '9')
			pri = pri * 10 + (unsigned)(*p++ - '0');
		if (*p == '>') {
			level = (int)(pri & 7);
			text = p + 1;
		}
	}
	static const char *const fmt[8] = {
		KERN_EMERG "%s%s", KERN_ALERT "%s%s", KERN_CRIT "%s%s", KERN_ERR "%s%s",
		KERN_WARNING "%s%s", KERN_NOTICE "%s%s", KERN_INFO "%s%s", KERN_DEBUG "%s%s",
	};
	size_t tl = strlen(text);
	printk(fmt[level], text, tl && text[tl - 1] == '\n' ? "" : "\n");
	return (long)len;
}

static void kmsg_release(struct file *f)
{
	kfree(f->private);
}

static const struct file_ops kmsg_fops = {
	.read = kmsg_read,
	.write = kmsg_write,
	.release = kmsg_release,
};

static struct file *kmsg_open(uint32_t dev, unsigned flags)
{
	(void)dev;
	struct kmsg_reader *r = kzalloc(sizeof(*r));
	if (!r)
		return NULL;
	uint64_t head = klog_head();
	r->pos = head > klog_size() ? head - klog_size() : 0;
	/* Begin at a whole line if the log has wrapped. */
	if (r->pos) {
		char c;
		uint64_t at = r->pos - 1;
		if (klog_read(&c, 1, &at) == 1 && c != '\n') {
			char *line = kmalloc(KMSG_LINE);
			if (line) {
				kmsg_next_line(r, line);        /* -EPIPE: skips the piece */
				kfree(line);
			}
		}
	}
	struct file *f = file_alloc(&kmsg_fops, r, flags);
	if (!f)
		kfree(r);
	return f;
}

/* ---- the device list and devtmpfs ---- */

struct devnode {
	const char *name;
	unsigned major, minor;
	uint32_t mode;
	chrdev_open_fn open;
};

static const struct devnode devnodes[] = {
	{ "null", 1, 3, 0666, mem_open },
	{ "zero", 1, 5, 0666, mem_open },
	{ "full", 1, 7, 0666, mem_open },
	{ "random", 1, 8, 0666, mem_open },
	{ "urandom", 1, 9, 0666, mem_open },
	{ "kmsg", 1, 11, 0644, kmsg_open },
	{ "ttyS0", 4, 64, 0660, console_dev_open },
	{ "tty", 5, 0, 0666, ctty_open },
	{ "console", 5, 1, 0600, console_dev_open },
	{ "ptmx", 5, 2, 0666, NULL },           /* drivers/tty/pty.c registers it */
};

#define GID_TTY    5
#define GID_DIALOUT 20
#define GID_DISK   6

static struct spinlock devfs_lock = SPINLOCK_INIT("devfs");
static struct super_block *devtmpfs_sb;         /* set once */

/* Make node name in the devtmpfs root: mode includes the type. */
static int make_node(struct super_block *sb, const char *name, uint32_t mode, uint32_t dev,
		     uint32_t gid)
{
	struct inode *dir = sb->root->inode;
	struct dentry *d;

	mutex_lock(&dir->lock);
	int err = lookup_child(sb->root, name, &d);
	if (!err) {
		err = d->inode ? -EEXIST : dir->ops->create(dir, d, mode, dev);
		if (!err) {
			d->inode->uid = 0;
			d->inode->gid = gid;
		}
		d_put(d);
	}
	mutex_unlock(&dir->lock);
	return err;
}

static int populate(struct super_block *sb)
{
	sb->root->inode->mode = S_IFDIR | 0755;
	for (size_t n = 0; n < ARRAY_SIZE(devnodes); n++) {
		const struct devnode *dn = &devnodes[n];
		uint32_t gid = dn->major == 5 && dn->minor != 1 ? GID_TTY :
			       dn->major == 4 ? GID_DIALOUT : 0;
		int err = make_node(sb, dn->name, S_IFCHR | dn->mode, MKDEV(dn->major, dn->minor), gid);
		if (err)
			return err;
	}
	/* Where devpts is mounted (drivers/tty/pty.c). */
	struct inode *dir = sb->root->inode;
	struct dentry *d;
	mutex_lock(&dir->lock);
	int err = lookup_child(sb->root, "pts", &d);
	if (!err) {
		err = d->inode ? 0 : dir->ops->mkdir(dir, d, 0755);
		d_put(d);
	}
	mutex_unlock(&dir->lock);
	return err;
}

static int devtmpfs_mount(struct fs_type *type, const char *source, unsigned long flags,
			  const void *data, struct super_block **out)
{
	spin_lock(&devfs_lock);
	struct super_block *sb = devtmpfs_sb;
	spin_unlock(&devfs_lock);
	if (sb) {
		*out = sb;
		return 0;
	}
	int err = tmpfs_type.mount(type, source, flags, data, &sb);
	if (err)
		return err;
	err = populate(sb);
	if (err) {
		sb->ops->put_super(sb);
		return err;
	}
	sb->active = 1;         /* our own hold: unmounting never frees it */
	spin_lock(&devfs_lock);
	if (devtmpfs_sb) {
		/* Another mount won the race: use its instance. */
		spin_unlock(&devfs_lock);
		sb->ops->put_super(sb);
		*out = devtmpfs_sb;
		return 0;
	}
	devtmpfs_sb = sb;
	spin_unlock(&devfs_lock);
	*out = sb;
	return 0;
}

struct fs_type devtmpfs_type = {
	.name = "devtmpfs",
	.mount = devtmpfs_mount,
};

void devfs_init(void)
{
	for (size_t n = 0; n < ARRAY_SIZE(devnodes); n++)
		if (devnodes[n].open && chrdev_register(devnodes[n].major, devnodes[n].minor, devnodes[n].open))
			pr_warn("devfs: cannot register %s\n", devnodes[n].name);
	if (register_filesystem(&devtmpfs_type))
		pr_warn("devfs: cannot register devtmpfs\n");
}

int devfs_add_block(const char *name, uint32_t dev)
{
	struct super_block *sb;
	if (strlen(name) > NAME_MAX || strchr(name, '/'))
		return -EINVAL;
	spin_lock(&devfs_lock);
	sb = devtmpfs_sb;
	spin_unlock(&devfs_lock);
	if (!sb) {
		/* Nodes are made when devtmpfs is first mounted: make it now. */
		int err = devtmpfs_mount(&devtmpfs_type, "devtmpfs", 0, NULL, &sb);
		if (err)
			return err;
	}
	return make_node(sb, name, S_IFBLK | 0660, dev, GID_DISK);
}

/* At boot there is no process yet: look /dev up from the root directly. */
void devfs_mount_at_boot(void)
{
	struct path root = vfs_root_path();
	struct inode *ri = root.dentry->inode;
	struct dentry *d;

	mutex_lock(&ri->lock);
	int err = lookup_child(root.dentry, "dev", &d);
	mutex_unlock(&ri->lock);
	if (err)
		goto out;
	if (d->inode && S_ISDIR(d->inode->mode)) {
		struct path at = { root.mnt, d };
		err = do_mount(&at, "devtmpfs", "devtmpfs", 0, NULL);
		if (err)
			pr_warn("devfs: cannot mount devtmpfs on /dev: %d\n", err);
	}
	d_put(d);
out:
	path_put(&root);
}
