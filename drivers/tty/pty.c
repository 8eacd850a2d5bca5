/*
 * Pseudo-terminals: opening /dev/ptmx makes a pair, a master file and a
 * slave tty that appears as /dev/pts/N (devpts, a tmpfs instance that
 * only this file adds to and removes from). What the master writes is
 * the slave's input, through the slave's line discipline; what the slave
 * writes (and echoes) lands in the master's ring, where the master reads
 * it. The slave is locked until TIOCSPTLCK 0 (unlockpt).
 *
 * Lifetime: the pair is the slave tty's driver_data; the master file and
 * every slave file hold a reference on the tty, and the last one frees
 * both. Closing the master hangs the slave up and removes /dev/pts/N;
 * the slave's last close makes master reads fail with EIO.
 *
 * Locking: as drivers/tty/tty.h; pty.lock (the ring) nests inside the
 * slave's tty.lock; pty_lock (the index table) comes before tty_list_lock.
 */
#include <drivers/tty/pty.h>
#include <drivers/tty/tty_internal.h>
#include <fs/devices.h>
#include <fs/perm.h>
#include <fs/tmpfs.h>
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/printk.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define PTY_MAX      256
#define PTY_RING     4096
#define PTS_MAJOR    136
#define GID_TTY      5
#define O_NONBLOCK   04000
#define O_NOCTTY     0400
#define O_CLOEXEC    02000000

struct pty {
	int index;                      /* immutable */
	struct tty *slave;              /* immutable */

	struct spinlock lock;           /* the ring and flags below */
	uint8_t *ring;                  /* slave output, read by the master */
	unsigned head, tail;
	bool locked;                    /* TIOCSPTLCK: slave opens fail */
	bool master_closed;
	bool slave_closed;              /* opened once, then every slave file closed */
	struct wait_queue mread_wq;     /* master readers: ring data, slave close */
	struct wait_queue mwrite_wq;    /* master writers: room in the slave's input */
};

static struct spinlock pty_lock = SPINLOCK_INIT("pty_table");
static struct pty *ptys[PTY_MAX];

/* ---- devpts ---- */

static struct spinlock devpts_lock = SPINLOCK_INIT("devpts");
static struct super_block *devpts_sb;   /* set once */

static int devpts_mount(struct fs_type *type, const char *source, unsigned long flags,
			const void *data, struct super_block **out)
{
	spin_lock(&devpts_lock);
	struct super_block *sb = devpts_sb;
	spin_unlock(&devpts_lock);
	if (sb) {
		*out = sb;
		return 0;
	}
	int err = tmpfs_type.mount(type, source, flags, NULL, &sb);
	if (err)
		return err;
	sb->root->inode->mode = S_IFDIR | 0755;
	sb->active = 1;                 /* our own hold: the instance lives on */
	spin_lock(&devpts_lock);
	if (devpts_sb) {
		spin_unlock(&devpts_lock);
		sb->ops->put_super(sb);
		*out = devpts_sb;
		return 0;
	}
	devpts_sb = sb;
	spin_unlock(&devpts_lock);
	*out = sb;
	return 0;
}

static struct fs_type devpts_type = {
	.name = "devpts",
	.mount = devpts_mount,
};

static struct super_block *devpts_get(void)
{
	struct super_block *sb;
	if (devpts_mount(&devpts_type, "devpts", 0, NULL, &sb))
		return NULL;
	return sb;
}

static void devpts_add(int index, uint32_t uid)
{
	struct super_block *sb = devpts_get();
	char name[12];
	struct dentry *d;

	if (!sb)
		return;
	snprintf(name, sizeof(name), "%d", index);
	struct inode *dir = sb->root->inode;
	mutex_lock(&dir->lock);
	int err = lookup_child(sb->root, name, &d);
	if (!err) {
		err = d->inode ? -EEXIST :
		      dir->ops->create(dir, d, S_IFCHR | 0620, MKDEV(PTS_MAJOR, index));
		if (!err) {
			d->inode->uid = uid;
			d->inode->gid = GID_TTY;
		}
		d_put(d);
	}
	mutex_unlock(&dir->lock);
	if (err)
		pr_warn("devpts: cannot add %s: %d\n", name, err);
}

static void devpts_remove(int index)
{
	struct super_block *sb = devpts_get();
	char name[12];
	struct dentry *d;

	if (!sb)
		return;
	snprintf(name, sizeof(name), "%d", index);
	struct inode *dir = sb->root->inode;
	mutex_lock(&dir->lock);
	if (!lookup_child(sb->root, name, &d)) {
		if (d->inode && S_ISCHR(d->inode->mode) && d->inode->rdev == MKDEV(PTS_MAJOR, index))
			dir->ops->unlink(dir, d);
		d_put(d);
	}
	mutex_unlock(&dir->lock);
}

/* ---- the slave's driver ---- */

static unsigned ring_used(struct pty *pty) { return pty->head - pty->tail; }

static size_t slave_write(struct tty *tty, const uint8_t *buf, size_t n)
{
	struct pty *pty = tty->driver_data;
	spin_lock(&pty->lock);
	size_t k = 0;
	if (!pty->master_closed)
		for (; k < n && ring_used(pty) < PTY_RING; k++)
			pty->ring[pty->head++ % PTY_RING] = buf[k];
	else
		k = n;                  /* nobody reads: gone */
	spin_unlock(&pty->lock);
	if (k)
		wait_queue_wake_all(&pty->mread_wq);
	return k;
}

static size_t slave_write_room(struct tty *tty)
{
	struct pty *pty = tty->driver_data;
	spin_lock(&pty->lock);
	size_t room = pty->master_closed ? PTY_RING : PTY_RING - ring_used(pty);
	spin_unlock(&pty->lock);
	return room;
}

static size_t slave_chars_in_buffer(struct tty *tty)
{
	struct pty *pty = tty->driver_data;
	spin_lock(&pty->lock);
	size_t n = ring_used(pty);
	spin_unlock(&pty->lock);
	return n;
}

static void slave_flush_output(struct tty *tty)
{
	struct pty *pty = tty->driver_data;
	spin_lock(&pty->lock);
	pty->tail = pty->head;
	spin_unlock(&pty->lock);
}

static void slave_unthrottle(struct tty *tty)
{
	struct pty *pty = tty->driver_data;
	wait_queue_wake_all(&pty->mwrite_wq);
}

static int slave_open(struct tty *tty)
{
	struct pty *pty = tty->driver_data;
	spin_lock(&pty->lock);
	int err = pty->master_closed || pty->locked ? -EIO : 0;
	if (!err)
		pty->slave_closed = false;
	spin_unlock(&pty->lock);
	return err;
}

static void slave_close(struct tty *tty, unsigned left)
{
	struct pty *pty = tty->driver_data;
	if (left)
		return;
	spin_lock(&pty->lock);
	pty->slave_closed = true;
	spin_unlock(&pty->lock);
	wait_queue_wake_all(&pty->mread_wq);
	wait_queue_wake_all(&pty->mwrite_wq);
}

static void slave_destroy(struct tty *tty)
{
	struct pty *pty = tty->driver_data;
	spin_lock(&pty_lock);
	ptys[pty->index] = NULL;
	spin_unlock(&pty_lock);
	kfree(pty->ring);
	kfree(pty);
}

static const struct tty_driver pty_slave_driver = {
	.write = slave_write,
	.write_room = slave_write_room,
	.chars_in_buffer = slave_chars_in_buffer,
	.flush_output = slave_flush_output,
	.unthrottle = slave_unthrottle,
	.open = slave_open,
	.close = slave_close,
	.destroy = slave_destroy,
	.is_pty_slave = true,
};

/* ---- the master ---- */

static bool master_readable(struct pty *pty)
{
	spin_lock(&pty->lock);
	bool r = ring_used(pty) || pty->slave_closed;
	spin_unlock(&pty->lock);
	return r;
}

static long master_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct pty *pty = f->private;
	uint8_t chunk[256];
	(void)pos;

	if (!len)
		return 0;
	for (;;) {
		spin_lock(&pty->lock);
		size_t n = 0;
		while (n < len && n < sizeof(chunk) && pty->tail != pty->head)
			chunk[n++] = pty->ring[pty->tail++ % PTY_RING];
		bool closed = pty->slave_closed;
		spin_unlock(&pty->lock);
		if (n) {
			wait_queue_wake_all(&pty->slave->write_wq);
			return copy_to_user(ubuf, chunk, n) ? -EFAULT : (long)n;
		}
		if (closed)
			return -EIO;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long err = wait_event_interruptible(&pty->mread_wq, master_readable(pty));
		if (err)
			return err;
	}
}

static bool master_writable(struct pty *pty)
{
	spin_lock(&pty->lock);
	bool closed = pty->slave_closed;
	spin_unlock(&pty->lock);
	return closed || tty_receive_room(pty->slave) > 0;
}

static long master_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos)
{
	struct pty *pty = f->private;
	uint8_t chunk[256];
	size_t done = 0;
	long err = 0;
	(void)pos;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk)), off = 0;
		if (copy_from_user(chunk, (const uint8_t *)ubuf + done, n))
			return done ? (long)done : -EFAULT;
		while (off < n) {
			spin_lock(&pty->lock);
			bool closed = pty->slave_closed;
			spin_unlock(&pty->lock);
			if (closed) {
				err = -EIO;
				break;
			}
			size_t k = tty_receive(pty->slave, chunk + off, n - off);
			off += k;
			if (k)
				continue;
			if (f->flags & O_NONBLOCK) {
				err = -EAGAIN;
				break;
			}
			if ((err = wait_event_interruptible(&pty->mwrite_wq, master_writable(pty))))
				break;
		}
		done += off;
		if (err)
			break;
	}
	return done ? (long)done : err;
}

static unsigned master_poll(struct file *f, struct poll_table *pt)
{
	struct pty *pty = f->private;
	poll_wait(pt, f, &pty->mread_wq);
	poll_wait(pt, f, &pty->mwrite_wq);
	unsigned mask = 0;
	spin_lock(&pty->lock);
	if (ring_used(pty))
		mask |= POLLIN | POLLRDNORM;
	bool closed = pty->slave_closed;
	spin_unlock(&pty->lock);
	if (closed)
		mask |= POLLHUP;
	else if (tty_receive_room(pty->slave) > 0)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static struct file *slave_open_file(struct pty *pty, unsigned flags)
{
	tty_get(pty->slave);
	struct file *f = tty_open_file(pty->slave, flags & ~(O_NOCTTY | O_CLOEXEC),
				       flags & O_NOCTTY);
	if (IS_ERR(f))
		tty_put(pty->slave);
	return f;
}

/* TIOCGPTPEER: the slave as a new descriptor, opened with flags. */
static long open_peer(struct pty *pty, unsigned long flags)
{
	struct proc *p = current_proc();
	if (flags & ~(unsigned long)(03 | O_NONBLOCK | O_NOCTTY | O_CLOEXEC))
		return -EINVAL;
	struct file *f = slave_open_file(pty, (unsigned)flags);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(p->files, f, 0, flags & O_CLOEXEC, proc_fd_limit(p));
	file_put(f);
	return fd;
}

static long master_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct pty *pty = f->private;
	int32_t v;

	switch (cmd) {
	case TIOCGPTN:
		return put_user_u32((uint32_t)pty->index, (void *)arg) ? -EFAULT : 0;
	case TIOCSPTLCK:
		if (get_user_u32((uint32_t *)&v, (void *)arg))
			return -EFAULT;
		spin_lock(&pty->lock);
		pty->locked = v != 0;
		spin_unlock(&pty->lock);
		return 0;
	case TIOCGPTLCK:
		spin_lock(&pty->lock);
		v = pty->locked;
		spin_unlock(&pty->lock);
		return put_user_u32((uint32_t)v, (void *)arg) ? -EFAULT : 0;
	case TIOCGPTPEER:
		return open_peer(pty, arg);
	}
	return tty_ioctl_common(pty->slave, f, cmd, arg, true);
}

static void master_release(struct file *f)
{
	struct pty *pty = f->private;
	spin_lock(&pty->lock);
	pty->master_closed = true;
	pty->tail = pty->head;
	spin_unlock(&pty->lock);
	devpts_remove(pty->index);
	tty_hangup(pty->slave);
	tty_put(pty->slave);
}

static const struct file_ops ptmx_fops = {
	.read = master_read,
	.write = master_write,
	.poll = master_poll,
	.ioctl = master_ioctl,
	.release = master_release,
	.anon_mode = 0020000 | 0666,
};

static struct file *ptmx_open(uint32_t dev, unsigned flags)
{
	struct pty *pty = kzalloc(sizeof(*pty));
	(void)dev;
	if (!pty)
		return ERR_PTR(-ENOMEM);
	pty->ring = kmalloc(PTY_RING);
	spin_lock_init(&pty->lock, "pty");
	wait_queue_init(&pty->mread_wq);
	wait_queue_init(&pty->mwrite_wq);
	pty->locked = true;
	pty->index = -1;
	spin_lock(&pty_lock);
	for (int i = 0; i < PTY_MAX; i++)
		if (!ptys[i]) {
			ptys[i] = pty;
			pty->index = i;
			break;
		}
	spin_unlock(&pty_lock);
	if (pty->index < 0 || !pty->ring)
		goto out_free;
	char name[16];
	snprintf(name, sizeof(name), "pts/%d", pty->index);
	struct tty *slave = tty_alloc(&pty_slave_driver, pty, name, MKDEV(PTS_MAJOR, pty->index));
	if (!slave)
		goto out_free;
	spin_lock(&pty_lock);
	pty->slave = slave;
	spin_unlock(&pty_lock);
	struct file *f = file_alloc(&ptmx_fops, pty, flags & ~O_NOCTTY);
	if (!f) {
		tty_put(pty->slave);    /* frees pty too */
		return ERR_PTR(-ENOMEM);
	}
	devpts_add(pty->index, current_proc() ? current_proc()->cred.euid : 0);
	return f;
out_free:
	if (pty->index >= 0) {
		spin_lock(&pty_lock);
		ptys[pty->index] = NULL;
		spin_unlock(&pty_lock);
	}
	bool full = pty->index < 0;
	kfree(pty->ring);
	kfree(pty);
	return ERR_PTR(full ? -ENOSPC : -ENOMEM);
}

static struct file *pts_open(uint32_t dev, unsigned flags)
{
	unsigned index = MINOR(dev);
	struct pty *pty = NULL;

	/* A slave whose last reference is going is no longer there. */
	spin_lock(&pty_lock);
	if (index < PTY_MAX && ptys[index] && ptys[index]->slave) {
		spin_lock(&tty_list_lock);
		if (ptys[index]->slave->refcount > 0) {
			pty = ptys[index];
			pty->slave->refcount++;         /* keeps pty too */
		}
		spin_unlock(&tty_list_lock);
	}
	spin_unlock(&pty_lock);
	if (!pty)
		return ERR_PTR(-ENXIO);
	struct file *f = slave_open_file(pty, flags);
	tty_put(pty->slave);
	return f;
}

void pty_init(void)
{
	if (chrdev_register(5, 2, ptmx_open))
		pr_warn("pty: cannot register /dev/ptmx\n");
	if (chrdev_register_major(PTS_MAJOR, pts_open))
		pr_warn("pty: cannot register the pts major\n");
	if (register_filesystem(&devpts_type))
		pr_warn("pty: cannot register devpts\n");
}
