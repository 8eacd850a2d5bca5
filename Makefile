# One Makefile drives everything; all output goes to build/.
#
#   make run        boot to a busybox shell in QEMU on the serial console
#   make test       host unit tests + in-kernel KTAP tests + boot matrix
#   make debug      QEMU halted with its gdb stub, kernel symbols loaded
#   make run-uefi   boot the same ISO under OVMF
#   make iso        build/os.iso (hybrid BIOS + UEFI, grub-mkrescue)
#   make bench      micro-benchmarks on goos and on Linux (docs/performance.md)
#
# CC=clang builds the kernel with clang instead of gcc.

# DEBUG_LOCKS=1 builds the debug lock checker in (docs/locking.md), into
# build/debug/ unless BUILD says otherwise.
DEBUG_LOCKS ?= 0
ifeq ($(DEBUG_LOCKS),1)
BUILD   ?= build/debug
endif
BUILD   ?= build
CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
HOSTCC  ?= gcc
LD      := ld
OBJCOPY := objcopy
NM      := nm
PYTHON  := python3

KERNEL_DIRS := arch kernel mm drivers fs ipc net tests/kernel
# arch/x86_64/vdso/ is user-mode code, built into its own shared object below.
KSRCS := $(shell find $(KERNEL_DIRS) -path arch/x86_64/vdso -prune -o \( -name '*.c' -o -name '*.S' \) -print 2>/dev/null | LC_ALL=C sort)
KOBJS := $(patsubst %,$(BUILD)/k/%.o,$(KSRCS))
# The console font is not in the tree: a PSF from Debian's console fonts is
# converted at build time (drivers/video/font.h). FONT=... picks another.
FONT  ?= /usr/share/consolefonts/Uni2-VGA16.psf.gz
KOBJS += $(BUILD)/gen/font.o
# The vDSO: position-independent user code with no relocations, mapped
# into every process (arch/x86_64/vdso.c embeds it with .incbin).
VDSO_SO := $(BUILD)/vdso/vdso.so
VDSO_CFLAGS := -std=gnu11 -O2 -g -fPIC -fno-stack-protector -fcf-protection=none -fno-plt \
	-fno-asynchronous-unwind-tables -Wall -Wextra -Werror -nostdlib -shared \
	-Wl,--hash-style=both -Wl,-soname=linux-vdso.so.1 -Wl,--no-undefined \
	-Wl,-z,max-page-size=4096 -Wl,--build-id=none
$(VDSO_SO): arch/x86_64/vdso/vdso.c arch/x86_64/vdso/vvar.h arch/x86_64/vdso/vdso.lds | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  VDSO    $@")
	$(Q)$(CC) $(VDSO_CFLAGS) -Wl,-T,arch/x86_64/vdso/vdso.lds -o $@.dbg arch/x86_64/vdso/vdso.c
	$(Q)$(OBJCOPY) --strip-debug $@.dbg $@
	$(Q)readelf -r $@ | grep -q "no relocations" || { echo "vdso: has relocations"; rm -f $@; exit 1; }
$(BUILD)/k/arch/x86_64/vdso_image.S.o: $(VDSO_SO)
$(BUILD)/k/arch/x86_64/vdso_image.S.o: KASFLAGS += -DVDSO_SO='"$(VDSO_SO)"'
# The syscall dispatch table is generated from kernel/syscalls.tbl.
KOBJS += $(BUILD)/gen/syscall_table.o

# Kernel code is freestanding: no red zone (interrupts use the stack), no
# SSE/x87 (user FPU state is saved lazily by hand), linked in the top 2 GiB.
KCFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-80387 \
	-fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-strict-aliasing \
	-fno-common -fno-asynchronous-unwind-tables -fno-unwind-tables -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
	-I. -Iinclude -Iarch/x86_64/include -MMD -MP -DCONFIG_DEBUG_LOCKS=$(DEBUG_LOCKS)
ifeq ($(findstring clang,$(CC)),clang)
KCFLAGS += -Wno-gnu-variable-sized-type-not-at-end
endif
# lwIP and its port (net/lwip.mk adds its objects to KOBJS).
include net/lwip.mk
KASFLAGS := -D__ASSEMBLY__ -I. -Iinclude -Iarch/x86_64/include -MMD -MP -g

LDSCRIPT := arch/x86_64/kernel.ld
KERNEL   := $(BUILD)/kernel.elf
ISO      := $(BUILD)/os.iso

.PHONY: all kernel iso run run-uefi debug test unit ktest matrix deps clean docs build-run-iso
all: iso

deps:
	@scripts/deps.sh

# V=1 shows full commands.
Q := $(if $(V),,@)

$(BUILD)/k/%.c.o: %.c | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

$(BUILD)/gen/font.c: scripts/psf2c.py $(wildcard $(FONT)) | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  PSF2C   $(FONT)")
	$(Q)$(PYTHON) scripts/psf2c.py $(FONT) $@

$(BUILD)/gen/font.o: $(BUILD)/gen/font.c
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/gen/syscall_table.c: kernel/syscalls.tbl scripts/gen-syscalls.py
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) scripts/gen-syscalls.py table $< > $@

$(BUILD)/gen/syscall_table.o: $(BUILD)/gen/syscall_table.c | deps-ok
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

# docs/syscalls.md is generated too; `make docs` refreshes it and make test
# checks it is current.
docs: docs/syscalls.md
docs/syscalls.md: kernel/syscalls.tbl scripts/gen-syscalls.py
	$(PYTHON) scripts/gen-syscalls.py docs $< > $@

# The kernel is linked twice: the first link gives the symbol table that is
# embedded (as .kallsyms, placed last) into the second; the build checks that
# no symbol moved between the two.
$(KERNEL): $(KOBJS) $(LDSCRIPT) scripts/kallsyms.py
	@mkdir -p $(BUILD)
	@echo "  LD      $@"
	$(Q)$(LD) -n -z noexecstack -T $(LDSCRIPT) -o $(BUILD)/kernel.pass1.elf $(KOBJS)
	$(Q)$(NM) -n $(BUILD)/kernel.pass1.elf | $(PYTHON) scripts/kallsyms.py > $(BUILD)/kallsyms.S
	$(Q)$(CC) $(KASFLAGS) -c $(BUILD)/kallsyms.S -o $(BUILD)/kallsyms.o
	$(Q)$(LD) -n -z noexecstack -T $(LDSCRIPT) -o $@ $(KOBJS) $(BUILD)/kallsyms.o
	@$(NM) -n $(BUILD)/kernel.pass1.elf | grep -vE " (kallsyms_|__kernel_end|__rodata_end)" > $(BUILD)/syms1.txt
	@$(NM) -n $@ | grep -vE " (kallsyms_|__kernel_end|__rodata_end)" > $(BUILD)/syms2.txt
	@cmp -s $(BUILD)/syms1.txt $(BUILD)/syms2.txt || { echo "kallsyms: symbols moved between links"; exit 1; }

kernel: $(KERNEL)

$(ISO): $(KERNEL) scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "$(CMDLINE)"

iso: $(ISO)

# Stamp that the host has the tools; scripts/deps.sh installs what is missing.
.PHONY: deps-ok
deps-ok:
	@scripts/deps.sh --quiet

# `make run` boots the run image (user/ports/ports.mk): busybox init, a
# shell on the console. The ISO rule is in ports.mk, included below.
run: build-run-iso
	scripts/qemu.sh --iso $(RUN_ISO) $(QEMUFLAGS)

run-uefi: build-run-iso
	scripts/qemu.sh --uefi --iso $(RUN_ISO) $(QEMUFLAGS)

debug: $(ISO)
	scripts/debug.sh $(ISO) $(KERNEL)

include user/user.mk
include user/ports/ports.mk

# ---- tests ----------------------------------------------------------------
# Host unit tests: each tests/unit/<name>.mk adds <name> to UNIT_TESTS and
# lists the kernel sources it compiles in unit_<name>_SRCS.
UNIT_TESTS :=
-include tests/unit/*.mk
UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers -I. -Iinclude -Iarch/x86_64/include -Itests/unit \
	-fsanitize=address,undefined -fno-omit-frame-pointer -DHOST_TEST
UNIT_BINS := $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS))

.SECONDEXPANSION:
$(BUILD)/unit/%: $$(unit_$$*_SRCS) tests/unit/$$*.mk | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(unit_$*_CFLAGS) -o $@ $(unit_$*_SRCS) -lcmocka

KTEST_ISO := $(BUILD)/ktest.iso
KBD_ISO   := $(BUILD)/kbd-ps2.iso
PANIC_ISO := $(BUILD)/panic.iso
BLOCK_ISO := $(BUILD)/ktest-block.iso

$(KTEST_ISO): $(KERNEL) scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "ktest"

# The disk boots (scripts/testrun.py DISK_BOOTS) run only the block suite.
$(BLOCK_ISO): $(KERNEL) scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "ktest=block"

# The PS/2 keyboard boots: tests/user/kbd_ps2.c as init, typed at by the harness.
$(KBD_ISO): $(KERNEL) $(BUILD)/user/kbd_ps2-static scripts/mkiso.sh scripts/run-prog
	@echo "  ISO     $@"
	$(Q)scripts/run-prog --pack-only $(BUILD)/kbd-ps2.cpio $(BUILD)/user/kbd_ps2-static
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "init=/bin/kbd_ps2-static" \
		--module $(BUILD)/kbd-ps2.cpio initramfs

$(PANIC_ISO): $(KERNEL) scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "panic_test"

# The lock checker's boots: the same kernel built with DEBUG_LOCKS=1 in
# $(BUILD)/debug, booted with the in-kernel tests and with the user tests
# (its own image around the same initramfs). Rebuilt by a recursive make
# each time; that make knows what is current.
LOCKS_BUILD     := $(BUILD)/debug
LOCKS_KTEST_ISO := $(LOCKS_BUILD)/ktest.iso
LOCKS_USER_ISO  := $(LOCKS_BUILD)/usertest-locks.iso
LOCKS_BLOCK_ISO := $(LOCKS_BUILD)/ktest-block.iso
.PHONY: debug-locks-kernel
debug-locks-kernel:
	@$(MAKE) -s DEBUG_LOCKS=1 BUILD=$(LOCKS_BUILD) kernel

$(LOCKS_KTEST_ISO): debug-locks-kernel scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(LOCKS_BUILD)/kernel.elf $@ --cmdline "ktest"

$(LOCKS_BLOCK_ISO): debug-locks-kernel scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(LOCKS_BUILD)/kernel.elf $@ --cmdline "ktest=block"

$(LOCKS_USER_ISO): debug-locks-kernel $(BUILD)/usertest.cpio scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(LOCKS_BUILD)/kernel.elf $@ --cmdline "init=/init -- -static" \
		--module $(BUILD)/usertest.cpio initramfs

# ---- benchmarks ------------------------------------------------------------
# `make bench` runs tests/bench/bench.c as init on goos and on Debian's Linux
# under the same QEMU settings and writes build/bench/results.{md,json}
# (docs/performance.md). QUICK=1: a short run; make test runs it with --check.
# The initramfs adds the ports' busybox and speedtest1 (the application
# benchmarks and the boot-to-shell boot).
BENCH_BIN := $(BUILD)/bench/bench
BENCH_DEPS := $(BENCH_BIN) $(PORTS_BIN)/busybox $(PORTS_BIN)/speedtest1 tests/bench/shloop.sh
BENCH_CMD := $(PYTHON) scripts/bench.py --bench $(BENCH_BIN) --kernel $(KERNEL) --ports $(PORTS)

BENCH_SRCS := $(wildcard tests/bench/*.c)
$(BENCH_BIN): $(BENCH_SRCS) tests/bench/bench.h user/user.mk | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MUSLCC  $@")
	$(Q)$(MUSL_GCC) $(USER_CFLAGS) -Wno-missing-field-initializers -static -o $@ $(BENCH_SRCS) -lpthread

.PHONY: bench
bench: $(BENCH_DEPS) $(KERNEL) scripts/mkiso.sh
	@$(BENCH_CMD) $(if $(QUICK),--quick) $(if $(ICOUNT),--icount)

# The busybox network boot needs AF_INET sockets (net/inet/): until that
# family is in the tree the boot is not run rather than failing.
NET_TEST_ARG = $(if $(wildcard net/inet/af_inet.c),--net-test-cpio $(NET_TEST_CPIO))

# TESTS=regex limits the boots (e.g. TESTS=bios-q35); UNIT_ONLY=1 skips QEMU.
unit: $(UNIT_BINS)
	@$(PYTHON) scripts/testrun.py --unit $(UNIT_BINS)

test: $(UNIT_BINS) $(KTEST_ISO) $(PANIC_ISO) $(BLOCK_ISO) $(BUILD)/usertest.iso $(BUILD)/usertest-static.iso $(KERNEL) \
		$(LOCKS_KTEST_ISO) $(LOCKS_USER_ISO) $(LOCKS_BLOCK_ISO) $(BENCH_DEPS) $(PORTS_TEST_ISO) \
		$(RUN_ISO) $(BUILD)/user/disk_ext2-static $(KBD_ISO) $(BUILD)/user/inet_echo-static \
		$(NET_TEST_CPIO) $(BBTEST_ISO)
	@$(PYTHON) scripts/testrun.py --unit $(UNIT_BINS) \
		--ktest-iso $(KTEST_ISO) --panic-iso $(PANIC_ISO) --block-iso $(BLOCK_ISO) --user-iso $(BUILD)/usertest.iso \
		--user-static-iso $(BUILD)/usertest-static.iso \
		--locks-ktest-iso $(LOCKS_KTEST_ISO) --locks-user-iso $(LOCKS_USER_ISO) \
		--locks-block-iso $(LOCKS_BLOCK_ISO) --ports-iso $(PORTS_TEST_ISO) --run-iso $(RUN_ISO) \
		--bbtest-iso $(BBTEST_ISO) \
		--net-kernel $(KERNEL) $(NET_TEST_ARG) \
		--ext2-prog $(BUILD)/user/disk_ext2-static \
		--kbd-iso $(KBD_ISO) \
		--inet-prog $(BUILD)/user/inet_echo-static \
		--cmd-test docs/syscalls.md-current '$(PYTHON) scripts/gen-syscalls.py docs kernel/syscalls.tbl | cmp -s - docs/syscalls.md' \
		--cmd-test run-prog/static 'tests/run-prog.sh static' \
		--cmd-test run-prog/static-pie 'tests/run-prog.sh static-pie' \
		--cmd-test run-prog/dynamic 'tests/run-prog.sh dynamic' \
		--cmd-test build/clang-kernel '$(MAKE) -s CC=clang BUILD=$(BUILD)/clang kernel' \
		--pool-test pipe-1gib-checksum 400 'scripts/run-prog --smp 2 --timeout 380 $(BUILD)/user/t_poll-static gib' \
		--bench '$(BENCH_CMD) --quick --check' \
		$(if $(TESTS),--only '$(TESTS)')

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d)
