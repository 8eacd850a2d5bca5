UNIT_TESTS += slab
unit_slab_SRCS := tests/unit/test_slab.c mm/slab.c mm/kmalloc.c mm/pmm.c \
	mm/buddy.c mm/memblock.c mm/phys.c tests/unit/shim.c
