/*
 * Open files and per-process descriptor tables. A struct file is an open
 * file description (offset, status flags) shared by dup() and fork(); its
 * ops say what it is (an inode of a file system, a pipe, the console...).
 *
 * Locking: fd_table.lock protects the descriptor array; file.pos_lock the
 * offset. Reference counts: a file is freed (ops->release) when the last
 * descriptor or in-flight user drops it; a table when its last process does.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/spinlock.h>
#include <fs/vfs.h>
#include <kernel/list.h>

struct file;
struct poll_table;

/* One element of a readv/writev array (struct iovec), checked. */
struct iovec_k {
	uint64_t base, len;
};

struct file_ops {
	/* ubuf is a user pointer, touched only through copy_*_user (so
	 * fs/kernel_rw.c may pass a kernel buffer: sendfile); return bytes
	 * done or -errno. */
	long (*read)(struct file *f, void *ubuf, size_t len, uint64_t *pos);
	long (*write)(struct file *f, const void *ubuf, size_t len, uint64_t *pos);
	/* Optional: writev of several elements as one write (pipes make up
	 * to PIPE_BUF bytes atomic); without it each element is a write. */
	long (*writev)(struct file *f, const struct iovec_k *iov, unsigned cnt, uint64_t *pos);
	/* Optional: readv as one read (a datagram socket's one message). */
	long (*readv)(struct file *f, const struct iovec_k *iov, unsigned cnt, uint64_t *pos);
	long (*ioctl)(struct file *f, unsigned cmd, unsigned long arg);
	/* Directories: fill ubuf with struct linux_dirent64 records from *pos. */
	long (*getdents)(struct file *f, void *ubuf, size_t len, uint64_t *pos);
	/* Seekable files: the size SEEK_END is relative to; NULL: ESPIPE. */
	long (*size)(struct file *f);
	/* Readiness: a mask of POLL* bits (kernel/poll.h has the rules);
	 * NULL counts as always readable and writable. */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	/* Optional: make what was written durable (fsync on a block device
	 * file); without it fsync writes the inode back and syncs its fs. */
	int (*fsync)(struct file *f);
	void (*release)(struct file *f);
	/* Optional: told when a reference other than the last is dropped
	 * (channels wake receivers that may now be alone). put_hold runs
	 * before the drop and returns what put_dropped gets after it, so the
	 * object can outlive a release on another CPU meanwhile. */
	void *(*put_hold)(struct file *f);
	void (*put_dropped)(void *held);
	/* Files with no inode (pipes, eventfd...): the st_mode fstat shows. */
	uint32_t anon_mode;
};

struct file {
	const struct file_ops *ops;
	void *private;
	/* Files opened by name: where (path holds references) and what
	 * (inode, a reference); both empty for pipes and the like. */
	struct path path;
	struct inode *inode;
	unsigned flags;                 /* O_ACCMODE | O_APPEND | O_NONBLOCK ... */
	bool mnt_write;                 /* holds write access to path.mnt (vfs_open) */
	int refcount;                   /* atomic */
	struct spinlock pos_lock;
	uint64_t pos;
	struct list_head epitems;       /* epoll items watching it, under epoll's global lock */
	struct list_head defer_link;    /* last reference queued by file_put_deferred (mm/filemap.h) */
};

#define FD_MAX_DEFAULT 1024

struct fd_table {
	struct spinlock lock;
	int refcount;                   /* atomic: processes sharing it (CLONE_FILES) */
	unsigned size;                  /* slots in fds */
	struct file **fds;
	uint64_t *cloexec;              /* one bit per slot */
};

struct file *file_alloc(const struct file_ops *ops, void *private, unsigned flags);
void file_get(struct file *f);
void file_put(struct file *f);

struct fd_table *fd_table_create(void);
struct fd_table *fd_table_dup(struct fd_table *t);     /* fork */
void fd_table_put(struct fd_table *t);
/* Lowest free descriptor >= min for f (takes a reference): fd or -EMFILE. */
int fd_install(struct fd_table *t, struct file *f, int min, bool cloexec, unsigned limit);
/* The file behind fd with a reference, or NULL (EBADF). */
struct file *fd_get(struct fd_table *t, int fd);
int fd_close(struct fd_table *t, int fd);
void fd_close_on_exec(struct fd_table *t);

/* kernel/sys_file.c: copy and check a user iovec array (Linux's
 * import_iovec): 0 or -errno; *out is fast (IOV_FAST elements) or a
 * kmalloc'ed array the caller frees. */
#define IOV_FAST 8
int import_iovec(const void *uiov, int iovcnt, struct iovec_k *fast, struct iovec_k **out);

/* kernel/fcntl.c: ioctl(2) on f (as fd): the commands every descriptor
 * answers, then f's own ioctl method (-ENOTTY without one). */
long file_ioctl(struct file *f, int fd, unsigned cmd, unsigned long arg);
