UNIT_TESTS += memblock
unit_memblock_SRCS := tests/unit/test_memblock.c mm/memblock.c tests/unit/shim.c
