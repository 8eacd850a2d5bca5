/*
 * The page cache against a fake file system with storage: misses are
 * read once with ->readpage, hits are not; dirty pages go back with
 * ->writepage on writeback, sync and eviction, clean ones do not; a
 * failed read leaves nothing cached; truncation drops pages and zeroes
 * the tail of the last one. (tmpfs, the only cached file system in the
 * user tests, has no storage, so this is where writeback is checked.)
 */
#include <kernel/ktest.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <fs/vfs.h>
#include <mm/pagecache.h>
#include <mm/pmm.h>

static int reads, writes, fail_index = -1;
static uint64_t written_index;
static uint8_t written_byte;

/* Page index n of the fake file holds the byte n + 1. */
static int fake_readpage(struct inode *i, uint64_t index, void *buf)
{
	(void)i;
	reads++;
	if ((int)index == fail_index)
		return -EIO;
	memset(buf, (int)(index + 1), PAGE_SIZE);
	return 0;
}

static int fake_writepage(struct inode *i, uint64_t index, const void *buf)
{
	(void)i;
	writes++;
	written_index = index;
	written_byte = *(const uint8_t *)buf;
	return 0;
}

static const struct inode_ops fake_ops = {
	.readpage = fake_readpage,
	.writepage = fake_writepage,
};

static struct inode *fake_file(uint64_t size)
{
	struct inode *i = inode_new(NULL, S_IFREG | 0644);

	if (i) {
		i->ops = &fake_ops;
		i->size = size;
	}
	reads = writes = 0;
	fail_index = -1;
	return i;
}

static void test_miss_then_hit(struct ktest *t)
{
	struct inode *i = fake_file(3 * PAGE_SIZE);
	struct page *pg;
	uint8_t buf[3];

	KT_EXPECT(t, i && inode_cached(i));
	if (!i)
		return;
	KT_EXPECT_EQ(t, pcache_get_page(i, 1, 0, &pg), 0);
	KT_EXPECT_EQ(t, ((uint8_t *)page_address(pg))[7], 2);
	put_page(pg);
	KT_EXPECT_EQ(t, pcache_get_page(i, 1, 0, &pg), 0);
	put_page(pg);
	KT_EXPECT_EQ(t, reads, 1);
	/* kernel_read across pages reads the others once each. */
	KT_EXPECT_EQ(t, kernel_read(i, PAGE_SIZE - 1, buf, 3), 3);
	KT_EXPECT(t, buf[0] == 1 && buf[1] == 2 && buf[2] == 2);
	KT_EXPECT_EQ(t, reads, 2);
	KT_EXPECT_EQ(t, i->cache.nr_pages, 2);
	inode_put(i);
	KT_EXPECT_EQ(t, writes, 0);             /* nothing was dirty */
}

static void test_writeback(struct ktest *t)
{
	struct inode *i = fake_file(2 * PAGE_SIZE);
	struct page *pg;

	if (!i)
		return;
	KT_EXPECT_EQ(t, pcache_get_page(i, 1, 0, &pg), 0);
	*(uint8_t *)page_address(pg) = 0xab;
	pcache_mark_dirty(i, pg);
	put_page(pg);
	mutex_lock(&i->lock);
	KT_EXPECT_EQ(t, pcache_writeback(i), 0);
	KT_EXPECT_EQ(t, writes, 1);
	KT_EXPECT_EQ(t, written_index, 1);
	KT_EXPECT_EQ(t, written_byte, 0xab);
	KT_EXPECT_EQ(t, pcache_writeback(i), 0);
	KT_EXPECT_EQ(t, writes, 1);             /* clean now */
	mutex_unlock(&i->lock);
	/* sync(2) finds dirty files by itself. */
	KT_EXPECT_EQ(t, pcache_get_page(i, 0, 0, &pg), 0);
	pcache_mark_dirty(i, pg);
	put_page(pg);
	KT_EXPECT_EQ(t, pcache_sync_all(NULL), 0);
	KT_EXPECT_EQ(t, writes, 2);
	KT_EXPECT_EQ(t, written_index, 0);
	/* Eviction of a linked file writes back what is still dirty. */
	KT_EXPECT_EQ(t, pcache_get_page(i, 1, 0, &pg), 0);
	pcache_mark_dirty(i, pg);
	put_page(pg);
	inode_put(i);
	KT_EXPECT_EQ(t, writes, 3);
}

static void test_read_error_and_truncate(struct ktest *t)
{
	struct inode *i = fake_file(4 * PAGE_SIZE);
	struct page *pg;

	if (!i)
		return;
	fail_index = 2;
	KT_EXPECT_EQ(t, pcache_get_page(i, 2, 0, &pg), -EIO);
	KT_EXPECT_EQ(t, i->cache.nr_pages, 0);
	size_t before = pmm_free_frames();      /* the index exists now; no page */
	fail_index = -1;
	KT_EXPECT_EQ(t, pcache_get_page(i, 2, 0, &pg), 0);    /* read again */
	put_page(pg);
	KT_EXPECT_EQ(t, reads, 2);
	KT_EXPECT_EQ(t, pcache_get_page(i, 0, 0, &pg), 0);
	put_page(pg);
	KT_EXPECT_EQ(t, pcache_get_page(i, 3, PCG_NOREAD, &pg), 0);
	KT_EXPECT_EQ(t, ((uint8_t *)page_address(pg))[0], 0);   /* not read: zeroed */
	put_page(pg);
	KT_EXPECT_EQ(t, reads, 3);
	mutex_lock(&i->lock);
	i->size = 100;
	pcache_truncate(i, 100);
	mutex_unlock(&i->lock);
	KT_EXPECT_EQ(t, i->cache.nr_pages, 1);
	KT_EXPECT_EQ(t, pcache_get_page(i, 0, 0, &pg), 0);
	KT_EXPECT_EQ(t, ((uint8_t *)page_address(pg))[99], 1);
	KT_EXPECT_EQ(t, ((uint8_t *)page_address(pg))[100], 0);
	put_page(pg);
	KT_EXPECT_EQ(t, pmm_free_frames(), before - 1);  /* only page 0 is kept */
	inode_put(i);
}

static struct ktest_case pagecache_cases[] = {
	KTEST_CASE(test_miss_then_hit),
	KTEST_CASE(test_writeback),
	KTEST_CASE(test_read_error_and_truncate),
	{},
};
KTEST_SUITE(pagecache, pagecache_cases);
