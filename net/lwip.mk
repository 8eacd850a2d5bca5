# lwIP (Debian's source package, fetched at build time) compiled into the
# kernel with the port layer in net/lwip/ (docs/networking.md, "lwIP port").
# Included by the Makefile after KOBJS is set.

LWIP_SRC   := $(BUILD)/lwip-src
LWIP_STAMP := $(LWIP_SRC)/.debsrc-done

# lwIP 2.1.3's core, IPv4, sequential API and Ethernet layer. Files for
# features lwipopts.h turns off compile to nothing.
LWIP_FILES := core/def.c core/inet_chksum.c core/init.c core/ip.c core/mem.c core/memp.c \
	core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
	core/tcp_out.c core/timeouts.c core/udp.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
	core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
	api/api_lib.c api/api_msg.c api/err.c api/netbuf.c api/netifapi.c api/tcpip.c \
	netif/ethernet.c
LWIP_OBJS  := $(patsubst %.c,$(BUILD)/lwip/%.o,$(LWIP_FILES))
KOBJS      += $(LWIP_OBJS)

# Our code that includes lwIP headers.
LWIP_INCLUDES := -Inet/lwip/include -I$(LWIP_SRC)/src/include
LWIP_USERS := $(filter $(BUILD)/k/net/% $(BUILD)/k/drivers/net/% $(BUILD)/k/tests/kernel/net_%,$(KOBJS))
$(LWIP_USERS): KCFLAGS += $(LWIP_INCLUDES)
$(LWIP_USERS): | $(LWIP_STAMP)

# Third-party code: the kernel's flags (freestanding, no SSE, mcmodel=kernel)
# with the warnings lwIP's style trips turned off for its files only, and
# net/lwip/libc for the two libc headers it includes.
LWIP_CFLAGS = $(filter-out -Wstrict-prototypes -Wmissing-prototypes,$(KCFLAGS)) \
	$(LWIP_INCLUDES) -Inet/lwip/libc
ifeq ($(findstring clang,$(CC)),clang)
# TCP_WND / 2 compared with a u16_t mss in tcp.c (always false, correct).
LWIP_CFLAGS += -Wno-tautological-constant-out-of-range-compare
# "if ((conn->linger == 0))" in api_msg.c.
LWIP_CFLAGS += -Wno-parentheses-equality
endif

$(LWIP_STAMP): scripts/debsrc.sh
	@echo "  DEBSRC  lwip"
	$(Q)scripts/debsrc.sh lwip $(LWIP_SRC)

$(LWIP_OBJS): $(BUILD)/lwip/%.o: $(LWIP_STAMP) net/lwip/include/lwipopts.h | deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      lwip/$*.c")
	$(Q)$(CC) $(LWIP_CFLAGS) -c $(LWIP_SRC)/src/$*.c -o $@

