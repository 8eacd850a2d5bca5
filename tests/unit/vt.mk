# The terminal emulator core (drivers/video/vt.c): escape sequences against
# an expected text and attribute grid, and random byte streams on a grid
# with guard cells around it (no write outside, cursor always on the grid).
UNIT_TESTS += vt
unit_vt_SRCS := tests/unit/test_vt.c drivers/video/vt.c
