/*
 * execve: replace the calling process's program. In order:
 *   copy argv/envp into the kernel (E2BIG, EFAULT) ->
 *   find the file (ENOENT, EACCES), "#!" scripts rewrite argv and recurse ->
 *   parse the ELF (ENOEXEC) -> build a new address space: the program's
 *   segments (PIE at a random base), the dynamic linker if PT_INTERP names
 *   one, brk, and the stack with argv/envp/auxv (ASLR for all three) ->
 *   point of no return: drop the old mm, close O_CLOEXEC fds, reset the
 *   FPU and TLS, and return to user mode at the new entry.
 * Errors before the point of no return leave the caller untouched.
 */
#include <ipc/objspace.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/futex.h>
#include <kernel/proc.h>
#include <kernel/random.h>
#include <kernel/string.h>
#include <kernel/syscall.h>
#include <kernel/exec/elf.h>
#include <kernel/exec/exec.h>
#include <kernel/exec/stack.h>
#include <fs/vfs.h>
#include <mm/mm.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <uapi/linux/mman.h>

#define ARG_MIN_BYTES   (32u * 4096)    /* Linux's floor for ARG_MAX */
#define ARG_CAP_BYTES   (4u << 20)      /* what one kmalloc block holds */
#define MAX_INTERP_DEPTH 4              /* nested "#!" scripts */
#define PIE_BASE        0x555555554000ull
#define INTERP_BASE     0x7f0000000000ull
#define STACK_MIN       (128ull << 10)
#define STACK_MAX       (1ull << 30)

/* The stack reservation RLIMIT_STACK asks for, within sane bounds. */
static uint64_t stack_size(void)
{
	uint64_t lim = current_proc()->rlimits[RLIMIT_STACK].cur;
	return ALIGN_UP(MIN(MAX(lim, STACK_MIN), STACK_MAX), PAGE_SIZE);
}

/* Linux's ARG_MAX: a quarter of the stack limit, at least 32 pages. */
static size_t arg_max(void)
{
	return (size_t)MIN(MAX(stack_size() / 4, (uint64_t)ARG_MIN_BYTES), (uint64_t)ARG_CAP_BYTES);
}

/* Strings gathered for the new program; all in one kmalloc'ed block. */
struct exec_args {
	char *buf;
	size_t used, cap;
	unsigned argc, envc;
	const char **argv;              /* argc + 1 pointers into buf */
	const char **envp;
};

static int args_push(struct exec_args *a, const char *s, size_t len)
{
	if (len + 1 > EXEC_MAX_ARG_STRLEN || a->used + len + 1 > a->cap)
		return -E2BIG;
	memcpy(a->buf + a->used, s, len);
	a->buf[a->used + len] = '\0';
	a->used += len + 1;
	return 0;
}

/* Rebuild the pointer arrays after the strings are in place. */
static int args_index(struct exec_args *a)
{
	kfree(a->argv);
	a->argv = kmalloc((a->argc + a->envc + 2) * sizeof(char *));
	if (!a->argv)
		return -ENOMEM;
	a->envp = a->argv + a->argc + 1;
	const char *p = a->buf;
	for (unsigned i = 0; i < a->argc; i++, p += strlen(p) + 1)
		a->argv[i] = p;
	a->argv[a->argc] = NULL;
	for (unsigned i = 0; i < a->envc; i++, p += strlen(p) + 1)
		a->envp[i] = p;
	a->envp[a->envc] = NULL;
	return 0;
}

static void args_free(struct exec_args *a)
{
	kfree(a->buf);
	kfree(a->argv);
}

static int args_init(struct exec_args *a)
{
	memset(a, 0, sizeof(*a));
	a->cap = arg_max();
	a->buf = kmalloc(a->cap);
	return a->buf ? 0 : -ENOMEM;
}

/* Copy a user NULL-terminated array of strings. */
static int copy_user_strings(struct exec_args *a, const char *const *uvec, unsigned *count)
{
	for (unsigned i = 0; uvec; i++) {
		uint64_t uptr;
		if (get_user_u64(&uptr, &uvec[i]))
			return -EFAULT;
		if (!uptr)
			break;
		size_t room = MIN(a->cap - a->used, (size_t)EXEC_MAX_ARG_STRLEN);
		long n = strncpy_from_user(a->buf + a->used, (const char *)uptr, (long)room);
		if (n < 0)
			return (int)n;
		if ((size_t)n >= room)
			return -E2BIG;
		a->used += (size_t)n + 1;
		(*count)++;
	}
	return 0;
}

static int copy_kernel_strings(struct exec_args *a, const char *const *vec, unsigned *count)
{
	for (; vec && *vec; vec++, (*count)++) {
		int err = args_push(a, *vec, strlen(*vec));
		if (err)
			return err;
	}
	return 0;
}

/* A program file: open for mapping its segments, and its first bytes
 * (the ELF and program headers, or a "#!" line). */
struct image {
	struct file *file;
	uint8_t *head;
	size_t head_len;
	uint64_t size;
};

#define EXEC_HEAD_MIN PAGE_SIZE         /* holds the headers of any usual program */
#define EXEC_HEAD_MAX (4u << 20)        /* the largest kmalloc block */

static void image_free(struct image *img)
{
	kfree(img->head);
	img->head = NULL;
	if (img->file)
		file_put(img->file);
	img->file = NULL;
}

/* (Re)read the first len bytes (at most the file) into img->head. */
static int read_head(struct image *img, size_t len)
{
	long n;

	len = (size_t)MIN((uint64_t)len, img->size);
	kfree(img->head);
	img->head = kmalloc(MAX(len, (size_t)1));
	if (!img->head)
		return -ENOMEM;
	n = kernel_read(img->file->inode, 0, img->head, len);
	if (n < 0)
		return (int)n;
	img->head_len = (size_t)n;
	return 0;
}

/* Resolve path (relative to the cwd) to a file we may execute and open
 * it: a regular file in a page cache with an x bit the caller may use
 * (root needs one too). */
static int open_image(const char *path, bool need_exec, struct image *img)
{
	struct path p;
	int err = path_lookupat(AT_FDCWD, path, LOOKUP_FOLLOW, &p);

	memset(img, 0, sizeof(*img));
	if (err)
		return err;
	struct inode *i = p.dentry->inode;
	if (!inode_cached(i))
		err = -EACCES;
	else if (READ_ONCE(p.mnt->flags) & MNT_NOEXEC)
		err = -EACCES;          /* a noexec mount (the interpreter's too) */
	else if (need_exec)
		err = inode_permission(i, MAY_EXEC);
	if (!err)
		err = (int)vfs_open(&p, 0 /* O_RDONLY */, &img->file);
	path_put(&p);
	if (!err) {
		img->size = READ_ONCE(i->size);
		err = read_head(img, EXEC_HEAD_MIN);
	}
	if (err)
		image_free(img);
	return err;
}

/* Parse the headers, reading more of the file if they lie past the head. */
static int parse_image(struct image *img, struct elf_info *ei)
{
	for (;;) {
		int err = elf_parse_head(img->head, img->head_len, img->size, ei);

		if (err != -EAGAIN)
			return err;
		if (ei->head_needed > EXEC_HEAD_MAX || ei->head_needed <= img->head_len)
			return ei->head_needed > EXEC_HEAD_MAX ? -ENOMEM : -ENOEXEC;
		err = read_head(img, ei->head_needed);
		if (err)
			return err;
	}
}

/*
 * "#!interp [arg]": the new argv is interp, [arg], path, argv[1...].
 * The strings are rebuilt in a fresh buffer.
 */
static int rewrite_for_script(struct exec_args *a, const char *path,
			      const struct image *n, char *interp, size_t interp_size)
{
	const char *s = (const char *)n->head + 2;
	size_t len = MIN(n->head_len - 2, (size_t)255);  /* BINPRM_BUF_SIZE - 2 */
	const char *end = memchr(s, '\n', len);
	char line[256];
	size_t ll = end ? (size_t)(end - s) : len;

	memcpy(line, s, ll);
	line[ll] = '\0';
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	char *ip = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (p == ip)
		return -ENOEXEC;
	char *iend = p;
	while (*p == ' ' || *p == '\t')
		p++;
	char *arg = *p ? p : NULL;
	if (arg) {                      /* the optional argument runs to line end */
		char *t = arg + strlen(arg);
		while (t > arg && (t[-1] == ' ' || t[-1] == '\t'))
			*--t = '\0';
	}
	*iend = '\0';
	if (strlen(ip) + 1 > interp_size)
		return -ENAMETOOLONG;
	strlcpy(interp, ip, interp_size);

	struct exec_args b;
	int err = args_init(&b);
	if (err)
		return err;
	err = args_push(&b, ip, strlen(ip));
	if (!err && arg)
		err = args_push(&b, arg, strlen(arg));
	if (!err)
		err = args_push(&b, path, strlen(path));
	b.argc = 1 + (arg != NULL) + 1;
	for (unsigned i = 1; !err && i < a->argc; i++, b.argc++)
		err = args_push(&b, a->argv[i], strlen(a->argv[i]));
	for (unsigned i = 0; !err && i < a->envc; i++, b.envc++)
		err = args_push(&b, a->envp[i], strlen(a->envp[i]));
	if (!err)
		err = args_index(&b);
	if (err) {
		args_free(&b);
		return err;
	}
	args_free(a);
	*a = b;
	return 0;
}

static uint64_t random_pages(unsigned bits)
{
	return (random_u64() & ((1ull << bits) - 1)) << PAGE_SHIFT;
}

/* The end of the page-rounded span of segment s at bias. */
static uint64_t seg_end(const struct elf_segment *s, uint64_t bias)
{
	return ALIGN_UP(bias + s->vaddr + s->memsz, PAGE_SIZE);
}

/*
 * Map one segment: its file bytes as a private mapping of the page cache
 * (writable for now: the zeroing below, relocations by ld.so), then
 * anonymous zero pages for the rest of memsz. Bytes of the last file page
 * past filesz are cleared, as Linux's padzero does.
 */
static int map_segment(struct mm *mm, const struct elf_segment *s, struct file *file,
		       uint64_t bias)
{
	uint64_t va = bias + s->vaddr, start = ALIGN_DOWN(va, PAGE_SIZE);
	uint64_t file_end = ALIGN_UP(va + s->filesz, PAGE_SIZE), end = seg_end(s, bias);
	uint64_t anon = s->filesz ? file_end : start;
	long r;

	if (s->filesz) {
		r = vm_mmap(mm, start, file_end - start, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_FIXED, file, ALIGN_DOWN(s->offset, PAGE_SIZE));
		if (r < 0)
			return (int)r;
		if (s->memsz > s->filesz && clear_user((void *)(va + s->filesz),
						       MIN(file_end, va + s->memsz) - (va + s->filesz)))
			return -EFAULT;
	}
	if (end > anon) {
		r = vm_mmap(mm, anon, end - anon, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		if (r < 0)
			return (int)r;
	}
	return 0;
}

/*
 * Map an ELF image at bias into mm (which is active): each segment from
 * the file (map_segment), then each segment's own protection. Returns the
 * end of the highest segment.
 */
static long load_segments(struct mm *mm, const struct elf_info *ei, struct file *file,
			  uint64_t bias)
{
	for (unsigned i = 0; i < ei->nr_load; i++) {
		int err = map_segment(mm, &ei->load[i], file, bias);
		if (err)
			return err;
	}
	for (unsigned i = 0; i < ei->nr_load; i++) {
		const struct elf_segment *s = &ei->load[i];
		uint64_t start = ALIGN_DOWN(bias + s->vaddr, PAGE_SIZE);
		int prot = s->prot;
		/* A page shared with a neighbour gets both protections. */
		if (i > 0 && seg_end(&ei->load[i - 1], bias) > start)
			prot |= ei->load[i - 1].prot;
		int r = vm_mprotect(mm, start, seg_end(s, bias) - start, prot);
		if (r < 0)
			return r;
	}
	return (long)(bias + ei->span_end);
}

struct loaded {
	uint64_t entry;                 /* where user mode starts: ld.so's or the program's */
	uint64_t prog_entry;            /* the program's own (AT_ENTRY) */
	uint64_t interp_base, phdr, brk;
	struct elf_info prog;
};

static int load_program(struct mm *mm, struct image *n, struct loaded *out)
{
	struct elf_info *ei = &out->prog;
	int err = parse_image(n, ei);
	if (err)
		return err;
	uint64_t bias = 0;
	if (ei->type == 3 /* ET_DYN */)
		bias = PIE_BASE + random_pages(28) - ei->span_start;
	long end = load_segments(mm, ei, n->file, bias);
	if (end < 0)
		return (int)end;
	out->entry = out->prog_entry = bias + ei->entry;
	out->phdr = ei->has_phdr_vaddr ? bias + ei->phdr_vaddr : 0;
	out->brk = ALIGN_UP((uint64_t)end, PAGE_SIZE) + random_pages(13);
	out->interp_base = 0;
	if (!ei->interp)
		return 0;

	struct image in;
	err = open_image(ei->interp, false, &in);
	if (err)
		return err;
	struct elf_info ii;
	err = parse_image(&in, &ii);
	if (err) {
		image_free(&in);
		return err == -ENOMEM ? err : -ELIBBAD;
	}
	uint64_t ibias = INTERP_BASE - random_pages(28) - ii.span_start;
	if (ii.type != 3)
		ibias = 0;
	long iend = load_segments(mm, &ii, in.file, ibias);
	image_free(&in);
	if (iend < 0)
		return (int)iend;
	out->interp_base = ibias + ii.span_start;
	out->entry = ibias + ii.entry;
	return 0;
}

/* The stack: a grows-down area below a random top, and the start image. */
static int setup_stack(struct mm *mm, struct exec_args *a, const struct loaded *ld,
		       const struct cred *cred, const char *execfn, uint64_t *rsp)
{
	uint64_t top = MM_STACK_TOP - random_pages(22);
	uint64_t reserve = stack_size();
	long r = vm_mmap(mm, top - reserve, reserve, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
	if (r < 0)
		return (int)r;
	mm->start_stack = top;
	mm->mmap_base = top - reserve - MiB(1) - random_pages(28);

	struct exec_auxv aux = {
		.phdr = ld->phdr, .phent = 56, .phnum = ld->prog.phnum,
		.pagesz = PAGE_SIZE, .base = ld->interp_base,
		.entry = ld->prog_entry,
		.uid = cred->uid, .euid = cred->euid, .gid = cred->gid, .egid = cred->egid,
		.hwcap = arch_hwcap(), .clktck = 100, .minsigstksz = 2048,
		.platform = "x86_64", .execfn = execfn,
		.sysinfo_ehdr = vdso_map(mm),
	};
	random_bytes(aux.random, sizeof(aux.random));

	size_t size = a->used + (a->argc + a->envc + 64) * 16 + 512;
	void *img = kmalloc(size);
	if (!img)
		return -ENOMEM;
	struct exec_stack_layout layout;
	int64_t sp = exec_stack_build(img, size, top, a->argv, a->envp, &aux, &layout);
	if (sp < 0) {
		kfree(img);
		return (int)sp;
	}
	int err = copy_to_user((void *)sp, (uint8_t *)img + (size - (top - (uint64_t)sp)),
			       top - (uint64_t)sp) ? -EFAULT : 0;
	kfree(img);
	*rsp = (uint64_t)sp;
	mm->arg_sp = (uintptr_t)sp;
	return err;
}

static const char *basename_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* The common part of execve for user callers and for starting init. */
/* /proc/[pid]/exe: the file just loaded, found again by its name (the
 * image was read by name too; a rename in between would show the new
 * file, a window Linux closes by keeping the opened file). */
static void record_exe(struct proc *p, const char *file)
{
	struct path e;
	if (path_lookupat(AT_FDCWD, file, LOOKUP_FOLLOW, &e))
		return;
	proc_set_exe(p, &e);
	path_put(&e);
}

static int do_exec(const char *path, struct exec_args *a)
{
	struct proc *p = current_proc();
	struct task *t = current_task();
	char interp_path[256];
	const char *file = path;
	struct image img, *n = &img;
	int err;

	for (int depth = 0;; depth++) {
		err = open_image(file, true, &img);
		if (err)
			return err;
		if (img.head_len < 2 || memcmp(img.head, "#!", 2))
			break;
		if (depth == MAX_INTERP_DEPTH)
			err = -ELOOP;
		else
			err = rewrite_for_script(a, file, &img, interp_path, sizeof(interp_path));
		image_free(&img);
		if (err)
			return err;
		file = interp_path;
	}

	struct mm *old = p->mm, *mm = mm_create();
	if (!mm) {
		image_free(&img);
		return -ENOMEM;
	}
	mm_activate(mm);
	struct loaded ld;
	uint64_t rsp = 0;
	err = load_program(mm, n, &ld);
	image_free(&img);
	if (!err)
		err = setup_stack(mm, a, &ld, &p->cred, path, &rsp);
	/* The other threads die before the old image goes away (and if this
	 * thread is being killed itself, the exec does not happen). */
	if (!err)
		err = proc_dethread();
	if (err) {
		mm_activate(old);
		mm_put(mm);
		return err;
	}
	mm_activate(mm);        /* waiting for them ran other tasks */

	/* Point of no return. Robust futexes still held are marked dead, as
	 * at thread exit (Linux does this at exec too); the list is in the
	 * old image. */
	if (t->robust_list) {
		mm_activate(old);
		futex_exit_robust(t);
		mm_activate(mm);
	}
	mm->brk_start = mm->brk = ld.brk;
	own_proc_exit(p);               /* the new image owns nothing */
	spin_lock(&proc_tree_lock);     /* procfs takes references under it */
	p->mm = t->mm = mm;
	spin_unlock(&proc_tree_lock);
	if (old)
		mm_put(old);
	fd_close_on_exec(p->files);
	record_exe(p, file);
	signal_exec_reset(p);
	strlcpy(p->comm, basename_of(path), sizeof(p->comm));
	strlcpy(t->name, p->comm, sizeof(t->name));
	arch_thread_free(&t->arch);
	err = arch_thread_init_user(&t->arch);
	if (err)
		proc_exit(W_EXITCODE(0, 9));    /* SIGKILL, as Linux does past this point */
	arch_user_regs_reset(t->arch.user_regs, ld.entry, rsp);
	if (p->vfork_parent) {
		spin_lock(&proc_tree_lock);
		p->vfork_parent->vfork_done = true;
		struct proc *vp = p->vfork_parent;
		p->vfork_parent = NULL;
		spin_unlock(&proc_tree_lock);
		wait_queue_wake_all(&vp->child_exit);
	}
	return 0;
}

/* Gather argv/envp (from user memory, or kernel strings for init), then exec. */
static int exec_strings(const char *path, const char *const *argv,
			const char *const *envp, bool from_user)
{
	int (*copy)(struct exec_args *, const char *const *, unsigned *) =
		from_user ? copy_user_strings : copy_kernel_strings;
	struct exec_args a;
	int err = args_init(&a);

	if (!err)
		err = copy(&a, argv, &a.argc);
	if (!err)
		err = copy(&a, envp, &a.envc);
	if (!err)
		err = args_index(&a);
	if (!err)
		err = do_exec(path, &a);
	args_free(&a);
	return err;
}

long sys_execve(const char *upath, const char *const *uargv, const char *const *uenvp)
{
	char path[PATH_MAX];
	long n = strncpy_from_user(path, upath, sizeof(path));

	if (n < 0)
		return n;
	if (n >= (long)sizeof(path))
		return -ENAMETOOLONG;
	return exec_strings(path, uargv, uenvp, true);
}

/*
 * execveat: the path relative to dirfd's directory, or (AT_EMPTY_PATH with
 * "") the file dirfd itself (musl's fexecve). The file is named by its
 * absolute path for do_exec (and a script's interpreter).
 */
long sys_execveat(int dirfd, const char *upath, const char *const *uargv,
		  const char *const *uenvp, int flags)
{
	struct path p;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	char *abs = kmalloc(PATH_MAX);
	if (!abs)
		return -ENOMEM;
	int err = user_path_at(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
			       (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0), &p);
	if (!err) {
		if (S_ISLNK(p.dentry->inode->mode))
			err = -ELOOP;
		else
			err = vfs_path_name(&p, abs, PATH_MAX);
		path_put(&p);
	}
	if (!err)
		err = exec_strings(abs, uargv, uenvp, true);
	kfree(abs);
	return err;
}

int exec_kernel(const char *path, const char *const *argv, const char *const *envp)
{
	return exec_strings(path, argv, envp, false);
}
