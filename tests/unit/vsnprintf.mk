UNIT_TESTS += vsnprintf
unit_vsnprintf_SRCS := tests/unit/test_vsnprintf.c kernel/lib/vsnprintf.c
# kernel/lib/vsnprintf.c is compiled under other names so libc's stays the
# reference; -Wno-format: the renamed functions keep kernel format attributes.
unit_vsnprintf_CFLAGS := -Dvsnprintf=kernel_vsnprintf -Dsnprintf=kernel_snprintf -fno-builtin -Wno-format-truncation
