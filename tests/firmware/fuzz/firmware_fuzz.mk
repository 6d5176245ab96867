# SPDX-License-Identifier: MIT
# Fuzzing the firmware (docs/fuzzing.md): libFuzzer targets for its image
# validator and its command decoder and queue, on the in-process runner's
# memory, and their committed seed corpus. (The driver's ioctl fuzzer runs
# in the guest: tests/driver/guest_ioctl_fuzz_test.c.)
#
#   make fuzz              run each libFuzzer target for FUZZ_SECONDS
#   make fuzz-replay       replay the committed corpus (also part of check)
#   make fuzz-corpus       regenerate the seed corpus from fwimage

FUZZ_DIR := $(TOP)/tests/firmware/fuzz
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_TARGETS := image cmd
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_TARGETS))
FUZZ_REPLAY := $(FUZZ_OUT)/fuzz_replay
FUZZ_SECONDS ?= 60
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# The firmware's control part and the runner's memory and images only: the
# ISA and hardware headers, no libdrm, no compute engine. The control part
# validates every command with the ISA's validator, which needs the
# datapath's format table: both are fuzzed here too, instrumented like the
# firmware (without an engine, compute opcodes stop at BAD_OPCODE before
# it, so what the fuzzers reach is the header, v0 and ISA_VERSION).
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-I$(TOP)/include -I$(TOP)/uapi $(FW_INCLUDES) -I$(FWRUN_DIR)
FUZZ_FW_OBJS := $(addprefix $(FUZZ_OUT)/obj/,$(FW_SRCS:.c=.o) $(FWRUN_MEM_SRCS:.c=.o) \
	$(ISA_SRCS:.c=.o) $(ISA_DP_SRCS:.c=.o))

# Instrumented for coverage and sanitizers, but without libFuzzer's main.
$(FUZZ_OUT)/obj/%.o: $(FW_DIR)/%.c $(FW_BUILD_ID_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(subst fuzzer,fuzzer-no-link,$(FUZZ_SAN)) -MMD -MP -c $< -o $@

$(FUZZ_OUT)/obj/%.o: $(FWRUN_DIR)/%.c $(FW_BUILD_ID_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(subst fuzzer,fuzzer-no-link,$(FUZZ_SAN)) -MMD -MP -c $< -o $@

$(FUZZ_OUT)/obj/%.o: $(ISA_DIR)/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(subst fuzzer,fuzzer-no-link,$(FUZZ_SAN)) -MMD -MP -c $< -o $@

$(FUZZ_OUT)/obj/%.o: $(DP_DIR)/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DP_FP_FLAGS) $(subst fuzzer,fuzzer-no-link,$(FUZZ_SAN)) \
		-MMD -MP -c $< -o $@

$(FUZZ_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_FW_OBJS) $(FW_BUILD_ID_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -o $@ $< $(FUZZ_FW_OBJS) -lz

$(FUZZ_REPLAY): $(FUZZ_DIR)/fuzz-replay.sh $(FUZZ_BINS)
	@mkdir -p $(@D)
	sed -e 's|@FUZZ_OUT@|$(FUZZ_OUT)|' -e 's|@FUZZ_CORPUS@|$(FUZZ_DIR)/corpus|' \
		-e 's|@FUZZ_TARGETS@|$(FUZZ_TARGETS)|' $< >$@.tmp
	chmod 755 $@.tmp && mv -f $@.tmp $@

.PHONY: fuzz fuzz-replay fuzz-corpus
fuzz: $(FUZZ_BINS)
	@mkdir -p $(FUZZ_OUT)/artifacts
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_OUT)/corpus-$$t; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS)s (new inputs: $(FUZZ_OUT)/corpus-$$t)"; \
		$(FUZZ_OUT)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_OUT)/artifacts/$$t- \
			$(FUZZ_OUT)/corpus-$$t $(FUZZ_DIR)/corpus/$$t || exit 1; \
	done

fuzz-replay: $(FUZZ_REPLAY)
	@$(FUZZ_REPLAY)

fuzz-corpus: $(FW_TOOL)
	python3 $(FUZZ_DIR)/mkcorpus.py $(FW_TOOL) $(FUZZ_DIR)/corpus

HOST_TESTS += $(FUZZ_REPLAY)
ALL_TARGETS += $(FUZZ_BINS) $(FUZZ_REPLAY)

# Kept, so that a rebuild of one target does not recompile the firmware.
.SECONDARY: $(FUZZ_FW_OBJS)

-include $(wildcard $(FUZZ_OUT)/obj/*.d)
