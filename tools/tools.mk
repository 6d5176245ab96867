# SPDX-License-Identifier: MIT
# accel-info and accel-demo, built against libaccel through its pkg-config
# file, as any outside program would be.

TOOLS_OUT := $(BUILD)/tools
TOOLS_NAMES := accel-info accel-demo
TOOLS_BINS := $(addprefix $(TOOLS_OUT)/,$(TOOLS_NAMES))

$(TOOLS_OUT)/%: $(TOP)/tools/%.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $$($(LIBACCEL_PKG) --cflags) -o $@ $< \
		$$($(LIBACCEL_PKG) --libs)

.PHONY: tools
tools: $(TOOLS_BINS)

GUEST_BINS += $(TOOLS_BINS)
ALL_TARGETS += $(TOOLS_BINS)
