UNIT_TESTS += multiboot2
unit_multiboot2_SRCS := tests/unit/test_multiboot2.c kernel/multiboot2.c
