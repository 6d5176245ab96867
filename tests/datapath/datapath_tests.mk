# SPDX-License-Identifier: MIT
# Host tests of the datapath (datapath/): golden model against the
# specification's worked cases, packing, edge cases, the SIMD kernels bit
# for bit against the golden model, the other ops, conv2d.
#
#   make check-datapath   build and run these suites

DPT_DIR := $(TOP)/tests/datapath
DPT_OUT := $(BUILD)/tests/datapath
DPT_NAMES := dp_golden_test dp_pack_test dp_edge_test dp_simd_test dp_ops_test dp_conv_test \
	dp_attn_test dp_dot_test
DPT_BINS := $(addprefix $(DPT_OUT)/,$(DPT_NAMES))
DPT_CFLAGS := $(HOST_CFLAGS) -I$(KSELFTEST_DIR) -I$(DP_DIR) -I$(CMP_DIR) -I$(DPT_DIR) \
	-ffp-contract=off -Wno-unused-parameter

HOST_TESTS += $(DPT_BINS)
ALL_TARGETS += $(DPT_BINS)

$(DPT_OUT)/%: $(DPT_DIR)/%.c $(wildcard $(DPT_DIR)/*.h) $(CMP_LIB) $(DP_LIB) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(DPT_CFLAGS) $< -o $@ $(CMP_LIB) $(DP_LIB) -lm

.PHONY: check-datapath
check-datapath: $(DPT_BINS)
	@$(call RUN_SUITES,datapath,$(DPT_BINS))
