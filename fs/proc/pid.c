/*
 * procfs: one directory per process, /proc/[pid]: stat, statm, status,
 * cmdline, environ, maps, mounts, fd/ (a link per descriptor), cwd, root.
 *
 * What a file shows is read under proc_tree_lock into a snapshot
 * (struct pid_snap), with references on the process's mm, descriptor table
 * and fs context (exit and exec change those under the same lock), so the
 * text is made without it. Process memory (cmdline, environ) is read
 * through the target's page tables under its mm.lock.
 */
#include <drivers/tty/tty.h>
#include <fs/proc/internal.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/time.h>
#include <kernel/cputime.h>
#include <mm/mm.h>
#include <mm/filemap.h>
#include <mm/phys.h>
#include <mm/pmm.h>
#include <mm/slab.h>
#include <mm/vma.h>
#include <mm/vmm.h>

#define USER_HZ 100
#define NS_PER_TICK (1000000000ull / USER_HZ)

struct pid_snap {
	int pid, ppid, pgid, sid;
	int tid;                        /* pid, or the thread's for task/[tid]/ */
	char comm[16];
	char state;                     /* R S Z (proc(5)) */
	struct cred cred;
	unsigned threads;
	uint64_t utime, stime, cutime, cstime, start_ns;
	int nice, policy, rt_priority, exit_signal;
	unsigned cpu;
	/* References (NULL for a zombie, or when not asked for). */
	struct mm *mm;
	struct fd_table *files;
	struct fs_context *fs;
};

enum { SNAP_MM = 1, SNAP_FILES = 2, SNAP_FS = 4 };

int proc_parse_pid(const char *name)
{
	int pid = 0;
	if (!*name || *name == '0')
		return -1;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || pid >= PID_MAX)
			return -1;
		pid = pid * 10 + (*name - '0');
	}
	return pid < PID_MAX ? pid : -1;
}

bool proc_pid_alive(int pid)
{
	spin_lock(&proc_tree_lock);
	bool alive = proc_find(pid) != NULL;
	spin_unlock(&proc_tree_lock);
	return alive;
}

int proc_pid_owner(int pid, uint32_t *uid, uint32_t *gid)
{
	spin_lock(&proc_tree_lock);
	struct proc *p = proc_find(pid);
	if (p) {
		*uid = p->cred.euid;
		*gid = p->cred.egid;
	}
	spin_unlock(&proc_tree_lock);
	return p ? 0 : -ESRCH;
}

/* A thread's state letter: parked by a group stop is 'T' (stopped). */
static char task_state_letter(struct task *t)
{
	if (READ_ONCE(t->flags) & TASK_F_STOPPED)
		return 'T';
	return READ_ONCE(t->state) == TASK_RUNNABLE ? 'R' : 'S';
}

static char proc_state_locked(struct proc *p)
{
	struct task *t;
	bool stopped = true;
	if (p->zombie)
		return 'Z';
	list_for_each_entry(t, &p->threads, thread_link) {
		char st = task_state_letter(t);
		if (st == 'R')
			return 'R';
		stopped &= st == 'T';
	}
	return stopped && !list_empty(&p->threads) ? 'T' : 'S';
}

/* The thread tid of p, or NULL; proc_tree_lock held. */
static struct task *thread_of(struct proc *p, int tid)
{
	struct task *t = proc_find_task(tid);
	return t && t->proc == p ? t : NULL;
}

/* What a thread's own files show instead of its process's: its name,
 * state and CPU time. */
static void snap_thread(struct task *t, struct pid_snap *s)
{
	s->tid = t->tid;
	memcpy(s->comm, t->name, sizeof(s->comm));
	s->comm[15] = '\0';
	s->state = task_state_letter(t);
	cputime_task_read(t, &s->utime, &s->stime);
	s->cutime = s->cstime = 0;
	s->nice = READ_ONCE(t->nice);
	s->policy = READ_ONCE(t->policy);
	s->rt_priority = READ_ONCE(t->rt_priority);
	s->cpu = READ_ONCE(t->cpu);
}

/* pid (and its thread tid if not 0): 0, or -ESRCH. */
static int pid_snap_get_tid(int pid, int tid, unsigned what, struct pid_snap *s)
{
	memset(s, 0, sizeof(*s));
	spin_lock(&proc_tree_lock);
	struct proc *p = proc_find(pid);
	struct task *thread = p && tid ? thread_of(p, tid) : NULL;
	if (!p || (tid && !thread)) {
		spin_unlock(&proc_tree_lock);
		return -ESRCH;
	}
	s->tid = p->pid;
	s->pid = p->pid;
	s->ppid = p->parent ? p->parent->pid : 0;
	s->pgid = p->pgid;
	s->sid = p->sid;
	memcpy(s->comm, p->comm, sizeof(s->comm));
	s->comm[15] = '\0';
	s->state = proc_state_locked(p);
	s->cred = p->cred;
	s->cred.groups = cred_groups_get(&p->cred);     /* a reference: pid_snap_put drops it */
	s->threads = p->nr_threads;
	s->exit_signal = p->exit_signal;
	s->start_ns = p->start_ns;
	if (!p->zombie)
		cputime_proc_read_locked(p, &s->utime, &s->stime);
	else
		s->utime = p->times.dead_utime, s->stime = p->times.dead_stime;
	s->cutime = p->times.child_utime;
	s->cstime = p->times.child_stime;
	if (!list_empty(&p->threads)) {
		struct task *t = list_first_entry(&p->threads, struct task, thread_link);
		s->nice = READ_ONCE(t->nice);
		s->policy = READ_ONCE(t->policy);
		s->rt_priority = READ_ONCE(t->rt_priority);
		s->cpu = READ_ONCE(t->cpu);
	}
	if (thread)
		snap_thread(thread, s);
	if ((what & SNAP_MM) && p->mm) {
		s->mm = p->mm;
		mm_get(s->mm);
	}
	if ((what & SNAP_FILES) && p->files) {
		s->files = p->files;
		__atomic_fetch_add(&s->files->refcount, 1, __ATOMIC_RELAXED);
	}
	if ((what & SNAP_FS) && p->fs) {
		s->fs = p->fs;
		__atomic_fetch_add(&s->fs->refcount, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&proc_tree_lock);
	return 0;
}

static int pid_snap_get(int pid, unsigned what, struct pid_snap *s)
{
	return pid_snap_get_tid(pid, 0, what, s);
}

static void pid_snap_put(struct pid_snap *s)
{
	groups_put(s->cred.groups);
	if (s->mm)
		mm_put(s->mm);
	if (s->files)
		fd_table_put(s->files);
	if (s->fs)
		fs_context_put(s->fs);
}

/* Linux's rule for environ and maps (ptrace-read, simplified): the same
 * real/effective user as the target's, or root. */
static bool may_inspect(const struct pid_snap *s)
{
	const struct cred *c = current_cred();
	return c->euid == 0 || (c->uid == s->cred.uid && c->uid == s->cred.euid &&
				c->uid == s->cred.suid);
}

/* ---- memory figures ---- */

struct mem_usage {
	uint64_t vsize;                 /* bytes mapped */
	uint64_t rss;                   /* pages present */
	uint64_t text, data, stack;     /* pages: executable, writable private, the stack */
};

static void mem_usage(struct mm *mm, struct mem_usage *u)
{
	struct vma *v;
	memset(u, 0, sizeof(*u));
	if (!mm)
		return;
	spin_lock(&mm->lock);
	vma_for_each(v, &mm->vmas) {
		uint64_t pages = (v->end - v->start) / PAGE_SIZE;
		u->vsize += v->end - v->start;
		if (v->prot & PROT_EXEC)
			u->text += pages;
		else if ((v->prot & PROT_WRITE) && !(v->flags & MAP_SHARED))
			u->data += pages;
		for (uintptr_t a = v->start; a < v->end; a += PAGE_SIZE)
			if (!vmm_translate(&mm->space, a, NULL, NULL))
				u->rss++;
	}
	spin_unlock(&mm->lock);
}

/* ---- stat, statm, status ---- */

static int show_stat(struct pbuf *b, int pid, int tid)
{
	struct pid_snap s;
	int err = pid_snap_get_tid(pid, tid, SNAP_MM, &s);
	if (err)
		return err;
	struct mem_usage u;
	mem_usage(s.mm, &u);
	uint64_t stack = s.mm ? s.mm->start_stack : 0;
	int prio = s.policy == 1 || s.policy == 2 ? -1 - s.rt_priority : 20 + s.nice;
	/* proc(5): 52 fields. tty_nr and tpgid from the session's
	 * controlling tty (0 and -1 without one); no fault counts. */
	uint32_t tty_nr = 0;
	int tpgid = -1;
	if (!tty_session_info(s.sid, &tty_nr, &tpgid))
		tty_nr = 0, tpgid = -1;
	pb_printf(b, "%d (%s) %c %d %d %d %d %d %u ", s.tid, s.comm, s.state, s.ppid, s.pgid, s.sid,
		  (int)tty_nr, tpgid, 0u);
	pb_printf(b, "%lu %lu %lu %lu ", 0ul, 0ul, 0ul, 0ul);              /* minflt..cmajflt */
	pb_printf(b, "%llu %llu %llu %llu ", (unsigned long long)(s.utime / NS_PER_TICK),
		  (unsigned long long)(s.stime / NS_PER_TICK),
		  (unsigned long long)(s.cutime / NS_PER_TICK),
		  (unsigned long long)(s.cstime / NS_PER_TICK));
	pb_printf(b, "%d %d %u 0 %llu %llu %llu ", prio, s.nice, s.threads,
		  (unsigned long long)(s.start_ns / NS_PER_TICK), (unsigned long long)u.vsize,
		  (unsigned long long)u.rss);
	pb_printf(b, "%llu 0 0 %llu 0 0 0 0 0 0 0 0 0 %d %u %d %d 0 0 0 0 0 0 0 0 0 0 0\n",
		  (unsigned long long)RLIM_INFINITY, (unsigned long long)stack, s.exit_signal, s.cpu,
		  s.rt_priority, s.policy);
	pid_snap_put(&s);
	return 0;
}

static int show_statm(struct pbuf *b, int pid, int tid)
{
	struct pid_snap s;
	int err = pid_snap_get_tid(pid, tid, SNAP_MM, &s);
	if (err)
		return err;
	struct mem_usage u;
	mem_usage(s.mm, &u);
	/* size resident shared text lib data dt (pages) */
	pb_printf(b, "%llu %llu 0 %llu 0 %llu 0\n", (unsigned long long)(u.vsize / PAGE_SIZE),
		  (unsigned long long)u.rss, (unsigned long long)u.text,
		  (unsigned long long)u.data);
	pid_snap_put(&s);
	return 0;
}

static const char *state_name(char st)
{
	return st == 'R' ? "R (running)" : st == 'Z' ? "Z (zombie)" :
	       st == 'T' ? "T (stopped)" : "S (sleeping)";
}

static int show_status(struct pbuf *b, int pid, int tid)
{
	struct pid_snap s;
	int err = pid_snap_get_tid(pid, tid, SNAP_MM | SNAP_FILES | SNAP_FS, &s);
	if (err)
		return err;
	struct mem_usage u;
	mem_usage(s.mm, &u);
	pb_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n",
		  s.comm, s.fs ? READ_ONCE(s.fs->umask) : 0, state_name(s.state), s.pid, s.tid, s.ppid);
	pb_printf(b, "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
		  s.cred.uid, s.cred.euid, s.cred.suid, s.cred.fsuid,
		  s.cred.gid, s.cred.egid, s.cred.sgid, s.cred.fsgid);
	pb_printf(b, "FDSize:\t%u\nGroups:\t", s.files ? s.files->size : 0);
	/* Linux's format: the groups separated by spaces, then one space. */
	for (unsigned g = 0; s.cred.groups && g < s.cred.groups->ngroups; g++)
		pb_printf(b, g ? " %u" : "%u", s.cred.groups->gid[g]);
	pb_printf(b, " \n");
	if (s.mm)
		pb_printf(b, "VmSize:\t%8llu kB\nVmRSS:\t%8llu kB\nVmData:\t%8llu kB\n"
			  "VmExe:\t%8llu kB\n",
			  (unsigned long long)u.vsize / 1024, (unsigned long long)u.rss * (PAGE_SIZE / 1024),
			  (unsigned long long)u.data * (PAGE_SIZE / 1024),
			  (unsigned long long)u.text * (PAGE_SIZE / 1024));
	pb_printf(b, "Threads:\t%u\n", s.threads);
	pid_snap_put(&s);
	return 0;
}

/* ---- maps ---- */

/* One line's worth of an area, taken under mm->lock (file referenced). */
struct map_line {
	uintptr_t start, end;
	unsigned prot, flags;
	uint64_t off;
	struct file *file;
	const char *name;               /* [heap], [stack], or "" */
};

/* Copy the areas of mm (at most max) with references on their files. */
static int snap_areas(struct mm *mm, struct map_line *out, int max)
{
	struct vma *v;
	int n = 0;

	spin_lock(&mm->lock);
	vma_for_each(v, &mm->vmas) {
		if (n == max)
			break;
		struct map_line *l = &out[n++];
		*l = (struct map_line){ v->start, v->end, v->prot, v->flags,
					v->ops ? v->off : 0, vma_file(v), "" };
		if (l->file) {
			file_get(l->file);
		} else if (v->ops && v->ops->name) {
			l->name = v->ops->name(v->obj, v->off);
			l->off = 0;     /* special mappings show 0, as Linux's */
		} else if (v->start <= mm->brk && v->end > mm->brk_start && !v->ops &&
			 mm->brk > mm->brk_start)
			l->name = "[heap]";
		else if (v->start < mm->start_stack && v->end >= mm->start_stack)
			l->name = "[stack]";
	}
	spin_unlock(&mm->lock);
	return n;
}

/* Linux's layout: the fields (each followed by a blank), then the name
 * after column 73. */
static void show_map_line(struct pbuf *b, const struct map_line *l, char *path)
{
	char head[128];
	unsigned maj = 0, min = 0;
	uint64_t ino = 0;

	if (l->file) {
		/* st_dev's encoding of our (0, minor) devices. */
		min = l->file->inode->sb ? (unsigned)l->file->inode->sb->dev : 0;
		ino = l->file->inode->ino;
		if (!l->file->path.dentry || vfs_path_name(&l->file->path, path, PATH_MAX))
			strlcpy(path, "[file]", PATH_MAX);
		if (l->file->inode->nlink == 0)
			strlcpy(path + strlen(path), " (deleted)", PATH_MAX - strlen(path));
	} else {
		strlcpy(path, l->name, PATH_MAX);
	}
	int n = snprintf(head, sizeof(head), "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
			 (unsigned long long)l->start, (unsigned long long)l->end,
			 l->prot & PROT_READ ? 'r' : '-', l->prot & PROT_WRITE ? 'w' : '-',
			 l->prot & PROT_EXEC ? 'x' : '-', l->flags & MAP_SHARED ? 's' : 'p',
			 (unsigned long long)l->off, maj, min, (unsigned long long)ino);
	if (!*path) {
		pb_printf(b, "%s\n", head);
		return;
	}
	/* seq_pad: blanks up to column 73, then one more. */
	pb_printf(b, "%s%*s %s\n", head, n < 73 ? 73 - n : 0, "", path);
}

static int show_maps(struct pbuf *b, int pid, int tid)
{
	(void)tid;
	struct pid_snap s;
	int err = pid_snap_get(pid, SNAP_MM, &s);
	if (err)
		return err;
	if (!may_inspect(&s)) {
		pid_snap_put(&s);
		return -EACCES;
	}
	if (s.mm) {
		int max = (int)READ_ONCE(s.mm->vmas.count) + 16;
		struct map_line *lines = kmalloc((size_t)max * sizeof(*lines));
		char *path = kmalloc(PATH_MAX);
		int n = lines && path ? snap_areas(s.mm, lines, max) : 0;

		err = lines && path ? 0 : -ENOMEM;
		for (int i = 0; i < n; i++) {
			show_map_line(b, &lines[i], path);
			if (lines[i].file)
				file_put(lines[i].file);
		}
		kfree(lines);
		kfree(path);
	}
	pid_snap_put(&s);
	return err;
}

/* ---- cmdline, environ: the strings exec put at the top of the stack ---- */

/* Copy [va, va + n) of mm into dst: bytes copied before a hole. */
static size_t mm_read(struct mm *mm, uintptr_t va, void *dst, size_t n)
{
	size_t done = 0;
	spin_lock(&mm->lock);
	while (done < n) {
		phys_addr_t pa;
		uintptr_t a = va + done;
		if (vmm_translate(&mm->space, a & ~(uintptr_t)(PAGE_SIZE - 1), &pa, NULL))
			break;
		size_t off = a % PAGE_SIZE, k = MIN(n - done, PAGE_SIZE - off);
		memcpy((uint8_t *)dst + done, (uint8_t *)phys_to_virt(pa) + off, k);
		done += k;
	}
	spin_unlock(&mm->lock);
	return done;
}

/* argv (which 0) or envp (1): the vector at the initial stack pointer
 * (argc, argv..., NULL, envp..., NULL) that exec left in mm. */
static int show_vector(struct pbuf *b, int pid, int which)
{
	struct pid_snap s;
	int err = pid_snap_get(pid, SNAP_MM, &s);
	if (err)
		return err;
	if (which && !may_inspect(&s)) {
		pid_snap_put(&s);
		return -EACCES;
	}
	if (s.mm && s.mm->arg_sp) {
		uint64_t argc = 0, ptr;
		uintptr_t at = s.mm->arg_sp;
		char *str = kmalloc(PAGE_SIZE);
		mm_read(s.mm, at, &argc, 8);
		at += 8;
		if (which)
			at += (argc + 1) * 8;
		for (unsigned n = 0; str && n < 4096; n++, at += 8) {
			if (mm_read(s.mm, at, &ptr, 8) != 8 || !ptr || (!which && n == argc))
				break;
			size_t got = mm_read(s.mm, ptr, str, PAGE_SIZE);
			size_t len = strnlen(str, got);
			pb_bytes(b, str, len);
			pb_bytes(b, "", 1);
		}
		kfree(str);
	}
	pid_snap_put(&s);
	return 0;
}

static int show_cmdline(struct pbuf *b, int pid, int tid) { (void)tid; return show_vector(b, pid, 0); }
static int show_environ(struct pbuf *b, int pid, int tid) { (void)tid; return show_vector(b, pid, 1); }

/* ---- links: cwd, root, fd/N ---- */

/* may_inspect for a pid: 0, -ENOENT (gone) or -EACCES. */
static int may_inspect_pid(int pid)
{
	struct pid_snap s;
	if (pid_snap_get(pid, 0, &s))
		return -ENOENT;
	bool allowed = may_inspect(&s);
	pid_snap_put(&s);
	return allowed ? 0 : -EACCES;
}

/* A link's text: p's name as the reader sees it, cut to size. */
static long path_link_text(struct path *p, char *buf, size_t size)
{
	char *name = kmalloc(PATH_MAX);
	long r = name ? vfs_path_name(p, name, PATH_MAX) : -ENOMEM;
	if (r >= 0) {
		r = (long)MIN(strlen(name), size);
		memcpy(buf, name, (size_t)r);
	}
	kfree(name);
	return r;
}

static long fs_link(int pid, bool root, char *buf, size_t size)
{
	struct pid_snap s;
	int err = pid_snap_get(pid, SNAP_FS, &s);
	if (err)
		return -ENOENT;
	long r = -ENOENT;
	if (s.fs && may_inspect(&s)) {
		spin_lock(&s.fs->lock);
		struct path p = root ? s.fs->root : s.fs->cwd;
		path_get(&p);
		spin_unlock(&s.fs->lock);
		r = path_link_text(&p, buf, size);
		path_put(&p);
	} else if (s.fs) {
		r = -EACCES;
	}
	pid_snap_put(&s);
	return r;
}

/* exe: what the process last exec'ed; ENOENT for a zombie (or a process
 * that has exec'ed nothing), as Linux once the mm is gone. */
static long exe_link(int pid, int fd, char *buf, size_t size)
{
	(void)fd;
	int err = may_inspect_pid(pid);
	if (err)
		return err;
	spin_lock(&proc_tree_lock);
	struct proc *p = proc_find(pid);
	struct path e = p ? proc_exe_get_locked(p) : (struct path){ 0 };
	spin_unlock(&proc_tree_lock);
	if (!e.dentry)
		return -ENOENT;
	long r = path_link_text(&e, buf, size);
	path_put(&e);
	return r;
}

static long cwd_link(int pid, int fd, char *buf, size_t size) { (void)fd; return fs_link(pid, false, buf, size); }
static long root_link(int pid, int fd, char *buf, size_t size) { (void)fd; return fs_link(pid, true, buf, size); }

/* The file behind pid's descriptor fd with a reference, or NULL. */
static struct file *pid_fd_get(int pid, int fd)
{
	struct pid_snap s;
	if (pid_snap_get(pid, SNAP_FILES, &s))
		return NULL;
	struct file *f = s.files ? fd_get(s.files, fd) : NULL;
	pid_snap_put(&s);
	return f;
}

/* Linux's names for files with no path: "pipe:[ino]", "anon_inode:[...]". */
static long fd_link(int pid, int fd, char *buf, size_t size)
{
	int err = may_inspect_pid(pid);
	if (err)
		return err;
	struct file *f = pid_fd_get(pid, fd);
	if (!f)
		return -ENOENT;
	char *name = kmalloc(PATH_MAX);
	long r = -ENOMEM;
	if (name) {
		if (f->path.dentry) {
			r = vfs_path_name(&f->path, name, PATH_MAX);
			/* Linux's d_path marks a name no longer in the tree
			 * (an unlinked file, an O_TMPFILE). */
			struct dentry *d = f->path.dentry;
			size_t l = r >= 0 ? strlen(name) : 0;
			if (r >= 0 && d->parent != d && !READ_ONCE(d->hashed))
				strlcpy(name + l, " (deleted)", PATH_MAX - l);
		} else {
			uint32_t type = f->ops->anon_mode & S_IFMT;
			if (type == S_IFIFO)
				snprintf(name, PATH_MAX, "pipe:[%llu]",
					 (unsigned long long)(((uintptr_t)f->private >> 6) & 0xffffffff));
			else if (type == S_IFSOCK)      /* fstat's st_ino, as Linux's sockfs */
				snprintf(name, PATH_MAX, "socket:[%llu]",
					 (unsigned long long)((uintptr_t)f->private >> 4));
			else if (type == S_IFCHR)
				strlcpy(name, "/dev/console", PATH_MAX);  /* the one such file */
			else
				snprintf(name, PATH_MAX, "anon_inode:[%s]", "file");
			r = 0;
		}
		if (r >= 0) {
			r = (long)MIN(strlen(name), size);
			memcpy(buf, name, (size_t)r);
		}
		kfree(name);
	}
	file_put(f);
	return r;
}

/* ---- fd/ ---- */

static const struct proc_entry fd_entry = { "", S_IFLNK | 0700, .link = fd_link };

static int fd_lookup(struct inode *dir, const char *name, struct inode **out)
{
	int fd = proc_parse_pid(name);
	if (!strcmp(name, "0"))
		fd = 0;
	if (fd < 0)
		return -ENOENT;
	struct file *f = pid_fd_get(PN(dir)->pid, fd);
	if (!f)
		return -ENOENT;
	file_put(f);
	*out = proc_inode(dir->sb, &fd_entry, PN(dir)->pid, fd);
	return *out ? 0 : -ENOMEM;
}

static bool fd_revalidate(struct inode *dir, struct dentry *d)
{
	struct file *f = d->inode ? pid_fd_get(PN(dir)->pid, PN(d->inode)->fd) : NULL;
	if (f)
		file_put(f);
	return f != NULL;
}

static long fd_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	int pid = PN(f->inode)->pid;
	struct pid_snap s;
	size_t done = 0;
	long r = 0;

	if (pid_snap_get(pid, SNAP_FILES, &s))
		return -ENOENT;
	while (!r && *pos < 2) {
		r = proc_emit(ubuf, len, &done, *pos ? ".." : ".", f->inode->ino, S_IFDIR,
			      (int64_t)*pos + 1);
		if (!r)
			(*pos)++;
	}
	unsigned size = s.files ? READ_ONCE(s.files->size) : 0;
	while (!r && *pos - 2 < size) {
		int fd = (int)(*pos - 2);
		struct file *o = fd_get(s.files, fd);
		if (o) {
			char name[16];
			file_put(o);
			snprintf(name, sizeof(name), "%d", fd);
			r = proc_emit(ubuf, len, &done, name, 0x30000 + (uint64_t)fd, S_IFLNK,
				      (int64_t)*pos + 1);
		}
		if (!r)
			(*pos)++;
	}
	pid_snap_put(&s);
	return r < 0 ? r : (long)done;
}

static long dir_read(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	(void)f, (void)ubuf, (void)len, (void)pos;
	return -EISDIR;
}

static long dir_size(struct file *f)
{
	(void)f;
	return 0;
}

static const struct inode_ops fd_iops = { .lookup = fd_lookup, .revalidate = fd_revalidate };
static const struct file_ops fd_fops = { .read = dir_read, .getdents = fd_getdents, .size = dir_size };

/* ---- task/: one directory per thread, task/[tid]/{stat,statm,status} ---- */

static const struct proc_entry tid_entries[] = {
	{ "stat", S_IFREG | 0444, .show = show_stat },
	{ "statm", S_IFREG | 0444, .show = show_statm },
	{ "status", S_IFREG | 0444, .show = show_status },
};

static bool thread_alive(int pid, int tid)
{
	spin_lock(&proc_tree_lock);
	struct proc *p = proc_find(pid);
	bool alive = p && thread_of(p, tid);
	spin_unlock(&proc_tree_lock);
	return alive;
}

/* A directory whose entries are a fixed table (a process's or a thread's):
 * lookup by name, and getdents of ".", ".." and the table (inode numbers
 * ino_base + position). */
static int table_lookup(struct inode *dir, const struct proc_entry *table, size_t n,
			int fd, const char *name, struct inode **out)
{
	for (size_t k = 0; k < n; k++) {
		if (!strcmp(name, table[k].name)) {
			*out = proc_inode(dir->sb, &table[k], PN(dir)->pid, fd);
			return *out ? 0 : -ENOMEM;
		}
	}
	return -ENOENT;
}

static long table_getdents(struct file *f, const struct proc_entry *table, size_t n,
			   uint64_t ino_base, void *ubuf, size_t len, uint64_t *pos)
{
	size_t done = 0;
	long r = 0;
	while (!r && *pos < 2 + n) {
		uint64_t k = *pos;
		if (k < 2)
			r = proc_emit(ubuf, len, &done, k ? ".." : ".", f->inode->ino, S_IFDIR,
				      (int64_t)k + 1);
		else
			r = proc_emit(ubuf, len, &done, table[k - 2].name, ino_base + k,
				      table[k - 2].mode, (int64_t)k + 1);
		if (!r)
			(*pos)++;
	}
	return r < 0 ? r : (long)done;
}

static int tid_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return table_lookup(dir, tid_entries, ARRAY_SIZE(tid_entries), PN(dir)->fd, name, out);
}

static long tid_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	return table_getdents(f, tid_entries, ARRAY_SIZE(tid_entries), 0x50000, ubuf, len, pos);
}

static const struct inode_ops tid_iops = { .lookup = tid_lookup };
static const struct file_ops tid_fops = { .read = dir_read, .getdents = tid_getdents, .size = dir_size };
static const struct proc_entry tid_dir_entry = {
	"", S_IFDIR | 0555, .iops = &tid_iops, .fops = &tid_fops,
};

static int task_lookup(struct inode *dir, const char *name, struct inode **out)
{
	int tid = proc_parse_pid(name);
	if (tid <= 0 || !thread_alive(PN(dir)->pid, tid))
		return -ENOENT;
	*out = proc_inode(dir->sb, &tid_dir_entry, PN(dir)->pid, tid);
	return *out ? 0 : -ENOMEM;
}

static bool task_revalidate(struct inode *dir, struct dentry *d)
{
	if (d->inode && thread_alive(PN(dir)->pid, PN(d->inode)->fd))
		return true;
	proc_prune(d);
	return false;
}

/* *pos: 0 ".", 1 "..", then 2 + tid. */
static long task_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	int pid = PN(f->inode)->pid;
	size_t done = 0;
	long r = 0;
	while (!r && *pos < 2) {
		r = proc_emit(ubuf, len, &done, *pos ? ".." : ".", f->inode->ino, S_IFDIR,
			      (int64_t)*pos + 1);
		if (!r)
			(*pos)++;
	}
	while (!r && *pos < 2 + PID_MAX) {
		int tid = (int)(*pos - 2);
		if (tid && thread_alive(pid, tid)) {
			char name[16];
			snprintf(name, sizeof(name), "%d", tid);
			r = proc_emit(ubuf, len, &done, name, 0x60000 + (uint64_t)tid, S_IFDIR,
				      (int64_t)*pos + 1);
		}
		if (!r)
			(*pos)++;
	}
	return r < 0 ? r : (long)done;
}

static const struct inode_ops task_iops = { .lookup = task_lookup, .revalidate = task_revalidate };
static const struct file_ops task_fops = { .read = dir_read, .getdents = task_getdents, .size = dir_size };

/* ---- the process directory ---- */

static const struct proc_entry pid_entries[] = {
	{ "cmdline", S_IFREG | 0444, .show = show_cmdline },
	{ "cwd", S_IFLNK | 0777, .link = cwd_link },
	{ "environ", S_IFREG | 0400, .show = show_environ },
	{ "exe", S_IFLNK | 0777, .link = exe_link },
	{ "fd", S_IFDIR | 0500, .iops = &fd_iops, .fops = &fd_fops },
	{ "maps", S_IFREG | 0444, .show = show_maps },
	{ "mountinfo", S_IFREG | 0444, .show = proc_show_mountinfo },
	{ "mounts", S_IFREG | 0444, .show = proc_show_mounts },
	{ "objspace", S_IFREG | 0444, .show = proc_show_objspace_pid },
	{ "root", S_IFLNK | 0777, .link = root_link },
	{ "stat", S_IFREG | 0444, .show = show_stat },
	{ "statm", S_IFREG | 0444, .show = show_statm },
	{ "status", S_IFREG | 0444, .show = show_status },
	{ "task", S_IFDIR | 0555, .iops = &task_iops, .fops = &task_fops },
};

static int pid_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return table_lookup(dir, pid_entries, ARRAY_SIZE(pid_entries), 0, name, out);
}

static long pid_getdents(struct file *f, void *ubuf, size_t len, uint64_t *pos)
{
	return table_getdents(f, pid_entries, ARRAY_SIZE(pid_entries), 0x40000, ubuf, len, pos);
}

const struct inode_ops proc_pid_iops = { .lookup = pid_lookup };
const struct file_ops proc_pid_fops = { .read = dir_read, .getdents = pid_getdents, .size = dir_size };
