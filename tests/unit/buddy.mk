UNIT_TESTS += buddy
unit_buddy_SRCS := tests/unit/test_buddy.c mm/buddy.c tests/unit/shim.c
