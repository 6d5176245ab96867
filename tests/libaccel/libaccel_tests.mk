# SPDX-License-Identifier: MIT
# libaccel's tests. On the host: the ISA v1 builder's encoders and checks
# run against the firmware on the in-process runner (fwrun/, no device),
# the cost report, hazards; queues, submits and graphs against a fake
# kernel. In the guest: the builder against the device.
#
#   make check-libaccel   build and run the host suites

LAT_DIR := $(TOP)/tests/libaccel
LAT_OUT := $(BUILD)/tests/libaccel
LAT_NAMES := accel_enc_test accel_check_test accel_report_test
LAT_BINS := $(addprefix $(LAT_OUT)/,$(LAT_NAMES))
# -isystem: the harness's own -Wclobbered is not this code's warning.
LAT_CFLAGS := $(HOST_CFLAGS) -std=gnu11 -ffp-contract=off $(FW_INCLUDES) -I$(FWRUN_DIR) \
	-I$(FWT_DIR) -isystem $(KSELFTEST_DIR) -I$(LIBACCEL_DIR)/include -I$(LIBACCEL_DIR)/src \
	-I$(CMP_DIR) -Wno-unused-parameter
# libaccel.a and libdrm, whose calls these never make; the compression
# library for the weights; the firmware on the runner.
LAT_LIBS := $(CMP_LIB) $(LIBACCEL_A) $(FWRUN_LIBS)

$(LAT_BINS): $(LAT_OUT)/%: $(LAT_DIR)/%.c $(LAT_DIR)/la_env.h $(FWT_DIR)/fw_test_data.h \
		$(FWRUN_HDRS) $(LIBACCEL_HDRS) $(LAT_LIBS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(LAT_CFLAGS) $< -o $@ $(LAT_LIBS) $(shell pkg-config --libs libdrm) \
		-pthread -lz -lm

# These run libaccel.a against a fake kernel (la_fake.c defines ioctl() for
# the program, libdrm.so included): queues, submits, graphs; the ISA
# version a command buffer declares (v1 streams byte for byte as before,
# one declaration raised in place by a v2 op); the device-free stream
# (accel_stream.h) against the command buffer, byte for byte.
LAT_FAKE := $(addprefix $(LAT_OUT)/,accel_queue_test accel_isa_version_test accel_stream_test)

$(LAT_FAKE): $(LAT_OUT)/%: $(LAT_DIR)/%.c $(LAT_DIR)/la_fake.c $(LAT_DIR)/la_fake.h \
		$(LIBACCEL_HDRS) $(LIBACCEL_A) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -D_GNU_SOURCE -isystem $(KSELFTEST_DIR) -I$(LIBACCEL_DIR)/include \
		-I$(LIBACCEL_DIR)/src -I$(DP_DIR) -o $@ \
		$< $(LAT_DIR)/la_fake.c $(LIBACCEL_A) \
		$(shell pkg-config --libs libdrm) -pthread

.PHONY: check-libaccel
check-libaccel: $(LAT_BINS) $(LAT_FAKE)
	@$(call RUN_SUITES,libaccel,$(LAT_BINS) $(LAT_FAKE))

HOST_TESTS += $(LAT_BINS) $(LAT_FAKE)

# The ABI against libaccel/abi/libaccel.abi (abidiff; make abi-baseline
# records a new one): a script, run from the tree.
HOST_TESTS += $(LAT_DIR)/libaccel_abi_test.sh
ALL_TARGETS += $(LAT_BINS) $(LAT_FAKE)

# guest_accel_test runs in the guest against the device; its golden model is
# the datapath's scalar reference (as accel-stats and guest_conform_test use).
LAT_DEV := $(LAT_OUT)/guest_accel_test

$(LAT_DEV): $(LAT_DIR)/guest_accel_test.c $(LIBACCEL_DEPS) $(LIBACCEL_HDRS) $(CMP_LIB) \
		$(DP_REF_LIB) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -ffp-contract=off -isystem $(KSELFTEST_DIR) -I$(DP_DIR) \
		-I$(CMP_DIR) $$($(LIBACCEL_PKG) --cflags) -o $@ $< $(CMP_LIB) $(DP_REF_LIB) \
		$$($(LIBACCEL_PKG) --libs) -lm

GUEST_TESTS += $(LAT_DEV)
GUEST_BINS += $(LAT_DEV)
ALL_TARGETS += $(LAT_DEV)
