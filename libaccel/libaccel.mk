# SPDX-License-Identifier: MIT
# libaccel: libaccel.so (soname libaccel.so.MAJOR), libaccel.a and
# libaccel.pc in $(BUILD)/libaccel. The .pc file points at this tree, so
# tools build through `pkg-config libaccel` exactly as an outside program
# would; `make install` writes one with the installed paths.
#
#   make abi-baseline   record the built library's ABI as the baseline
#                       (libaccel/abi/libaccel.abi) after an intended change

LIBACCEL_DIR := $(TOP)/libaccel
# The version is accel.h's (ACCEL_VERSION_MAJOR/MINOR/PATCH), written once.
LIBACCEL_VERSION := $(shell awk '/^\#define ACCEL_VERSION_(MAJOR|MINOR|PATCH) / \
	{ v = v s $$3; s = "." } END { print v }' $(LIBACCEL_DIR)/include/accel.h)
LIBACCEL_SONAME := libaccel.so.$(firstword $(subst ., ,$(LIBACCEL_VERSION)))
LIBACCEL_MAP := $(LIBACCEL_DIR)/libaccel.map
LIBACCEL_ABI := $(LIBACCEL_DIR)/abi/libaccel.abi
LIBACCEL_OUT := $(BUILD)/libaccel
LIBACCEL_SRCS := $(wildcard $(LIBACCEL_DIR)/src/*.c)
LIBACCEL_HDRS := $(wildcard $(LIBACCEL_DIR)/src/*.h) \
	$(LIBACCEL_DIR)/include/accel.h $(LIBACCEL_DIR)/include/accel_ops.h \
	$(LIBACCEL_DIR)/include/accel_stream.h \
	$(TOP)/uapi/drm/quasar_accel.h $(TOP)/uapi/drm/quasar_isa.h \
	$(TOP)/include/hw/quasar_hw_interface.h $(DP_DIR)/dp_format.h $(ISA_HDRS)
# The packed-weight geometry is the datapath's own table (dp_format.c,
# freestanding, no libm), and the command checks are the ISA's validator
# (isa/, which the firmware compiles too, on top of that table): both
# built again -fPIC with hidden symbols, so the library's packed buffer
# sizes and verdicts are the device's by construction and libaccel.so
# needs nothing beyond libdrm and libc.
LIBACCEL_DP_SRCS := $(sort dp_format.c $(ISA_DP_SRCS))
LIBACCEL_OBJS := $(patsubst $(LIBACCEL_DIR)/src/%.c,$(LIBACCEL_OUT)/obj/%.o,$(LIBACCEL_SRCS)) \
	$(addprefix $(LIBACCEL_OUT)/obj/dp/,$(LIBACCEL_DP_SRCS:.c=.o)) \
	$(addprefix $(LIBACCEL_OUT)/obj/isa/,$(ISA_SRCS:.c=.o))
LIBACCEL_CFLAGS := $(HOST_CFLAGS) -D_GNU_SOURCE -fPIC -fvisibility=hidden \
	-pthread -I$(LIBACCEL_DIR)/include -I$(ISA_DIR) -I$(DP_DIR) \
	$(shell pkg-config --cflags libdrm)

LIBACCEL_SO := $(LIBACCEL_OUT)/$(LIBACCEL_SONAME)
LIBACCEL_SO_LINK := $(LIBACCEL_OUT)/libaccel.so
LIBACCEL_A := $(LIBACCEL_OUT)/libaccel.a
LIBACCEL_PC := $(LIBACCEL_OUT)/libaccel.pc
# What a program needs to build against libaccel from this tree.
LIBACCEL_PKG := PKG_CONFIG_PATH=$(LIBACCEL_OUT) pkg-config libaccel
LIBACCEL_DEPS := $(LIBACCEL_SO_LINK) $(LIBACCEL_A) $(LIBACCEL_PC)

$(LIBACCEL_OUT)/obj/%.o: $(LIBACCEL_DIR)/src/%.c $(LIBACCEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LIBACCEL_CFLAGS) -c $< -o $@

$(LIBACCEL_OUT)/obj/dp/%.o: $(DP_DIR)/%.c $(DP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(DP_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(LIBACCEL_OUT)/obj/isa/%.o: $(ISA_DIR)/%.c $(ISA_HDRS) $(DP_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(DP_CFLAGS) -I$(ISA_DIR) -fPIC -fvisibility=hidden -c $< -o $@

$(LIBACCEL_SO): $(LIBACCEL_OBJS) $(LIBACCEL_MAP)
	$(CC) -shared -pthread -Wl,-soname,$(LIBACCEL_SONAME) -Wl,--no-undefined \
		-Wl,--version-script,$(LIBACCEL_MAP) -o $@ $(LIBACCEL_OBJS) \
		$(shell pkg-config --libs libdrm)

$(LIBACCEL_SO_LINK): $(LIBACCEL_SO)
	ln -sf $(LIBACCEL_SONAME) $@

$(LIBACCEL_A): $(LIBACCEL_OBJS)
	rm -f $@
	ar rcs $@ $^

$(LIBACCEL_PC): $(LIBACCEL_DIR)/libaccel.pc.in $(LIBACCEL_DIR)/libaccel.mk
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(TOP)|' -e 's|@LIBDIR@|$(LIBACCEL_OUT)|' \
		-e 's|@INCLUDEDIR@|$(LIBACCEL_DIR)/include|' \
		-e 's|@UAPIDIR@|$(TOP)/uapi|' -e 's|@VERSION@|$(LIBACCEL_VERSION)|' \
		-e '/^# SPDX/d' $< >$@

.PHONY: libaccel abi-baseline
libaccel: $(LIBACCEL_DEPS)

# The public headers' types only (--headers-dir): the ABI a program sees.
LIBACCEL_ABIDW := abidw --no-corpus-path --headers-dir $(LIBACCEL_DIR)/include \
	--headers-dir $(TOP)/uapi/drm \
	--drop-private-types
abi-baseline: $(LIBACCEL_SO) $(DEPS_STAMP)
	@mkdir -p $(dir $(LIBACCEL_ABI))
	$(LIBACCEL_ABIDW) --out-file $(LIBACCEL_ABI) $(LIBACCEL_SO)

GUEST_LIBS += $(LIBACCEL_SO)
INSTALL_HEADERS += $(addprefix $(LIBACCEL_DIR)/include/,accel.h accel_ops.h accel_stream.h)
INSTALL_UAPI += $(TOP)/uapi/drm/quasar_accel.h $(TOP)/uapi/drm/quasar_isa.h
INSTALL_SHLIBS += $(LIBACCEL_SO)
INSTALL_STATIC += $(LIBACCEL_A)
INSTALL_PC += $(LIBACCEL_DIR)/libaccel.pc.in
ALL_TARGETS += $(LIBACCEL_DEPS)
