# SPDX-License-Identifier: MIT
# accel-info, accel-demo and accel-stats, built against libaccel through its pkg-config
# file, as any outside program would be.

TOOLS_OUT := $(BUILD)/tools
TOOLS_NAMES := accel-info accel-demo accel-stats
TOOLS_BINS := $(addprefix $(TOOLS_OUT)/,$(TOOLS_NAMES))

$(TOOLS_OUT)/%: $(TOP)/tools/%.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $$($(LIBACCEL_PKG) --cflags) -o $@ $< \
		$$($(LIBACCEL_PKG) --libs)

# accel-stats also quantizes (libquasar_compress) and checks the device
# against the golden model: the datapath's scalar reference objects only,
# never the SIMD kernels, since it runs in the guest (TCG).
$(TOOLS_OUT)/accel-stats: $(TOP)/tools/accel-stats.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS) \
		$(CMP_LIB) $(DP_REF_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $$($(LIBACCEL_PKG) --cflags) -I$(DP_DIR) -I$(CMP_DIR) -o $@ $< \
		$(CMP_LIB) $(DP_REF_LIB) $$($(LIBACCEL_PKG) --libs) -lm

.PHONY: tools
tools: $(TOOLS_BINS)

GUEST_BINS += $(TOOLS_BINS)
INSTALL_BINS += $(TOOLS_BINS)
ALL_TARGETS += $(TOOLS_BINS)
