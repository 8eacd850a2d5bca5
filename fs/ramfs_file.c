/*
 * open() on the initramfs tree: read-only files and directories (the VFS
 * issue brings the real VFS; this keeps the same file_ops seam). Also
 * lseek and getdents64 on them.
 */
#include <fs/ramfs.h>
#include <fs/genfile.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <mm/uaccess.h>

#define O_ACCMODE   03
#define O_RDONLY    0
#define O_CREAT     0100
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000
#define AT_FDCWD    (-100)
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

static long rf_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct ramfs_node *n = f->private;

	if (S_ISDIR(n->mode))
		return -EISDIR;
	if (*pos >= n->size)
		return 0;
	size_t cnt = MIN(len, n->size - *pos);
	if (copy_to_user(ubuf, (const uint8_t *)n->data + *pos, cnt))
		return -EFAULT;
	*pos += cnt;
	return (long)cnt;
}

static long rf_size(struct file *f)
{
	return (long)((struct ramfs_node *)f->private)->size;
}

/* struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name[] */
struct dirent64_hdr {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __packed;

static uint8_t dtype(uint32_t mode)
{
	return S_ISDIR(mode) ? 4 : S_ISLNK(mode) ? 10 : S_ISREG(mode) ? 8 : 0;
}

/* *pos counts entries: 0 ".", 1 "..", then the children in order. */
static long rf_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	struct ramfs_node *dir = f->private, *c;
	size_t done = 0;
	uint64_t index = 0;
	char rec[sizeof(struct dirent64_hdr) + NAME_MAX + 1 + 8];

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	for (uint64_t i = *pos; i < 2; i++) {
		const char *name = i == 0 ? "." : "..";
		struct ramfs_node *n = i == 0 ? dir : (dir->parent ? dir->parent : dir);
		size_t reclen = ALIGN_UP(sizeof(struct dirent64_hdr) + strlen(name) + 1, 8);
		if (done + reclen > len)
			return done ? (long)done : -EINVAL;
		memset(rec, 0, reclen);
		struct dirent64_hdr h = { (uint64_t)(uintptr_t)n, (int64_t)i + 1, (uint16_t)reclen, 4 };
		memcpy(rec, &h, sizeof(h));
		strlcpy(rec + sizeof(h), name, NAME_MAX + 1);
		if (copy_to_user((uint8_t *)ubuf + done, rec, reclen))
			return -EFAULT;
		done += reclen;
		*pos = i + 1;
	}
	list_for_each_entry(c, &dir->children, sibling) {
		if (index++ + 2 < *pos)
			continue;
		size_t reclen = ALIGN_UP(sizeof(struct dirent64_hdr) + strlen(c->name) + 1, 8);
		if (done + reclen > len)
			return done ? (long)done : -EINVAL;
		memset(rec, 0, reclen);
		struct dirent64_hdr h = { (uint64_t)(uintptr_t)c, (int64_t)*pos + 1,
					  (uint16_t)reclen, dtype(c->mode) };
		memcpy(rec, &h, sizeof(h));
		strlcpy(rec + sizeof(h), c->name, NAME_MAX + 1);
		if (copy_to_user((uint8_t *)ubuf + done, rec, reclen))
			return -EFAULT;
		done += reclen;
		(*pos)++;
	}
	return (long)done;
}

static const struct file_ops ramfs_file_ops = {
	.read = rf_read,
	.getdents = rf_getdents,
	.size = rf_size,
};

long sys_openat(int dirfd, const char *upath, int flags, unsigned mode)
{
	struct proc *p = current_proc();
	char path[PATH_MAX];
	struct ramfs_node *n;

	long len = strncpy_from_user(path, upath, sizeof(path));
	if (len < 0)
		return len;
	if (len >= (long)sizeof(path))
		return -ENAMETOOLONG;
	if (path[0] != '/' && dirfd != AT_FDCWD)
		return -EBADF;          /* directory fds as bases come with the VFS */
	int err = ramfs_lookup(path, &n);
	if (err == -ENOENT && (flags & O_CREAT))
		return -EROFS;
	if (err)
		return err;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))
		return -EROFS;          /* the initramfs tree is read-only for now */
	if ((flags & O_DIRECTORY) && !S_ISDIR(n->mode))
		return -ENOTDIR;
	struct file *f = n->generate ? genfile_open(n->generate, (unsigned)flags & ~O_CLOEXEC) :
			 file_alloc(&ramfs_file_ops, n, (unsigned)flags & ~O_CLOEXEC);
	if (!f)
		return -ENOMEM;
	unsigned limit = proc_fd_limit(p);
	int fd = fd_install(p->files, f, 0, flags & O_CLOEXEC, limit);
	file_put(f);
	return fd;
}

long sys_open(const char *upath, int flags, unsigned mode)
{
	return sys_openat(AT_FDCWD, upath, flags, mode);
}

long sys_getdents64(int fd, void *ubuf, unsigned count)
{
	struct file *f = fd_get(current_proc()->files, fd);
	if (!f)
		return -EBADF;
	long r = f->ops->getdents ? f->ops->getdents(f, ubuf, count, &f->pos) : -ENOTDIR;
	file_put(f);
	return r;
}

long sys_lseek(int fd, long off, int whence)
{
	struct file *f = fd_get(current_proc()->files, fd);
	long r;

	if (!f)
		return -EBADF;
	if (!f->ops->size) {
		file_put(f);
		return -ESPIPE;
	}
	spin_lock(&f->pos_lock);
	long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->pos :
		    whence == SEEK_END ? f->ops->size(f) : -1;
	if (base < 0 && whence != SEEK_SET)
		r = -EINVAL;
	else if (base + off < 0)
		r = -EINVAL;
	else
		r = (long)(f->pos = (uint64_t)(base + off));
	spin_unlock(&f->pos_lock);
	file_put(f);
	return r;
}

struct ramfs_node *ramfs_file_node(struct file *f)
{
	return f->ops == &ramfs_file_ops ? f->private : NULL;
}
