# SPDX-License-Identifier: MIT
# Guest conformance suite: test_conform runs every ISA v1 op x
# format on the device and compares it bit for bit with the golden model.
#
# The golden outputs are computed in the guest, in-process, from the very
# bytes handed to the device, rather than generated on the host at build
# time and shipped: there is no file format to keep in step with the cases,
# and a case changes in one place. What makes that as strong is what is
# linked: the datapath's scalar reference only (the objects below, built
# with DP_CFLAGS: freestanding, no FMA contraction; never the AVX2/AVX-512
# kernels, which the TCG guest need not run) and the compression library's
# quantizer for the weights. The shapes are sized so that this golden
# model stays within a second or so per case under TCG (conform_gemm.c).

CONF_DIR := $(TOP)/tests/guest
CONF_OUT := $(BUILD)/tests/guest
CONF_BIN := $(CONF_OUT)/test_conform
CONF_SRCS := $(addprefix $(CONF_DIR)/,test_conform.c conform_util.c conform_wt.c \
	conform_gemm.c conform_rows.c conform_packed.c conform_neg.c) $(TOP)/tests/lib/guest_util.c
CONF_HDRS := $(addprefix $(CONF_DIR)/,conform_util.h conform_wt.h conform_cases.h \
	conform_neg.h) $(TOP)/tests/lib/guest_util.h $(DP_HDRS) $(CMP_DIR)/compress.h $(LIBACCEL_HDRS)
CONF_GOLDEN := $(CMP_OUT)/compress_qtensor.o $(DP_REF_LIB)

$(CONF_BIN): $(CONF_SRCS) $(CONF_HDRS) $(CONF_GOLDEN) $(LIBACCEL_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -ffp-contract=off -isystem $(KSELFTEST_DIR) -I$(TOP)/tests/lib \
		-I$(DP_DIR) -I$(CMP_DIR) $$($(LIBACCEL_PKG) --cflags) \
		-o $@ $(CONF_SRCS) $(CONF_GOLDEN) $$($(LIBACCEL_PKG) --libs) -lm

.PHONY: guest-conform
guest-conform: $(CONF_BIN)

GUEST_TESTS += $(CONF_BIN)
GUEST_BINS += $(CONF_BIN)
ALL_TARGETS += $(CONF_BIN)
