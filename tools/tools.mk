# SPDX-License-Identifier: MIT
# accel-info, accel-demo and accel-stats, built against libaccel through its pkg-config
# file, as any outside program would be; and libquasar_tool.a, the command-line
# conventions every program links (tool_cli.h: standard options, usage errors,
# numbers; tool_json.h: --json; tool_progress.h: k/N and time left).

TOOLS_OUT := $(BUILD)/tools
TOOLS_NAMES := accel-info accel-demo accel-stats
TOOLS_BINS := $(addprefix $(TOOLS_OUT)/,$(TOOLS_NAMES))

TOOL_DIR := $(TOP)/tools
TOOL_SRCS := tool_cli.c tool_json.c tool_progress.c
TOOL_HDRS := $(addprefix $(TOOL_DIR)/,$(TOOL_SRCS:.c=.h))
TOOL_LIB := $(TOOLS_OUT)/libquasar_tool.a
# What a program using the conventions adds to its flags and its link.
TOOL_CFLAGS := -I$(TOOL_DIR)

# Only the version macros of accel.h: no -march, since the guest runs it too.
$(TOOLS_OUT)/obj/%.o: $(TOOL_DIR)/%.c $(TOOL_HDRS) $(LIBACCEL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -I$(LIBACCEL_DIR)/include -c $< -o $@

$(TOOL_LIB): $(addprefix $(TOOLS_OUT)/obj/,$(TOOL_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

$(TOOLS_OUT)/%: $(TOP)/tools/%.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS) $(TOOL_LIB) $(TOOL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TOOL_CFLAGS) $$($(LIBACCEL_PKG) --cflags) -o $@ $< \
		$(TOOL_LIB) $$($(LIBACCEL_PKG) --libs) -lm

# accel-stats also quantizes (libquasar_compress) and checks the device
# against the golden model: the datapath's scalar reference objects only,
# never the SIMD kernels, since it runs in the guest (TCG).
$(TOOLS_OUT)/accel-stats: $(TOP)/tools/accel-stats.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS) \
		$(CMP_LIB) $(DP_REF_LIB) $(TOOL_LIB) $(TOOL_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(TOOL_CFLAGS) $$($(LIBACCEL_PKG) --cflags) -I$(DP_DIR) -I$(CMP_DIR) \
		-o $@ $< $(CMP_LIB) $(DP_REF_LIB) $(TOOL_LIB) $$($(LIBACCEL_PKG) --libs) -lm

.PHONY: tools
tools: $(TOOLS_BINS)

GUEST_BINS += $(TOOLS_BINS)
INSTALL_BINS += $(TOOLS_BINS)
ALL_TARGETS += $(TOOLS_BINS)
MAN_BINS += $(TOOLS_BINS)
