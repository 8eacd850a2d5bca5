# PS/2 scancode decoding and the US layout (drivers/input/keymap.c).
UNIT_TESTS += keymap
unit_keymap_SRCS := tests/unit/test_keymap.c drivers/input/keymap.c
