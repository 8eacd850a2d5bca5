/*
 * The virtual file system: the objects every file system shares.
 *
 *   fs_type     a registered kind of file system ("tmpfs"); mount() makes
 *               a super_block.
 *   super_block one mounted instance: its root dentry, its ops.
 *   inode       a file: type and mode, owner, times, size, link count,
 *               the ops that act on it; data is the file system's.
 *   dentry      a name in a directory, naming an inode. The cache of them
 *               is the namespace tree the path walk follows.
 *   mount       a super_block's tree attached at a dentry of another mount.
 *   path        (mount, dentry): a place in the namespace.
 *
 * Lifetimes (docs/filesystems.md): an inode lives while it has references
 * (dentries naming it, open files, walkers) and is evicted when the last
 * goes, which for nlink 0 frees its data. A dentry lives while it is in
 * the tree (hashed) or referenced; each dentry holds a reference on its
 * parent and on its inode.
 *
 * Lock order: super_block.rename_lock -> inode.lock (two directories: by
 * address; then a victim directory) -> dcache_lock, mount_lock and the
 * other VFS spinlocks (leaves). A FIFO's pipe.lock nests in inode.lock.
 */
#pragma once

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/mutex.h>
#include <kernel/spinlock.h>
#include <fs/perm.h>

#define PATH_MAX 4096
#define NAME_MAX 255
#define MAX_SYMLINKS 40

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE  2
#define RENAME_WHITEOUT  4

#define MS_RDONLY 1             /* mount(2): the file system must enforce it */

struct inode;
struct dentry;
struct super_block;
struct mount;
struct file;
struct cred;

struct vfs_time {
	int64_t sec;
	int64_t nsec;
};

struct kstatfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree, namelen, frsize, flags;
};

/*
 * What a file system implements for its inodes. Directory operations run
 * with the directory's lock held (and for rename both directories' and
 * the super block's rename_lock); they may sleep. A new inode is attached
 * to the (negative, unhashed) dentry with d_instantiate().
 */
struct inode_ops {
	/* Find name in dir: 0 with *out (a new reference) or -ENOENT. A file
	 * system whose directories live only in the dentry cache (tmpfs)
	 * leaves it NULL. */
	int (*lookup)(struct inode *dir, const char *name, struct inode **out);
	/* Optional: is the cached child d of dir still valid? false drops it
	 * from the cache and looks the name up again (procfs: a process that
	 * is gone). */
	bool (*revalidate)(struct inode *dir, struct dentry *d);
	/* Regular files, FIFOs, devices (mknod), mode includes the type. */
	int (*create)(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev);
	int (*mkdir)(struct inode *dir, struct dentry *d, uint32_t mode);
	int (*symlink)(struct inode *dir, struct dentry *d, const char *target);
	int (*link)(struct inode *target, struct inode *dir, struct dentry *d);
	/* Remove the entry d (its inode's nlink drops); rmdir: d is an empty
	 * directory (the VFS has checked with ->empty and holds its lock). */
	int (*unlink)(struct inode *dir, struct dentry *d);
	int (*rmdir)(struct inode *dir, struct dentry *d);
	/* Move od (in odir) to nd's name in ndir; nd may be positive (then it
	 * is replaced; the VFS has checked the types and emptiness). With
	 * RENAME_EXCHANGE both exist and swap places. */
	int (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd,
		      unsigned flags);
	/* Directories: no entries but . and .. */
	bool (*empty)(struct inode *dir, struct dentry *d);
	/* Symlinks: copy the target (not NUL-terminated) into buf, return its
	 * length (truncated to size). */
	long (*readlink)(struct inode *i, char *buf, size_t size);
	/* Regular files: set the size (zero-fills growth, frees beyond). */
	int (*truncate)(struct inode *i, uint64_t size);
	/* Regular files: allocate [off, off + len), growing the size. */
	int (*fallocate)(struct inode *i, uint64_t off, uint64_t len);
	/* Regular files: fill the kernel page buf with the bytes at page
	 * index (zeros for holes and past the end). exec reads through it;
	 * a page cache will too. */
	int (*readpage)(struct inode *i, uint64_t index, void *buf);
	/* Optional, regular files of file systems with backing storage: write
	 * the kernel page buf back as the bytes at page index, allocating
	 * blocks as needed; bytes of the page past i->size are not stored.
	 * The page cache calls it for dirty pages (fsync, sync, eviction). */
	int (*writepage)(struct inode *i, uint64_t index, const void *buf);
	/* Optional: make the open file itself (synthetic files): the file,
	 * NULL (ENOMEM) or an error pointer; NULL op means file_alloc(inode->fops). */
	struct file *(*open)(struct inode *i, unsigned flags);
};

struct super_ops {
	/* The last reference to i is gone: free what it owns (its data if
	 * nlink is 0, write it back otherwise). The VFS frees the struct. */
	void (*evict)(struct inode *i);
	/* Attributes (mode, owner, times, size) changed: write them back. */
	int (*write_inode)(struct inode *i);
	int (*statfs)(struct super_block *sb, struct kstatfs *out);
	int (*sync)(struct super_block *sb);
	void (*put_super)(struct super_block *sb);
};

struct fs_type {
	const char *name;
	/* A new super block with its root dentry (sb->root) set. */
	int (*mount)(struct fs_type *type, const char *source, unsigned long flags,
		     const void *data, struct super_block **out);
	/* The mount(2) flags (MS_RDONLY) this type enforces itself; others
	 * are refused with EINVAL. */
	unsigned long mount_flags;
	struct fs_type *next;           /* the registry, under its lock */
};

struct super_block {
	/* Immutable after mount. */
	struct fs_type *type;
	const struct super_ops *ops;
	uint64_t dev;                   /* st_dev */
	struct dentry *root;
	void *fs_private;
	uint64_t magic;                 /* statfs f_type */

	struct mutex rename_lock;       /* one rename at a time (s_vfs_rename_mutex) */
	int active;                     /* atomic: mounts of it */
};

struct inode {
	/* Immutable after creation. */
	struct super_block *sb;
	uint64_t ino;
	const struct inode_ops *ops;
	const struct file_ops *fops;    /* what open files of it do */

	int refcount;                   /* atomic */

	/* Under lock (a mutex: file systems sleep in their ops). For
	 * directories it also serializes changes to the entries. */
	struct mutex lock;
	uint32_t mode, uid, gid, nlink, rdev;
	uint64_t size;
	uint64_t blocks;                /* 512-byte units allocated */
	struct pipe *fifo;              /* FIFOs: the pipe while some end is open */
	struct vfs_time atime, mtime, ctime;
	void *fs_private;
};

struct dentry {
	/* Under dcache_lock (rename moves and renames entries). */
	char name[NAME_MAX + 1];
	struct dentry *parent;          /* itself for a root; holds a reference */
	struct list_head children;
	struct list_head sibling;
	bool hashed;                    /* in parent->children */
	uint64_t seq;                   /* order of entry into children (ascending
					 * along the list): a stable readdir position */
	unsigned mounted;               /* mounts on this dentry */

	struct inode *inode;            /* NULL: negative; set once (d_instantiate) */
	int refcount;                   /* atomic */
};

struct mount {
	/* Immutable after attach, under mount_lock for the list. */
	struct super_block *sb;
	struct dentry *root;            /* sb->root */
	struct mount *parent;           /* itself for the root mount */
	struct dentry *mountpoint;      /* in parent */
	struct list_head link;          /* all mounts */
	int refcount;                   /* atomic: paths through it, itself while attached */
	bool detached;                  /* unmounted: freed with the last reference */
};

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

/* Per-process file-system context: root, cwd, umask (shared by CLONE_FS). */
struct fs_context {
	struct spinlock lock;
	int refcount;                   /* atomic */
	struct path root, cwd;          /* under lock */
	uint32_t umask;                 /* atomic */
};

/* stat(2)'s information, independent of the user layout. */
struct kstat {
	uint64_t dev, ino, nlink, rdev, size, blocks;
	uint32_t mode, uid, gid, blksize;
	struct vfs_time atime, mtime, ctime;
};

extern struct spinlock dcache_lock;

/* fs/inode.c */
struct inode *inode_new(struct super_block *sb, uint32_t mode);
void inode_get(struct inode *i);
void inode_put(struct inode *i);
struct vfs_time vfs_now(void);
/* Set times to now: flags from the following. */
#define INODE_ATIME 1
#define INODE_MTIME 2
#define INODE_CTIME 4
void inode_touch(struct inode *i, unsigned which);
void inode_fill_stat(struct inode *i, struct kstat *st);
int inode_permission(struct inode *i, int mask);
const struct cred *current_cred(void);
bool in_group(uint32_t gid);
bool capable_fowner(const struct inode *i);

/* fs/dcache.c */
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len);
struct dentry *d_alloc_root(struct inode *root);
void d_get(struct dentry *d);
void d_put(struct dentry *d);
void d_instantiate(struct dentry *d, struct inode *i);
/* Put d into its parent's entries (the tree holds it). */
void d_add(struct dentry *d);
/* Take d out of the tree (unlink, rmdir). */
void d_drop(struct dentry *d);
/* The child named name of dir with a reference, or NULL (dcache only). */
struct dentry *d_find_child(struct dentry *dir, const char *name, size_t len);
/* Move d under newparent with a new name (rename). */
void d_move(struct dentry *d, struct dentry *newparent, const char *name);
/* Swap two dentries' places (RENAME_EXCHANGE). */
void d_exchange(struct dentry *a, struct dentry *b);

/* fs/mount.c */
int register_filesystem(struct fs_type *type);
struct fs_type *find_filesystem(const char *name);
void path_get(const struct path *p);
void path_put(struct path *p);
/* If a mount sits on p, move p to its root (repeatedly). */
void follow_mounts(struct path *p);
/* p's parent directory, stopping at root (crosses mount roots upward). */
void follow_dotdot(struct path *p, const struct path *root);
int vfs_mount_root(const char *type);
int do_mount(const struct path *at, const char *type, const char *source,
	     unsigned long flags, const void *data);
int do_umount(const struct path *p, int flags);
struct path vfs_root_path(void);
/* For /proc: the registered types' names (registration order), and the
 * mounts in mount order, each with a reference on the mount and on the
 * place it sits (drop them with vfs_mount_list_put). */
int vfs_fs_type_names(const char **names, int max);
struct vfs_mount_info {
	struct path at;                 /* the mountpoint: (parent mount, dentry) */
	struct super_block *sb;
	struct mount *mnt;
};
int vfs_mount_list(struct vfs_mount_info *out, int max);
void vfs_mount_list_put(struct vfs_mount_info *list, int n);

/* fs/namei.c: path resolution */
#define LOOKUP_FOLLOW    1      /* follow a final symlink */
#define LOOKUP_DIRECTORY 2      /* the result must be a directory */
#define LOOKUP_EMPTY     4      /* "" names the start (AT_EMPTY_PATH) */
/* Resolve a kernel path string relative to dirfd: 0 with *out (referenced). */
int path_lookupat(int dirfd, const char *path, unsigned flags, struct path *out);
/* Resolve a user path. */
int user_path_at(int dirfd, const char *upath, unsigned flags, struct path *out);
/* The parent directory of the last component, the last component itself
 * (NAME_MAX + 1 bytes) and whether the path ended with a slash. A last
 * component "." or ".." is returned as such. */
int path_parentat(int dirfd, const char *path, struct path *parent, char *last,
		  bool *trailing_slash);
/* Look name up in dir (dir's lock held): a dentry with a reference,
 * negative if there is no such entry. */
int lookup_child(struct dentry *dir, const char *name, struct dentry **out);
/* Copy a user path: 0, -EFAULT, -ENAMETOOLONG (>= PATH_MAX), -ENOENT (""
 * unless allow_empty). buf is PATH_MAX bytes. */
int getname(const char *upath, char *buf, bool allow_empty);

/* fs/open.c */
struct fs_context *fs_context_create(void);
struct fs_context *fs_context_copy(struct fs_context *src);
void fs_context_put(struct fs_context *fs);
struct fs_context *current_fs(void);
/* Open a resolved path: a new file (one reference) or an error pointer. */
long vfs_open(const struct path *p, unsigned flags, struct file **out);
/* open(2) on a kernel path string: the new file (one reference). */
long do_openat(int dirfd, const char *path, unsigned flags, uint32_t mode, struct file **out);
/* Read from a regular file into a kernel buffer (exec): bytes read. */
long kernel_read(struct inode *i, uint64_t off, void *buf, size_t len);
/* The absolute path of p as seen from the caller's root. */
int vfs_path_name(const struct path *p, char *buf, size_t size);
/* Unpack an initramfs newc archive into the root file system. */
int initramfs_unpack(const void *cpio, size_t len);
