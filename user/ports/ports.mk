# Third-party userland (docs/ports.md): Debian's source packages of busybox,
# dash, lua5.4 and sqlite3, fetched with apt into $(PORTS)/ by
# user/ports/fetch.sh and built statically with musl-gcc. Nothing here is
# vendored; every result is cached under $(PORTS)/ and rebuilt only when
# its recipe changes, so `make test` after the first build costs nothing.

PORTS       := $(BUILD)/ports
PORTS_ABS    = $(abspath $(PORTS))
PORTS_BIN   := $(PORTS)/bin
PORTS_FETCH := user/ports/fetch.sh
# The ports build with their own (looser) warnings: this is not our code.
PORTS_CC    := $(MUSL_GCC)
PORTS_CFLAGS := -O2

# musl's include directory has no Linux uapi headers; busybox needs them.
# Expose the host's (linux-libc-dev) linux/, asm/, asm-generic/, mtd/ only.
PORTS_UAPI := $(PORTS)/include
$(PORTS_UAPI)/.stamp: | deps-ok
	@mkdir -p $(PORTS_UAPI)
	$(Q)for d in linux asm-generic mtd; do ln -sfn /usr/include/$$d $(PORTS_UAPI)/$$d; done
	$(Q)ln -sfn /usr/include/x86_64-linux-gnu/asm $(PORTS_UAPI)/asm
	@touch $@

$(PORTS)/src/%.stamp: | $(PORTS_FETCH) deps-ok
	@echo "  FETCH   $*"
	$(Q)$(PORTS_FETCH) $(PORTS) $*

# ---- busybox: defconfig, then user/ports/busybox.config's choices --------
BB_SRC := $(PORTS)/src/busybox
$(PORTS_BIN)/busybox: $(PORTS)/src/busybox.stamp $(PORTS_UAPI)/.stamp user/ports/busybox.config \
		user/ports/busybox-config.sh
	@echo "  PORT    busybox (first build takes a few minutes)"
	+$(Q)user/ports/busybox-config.sh $(BB_SRC) user/ports/busybox.config \
		"$(PORTS_CC) -isystem $(PORTS_ABS)/include"
	$(Q)$(MAKE) -s -C $(BB_SRC) CC="$(PORTS_CC) -isystem $(PORTS_ABS)/include" \
		HOSTCC=$(HOSTCC) busybox >$(PORTS)/busybox.log 2>&1 \
		|| { tail -40 $(PORTS)/busybox.log; exit 1; }
	@mkdir -p $(PORTS_BIN)
	$(Q)cp $(BB_SRC)/busybox $@
	$(Q)$(BB_SRC)/busybox --list-full > $(PORTS)/busybox.links 2>/dev/null \
		|| $(MAKE) -s -C $(BB_SRC) busybox.links >/dev/null
	$(Q)[ -s $(PORTS)/busybox.links ] || cp $(BB_SRC)/busybox.links $(PORTS)/busybox.links

# ---- dash: autoreconf and its own configure ----------------------------------------------
$(PORTS_BIN)/dash: $(PORTS)/src/dash.stamp user/ports/ports.mk
	@echo "  PORT    dash"
	$(Q)rm -rf $(PORTS)/dash-build && mkdir -p $(PORTS)/dash-build
	@# Debian's patches touch configure.ac; its rules regenerate (dh_autoreconf).
	$(Q)cd $(PORTS)/src/dash && autoreconf -fi >../../dash-autoreconf.log 2>&1 \
		|| { cat ../../dash-autoreconf.log; exit 1; }
	$(Q)cd $(PORTS)/dash-build && ../src/dash/configure CC="$(PORTS_CC)" CFLAGS="$(PORTS_CFLAGS)" \
		LDFLAGS=-static --enable-static >../dash.log 2>&1 \
		&& $(MAKE) -s >>../dash.log 2>&1 || { tail -40 ../dash.log; exit 1; }
	@mkdir -p $(PORTS_BIN)
	$(Q)cp $(PORTS)/dash-build/src/dash $@

# ---- lua5.4: the interpreter from src/*.c (Debian's Makefile wants libtool)
LUA_SRC := $(PORTS)/src/lua5.4/src
$(PORTS_BIN)/lua: $(PORTS)/src/lua5.4.stamp user/ports/ports.mk
	@echo "  PORT    lua5.4"
	@mkdir -p $(PORTS_BIN) $(PORTS)/lua-gen
	@# Debian's luaconf.h names the C module directory after the multiarch
	@# triplet, which its rules file writes into this header.
	$(Q)echo '#define DEB_HOST_MULTIARCH "x86_64-linux-musl"' > $(PORTS)/lua-gen/lua5.4-deb-multiarch.h
	$(Q)$(PORTS_CC) $(PORTS_CFLAGS) -static -DLUA_USE_POSIX -I$(PORTS)/lua-gen -o $@ \
		$(filter-out %/luac.c,$(wildcard $(LUA_SRC)/*.c)) -lm

# ---- sqlite3: the amalgamation (made with tclsh), the shell, speedtest1 ---
SQL_SRC  := $(PORTS)/src/sqlite3
SQL_BLD  := $(PORTS)/sqlite-build
SQL_OPTS := -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION
$(SQL_BLD)/sqlite3.c: $(PORTS)/src/sqlite3.stamp
	@echo "  PORT    sqlite3 amalgamation"
	$(Q)rm -rf $(SQL_BLD) && mkdir -p $(SQL_BLD)
	$(Q)cd $(SQL_BLD) && ../src/sqlite3/configure CC="$(PORTS_CC)" --disable-tcl \
		--disable-readline >../sqlite.log 2>&1 \
		&& $(MAKE) -s sqlite3.c shell.c >>../sqlite.log 2>&1 || { tail -40 ../sqlite.log; exit 1; }

# The amalgamation is compiled once for the shell and speedtest1.
$(SQL_BLD)/sqlite3.o: $(SQL_BLD)/sqlite3.c
	@echo "  PORT    sqlite3.o"
	$(Q)$(PORTS_CC) $(PORTS_CFLAGS) $(SQL_OPTS) -c -o $@ $<

$(PORTS_BIN)/sqlite3: $(SQL_BLD)/sqlite3.o
	@echo "  PORT    sqlite3"
	@mkdir -p $(PORTS_BIN)
	$(Q)$(PORTS_CC) $(PORTS_CFLAGS) -static $(SQL_OPTS) -I$(SQL_BLD) -o $@ \
		$(SQL_BLD)/shell.c $< -lm

$(PORTS_BIN)/speedtest1: $(SQL_BLD)/sqlite3.o
	@echo "  PORT    speedtest1"
	@mkdir -p $(PORTS_BIN)
	$(Q)$(PORTS_CC) $(PORTS_CFLAGS) -static $(SQL_OPTS) -I$(SQL_BLD) -o $@ \
		$(SQL_SRC)/test/speedtest1.c $< -lm

PORTS_BINS := $(addprefix $(PORTS_BIN)/,busybox dash lua sqlite3 speedtest1)
.PHONY: ports
ports: $(PORTS_BINS)

# ---- the run image: `make run` boots busybox init to a shell -------------
# user/rootfs/ holds /etc (inittab, rcS, passwd, profile...). The test image
# is the same tree with user/ports/test/ on top (its inittab runs the port
# tests, then powers off); scripts/testrun.py boots it as `ports`.
ROOTFS_FILES := $(shell find user/rootfs user/ports/test user/ports/nettest -type f 2>/dev/null)
RUN_CPIO  := $(BUILD)/run.cpio
RUN_ISO   := $(BUILD)/run.iso
PORTS_TEST_CPIO := $(BUILD)/ports-test.cpio
PORTS_TEST_ISO  := $(BUILD)/ports-test.iso

# The network test tree: user/ports/nettest/ on top; scripts/testrun.py
# makes the ISO itself (the command line carries its host servers' ports).
NET_TEST_CPIO   := $(BUILD)/net-test.cpio

# The project's own tools (user/*.c, e.g. chanctl) go in /bin too.
GOOS_TOOLS     := chanctl
GOOS_TOOLS_DIR := $(BUILD)/goos-tools
GOOS_TOOL_BINS := $(addprefix $(GOOS_TOOLS_DIR)/bin/,$(GOOS_TOOLS))
$(GOOS_TOOLS_DIR)/bin/%: $(BUILD)/user/bin/%
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

$(RUN_CPIO): $(PORTS_BINS) user/ports/mkroot.sh $(ROOTFS_FILES) $(GOOS_TOOL_BINS)
	@echo "  CPIO    $@"
	$(Q)user/ports/mkroot.sh $@ $(PORTS_BIN) $(PORTS)/busybox.links user/rootfs $(GOOS_TOOLS_DIR)

$(PORTS_TEST_CPIO): $(PORTS_BINS) user/ports/mkroot.sh $(ROOTFS_FILES) $(GOOS_TOOL_BINS)
	@echo "  CPIO    $@"
	$(Q)user/ports/mkroot.sh $@ $(PORTS_BIN) $(PORTS)/busybox.links user/rootfs $(GOOS_TOOLS_DIR) \
		user/ports/test

$(NET_TEST_CPIO): $(PORTS_BINS) user/ports/mkroot.sh $(ROOTFS_FILES) $(GOOS_TOOL_BINS)
	@echo "  CPIO    $@"
	$(Q)user/ports/mkroot.sh $@ $(PORTS_BIN) $(PORTS)/busybox.links user/rootfs $(GOOS_TOOLS_DIR) \
		user/ports/nettest

$(RUN_ISO): $(KERNEL) $(RUN_CPIO) scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "init=/sbin/init $(CMDLINE)" --module $(RUN_CPIO) initramfs

$(PORTS_TEST_ISO): $(KERNEL) $(PORTS_TEST_CPIO) scripts/mkiso.sh
	@echo "  ISO     $@"
	$(Q)scripts/mkiso.sh $(KERNEL) $@ --cmdline "init=/sbin/init" --module $(PORTS_TEST_CPIO) initramfs

.PHONY: build-run-iso
build-run-iso: $(RUN_ISO)
