# SPDX-License-Identifier: MIT
# libaccel's host tests: the ISA v1 builder's encoders and checks run
# against the firmware (test HAL, no device), the cost report, hazards.
# They link the real libaccel.a (and libdrm, whose calls they never make),
# libaccel_compress.a for the weights, and the firmware with its datapath.

LAT_DIR := $(TOP)/tests/libaccel
LAT_OUT := $(BUILD)/tests/libaccel
LAT_NAMES := test_accel_enc test_accel_check test_accel_report
LAT_BINS := $(addprefix $(LAT_OUT)/,$(LAT_NAMES))
# -isystem: the harness's own -Wclobbered is not this code's warning.
LAT_CFLAGS := $(FW_TEST_CFLAGS) -isystem $(KSELFTEST_DIR) -I$(LIBACCEL_DIR)/include \
	-I$(LIBACCEL_DIR)/src -I$(CMP_DIR)
LAT_LIBS := $(FW_TEST_SUPPORT_OBJS) $(CMP_LIB) $(LIBACCEL_A) $(FW_LIB) $(FW_DP_LIB)

$(LAT_BINS): $(LAT_OUT)/%: $(LAT_DIR)/%.c $(LAT_DIR)/la_env.h $(FW_TEST_DIR)/fw_test_v1.h \
		$(LIBACCEL_HDRS) $(LAT_LIBS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(LAT_CFLAGS) $< -o $@ $(LAT_LIBS) $(shell pkg-config --libs libdrm) \
		-pthread -lz -lm

# test_accel_queue runs libaccel.a against a fake kernel (la_fake.c defines
# ioctl() for the program, libdrm.so included): queues, submits, graphs.
LAT_QUEUE := $(LAT_OUT)/test_accel_queue

$(LAT_QUEUE): $(LAT_DIR)/test_accel_queue.c $(LAT_DIR)/la_fake.c $(LAT_DIR)/la_fake.h \
		$(LIBACCEL_HDRS) $(LIBACCEL_A) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -D_GNU_SOURCE -isystem $(KSELFTEST_DIR) -I$(LIBACCEL_DIR)/include \
		-I$(LIBACCEL_DIR)/src -I$(TOP)/firmware/datapath -o $@ \
		$(LAT_DIR)/test_accel_queue.c $(LAT_DIR)/la_fake.c $(LIBACCEL_A) \
		$(shell pkg-config --libs libdrm) -pthread

.PHONY: check-libaccel
check-libaccel: $(LAT_BINS) $(LAT_QUEUE)
	@fail=0; for t in $(LAT_BINS) $(LAT_QUEUE); do $$t || fail=1; done; exit $$fail

HOST_TESTS += $(LAT_BINS) $(LAT_QUEUE)
ALL_TARGETS += $(LAT_BINS) $(LAT_QUEUE)

# test_accel_dev runs in the guest against the device; its golden model is
# the datapath's scalar reference (as accel-stats and test_conform use).
LAT_DEV := $(LAT_OUT)/test_accel_dev
LAT_DEV_REF := $(addprefix $(DP_OUT)/,dp_format.o dp_num.o dp_math.o dp_quant.o \
	dp_gemm_ref.o dp_ops_ref.o)

$(LAT_DEV): $(LAT_DIR)/test_accel_dev.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS) $(CMP_LIB) \
		$(LAT_DEV_REF) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -ffp-contract=off -isystem $(KSELFTEST_DIR) -I$(DP_DIR) \
		-I$(CMP_DIR) $$($(LIBACCEL_PKG) --cflags) -o $@ $< $(CMP_LIB) $(LAT_DEV_REF) \
		$$($(LIBACCEL_PKG) --libs) -lm

GUEST_TESTS += $(LAT_DEV)
GUEST_BINS += $(LAT_DEV)
ALL_TARGETS += $(LAT_DEV)
