# The ownership tracker core (ipc/objspace_core.c) against a byte-level
# model: random allocate/send/receive/release/drop/exit with allocation
# failures injected, invariants checked after every step.
UNIT_TESTS += objspace
unit_objspace_SRCS := tests/unit/test_objspace.c ipc/objspace_core.c kernel/lib/rbtree.c tests/unit/shim.c
