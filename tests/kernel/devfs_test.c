/*
 * The device registry and devtmpfs from inside the kernel: device-number
 * encoding (Linux's 32-bit form, as makedev(3) builds it), registering and
 * opening a character device by number, and the block-device hook that
 * disk drivers call (devfs_add_block) making a node in devtmpfs.
 */
#include <kernel/ktest.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <fs/devices.h>
#include <fs/vfs.h>

static void test_dev_numbers(struct ktest *t)
{
	KT_EXPECT_EQ(t, MKDEV(1, 3), 0x103);
	KT_EXPECT_EQ(t, MKDEV(4, 64), 0x440);
	KT_EXPECT_EQ(t, MKDEV(259, 300), 0x11032c);     /* glibc/musl makedev(259, 300) */
	KT_EXPECT_EQ(t, MAJOR(MKDEV(259, 300)), 259);
	KT_EXPECT_EQ(t, MINOR(MKDEV(259, 300)), 300);
}

static const struct file_ops test_fops = { 0 };
static unsigned opened;

static struct file *test_open(uint32_t dev, unsigned flags)
{
	opened = dev;
	return file_alloc(&test_fops, NULL, flags);
}

static void test_chrdev_registry(struct ktest *t)
{
	struct file *f = NULL;
	KT_EXPECT_EQ(t, chrdev_register(240, 1, test_open), 0);
	KT_EXPECT_EQ(t, chrdev_register(240, 1, test_open), -EBUSY);
	KT_EXPECT_EQ(t, chrdev_open(MKDEV(240, 1), 0, &f), 0);
	KT_EXPECT(t, f && f->ops == &test_fops);
	KT_EXPECT_EQ(t, opened, MKDEV(240, 1));
	if (f)
		file_put(f);
	KT_EXPECT_EQ(t, chrdev_open(MKDEV(240, 2), 0, &f), -ENXIO);
}

static void test_add_block(struct ktest *t)
{
	struct super_block *sb;
	KT_EXPECT_EQ(t, devfs_add_block("ktestblk", MKDEV(259, 0)), 0);
	KT_EXPECT_EQ(t, devfs_add_block("ktestblk", MKDEV(259, 0)), -EEXIST);
	KT_EXPECT_EQ(t, devfs_add_block("a/b", MKDEV(259, 1)), -EINVAL);
	/* devtmpfs is one instance: mounting returns the tree holding it. */
	if (devtmpfs_type.mount(&devtmpfs_type, "devtmpfs", 0, NULL, &sb)) {
		ktest_fail(t, __FILE__, __LINE__, "devtmpfs mount failed");
		return;
	}
	struct inode *dir = sb->root->inode;
	struct dentry *d = d_find_child(sb->root, "ktestblk", 8);
	KT_EXPECT(t, d && d->inode);
	if (!d || !d->inode)
		return;
	KT_EXPECT(t, S_ISBLK(d->inode->mode));
	KT_EXPECT_EQ(t, d->inode->mode & 07777, 0660);
	KT_EXPECT_EQ(t, d->inode->rdev, MKDEV(259, 0));
	KT_EXPECT_EQ(t, d->inode->gid, 6);              /* disk */
	mutex_lock(&dir->lock);
	KT_EXPECT_EQ(t, dir->ops->unlink(dir, d), 0);
	mutex_unlock(&dir->lock);
	d_put(d);
	KT_EXPECT(t, d_find_child(sb->root, "ktestblk", 8) == NULL);
}

static struct ktest_case devfs_cases[] = {
	KTEST_CASE(test_dev_numbers),
	KTEST_CASE(test_chrdev_registry),
	KTEST_CASE(test_add_block),
	{},
};
KTEST_SUITE(devfs, devfs_cases);
