# The red-black tree against a sorted-array model, with its invariants
# (colours, black height, order, parent links, cached minimum) checked
# after every operation.
UNIT_TESTS += rbtree
unit_rbtree_SRCS := tests/unit/test_rbtree.c kernel/lib/rbtree.c
