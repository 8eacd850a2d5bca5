# User-space programs, built with musl-gcc (Debian's musl-tools) into
# $(BUILD)/user/. Every tests/user/<prog>.c is built in the three ways a
# Linux program can be linked, and each result is checked to be what its
# name says (user/check-link-mode.sh):
#
#   $(BUILD)/user/<prog>-static       ET_EXEC, no PT_INTERP
#   $(BUILD)/user/<prog>-static-pie   ET_DYN, no PT_INTERP, self-relocating
#   $(BUILD)/user/<prog>-dynamic      ET_DYN, PT_INTERP /lib/ld-musl-x86_64.so.1
#
# `make user` builds them all. Programs may include <uapi/...> headers.

MUSL_GCC    ?= musl-gcc
MUSL_LIBDIR ?= /usr/lib/x86_64-linux-musl
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude

USER_PROGS := $(basename $(notdir $(wildcard tests/user/*.c)))
USER_MODES := static static-pie dynamic
USER_BINS  := $(foreach p,$(USER_PROGS),$(foreach m,$(USER_MODES),$(BUILD)/user/$(p)-$(m)))

# Debian's musl-gcc.specs always links Scrt1.o and names the dynamic linker,
# so `musl-gcc -static-pie` gives a dynamic PIE. A static PIE is linked by
# hand: musl's self-relocating rcrt1.o, libc.a, and no interpreter.
USER_STATIC_PIE_FLAGS = -fPIE -static-pie -nostartfiles -Wl,-Bstatic -Wl,--no-dynamic-linker
USER_STATIC_PIE_START = $(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o \
	$(shell $(MUSL_GCC) -print-file-name=crtbeginS.o)
USER_STATIC_PIE_END   = $(shell $(MUSL_GCC) -print-file-name=crtendS.o) $(MUSL_LIBDIR)/crtn.o

USER_DEPS := user/user.mk user/check-link-mode.sh include/uapi/linux/elf.h

$(BUILD)/user/%-static: tests/user/%.c $(USER_DEPS) | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(USER_CFLAGS) -DLINK_MODE='"static"' -static -o $@ $<
	$(Q)user/check-link-mode.sh static $@

$(BUILD)/user/%-static-pie: tests/user/%.c $(USER_DEPS) | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(USER_CFLAGS) -DLINK_MODE='"static-pie"' $(USER_STATIC_PIE_FLAGS) \
		-o $@ $(USER_STATIC_PIE_START) $< $(USER_STATIC_PIE_END)
	$(Q)user/check-link-mode.sh static-pie $@

$(BUILD)/user/%-dynamic: tests/user/%.c $(USER_DEPS) | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(USER_CFLAGS) -DLINK_MODE='"dynamic"' -fPIE -pie -o $@ $<
	$(Q)user/check-link-mode.sh dynamic $@

.PHONY: user
user: $(USER_BINS)

# ---- the user-space test image ------------------------------------------
# /init is user/testrunner (PID 1); /bin holds the small tools of user/;
# /tests holds every tests/user/t_*.c in all three link modes; /lib has
# musl's dynamic linker for the dynamic ones; /fixtures the files the tests
# read and exec (user/mkfixtures.sh).
USER_TOOLS := $(basename $(notdir $(wildcard user/*.c)))
USER_TOOL_BINS := $(patsubst %,$(BUILD)/user/bin/%,$(USER_TOOLS))
USER_TESTS := $(filter t_%,$(USER_PROGS))
USER_TEST_BINS := $(foreach p,$(USER_TESTS),$(foreach m,$(USER_MODES),$(BUILD)/user/$(p)-$(m)))
MUSL_LDSO := /lib/ld-musl-x86_64.so.1

$(BUILD)/user/bin/%: user/%.c | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(USER_CFLAGS) -Iuser -static -o $@ $<

# A shared library and a dynamic program that needs it (DT_NEEDED): the
# dynamic linker maps the library from /lib with mmap (t_mmap_file).
$(BUILD)/user/lib/libpcfix.so: tests/user/lib/pcfix.c $(USER_DEPS) | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(USER_CFLAGS) -fPIC -shared -o $@ $<

$(BUILD)/user/lib/uselib: tests/user/lib/uselib.c $(BUILD)/user/lib/libpcfix.so | deps-ok
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(USER_CFLAGS) -fPIE -pie -o $@ $< -L$(BUILD)/user/lib -lpcfix

$(BUILD)/usertest.cpio: $(USER_TOOL_BINS) $(USER_TEST_BINS) user/user.mk user/mkfixtures.sh \
		$(BUILD)/user/hello-dynamic $(BUILD)/user/lib/libpcfix.so $(BUILD)/user/lib/uselib
	@echo "  CPIO    $@"
	$(Q)rm -rf $(BUILD)/usertest.root && mkdir -p $(BUILD)/usertest.root/bin \
		$(BUILD)/usertest.root/tests $(BUILD)/usertest.root/lib
	$(Q)cp $(BUILD)/user/bin/testrunner $(BUILD)/usertest.root/init
	$(Q)cp $(filter-out %/testrunner,$(USER_TOOL_BINS)) $(BUILD)/usertest.root/bin/
	$(Q)cp $(USER_TEST_BINS) $(BUILD)/usertest.root/tests/
	$(Q)cp -L $(MUSL_LDSO) $(BUILD)/usertest.root/lib/
	$(Q)cp $(BUILD)/user/lib/libpcfix.so $(BUILD)/usertest.root/lib/
	$(Q)cp $(BUILD)/user/lib/uselib $(BUILD)/usertest.root/bin/
	$(Q)user/mkfixtures.sh $(BUILD)/usertest.root $(BUILD)/user/hello-dynamic
	$(Q)cd $(BUILD)/usertest.root && find . | LC_ALL=C sort | cpio -o -H newc --quiet > ../usertest.cpio

# The same tests in one link mode (static), for the boots that exercise
# SMP rather than the loader.
$(BUILD)/usertest-static.iso: $(KERNEL) $(BUILD)/usertest.cpio scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "init=/init -- -static" --module $(BUILD)/usertest.cpio initramfs

$(BUILD)/usertest.iso: $(KERNEL) $(BUILD)/usertest.cpio scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "init=/init" --module $(BUILD)/usertest.cpio initramfs
