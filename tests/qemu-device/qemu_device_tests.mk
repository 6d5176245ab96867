# SPDX-License-Identifier: MIT
# The device's QEMU qtests (tests/qemu-device/): one program per section,
# qtest_<section>_test.c (regs, boot, hwq, power, reset, debug, and the
# register fuzzer, fuzz) on the helpers of qtest_util.c; built inside QEMU's
# tree (scripts/build-qemu.sh) and run by `make check` through
# run-qtests.sh, which runs every one of them.
#
#   make check-qtest    build QEMU, the firmware image and the qtests; run them

QTEST_SCRIPTS += $(TOP)/tests/qemu-device/run-qtests.sh

.PHONY: check-qtest
check-qtest: $(DEPS_STAMP)
	@bash $(TOP)/tests/qemu-device/run-qtests.sh
