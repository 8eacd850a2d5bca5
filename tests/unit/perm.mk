# The permission rule of the VFS (fs/perm.c), a pure function.
UNIT_TESTS += perm
unit_perm_SRCS := tests/unit/test_perm.c fs/perm.c
