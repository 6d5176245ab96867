# SPDX-License-Identifier: MIT
# The device's QEMU qtests (tests/qemu-device/): built inside QEMU's tree
# (see scripts/build-qemu.sh), run by `make check` through QTEST_SCRIPTS:
# run-qtest.sh (the device) and run-qtest-fuzz.sh (register fuzzing).
#
#   make check-qtest    build QEMU, the firmware image and the qtest; run it

QTEST_SCRIPTS += $(TOP)/tests/qemu-device/run-qtest.sh \
	$(TOP)/tests/qemu-device/run-qtest-fuzz.sh

.PHONY: check-qtest
check-qtest: $(DEPS_STAMP)
	@bash $(TOP)/tests/qemu-device/run-qtest.sh
