# ext2 directories and names. EXT2_SRCS and the flags come from
# tests/unit/ext2.mk (recursive "=" so the include order does not matter).
UNIT_TESTS += ext2_dir
unit_ext2_dir_SRCS = tests/unit/test_ext2_dir.c $(EXT2_SRCS)
unit_ext2_dir_CFLAGS = $(unit_ext2_CFLAGS)
$(BUILD)/unit/ext2_dir: tests/unit/ext2_host.h fs/ext2/ext2.h fs/ext2/ext2_int.h fs/ext2/ext2_disk.h
