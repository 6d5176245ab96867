# SPDX-License-Identifier: MIT
# The examples (examples/*.c), built here exactly as a user builds them:
# against the SDK installed by `make install PREFIX=$(BUILD)/sdk` through
# its pkg-config files and nothing of this tree. They
# run in the guest (tests/scripts/guest_examples_test.sh); examples/Makefile
# builds them against an SDK installed anywhere.

EX_DIR := $(TOP)/examples
EX_OUT := $(BUILD)/examples
EX_NAMES := gemm graph qpk_classify
EX_BINS := $(addprefix $(EX_OUT)/,$(EX_NAMES))
SDK_PREFIX := $(BUILD)/sdk
SDK_STAMP := $(SDK_PREFIX)/.installed
SDK_PKG := PKG_CONFIG_PATH=$(SDK_PREFIX)/lib/pkgconfig pkg-config

$(SDK_STAMP): $(INSTALL_FILES) $(TOP)/install.mk
	rm -rf $(SDK_PREFIX)
	@$(MAKE) --no-print-directory -f $(TOP)/Makefile install PREFIX=$(SDK_PREFIX) \
		FIRMWAREDIR=$(SDK_PREFIX)/lib/firmware >/dev/null
	@touch $@

$(EX_OUT)/%: $(EX_DIR)/%.c $(SDK_STAMP)
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror $$($(SDK_PKG) --cflags quasar-compress) $< -o $@ \
		$$($(SDK_PKG) --libs quasar-compress)

EX_TEST := $(EX_OUT)/guest_examples_test.sh
$(EX_TEST): $(TOP)/tests/scripts/guest_examples_test.sh
	@mkdir -p $(@D)
	cp $< $@

.PHONY: examples
examples: $(EX_BINS)

GUEST_BINS += $(EX_BINS) $(EX_TEST)
GUEST_SCRIPTS += $(EX_TEST)
ALL_TARGETS += $(EX_BINS) $(EX_TEST)
