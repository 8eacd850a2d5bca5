# MBR/GPT parsing and CRC-32 (drivers/block/part.c, crc32.c): tables made
# in the test and, when installed, by sfdisk and sgdisk on the host.
UNIT_TESTS += part
unit_part_SRCS := tests/unit/test_part.c drivers/block/part.c drivers/block/crc32.c
