# The newc cpio reader, on archives made at test time by GNU cpio.
UNIT_TESTS += cpio
unit_cpio_SRCS := tests/unit/test_cpio.c fs/cpio.c
