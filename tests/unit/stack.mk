# The initial user stack builder, walked the way a C runtime reads it.
UNIT_TESTS += stack
unit_stack_SRCS := tests/unit/test_stack.c kernel/exec/stack.c
