# The ELF parser on synthetic headers, fuzzed headers, and real musl
# programs built by user/user.mk plus Debian's /lib/ld-musl-x86_64.so.1;
# binutils' readelf is the independent reference.
UNIT_TESTS += elf
unit_elf_SRCS := tests/unit/test_elf.c kernel/exec/elf.c
unit_elf_CFLAGS := -DUSER_BIN_DIR='"$(abspath $(BUILD)/user)"'
$(BUILD)/unit/elf: $(BUILD)/user/hello-static $(BUILD)/user/hello-static-pie \
	$(BUILD)/user/hello-dynamic
