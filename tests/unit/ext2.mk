# The ext2 library on images made at test time by mke2fs, judged by
# e2fsck -fn and debugfs (e2fsprogs).
EXT2_SRCS := fs/ext2/super.c fs/ext2/alloc.c fs/ext2/inode.c fs/ext2/file.c fs/ext2/dir.c \
	fs/ext2/namei.c fs/ext2/mkfs.c \
	tests/unit/ext2_host.c
UNIT_TESTS += ext2
unit_ext2_SRCS := tests/unit/test_ext2.c $(EXT2_SRCS)
unit_ext2_CFLAGS := -DEXT2_WORK_DIR='"$(abspath $(BUILD))/unit/ext2-work"'
$(BUILD)/unit/ext2: tests/unit/ext2_host.h fs/ext2/ext2.h fs/ext2/ext2_int.h fs/ext2/ext2_disk.h
