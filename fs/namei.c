/*
 * Path resolution (path_resolution.7). A walk starts at the process's
 * root ("/...") or at dirfd's directory / the cwd, and takes one
 * component at a time: the current directory must be a directory
 * (ENOTDIR) the caller may search (EACCES); "." stays, ".." goes up but
 * never above the process's root and crosses mount roots; other names
 * are looked up in the dentry cache, then in the file system, and mounts
 * on the result are entered. A symlink is followed if it is not the last
 * component, or if the caller asks, or if a slash follows; more than 40
 * in one resolution is ELOOP.
 *
 * Locking: each lookup holds the directory's inode.lock; the walker
 * holds references (path_get) on where it is, nothing else between steps.
 */
#include <fs/vfs.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>


struct walk {
	struct path cur;
	struct path root;
	int links;
};

int getname(const char *upath, char *buf, bool allow_empty)
{
	long n = strncpy_from_user(buf, upath, PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	if (n == 0 && !allow_empty)
		return -ENOENT;
	return 0;
}

int lookup_child(struct dentry *dir, const char *name, struct dentry **out)
{
	size_t len = strlen(name);
	struct inode *di = dir->inode;
	struct dentry *d = d_find_child(dir, name, len);
	if (d && di->ops->revalidate && !di->ops->revalidate(di, d)) {
		d_drop(d);
		d_put(d);
		d = NULL;
	}
	if (d) {
		*out = d;
		return 0;
	}
	d = d_alloc(dir, name, len);
	if (!d)
		return -ENOMEM;
	if (di->ops->lookup) {
		struct inode *i;
		int err = di->ops->lookup(di, name, &i);
		if (err && err != -ENOENT) {
			d_put(d);
			return err;
		}
		if (!err) {
			d_instantiate(d, i);
			d_add(d);
		}
	}
	*out = d;
	return 0;
}

/* One component of a directory the walker stands in: a referenced dentry. */
static int step(struct walk *w, const char *name, struct dentry **out)
{
	struct inode *dir = w->cur.dentry->inode;
	mutex_lock(&dir->lock);
	int err = lookup_child(w->cur.dentry, name, out);
	mutex_unlock(&dir->lock);
	return err;
}

static int walk_path(struct walk *w, const char *path, unsigned flags);

static int follow_link(struct walk *w, struct inode *link)
{
	if (++w->links > MAX_SYMLINKS)
		return -ELOOP;
	if (!link->ops->readlink)
		return -EINVAL;         /* a link whose file system cannot read it */
	char *target = kmalloc(PATH_MAX);
	if (!target)
		return -ENOMEM;
	mutex_lock(&link->lock);
	long n = link->ops->readlink(link, target, PATH_MAX - 1);
	mutex_unlock(&link->lock);
	int err = (int)n;
	if (n >= 0) {
		target[n] = '\0';
		err = n == 0 ? -ENOENT : walk_path(w, target, LOOKUP_FOLLOW);
	}
	kfree(target);
	return err;
}

static bool only_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return !*p;
}

/* Walk path from w->cur; on success w->cur is the result. */
static int walk_path(struct walk *w, const char *path, unsigned flags)
{
	const char *p = path;
	char name[NAME_MAX + 1];

	if (*p == '/') {
		path_put(&w->cur);
		w->cur = w->root;
		path_get(&w->cur);
	}
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		struct inode *dir = w->cur.dentry->inode;
		if (!S_ISDIR(dir->mode))
			return -ENOTDIR;
		int err = inode_permission(dir, MAY_EXEC);
		if (err)
			return err;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		bool last = only_slashes(p);
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			follow_dotdot(&w->cur, &w->root);
			continue;
		}
		struct dentry *d;
		err = step(w, name, &d);
		if (err)
			return err;
		if (!d->inode) {
			d_put(d);
			return -ENOENT;
		}
		struct path next = { w->cur.mnt, d };
		__atomic_fetch_add(&next.mnt->refcount, 1, __ATOMIC_RELAXED);
		follow_mounts(&next);
		if (S_ISLNK(next.dentry->inode->mode) &&
		    (!last || *p == '/' || (flags & LOOKUP_FOLLOW))) {
			/* The link is relative to the directory holding it. */
			err = READ_ONCE(next.mnt->flags) & MNT_NOSYMFOLLOW ? -ELOOP :
			      follow_link(w, next.dentry->inode);
			path_put(&next);
			if (err)
				return err;
			continue;
		}
		path_put(&w->cur);
		w->cur = next;
	}
}

/* Where a walk relative to dirfd starts. */
static int start_at(int dirfd, const char *path, struct walk *w)
{
	struct fs_context *fs = current_fs();
	spin_lock(&fs->lock);
	w->root = fs->root;
	path_get(&w->root);
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		w->cur = fs->cwd;
		path_get(&w->cur);
		spin_unlock(&fs->lock);
		return 0;
	}
	spin_unlock(&fs->lock);
	struct file *f = fd_get(current_proc()->files, dirfd);
	if (!f) {
		path_put(&w->root);
		return -EBADF;
	}
	int err = 0;
	if (!f->path.dentry)
		err = -ENOTDIR;
	else if (*path && !S_ISDIR(f->path.dentry->inode->mode))
		err = -ENOTDIR;
	else {
		w->cur = f->path;
		path_get(&w->cur);
	}
	file_put(f);
	if (err)
		path_put(&w->root);
	return err;
}

int path_lookupat(int dirfd, const char *path, unsigned flags, struct path *out)
{
	struct walk w = { 0 };
	if (!*path && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	int err = start_at(dirfd, path, &w);
	if (err)
		return err;
	err = walk_path(&w, path, flags);
	path_put(&w.root);
	if (!err && (flags & LOOKUP_DIRECTORY) && !S_ISDIR(w.cur.dentry->inode->mode))
		err = -ENOTDIR;
	/* "name/" must be a directory (after following a link it named). */
	if (!err && *path && path[strlen(path) - 1] == '/' && !S_ISDIR(w.cur.dentry->inode->mode))
		err = -ENOTDIR;
	if (err) {
		path_put(&w.cur);
		return err;
	}
	*out = w.cur;
	return 0;
}

int user_path_at(int dirfd, const char *upath, unsigned flags, struct path *out)
{
	char *buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	int err = getname(upath, buf, flags & LOOKUP_EMPTY);
	if (!err)
		err = path_lookupat(dirfd, buf, flags, out);
	kfree(buf);
	return err;
}

int path_parentat(int dirfd, const char *path, struct path *parent, char *last,
		  bool *trailing_slash)
{
	size_t len = strlen(path);
	if (!len)
		return -ENOENT;
	size_t end = len;
	while (end > 1 && path[end - 1] == '/')
		end--;
	*trailing_slash = end < len;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (end - start > NAME_MAX)
		return -ENAMETOOLONG;
	if (start == end) {                     /* "/" itself */
		strlcpy(last, ".", NAME_MAX + 1);
	} else {
		memcpy(last, path + start, end - start);
		last[end - start] = '\0';
	}
	char *dir = kmalloc(PATH_MAX);
	if (!dir)
		return -ENOMEM;
	if (start == 0) {
		strlcpy(dir, ".", PATH_MAX);
	} else {
		memcpy(dir, path, start);
		dir[start] = '\0';
	}
	int err = path_lookupat(dirfd, dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, parent);
	kfree(dir);
	return err;
}
