# SPDX-License-Identifier: MIT
# Host tests of the compression library (compress/: GPTQ, AWQ,
# SmoothQuant, Wanda, SparseGPT and their linear algebra).
#
#   make check-compress   build and run these suites

CMPT_DIR := $(TOP)/tests/compress
CMPT_OUT := $(BUILD)/tests/compress
CMPT_NAMES := cmp_linalg_test cmp_gptq_test cmp_awq_test cmp_prune_test
CMPT_BINS := $(addprefix $(CMPT_OUT)/,$(CMPT_NAMES))
# -Wno-clobbered: TEST_F's wrapper (setjmp in kselftest_harness.h) trips it
# on the harness's own variable once a test body is inlined into it.
CMPT_CFLAGS := $(HOST_CFLAGS) -I$(KSELFTEST_DIR) -I$(DP_DIR) -I$(CMP_DIR) -I$(DPT_DIR) \
	-I$(CMPT_DIR) -Wno-unused-parameter -Wno-clobbered

HOST_TESTS += $(CMPT_BINS)
ALL_TARGETS += $(CMPT_BINS)

$(CMPT_OUT)/%: $(CMPT_DIR)/%.c $(wildcard $(CMPT_DIR)/*.h) $(CMP_HDRS) \
		$(CMP_LIB) $(DP_LIB) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CMPT_CFLAGS) $< -o $@ $(CMP_LIB) $(DP_LIB) -lm

.PHONY: check-compress
check-compress: $(CMPT_BINS)
	@$(call RUN_SUITES,compress,$(CMPT_BINS))
