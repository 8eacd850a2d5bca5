/* The initramfs tree (see fs/ramfs.h). Built once at boot, then read-only,
 * so lookups need no lock. */
#include <fs/ramfs.h>
#include <fs/cpio.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <mm/slab.h>

#define MAX_SYMLINKS 40

static struct ramfs_node root = {
	.name = "",
	.mode = S_IFDIR | 0755,
	.children = LIST_HEAD_INIT(root.children),
};

struct ramfs_node *ramfs_root(void)
{
	return &root;
}

static struct ramfs_node *child_named(struct ramfs_node *dir, const char *name, size_t len)
{
	struct ramfs_node *c;
	list_for_each_entry(c, &dir->children, sibling)
		if (strlen(c->name) == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

static struct ramfs_node *new_node(struct ramfs_node *dir, const char *name, size_t len)
{
	struct ramfs_node *n = kzalloc(sizeof(*n));
	char *copy = kmalloc(len + 1);
	if (!n || !copy) {
		kfree(n);
		kfree(copy);
		return NULL;
	}
	memcpy(copy, name, len);
	copy[len] = '\0';
	n->name = copy;
	n->parent = dir;
	list_init(&n->children);
	list_add_tail(&n->sibling, &dir->children);
	return n;
}

/* Create (or find) the node for an archive path; missing parents become
 * directories, as the kernel's own initramfs unpacker does. */
static int add_entry(const struct cpio_entry *e, void *arg)
{
	const char *p = e->name;
	struct ramfs_node *dir = &root, *n = NULL;

	while (*p == '.' && (p[1] == '/' || p[1] == '\0'))
		p += p[1] ? 2 : 1;
	while (*p == '/')
		p++;
	if (!*p)
		return 0;                       /* "." itself: the root */
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		n = child_named(dir, p, len);
		if (!n) {
			n = new_node(dir, p, len);
			if (!n)
				return -ENOMEM;
			n->mode = S_IFDIR | 0755;
		}
		if (!end || !end[1])
			break;
		if (!S_ISDIR(n->mode))
			return -ENOTDIR;
		dir = n;
		p = end + 1;
	}
	n->mode = e->mode;
	n->uid = e->uid;
	n->gid = e->gid;
	n->data = e->data;
	n->size = e->size;
	return 0;
}

int ramfs_add_generated(const char *path, int (*generate)(char *buf, size_t len))
{
	struct cpio_entry e = { .name = path, .namelen = strlen(path), .mode = S_IFREG | 0444 };
	int err = add_entry(&e, NULL);
	if (err)
		return err;
	struct ramfs_node *n;
	err = ramfs_lookup(path, &n);
	if (!err)
		n->generate = generate;
	return err;
}

int ramfs_unpack(const void *cpio, size_t len)
{
	return cpio_for_each(cpio, len, add_entry, NULL);
}

static int walk(struct ramfs_node *start, const char *path, int *links, bool follow_last,
		struct ramfs_node **out);

static bool only_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return !*p;
}

static int follow(struct ramfs_node *dir, struct ramfs_node *link, int *links, struct ramfs_node **out)
{
	char target[PATH_MAX];

	if (++*links > MAX_SYMLINKS)
		return -ELOOP;
	if (link->size >= sizeof(target))
		return -ENAMETOOLONG;
	memcpy(target, link->data, link->size);
	target[link->size] = '\0';
	return walk(target[0] == '/' ? &root : dir, target, links, true, out);
}

static int walk(struct ramfs_node *start, const char *path, int *links, bool follow_last,
		struct ramfs_node **out)
{
	struct ramfs_node *cur = start;
	const char *p = path;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		if (!S_ISDIR(cur->mode))
			return -ENOTDIR;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		struct ramfs_node *next;
		if (len == 1 && p[0] == '.')
			next = cur;
		else if (len == 2 && p[0] == '.' && p[1] == '.')
			next = cur->parent ? cur->parent : cur;    /* never above the root */
		else
			next = child_named(cur, p, len);
		if (!next)
			return -ENOENT;
		bool last = only_slashes(p + len);
		if (S_ISLNK(next->mode) && (follow_last || !last || p[len] == '/')) {
			int err = follow(cur, next, links, &next);
			if (err)
				return err;
		}
		cur = next;
		p += len;
		/* "name/" (only slashes left) requires a directory. */
		if (*p == '/' && only_slashes(p) && !S_ISDIR(cur->mode))
			return -ENOTDIR;
	}
	*out = cur;
	return 0;
}

int ramfs_lookup_at(struct ramfs_node *dir, const char *path, bool follow_last,
		    struct ramfs_node **out)
{
	int links = 0;

	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!*path)
		return -ENOENT;
	return walk(path[0] == '/' ? &root : dir, path, &links, follow_last, out);
}

int ramfs_lookup(const char *path, struct ramfs_node **out)
{
	return ramfs_lookup_at(&root, path, true, out);
}

/* The absolute path of n (for exec by descriptor). -ENAMETOOLONG if it
 * does not fit. */
int ramfs_path(const struct ramfs_node *n, char *buf, size_t size)
{
	size_t len = 0;
	char tmp[PATH_MAX];

	if (n == &root)
		return strlcpy(buf, "/", size) < size ? 0 : -ENAMETOOLONG;
	tmp[sizeof(tmp) - 1] = '\0';
	size_t pos = sizeof(tmp) - 1;
	for (; n && n != &root; n = n->parent) {
		size_t l = strlen(n->name);
		if (l + 1 > pos)
			return -ENAMETOOLONG;
		pos -= l;
		memcpy(tmp + pos, n->name, l);
		tmp[--pos] = '/';
	}
	len = sizeof(tmp) - 1 - pos;
	if (len + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf, tmp + pos, len + 1);
	return 0;
}
