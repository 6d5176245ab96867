# SPDX-License-Identifier: MIT
# Host tests of the firmware (firmware/), run on the in-process firmware
# runner (fwrun/): image validator and fwimage, MMU walks, command decoder,
# queues, engine scheduler, ISA v1 tensors and ops, cost model.
#
#   make check-fw        build and run them
#   make check-fw-asan   the same, built with ASan and UBSan

FWT_DIR := $(TOP)/tests/firmware
FWT_OUT := $(BUILD)/tests/firmware
FWT_NAMES := fw_image_test fw_tool_test fw_mmu_test fw_cmd_test fw_queue_test \
	fw_sched_test fw_tensor_test fw_ops_test fw_attn_test fw_cost_test fw_wplace_test
FWT_BINS := $(addprefix $(FWT_OUT)/,$(FWT_NAMES))
FWT_ASAN_BINS := $(addprefix $(FWT_OUT)/asan/,$(FWT_NAMES))
FWT_CFLAGS := $(COMMON_CFLAGS) -std=gnu11 -ffp-contract=off $(FW_INCLUDES) -I$(FWRUN_DIR) \
	-I$(FWT_DIR) -isystem $(KSELFTEST_DIR) -Wno-unused-parameter \
	-DFW_TEST_FWIMAGE='"$(FW_TOOL)"' -DFW_TEST_IMAGE='"$(FW_IMAGE)"'

HOST_TESTS += $(FWT_BINS)
ALL_TARGETS += $(FWT_BINS)

$(FWT_OUT)/%: $(FWT_DIR)/%.c $(FWT_DIR)/fw_test_data.h $(FWRUN_LIBS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(FWT_CFLAGS) $< -o $@ $(FWRUN_LIBS) -lz -lm

$(FWT_OUT)/asan/%: $(FWT_DIR)/%.c $(FWT_DIR)/fw_test_data.h \
		$(FWRUN_OUT)/asan/libquasar_fwrun.a $(FW_BUILD)/asan/libquasarfw.a $(DP_LIB) \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(FWT_CFLAGS) $(FW_ASAN) $< -o $@ $(FWRUN_OUT)/asan/libquasar_fwrun.a \
		$(FW_BUILD)/asan/libquasarfw.a $(DP_LIB) -lz -lm

# fw_tool_test also runs fwimage and reads the real image.
$(FWT_OUT)/fw_tool_test $(FWT_OUT)/asan/fw_tool_test: | $(FW_TOOL) $(FW_IMAGE)

.PHONY: check-fw check-fw-asan
check-fw: $(FWT_BINS)
	@$(call RUN_SUITES,firmware,$(FWT_BINS))

check-fw-asan: $(FWT_ASAN_BINS)
	@$(call RUN_SUITES,firmware (ASan),$(FWT_ASAN_BINS))
