/*
 * The ext2 library's directories and names (fs/ext2/dir.c, namei.c) on
 * images made by mke2fs: create, mkdir, symlinks, device nodes, link,
 * unlink, rmdir and rename with Linux's errors, readdir with resumable
 * cookies, 10,000 names in one directory, and the deferred free hook.
 * e2fsck -fn and debugfs judge every image.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <kernel/errno.h>
#include "ext2_host.h"

#define ROOT EXT2_ROOT_INO
#define S(str) str, sizeof(str) - 1

static uint32_t nlink(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_stat st;

	assert_int_equal(ext2_getattr(fs, ino, &st), 0);
	return st.nlink;
}

static uint32_t lookup(struct ext2_fs *fs, uint32_t dir, const char *name)
{
	uint32_t ino = 0;
	int err = ext2_lookup(fs, dir, name, strlen(name), &ino);

	return err ? 0 : ino;
}

static uint32_t mkfile(struct ext2_fs *fs, uint32_t dir, const char *name, const char *data)
{
	uint32_t ino;

	assert_int_equal(ext2_mknod(fs, dir, name, strlen(name), 0100644, 0, 0, 0, &ino), 0);
	if (data)
		assert_int_equal(ext2_write(fs, ino, 0, data, strlen(data)), strlen(data));
	return ino;
}

static uint32_t mkdir_(struct ext2_fs *fs, uint32_t dir, const char *name)
{
	uint32_t ino;

	assert_int_equal(ext2_mkdir(fs, dir, name, strlen(name), 0755, 0, 0, &ino), 0);
	return ino;
}

/* Every name in a directory, in readdir order, as "name:ino:type\n". */
struct listing {
	char *text;
	size_t len, cap;
	int count;
	int stop_every;         /* emit returns 1 after this many per call */
	int in_call;
};

static int collect(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
		   uint64_t next)
{
	struct listing *l = arg;

	if (l->stop_every && l->in_call == l->stop_every)
		return 1;
	l->in_call++;
	if (l->len + len + 32 > l->cap)
		l->text = realloc(l->text, l->cap = (l->cap + len + 32) * 2);
	l->len += sprintf(l->text + l->len, "%.*s:%u:%u\n", (int)len, name, ino, type);
	l->count++;
	return 0;
}

static struct listing list_dir(struct ext2_fs *fs, uint32_t dir, int stop_every)
{
	struct listing l = { .stop_every = stop_every };
	uint64_t pos = 0, last = ~0ull;

	l.text = calloc(1, 1);
	while (pos != last) {
		last = pos;
		l.in_call = 0;
		assert_int_equal(ext2_readdir(fs, dir, &pos, collect, &l), 0);
	}
	return l;
}

/* debugfs "ls -p" lines are /ino/mode/uid/gid/name/size/: the names and inodes. */
static void debugfs_agrees(const char *img, const char *path, struct ext2_fs *fs, uint32_t dir)
{
	char req[300];
	struct listing l = list_dir(fs, dir, 0);
	int n = 0;

	snprintf(req, sizeof(req), "ls -p %s", path);
	char *out = ext2h_debugfs(img, req);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned ino, mode;
		char name[300], want[320];

		if (sscanf(line, "/%u/%o/%*u/%*u/%299[^/]/", &ino, &mode, name) != 3)
			continue;
		if (ino == 0)
			continue;       /* an unused record at a block's start (debugfs shows it) */
		snprintf(want, sizeof(want), "%s:%u:", name, ino);
		if (!strstr(l.text, want))
			fail_msg("debugfs lists %s in %s, readdir does not", want, path);
		n++;
	}
	assert_int_equal(n, l.count);
	free(out);
	free(l.text);
}

static void names(unsigned bs, const char *opts)
{
	const char *img = ext2h_mkfs(0, bs, 16, opts);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	char longname[257];
	uint32_t ino, a, dir, x;

	a = mkfile(fs, ROOT, "a", "contents of a\n");
	assert_int_equal(ext2_mknod(fs, ROOT, S("a"), 0100644, 0, 0, 0, &ino), -EEXIST);
	assert_int_equal(ext2_mkdir(fs, ROOT, S("a"), 0755, 0, 0, &ino), -EEXIST);
	assert_int_equal(lookup(fs, ROOT, "a"), a);
	assert_int_equal(ext2_lookup(fs, ROOT, S("nope"), &ino), -ENOENT);
	assert_int_equal(ext2_lookup(fs, a, S("x"), &ino), -ENOTDIR);
	memset(longname, 'n', sizeof(longname));
	assert_int_equal(ext2_mknod(fs, ROOT, longname, 256, 0100644, 0, 0, 0, &ino), -ENAMETOOLONG);
	assert_int_equal(ext2_lookup(fs, ROOT, longname, 256, &ino), -ENAMETOOLONG);
	assert_int_equal(ext2_mknod(fs, ROOT, longname, 255, 0100644, 0, 0, 0, &ino), 0);
	assert_int_equal(ext2_lookup(fs, ROOT, longname, 255, &x), 0);
	assert_int_equal(x, ino);

	uint32_t root_links = nlink(fs, ROOT);
	dir = mkdir_(fs, ROOT, "d");
	assert_int_equal(nlink(fs, ROOT), root_links + 1);
	assert_int_equal(nlink(fs, dir), 2);
	assert_int_equal(lookup(fs, dir, "."), dir);
	assert_int_equal(lookup(fs, dir, ".."), ROOT);
	assert_int_equal(ext2_unlink(fs, ROOT, S("d")), -EISDIR);
	assert_int_equal(ext2_rmdir(fs, ROOT, S("a")), -ENOTDIR);
	x = mkfile(fs, dir, "x", NULL);
	assert_int_equal(ext2_rmdir(fs, ROOT, S("d")), -ENOTEMPTY);
	assert_int_equal(ext2_rmdir(fs, dir, S(".")), -EINVAL);
	assert_int_equal(ext2_rmdir(fs, dir, S("..")), -ENOTEMPTY);
	assert_int_equal(ext2_rmdir(fs, ROOT, S("nope")), -ENOENT);

	/* Hard links. */
	assert_int_equal(ext2_link(fs, a, dir, S("a2")), 0);
	assert_int_equal(nlink(fs, a), 2);
	assert_int_equal(ext2_link(fs, a, dir, S("a2")), -EEXIST);
	assert_int_equal(ext2_link(fs, dir, ROOT, S("dlink")), -EPERM);
	assert_int_equal(ext2_unlink(fs, ROOT, S("a")), 0);
	assert_int_equal(ext2_unlink(fs, ROOT, S("a")), -ENOENT);
	assert_int_equal(nlink(fs, a), 1);
	assert_int_equal(lookup(fs, dir, "a2"), a);

	/* An empty directory goes, with its parent's link. */
	uint32_t e = mkdir_(fs, dir, "empty");
	assert_int_equal(nlink(fs, dir), 3);
	assert_int_equal(ext2_rmdir(fs, dir, S("empty")), 0);
	assert_int_equal(nlink(fs, dir), 2);
	assert_int_equal(ext2_getattr(fs, e, &(struct ext2_stat){0}), 0);
	assert_int_equal(ext2_unlink(fs, dir, S("x")), 0);
	(void)x;

	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	ext2h_cat_equals(img, "/d/a2", "contents of a\n", 14);
	fs = ext2h_mount(&d, img, 0);
	debugfs_agrees(img, "/", fs, ROOT);
	debugfs_agrees(img, "/d", fs, dir);
	ext2h_unmount(&d, fs);
}

static void test_names_1k(void **state) { names(1024, NULL); }
static void test_names_4k(void **state) { names(4096, NULL); }
/* Revision 0: 128-byte inodes, no features, no file types in entries. */
static void test_names_rev0(void **state) { names(1024, "-r 0"); }
static void test_names_nofiletype(void **state) { names(2048, "-O ^filetype"); }

static void test_special_files(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 8, NULL);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	char slow[300], buf[400];
	uint32_t fast_ino, slow_ino, fifo, chr, blk, sock;
	struct ext2_stat st;

	memset(slow, 's', sizeof(slow) - 1);
	slow[sizeof(slow) - 1] = 0;
	assert_int_equal(ext2_symlink(fs, ROOT, S("fast"), "a/b/c", 0, 0, &fast_ino), 0);
	assert_int_equal(ext2_symlink(fs, ROOT, S("slow"), slow, 0, 0, &slow_ino), 0);
	assert_int_equal(ext2_symlink(fs, ROOT, S("edge"), "0123456789012345678901234567890123456789012345678901234567890", 0, 0, &sock), 0);
	assert_int_equal(ext2_symlink(fs, ROOT, S("empty"), "", 0, 0, &sock), -ENOENT);
	assert_int_equal(ext2_readlink(fs, fast_ino, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "a/b/c", 5);
	assert_int_equal(ext2_readlink(fs, slow_ino, buf, sizeof(buf)), 299);
	assert_memory_equal(buf, slow, 299);
	assert_int_equal(ext2_readlink(fs, slow_ino, buf, 10), 10);
	assert_int_equal(ext2_getattr(fs, fast_ino, &st), 0);
	assert_int_equal(st.mode, 0120777);
	assert_int_equal(st.blocks, 0);
	assert_int_equal(ext2_getattr(fs, slow_ino, &st), 0);
	assert_int_equal(st.blocks, 2);
	assert_int_equal(st.size, 299);

	assert_int_equal(ext2_mknod(fs, ROOT, S("fifo"), 010600, 0, 0, 0, &fifo), 0);
	assert_int_equal(ext2_mknod(fs, ROOT, S("null"), 020666, 0, 0, 1 << 8 | 3, &chr), 0);
	/* major 8, minor 300: the large encoding (minor's high bits at 20). */
	uint32_t big = 8 << 8 | (300 & 0xff) | (300 & ~0xff) << 12;
	assert_int_equal(ext2_mknod(fs, ROOT, S("sdx"), 060660, 0, 0, big, &blk), 0);
	assert_int_equal(ext2_mknod(fs, ROOT, S("sock"), 0140755, 0, 0, 0, &sock), 0);
	assert_int_equal(ext2_mknod(fs, ROOT, S("bad"), 0170755, 0, 0, 0, &sock), -EINVAL);
	assert_int_equal(ext2_getattr(fs, chr, &st), 0);
	assert_int_equal(st.rdev, 1 << 8 | 3);
	assert_int_equal(st.mode, 020666);
	assert_int_equal(ext2_getattr(fs, blk, &st), 0);
	assert_int_equal(st.rdev, big);
	assert_int_equal(ext2_read(fs, fifo, 0, buf, 1), -EINVAL);
	assert_int_equal(ext2_readlink(fs, fifo, buf, 1), -EINVAL);

	struct listing l = list_dir(fs, ROOT, 0);
	assert_non_null(strstr(l.text, "fast:"));
	char want[64];
	snprintf(want, sizeof(want), "fifo:%u:1\n", fifo);
	assert_non_null(strstr(l.text, want));
	snprintf(want, sizeof(want), "null:%u:2\n", chr);
	assert_non_null(strstr(l.text, want));
	snprintf(want, sizeof(want), "sdx:%u:6\n", blk);
	assert_non_null(strstr(l.text, want));
	snprintf(want, sizeof(want), "fast:%u:10\n", fast_ino);
	assert_non_null(strstr(l.text, want));
	snprintf(want, sizeof(want), "lost+found:11:4\n");
	assert_non_null(strstr(l.text, want));
	free(l.text);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);

	char *out = ext2h_debugfs(img, "stat /fast");
	assert_non_null(strstr(out, "Fast link dest: \"a/b/c\""));
	free(out);
	ext2h_cat_equals(img, "/slow", slow, 299);
	out = ext2h_debugfs(img, "stat /null");
	assert_non_null(strstr(out, "Type: character special"));
	assert_non_null(strstr(out, "Device major/minor number: 01:03"));
	free(out);
	out = ext2h_debugfs(img, "stat /sdx");
	assert_non_null(strstr(out, "Device major/minor number: 08:300"));
	free(out);
	out = ext2h_debugfs(img, "stat /fifo");
	assert_non_null(strstr(out, "Type: FIFO"));
	free(out);

	/* Removing them frees what they hold (the slow link's block). */
	fs = ext2h_mount(&d, img, 0);
	struct ext2_statfs s0, s1;
	ext2_statfs(fs, &s0);
	assert_int_equal(ext2_unlink(fs, ROOT, S("slow")), 0);
	assert_int_equal(ext2_unlink(fs, ROOT, S("fast")), 0);
	assert_int_equal(ext2_unlink(fs, ROOT, S("sdx")), 0);
	ext2_statfs(fs, &s1);
	assert_int_equal(s1.free_blocks, s0.free_blocks + 1);
	assert_int_equal(s1.free_files, s0.free_files + 3);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
}

static void test_rename(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 8, NULL);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_statfs s0, s1;
	uint32_t a, b, p, q, sub, t, full;

	p = mkdir_(fs, ROOT, "p");
	q = mkdir_(fs, ROOT, "q");
	a = mkfile(fs, p, "a", "AAAA");
	b = mkfile(fs, p, "b", "BB");

	/* Same directory, new name. */
	assert_int_equal(ext2_rename(fs, p, S("a"), p, S("a1")), 0);
	assert_int_equal(lookup(fs, p, "a"), 0);
	assert_int_equal(lookup(fs, p, "a1"), a);
	assert_int_equal(ext2_rename(fs, p, S("nope"), p, S("x")), -ENOENT);
	/* Over an existing file: the target's inode goes. */
	ext2_statfs(fs, &s0);
	assert_int_equal(ext2_rename(fs, p, S("a1"), p, S("b")), 0);
	ext2_statfs(fs, &s1);
	assert_int_equal(lookup(fs, p, "b"), a);
	assert_int_equal(lookup(fs, p, "a1"), 0);
	assert_int_equal(s1.free_files, s0.free_files + 1);
	assert_int_equal(s1.free_blocks, s0.free_blocks + 1);
	(void)b;
	/* Two names of one inode: nothing happens. */
	assert_int_equal(ext2_link(fs, a, p, S("hard")), 0);
	assert_int_equal(ext2_rename(fs, p, S("hard"), p, S("b")), 0);
	assert_int_equal(lookup(fs, p, "hard"), a);
	assert_int_equal(nlink(fs, a), 2);

	/* A directory to another parent: "..", and both parents' links. */
	sub = mkdir_(fs, p, "sub");
	mkfile(fs, sub, "inner", "inner data");
	assert_int_equal(nlink(fs, p), 3);
	assert_int_equal(nlink(fs, q), 2);
	assert_int_equal(ext2_rename(fs, p, S("sub"), q, S("sub2")), 0);
	assert_int_equal(nlink(fs, p), 2);
	assert_int_equal(nlink(fs, q), 3);
	assert_int_equal(lookup(fs, sub, ".."), q);
	assert_int_equal(lookup(fs, q, "sub2"), sub);
	/* Below itself. */
	uint32_t deep = mkdir_(fs, sub, "deep");
	assert_int_equal(ext2_rename(fs, q, S("sub2"), deep, S("x")), -EINVAL);
	assert_int_equal(ext2_rename(fs, q, S("sub2"), sub, S("x")), -EINVAL);
	/* Kinds must agree; a directory target must be empty. */
	t = mkdir_(fs, ROOT, "t");
	full = mkdir_(fs, ROOT, "full");
	mkfile(fs, full, "f", NULL);
	assert_int_equal(ext2_rename(fs, q, S("sub2"), p, S("b")), -ENOTDIR);
	assert_int_equal(ext2_rename(fs, p, S("b"), ROOT, S("t")), -EISDIR);
	assert_int_equal(ext2_rename(fs, q, S("sub2"), ROOT, S("full")), -ENOTEMPTY);
	assert_int_equal(ext2_rename(fs, q, S("sub2"), ROOT, S(".")), -EBUSY);
	/* Over an empty directory in another parent. */
	uint32_t root_links = nlink(fs, ROOT);
	ext2_statfs(fs, &s0);
	assert_int_equal(ext2_rename(fs, q, S("sub2"), ROOT, S("t")), 0);
	ext2_statfs(fs, &s1);
	assert_int_equal(s1.free_files, s0.free_files + 1);
	assert_int_equal(nlink(fs, ROOT), root_links);   /* lost t, gained sub */
	assert_int_equal(nlink(fs, q), 2);
	assert_int_equal(lookup(fs, ROOT, "t"), sub);
	assert_int_equal(lookup(fs, sub, ".."), ROOT);
	assert_int_equal(lookup(fs, sub, "deep"), deep);
	(void)t;
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	ext2h_cat_equals(img, "/t/inner", "inner data", 10);
	ext2h_cat_equals(img, "/p/b", "AAAA", 4);
	fs = ext2h_mount(&d, img, 0);
	debugfs_agrees(img, "/", fs, ROOT);
	debugfs_agrees(img, "/p", fs, p);
	ext2h_unmount(&d, fs);
}

/* Freeing deferred while the inode is open (io->inode_busy). */
static void test_busy_inode(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 8, NULL);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_statfs s0, s1;
	uint32_t ino, dir;
	char buf[16];

	ext2_statfs(fs, &s0);
	ino = mkfile(fs, ROOT, "open", "still readable");
	dir = mkdir_(fs, ROOT, "odir");
	d.busy_ino = ino;
	assert_int_equal(ext2_unlink(fs, ROOT, S("open")), 0);
	assert_int_equal(nlink(fs, ino), 0);
	assert_int_equal(ext2_read(fs, ino, 0, buf, 14), 14);
	assert_memory_equal(buf, "still readable", 14);
	assert_int_equal(ext2_link(fs, ino, ROOT, S("back")), -ENOENT);
	ext2_statfs(fs, &s1);
	assert_int_equal(s1.free_files, s0.free_files - 2);
	assert_int_equal(ext2_evict(fs, ino), 0);
	d.busy_ino = dir;
	assert_int_equal(ext2_rmdir(fs, ROOT, S("odir")), 0);
	struct listing l = list_dir(fs, dir, 0);
	assert_int_equal(l.count, 0);
	free(l.text);
	assert_int_equal(ext2_mknod(fs, dir, S("x"), 0100644, 0, 0, 0, &ino), -ENOENT);
	assert_int_equal(ext2_evict(fs, dir), 0);
	ext2_statfs(fs, &s1);
	assert_int_equal(s1.free_files, s0.free_files);
	assert_int_equal(s1.free_blocks, s0.free_blocks);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
}

/* Removed records merge into the one before; new ones reuse the space. */
static void test_record_reuse(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 8, NULL);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	struct ext2_stat st;
	char name[32];
	uint32_t dir = mkdir_(fs, ROOT, "r"), ino;
	int n = 0;

	/* Fill the first block exactly: names of 8 bytes take 16-byte records. */
	for (;; n++) {
		snprintf(name, sizeof(name), "n%07d", n);
		ino = mkfile(fs, dir, name, NULL);
		assert_int_equal(ext2_getattr(fs, dir, &st), 0);
		if (st.size > 1024)
			break;
	}
	assert_int_equal(n, (1024 - 12 - 12) / 16);
	assert_int_equal(st.size, 2048);
	/* Free a middle and the first record of block 1, reuse both. */
	assert_int_equal(ext2_unlink(fs, dir, S("n0000010")), 0);
	assert_int_equal(ext2_unlink(fs, dir, name, strlen(name)), 0);
	ino = mkfile(fs, dir, "m0000010", NULL);
	ino = mkfile(fs, dir, "m0000011", NULL);
	assert_int_equal(ext2_getattr(fs, dir, &st), 0);
	assert_int_equal(st.size, 2048);
	(void)ino;
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	fs = ext2h_mount(&d, img, 0);
	debugfs_agrees(img, "/r", fs, dir);
	ext2h_unmount(&d, fs);
}

/* A hashed directory (e2fsck -D builds the index): read as the linear list
 * it also is, changed, and left as a valid plain directory. */
static void test_indexed_dir(void **state)
{
	char dir[300], cmd[1000];

	snprintf(dir, sizeof(dir), "%s/htree", ext2h_workdir());
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s/big && cd %s/big && "
		 "for i in $(seq 1 400); do : > entry-with-a-long-name-$i; done", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "-d %s -O dir_index", dir);
	const char *img = ext2h_mkfs(1, 1024, 8, cmd);
	snprintf(cmd, sizeof(cmd), "e2fsck -fyD '%s' >/dev/null 2>&1; "
		 "debugfs -R 'htree /big' '%s' 2>/dev/null | grep -c 'Root node'", img, img);
	char *out = ext2h_run(cmd, NULL, NULL);
	assert_int_equal(atoi(out), 1);            /* it is indexed now */
	free(out);
	ext2h_fsck_clean(img);

	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	uint32_t big = ext2h_path(fs, "big"), ino;
	struct listing l = list_dir(fs, big, 0);
	assert_int_equal(l.count, 402);
	free(l.text);
	assert_int_not_equal(lookup(fs, big, "entry-with-a-long-name-399"), 0);
	for (int i = 1; i <= 400; i += 3) {
		char name[64];
		snprintf(name, sizeof(name), "entry-with-a-long-name-%d", i);
		assert_int_equal(ext2_unlink(fs, big, name, strlen(name)), 0);
	}
	for (int i = 0; i < 50; i++) {
		char name[64];
		snprintf(name, sizeof(name), "new-%d", i);
		assert_int_equal(ext2_mknod(fs, big, name, strlen(name), 0100644, 0, 0, 0, &ino), 0);
	}
	l = list_dir(fs, big, 0);
	assert_int_equal(l.count, 402 - 134 + 50);
	free(l.text);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	fs = ext2h_mount(&d, img, 0);
	debugfs_agrees(img, "/big", fs, big);
	ext2h_unmount(&d, fs);
}

/* A readdir cookie survives changes: entries neither removed nor added
 * come exactly once, a removed one not yet reached never comes. */
static void test_readdir_while_changing(void **state)
{
	const char *img = ext2h_mkfs(0, 1024, 8, NULL);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	uint32_t dir = mkdir_(fs, ROOT, "c");
	struct listing first = { .stop_every = 40 }, rest = { 0 };
	uint64_t pos = 0;
	char name[32];

	for (int i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "e%03d", i);
		mkfile(fs, dir, name, NULL);
	}
	first.text = calloc(1, 1);
	rest.text = calloc(1, 1);
	assert_int_equal(ext2_readdir(fs, dir, &pos, collect, &first), 0);
	assert_int_equal(first.count, 40);           /* ".", "..", e000..e037 */
	assert_non_null(strstr(first.text, "e037:"));
	assert_int_equal(ext2_unlink(fs, dir, S("e010")), 0);   /* already seen */
	assert_int_equal(ext2_unlink(fs, dir, S("e038")), 0);   /* the next one */
	assert_int_equal(ext2_unlink(fs, dir, S("e100")), 0);   /* further on */
	assert_int_equal(ext2_readdir(fs, dir, &pos, collect, &rest), 0);
	assert_null(strstr(rest.text, "e038:"));
	assert_null(strstr(rest.text, "e100:"));
	char *all = malloc(first.len + rest.len + 2);
	sprintf(all, "\n%s%s", first.text, rest.text);
	for (int i = 0; i < 150; i++) {
		int seen = 0;
		snprintf(name, sizeof(name), "\ne%03d:", i);
		for (char *at = all; (at = strstr(at, name)); at++)
			seen++;
		assert_int_equal(seen, i == 38 || i == 100 ? 0 : 1);
	}
	free(all);
	free(first.text);
	free(rest.text);
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
}

#define MANY 10000

struct many_seen {
	const uint32_t *inos;
	uint8_t count[MANY];
	int total, in_call;
};

static int check_many(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
		      uint64_t next)
{
	struct many_seen *s = arg;
	char buf[32];
	int i;

	if (s->in_call == 97)
		return 1;
	s->in_call++;
	s->total++;
	if (len <= 2)
		return 0;                  /* "." and ".." */
	snprintf(buf, sizeof(buf), "%.*s", (int)len, name);
	assert_int_equal(sscanf(buf, "file-%05d", &i), 1);
	assert_true(i >= 0 && i < MANY);
	assert_int_equal(ino, s->inos[i]);
	assert_int_equal(type, 8);
	s->count[i]++;
	return 0;
}

static void test_ten_thousand(void **state)
{
	const char *img = ext2h_mkfs(0, 4096, 64, NULL);
	struct ext2h_disk d;
	struct ext2_fs *fs = ext2h_mount(&d, img, 0);
	uint32_t dir = mkdir_(fs, ROOT, "many"), inos[MANY];
	char name[32];

	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "file-%05d", i);
		assert_int_equal(ext2_mknod(fs, dir, name, strlen(name), 0100644, 0, 0, 0, &inos[i]), 0);
	}
	/* Resumed every 97 entries, each name exactly once. */
	struct many_seen seen = { .inos = inos };
	uint64_t pos = 0, last = ~0ull;
	while (pos != last) {
		last = pos;
		seen.in_call = 0;
		assert_int_equal(ext2_readdir(fs, dir, &pos, check_many, &seen), 0);
	}
	assert_int_equal(seen.total, MANY + 2);
	for (int i = 0; i < MANY; i++)
		assert_int_equal(seen.count[i], 1);
	for (int i = 0; i < MANY; i += 2) {
		snprintf(name, sizeof(name), "file-%05d", i);
		assert_int_equal(ext2_unlink(fs, dir, name, strlen(name)), 0);
	}
	for (int i = 0; i < MANY; i += 3) {
		snprintf(name, sizeof(name), "file-%05d", i);
		assert_int_equal(lookup(fs, dir, name), i % 2 ? inos[i] : 0);
	}
	ext2h_unmount(&d, fs);
	ext2h_fsck_clean(img);
	fs = ext2h_mount(&d, img, 0);
	debugfs_agrees(img, "/many", fs, dir);
	ext2h_unmount(&d, fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_1k),
		cmocka_unit_test(test_names_4k),
		cmocka_unit_test(test_names_rev0),
		cmocka_unit_test(test_names_nofiletype),
		cmocka_unit_test(test_special_files),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_busy_inode),
		cmocka_unit_test(test_record_reuse),
		cmocka_unit_test(test_indexed_dir),
		cmocka_unit_test(test_readdir_while_changing),
		cmocka_unit_test(test_ten_thousand),
	};

	return ext2h_cleanup(cmocka_run_group_tests(tests, NULL, NULL));
}
