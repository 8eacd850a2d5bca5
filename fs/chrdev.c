/*
 * The character-device registry: device number -> the function that opens
 * its driver. Any file system's S_IFCHR inode opens through it (vfs_open),
 * so a node made with mknod(2) in tmpfs reaches the same driver as the one
 * devfs makes.
 *
 * Locking: chrdev_lock (a spinlock) protects the table; entries are never
 * removed, so an open function read under it stays valid.
 */
#include <fs/devices.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/spinlock.h>

#define CHRDEV_MAX 32
#define O_NOCTTY   0400

struct chrdev {
	uint32_t dev;
	bool any_minor;                 /* chrdev_register_major */
	chrdev_open_fn open;
};

static struct chrdev chrdevs[CHRDEV_MAX];
static unsigned nr_chrdevs;
static struct spinlock chrdev_lock = SPINLOCK_INIT("chrdev");

static chrdev_open_fn find_locked(uint32_t dev)
{
	for (unsigned n = 0; n < nr_chrdevs; n++)
		if (chrdevs[n].dev == dev ||
		    (chrdevs[n].any_minor && MAJOR(chrdevs[n].dev) == MAJOR(dev)))
			return chrdevs[n].open;
	return NULL;
}

static int add(unsigned major, unsigned minor, bool any_minor, chrdev_open_fn open)
{
	uint32_t dev = MKDEV(major, minor);
	int err = 0;

	spin_lock(&chrdev_lock);
	if (find_locked(dev))
		err = -EBUSY;
	else if (nr_chrdevs == CHRDEV_MAX)
		err = -ENOSPC;
	else
		chrdevs[nr_chrdevs++] = (struct chrdev){ dev, any_minor, open };
	spin_unlock(&chrdev_lock);
	return err;
}

int chrdev_register(unsigned major, unsigned minor, chrdev_open_fn open)
{
	return add(major, minor, false, open);
}

int chrdev_register_major(unsigned major, chrdev_open_fn open)
{
	return add(major, 0, true, open);
}

long chrdev_open(uint32_t dev, unsigned flags, struct file **out)
{
	spin_lock(&chrdev_lock);
	chrdev_open_fn open = find_locked(dev);
	spin_unlock(&chrdev_lock);
	if (!open)
		return -ENXIO;
	struct file *f = open(dev, flags);
	if (!f)
		return -ENOMEM;
	if (IS_ERR(f))
		return PTR_ERR(f);
	f->flags &= ~O_NOCTTY;          /* a request to open, not a status */
	*out = f;
	return 0;
}
