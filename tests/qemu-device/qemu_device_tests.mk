# SPDX-License-Identifier: MIT
# Tests of the QEMU device (qemu-device/) and the firmware it runs:
#
#   qtest_<section>_test.c   QEMU qtests, one program per section (regs,
#                            boot, hwq, power, reset, debug, and the register
#                            fuzzer, fuzz, and the ring fuzzer, ring_fuzz)
#                            on the helpers of qtest_util.c;
#                            built inside QEMU's tree (scripts/build-qemu.sh)
#                            and run by run-qtests.sh, which runs them all;
#                            run-qtests-san.sh runs the two fuzzers on
#                            the sanitized QEMU (make qemu-san)
#   guest_conform_test       in the guest: every ISA v1 and v2 op x format on the
#                            device, bit for bit against the golden model
#   vm_device_properties_test.sh  host-driven: the cost model follows
#                            -device quasar's properties
#   vm_engine_threads_test.sh  host-driven: one and four host threads per
#                            engine give the same outputs and statistics
#
#   make check-qtest    build QEMU, the firmware image and the qtests; run them
#   make guest-conform  build the conformance suite
#
# The conformance suite's golden outputs are computed in the guest,
# in-process, from the very bytes handed to the device, rather than
# generated on the host at build time and shipped: there is no file format
# to keep in step with the cases, and a case changes in one place. What
# makes that as strong is what is linked: the datapath's golden model only
# (libquasar_dp_ref.a: freestanding, no FMA contraction; never the
# AVX2/AVX-512 kernels, which the TCG guest need not run) and the
# compression library's quantizer for the weights. The shapes are sized so
# that this golden model stays within a second or so per case under TCG
# (conform_gemm.c).

QDT_DIR := $(TOP)/tests/qemu-device
QDT_OUT := $(BUILD)/tests/qemu-device

QTEST_SCRIPTS += $(QDT_DIR)/run-qtests.sh
# The register and ring fuzzers on the QEMU built with ASan and UBSan.
QTEST_SCRIPTS += $(QDT_DIR)/run-qtests-san.sh
CHECK_BUILDS += qemu-san
VM_SCRIPTS += $(QDT_DIR)/vm_device_properties_test.sh
VM_SCRIPTS += $(QDT_DIR)/vm_engine_threads_test.sh

.PHONY: check-qtest
check-qtest: $(DEPS_STAMP)
	@bash $(QDT_DIR)/run-qtests.sh

CONF_BIN := $(QDT_OUT)/guest_conform_test
CONF_SRCS := $(addprefix $(QDT_DIR)/,guest_conform_test.c conform_util.c conform_wt.c \
	conform_gemm.c conform_rows.c conform_packed.c conform_attn.c conform_neg.c) \
	$(TOP)/tests/lib/guest_util.c
CONF_HDRS := $(wildcard $(QDT_DIR)/conform_*.h) $(TOP)/tests/lib/guest_util.h $(DP_HDRS) \
	$(CMP_HDRS) $(LIBACCEL_HDRS)
CONF_GOLDEN := $(CMP_LIB) $(DP_REF_LIB)

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
