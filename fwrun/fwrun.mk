# SPDX-License-Identifier: MIT
# The in-process firmware runner (fwrun/, fwrun.h): the firmware booted and
# run on the host over a memory HAL. Used by the firmware's and libaccel's
# host tests, the fuzzers and the cost sweep.
#
#   libquasar_fwrun.a   links with libquasarfw.a, libquasar_dp.a, -lz
#
# FWRUN_MEM_SRCS need only the firmware's control part (the fuzzers link
# them without the compute engine); fwrun_job.c also needs the engine.

FWRUN_DIR := $(TOP)/fwrun
FWRUN_OUT := $(BUILD)/fwrun
FWRUN_MEM_SRCS := fwrun_mem.c fwrun_image.c
FWRUN_SRCS := $(FWRUN_MEM_SRCS) fwrun_job.c
FWRUN_CFLAGS := $(COMMON_CFLAGS) -std=gnu11 -ffp-contract=off $(FW_INCLUDES) -I$(FWRUN_DIR)
FWRUN_HDRS := $(FWRUN_DIR)/fwrun.h
FWRUN_LIB := $(FWRUN_OUT)/libquasar_fwrun.a
# What a program linking the runner links, in order.
FWRUN_LIBS := $(FWRUN_LIB) $(FW_LIB) $(DP_LIB)

ALL_TARGETS += $(FWRUN_LIB)

$(FWRUN_OUT)/%.o: $(FWRUN_DIR)/%.c $(FWRUN_HDRS) $(FW_BUILD_ID_H)
	@mkdir -p $(@D)
	$(CC) $(FWRUN_CFLAGS) -MMD -MP -c $< -o $@

$(FWRUN_OUT)/asan/%.o: $(FWRUN_DIR)/%.c $(FWRUN_HDRS) $(FW_BUILD_ID_H)
	@mkdir -p $(@D)
	$(CC) $(FWRUN_CFLAGS) $(FW_ASAN) -MMD -MP -c $< -o $@

$(FWRUN_LIB): $(addprefix $(FWRUN_OUT)/,$(FWRUN_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

$(FWRUN_OUT)/asan/libquasar_fwrun.a: $(addprefix $(FWRUN_OUT)/asan/,$(FWRUN_SRCS:.c=.o))
	@rm -f $@
	ar rcs $@ $^

.PHONY: fwrun
fwrun: $(FWRUN_LIB)

-include $(wildcard $(FWRUN_OUT)/*.d $(FWRUN_OUT)/asan/*.d)
