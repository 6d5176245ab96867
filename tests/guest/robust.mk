# SPDX-License-Identifier: MIT
# Recovery and isolation tests (issue 5 part A): test_robust runs in the
# guest as root, drives the device's fault injection through the driver's
# debugfs knobs, and is built by guest.mk's test_% rule.

GUEST_T_ROBUST := $(BUILD)/tests/guest/test_robust

GUEST_TESTS += $(GUEST_T_ROBUST)
GUEST_BINS += $(GUEST_T_ROBUST)
ALL_TARGETS += $(GUEST_T_ROBUST)
