UNIT_TESTS += pgtable
unit_pgtable_SRCS := tests/unit/test_pgtable.c arch/x86_64/mm/pgtable.c mm/vmap.c \
	mm/pmm.c mm/buddy.c mm/memblock.c mm/phys.c tests/unit/shim.c
