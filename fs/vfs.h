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
#include <mm/pagecache.h>

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
	/* Regular files of file systems with storage: fill the kernel page
	 * buf with the bytes at page index (zeros for holes and past
	 * i->size). The page cache calls it for a missing page, with or
	 * without i->lock held by someone (a page fault does not hold it):
	 * it must not take i->lock; it may sleep; it must be safe against a
	 * concurrent ->truncate (use the file system's own lock). With it,
	 * the file's data is cached (mm/pagecache.h) and can be mapped. */
	int (*readpage)(struct inode *i, uint64_t index, void *buf);
	/* Optional, with readpage: write the kernel page buf back as the
	 * bytes at page index, allocating blocks as needed; bytes of the
	 * page past i->size are not stored. Called with i->lock held (fsync,
	 * sync, msync, before eviction), may sleep. */
	int (*writepage)(struct inode *i, uint64_t index, const void *buf);
	/* Optional, directories: a new regular file with nlink 0 and no
	 * dentry (O_TMPFILE), mode with its permission bits; one reference
	 * in *out. Without it O_TMPFILE is EOPNOTSUPP. */
	int (*tmpfile)(struct inode *dir, uint32_t mode, struct inode **out);
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
	/* Under mount_lock: SB_* (the MS_* values of mount(2)'s flags that
	 * belong to the file system rather than to one mount) and the files
	 * open for writing in it, so remounting read-only can say EBUSY. */
	unsigned long flags;
	int writers;
};

/* Super block flags (Linux's SB_*, equal to the MS_* mount flags). */
#define SB_RDONLY      1
#define SB_SYNCHRONOUS 16
#define SB_MANDLOCK    64
#define SB_DIRSYNC     128
#define SB_LAZYTIME    (1 << 25)

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
	bool linkable;                  /* O_TMPFILE without O_EXCL: linkat may name it
					 * although nlink is 0 (Linux's I_LINKABLE) */
	struct vfs_time atime, mtime, ctime;
	void *fs_private;

	/* Regular files: the data's pages (own lock; mm/pagecache.h). */
	struct page_cache cache;
};

struct dentry {
	/* Under dcache_lock (rename moves and renames entries). */
	char name[NAME_MAX + 1];
	struct dentry *parent;          /* itself for a root; holds a reference */
	struct list_head children;
	struct list_head sibling;
	bool hashed;                    /* in parent->children and the name hash */
	struct list_head hash_link;     /* in the bucket of (parent, name) */
	uint32_t hash;                  /* of (parent, name) while hashed */
	uint64_t seq;                   /* order of entry into children (ascending
					 * along the list): a stable readdir position */
	unsigned mounted;               /* mounts on this dentry */

	struct inode *inode;            /* NULL: negative; set once (d_instantiate) */
	/* Atomic; the step to 1 (only the tree's reference left) and to 0
	 * is taken under dcache_lock (fs/dcache.c: the LRU). */
	int refcount;

	/* Under dcache_lock: the LRU of unused dentries. */
	struct list_head lru;
	bool on_lru;
};

struct mount {
	/* Immutable after creation. */
	struct super_block *sb;
	struct dentry *root;            /* sb->root, or the bound directory (MS_BIND) */
	int id;                         /* /proc/[pid]/mountinfo */
	char *devname;                  /* mount(2)'s source, NULL: "none" */

	/* Under mount_lock (readers without it use READ_ONCE on flags). A
	 * detached mount has parent = itself and mountpoint = its root. */
	struct mount *parent;           /* itself for the root mount */
	struct dentry *mountpoint;      /* in parent; holds a reference */
	struct list_head link;          /* all mounts (a private list once detached) */
	unsigned flags;                 /* MNT_* below */
	int writers;                    /* files open for writing through it */
	bool expiry_mark;               /* umount2(MNT_EXPIRE) asked once */
	bool detached;                  /* unmounted: freed with the last reference */

	int refcount;                   /* atomic: paths through it, itself while attached */
};

/* Per-mount flags (Linux's MNT_*): what mount(2)'s MS_NOSUID... ask. */
#define MNT_NOSUID      0x01
#define MNT_NODEV       0x02
#define MNT_NOEXEC      0x04
#define MNT_NOATIME     0x08
#define MNT_NODIRATIME  0x10
#define MNT_RELATIME    0x20
#define MNT_READONLY    0x40
#define MNT_NOSYMFOLLOW 0x80
#define MNT_ATIME_MASK  (MNT_NOATIME | MNT_NODIRATIME | MNT_RELATIME)

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
/* The same check for credentials c (access(2) checks with the real ids). */
int cred_permission(const struct cred *c, struct inode *i, int mask);
const struct cred *current_cred(void);
bool in_group(uint32_t gid);
bool capable_fowner(const struct inode *i);

/* fs/dcache.c */
/* Start the shrinker of unused dentries (once, at boot). */
void dcache_init(void);
struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len);
struct dentry *d_alloc_root(struct inode *root);
void d_get(struct dentry *d);
void d_put(struct dentry *d);
void d_instantiate(struct dentry *d, struct inode *i);
/* Put d into its parent's entries (the tree holds it). */
void d_add(struct dentry *d);
/* Take d out of the tree (unlink, rmdir). */
void d_drop(struct dentry *d);
/* Drop every dentry below root, leaves first (a file system's put_super:
 * inodes follow their last dentry). */
void d_drop_below(struct dentry *root);
/* The child named name of dir with a reference, or NULL (dcache only). */
struct dentry *d_find_child(struct dentry *dir, const char *name, size_t len);
/* Move d under newparent with a new name (rename). */
void d_move(struct dentry *d, struct dentry *newparent, const char *name);
/* d's path from the root of its file system ("/" for that root), as
 * /proc/[pid]/mountinfo shows a mount's root: 0 or -ENAMETOOLONG. */
int d_path_in_fs(struct dentry *d, char *buf, size_t size);
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
/* A new mount of a new (or the type's single) super block at at, with
 * mount(2)'s MS_* flags. */
int do_mount(const struct path *at, const char *type, const char *source,
	     unsigned long flags, const void *data);
/* MS_REMOUNT (with MS_BIND: only the mount's own flags) on p's mount. */
int do_remount(const struct path *p, unsigned long flags);
/* MS_BIND: what names from (a directory or a file) appears also at at. */
int do_bind_mount(const struct path *at, const struct path *from);
/* umount2 on p's mount with MNT_FORCE, MNT_DETACH, MNT_EXPIRE. */
int do_umount(const struct path *p, int flags);
struct path vfs_root_path(void);
/* The place m is mounted on, with references: false for a root (the
 * root of everything, or a detached mount). */
bool mount_parent_path(struct mount *m, struct path *out);
/* -EROFS if m or its file system is read-only, else 0. Namespace changes
 * (create, remove, rename, attributes) check it first. */
int mnt_want_write(struct mount *m);
/* An open file that writes: counted so that a remount read-only of m or
 * its super block is EBUSY while it is open. 0 or -EROFS. */
int mnt_get_write_access(struct mount *m);
void mnt_put_write_access(struct mount *m);
bool mnt_is_readonly(struct mount *m);
/* For /proc: the registered types' names (registration order), and the
 * mounts in mount order, each with a reference on the mount and on the
 * place it sits (drop them with vfs_mount_list_put). */
int vfs_fs_type_names(const char **names, int max);
struct vfs_mount_info {
	struct path at;                 /* the mountpoint: (parent mount, dentry) */
	struct super_block *sb;
	struct mount *mnt;
	int parent_id;
	unsigned flags;                 /* the mount's MNT_* */
	unsigned long sb_flags;         /* its super block's SB_* */
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

/* fs/sys_namei.c: make a socket node at a kernel path (AF_UNIX bind), mode
 * less the umask: 0 with *out naming it (referenced), -EEXIST if taken. */
int vfs_mknod_socket(const char *path, uint32_t mode, struct path *out);

/* fs/open.c */
struct fs_context *fs_context_create(void);
struct fs_context *fs_context_copy(struct fs_context *src);
void fs_context_put(struct fs_context *fs);
struct fs_context *current_fs(void);
/* Open a resolved path: a new file (one reference) or an error pointer. */
long vfs_open(const struct path *p, unsigned flags, struct file **out);
/* open(2) on a kernel path string: the new file (one reference). */
long do_openat(int dirfd, const char *path, unsigned flags, uint32_t mode, struct file **out);
/* Read from a regular file into a kernel buffer (exec), through the page
 * cache: bytes read. */
long kernel_read(struct inode *i, uint64_t off, void *buf, size_t len);

/* fs/file_rw.c: the page-cache file operations. A file system whose
 * regular files keep their data in the cache (readpage, or tmpfs's
 * PCACHE_STORAGE) uses generic_file_fops for them. */
extern const struct file_ops generic_file_fops;
long generic_file_read(struct file *f, void *ubuf, size_t len, uint64_t *pos);
long generic_file_write(struct file *f, const void *ubuf, size_t len, uint64_t *pos);
long generic_file_size(struct file *f);
/* Set a regular file's size with ->truncate, then drop (and unmap) the
 * cached pages past it. i->lock held. */
int vfs_truncate_locked(struct inode *i, uint64_t size);
/* fsync: the dirty pages (->writepage), the attributes (->write_inode),
 * the file system (->sync). */
int vfs_fsync(struct inode *i);
/* sync/syncfs: every dirty cached file (of sb, or all), then the file
 * system(s). */
int vfs_sync(struct super_block *sb);
/* The absolute path of p as seen from the caller's root. */
int vfs_path_name(const struct path *p, char *buf, size_t size);
/* Unpack an initramfs newc archive into the root file system. */
int initramfs_unpack(const void *cpio, size_t len);
