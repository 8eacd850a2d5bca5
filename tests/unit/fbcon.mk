UNIT_TESTS += fbcon
# Glyph drawing and font lookup, plus the font the build generated with
# scripts/psf2c.py (checks the converter's output).
unit_fbcon_SRCS := tests/unit/test_fbcon.c drivers/video/fbdraw.c drivers/video/font.c \
	$(BUILD)/gen/font.c
