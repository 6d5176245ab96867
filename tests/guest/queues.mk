# SPDX-License-Identifier: MIT
# Queues with priorities and job statistics (issue 4): test_queues, built
# by guest.mk's test_% rule.

GUEST_T_QUEUES := $(BUILD)/tests/guest/test_queues

GUEST_TESTS += $(GUEST_T_QUEUES)
GUEST_BINS += $(GUEST_T_QUEUES)
ALL_TARGETS += $(GUEST_T_QUEUES)
