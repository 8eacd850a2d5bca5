/*
 * procfs internals: the entries (name, type, what makes their contents),
 * the text buffer their show functions print into, and the per-process
 * snapshot they read (fs/proc/pid.c).
 */
#pragma once

#include <fs/vfs.h>
#include <kernel/file.h>
#include <kernel/proc.h>

#define PROC_MAGIC 0x9fa0

/* A growing text buffer: printing past cap only counts (the open retries
 * with a bigger one). */
struct pbuf {
	char *buf;
	size_t cap, len;
};
__printf(2, 3) void pb_printf(struct pbuf *b, const char *fmt, ...);
void pb_bytes(struct pbuf *b, const void *data, size_t n);

struct proc_entry {
	const char *name;
	uint32_t mode;                  /* type and permissions */
	/* Regular files: print the contents (pid 0 for the global files; tid
	 * non-zero for a thread's, /proc/[pid]/task/[tid]/); 0 or -errno (the
	 * open fails with it). */
	int (*show)(struct pbuf *b, int pid, int tid);
	/* Symbolic links: the target; its length or -errno. */
	long (*link)(int pid, int fd, char *buf, size_t size);
	/* Directories. */
	const struct inode_ops *iops;
	const struct file_ops *fops;
};

/* What each procfs inode stands for (inode->fs_private). */
struct proc_node {
	const struct proc_entry *e;
	int pid;                        /* 0: not a process's */
	int fd;                         /* fd/N links; the tid in task/[tid]/ */
};

static inline struct proc_node *PN(struct inode *i) { return i->fs_private; }

/* A new inode for e (of process pid, descriptor fd). */
struct inode *proc_inode(struct super_block *sb, const struct proc_entry *e, int pid, int fd);
/* Emit one linux_dirent64 record; 1 when the buffer is full (and some
 * record went out), 0 done, -errno. */
long proc_emit(void *ubuf, size_t len, size_t *done, const char *name, uint64_t ino,
	       uint32_t mode, int64_t next);
/* Drop d's subtree from the dentry cache (a process that is gone). */
void proc_prune(struct dentry *d);

/* fs/proc/pid.c */
extern const struct inode_ops proc_pid_iops;
extern const struct file_ops proc_pid_fops;
bool proc_pid_alive(int pid);
/* The owner (euid, egid) of pid: 0, or -ESRCH. */
int proc_pid_owner(int pid, uint32_t *uid, uint32_t *gid);
/* A pid number in name ("123"), or -1. */
int proc_parse_pid(const char *name);

/* A directory's read (-EISDIR) and size (0), for every procfs directory. */
long proc_dir_read(struct file *f, void *ubuf, size_t len, uint64_t *pos);
long proc_dir_size(struct file *f);

/* fs/proc/net.c: /proc/net. */
extern const struct inode_ops proc_net_iops;
extern const struct file_ops proc_net_fops;

/* fs/proc/info.c: the global files. */
extern const struct proc_entry proc_root_files[];
extern const size_t proc_root_nfiles;
int proc_show_mounts(struct pbuf *b, int pid, int tid);
int proc_show_mountinfo(struct pbuf *b, int pid, int tid);
/* fs/proc/objspace.c: /proc/objspace and /proc/[pid]/objspace. */
int proc_show_objspace(struct pbuf *b, int pid, int tid);
int proc_show_objspace_pid(struct pbuf *b, int pid, int tid);
int chan_proc_show(struct pbuf *b, int pid, int tid);     /* ipc/chan_name.c */
