# SPDX-License-Identifier: MIT
# Observability and power tests (issue 5 part B): test_observe (debugfs,
# fdinfo, tracepoints), test_power (runtime PM), test_module_reload.sh (50
# reloads, slab growth), and the helpers obs_job (a job on every queue) and
# obs_unplug (the guest side of tests/vm/hot_unplug.sh).

OBS_T_DIR := $(TOP)/tests/guest
OBS_T_OUT := $(BUILD)/tests/guest
OBS_T_TESTS := $(OBS_T_OUT)/test_observe $(OBS_T_OUT)/test_power
OBS_T_HELPERS := $(OBS_T_OUT)/obs_job $(OBS_T_OUT)/obs_unplug
OBS_T_SCRIPT := $(OBS_T_OUT)/test_module_reload.sh
OBS_T_COMMON := $(OBS_T_DIR)/obs_util.c $(OBS_T_DIR)/guest_util.c
OBS_T_HDRS := $(OBS_T_DIR)/obs_util.h $(OBS_T_DIR)/guest_util.h $(LIBACCEL_HDRS)

$(OBS_T_TESTS) $(OBS_T_HELPERS): $(OBS_T_OUT)/%: $(OBS_T_DIR)/%.c $(OBS_T_COMMON) \
		$(OBS_T_HDRS) $(LIBACCEL_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -isystem $(KSELFTEST_DIR) $$($(LIBACCEL_PKG) --cflags) \
		-o $@ $< $(OBS_T_COMMON) $$($(LIBACCEL_PKG) --libs) -ldrm

$(OBS_T_SCRIPT): $(OBS_T_DIR)/test_module_reload.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@

GUEST_TESTS += $(OBS_T_TESTS)
GUEST_SCRIPTS += $(OBS_T_SCRIPT)
GUEST_BINS += $(OBS_T_TESTS) $(OBS_T_HELPERS) $(OBS_T_SCRIPT)
ALL_TARGETS += $(OBS_T_TESTS) $(OBS_T_HELPERS) $(OBS_T_SCRIPT)
