UNIT_TESTS += vma
# The VMA set (split, merge, free-range search) against a page-array model.
unit_vma_SRCS := tests/unit/test_vma.c mm/vma.c tests/unit/shim.c
